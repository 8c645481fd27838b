"""Desk pages in Vietnamese and English: flash messages translated when shown, human field names."""

from __future__ import annotations

import re

from deskutil import csrf_of
from fastapi.testclient import TestClient

FORM = {
    "claim_reviewed": "Uống trà gừng chữa khỏi cúm trong một ngày",
    "claim_text": "Trà gừng chữa cúm",
    "verdict": "false",
    "summary": "Sai.",
    "body": "Không có bằng chứng.",
    "topics": "Y tế",
    "cit_document_id": "",
    "cit_passage_id": "",
    "cit_url": "https://moh.gov.vn/cum",
    "cit_title": "Bộ Y tế",
    "cit_quote": "Cúm cần được điều trị theo hướng dẫn.",
}


def test_wrong_password_message_in_each_language(app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver") as c:
        for lang, wanted, other in [
            ("vi", "Email hoặc mật khẩu không đúng", "Wrong e-mail or password"),
            ("en", "Wrong e-mail or password", "Email hoặc mật khẩu không đúng"),
        ]:
            token = csrf_of(c, f"/desk/login?lang={lang}")
            r = c.post(
                f"/desk/login?lang={lang}",
                data={"email": "editor@test.vn", "password": "sai-mat-khau-roi", "csrf_token": token},
            )
            assert wanted in r.text and other not in r.text and f'<html lang="{lang}">' in r.text


def test_flash_is_stored_as_an_id_and_shown_in_the_next_pages_language(client_for) -> None:  # type: ignore[no-untyped-def]
    c, token = client_for("editor")
    r = c.post("/desk/fact-checks/new", data={"csrf_token": token, **FORM}, follow_redirects=False)
    assert r.status_code == 303
    assert c.cookies.get("kiemchung_session")  # the message waits in the session, as an id
    page = c.get(r.headers["location"] + "?lang=en").text
    assert "Draft saved" in page and "Đã lưu bản nháp" not in page
    assert " / " not in re.sub(r"<[^>]+>", "", page.split('class="flash', 1)[-1].split("</", 1)[0])


def test_history_and_indicators_show_names_not_fields(client_for) -> None:  # type: ignore[no-untyped-def]
    c, token = client_for("editor")
    r = c.post("/desk/fact-checks/new", data={"csrf_token": token, **FORM}, follow_redirects=False)
    fid = int(r.headers["location"].rsplit("/", 1)[1])
    edit = c.get(f"/desk/fact-checks/{fid}/edit").text
    version = re.search(r'name="version" value="(\d+)"', edit)
    assert version
    r = c.post(
        f"/desk/fact-checks/{fid}/edit",
        data={"csrf_token": token, **FORM, "summary": "Sai hoàn toàn.", "version": version.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    vi = c.get(f"/desk/fact-checks/{fid}/history").text
    en = c.get(f"/desk/fact-checks/{fid}/history?lang=en").text
    assert '<h3 class="small">Tóm tắt</h3>' in vi and '<h3 class="small">Summary</h3>' in en
    assert ">summary<" not in vi + en and ">claim_reviewed<" not in vi + en
    assert ">in_review<" not in vi + en and "Bản nháp" in vi and "Draft" in en
    ind = c.get("/desk/indicators?lang=en").text
    assert ">Domain</option>" in ind and ">Phone number</option>" in ind and ">domain</option>" not in ind
