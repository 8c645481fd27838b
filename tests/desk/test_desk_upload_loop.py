"""Slow desk work runs off the event loop: a real uvicorn server keeps answering /healthz while a
large upload is processed, a picture is read (decoding, PDQ, OCR) or a corrected reading is matched."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from io import BytesIO
from typing import Any

import httpx
import pytest
from deskutil import PASSWORD
from PIL import Image, ImageDraw
from sqlalchemy import select

from kiemchung.desk.library import UnsupportedFile, extract_text, html_to_text
from kiemchung.media import web as media_web
from kiemchung.store import session_scope
from kiemchung.store.models import FactCheck, FactCheckImage, FactCheckStatus, MediaImage, Verdict
from liveserver import serve_in_thread


@pytest.fixture()
def live_server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serve_in_thread(app) as url:
        yield url


def _logged_in(base: str) -> tuple[httpx.Client, str]:
    import re

    c = httpx.Client(base_url=base, timeout=120)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/desk/login").text)
    assert token
    r = c.post(
        "/desk/login",
        data={"email": "editor@test.vn", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert r.status_code in (200, 303)
    return c, token.group(1)


def big_text(paragraphs: int) -> bytes:
    """Distinct Vietnamese paragraphs, so every passage is new work for the importer."""
    lines = [
        f"Đoạn {i}: Ủy ban phường {i % 97} thông báo lịch tiêm chủng đợt {i} cho trẻ dưới {i % 6 + 1} "
        f"tuổi, mang theo sổ tiêm và giấy tờ tùy thân; thời gian từ {i % 12 + 7} giờ sáng."
        for i in range(paragraphs)
    ]
    return "\n\n".join(lines).encode()


def test_healthz_answers_while_a_large_upload_is_processed(live_server: str) -> None:
    client, token = _logged_in(live_server)
    data = big_text(int(os.environ.get("KIEMCHUNG_TEST_UPLOAD_PARAGRAPHS", "4000")))
    result: dict[str, float] = {}

    def upload() -> None:
        t0 = time.perf_counter()
        r = client.post(
            "/desk/library/upload",
            data={"csrf_token": token, "publisher": "", "kind": "article"},
            files={"files": ("lich-tiem.txt", data, "text/plain")},
        )
        result["status"] = r.status_code
        result["seconds"] = time.perf_counter() - t0

    worker = threading.Thread(target=upload)
    worker.start()
    time.sleep(0.3)  # the upload is in flight
    worst = 0.0
    probes = 0
    with httpx.Client(base_url=live_server, timeout=60) as probe:
        while worker.is_alive() and probes < 400:
            t0 = time.perf_counter()
            assert probe.get("/healthz").status_code == 200
            worst = max(worst, time.perf_counter() - t0)
            probes += 1
            time.sleep(0.05)
    worker.join(timeout=300)
    print(
        f"upload {result.get('seconds', 0):.1f} s, worst /healthz {worst * 1000:.0f} ms over {probes} probes"
    )
    assert result.get("status") in (200, 303)
    assert result["seconds"] > 1.0, "the upload was too quick to show anything; raise its size"
    assert probes >= 3
    # A blocked event loop holds /healthz for (nearly) the whole upload. On a machine busy with other
    # tests one probe can wait a few seconds for a core, so the bound scales with the upload's length.
    bound = max(2.0, 0.3 * result["seconds"])
    assert worst < bound, f"/healthz took {worst:.2f} s during a {result['seconds']:.1f} s upload"


def _worst_healthz_during(base: str, request: Callable[[], httpx.Response]) -> tuple[int, float, float]:
    """(status of ``request``, its seconds, the slowest /healthz answered meanwhile)."""
    result: dict[str, float] = {}

    def run() -> None:
        t0 = time.perf_counter()
        result["status"] = request().status_code
        result["seconds"] = time.perf_counter() - t0

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.3)
    worst = 0.0
    with httpx.Client(base_url=base, timeout=60) as probe:
        while worker.is_alive():
            t0 = time.perf_counter()
            assert probe.get("/healthz").status_code == 200
            worst = max(worst, time.perf_counter() - t0)
            time.sleep(0.05)
    worker.join(timeout=120)
    return int(result["status"]), result["seconds"], worst


def _slowed(func: Callable[..., Any], seconds: float) -> Callable[..., Any]:
    """``func`` that first blocks its thread, as OCR of a big picture or a wait for the SQLite lock does."""

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return func(*args, **kwargs)

    return slow


def _picture() -> bytes:
    img = Image.new("RGB", (320, 200), (240, 240, 230))
    ImageDraw.Draw(img).text((20, 80), "Thong bao nghi hoc", fill=(10, 10, 10))
    buf = BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("action", ["attach", "ocr"])
def test_healthz_answers_while_a_picture_is_read_or_matched(
    live_server: str, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    # Long enough that a probe waiting a second or two for a core on a busy test machine stays well
    # under the half-block bound, while a blocked loop would hold /healthz for the whole block.
    block = 6.0
    with session_scope() as s:
        fc = FactCheck(
            slug="nghi-hoc",
            claim_reviewed="Trường nghỉ học cả tuần",
            verdict=Verdict.false,
            status=FactCheckStatus.draft,
        )
        image = MediaImage(sha256="cd" * 32, ext="png", width=1, height=1, pdq="0" * 64, pdq_quality=0)
        s.add_all([fc, image])
        s.flush()
        fc_id, image_id = fc.id, image.id
    client, token = _logged_in(live_server)
    if action == "attach":
        monkeypatch.setattr(media_web, "save_image", _slowed(media_web.save_image, block))

        def send() -> httpx.Response:
            return client.post(
                f"/desk/fact-checks/{fc_id}/images",
                data={"csrf_token": token, "alt_text": "Ảnh thông báo"},
                files={"image": ("thong-bao.png", _picture(), "image/png")},
            )
    else:
        monkeypatch.setattr(media_web, "_matches", _slowed(media_web._matches, block))

        def send() -> httpx.Response:
            return client.post(
                f"/desk/images/{image_id}/ocr", data={"csrf_token": token, "ocr_text": "Trường nghỉ học"}
            )

    status, seconds, worst = _worst_healthz_during(live_server, send)
    assert status in (200, 303) and seconds >= block
    # On the event loop the blocked work would hold /healthz for about ``block`` seconds.
    assert worst < block / 2, f"/healthz took {worst:.2f} s during a {seconds:.1f} s {action}"
    with session_scope() as s:  # the work itself was done
        if action == "attach":
            assert s.scalars(select(FactCheckImage).where(FactCheckImage.fact_check_id == fc_id)).first()
        else:
            stored = s.get(MediaImage, image_id)
            assert stored is not None and stored.ocr_edited and stored.ocr_text == "Trường nghỉ học"


def test_binary_bytes_sent_as_text_are_refused_not_imported(client_for) -> None:
    c, token = client_for("editor")
    noise = os.urandom(200_000)
    with pytest.raises(UnsupportedFile):
        extract_text("du-lieu.txt", noise, "text/plain")
    t0 = time.perf_counter()
    r = c.post(
        "/desk/library/upload",
        data={"csrf_token": token},
        files={"files": ("du-lieu.txt", noise, "text/plain")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert time.perf_counter() - t0 < 10
    page = c.get("/desk/library").text
    assert "du-lieu.txt" in page and "Tệp không phải văn bản" in page


def test_unclosed_svg_in_the_title_keeps_the_text() -> None:
    title, text = html_to_text(
        "<html><head><title>Thông báo <svg viewBox='0 0 1 1'><path d='M0 0'></title></head>"
        "<body><p>Trường học nghỉ thứ Hai do bão.</p><svg><text>biểu tượng</text></svg>"
        "<p>Học sinh học bù vào thứ Bảy.</p></body></html>"
    )
    assert title == "Thông báo"
    assert text == "Trường học nghỉ thứ Hai do bão.\nHọc sinh học bù vào thứ Bảy."
