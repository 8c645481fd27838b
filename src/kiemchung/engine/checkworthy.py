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
_ATTRIB = re.compile(
    r"\b(?:theo(?! doi| toi| minh| kieu)|cho biet|khang dinh|thong tin|thong bao|cong bo|xac nhan|bao cao|tuyen bo|phat bieu"
    r"|trich dan|nguon tin|dan nguon|cho hay|noi rang|tiet lo|bac bo|phu nhan|ghi nhan"
    r"|bo y te|bo cong an|chinh phu|thu tuong|quoc hoi|ubnd|so y te|bo truong|chu tich|giam doc"
    r"|who|cdc|ttxvn|vnexpress|vtv|bao chi|bao (?:thanh nien|tuoi tre|nguoi lao dong|dan tri|nhan dan))\b"
)
# Single syllables are ambiguous once folded (quá/qua, đáng/đang, cháy/chạy, ảnh/anh), so
# they are matched with their diacritics on the lower-case text; multi-syllable phrases are matched
# folded, which also catches posts typed without diacritics.
_EVENT = re.compile(
    r"\b(?:ban hanh|quyet dinh|bat giu|khoi to|truy to|xu phat|phat hien|tu vong|duong tinh|am tinh"
    r"|cach ly|phong toa|dong cua|mo cua|dinh chi|bo nhiem|cach chuc|ra mat|trien khai|tiep nhan|cap phep"
    r"|thu hoi|dieu tra|ket luan|tuyen an|hy sinh|bi thuong|dong dat|xay dung|dau tu|ghi nhan|phat hanh"
    r"|thong qua|ap dung|yeu cau|de xuat|ho tro|lua dao|chiem doat|xuat khau|nhap khau|ca mac|ca nhiem)\b"
)
_EVENT_EXACT = re.compile(
    r"\b(?:tăng|giảm|ký|bắt|chết|nhiễm|mắc|sập|cháy|nổ|lũ|bão|vỡ|trúng|đạt|lập|thua|thắng|cấm|chi|thu"
    r"|nộp|mất|giết|cướp|khỏi|nhập viện|xuất viện)\b"
)
_OPINION = re.compile(
    r"\b(?:toi nghi|theo toi|minh nghi|toi thay|minh thay|ca nhan toi|thiet nghi|mong rang|mong la|hy vong"
    r"|dung co|that la|qua dang|tuyet voi|kinh khung|xau ho|that su|co le|chac la|ha ha|haha|hihi|hic"
    r"|huhu|oi troi|tom lai|bat binh|buc xuc|phan no|dang buon|dang thuong|qua troi)\b"
)
_OPINION_EXACT = re.compile(r"\b(?:quá|đáng|ghê|vãi|nên|hãy|đừng|nhục|tệ|dốt|ngu|đểu|hèn)\b")
_QUESTION_WORDS = re.compile(
    r"\b(?:co phai|phai khong|khong a|ko a|ha mn|ha ad|co that|tai sao|vi sao|sao lai|bao gio"
    r"|the nao|lam sao|ai biet|ai co|la gi|o dau)\b"
)
_QUESTION_EXACT = re.compile(r"\b(?:nhỉ|hả|chăng|ko ạ|k ạ|không ạ)\b")
_CALL = re.compile(
    r"\b(?:chia se|share|nho moi nguoi|nho mn|moi nguoi oi|ca nha oi|cac ban|ban be|like|follow|dang ky"
    r"|subscribe|cam on|xin chao|nhan tin|binh luan|comment|xem them|doc them|xem ngay|click|tai day|link"
    r"|truc tiep|livestream|video|clip)\b"
)
_CALL_EXACT = re.compile(r"\b(?:chào|chúc)\b|\b(?:ảnh|nguồn|video)\s*:")
_PROMO = re.compile(
    r"\b(?:khuyen mai|giam gia|uu dai|freeship|mien phi ship|inbox|ib|dat hang|dat mua|mua ngay|lien he"
    r"|hotline|zalo|gia chi|chi con|sale|combo|order|ship cod|qua tang|san pham|dang ky ngay)\b"
)


@dataclass(slots=True)
class ClaimCandidate:
    """One sentence of a post with its check-worthiness and the signed feature contributions."""

    text: str
    score: float
    features: dict[str, float] = field(default_factory=dict)
    position: int = 0


def _entity_runs(sentence: str) -> int:
    """Runs of ≥ 2 capitalised syllables, or one acronym, after the first word ("Bạch Mai", "WHO")."""
    runs = 0
    current = 0
    acronym = False
    for i, m in enumerate(_SYLLABLE.finditer(sentence)):
        tok = m.group(0)
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


def score_sentence(sentence: str, position: int = 0) -> ClaimCandidate:
    """Score one (normalised) sentence; see the module docstring for the features."""
    text = sentence.strip()
    content = _PLACEHOLDER.sub(" ", text)
    hashtags = _HASHTAG.findall(content)
    content_wo_tags = _HASHTAG.sub(" ", content)
    syllables = _SYLLABLE.findall(content_wo_tags)
    n = len(syllables)
    f = fold(content_wo_tags)
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
    letters = [c for c in content_wo_tags if c.isalpha()]
    upper_ratio = sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
    if upper_ratio < 0.6:
        runs = _entity_runs(content_wo_tags)
        if runs:
            feats[F_ENTITY] = min(0.2, 0.1 * runs)

    if _ATTRIB.search(f):
        feats[F_ATTRIB] = 0.15
    low = content_wo_tags.lower()
    events = len(_EVENT.findall(f)) + len(_EVENT_EXACT.findall(low))
    if events:
        feats[F_EVENT] = 0.1 if events == 1 else 0.15

    opinions = len(_OPINION.findall(f)) + len(_OPINION_EXACT.findall(low))
    if opinions:
        feats[F_OPINION] = -0.15 if opinions == 1 else -0.3
    if text.rstrip(' .!…"”)').endswith("?") or _QUESTION_WORDS.search(f) or _QUESTION_EXACT.search(low):
        feats[F_QUESTION] = -0.3
    calls = len(_CALL.findall(f)) + len(_CALL_EXACT.findall(low))
    if calls:
        feats[F_CALL] = -0.15 if calls == 1 else -0.3
    promos = len(_PROMO.findall(f))
    if promos:
        feats[F_PROMO] = -0.2 if promos == 1 else -0.4
    if text.count("!") >= 2:
        feats[F_OPINION] = round(feats.get(F_OPINION, 0.0) - 0.1, 3)

    score = min(1.0, max(0.0, BASE + sum(feats.values())))
    return ClaimCandidate(text=_trim(text), score=round(score, 3), features=feats, position=position)


def _trim(text: str) -> str:
    if len(text) <= MAX_CLAIM_CHARS:
        return text
    cut = text.rfind(" ", 0, MAX_CLAIM_CHARS)
    return text[: cut if cut > 0 else MAX_CLAIM_CHARS] + "…"


def extract_claims(text: str, *, normalised: bool = False) -> list[ClaimCandidate]:
    """Every sentence of ``text`` with its score, in reading order.

    >>> [round(c.score, 1) > 0.5 for c in extract_claims("Hôm qua TP.HCM ghi nhận 120 ca mắc mới. Buồn quá!")]
    [True, False]
    """
    norm = text if normalised else normalise(text)
    return [score_sentence(s, i) for i, s in enumerate(sentences(norm))]


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
