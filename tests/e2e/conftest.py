"""Browser end-to-end fixtures, shared by every ``tests/e2e/test_e2e_*.py``.

- ``live_db_url``: the server's SQLite URL, for tests that seed rows directly.
- ``live_server``: base URL of a real uvicorn server (a subprocess on a free port) over a temporary
  SQLite database loaded with the demo data (accounts: admin@, bientap@ (editor), kiemduyet@
  (reviewer), xem@ (viewer) ``@demo.kiemchung.vn``, password ``kiemchung-demo``).
- ``browser``: Playwright's Chromium driving Debian's ``/usr/bin/chromium`` (headless).
- ``page``: a fresh browser context and page per test (own cookies), 1280×900.
- ``shot(page, "name")``: saves ``test-artifacts/<folder>/<name>.png``.
- ``smtp_inbox``: a real local SMTP server (aiosmtpd) the live server sends tipster replies to;
  ``smtp_inbox.messages`` holds what it received.

The tests skip, with the reason, when ``/usr/bin/chromium`` or Playwright is missing. The demo load
uses ``KIEMCHUNG_E2E_EMBEDDER`` (default ``none``: lexical matching only, to keep the run short).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
DEMO_PASSWORD = "kiemchung-demo"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """SQLAlchemy URL of the live server's database (tests may add rows to it directly)."""
    return f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'var' / 'kiemchung.db'}"


class SmtpInbox:
    """What the local SMTP server received, parsed (``email.message.EmailMessage``)."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_inbox() -> Iterator[SmtpInbox]:
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    inbox.port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def live_server(live_db_url: str, smtp_inbox: SmtpInbox) -> Iterator[str]:
    """Base URL (no trailing slash) of the app serving a demo database."""
    data = Path(live_db_url.removeprefix("sqlite:///")).parent
    data.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "KIEMCHUNG_SMTP_URL": f"smtp://127.0.0.1:{smtp_inbox.port}",
        "KIEMCHUNG_ENV": "test",
        "KIEMCHUNG_DATA_DIR": str(data),
        "KIEMCHUNG_DATABASE_URL": live_db_url,
        "KIEMCHUNG_EMBEDDER": os.environ.get("KIEMCHUNG_E2E_EMBEDDER", "none"),
        "KIEMCHUNG_LOG_LEVEL": "WARNING",
        # Tests write rows behind the server's back (seeded claims, tips): public pages uncached, so
        # what one test file sees never depends on which page another file visited first.
        "KIEMCHUNG_INCIDENT_CACHE_SECONDS": "0",
        # A real queue consumed by the server's own threads, as `make demo` runs (not `immediate`).
        "KIEMCHUNG_QUEUE_URL": f"sqlite:///{data / 'queue.db'}",
    }
    load = subprocess.run(
        [
            sys.executable,
            "-c",
            "from kiemchung.store import upgrade; from kiemchung.demo.load import load_demo; upgrade(); "
            "load_demo(quiet=True)",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if load.returncode != 0:
        pytest.fail(f"demo load failed:\n{load.stderr[-3000:]}")
    port = _free_port()
    env["KIEMCHUNG_BASE_URL"] = base = f"http://127.0.0.1:{port}"
    log = open(data / "server.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "kiemchung.web.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"server did not start:\n{(data / 'server.log').read_text()[-3000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(15_000)
    p = context.new_page()
    yield p
    context.close()


@pytest.fixture()
def shot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """``shot(page, "01-login")`` -> test-artifacts/<test file stem minus test_e2e_>/01-login.png."""
    folder = ARTIFACTS / Path(str(request.node.fspath)).stem.removeprefix("test_e2e_")
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str, full_page: bool = True) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
