"""Reference library: txt/html/pdf upload, oversize refusal, folded search, document page."""

from __future__ import annotations

import pytest

from kiemchung.desk import library
from kiemchung.desk.library import TooManyPages, extract_text, html_to_text
from kiemchung.net import Response
from kiemchung.store import models, session_scope


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` (ASCII) in Helvetica, built by hand with a correct xref table."""
    return pages_pdf([text])


def pages_pdf(texts: list[str], count: int | None = None) -> bytes:
    """A PDF with one page per text; ``count`` is the page count it declares (the true one if None)."""
    n = len(texts)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {n if count is None else count} >>".encode(),
    ]
    font = 3 + 2 * n
    for i, text in enumerate(texts):
        stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_extractors() -> None:
    title, text = html_to_text(
        "<title>T</title><nav>menu</nav><p>A &amp; B</p><script>alert(1)</script><p>C</p>"
    )
    assert (title, text) == ("T", "A & B\nC")
    assert extract_text("x.pdf", tiny_pdf("Gia xang giam 500 dong"))[1] == "Gia xang giam 500 dong"


def test_upload_txt_html_pdf_and_search_without_diacritics(client_for) -> None:
    c, token = client_for("editor")
    files = [
        (
            "files",
            (
                "thong-bao.txt",
                "Giá xăng RON95 giảm 500 đồng mỗi lít từ 15 giờ chiều nay.".encode(),
                "text/plain",
            ),
        ),
        (
            "files",
            (
                "hoc-phi.html",
                "<html><head><title>Học phí 2026</title></head><body><p>Học phí đại học "
                "công lập tăng tối đa 15%.</p><script>x()</script></body></html>".encode(),
                "text/html",
            ),
        ),
        ("files", ("dien.pdf", tiny_pdf("EVN dieu chinh gia dien binh quan"), "application/pdf")),
        ("files", ("anh.png", b"\x89PNG....", "image/png")),
    ]
    r = c.post("/desk/library/upload", data={"csrf_token": token, "publisher": "Bộ Công Thương"}, files=files)
    assert r.status_code == 200
    assert r.text.count("Đã nhập, 1 đoạn") == 3
    assert "anh.png" in r.text and "Định dạng không hỗ trợ" in r.text
    with session_scope() as s:
        docs = {d.title: d for d in s.query(models.Document)}
        assert set(docs) == {"thong-bao", "Học phí 2026", "dien"}
        assert "x()" not in docs["Học phí 2026"].text
        assert all(d.passages for d in docs.values())
        doc_id = docs["thong-bao"].id
    # a second upload of the same text is reported, not doubled
    r = c.post("/desk/library/upload", data={"csrf_token": token}, files=[files[0]])
    assert "Đã có trong thư viện" in r.text
    # folded search: no-diacritic query finds the diacritic text
    hits = c.get("/desk/library?q=gia+xang+giam").text
    assert "Giá xăng RON95 giảm 500 đồng" in hits
    assert "Học phí" not in hits.split("Đoạn khớp với")[1].split("</section>")[0]
    assert "EVN dieu chinh" in c.get("/desk/library?q=evn").text
    assert "Giá xăng RON95" in c.get(f"/desk/library/{doc_id}").text
    # the citation picker uses the same search
    assert "Dùng đoạn này" in c.get("/desk/library/pick?q=hoc+phi").text


def test_oversize_upload_refused_with_a_page(client_for, monkeypatch) -> None:
    monkeypatch.setenv("KIEMCHUNG_MAX_UPLOAD_BYTES", "2000")
    from kiemchung.settings import get_settings

    get_settings.cache_clear()
    from fastapi.testclient import TestClient

    from kiemchung.web.app import create_app

    with TestClient(create_app()) as c:
        from deskutil import login

        token = login(c, "editor")
        r = c.post(
            "/desk/library/upload",
            data={"csrf_token": token},
            files={"files": ("big.txt", b"a" * 5000, "text/plain")},
            headers={"Accept": "text/html"},
        )
        assert r.status_code == 413
        assert "text/html" in r.headers["content-type"]
        assert "Tệp hoặc nội dung quá lớn" in r.text
    with session_scope() as s:
        assert s.query(models.Document).count() == 0


def test_url_import_reports_failures_per_url(client_for) -> None:
    c, token = client_for("editor")
    r = c.post("/desk/library/urls", data={"csrf_token": token, "urls": "ftp://x.example/a\nkhong-phai-url"})
    assert r.text.count("Không phải địa chỉ http(s)") == 2


def test_a_pdf_over_the_page_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(library, "MAX_PDF_PAGES", 3)
    pages = ["Trang mot", "Trang hai", "Trang ba", "Trang bon"]
    assert extract_text("ba.pdf", pages_pdf(pages[:3]))[1] == "Trang mot\nTrang hai\nTrang ba"
    with pytest.raises(TooManyPages) as exc:
        extract_text("bon.pdf", pages_pdf(pages))
    assert (exc.value.pages, exc.value.limit) == (4, 3)
    # a file that declares fewer pages than it holds is counted by its page tree
    with pytest.raises(TooManyPages):
        extract_text("bon.pdf", pages_pdf(pages, count=1))
    # a PDF fetched from a link list is reported the same way
    pdf = pages_pdf(pages)
    monkeypatch.setattr(
        library,
        "safe_fetch",
        lambda url, **_: Response(url, 200, {"content-type": "application/pdf"}, pdf),
    )
    (fetched,) = library.fetch_urls(["https://tin.example/bon.pdf"], max_bytes=10**6)
    assert fetched.error == "PDF quá dài: 4 trang (tối đa 3 trang)"


def test_upload_of_a_pdf_over_the_page_cap_reports_it(client_for, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(library, "MAX_PDF_PAGES", 3)
    c, token = client_for("editor")
    pdf = pages_pdf([f"Cong bao so {i}" for i in range(5)])
    r = c.post(
        "/desk/library/upload",
        data={"csrf_token": token},
        files=[("files", ("cong-bao.pdf", pdf, "application/pdf"))],
    )
    assert r.status_code == 200 and "PDF quá dài: 5 trang (tối đa 3 trang)" in r.text
    with session_scope() as s:
        assert s.query(models.Document).count() == 0
