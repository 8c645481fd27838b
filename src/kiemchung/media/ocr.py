"""Vietnamese OCR with Tesseract, with the pre-processing that measured helpful on screenshots.

    >>> available() in (True, False)
    True

``read_text(image)`` returns an :class:`OcrResult`: the text (lines joined with newlines, app chrome
such as "Thích · Bình luận · Chia sẻ" and clock times dropped) and the mean word confidence (0–1).
When Tesseract or its Vietnamese data is missing, :func:`available` is False and ``read_text``
raises :class:`OcrUnavailable`; callers then keep the image and its hash and leave the reading to an
editor.

Steps (each switchable, for the measurement in ``bench/ocr_steps.py``):

- ``upscale``: small text is enlarged so a capital letter is ~30 px tall (Tesseract's sweet spot);
- ``binarise``: grey, then Otsu threshold; light-on-dark cards are inverted to dark-on-light;
- ``deskew``: rotate by the angle Tesseract's OSD reports (only when it is confident);
- ``chrome``: drop lines that are only UI chrome (timestamps, reaction counts, button labels) and
  short header paragraphs (page or group name, time) around a longer post;
- ``reflow``: join the lines of one paragraph with spaces (a screenshot wraps a sentence over
  several lines; kept as separate lines, "… trường Đại học Y" / "<tỉnh> để đào tạo …" would be
  matched as separate sentences and a changed place name would fall out of the matched one), and
  a paragraph with the next where the sentence runs on into it.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from PIL import Image, ImageOps

from kiemchung.web.i18n import N_, _

LANG = "vie"
DEFAULT_STEPS = frozenset({"reflow", "chrome"})
ALL_STEPS = ("upscale", "binarise", "deskew", "chrome", "reflow")
TARGET_LINE_PX = 40  # median text line height we scale to
MAX_SCALE = 3.0


class OcrUnavailable(RuntimeError):
    """Tesseract (or its Vietnamese language data) is not installed."""


INSTALL_HINT = N_("Cài Tesseract để đọc chữ trong ảnh: apt-get install tesseract-ocr tesseract-ocr-vie")


@dataclass
class OcrResult:
    text: str
    confidence: float  # mean word confidence, 0–1 (0 when nothing was read)
    steps: tuple[str, ...] = ()
    lines: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def available() -> bool:
    """Tesseract is on the path and has Vietnamese data."""
    if shutil.which("tesseract") is None:
        return False
    try:
        import pytesseract

        return LANG in pytesseract.get_languages(config="")
    except Exception:
        return False


# -- pre-processing --------------------------------------------------------------------------


def _otsu(gray: np.ndarray) -> int:
    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = gray.size
    omega = np.cumsum(hist) / total
    mu = np.cumsum(hist * np.arange(256)) / total
    mu_t = mu[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma_b = (mu_t * omega - mu) ** 2 / (omega * (1 - omega))
    return int(np.nanargmax(sigma_b))


def binarise(image: Image.Image) -> Image.Image:
    """Black text on white: Otsu threshold on grey, inverted when most pixels are dark.

    >>> im = Image.new("RGB", (8, 8), (20, 40, 160)); im.paste((255, 255, 255), (2, 2, 4, 4))
    >>> b = binarise(im); b.mode, b.getpixel((0, 0)), b.getpixel((2, 2))
    ('L', 255, 0)
    """
    gray = np.asarray(ImageOps.grayscale(image), dtype=np.uint8)
    t = _otsu(gray)
    dark = gray <= t
    if dark.mean() > 0.5:  # light text on a dark or coloured card
        dark = ~dark
    return Image.fromarray(np.where(dark, 0, 255).astype(np.uint8), mode="L")


def text_scale(image: Image.Image) -> float:
    """How much to enlarge so text lines reach ~TARGET_LINE_PX (1.0 = leave as is).

    Line height is estimated from runs of rows that hold ink in the binarised picture.
    """
    ink = np.asarray(binarise(image), dtype=np.uint8) < 128
    rows = ink.mean(axis=1) > 0.003
    runs, n = [], 0
    for r in rows:
        if r:
            n += 1
        elif n:
            runs.append(n)
            n = 0
    if n:
        runs.append(n)
    runs = [r for r in runs if r >= 4]
    if not runs:
        return 1.0
    line = float(np.median(runs))
    return max(1.0, min(MAX_SCALE, TARGET_LINE_PX / line))


def upscale(image: Image.Image) -> Image.Image:
    s = text_scale(image)
    if s <= 1.05:
        return image
    return image.resize((round(image.width * s), round(image.height * s)), Image.Resampling.LANCZOS)


def deskew(image: Image.Image) -> Image.Image:
    """Rotate by Tesseract's orientation estimate when it is confident (multiples of 90°)."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractError:
        return image  # too little text to tell
    angle = int(osd.get("rotate", 0))
    if angle and float(osd.get("orientation_conf", 0)) > 2.0:
        return image.rotate(-angle, expand=True, fillcolor="white")
    return image


def prepare(image: Image.Image, steps: frozenset[str] = DEFAULT_STEPS) -> Image.Image:
    img = image.convert("RGB")
    if "deskew" in steps:
        img = deskew(img)
    if "upscale" in steps:
        img = upscale(img)
    if "binarise" in steps:
        img = binarise(img)
    return img


# -- chrome filter ---------------------------------------------------------------------------

_CHROME_WORDS = {
    "thích",
    "bình luận",
    "chia sẻ",
    "trả lời",
    "phản hồi",
    "gửi",
    "theo dõi",
    "like",
    "comment",
    "share",
    "reply",
    "follow",
    "đã xem",
    "đã gửi",
    "seen",
    "sent",
}
_TIME = re.compile(
    r"^\W*(\d{1,2}[:h.]\d{2}|\d+\s*(phút|giờ|ngày|tuần|min|h|d|w)\b.*|vừa xong|hôm qua)\W*$", re.I
)
_COUNTS = re.compile(r"^[\W\d.,kKtr ]*$")


def is_chrome(line: str) -> bool:
    """UI furniture around a post rather than its words.

    >>> [is_chrome(x) for x in ("Thích · Bình luận · Chia sẻ", "10:42", "2 giờ", "1,2K", "Uống nước muối")]
    [True, True, True, True, False]
    >>> is_chrome("Thích Bình luận Chia sẻ"), is_chrome("Chia sẻ để mọi người cùng biết")
    (True, False)
    """
    s = unicodedata.normalize("NFC", line).strip().lower()
    if not s or _TIME.match(s) or _COUNTS.match(s):
        return True
    for word in sorted(_CHROME_WORDS, key=len, reverse=True):
        s = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", " ", s)
    return bool(_COUNTS.match(s))


# -- OCR ---------------------------------------------------------------------------------------


def read_text(image: Image.Image, steps: frozenset[str] = DEFAULT_STEPS, *, psm: int = 3) -> OcrResult:
    """OCR ``image`` (Vietnamese), returning text and mean word confidence."""
    if not available():
        raise OcrUnavailable(_(INSTALL_HINT))
    import pytesseract

    img = prepare(image, steps)
    data = pytesseract.image_to_data(
        img, lang=LANG, config=f"--psm {psm}", output_type=pytesseract.Output.DICT
    )
    lines: dict[tuple[int, int, int], list[tuple[str, float]]] = {}
    for i, word in enumerate(data["text"]):
        word = (word or "").strip()
        conf = float(data["conf"][i])
        if not word or conf < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        lines.setdefault(key, []).append((word, conf))
    out_lines: list[str] = []
    paragraphs: dict[tuple[int, int], list[str]] = {}
    confs: list[float] = []
    for key in sorted(lines):
        words = lines[key]
        text = unicodedata.normalize("NFC", " ".join(w for w, _ in words))
        if "chrome" in steps and is_chrome(text):
            continue
        out_lines.append(text)
        paragraphs.setdefault(key[:2], []).append(text)
        confs.extend(c for _, c in words)
    conf = float(np.mean(confs)) / 100 if confs else 0.0
    paras = list(paragraphs.values())
    if "chrome" in steps:
        paras = drop_headers(paras)
    if "reflow" in steps:
        text = "\n".join(join_paragraphs([reflow(p) for p in paras]))
    else:  # one line per OCR line, as Tesseract read them
        text = "\n".join(line for p in paras for line in p)
    return OcrResult(text, round(conf, 3), tuple(sorted(steps)), out_lines)


HEADER_WORDS = 4  # a paragraph this short is a page/group name, a time or a greeting ...
BODY_WORDS = 8  # ... when the picture also has a paragraph at least this long


def drop_headers(paragraphs: list[list[str]]) -> list[list[str]]:
    """Drop the short paragraphs around a post (page name, "2 giờ", a group's name) when the
    picture has a real paragraph: their numbers ("Tổ 7", "5 giờ") would otherwise count as
    facts the query states and veto a correct answer.

    >>> drop_headers([["Tổ dân phố 7"], ["Từ mai phường Bến Nghé cắt nước", "cả ngày để sửa ống"]])
    [['Từ mai phường Bến Nghé cắt nước', 'cả ngày để sửa ống']]
    >>> drop_headers([["Cấm xe tải"], ["Từ thứ Hai"]])
    [['Cấm xe tải'], ['Từ thứ Hai']]
    """
    sizes = [len(" ".join(p).split()) for p in paragraphs]
    if not any(n >= BODY_WORDS for n in sizes):
        return paragraphs
    return [p for p, n in zip(paragraphs, sizes, strict=True) if n > HEADER_WORDS]


_SENTENCE_END = re.compile(r"[.!?…:;\"”’)\]]$")


def join_paragraphs(paragraphs: list[str]) -> list[str]:
    """Join a paragraph to the next where a sentence runs on: it ends without punctuation and
    the next begins in lower case (Tesseract splits a wrapped post into blocks at a wider gap).

    >>> join_paragraphs(["Sáng nay phường Ví Dụ cắt điện", "cả ngày để sửa trạm.", "Bà con chú ý"])
    ['Sáng nay phường Ví Dụ cắt điện cả ngày để sửa trạm.', 'Bà con chú ý']
    """
    out: list[str] = []
    for para in paragraphs:
        if out and para[:1].islower() and not _SENTENCE_END.search(out[-1]):
            out[-1] = f"{out[-1]} {para}"
        else:
            out.append(para)
    return out


def reflow(lines: list[str]) -> str:
    """One paragraph's lines as running text; a hyphen at a line end joins the word.

    >>> reflow(["Người dân phường", "Tân Định được miễn", "phí gửi xe."])
    'Người dân phường Tân Định được miễn phí gửi xe.'
    >>> reflow(["COVID-", "19 giảm"])
    'COVID-19 giảm'
    """
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        out = out + line if (not out or out.endswith("-")) else f"{out} {line}"
    return out
