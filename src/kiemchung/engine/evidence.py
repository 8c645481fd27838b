"""Evidence passages: split reference Documents into overlapping passages and retrieve them.

    >>> doc = "Câu một. Câu hai có số 10. Câu ba nói rõ hơn. Câu bốn kết luận. Câu năm thêm ý."
    >>> split_passages(doc, size=3, overlap=1)
    ['Câu một. Câu hai có số 10. Câu ba nói rõ hơn.', 'Câu ba nói rõ hơn. Câu bốn kết luận. Câu năm thêm ý.']

Passages are windows of ``size`` sentences (default 3) that share ``overlap`` sentence with the
previous window, so a fact straddling a boundary is still whole in one passage; a window is also
closed early once it passes ``max_chars``. Retrieval (dense + lexical, through the Matcher) lives
in the search index (``kiemchung.engine.index.SearchIndex.evidence``).
"""

from __future__ import annotations

from kiemchung.text import normalise, sentences

MAX_CHARS = 900


def split_passages(text: str, *, size: int = 3, overlap: int = 1, max_chars: int = MAX_CHARS) -> list[str]:
    """Overlapping windows of sentences; a very long sentence becomes a passage of its own."""
    sents = sentences(normalise(text))
    if not sents:
        return []
    size = max(1, size)
    overlap = min(max(0, overlap), size - 1)
    out: list[str] = []
    i = 0
    while i < len(sents):
        window: list[str] = []
        chars = 0
        j = i
        while j < len(sents) and len(window) < size:
            if window and chars + len(sents[j]) > max_chars:
                break
            window.append(sents[j])
            chars += len(sents[j]) + 1
            j += 1
        out.append(" ".join(window))
        if j >= len(sents):
            break
        # step back by the overlap, but always move forward
        i = max(i + 1, j - overlap)
    return out
