"""Registry of official channels (/desk/sources) and scam feeds (/desk/feeds)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from kiemchung.desk.sources import CATEGORY_LABELS, parse_domain, parse_page_url
from kiemchung.scam import blocklist, registry
from kiemchung.scam.lookup import check
from kiemchung.store import models, session_scope
from kiemchung.store.models import utcnow
from kiemchung.web.i18n import fmt_date


def add_source(name: str, category: str, domains: list[str], **kw: object) -> int:
    with session_scope() as s:
        src = models.Source(
            name=name,
            kind=kw.pop("kind", models.SourceKind.official),
            category=category,
            registered=kw.pop("registered", True),
            domains=domains,
            **kw,
        )
        s.add(src)
        s.flush()
        return src.id


def form(**over: str) -> dict[str, str]:
    base = {
        "name": "Ngân hàng Thử Nghiệm",
        "kind": "official",
        "category": "bank",
        "verified": "1",
        "domains": "NganHangThuNghiem.vn\nhttps://www.nhtn-app.com.vn/",
        "page_urls": "https://www.facebook.com/nganhangthunghiem",
        "page_names": "Ngân hàng Thử Nghiệm\nNHTN",
    }
    return {**base, **over}


def test_every_registry_category_has_a_label() -> None:
    assert set(registry.CATEGORY_VI) <= set(CATEGORY_LABELS)
    assert {r.category for r in registry.bundled_registry()} <= set(CATEGORY_LABELS)


def test_domain_and_url_validation() -> None:
    assert parse_domain(" Vietcombank.COM.vn ") == "vietcombank.com.vn"
    assert parse_domain("https://www.abc.vn/") == "www.abc.vn"
    assert parse_domain("xn--bcher-kva.vn") == "bücher.vn"
    for bad in ("vietcombank", "abc.vn/login", "a b.vn", "-abc.vn", "1.2.3.4", "abc.vn:8080", "x@abc.vn"):
        assert parse_domain(bad) is None, bad
    assert parse_page_url("https://zalo.me/123") == "https://zalo.me/123"
    for bad in ("javascript:alert(1)", "ftp://abc.vn/x", "facebook.com/abc", "https://"):
        assert parse_page_url(bad) is None, bad


def test_list_search_without_diacritics_and_filters(client_for) -> None:  # type: ignore[no-untyped-def]
    add_source("Ngân hàng Công Thương", "bank", ["vietinbank.vn"], page_names=["VietinBank"])
    add_source("Ví Điện Tử Mẫu", "ewallet", ["vimau.vn"])
    add_source("Báo Mẫu", "media", ["baomau.vn"], kind=models.SourceKind.publisher)
    add_source("Nguồn Đã Gỡ", "bank", ["dago.vn"], registered=False)
    add_source("Nền tảng thu thập", "other", [], kind=models.SourceKind.platform)
    c, _ = client_for("viewer")
    page = c.get("/desk/sources").text
    assert "Ngân hàng Công Thương" in page and "vimau.vn" in page and "Báo Mẫu" in page
    assert "Nguồn Đã Gỡ" not in page  # unregistered ones are behind the status filter
    assert "Nền tảng thu thập" not in page  # platform buckets are not channels
    assert "/desk/sources/new" not in page and "load-bundled" not in page  # a viewer only reads

    hit = c.get("/desk/sources", params={"q": "ngan hang cong thuong"}).text
    assert "vietinbank.vn" in hit and "vimau.vn" not in hit
    assert "vietinbank.vn" in c.get("/desk/sources", params={"q": "VIETINBANK"}).text
    by_cat = c.get("/desk/sources", params={"category": "ewallet"}).text
    assert "vimau.vn" in by_cat and "vietinbank.vn" not in by_cat
    by_kind = c.get("/desk/sources", params={"kind": "publisher"}).text
    assert "baomau.vn" in by_kind and "vimau.vn" not in by_kind
    gone = c.get("/desk/sources", params={"status": "unregistered"}).text
    assert "dago.vn" in gone and "vimau.vn" not in gone
    assert "Không có nguồn nào khớp" in c.get("/desk/sources", params={"q": "khong co dau"}).text


def test_create_with_validation_errors_then_success(client_for) -> None:  # type: ignore[no-untyped-def]
    c, token = client_for("editor")
    assert c.get("/desk/sources/new").status_code == 200
    r = c.post(
        "/desk/sources/new",
        data={
            **form(name="", domains="khong-phai-ten-mien\nabc.vn/duong-dan", page_urls="javascript:alert(1)"),
            "csrf_token": token,
        },
    )
    assert r.status_code == 400
    assert "Cần nhập tên" in r.text
    assert "“khong-phai-ten-mien” không phải tên miền hợp lệ" in r.text
    assert "“abc.vn/duong-dan” không phải tên miền hợp lệ" in r.text
    assert "“javascript:alert(1)” không phải địa chỉ http(s) hợp lệ" in r.text
    assert 'value="khong-phai-ten-mien' not in r.text and "khong-phai-ten-mien\nabc.vn" in r.text  # kept
    r = c.post("/desk/sources/new", data={**form(domains="", page_urls=""), "csrf_token": token})
    assert r.status_code == 400 and "Cần ít nhất một tên miền" in r.text

    r = c.post("/desk/sources/new", data={**form(), "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    with session_scope() as s:
        src = s.scalar(select(models.Source).where(models.Source.name == "Ngân hàng Thử Nghiệm"))
        assert src is not None and src.registered and src.verified and src.category == "bank"
        assert src.domains == ["nganhangthunghiem.vn", "www.nhtn-app.com.vn"]
        assert src.page_names == ["Ngân hàng Thử Nghiệm", "NHTN"]
        ev = s.scalar(select(models.AuditEvent).where(models.AuditEvent.action == "source.create"))
        assert ev is not None and ev.entity_id == src.id
        assert ev.data["changes"]["domains"] == {"old": None, "new": src.domains}
    # The same name twice is refused, with a message rather than a database error.
    r = c.post("/desk/sources/new", data={**form(), "csrf_token": token})
    assert r.status_code == 400 and "đã có trong danh bạ" in r.text


def test_csrf_required(client_for) -> None:  # type: ignore[no-untyped-def]
    c, _ = client_for("editor")
    r = c.post("/desk/sources/new", data=form(), follow_redirects=False)
    assert r.status_code == 403
    with session_scope() as s:
        assert s.scalar(select(models.Source).where(models.Source.name == "Ngân hàng Thử Nghiệm")) is None


def test_edit_is_audited_with_a_diff(client_for) -> None:  # type: ignore[no-untyped-def]
    sid = add_source("Nhà mạng Mẫu", "telco", ["nhamangmau.vn"], verified=True)
    c, token = client_for("reviewer")
    page = c.get(f"/desk/sources/{sid}/edit").text
    assert "nhamangmau.vn" in page and "Gỡ khỏi danh bạ" in page
    assert c.get("/desk/sources/999999/edit").status_code == 404
    assert c.post("/desk/sources/999999/edit", data={**form(), "csrf_token": token}).status_code == 404

    bad = {
        **form(name="Nhà mạng Mẫu", category="telco"),
        "domains": "nhamangmau.vn\nmau..vn",
        "registered": "1",
        "csrf_token": token,
    }
    r = c.post(f"/desk/sources/{sid}/edit", data=bad)
    assert r.status_code == 400 and "“mau..vn” không phải tên miền hợp lệ" in r.text

    good = {**bad, "domains": "nhamangmau.vn\nMy.NhaMangMau.vn", "verified": ""}
    r = c.post(f"/desk/sources/{sid}/edit", data=good, follow_redirects=False)
    assert r.status_code == 303
    with session_scope() as s:
        src = s.get(models.Source, sid)
        assert src is not None and src.domains == ["nhamangmau.vn", "my.nhamangmau.vn"] and not src.verified
        ev = s.scalar(select(models.AuditEvent).where(models.AuditEvent.action == "source.update"))
        assert ev is not None and ev.entity_id == sid
        changes = ev.data["changes"]
        assert changes["domains"] == {"old": ["nhamangmau.vn"], "new": ["nhamangmau.vn", "my.nhamangmau.vn"]}
        assert changes["verified"] == {"old": True, "new": False}
        assert "name" not in changes and "category" not in changes  # only what changed
    # The audit page shows the diff to the admin.
    admin, _ = client_for("admin")
    audit_page = admin.get("/desk/audit", params={"action": "source.update"}).text
    assert "source.update" in audit_page and "my.nhamangmau.vn" in audit_page


def test_lookup_sees_an_added_domain_at_once(client_for) -> None:  # type: ignore[no-untyped-def]
    add_source("Ngân hàng Có Sẵn", "bank", ["nganhangcosan.vn"])
    with session_scope() as s:
        before = check("nganhangthunghiem.vn", s)  # also fills the lookup's registry cache
    assert before.verdict != "ok"
    c, token = client_for("editor")
    c.post("/desk/sources/new", data={**form(), "csrf_token": token}, follow_redirects=False)
    with session_scope() as s:
        after = check("nganhangthunghiem.vn", s)
        sub = check("https://ibanking.nganhangthunghiem.vn/dang-nhap", s)
    assert after.verdict == "ok", after.reasons
    assert sub.verdict == "ok", sub.reasons


def test_unregister_keeps_the_row_and_lookup_forgets_it(client_for) -> None:  # type: ignore[no-untyped-def]
    add_source("Ngân hàng Giữ Lại", "bank", ["nganhanggiulai.vn"])
    sid = add_source("Ví Sắp Gỡ", "ewallet", ["visapgo.vn"])
    with session_scope() as s:
        assert check("visapgo.vn", s).verdict == "ok"
    viewer, vtoken = client_for("viewer")
    assert viewer.post(f"/desk/sources/{sid}/unregister", data={"csrf_token": vtoken}).status_code == 403
    c, token = client_for("editor")
    r = c.post(f"/desk/sources/{sid}/unregister", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    with session_scope() as s:
        src = s.get(models.Source, sid)
        assert src is not None and src.registered is False  # not deleted
        ev = s.scalar(select(models.AuditEvent).where(models.AuditEvent.action == "source.unregister"))
        assert ev is not None and ev.data["changes"]["registered"] == {"old": True, "new": False}
        assert check("visapgo.vn", s).verdict != "ok"
    assert "visapgo.vn" not in c.get("/desk/sources").text
    assert "visapgo.vn" in c.get("/desk/sources", params={"status": "unregistered"}).text


def test_roles_for_writing_and_loading(client_for) -> None:  # type: ignore[no-untyped-def]
    viewer, vtoken = client_for("viewer")
    assert viewer.get("/desk/sources/new").status_code == 403
    assert viewer.post("/desk/sources/new", data={**form(), "csrf_token": vtoken}).status_code == 403
    editor, etoken = client_for("editor")
    assert editor.post("/desk/sources/load-bundled", data={"csrf_token": etoken}).status_code == 403
    assert editor.post("/desk/feeds/load-bundled", data={"csrf_token": etoken}).status_code == 403
    assert "load-bundled" not in editor.get("/desk/sources").text

    admin, atoken = client_for("admin")
    assert "Nạp danh bạ kèm theo" in admin.get("/desk/sources").text
    r = admin.post("/desk/sources/load-bundled", data={"csrf_token": atoken}, follow_redirects=False)
    assert r.status_code == 303
    n = len(registry.bundled_registry())
    with session_scope() as s:
        assert len(s.scalars(select(models.Source.id)).all()) == n
    # Idempotent: a second load adds nothing and keeps an editor's change.
    with session_scope() as s:
        vcb = s.scalar(select(models.Source).where(models.Source.name == "Vietcombank"))
        assert vcb is not None
        vcb.page_names = ["Đổi bởi biên tập viên"]
    admin.post("/desk/sources/load-bundled", data={"csrf_token": atoken})
    with session_scope() as s:
        assert len(s.scalars(select(models.Source.id)).all()) == n
        vcb = s.scalar(select(models.Source).where(models.Source.name == "Vietcombank"))
        assert vcb is not None and vcb.page_names == ["Đổi bởi biên tập viên"]
    assert "vietcombank.com.vn" in admin.get("/desk/sources", params={"q": "vietcombank"}).text


def test_feeds_page_shows_provenance_and_stale_badge(client_for) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    with session_scope() as s:
        fresh = blocklist.parse_feed("moi.example\nmoi2.example", "domains")
        blocklist.update_feed(
            s, "nguon-moi", fresh, url="https://feeds.example/moi.txt", licence="CC0-1.0", interval_hours=24
        )
        old = blocklist.parse_feed("cu.example", "domains")
        blocklist.update_feed(
            s,
            "nguon-cu",
            old,
            path="data/cu.txt",
            list_kind="allow",
            licence="MIT",
            interval_hours=24,
            now=now - timedelta(days=10),
        )
    c, _ = client_for("viewer")
    page = c.get("/desk/feeds").text
    rows = dict(re.findall(r"<strong>(nguon-[a-z]+)</strong>(.*?)</tr>", page, re.S))
    assert set(rows) == {"nguon-moi", "nguon-cu"}
    assert "Quá hạn cập nhật" in rows["nguon-cu"] and "Quá hạn cập nhật" not in rows["nguon-moi"]
    assert "Còn hạn" in rows["nguon-moi"]
    assert "https://feeds.example/moi.txt" in rows["nguon-moi"] and "CC0-1.0" in rows["nguon-moi"]
    assert "data/cu.txt" in rows["nguon-cu"] and "Danh sách tin cậy" in rows["nguon-cu"]
    assert "mỗi 1 ngày" in rows["nguon-cu"]
    assert fmt_date(now - timedelta(days=10)) in rows["nguon-cu"]  # Vietnamese dd/mm/yyyy, local time
    assert "10 ngày trước" in rows["nguon-cu"]
    assert "1 nguồn đã quá hạn cập nhật" in page
    assert "kiemchung scam update" in page and "load-bundled" not in page


def test_admin_loads_bundled_blocklist(client_for) -> None:  # type: ignore[no-untyped-def]
    admin, token = client_for("admin")
    assert "Chưa có nguồn danh sách nào" in admin.get("/desk/feeds").text
    r = admin.post("/desk/feeds/load-bundled", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    page = admin.get("/desk/feeds").text
    assert blocklist.SEED_FEED in page and blocklist.SEED_PROVENANCE["licence"] in page
    with session_scope() as s:
        feed = s.scalar(select(models.Feed).where(models.Feed.name == blocklist.SEED_FEED))
        assert feed is not None and feed.entry_count > 1000


def test_loading_the_bundled_blocklist_is_a_job_not_request_work(client_for, memory_queue) -> None:  # type: ignore[no-untyped-def]
    admin, token = client_for("admin")
    r = admin.post("/desk/feeds/load-bundled", data={"csrf_token": token})
    assert r.status_code == 200 and "Đang nạp danh sách kèm theo" in r.text
    with session_scope() as s:  # nothing loaded inside the request
        assert s.scalar(select(models.Feed).where(models.Feed.name == blocklist.SEED_FEED)) is None
    assert [t.name for t in memory_queue.pending()] == ["load_bundled_feed"]
    while (task := memory_queue.dequeue()) is not None:  # the worker's side
        memory_queue.execute(task)
    with session_scope() as s:
        feed = s.scalar(select(models.Feed).where(models.Feed.name == blocklist.SEED_FEED))
        assert feed is not None and feed.entry_count > 1000
    assert blocklist.SEED_FEED in admin.get("/desk/feeds").text


@pytest.mark.parametrize("path", ["/desk/sources", "/desk/feeds"])
def test_pages_in_english(client_for, path: str) -> None:  # type: ignore[no-untyped-def]
    c, _ = client_for("admin")
    text = c.get(path, params={"lang": "en"}).text
    assert ("Registry of official channels" if path == "/desk/sources" else "Scam feeds") in text
