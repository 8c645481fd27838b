"""safe_fetch against a real HTTP server on 127.0.0.1: refused by default, allowed by the operator's
allow-list, and never redirected from an allowed host to another local address."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiemchung.net import Allowance, FetchError, blocked_address, check_host, safe_fetch
from kiemchung.settings import get_settings


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        port = self.server.server_address[1]
        if self.path == "/ok":
            self._send(200, "Thông cáo báo chí".encode(), {"Content-Type": "text/plain; charset=utf-8"})
        elif self.path == "/to-loopback":
            self._send(302, headers={"Location": f"http://127.0.0.1:{port}/ok"})
        elif self.path == "/relative":
            self._send(301, headers={"Location": "/ok"})
        elif self.path == "/loop":
            self._send(302, headers={"Location": "/loop"})
        elif self.path == "/to-metadata":
            self._send(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        elif self.path == "/to-file":
            self._send(302, headers={"Location": "file:///etc/passwd"})
        elif self.path == "/big-declared":
            self._send(200, b"x" * 5000)
        elif self.path == "/big-undeclared":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            for _ in range(50):
                self.wfile.write(b"y" * 1000)
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            for _ in range(40):  # a byte every 0.1 s: each read is quick, the whole is not
                self.wfile.write(b"z")
                self.wfile.flush()
                time.sleep(0.1)
        elif self.path == "/missing":
            self._send(404, b"no")
        else:
            self._send(500)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


LOCAL = Allowance.of(["127.0.0.1"])


def test_local_server_refused_by_default(server: str) -> None:
    with pytest.raises(FetchError, match="bị từ chối") as exc:
        safe_fetch(f"http://{server}/ok", max_bytes=1000, allow=Allowance())
    assert exc.value.kind == "address"


def test_a_name_resolving_to_loopback_is_refused_at_connect_time(server: str) -> None:
    port = server.split(":")[1]
    with pytest.raises(FetchError, match=r"localhost.*127\.0\.0\.1|localhost.*::1"):
        safe_fetch(f"http://localhost:{port}/ok", max_bytes=1000, allow=Allowance())


def test_allow_listed_host_and_network_are_fetched(server: str) -> None:
    r = safe_fetch(f"http://{server}/ok", max_bytes=1000, allow=LOCAL)
    assert (r.status_code, r.text, r.content_type) == (200, "Thông cáo báo chí", "text/plain; charset=utf-8")
    by_net = safe_fetch(
        f"http://{server}/relative", max_bytes=1000, allow=Allowance.of(networks=["127.0.0.0/8"])
    )
    assert by_net.url.endswith("/ok") and by_net.text == "Thông cáo báo chí"
    assert safe_fetch(f"http://{server}/missing", max_bytes=1000, allow=LOCAL).status_code == 404


def test_allow_list_comes_from_settings(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIEMCHUNG_FETCH_ALLOW_HOSTS", '["127.0.0.1"]')
    get_settings.cache_clear()
    try:
        assert safe_fetch(f"http://{server}/ok", max_bytes=1000).status_code == 200
    finally:
        monkeypatch.delenv("KIEMCHUNG_FETCH_ALLOW_HOSTS")
        get_settings.cache_clear()
    with pytest.raises(FetchError, match="bị từ chối"):
        safe_fetch(f"http://{server}/ok", max_bytes=1000)


def test_redirect_from_allowed_host_to_loopback_is_refused(server: str) -> None:
    port = server.split(":")[1]
    allowed_name = Allowance.of(["localhost"])  # the operator trusts this name, not 127.0.0.1 itself
    assert safe_fetch(f"http://localhost:{port}/ok", max_bytes=1000, allow=allowed_name).status_code == 200
    with pytest.raises(FetchError, match="bị từ chối") as exc:
        safe_fetch(f"http://localhost:{port}/to-loopback", max_bytes=1000, allow=allowed_name)
    assert "127.0.0.1" in str(exc.value)


def test_redirects_to_metadata_or_other_schemes_and_loops_are_refused(server: str) -> None:
    with pytest.raises(FetchError, match=r"169\.254\.169\.254"):
        safe_fetch(f"http://{server}/to-metadata", max_bytes=1000, allow=LOCAL)
    with pytest.raises(FetchError) as scheme:
        safe_fetch(f"http://{server}/to-file", max_bytes=1000, allow=LOCAL)
    assert scheme.value.kind == "scheme"
    with pytest.raises(FetchError) as loop:
        safe_fetch(f"http://{server}/loop", max_bytes=1000, allow=LOCAL, max_redirects=3)
    assert loop.value.kind == "redirects"


def test_oversize_bodies_are_cut_off(server: str) -> None:
    for path in ("/big-declared", "/big-undeclared"):
        with pytest.raises(FetchError, match="Quá lớn") as exc:
            safe_fetch(f"http://{server}{path}", max_bytes=1000, allow=LOCAL)
        assert exc.value.kind == "too_large"
    assert len(safe_fetch(f"http://{server}/big-undeclared", max_bytes=60_000, allow=LOCAL).content) == 50_000


def test_slow_body_hits_the_total_deadline(server: str) -> None:
    start = time.monotonic()
    with pytest.raises(FetchError, match="Hết thời gian chờ") as exc:
        safe_fetch(f"http://{server}/slow", max_bytes=1000, allow=LOCAL, timeout=1.0)
    assert exc.value.kind == "timeout" and time.monotonic() - start < 3.0


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.example.org/a",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "khong-phai-url",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://10.0.0.1/",
        "http://metadata.google.internal/",
    ],
)
def test_bad_urls_refused_before_any_connection(url: str) -> None:
    with pytest.raises(FetchError):
        safe_fetch(url, max_bytes=10, allow=Allowance(), timeout=2.0)


def test_address_rules() -> None:
    for a in (
        "127.0.0.1",
        "10.0.0.8",
        "172.16.5.4",
        "192.168.1.1",
        "100.64.0.1",
        "169.254.169.254",
        "224.0.0.1",
        "240.0.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fd00:ec2::254",
        "::ffff:10.0.0.1",
    ):
        assert blocked_address(a), a
    for a in ("8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"):
        assert not blocked_address(a), a


def test_check_host_judges_every_resolved_address(monkeypatch: pytest.MonkeyPatch) -> None:
    # A name with one public and one private address is refused: the client could pick either.
    def fake(host: str, port: int, *a: object, **k: object) -> list[tuple[object, ...]]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in ("93.184.215.14", "10.1.1.1")
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with pytest.raises(FetchError, match=r"10\.1\.1\.1"):
        check_host("mixed.example.org", 443, Allowance())
    assert check_host("mixed.example.org", 443, Allowance.of(networks=["10.1.0.0/16"])) == "93.184.215.14"
    assert check_host("feeds.example.org", 443, Allowance.of([".example.org"])) == "feeds.example.org"


def test_unresolvable_name_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match="Không phân giải được"):
        check_host("khong-ton-tai.invalid", 80, Allowance())


# Every server-side fetch goes through safe_fetch: the reference library, scam feeds, URL intake.


def test_library_url_import_refuses_local_addresses(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiemchung.desk.library import fetch_urls

    got = fetch_urls([f"http://{server}/ok", "ftp://x.example/a", f"http://{server}/missing"], max_bytes=1000)
    assert "bị từ chối" in (got[0].error or "") and "http(s)" in (got[1].error or "")
    monkeypatch.setenv("KIEMCHUNG_FETCH_ALLOW_NETWORKS", '["127.0.0.0/8"]')
    get_settings.cache_clear()
    try:
        ok, _, missing = fetch_urls(
            [f"http://{server}/ok", "ftp://x.example/a", f"http://{server}/missing"], max_bytes=1000
        )
        big = fetch_urls([f"http://{server}/big-declared"], max_bytes=100)[0]
    finally:
        monkeypatch.delenv("KIEMCHUNG_FETCH_ALLOW_NETWORKS")
        get_settings.cache_clear()
    assert (ok.error, ok.text) == (None, "Thông cáo báo chí")
    assert missing.error == "HTTP 404" and "Quá lớn" in (big.error or "")


def test_scam_feed_refresh_refuses_local_addresses(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiemchung.scam.blocklist import read_source

    with pytest.raises(FetchError, match="bị từ chối"):
        read_source(url=f"http://{server}/ok")
    monkeypatch.setenv("KIEMCHUNG_FETCH_ALLOW_HOSTS", '["127.0.0.1"]')
    get_settings.cache_clear()
    try:
        assert read_source(url=f"http://{server}/ok") == "Thông cáo báo chí"
        with pytest.raises(FetchError, match="HTTP 404"):
            read_source(url=f"http://{server}/missing")
    finally:
        monkeypatch.delenv("KIEMCHUNG_FETCH_ALLOW_HOSTS")
        get_settings.cache_clear()


def test_settings_reject_a_malformed_network(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from kiemchung.settings import Settings

    with pytest.raises(ValidationError):
        Settings(_env_file=None, fetch_allow_networks=["10.0.0.0/33"])  # type: ignore[call-arg]
