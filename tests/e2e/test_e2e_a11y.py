"""axe-core over every public and desk page, at desktop (1280) and phone (390) widths.

The gate: no critical and no serious violation. axe-core comes bundled in the
``axe-playwright-python`` package (no download); the browser is Debian's Chromium. Each page's
screenshot goes to ``test-artifacts/a11y/`` and the counts to ``test-artifacts/a11y/axe.json``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # as the e2e fixtures write them

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "kiemchung-demo"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
GATE = ("critical", "serious")


def _first(page: Any, base: str, path: str, pattern: str) -> str:
    """The first link on ``path`` matching ``pattern`` (so the test follows the demo data)."""
    page.goto(base + path)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    for h in hrefs:
        if re.fullmatch(pattern, h or ""):
            return str(h)
    raise AssertionError(f"no link like {pattern} on {path}")


def _tip_status(page: Any, base: str, fc: str) -> str:
    """A tip status page: the tip asks what a published fact-check answers (the answered card)."""
    page.goto(base + fc)
    claim = page.inner_text("h1.claim")
    r = page.request.post(base + "/api/v1/tips", data={"text": claim})
    assert r.ok, r.text()
    return "/gui-tin/trang-thai/" + str(r.json()["status_url"]).rsplit("/", 1)[1]


def _public_pages(page: Any, base: str) -> list[str]:
    fc = _first(page, base, "/kiem-chung", r"/kiem-chung/[\w-]+")
    topic = _first(page, base, "/", r"/chu-de/[\w-]+")
    incident = _first(page, base, "/su-kien", r"/su-kien/[\w-]+")
    thread = _first(page, base, "/gop-y", r"/gop-y/y-kien/[\w-]+")
    return [
        "/",
        "/kiem-chung",
        fc,
        topic,
        "/tim-kiem?q=vaccine",
        "/tim-kiem?q=xyzzy",
        "/phuong-phap",
        "/dinh-chinh",
        "/gioi-thieu",
        "/su-kien",
        incident,
        incident + "/nhung",
        "/nguoi-dan-hoi",
        "/gop-y",
        "/gop-y?tinh=1&xa=70",  # the ward filter, shown once a province is chosen
        "/gop-y/thong-ke",
        thread,
        _tip_status(page, base, fc),
        "/kiem-tra",
        "/kiem-tra?q=vietcornbank.com.vn",
        "/gui-tin",
        "/khong-co-trang-nay",
        "/api/v1/docs",
        "/desk/login",
    ]


def _desk_pages(page: Any, base: str) -> list[str]:
    claim = _first(page, base, "/desk/", r"/desk/claims/\d+")
    fc = _first(page, base, "/desk/fact-checks", r"/desk/fact-checks/\d+")
    incident = _first(page, base, "/desk/incidents", r"/desk/incidents/\d+")
    doc = _first(page, base, "/desk/library", r"/desk/library/\d+")
    thread = _first(page, base, "/desk/gop-y", r"/desk/gop-y/\d+")
    return [
        "/desk/",
        claim,
        "/desk/fact-checks",
        fc,
        fc + "/edit",
        fc + "/history",
        "/desk/fact-checks/new",
        "/desk/incidents",
        incident,
        "/desk/incidents/new",
        "/desk/incidents/surges",
        "/desk/gop-y",
        "/desk/gop-y?province=1&ward=70",
        thread,
        "/desk/jobs",
        "/desk/library",
        doc,
        "/desk/images",
        "/desk/indicators",
        "/desk/sources",
        "/desk/feeds",
        "/desk/analytics",
        "/desk/channels",
        "/desk/audit",
        "/desk/users",
    ]


def _login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/desk/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("form[action='/desk/login'] button[type=submit]")
    page.wait_for_url(re.compile(re.escape(base) + r"/desk/$"))


def test_no_serious_accessibility_violation_on_any_page(browser: Any, live_server: str, shot: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    base = live_server
    failures: list[str] = []
    counts: dict[str, dict[str, int]] = {}
    for width_name, (w, h) in WIDTHS.items():
        ctx = browser.new_context(viewport={"width": w, "height": h}, locale="vi-VN", is_mobile=w < 600)
        ctx.set_default_timeout(20_000)
        page = ctx.new_page()
        pages = [("public", p) for p in _public_pages(page, base)]
        _login(page, base, "admin@demo.kiemchung.vn")
        pages += [("desk", p) for p in _desk_pages(page, base)]
        # English last: the chosen language sticks for the pages after it
        fc = next(p for k, p in pages if k == "public" and p.startswith("/kiem-chung/"))
        pages += [("public", "/?lang=en"), ("public", fc + "?lang=en")]
        for kind, path in pages:
            page.goto(base + path)
            if path == "/api/v1/docs":
                page.locator(".swagger-ui .info").wait_for()
            if kind == "public" and path.startswith("/desk/login"):
                continue  # signed in: the login page redirects; checked signed out below
            result = axe.run(page)
            violations = result.response["violations"]
            name = f"{width_name}{re.sub(r'[^a-z0-9]+', '-', path.lower()).rstrip('-') or '-home'}"
            counts[name] = {}
            for v in violations:
                counts[name][v["impact"] or "none"] = counts[name].get(v["impact"] or "none", 0) + len(
                    v["nodes"]
                )
                if v["impact"] in GATE:
                    targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
                    failures.append(
                        f"{width_name} {path}: {v['impact']} {v['id']} ({len(v['nodes'])}) {targets}"
                    )
            shot(page, name, full_page=False)
        ctx.close()
    # the login page, signed out, at both widths
    for width_name, (w, h) in WIDTHS.items():
        ctx = browser.new_context(viewport={"width": w, "height": h}, locale="vi-VN")
        page = ctx.new_page()
        page.goto(base + "/desk/login")
        for v in axe.run(page).response["violations"]:
            if v["impact"] in GATE:
                failures.append(f"{width_name} /desk/login: {v['impact']} {v['id']}")
        ctx.close()

    (ARTIFACTS / "a11y").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "a11y" / "axe.json").write_text(json.dumps(counts, indent=1, ensure_ascii=False))
    assert not failures, "\n".join(failures)
