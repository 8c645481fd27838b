"""The desk's image tools: attach the viral picture to a fact-check (stripped, public only once
published), read a picture beside its OCR text, correct the reading and match again."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from io import BytesIO

from fastapi.testclient import TestClient
from PIL import Image, ImageDraw
from sqlalchemy import select

from kiemchung.store import session_scope
from kiemchung.store.models import FactCheck, FactCheckImage, FactCheckStatus, MediaImage, Verdict

CLAIM = "Chợ nổi Cái Răng bị cấm họp từ mùng 1 Tết năm sau"
Client = Callable[[str], tuple[TestClient, str]]


def _picture() -> bytes:
    img = Image.new("RGB", (320, 200), (30, 120, 200))
    d = ImageDraw.Draw(img)
    for i in range(0, 320, 20):
        d.line((i, 0, 320 - i, 200), fill=(250, 200 - i // 2, i // 2), width=5)
    exif = Image.Exif()
    exif[0x013B] = "Photographer Name"
    buf = BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def _fact_check(status: FactCheckStatus) -> int:
    with session_scope() as s:
        fc = FactCheck(
            slug="cho-noi",
            claim_reviewed=CLAIM,
            verdict=Verdict.false,
            status=status,
            published_at=datetime(2026, 10, 1) if status == FactCheckStatus.published else None,
        )
        s.add(fc)
        s.flush()
        return fc.id


def test_editor_attaches_a_picture_public_once_published(client_for: Client) -> None:
    fc_id = _fact_check(FactCheckStatus.draft)
    editor, csrf = client_for("editor")
    r = editor.post(
        f"/desk/fact-checks/{fc_id}/images",
        data={"csrf_token": csrf, "alt_text": "Ảnh chụp tấm biển giả"},
        files={"image": ("bien.jpg", _picture(), "image/jpeg")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with session_scope() as s:
        link = s.scalars(select(FactCheckImage)).one()
        image_id, alt = link.image_id, link.alt_text
    assert alt == "Ảnh chụp tấm biển giả"
    page = html.unescape(editor.get(f"/desk/fact-checks/{fc_id}").text)
    assert f"/desk/images/{image_id}" in page and 'alt="Ảnh chụp tấm biển giả"' in page
    stored = editor.get(f"/desk/images/{image_id}")
    assert stored.status_code == 200 and b"Photographer" not in stored.content
    assert editor.get(f"/anh/{image_id}").status_code == 404  # a draft's picture is not public
    with session_scope() as s:
        fc = s.get(FactCheck, fc_id)
        assert fc is not None
        fc.status, fc.published_at = FactCheckStatus.published, datetime(2026, 10, 2)
    assert editor.get(f"/anh/{image_id}").status_code == 200
    # detaching removes it from the public page
    r = editor.post(
        f"/desk/fact-checks/{fc_id}/images/{image_id}/detach",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and editor.get(f"/anh/{image_id}").status_code == 404


def test_not_an_image_is_refused_with_a_message(client_for: Client) -> None:
    fc_id = _fact_check(FactCheckStatus.draft)
    editor, csrf = client_for("editor")
    r = editor.post(
        f"/desk/fact-checks/{fc_id}/images",
        data={"csrf_token": csrf},
        files={"image": ("x.jpg", b"MZ\x90\x00 not a picture", "image/jpeg")},
    )
    assert r.status_code == 200 and "Tệp không phải ảnh JPEG" in html.unescape(r.text)
    with session_scope() as s:
        assert s.scalars(select(MediaImage)).first() is None


def test_editor_corrects_the_reading_and_matching_runs_again(client_for: Client) -> None:
    _fact_check(FactCheckStatus.published)
    with session_scope() as s:
        image = MediaImage(
            sha256="ab" * 32,
            ext="jpg",
            width=10,
            height=10,
            pdq="0" * 64,
            pdq_quality=0,
            ocr_text="Ch ợ n ổi",
        )
        s.add(image)
        s.flush()
        image_id = image.id
    viewer, vcsrf = client_for("viewer")
    assert viewer.get(f"/desk/images/{image_id}/view").status_code == 200
    denied = viewer.post(f"/desk/images/{image_id}/ocr", data={"csrf_token": vcsrf, "ocr_text": "x"})
    assert denied.status_code == 403
    editor, csrf = client_for("editor")
    r = editor.post(
        f"/desk/images/{image_id}/ocr", data={"csrf_token": csrf, "ocr_text": f"Nghe nói {CLAIM.lower()}"}
    )
    assert r.status_code == 200
    page = html.unescape(r.text)
    assert "Biên tập viên đã sửa" in page and CLAIM in page  # the corrected text now finds the check
    with session_scope() as s:
        saved = s.get(MediaImage, image_id)
        assert saved is not None and saved.ocr_edited and "cái răng" in (saved.ocr_text or "")
    listing = html.unescape(editor.get("/desk/images").text)
    assert "đã sửa" in listing and f"/desk/images/{image_id}/view" in listing


def test_no_file_chosen_is_a_message_not_an_error(client_for: Client) -> None:
    # A browser sends an empty, unnamed file part when the editor submits without choosing a picture.
    fc_id = _fact_check(FactCheckStatus.draft)
    editor, csrf = client_for("editor")
    r = editor.post(
        f"/desk/fact-checks/{fc_id}/images",
        data={"csrf_token": csrf, "alt_text": "Ảnh"},
        files={"image": ("", b"", "application/octet-stream")},
    )
    assert r.status_code == 200 and "Chưa chọn ảnh" in html.unescape(r.text)
    with session_scope() as s:
        assert s.scalars(select(MediaImage)).first() is None
