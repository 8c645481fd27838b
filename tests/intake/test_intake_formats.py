"""CSV (Facebook-export columns), RSS/Atom from local files, URL fetch, the CLI."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from kiemchung.cli import app
from kiemchung.intake import IntakeError, ingest_path
from kiemchung.intake.adapters import guess_format, html_to_text
from kiemchung.store.db import session_scope
from kiemchung.store.models import Item, ItemKind, Source, SourceKind

CROWDTANGLE = (
    "Page Name,User Name,Facebook Id,Page Category,Likes at Posting,Post Created,Type,Likes,Comments,Shares,"
    "Love,URL,Message,Link,Description\n"
    'Trang Tin Nóng,tin.nong.247,100012345678,NEWS_SITE,"1,234,567",2020-04-03 20:15:00 EDT,Status,1.2K,"3,4K",56,'
    '7,https://www.facebook.com/tin.nong.247/posts/999,"Tin nóng: xăng giảm giá 3.000 đồng, từ 15h chiều nay.",,\n'
    "Trang Tin Nóng,tin.nong.247,100012345678,NEWS_SITE,1200,2020-04-04 08:00:00 EDT,Status,,unknown,,"
    ',https://www.facebook.com/tin.nong.247/posts/1000,"Dòng một\nDòng hai của cùng bài",,\n'
)
GRAPH = "id;from_name;from_id;post_message;created_time;reactions;shares\n1;Ai Đó;42;Cảnh báo lừa đảo qua Zalo;2020-04-03T10:00:00+0000;12;3\n"


def test_csv_crowdtangle_export(configured: str, tmp_path: Path) -> None:
    path = tmp_path / "fb-export.csv"
    path.write_text(CROWDTANGLE, encoding="utf-8")
    report = ingest_path(str(path), progress=False, run_engine=False)
    assert (report.stored, report.rejected) == (2, [])
    with session_scope(configured) as s:
        items = {i.external_id: i for i in s.scalars(select(Item))}
        rows = s.scalars(select(Item).order_by(Item.id)).all()
    first, second = rows
    assert first.text == "Tin nóng: xăng giảm giá 3.000 đồng, từ 15h chiều nay."
    assert (first.likes, first.comments, first.shares) == (1200, 3400, 56)
    assert first.published_at is not None and first.published_at.hour == 0  # 20:15 EDT = 00:15 UTC
    assert first.url is None  # unregistered source
    assert second.text == "Dòng một\nDòng hai của cùng bài"
    assert (second.likes, second.comments) == (0, 0)
    assert not items.get("100012345678")
    with session_scope(configured) as s:
        everything = " ".join(str(v) for i in s.scalars(select(Item)) for v in vars(i).values())
    for author in ("tin.nong.247", "100012345678", "Trang Tin Nóng"):
        assert author not in everything


def test_csv_graph_export_semicolon(configured: str, tmp_path: Path) -> None:
    path = tmp_path / "graph.csv"
    path.write_text(GRAPH, encoding="utf-8")
    report = ingest_path(str(path), progress=False, run_engine=False)
    assert report.stored == 1
    with session_scope(configured) as s:
        item = s.scalars(select(Item)).one()
    assert (item.text, item.reactions, item.shares, item.external_id) == (
        "Cảnh báo lừa đảo qua Zalo",
        12,
        3,
        "1",
    )


def test_csv_bad_rows_reported_by_line(configured: str, tmp_path: Path) -> None:
    data = (
        "id,text,likes\n1,Tin một,3\n".encode()  # line 2 ok
        + b"2,h\xff\xfeng,4\n"  # line 3 invalid UTF-8
        + b"3,,5\n"  # line 4 missing text
        + '4,"nhiều\ndòng",6\n'.encode()  # lines 5-6: one record
        + b"5,a,b,c,d\n"  # line 7 too many columns
        + "6,Tin số sáu,\n".encode()  # line 8 ok
    )
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    report = ingest_path(str(path), progress=False, run_engine=False)
    assert report.stored == 3
    assert [line for line, _ in report.rejected] == [3, 4, 7]
    assert "UTF-8" in report.rejected[0][1]
    with session_scope(configured) as s:
        assert set(s.scalars(select(Item.text))) == {"Tin một", "nhiều\ndòng", "Tin số sáu"}


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Báo X</title>
<item><title>Giá xăng giảm từ 15h</title><link>https://baox.vn/gia-xang-1.html</link>
<guid>baox-1</guid><dc:creator>Phóng viên Nguyễn A</dc:creator><author>pv@baox.vn (Nguyễn A)</author>
<description>&lt;p&gt;Giá xăng &lt;b&gt;giảm&lt;/b&gt; 500 đồng&lt;/p&gt;</description>
<pubDate>Fri, 03 Apr 2020 13:00:00 +0700</pubDate></item>
<item><title>Chỉ có tiêu đề</title><link>https://baox.vn/2.html</link></item>
</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Bộ Y tế</title><id>urn:x</id><updated>2020-04-03T00:00:00Z</updated>
<entry><title>Khuyến cáo phòng dịch</title><id>urn:e1</id><updated>2020-04-03T06:00:00Z</updated>
<author><name>Ban biên tập</name></author><link href="https://moh.gov.vn/e1"/>
<content type="html">&lt;p&gt;Đeo khẩu trang nơi công cộng.&lt;/p&gt;</content></entry></feed>"""


def test_rss_file_unregistered_drops_urls_and_authors(configured: str, tmp_path: Path) -> None:
    path = tmp_path / "baox.xml"
    path.write_text(RSS, encoding="utf-8")
    report = ingest_path(str(path), progress=False, run_engine=False)
    assert (report.stored, report.rejected) == (2, [])
    with session_scope(configured) as s:
        items = s.scalars(select(Item).order_by(Item.id)).all()
        src = s.scalars(select(Source)).one()
    assert src.kind == SourceKind.feed and not src.registered
    assert items[0].text == "Giá xăng giảm 500 đồng"
    assert items[0].title == "Giá xăng giảm từ 15h"
    assert items[0].kind == ItemKind.article
    assert items[0].published_at is not None and items[0].published_at.hour == 6  # 13:00 +07 = 06:00 UTC
    assert items[1].text == "Chỉ có tiêu đề"
    assert all(i.url is None for i in items)
    blob = " ".join(str(v) for i in items for v in vars(i).values())
    assert "Nguyễn A" not in blob and "pv@baox.vn" not in blob


def test_atom_file_registered_source_keeps_links(configured: str, tmp_path: Path) -> None:
    with session_scope(configured) as s:
        s.add(Source(name="Bộ Y tế", kind=SourceKind.official, registered=True))
    path = tmp_path / "moh.atom"
    path.write_text(ATOM, encoding="utf-8")
    report = ingest_path(str(path), source_name="Bộ Y tế", progress=False, run_engine=False)
    assert report.stored == 1
    with session_scope(configured) as s:
        item = s.scalars(select(Item)).one()
    assert (item.text, item.url, item.external_id) == (
        "Đeo khẩu trang nơi công cộng.",
        "https://moh.gov.vn/e1",
        "urn:e1",
    )
    assert "Ban biên tập" not in str(vars(item))


def test_not_a_feed_is_an_intake_error(configured: str, tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text("<html><body>hello</body></html>", encoding="utf-8")
    with pytest.raises(IntakeError):
        ingest_path(str(path), fmt="rss", progress=False, run_engine=False)


@pytest.fixture()
def http_server() -> Iterator[str]:
    pages = {
        "/feed": (RSS.encode(), "application/rss+xml"),
        "/posts": (b'{"text": "Tin qua URL"}\n', "text/plain"),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body, ctype = pages.get(self.path, (b"", ""))
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_url_fetch_feed_and_jsonl(configured: str, http_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiemchung.settings import get_settings

    with pytest.raises(IntakeError, match="bị từ chối"):  # a local address, until the operator allows it
        ingest_path(f"{http_server}/feed", progress=False, run_engine=False)
    monkeypatch.setenv("KIEMCHUNG_FETCH_ALLOW_HOSTS", '["127.0.0.1"]')
    get_settings.cache_clear()
    report = ingest_path(f"{http_server}/feed", progress=False, run_engine=False)
    assert (report.stored, report.source_name) == (2, "import:127.0.0.1/feed")
    assert ingest_path(f"{http_server}/posts", fmt="jsonl", progress=False, run_engine=False).stored == 1
    with pytest.raises(IntakeError, match="404"):
        ingest_path(f"{http_server}/missing", progress=False, run_engine=False)
    monkeypatch.setenv("KIEMCHUNG_MAX_UPLOAD_BYTES", "100")
    get_settings.cache_clear()
    with pytest.raises(IntakeError, match="quá lớn"):
        ingest_path(f"{http_server}/feed", progress=False, run_engine=False)


def test_guess_format_and_html() -> None:
    assert guess_format("a.csv", b"") == "csv"
    assert guess_format("https://x.vn/rss", b"", "application/rss+xml; charset=utf-8") == "rss"
    assert guess_format("dump", b'  {"text": 1}') == "jsonl"
    assert html_to_text("<script>alert(1)</script>Tin<br/>mới") == "Tin\nmới"


def test_cli_ingest_summary_errors_file_and_exit_codes(configured: str, tmp_path: Path) -> None:
    runner = CliRunner()
    path = tmp_path / "p.jsonl"
    path.write_bytes(b'{"text": "Tin A", "user_name": "ai"}\n{oops\n{"text": "Tin B"}\n')
    errors = tmp_path / "errors.jsonl"
    res = runner.invoke(app, ["ingest", str(path), "--no-engine", "--errors", str(errors), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "Đã lưu: 2" in res.output and "bị loại: 1" in res.output and "dòng 2" in res.output
    assert [json.loads(x)["line"] for x in errors.read_text().splitlines()] == [2]
    again = runner.invoke(app, ["ingest", str(path), "--no-engine"])
    assert again.exit_code == 0 and "trùng lặp: 2" in again.output
    assert runner.invoke(app, ["ingest", str(tmp_path / "missing.jsonl"), "--no-engine"]).exit_code == 1
    junk = tmp_path / "junk.jsonl"
    junk.write_bytes(b"{nope\n[1]\n")
    assert runner.invoke(app, ["ingest", str(junk), "--no-engine"]).exit_code == 1


def test_cli_ingest_refuses_an_internal_address(configured: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``kiemchung ingest <URL>`` of a loopback address not on the allow-list: a clear error, exit 1,
    and no request ever reaches the address."""
    from kiemchung.settings import get_settings

    requested: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requested.append(self.path)
            body = '{"text": "Tin từ máy nội bộ"}\n'.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/x.jsonl"
    monkeypatch.setenv("KIEMCHUNG_FETCH_ALLOW_HOSTS", '["feeds.example.org"]')  # another host only
    get_settings.cache_clear()
    try:
        res = CliRunner().invoke(app, ["ingest", url, "--no-engine", "--no-progress"])
    finally:
        server.shutdown()
    assert res.exit_code == 1
    assert "Lỗi: Không tải được: Địa chỉ nội bộ bị từ chối: 127.0.0.1" in res.output
    assert requested == []
    with session_scope() as s:
        assert s.scalars(select(Item)).first() is None


def test_engine_hook_runs_when_enabled(
    configured: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import types

    calls: list[int] = []
    fake = types.ModuleType("kiemchung.engine.pipeline")

    def process_pending(
        session: object, *, progress: bool = False, commit_every: int | None = None
    ) -> object:
        assert commit_every  # outside a request the engine commits in small chunks
        calls.append(len(session.scalars(select(Item)).all()))  # type: ignore[attr-defined]
        return None

    fake.process_pending = process_pending  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kiemchung.engine.pipeline", fake)
    path = tmp_path / "p.jsonl"
    path.write_text('{"text": "Tin cho bộ máy"}\n', encoding="utf-8")
    assert ingest_path(str(path), progress=False).engine_ran
    assert calls == [1]
    assert not ingest_path(str(path), progress=False, run_engine=False).engine_ran
    assert calls == [1]


def test_progress_bar_when_asked(configured: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps({"text": f"Tin {i}"}) + "\n" for i in range(50)), encoding="utf-8")
    report = ingest_path(str(path), progress="always", run_engine=False)
    assert report.stored == 50
    err = capsys.readouterr().err
    size = path.stat().st_size
    assert "import:p.jsonl" in err
    assert f"{size}/{size} bytes" in err  # byte-based, and it reached the end of the file
