"""Reference library import: text out of plain text, HTML and PDF; URL lists fetched politely.

>>> html_to_text("<html><head><title>Thông cáo</title><script>x()</script></head>"
...              "<body><p>Giá xăng <b>giảm</b>.</p><p>Từ 15h.</p></body></html>")
('Thông cáo', 'Giá xăng giảm.\\nTừ 15h.')
>>> extract_text("a.txt", b"Xin ch\\xc3\\xa0o")
('a', 'Xin chào')
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePath

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiemchung.engine.evidence import split_passages
from kiemchung.net import FetchError, safe_fetch
from kiemchung.store import models
from kiemchung.text import content_hash, normalise
from kiemchung.web.i18n import _

_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "section",
    "article",
    "blockquote",
}
_SKIP = {"script", "style", "noscript", "template", "svg", "nav", "footer", "header"}


class UnsupportedFile(ValueError):
    pass


# Longer PDFs are refused whole: reading one holds a worker thread for as long as its pages take
# (a 60,000-page file took seconds even with empty pages); real reports and gazettes are far shorter.
MAX_PDF_PAGES = 2000


class TooManyPages(UnsupportedFile):
    """A PDF over :data:`MAX_PDF_PAGES`; ``message`` says so in the page's language."""

    def __init__(self, pages: int, limit: int) -> None:
        super().__init__(f"{pages} pages > {limit}")
        self.pages, self.limit = pages, limit

    @property
    def message(self) -> str:
        return _("PDF quá dài: %(pages)s trang (tối đa %(limit)s trang)", pages=self.pages, limit=self.limit)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.parts: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._in_title:
            return  # a title holds text only: a stray (unclosed) <svg> there must not hide the body
        if tag in _SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._in_title and tag != "title":
            return
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str]:
    """(title, text) of an HTML page, without scripts, styles and navigation."""
    p = _TextExtractor()
    p.feed(html)
    p.close()
    lines = [" ".join(line.split()) for line in "".join(p.parts).splitlines()]
    return " ".join(p.title.split()), "\n".join(line for line in lines if line)


def pdf_to_text(data: bytes) -> str:
    """The text of a PDF's pages; :class:`TooManyPages` past :data:`MAX_PDF_PAGES`."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    limit = MAX_PDF_PAGES
    # The page count the file declares refuses a long one before its page tree is walked; the
    # walked count catches a file that understates it.
    try:
        declared = int(reader.trailer["/Root"]["/Pages"]["/Count"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError, AttributeError):
        declared = 0
    if declared > limit:
        raise TooManyPages(declared, limit)
    pages = len(reader.pages)
    if pages > limit:
        raise TooManyPages(pages, limit)
    return "\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "cp1258", "latin-1"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")  # pragma: no cover - latin-1 never fails


def looks_binary(data: bytes, sample: int = 8192) -> bool:
    """True for bytes that are not text, whatever the upload claims (NUL bytes, or < 90 % printable).

    >>> looks_binary("Giá xăng giảm. Từ 15h.".encode()), looks_binary(bytes(range(256)))
    (False, True)
    """
    head = data[:sample]
    if not head:
        return False
    if b"\x00" in head:
        return True
    text = head.decode("utf-8", "ignore") if _utf8_prefix(head) else head.decode("cp1258", "replace")
    if not text:
        return True
    printable = sum(1 for ch in text if (ch.isprintable() and ch != "\ufffd") or ch in "\n\r\t\f")
    return printable / len(text) < 0.9


def _utf8_prefix(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # only a character cut at the sample's end
    return True


def extract_text(filename: str, data: bytes, content_type: str = "") -> tuple[str, str]:
    """(title, text) from an uploaded file, by extension or content type (txt, md, html, pdf)."""
    suffix = PurePath(filename).suffix.lower()
    stem = PurePath(filename).stem or filename
    if suffix == ".pdf" or content_type == "application/pdf" or data[:5] == b"%PDF-":
        return stem, pdf_to_text(data)
    if suffix in (".html", ".htm") or "html" in content_type:
        title, text = html_to_text(_decode(data))
        return title or stem, text
    if suffix in (".txt", ".md", ".text", "") or content_type.startswith("text/"):
        if looks_binary(data):
            raise UnsupportedFile("binary")
        return stem, _decode(data)
    raise UnsupportedFile(suffix or content_type)


def split_into_passages(text: str) -> list[str]:
    """Evidence passages, with the engine's splitter."""
    return split_passages(text)


@dataclass
class ImportOutcome:
    document: models.Document | None
    duplicate: bool = False
    error: str | None = None


def store_document(
    session: Session,
    title: str,
    text: str,
    *,
    url: str | None = None,
    publisher: str | None = None,
    kind: str = "article",
) -> ImportOutcome:
    """Store a Document and its passages; a document already in the library is reported, not doubled."""
    text = normalise(text)
    if not text.strip():
        return ImportOutcome(None, error=_("Không có văn bản"))
    digest = content_hash(text)
    existing = session.scalar(select(models.Document).where(models.Document.content_hash == digest))
    if existing is not None:
        return ImportOutcome(existing, duplicate=True)
    doc = models.Document(
        title=(normalise(title) or text[:80])[:500],
        url=url,
        publisher=publisher or None,
        kind=kind,
        text=text,
        content_hash=digest,
    )
    doc.passages = [models.Passage(position=i, text=p) for i, p in enumerate(split_into_passages(text))]
    session.add(doc)
    session.flush()
    return ImportOutcome(doc)


@dataclass
class Fetched:
    url: str
    title: str = ""
    text: str = ""
    error: str | None = None


def fetch_urls(urls: list[str], *, max_bytes: int, timeout: float = 10.0) -> list[Fetched]:
    """Fetch each URL through ``safe_fetch`` (public http(s) addresses only, size cap, deadline);
    failures reported per URL."""
    out: list[Fetched] = []
    for url in urls:
        try:
            resp = safe_fetch(url, max_bytes=max_bytes, timeout=timeout)
            if resp.status_code >= 400:
                out.append(Fetched(url, error=f"HTTP {resp.status_code}"))
                continue
            ctype = resp.content_type
            name = PurePath(httpx.URL(resp.url).path or "/").name or "index.html"
            if "html" in ctype and not name.endswith((".html", ".htm")):
                name += ".html"
            title, text = extract_text(name, resp.content, ctype)
            out.append(Fetched(url, title, text))
        except TooManyPages as exc:
            out.append(Fetched(url, error=exc.message))
        except UnsupportedFile:
            out.append(Fetched(url, error=_("Định dạng không hỗ trợ")))
        except FetchError as exc:
            out.append(Fetched(url, error=str(exc)))
        except Exception as exc:  # a broken PDF must not stop the rest of the list
            out.append(Fetched(url, error=_("Không đọc được: %(name)s", name=type(exc).__name__)))
    return out
