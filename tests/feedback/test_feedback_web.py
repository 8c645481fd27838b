"""Feedback pages over HTTP: the public form and API, thread pages, support, Atom, statistics, the desk."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from fastapi.testclient import TestClient

from kiemchung.store import session_scope
from kiemchung.store.models import FeedbackItem

TEXTS = [
    "Đèn đường trong ngõ 7 phố Ví Dụ hỏng cả tuần, buổi tối rất tối và nguy hiểm.",
    "Ngõ 7 phố Ví Dụ mất đèn đường cả tuần nay, buổi tối tối om rất nguy hiểm.",
]


def _send(c: TestClient, csrf: str, text: str, **extra: str):  # type: ignore[no-untyped-def]
    data = {
        "kind": "report",
        "topic": "dien-nuoc",
        "province": "1",
        "ward": "",
        "text": text,
        "csrf_token": csrf,
    }
    return c.post("/gop-y", data=data | extra, follow_redirects=False)


def _thread_id(editor: TestClient) -> int:
    ids = re.findall(r'href="/desk/gop-y/(\d+)"', editor.get("/desk/gop-y").text)
    assert ids
    return int(ids[0])


def test_form_has_labels_and_the_34_provinces(client_for) -> None:  # type: ignore[no-untyped-def]
    anon, _ = client_for("")
    html = anon.get("/gop-y").text
    for field in ("fb-topic", "fb-province", "fb-ward", "fb-text", "fb-photo", "fb-contact"):
        assert f'<label for="{field}"' in html
    assert html.count('name="province"') == 1 and "Thành phố Hà Nội" in html
    assert "<legend>" in html and 'name="website"' in html
    assert "Phường Hoàn Kiếm" in anon.get("/gop-y/phuong-xa?province=1").text
    assert "Feedback and ideas for your city" in anon.get("/gop-y?lang=en").text


def test_send_follow_publish_support_and_feeds(client_for) -> None:  # type: ignore[no-untyped-def]
    anon, csrf = client_for("")
    r = _send(anon, csrf, TEXTS[0], contact="an@example.vn")
    assert r.status_code == 303 and r.headers["location"].startswith("/gop-y/trang-thai/")
    follow = anon.get(r.headers["location"]).text
    assert "/gui-tin/xoa/" in follow and "chưa được đăng công khai" in follow
    assert "/gui-tin/xoa/" not in anon.get(r.headers["location"]).text  # the link is shown once
    assert _send(anon, csrf, TEXTS[1] + " Gọi 0912.345.678 để biết.").status_code == 303

    editor, ecsrf = client_for("editor")
    tid = _thread_id(editor)
    page = editor.get(f"/desk/gop-y/{tid}").text
    assert "2 người góp ý cùng vấn đề" in page
    slug_page = editor.post(
        f"/desk/gop-y/{tid}/publish",
        data={"csrf_token": ecsrf, "title": "Đèn đường ngõ 7 hỏng"},
        follow_redirects=False,
    )
    assert slug_page.status_code == 303
    listing = anon.get("/gop-y").text
    (slug,) = re.findall(r'href="/gop-y/y-kien/([^"]+)"', listing)
    public = anon.get(f"/gop-y/y-kien/{slug}").text
    assert "Đèn đường ngõ 7 hỏng" in public and "[số điện thoại]" in public and "0912" not in public
    assert "0 người cũng quan tâm" in public

    r = anon.post(f"/gop-y/y-kien/{slug}/quan-tam", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert "1 người cũng quan tâm" in anon.get(r.headers["location"]).text
    r = anon.post(f"/gop-y/y-kien/{slug}/quan-tam", data={"csrf_token": csrf}, follow_redirects=True)
    assert "1 người cũng quan tâm" in r.text and "Hôm nay bạn đã bày tỏ quan tâm" in r.text

    feed = ET.fromstring(anon.get("/gop-y/atom.xml").content)
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 1 and "0912" not in ET.tostring(feed, encoding="unicode")
    assert anon.get("/gop-y?chu-de=y-te").text.count("/gop-y/y-kien/") == 0
    assert anon.get("/gop-y?tinh=1").text.count(f"/gop-y/y-kien/{slug}") == 1
    # English pages mark what people and the desk wrote in Vietnamese
    en = anon.get(f"/gop-y/y-kien/{slug}?lang=en").text
    assert '<html lang="en"' in en and '<h1 lang="vi">Đèn đường ngõ 7 hỏng</h1>' in en
    assert '<blockquote class="fb-text" lang="vi">' in en and '<span lang="vi">' in en  # texts, place
    assert f'<a href="/gop-y/y-kien/{slug}" lang="vi">Đèn đường ngõ 7 hỏng</a>' in anon.get("/gop-y").text


def test_unpublished_threads_are_not_public(client_for) -> None:  # type: ignore[no-untyped-def]
    anon, csrf = client_for("")
    _send(anon, csrf, TEXTS[0])
    editor, _ = client_for("editor")
    tid = _thread_id(editor)
    assert anon.get(f"/gop-y/y-kien/{tid}-den-duong").status_code == 404
    assert "/gop-y/y-kien/" not in anon.get("/gop-y").text


def test_guards_honeypot_validation_csrf(client_for) -> None:  # type: ignore[no-untyped-def]
    anon, csrf = client_for("")
    bot = _send(anon, csrf, TEXTS[0], website="http://spam.example")
    assert bot.status_code == 200 and "Cảm ơn" in bot.text
    short = _send(anon, csrf, "ngắn")
    assert short.status_code == 422 and 'role="alert"' in short.text and "quá ngắn" in short.text
    assert _send(anon, "sai", TEXTS[0]).status_code == 403
    editor, _ = client_for("editor")
    assert "/desk/gop-y/" not in editor.get("/desk/gop-y").text.replace('href="/desk/gop-y"', "")


def test_api_creates_and_joins(client_for) -> None:  # type: ignore[no-untyped-def]
    anon, _ = client_for("")
    body = {
        "kind": "report",
        "topic": "dien-nuoc",
        "province_code": 1,
        "text": TEXTS[0],
        "contact": "an@example.vn",
    }
    a = anon.post("/api/v1/feedback", json=body)
    assert a.status_code == 201, a.text
    b = anon.post("/api/v1/feedback", json=body | {"text": TEXTS[1], "contact": ""})
    # the request only stores; the clustering job (run at the commit in tests) joins the second
    assert a.json()["thread_id"] is None and b.json()["joined_existing"] is None
    with session_scope() as s:
        first, second = s.get(FeedbackItem, a.json()["id"]), s.get(FeedbackItem, b.json()["id"])
        assert first and second and first.thread_id is not None and second.thread_id == first.thread_id
    assert a.json()["delete_contact_url"].startswith("http") and b.json()["delete_contact_url"] is None
    bad = anon.post("/api/v1/feedback", json=body | {"province_code": 999})
    assert bad.status_code == 422 and "tỉnh" in bad.json()["error"]["message"]


def test_desk_roles_and_two_editors(client_for) -> None:  # type: ignore[no-untyped-def]
    anon, csrf = client_for("")
    _send(anon, csrf, TEXTS[0])
    viewer, vcsrf = client_for("viewer")
    tid = _thread_id(viewer)
    assert (
        viewer.post(
            f"/desk/gop-y/{tid}/route", data={"csrf_token": vcsrf, "department": "dien-luc"}
        ).status_code
        == 403
    )
    assert TestClient(viewer.app).get("/desk/gop-y", follow_redirects=False).status_code == 303
    editor, ecsrf = client_for("editor")
    editor2, e2csrf = client_for("editor2")
    r = editor.post(
        f"/desk/gop-y/{tid}/route",
        data={"csrf_token": ecsrf, "department": "dien-luc"},
        follow_redirects=True,
    )
    assert "Đã chuyển tới cơ quan phụ trách." in r.text and "Công ty Điện lực" in r.text
    r = editor.post(
        f"/desk/gop-y/{tid}/answers",
        data={"csrf_token": ecsrf, "body": "Đã thay bóng đèn.", "then": "submit"},
        follow_redirects=True,
    )
    (aid,) = re.findall(rf"/desk/gop-y/{tid}/answers/(\d+)/return", r.text)
    assert f"/answers/{aid}/approve" not in r.text  # the author is not offered the approval
    own = editor.post(
        f"/desk/gop-y/{tid}/answers/{aid}/approve", data={"csrf_token": ecsrf}, follow_redirects=True
    )
    assert "biên tập viên thứ hai" in own.text
    ok = editor2.post(
        f"/desk/gop-y/{tid}/answers/{aid}/approve", data={"csrf_token": e2csrf}, follow_redirects=True
    )
    assert "Đã duyệt và đăng câu trả lời" in ok.text and "Đã trả lời" in ok.text
    assert "Đã trả lời" in editor.get("/desk/gop-y?status=answered").text
    assert "fb-row" not in editor.get("/desk/gop-y?status=received").text


def test_statistics_page_both_languages(client_for) -> None:  # type: ignore[no-untyped-def]
    anon, csrf = client_for("")
    _send(anon, csrf, TEXTS[0])
    vi = anon.get("/gop-y/thong-ke").text
    assert re.search(r'id="st-received">1<', vi) and "Theo cơ quan phụ trách" in vi
    en = anon.get("/gop-y/thong-ke?lang=en").text
    assert "By department" in en and "Theo cơ quan" not in en
    assert anon.get("/gop-y/thong-ke?thang=2026-13").status_code == 404


def _jpeg_with_exif() -> bytes:
    import io

    from PIL import Image

    img = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x013B] = "Nguoi Chup Anh"  # Artist
    exif[0x010F] = "PhoneMaker"
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def test_photo_goes_through_the_media_pipeline_without_exif(client_for) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from kiemchung.media.service import image_file
    from kiemchung.store import models, session_scope

    anon, csrf = client_for("")
    data = _jpeg_with_exif()
    assert b"Nguoi Chup Anh" in data
    r = anon.post(
        "/gop-y",
        data={"kind": "report", "topic": "moi-truong", "province": "1", "text": TEXTS[0], "csrf_token": csrf},
        files={"photo": ("anh.jpg", data, "image/jpeg")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with session_scope() as s:
        item = s.scalars(select(models.FeedbackItem)).one()
        assert item.image_id is not None
        stored, _ = image_file(s.get(models.MediaImage, item.image_id))  # type: ignore[arg-type]
    assert b"Nguoi Chup Anh" not in stored and b"PhoneMaker" not in stored
    bad = anon.post(
        "/gop-y",
        data={"kind": "report", "topic": "moi-truong", "province": "1", "text": TEXTS[1], "csrf_token": csrf},
        files={"photo": ("anh.jpg", b"not an image at all", "image/jpeg")},
    )
    assert bad.status_code == 422 and "Ảnh không hợp lệ" in bad.text


def test_rate_limit_through_the_public_limiter(client_for, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from kiemchung.settings import get_settings

    monkeypatch.setenv("KIEMCHUNG_RATE_LIMIT_PER_MINUTE", "2")
    get_settings.cache_clear()
    anon, csrf = client_for("")
    codes = [_send(anon, csrf, TEXTS[i % 2]).status_code for i in range(3)]
    assert codes == [303, 303, 429]


def _items(thread_id: int | None = None) -> list[FeedbackItem]:
    from sqlalchemy import select

    with session_scope() as s:
        q = select(FeedbackItem).order_by(FeedbackItem.id)
        if thread_id is not None:
            q = q.where(FeedbackItem.thread_id == thread_id)
        return list(s.scalars(q))


def test_desk_writes_run_their_database_work_off_the_event_loop(client_for, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import asyncio
    from collections.abc import Callable
    from typing import Any

    from kiemchung.feedback import public, service

    ran: dict[str, bool] = {}  # name -> ran inside the event loop

    def spy(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                asyncio.get_running_loop()
                ran[name] = True
            except RuntimeError:  # a worker thread: no loop runs there
                ran.setdefault(name, False)
            return fn(*args, **kwargs)

        return wrapped

    names = ("route", "set_status", "add_note", "save_answer", "review_answer", "publish")
    names += ("merge", "moderate", "split")
    for name in names:
        monkeypatch.setattr(service, name, spy(name, getattr(service, name)))
    monkeypatch.setattr(public, "audit", spy("audit", public.audit))

    anon, csrf = client_for("")
    _send(anon, csrf, TEXTS[0])
    _send(anon, csrf, TEXTS[1])
    _send(anon, csrf, "Đề nghị trồng thêm cây xanh dọc phố Ví Dụ cho mát.", kind="idea", topic="moi-truong")
    _send(anon, csrf, TEXTS[0], website="http://spam.example")  # the honeypot's audit row
    editor, ecsrf = client_for("editor")
    lamps, trees = sorted({i.thread_id for i in _items()})  # type: ignore[type-var]
    assert lamps is not None and trees is not None
    for path, data in [
        (f"{lamps}/route", {"department": "dien-luc"}),
        (f"{lamps}/status", {"status": "handling"}),
        (f"{lamps}/notes", {"text": "Đã gọi cho điện lực."}),
        (f"{lamps}/answers", {"body": "Đã thay bóng đèn.", "then": "submit"}),
        (f"{lamps}/publish", {"title": "Đèn đường ngõ 7 hỏng"}),
        (f"items/{_items(lamps)[0].id}/moderate", {"action": "hide", "reason": "Trùng lặp"}),
        (f"items/{_items(lamps)[1].id}/split", {}),
        (f"{trees}/merge", {"into": str(lamps)}),
    ]:
        r = editor.post(f"/desk/gop-y/{path}", data=data | {"csrf_token": ecsrf}, follow_redirects=False)
        assert r.status_code == 303, (path, r.text[:300])
    assert set(ran) == {*names, "audit"}
    assert [name for name, on_loop in ran.items() if on_loop] == []
    with session_scope() as s:  # and each one did its work
        from kiemchung.store.models import FeedbackThread

        t = s.get(FeedbackThread, lamps)
        assert t and t.department == "dien-luc" and t.published_at and t.title == "Đèn đường ngõ 7 hỏng"
        assert t.answers[0].status.value == "in_review" and s.get(FeedbackThread, trees) is None
        assert next(e.text for e in t.events if e.kind == "note") == "Đã gọi cho điện lực."
    assert [i.moderation for i in _items(lamps)] == ["hidden", "ok"]  # the one split off is gone, one merged
    # without a CSRF token every one of them is refused, as before
    assert editor.post(f"/desk/gop-y/{lamps}/notes", data={"text": "x"}).status_code == 403


def test_split_from_the_desk(client_for) -> None:  # type: ignore[no-untyped-def]
    anon, csrf = client_for("")
    _send(anon, csrf, TEXTS[0])
    _send(anon, csrf, TEXTS[1])
    editor, ecsrf = client_for("editor")
    tid = _thread_id(editor)
    first, second = _items(tid)
    page = editor.get(f"/desk/gop-y/{tid}").text
    assert f"/desk/gop-y/items/{second.id}/split" in page and "2 người góp ý cùng vấn đề" in page
    viewer, vcsrf = client_for("viewer")
    assert viewer.post(f"/desk/gop-y/items/{second.id}/split", data={"csrf_token": vcsrf}).status_code == 403
    r = editor.post(
        f"/desk/gop-y/items/{second.id}/split", data={"csrf_token": ecsrf}, follow_redirects=False
    )
    new_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert r.status_code == 303 and new_id != tid
    page = editor.get(r.headers["location"]).text
    assert "Đã tách thành vấn đề riêng." in page and "1 người góp ý cùng vấn đề" in page
    assert [i.id for i in _items(new_id)] == [second.id] and [i.id for i in _items(tid)] == [first.id]
    assert "/split" not in editor.get(f"/desk/gop-y/{tid}").text  # one item left: nothing to split
    assert editor.post("/desk/gop-y/items/999999/split", data={"csrf_token": ecsrf}).status_code == 404


def test_desk_queue_filters_by_kind(client_for) -> None:  # type: ignore[no-untyped-def]
    anon, csrf = client_for("")
    _send(anon, csrf, TEXTS[0])  # a report
    _send(anon, csrf, "Đề nghị trồng thêm cây xanh dọc phố Ví Dụ cho mát.", kind="idea", topic="moi-truong")
    editor, _ = client_for("editor")
    by_kind = {
        kind: re.findall(r'href="/desk/gop-y/(\d+)"', editor.get(f"/desk/gop-y?kind={kind}").text)
        for kind in ("report", "idea", "issue", "")
    }
    assert len(by_kind["report"]) == len(by_kind["idea"]) == 1 and by_kind["issue"] == []
    assert by_kind["report"] != by_kind["idea"]
    assert sorted(by_kind[""]) == sorted(by_kind["report"] + by_kind["idea"])
    assert 'value="idea" selected' in editor.get("/desk/gop-y?kind=idea").text


ABUSIVE = "Đèn đường trong ngõ 7 phố Ví Dụ hỏng cả tuần, đúng là đồ ngu, buổi tối rất tối và nguy hiểm."


def test_public_title_and_headcount_leave_out_held_items(client_for) -> None:  # type: ignore[no-untyped-def]
    anon, csrf = client_for("")
    _send(anon, csrf, ABUSIVE)  # held for a moderator, first of its thread
    _send(anon, csrf, TEXTS[1])
    editor, ecsrf = client_for("editor")
    tid = _thread_id(editor)
    assert [i.moderation for i in _items(tid)] == ["held", "ok"]
    assert "2 người góp ý cùng vấn đề" in editor.get(f"/desk/gop-y/{tid}").text  # the desk sees all
    editor.post(f"/desk/gop-y/{tid}/publish", data={"csrf_token": ecsrf})  # no title typed
    listing = anon.get("/gop-y").text
    (slug,) = re.findall(r'href="/gop-y/y-kien/([^"]+)"', listing)
    public = anon.get(f"/gop-y/y-kien/{slug}").text
    feed = anon.get("/gop-y/atom.xml").content.decode()
    for text in (listing, public, feed):
        assert "đồ ngu" not in text and "do-ngu" not in text
        assert "1 người góp ý cùng vấn đề" in text and "2 người góp ý" not in text
    assert re.search(
        r"<h1[^>]*>Ngõ 7 phố Ví Dụ mất đèn đường cả tuần nay, buổi tối tối om rất nguy hiểm</h1>", public
    )


def test_the_support_note_does_not_deny_the_session_cookie(client_for) -> None:  # type: ignore[no-untyped-def]
    anon, csrf = client_for("")
    _send(anon, csrf, TEXTS[0])
    editor, ecsrf = client_for("editor")
    editor.post(f"/desk/gop-y/{_thread_id(editor)}/publish", data={"csrf_token": ecsrf})
    (slug,) = re.findall(r'href="/gop-y/y-kien/([^"]+)"', anon.get("/gop-y").text)
    vi = anon.get(f"/gop-y/y-kien/{slug}")
    assert anon.cookies  # the form's CSRF protection keeps a session cookie
    assert "Chúng tôi không dùng cookie" not in vi.text
    assert "Việc đếm không dùng cookie và không lưu địa chỉ IP." in vi.text
    en = anon.get(f"/gop-y/y-kien/{slug}?lang=en").text
    assert "We use no cookie" not in en and "Counting uses no cookie and stores no IP address." in en


def test_routing_queues_the_department_mail_instead_of_sending_it_in_the_web_process(  # type: ignore[no-untyped-def]
    client_for, request, monkeypatch
) -> None:
    from kiemchung.desk import replies

    anon, csrf = client_for("")
    _send(anon, csrf, TEXTS[0])
    editor, ecsrf = client_for("editor")
    tid = _thread_id(editor)
    waiting = request.getfixturevalue("memory_queue")  # from here on, jobs wait to be seen

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("the outbox was delivered by the web process")

    monkeypatch.setattr(replies, "run_replies", boom)
    monkeypatch.setattr(replies, "deliver_due", boom)
    r = editor.post(
        f"/desk/gop-y/{tid}/route",
        data={"csrf_token": ecsrf, "department": "dien-luc"},
        follow_redirects=True,
    )
    assert "Đã chuyển tới cơ quan phụ trách." in r.text
    assert [t.name for t in waiting.pending()] == ["deliver_replies"]


# ---------------------------------------------------------------- the ward filters

TREES = "Đề nghị trồng thêm cây xanh dọc phố Ví Dụ cho mát, mùa hè nắng quá."
BENCHES = "Đề nghị lắp thêm ghế đá trong vườn hoa Ví Dụ cho người già nghỉ chân."
HOAN_KIEM, CUA_NAM = 70, 73  # two wards of Hà Nội (province 1); 79 is Hồ Chí Minh City


def _three_places(anon: TestClient, csrf: str) -> dict[str, int]:
    """{name: thread id}: lamps (no ward, then an item from Hoàn Kiếm and a held one from Cửa Nam
    join it), trees (Cửa Nam), benches (Hồ Chí Minh City)."""
    _send(anon, csrf, TEXTS[0])
    _send(anon, csrf, TEXTS[1], ward=str(HOAN_KIEM))
    _send(anon, csrf, ABUSIVE, ward=str(CUA_NAM))
    _send(anon, csrf, TREES, kind="idea", topic="moi-truong", ward=str(CUA_NAM))
    _send(anon, csrf, BENCHES, kind="idea", topic="do-thi", province="79")
    items = _items()
    assert [i.moderation for i in items] == ["ok", "ok", "held", "ok", "ok"]
    assert len({items[0].thread_id, items[1].thread_id, items[2].thread_id}) == 1  # one lamp thread
    return {"lamps": items[0].thread_id, "trees": items[3].thread_id, "benches": items[4].thread_id}


def _desk_ids(editor: TestClient, query: str) -> set[int]:
    return {int(i) for i in re.findall(r'href="/desk/gop-y/(\d+)"', editor.get(f"/desk/gop-y{query}").text)}


def _filter_form(html: str, action: str) -> str:
    m = re.search(rf'<form[^>]*method="get" action="{action}".*?</form>', html, re.S)
    assert m, f"no filter form for {action}"
    return m.group(0)


def _labelled(form: str) -> None:
    """Every select of a filter form has its own label."""
    ids = re.findall(r'<select id="([^"]+)"', form)
    assert ids and len(ids) == len(re.findall(r"<select", form))
    for i in ids:
        assert form.count(f'<label for="{i}"') == 1, i


def test_desk_queue_filters_by_ward_once_a_province_is_chosen(client_for) -> None:  # type: ignore[no-untyped-def]
    anon, csrf = client_for("")
    t = _three_places(anon, csrf)
    editor, _ = client_for("editor")
    everything = {t["lamps"], t["trees"], t["benches"]}
    assert _desk_ids(editor, "") == everything
    assert _desk_ids(editor, "?province=1") == {t["lamps"], t["trees"]}
    # the lamp thread has no ward of its own but holds an item from Hoàn Kiếm
    assert _desk_ids(editor, f"?province=1&ward={HOAN_KIEM}") == {t["lamps"]}
    # the desk counts the held item too
    assert _desk_ids(editor, f"?province=1&ward={CUA_NAM}") == {t["lamps"], t["trees"]}
    # what the plain GET form sends, every field with it
    assert _desk_ids(editor, f"?kind=idea&topic=&province=1&ward={CUA_NAM}&status=") == {t["trees"]}
    # a ward without its province, or left over from another province, filters nothing
    assert _desk_ids(editor, f"?ward={HOAN_KIEM}") == everything
    assert _desk_ids(editor, f"?province=79&ward={HOAN_KIEM}") == {t["benches"]}

    form = _filter_form(editor.get("/desk/gop-y").text, "/desk/gop-y")
    assert 'id="q-ward-field" hidden' in form and 'name="ward"' not in form  # no province: no ward select
    assert 'hx-get="/gop-y/phuong-xa?cho=desk"' in form and 'hx-target="#q-ward-field"' in form
    form = _filter_form(editor.get(f"/desk/gop-y?province=1&ward={HOAN_KIEM}").text, "/desk/gop-y")
    _labelled(form)
    assert '<select id="q-ward" name="ward">' in form
    assert f'<option value="{HOAN_KIEM}" selected>Phường Hoàn Kiếm</option>' in form
    assert f'<option value="{CUA_NAM}" >Phường Cửa Nam</option>' in form
    form = _filter_form(editor.get(f"/desk/gop-y?province=79&ward={HOAN_KIEM}").text, "/desk/gop-y")
    assert "selected>Phường" not in form and "Phường Hoàn Kiếm" not in form and 'name="ward"' in form


def test_public_list_filters_by_ward_once_a_province_is_chosen(client_for) -> None:  # type: ignore[no-untyped-def]
    anon, csrf = client_for("")
    t = _three_places(anon, csrf)
    editor, ecsrf = client_for("editor")
    slugs = {}
    for name, tid in t.items():
        r = editor.post(f"/desk/gop-y/{tid}/publish", data={"csrf_token": ecsrf, "title": f"Vấn đề {name}"})
        assert "Đã đăng công khai." in r.text
    listing = anon.get("/gop-y").text
    for name in t:
        (slugs[name],) = re.findall(rf'href="/gop-y/y-kien/([^"]+)" lang="vi">Vấn đề {name}<', listing)

    def shown(query: str) -> set[str]:
        html = anon.get(f"/gop-y{query}").text
        return {name for name, slug in slugs.items() if f'href="/gop-y/y-kien/{slug}"' in html}

    assert shown("") == {"lamps", "trees", "benches"}
    assert shown("?tinh=1") == {"lamps", "trees"}
    assert shown(f"?tinh=1&xa={HOAN_KIEM}") == {"lamps"}
    # the public leaves out the held item from Cửa Nam that put the lamps there for the desk
    assert shown(f"?tinh=1&xa={CUA_NAM}") == {"trees"}
    assert shown(f"?chu-de=moi-truong&tinh=1&xa={CUA_NAM}") == {"trees"}
    assert shown(f"?chu-de=&tinh=1&xa={HOAN_KIEM}") == {"lamps"}  # the plain GET form's query
    assert shown(f"?xa={HOAN_KIEM}") == {"lamps", "trees", "benches"}
    assert shown(f"?tinh=79&xa={HOAN_KIEM}") == {"benches"}

    form = _filter_form(anon.get("/gop-y").text, "/gop-y")
    assert 'id="f-ward-field" hidden' in form and 'name="xa"' not in form
    assert 'hx-get="/gop-y/phuong-xa?cho=loc"' in form and 'hx-target="#f-ward-field"' in form
    # without JavaScript: choose the province, submit, and the ward select is there
    form = _filter_form(anon.get("/gop-y?chu-de=&tinh=1").text, "/gop-y")
    _labelled(form)
    assert (
        '<select id="f-ward" name="xa">' in form
        and "Phường Cửa Nam" in form
        and "selected>Phường" not in form
    )
    form = _filter_form(anon.get(f"/gop-y?tinh=1&xa={CUA_NAM}").text, "/gop-y")
    assert f'<option value="{CUA_NAM}" selected>Phường Cửa Nam</option>' in form
    en = _filter_form(anon.get(f"/gop-y?tinh=1&xa={CUA_NAM}&lang=en").text, "/gop-y")
    assert '<label for="f-ward">Ward/commune</label>' in en and "All wards/communes" in en
    # the submission form keeps its own ward picker, apart from the filter's
    form_html = anon.get("/gop-y?tinh=1").text
    assert form_html.count('id="fb-ward"') == 1 and form_html.count('id="f-ward"') == 1


def test_ward_picker_serves_the_filters(client_for) -> None:  # type: ignore[no-untyped-def]
    anon, _ = client_for("")
    public = anon.get("/gop-y/phuong-xa?cho=loc&tinh=1").text  # the public filter's select is "tinh"
    assert 'id="f-ward-field"' in public and '<select id="f-ward" name="xa">' in public
    assert '<label for="f-ward">' in public and "Phường Hoàn Kiếm" in public
    desk = anon.get("/gop-y/phuong-xa?cho=desk&province=79").text
    assert 'id="q-ward-field"' in desk and '<select id="q-ward" name="ward">' in desk
    assert '<label for="q-ward">' in desk and "Phường Hoàn Kiếm" not in desk
    # no province chosen again: the field goes back to its hidden placeholder
    assert anon.get("/gop-y/phuong-xa?cho=loc&tinh=").text.strip() == '<div id="f-ward-field" hidden></div>'
    form = anon.get("/gop-y/phuong-xa?province=1").text  # the submission form's, as before
    assert '<select id="fb-ward" name="ward">' in form and "Phường Hoàn Kiếm" in form
