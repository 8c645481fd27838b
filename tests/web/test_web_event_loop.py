"""No blocking work on the event loop: every ``async def`` handler and dependency is a reviewed one.

A plain ``def`` handler runs in the thread pool; an ``async def`` one runs on the event loop that
answers every request, so a database write waiting for SQLite's lock (up to the 30 s busy timeout),
OCR or an embedding there freezes the whole server. A new ``async def`` endpoint or dependency fails
this test until it is made a plain ``def`` or reviewed and listed below with why it blocks nothing.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute

# "module.qualname" -> why it does no blocking work on the loop.
REVIEWED_ENDPOINTS = {
    "kiemchung.public.routes.tip_submit": (
        "reads the form and picture; the tip's image reading and database work run in run_in_threadpool"
    ),
    "kiemchung.public.api.submit_tip": (
        "reads the body (base64 decoding of at most one upload); the tip's work runs in run_in_threadpool"
    ),
    "kiemchung.feedback.public.feedback_submit": (
        "reads the form and photo; the honeypot's audit() only adds to the session (the commit runs "
        "in the session dependency's thread); accepting and the error form run in run_in_threadpool"
    ),
    "kiemchung.intake.api.post_items": (
        "streams the body under its size cap; parsing and storing run in run_in_threadpool"
    ),
    "kiemchung.desk.routes.queue.claims_bulk": "reads the form; the bulk update runs in run_in_threadpool",
    "kiemchung.desk.routes.factchecks.fact_check_create": "reads the form; the save runs in run_in_threadpool",
    "kiemchung.desk.routes.factchecks.fact_check_save": "reads the form; the save runs in run_in_threadpool",
    "kiemchung.desk.routes.factchecks.fact_check_preview": (
        "reads the form; the Markdown rendering runs in run_in_threadpool"
    ),
}
REVIEWED_DEPENDENCIES = {
    "kiemchung.web.deps.RequireRole.__call__": (
        "loads the user in run_in_threadpool; awaits the form for the CSRF check"
    ),
    "kiemchung.web.security.require_csrf": "reads the form and compares two tokens",
    "kiemchung.channels.web.raw_body": "reads the request body for the plain-def webhook handler",
}


def _name(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def _is_async(func: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func)


def _routes(app: Any) -> Iterator[Any]:
    """Every API route, through included routers (newer FastAPI keeps them nested)."""
    for r in app.routes:
        if isinstance(r, APIRoute):
            yield r
        elif hasattr(r, "effective_route_contexts"):
            yield from (ctx for ctx in r.effective_route_contexts() if getattr(ctx, "dependant", None))


def _dependencies(dependant: Any) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        call = sub.call
        # A callable instance (RequireRole) runs its class's __call__.
        yield call if inspect.isfunction(call) or inspect.ismethod(call) else type(call).__call__
        yield from _dependencies(sub)


def _async_callables(app: Any) -> tuple[dict[str, str], set[str]]:
    """({async endpoint: its path}, {async dependency})."""
    endpoints: dict[str, str] = {}
    dependencies: set[str] = set()
    for route in _routes(app):
        if _is_async(route.endpoint):
            endpoints[_name(route.endpoint)] = route.path
        dependencies |= {_name(f) for f in _dependencies(route.dependant) if _is_async(f)}
    return endpoints, dependencies


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], set[str]]:
    mp = pytest.MonkeyPatch()
    mp.setenv("KIEMCHUNG_ENV", "test")
    mp.setenv("KIEMCHUNG_DATA_DIR", str(tmp_path_factory.mktemp("var")))
    from kiemchung.settings import get_settings
    from kiemchung.web.app import create_app

    get_settings.cache_clear()
    try:
        return _async_callables(create_app())
    finally:
        mp.undo()
        get_settings.cache_clear()


def test_every_async_endpoint_is_reviewed(found: tuple[dict[str, str], set[str]]) -> None:
    endpoints, _ = found
    unreviewed = {name: path for name, path in endpoints.items() if name not in REVIEWED_ENDPOINTS}
    assert not unreviewed, (
        "async def handlers run on the event loop: make these plain `def` (FastAPI runs them in the "
        f"thread pool) or move their work into run_in_threadpool and list them here: {unreviewed}"
    )


def test_every_async_dependency_is_reviewed(found: tuple[dict[str, str], set[str]]) -> None:
    _, dependencies = found
    assert dependencies <= REVIEWED_DEPENDENCIES.keys(), dependencies - REVIEWED_DEPENDENCIES.keys()


def test_the_reviewed_lists_name_only_async_callables_still_routed(
    found: tuple[dict[str, str], set[str]],
) -> None:
    # A handler made a plain ``def`` (or removed) leaves the list, so it cannot hide a later one.
    endpoints, dependencies = found
    assert REVIEWED_ENDPOINTS.keys() <= endpoints.keys(), REVIEWED_ENDPOINTS.keys() - endpoints.keys()
    assert REVIEWED_DEPENDENCIES.keys() <= dependencies, REVIEWED_DEPENDENCIES.keys() - dependencies


def test_the_image_tools_are_plain_def_handlers(found: tuple[dict[str, str], set[str]]) -> None:
    # Decoding, PDQ, OCR and matching of a picture: never on the loop, never allowed on the list.
    endpoints, _ = found
    image_tools = {"kiemchung.media.web.attach", "kiemchung.media.web.desk_image_ocr"}
    assert not image_tools & endpoints.keys()
    assert not image_tools & REVIEWED_ENDPOINTS.keys()
