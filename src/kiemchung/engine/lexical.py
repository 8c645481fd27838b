"""Lexical analysis and an incremental BM25 index for Vietnamese.

Vietnamese words are mostly two syllables and posts are often typed without diacritics, so a text
is indexed as several token kinds at once (``analyse``):

- ``f:`` folded syllables (no diacritics, lower case) after expanding chat abbreviations,
- ``d:`` syllables with their diacritics, only where they carry any (an exact-diacritic match earns
  a little more than a folded one),
- ``b:`` folded syllable bigrams (stand-in for words: "ha noi", "chu tich"),
- ``n:`` canonical numbers ("10.000", "10 nghìn" and "10k" all become ``n:10000``).

    >>> [t for t in analyse("Hà Nội có 10 nghìn ca") if t[0] in "fn"]
    ['f:ha', 'f:noi', 'f:co', 'f:10000', 'f:ca', 'n:10000']
    >>> expand_abbreviations(["ct", "ubnd", "tp", "hcm", "ko", "dc"])
    ['chu', 'tich', 'uy', 'ban', 'nhan', 'dan', 'thanh', 'pho', 'ho', 'chi', 'minh', 'khong', 'duoc']

``BM25Index`` keeps a sparse term matrix (scipy) so documents can be added and removed one batch at a
time; the weighted matrix is rebuilt lazily (O(non-zeros), ~0.1 s for 30k short documents).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable

import numpy as np
from scipy import sparse

from kiemchung.text import fold, normalise

# Common no-diacritic chat abbreviations (folded form -> folded expansion). Kept small on purpose:
# only abbreviations that are unambiguous in news-like chatter. "ad" (admin), "mn"/"mng" (mọi người),
# "ha"/"ak" (question particles) expand to words that never carry the claim, which is exactly right:
# BM25 gives them almost no weight.
ABBREVIATIONS: dict[str, str] = {
    "ko": "khong",
    "k": "khong",
    "kh": "khong",
    "hok": "khong",
    "hong": "khong",
    "dc": "duoc",
    "dk": "duoc",
    "ng": "nguoi",
    "ngta": "nguoi ta",
    "mn": "moi nguoi",
    "mng": "moi nguoi",
    "ntn": "nhu the nao",
    "tp": "thanh pho",
    "hcm": "ho chi minh",
    "tphcm": "thanh pho ho chi minh",
    "hn": "ha noi",
    "sg": "sai gon",
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "ct": "chu tich",
    "pct": "pho chu tich",
    "bv": "benh vien",
    "bn": "benh nhan",
    "bs": "bac si",
    "sv": "sinh vien",
    "hs": "hoc sinh",
    "gv": "giao vien",
    "gvcn": "giao vien chu nhiem",
    "dh": "dai hoc",
    "thpt": "trung hoc pho thong",
    "ad": "admin",
    "vn": "viet nam",
    "tq": "trung quoc",
    "csgt": "canh sat giao thong",
    "cty": "cong ty",
    "ql": "quoc lo",
    "kdt": "khu do thi",
    "qd": "quyet dinh",
    "bhyt": "bao hiem y te",
    "bhxh": "bao hiem xa hoi",
    "sdt": "so dien thoai",
    "tk": "tai khoan",
    "j": "gi",
    "z": "vay",
    "r": "roi",
    "ms": "moi",
    "cx": "cung",
    "vs": "voi",
    "trc": "truoc",
    "wa": "qua",
    "bh": "bao gio",
}

# Number words that are not also common non-number words ("năm" is also "year", "ba" "father").
_NUMBER_WORDS = {"hai": 2, "bon": 4, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10}
_MULTIPLIERS = {
    "k": 1e3,
    "nghin": 1e3,
    "ngan": 1e3,
    "trieu": 1e6,
    "tr": 1e6,
    "ty": 1e9,
    "ti": 1e9,
    "tram": 1e2,
}
_UNIT = r"k|nghìn|ngàn|nghin|ngan|triệu|trieu|tr|tỷ|tỉ|ty|ti|trăm|tram"
# 10.000 / 1.234.567 (thousands), 96,1 / 1.5 (decimal), optional unit, also two of them ("16 nghìn tỷ");
# a number glued to a word by a hyphen is part of a name (COVID-19, SARS-CoV-2), not a quantity
_NUM = re.compile(
    rf"(?<![\w/])(?<![^\W\d_]-)(\d{{1,3}}(?:\.\d{{3}})+|\d+(?:[.,]\d+)?)(?:\s?({_UNIT})\b(?:\s({_UNIT})\b)?)?",
    re.IGNORECASE,
)
_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?(?![\d/])")
# news style writes dates as 15.6, 19-5 or 15.6.2020: a date only after a time word or before a year
# ("ngày 15.6", "sáng 19-5"), never before a unit ("từ 2.5 triệu")
_DOT_DATE = re.compile(
    rf"(?:(?<=ngày )|(?<=hôm )|(?<=sáng )|(?<=trưa )|(?<=chiều )|(?<=tối )|(?<=đêm )|(?<=từ )|(?<=đến )|(?<=tới )|(?<=nay ))"
    rf"(\d{{1,2}})[.-](\d{{1,2}})(?:[.-](\d{{4}}))?(?![\d.,-]\d)(?!\s?(?:{_UNIT}|%)\b)"
    rf"|(?<![\d.,/-])(\d{{1,2}})[.-](\d{{1,2}})[.-](\d{{4}})(?![\d.,-]\d)"
)
# "tháng 6.2020" / "tháng 6-2020": month and year, not 6.202
_MONTH_YEAR = re.compile(r"(?<=tháng )(\d{1,2})[./-](\d{4})(?!\d)")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")


def _canon(value: float) -> str:
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else f"{value:.6g}"


def numbers(text: str) -> list[str]:
    """Canonical numbers and dates in ``text``, in order (dates as ``d/m``).

    >>> numbers("Từ 15/6, phạt 10.000 đồng, 2,5 triệu hoặc 60tr; 30% số ca")
    ['15/6', '10000', '2500000', '60000000', '30']
    >>> numbers("Chiều 9.11.2023, quỹ 3 nghìn tỷ đồng (tháng 11-2023) cho đường sắt")
    ['9/11', '2023', '3000000000000', '11', '2023']
    """
    return [tok for tok, _, is_num in _number_aware_syllables(normalise(text)) if is_num]


def expand_abbreviations(tokens: Iterable[str]) -> list[str]:
    """Expand folded chat abbreviations ("ko" -> "khong", "ubnd" -> "uy ban nhan dan")."""
    out: list[str] = []
    for tok in tokens:
        exp = ABBREVIATIONS.get(tok)
        if exp is None:
            out.append(tok)
        else:
            out.extend(exp.split())
    return out


def _number_aware_syllables(text: str) -> list[tuple[str, str, bool]]:
    """(diacritic, folded, is_number) lower-case syllables; numbers with units become canonical values."""
    out: list[tuple[str, str, bool]] = []
    pos = 0
    low = text.lower()
    spans: list[tuple[int, int, str]] = []
    for m in itertools.chain(_DATE.finditer(low), _DOT_DATE.finditer(low)):
        g = [x for x in m.groups() if x is not None]
        day, month = int(g[0]), int(g[1])
        if 1 <= day <= 31 and 1 <= month <= 12 and not any(a <= m.start() < b for a, b, _ in spans):
            spans.append((m.start(), m.end(), f"{day}/{month}"))
            if len(g) > 2 and len(g[2]) == 4:  # the year stays a number of its own
                spans.append((m.end(), m.end(), g[2]))
    for m in _MONTH_YEAR.finditer(low):
        if not any(a <= m.start() < b for a, b, _ in spans):
            spans.append((m.start(), m.start() + len(m.group(1)), m.group(1)))
            spans.append((m.start() + len(m.group(1)), m.end(), m.group(2)))
    for m in _NUM.finditer(low):
        if any(s <= m.start() < e for s, e, _ in spans):
            continue
        raw = m.group(1)
        value = float(raw.replace(".", "")) if _THOUSANDS.fullmatch(raw) else float(raw.replace(",", "."))
        for unit in (m.group(2), m.group(3)):
            if unit:
                value *= _MULTIPLIERS[fold(unit)]
        spans.append((m.start(), m.end(), _canon(value)))
    spans.sort()
    for start, end, canon in spans:
        if start < pos:
            continue
        for tok in _TOKEN.findall(low[pos:start]):
            out.append((tok, fold(tok), False))
        out.append((canon, canon, True))
        pos = end
    for tok in _TOKEN.findall(low[pos:]):
        out.append((tok, fold(tok), False))
    return out


def marked_syllables(text: str) -> list[tuple[str, str]]:
    """(with diacritics, folded) lower-case syllables, numbers canonicalised, abbreviations kept.

    >>> marked_syllables("Măng tươi 2 ngày")
    [('măng', 'mang'), ('tươi', 'tuoi'), ('2', '2'), ('ngày', 'ngay')]
    """
    return [(dia, fol) for dia, fol, _ in _number_aware_syllables(normalise(text))]


def folded_syllables(text: str) -> list[str]:
    """Folded syllables with numbers canonicalised and abbreviations expanded.

    >>> folded_syllables("Ct UBND tp HCM nói ko đúng, 10k người")
    ['chu', 'tich', 'uy', 'ban', 'nhan', 'dan', 'thanh', 'pho', 'ho', 'chi', 'minh', 'noi', 'khong', 'dung', '10000', 'nguoi']
    """
    return expand_abbreviations(f for _, f, _ in _number_aware_syllables(normalise(text)))


def analyse(text: str) -> list[str]:
    """All index tokens of ``text`` (see module docstring)."""
    pairs = _number_aware_syllables(normalise(text))
    tokens: list[str] = []
    folded: list[str] = []
    for dia, fol, _ in pairs:
        exp = ABBREVIATIONS.get(fol)
        if exp is not None and dia == fol:
            folded.extend(exp.split())
            continue
        folded.append(fol)
        if dia != fol:
            tokens.append("d:" + dia)
    tokens.extend("f:" + f for f in folded)
    tokens.extend(f"b:{a}_{b}" for a, b in itertools.pairwise(folded))
    tokens.extend("n:" + n for _, n, is_num in pairs if is_num)
    return tokens


# Query-side weight of each token kind: bigrams act as word matches, numbers as rare anchors.
KIND_WEIGHTS = {"f": 1.0, "d": 0.3, "b": 0.8, "n": 1.0}


class BM25Index:
    """Incremental Okapi BM25 over ``analyse`` tokens.

    >>> ix = BM25Index()
    >>> ix.add(["Hà Nội cấm xe máy từ 2030", "Đà Nẵng có mưa lớn"])
    [0, 1]
    >>> ix.search(["ha noi cam xe may"], top=1)[0][0][0]
    0
    """

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.vocab: dict[str, int] = {}
        self._rows: list[dict[int, int]] = []  # term counts per document slot
        self._alive: list[bool] = []
        self._dirty = True
        self._weights: sparse.csr_matrix | None = None
        self._idf = np.zeros(0, dtype=np.float32)

    def __len__(self) -> int:
        return sum(self._alive)

    def add(self, texts: list[str]) -> list[int]:
        """Index ``texts``; returns their slots (row numbers)."""
        slots = []
        for text in texts:
            counts: dict[int, int] = {}
            for tok in analyse(text):
                col = self.vocab.setdefault(tok, len(self.vocab))
                counts[col] = counts.get(col, 0) + 1
            self._rows.append(counts)
            self._alive.append(True)
            slots.append(len(self._rows) - 1)
        self._dirty = True
        return slots

    def remove(self, slots: Iterable[int]) -> None:
        for s in slots:
            self._alive[s] = False
            self._rows[s] = {}
        self._dirty = True

    def _build(self) -> None:
        n_docs, n_terms = len(self._rows), len(self.vocab)
        indptr = [0]
        indices: list[int] = []
        data: list[int] = []
        for row in self._rows:
            indices.extend(row.keys())
            data.extend(row.values())
            indptr.append(len(indices))
        tf = sparse.csr_matrix(
            (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
            shape=(n_docs, n_terms),
        )
        alive = max(sum(self._alive), 1)
        df = np.bincount(tf.indices, minlength=n_terms).astype(np.float32)
        self._idf = np.log1p((alive - df + 0.5) / (df + 0.5)).astype(np.float32)
        dl = np.asarray(tf.sum(axis=1)).ravel()
        avgdl = float(dl[np.asarray(self._alive, dtype=bool)].mean()) if alive and len(dl) else 1.0
        norm = self.k1 * (1 - self.b + self.b * dl / max(avgdl, 1e-6))
        w = tf.tocoo()
        vals = w.data * (self.k1 + 1) / (w.data + norm[w.row])
        # store the transposed matrix (terms x docs) so query @ weights is a sparse product
        self._weights = sparse.csr_matrix((vals.astype(np.float32), (w.col, w.row)), shape=(n_terms, n_docs))
        self._dirty = False

    def query_vector(self, text: str) -> sparse.csr_matrix:
        """Sparse (1, vocab) query weights: IDF x kind weight, query term frequency capped at 2."""
        if self._dirty:
            self._build()
        counts = Counter(analyse(text))
        cols, vals = [], []
        for tok, c in counts.items():
            col = self.vocab.get(tok)
            if col is None:
                continue
            cols.append(col)
            vals.append(self._idf[col] * KIND_WEIGHTS[tok[0]] * min(c, 2) ** 0.5)
        return sparse.csr_matrix(
            (np.asarray(vals, dtype=np.float32), ([0] * len(cols), cols)), shape=(1, len(self.vocab))
        )

    def scores(self, texts: list[str]) -> np.ndarray:
        """Dense (len(texts), slots) BM25 scores (removed slots score 0)."""
        if self._dirty:
            self._build()
        if not texts or not self._rows:
            return np.zeros((len(texts), len(self._rows)), dtype=np.float32)
        q = sparse.vstack([self.query_vector(t) for t in texts]).tocsr()
        assert self._weights is not None
        return np.asarray((q @ self._weights).toarray(), dtype=np.float32)

    def search(self, texts: list[str], top: int = 10) -> list[list[tuple[int, float]]]:
        """Top ``top`` (slot, score) per text, best first; only positive scores."""
        out: list[list[tuple[int, float]]] = []
        for start in range(0, len(texts), 64):
            s = self.scores(texts[start : start + 64])
            for row in s:
                k = min(top, len(row))
                if k == 0:
                    out.append([])
                    continue
                idx = np.argpartition(-row, k - 1)[:k]
                idx = idx[np.argsort(-row[idx])]
                out.append([(int(i), float(row[i])) for i in idx if row[i] > 0])
        return out

    def idf(self, token: str) -> float:
        """IDF of an ``analyse`` token (0 when unseen)."""
        if self._dirty:
            self._build()
        col = self.vocab.get(token)
        return float(self._idf[col]) if col is not None else 0.0

    @property
    def n_docs(self) -> int:
        return len(self._alive)


def idf_weighted_overlap(a: list[str], b: set[str], idf: dict[str, float] | None = None) -> float:
    """IDF-weighted share of the tokens of ``a`` found in ``b`` (0..1; 0 for empty ``a``)."""
    if not a:
        return 0.0
    uniq = set(a)
    if idf is None:
        return len(uniq & b) / len(uniq)
    tot = sum(idf.get(t, 1.0) for t in uniq)
    hit = sum(idf.get(t, 1.0) for t in uniq if t in b)
    return hit / tot if tot > 0 else 0.0


def log_idf(n_docs: int, df: int) -> float:
    return math.log1p((n_docs - df + 0.5) / (df + 0.5))
