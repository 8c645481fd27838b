"""Claim extraction: split a post into sentences and score how check-worthy each one is.

The score is a clipped sum of explainable feature contributions, so the desk can show *why* a
sentence was picked (labels are Vietnamese, shown as-is on the claim page):

    >>> c = score_sentence("Theo Bộ Y tế, ngày 3/4 có thêm 27 ca mắc COVID-19 tại Hà Nội.")
    >>> c.score >= 0.8, sorted(c.features)[:3]
    (True, ['số liệu', 'thời gian', 'trích nguồn'])
    >>> score_sentence("Chia sẻ cho mọi người cùng biết nhé!").score < 0.2
    True

Everything here is regex over the folded (lower-case, no-diacritic) sentence, compiled once: the
triage path must handle well over a thousand posts a second per core, so no word segmenter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kiemchung.text import fold, normalise, sentences

# Feature labels (Vietnamese, user-facing) -----------------------------------------------------
F_NUMBER = "số liệu"
F_MONEY = "tiền, tỷ lệ"
F_DATE = "thời gian"
F_ENTITY = "tên riêng"
F_ATTRIB = "trích nguồn"
F_EVENT = "động từ sự kiện"
F_OPINION = "ý kiến"
F_QUESTION = "câu hỏi"
F_CALL = "kêu gọi, chào hỏi"
F_PROMO = "quảng cáo"
F_HASHTAG = "hashtag, liên kết"
F_SHORT = "quá ngắn"

BASE = 0.25
MAX_CLAIM_CHARS = 400

# Placeholders left by intake/normalisation and raw links carry no checkable content.
_PLACEHOLDER = re.compile(r"<(?:url|phone|email)>|https?://\S+|www\.\S+", re.I)
_HASHTAG = re.compile(r"#\w+")
_SYLLABLE = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d")

# All patterns below run on fold(sentence): lower case, no diacritics, đ -> d.
_DATE = re.compile(
    r"\b\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{2,4})?\b"
    r"|\b(?:ngay|thang|nam|quy|tuan)\s+\d"
    r"|\b\d{1,2}\s*(?:h|gio)\s*\d{0,2}\b"
    r"|\b(?:hom nay|hom qua|sang nay|chieu nay|toi nay|toi qua|dem qua|sang qua|chieu qua|tuan qua|thang qua"
    r"|nam ngoai|dau nam|cuoi nam|vua qua)\b"
    r"|\b(?:19|20)\d\d\b"
)
_MONEY = re.compile(
    r"\d[\d.,]*\s*(?:%|phan tram|ty\b|ti\b|trieu|nghin|ngan|usd|\$|euro|dong\b|vnd|d\b|k\b|tr\b)"
    r"|\$\s*\d"
)
_NUMBER = re.compile(r"\b\d[\d.,]*\b")
# A 4-digit year or day/month alone is a date, not a figure; counted separately above.
_YEARLIKE = re.compile(r"\b(?:19|20)\d\d\b|\b\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{2,4})?\b")
# Cue phrases, looked up as syllable n-grams (a dict hit per n-gram: far cheaper than a regex
# alternation of a hundred phrases tried at every position). Multi-syllable phrases are matched
# folded, which also catches posts typed without diacritics; single syllables are ambiguous once
# folded (quá/qua, đáng/đang, cháy/chạy, ảnh/anh), so those are matched with their diacritics.
_FOLDED_CUES = {
    "attrib": "cho biet|khang dinh|thong tin|thong bao|cong bo|xac nhan|bao cao|tuyen bo|phat bieu|trich dan"
    "|nguon tin|dan nguon|cho hay|noi rang|tiet lo|bac bo|phu nhan|ghi nhan|bo y te|bo cong an|chinh phu"
    "|thu tuong|quoc hoi|ubnd|so y te|bo truong|chu tich|giam doc|who|cdc|ttxvn|vnexpress|vtv|bao chi"
    "|bao thanh nien|bao tuoi tre|bao dan tri|bao nhan dan",
    "event": "ban hanh|quyet dinh|bat giu|khoi to|truy to|xu phat|phat hien|tu vong|duong tinh|am tinh|cach ly"
    "|phong toa|dong cua|mo cua|dinh chi|bo nhiem|cach chuc|ra mat|trien khai|tiep nhan|cap phep|thu hoi"
    "|dieu tra|ket luan|tuyen an|hy sinh|bi thuong|dong dat|xay dung|dau tu|phat hanh|thong qua|ap dung"
    "|yeu cau|de xuat|ho tro|lua dao|chiem doat|xuat khau|nhap khau|ca mac|ca nhiem",
    "opinion": "toi nghi|theo toi|minh nghi|toi thay|minh thay|ca nhan toi|thiet nghi|mong rang|mong la|hy vong"
    "|dung co|that la|qua dang|tuyet voi|kinh khung|xau ho|that su|co le|chac la|ha ha|haha|hihi|hic|huhu"
    "|oi troi|tom lai|bat binh|buc xuc|phan no|dang buon|dang thuong|qua troi",
    "question": "co phai|phai khong|khong a|ko a|ha mn|ha ad|co that|tai sao|vi sao|sao lai|bao gio|the nao"
    "|lam sao|ai biet|ai co|la gi|o dau",
    "call": "chia se|share|nho moi nguoi|nho mn|moi nguoi oi|ca nha oi|cac ban|ban be|like|follow|dang ky"
    "|subscribe|cam on|xin chao|nhan tin|binh luan|comment|xem them|doc them|xem ngay|click|tai day|link"
    "|truc tiep|livestream|video|clip",
    "promo": "khuyen mai|giam gia|uu dai|freeship|mien phi ship|inbox|ib|dat hang|dat mua|mua ngay|lien he"
    "|ghe cua hang|ghe shop|cua hang|can tim|can tuyen|tuyen dung|can ban|can mua|cho thue|can thue"
    "|gia chi|sale|order|gia si|gia tot|chot don|nhan ship|gia su|pass lai|thanh ly"
    "|hotline|zalo|gia chi|chi con|sale|combo|order|ship cod|qua tang|san pham|dang ky ngay",
}
_EXACT_CUES = {
    "event": "tăng|giảm|ký|bắt|chết|nhiễm|mắc|sập|cháy|nổ|lũ|bão|vỡ|trúng|đạt|lập|thua|thắng|cấm|chi|thu|nộp"
    "|mất|giết|cướp|khỏi|nhập viện|xuất viện",
    "opinion": "quá|đáng|ghê|vãi|nên|hãy|đừng|nhục|tệ|dốt|ngu|đểu|hèn",
    "question": "nhỉ|hả|chăng|ko ạ|k ạ|không ạ",
    "call": "chào|chúc",
}
_NOT_ATTRIB_AFTER_THEO = {"doi", "toi", "minh", "kieu"}  # theo dõi / theo tôi ...
_CAPTION = re.compile(r"\b(?:ảnh|nguồn|video)\s*:", re.I)

CLAIM_THRESHOLD = 0.5  # check-worthiness a sentence needs to become (part of) a claim
CLAIMS_PER_ITEM = 3


def _lexicon(cues: dict[str, str]) -> dict[str, str]:
    return {phrase: cat for cat, phrases in cues.items() for phrase in phrases.split("|")}


_FOLDED_LEX = _lexicon(_FOLDED_CUES)
_EXACT_LEX = _lexicon(_EXACT_CUES)
CUE_CATEGORIES = ("attrib", "event", "opinion", "question", "call", "promo")


def _count_cues(syl: list[str], lexicon: dict[str, str], counts: dict[str, int]) -> None:
    """Count cue phrases of up to three syllables in ``syl``."""
    n = len(syl)
    for i in range(n):
        w = syl[i]
        cat = lexicon.get(w)
        if cat is not None:
            counts[cat] += 1
        if i + 1 < n:
            bi = w + " " + syl[i + 1]
            cat = lexicon.get(bi)
            if cat is not None:
                counts[cat] += 1
            if i + 2 < n:
                cat = lexicon.get(bi + " " + syl[i + 2])
                if cat is not None:
                    counts[cat] += 1


@dataclass(slots=True)
class ClaimCandidate:
    """One sentence of a post with its check-worthiness and the signed feature contributions."""

    text: str
    score: float
    features: dict[str, float] = field(default_factory=dict)
    position: int = 0


def _entity_runs(syllables: list[str]) -> int:
    """Runs of ≥ 2 capitalised syllables, or one acronym, after the first word ("Bạch Mai", "WHO")."""
    runs = 0
    current = 0
    acronym = False
    for i, tok in enumerate(syllables):
        if i and tok[0].isupper():
            current += 1
            acronym = acronym or (len(tok) > 1 and tok.isupper())
            continue
        if current >= 2 or acronym:
            runs += 1
        current = 0
        acronym = False
    if current >= 2 or acronym:
        runs += 1
    return runs


def score_sentence(sentence: str, position: int = 0, folded: str | None = None) -> ClaimCandidate:
    """Score one (normalised) sentence; ``folded`` is ``fold(sentence)`` when the caller has it."""
    text = sentence.strip()
    content = _PLACEHOLDER.sub(" ", text)
    hashtags = _HASHTAG.findall(content)
    content_wo_tags = _HASHTAG.sub(" ", content) if hashtags else content
    syllables = _SYLLABLE.findall(content_wo_tags)
    n = len(syllables)
    if folded is None:
        f = fold(content_wo_tags)
    else:
        f = _PLACEHOLDER.sub(" ", folded.strip())
        f = _HASHTAG.sub(" ", f) if hashtags else f
    feats: dict[str, float] = {}

    if n < 5:
        feats[F_SHORT] = -0.45
    elif n < 8:
        feats[F_SHORT] = -0.15
    if hashtags and n < 2 * len(hashtags) + 3:
        feats[F_HASHTAG] = -0.4
    elif len(content.split()) < len(text.split()) * 0.5:
        feats[F_HASHTAG] = -0.3  # mostly links

    if _DIGITS.search(f):
        if _MONEY.search(f):
            feats[F_MONEY] = 0.2
        plain = _NUMBER.findall(_YEARLIKE.sub(" ", f))
        if plain:
            feats[F_NUMBER] = 0.15 if len(plain) == 1 else 0.2
    if _DATE.search(f):
        feats[F_DATE] = 0.1

    # Headlines in capitals make every word look like a name; skip the entity cue there.
    long_syl = [t for t in syllables if len(t) > 1]
    caps = sum(1 for t in long_syl if t.isupper())
    if not long_syl or caps < 0.6 * len(long_syl):
        runs = _entity_runs(syllables)
        if runs:
            feats[F_ENTITY] = min(0.2, 0.1 * runs)

    counts = dict.fromkeys(CUE_CATEGORIES, 0)
    fsyl = _SYLLABLE.findall(f)
    _count_cues(fsyl, _FOLDED_LEX, counts)
    _count_cues([t.lower() for t in syllables], _EXACT_LEX, counts)
    for i, w in enumerate(fsyl):  # "theo" = according to, unless "theo dõi", "theo tôi" ...
        if w == "theo" and (i + 1 == len(fsyl) or fsyl[i + 1] not in _NOT_ATTRIB_AFTER_THEO):
            counts["attrib"] += 1
            break
    if _CAPTION.search(content_wo_tags):
        counts["call"] += 1

    if counts["attrib"]:
        feats[F_ATTRIB] = 0.15
    if counts["event"]:
        feats[F_EVENT] = 0.1 if counts["event"] == 1 else 0.15
    if counts["opinion"]:
        feats[F_OPINION] = -0.15 if counts["opinion"] == 1 else -0.3
    if counts["question"] or text.rstrip(' .!…"”)').endswith("?"):
        feats[F_QUESTION] = -0.3
    if counts["call"]:
        feats[F_CALL] = -0.15 if counts["call"] == 1 else -0.3
    if counts["promo"]:
        # classified ads and shop posts carry numbers and dates too, but are never claims
        feats[F_PROMO] = -0.3 if counts["promo"] == 1 else -0.5
    if text.count("!") >= 2:
        feats[F_OPINION] = round(feats.get(F_OPINION, 0.0) - 0.1, 3)

    score = min(1.0, max(0.0, BASE + sum(feats.values())))
    return ClaimCandidate(text=_trim(text), score=round(score, 3), features=feats, position=position)


def _trim(text: str) -> str:
    if len(text) <= MAX_CLAIM_CHARS:
        return text
    cut = text.rfind(" ", 0, MAX_CLAIM_CHARS)
    return text[: cut if cut > 0 else MAX_CLAIM_CHARS] + "…"


def extract_claims(text: str, *, normalised: bool = False, folded: str | None = None) -> list[ClaimCandidate]:
    """Every sentence of ``text`` with its score, in reading order.

    ``folded`` (``fold(text)`` of the normalised text) saves folding each sentence again.

    >>> [round(c.score, 1) > 0.5 for c in extract_claims("Hôm qua TP.HCM ghi nhận 120 ca mắc mới. Buồn quá!")]
    [True, False]
    """
    norm = text if normalised else normalise(text)
    sents = sentences(norm)
    if folded is None or len(folded) != len(norm):
        # folding is 1:1 per character for NFC Vietnamese; otherwise fold sentence by sentence
        return [score_sentence(s, i) for i, s in enumerate(sents)]
    out = []
    pos = 0
    for i, s in enumerate(sents):
        start = norm.find(s, pos)
        if start < 0:
            out.append(score_sentence(s, i))
            continue
        pos = start + len(s)
        out.append(score_sentence(s, i, folded[start:pos]))
    return out


def top_claims(
    candidates: Iterable[ClaimCandidate], *, threshold: float = 0.5, limit: int = 3
) -> list[ClaimCandidate]:
    """The ``limit`` best candidates scoring at least ``threshold`` (ties keep reading order)."""
    good = [c for c in candidates if c.score >= threshold]
    good.sort(key=lambda c: (-c.score, c.position))
    return good[:limit]


def extract_batch(texts: Iterable[str], *, normalised: bool = False) -> list[list[ClaimCandidate]]:
    """``extract_claims`` over a batch."""
    return [extract_claims(t, normalised=normalised) for t in texts]
