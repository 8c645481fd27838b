"""Webhook endpoints: verify, store once, acknowledge; the conversation runs after the response."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import orjson
from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from kiemchung.channels import messenger
from kiemchung.channels.service import ADAPTERS, accept
from kiemchung.channels.writer import acknowledging, writing
from kiemchung.jobs import tasks
from kiemchung.jobs.queue import enqueue
from kiemchung.settings import get_settings
from kiemchung.web.deps import SessionDep

router = APIRouter(prefix="/webhooks", include_in_schema=False)


@router.get("/messenger")
def messenger_handshake(request: Request) -> Response:
    settings = get_settings()
    if not messenger.enabled(settings):
        return Response(status_code=404)
    q = request.query_params
    challenge = messenger.handshake(
        settings, q.get("hub.mode", ""), q.get("hub.verify_token", ""), q.get("hub.challenge", "")
    )
    if challenge is None:
        return Response(status_code=403)
    return PlainTextResponse(challenge)


async def raw_body(request: Request) -> AsyncIterator[bytes]:
    """The exact bytes the platform signed (read here so the handler itself can run in a thread).

    From here until the handler returns, the background drain gives way: acknowledging the
    platforms within their timeouts comes before answering (which may wait a little).
    """
    with acknowledging():
        yield await request.body()


@router.post("/{platform}")
def webhook(
    platform: str,
    request: Request,
    background: BackgroundTasks,
    db: SessionDep,
    body: Annotated[bytes, Depends(raw_body, scope="function")],
) -> Response:
    # A plain ``def``: the database work runs in the thread pool, never blocking the event loop
    # that acknowledges the other platforms' requests.
    adapter = ADAPTERS.get(platform)
    settings = get_settings()
    if adapter is None or not adapter.enabled(settings):
        return Response(status_code=404)
    headers = {k.lower(): v for k, v in request.headers.items()}
    if not adapter.verify(settings, headers, body):
        return Response(status_code=401 if platform == "telegram" else 403)
    try:
        messages = adapter.parse(body)
    except (orjson.JSONDecodeError, ValueError, TypeError, AttributeError):
        return JSONResponse({"ok": False, "error": "malformed"}, status_code=400)
    with writing(
        ack=True
    ):  # committed here, inside the writer queue (the dependency's commit is then a no-op)
        new, dup = accept(db, platform, messages)
        db.commit()
    taps = [m.tap for m in messages if m.tap]
    if new and taps and hasattr(adapter, "acknowledge"):
        # After the response, before the drain: the tapped button stops spinning at once. (Telegram
        # sends one update per request, so ``new`` means this tap was not seen before.)
        background.add_task(adapter.acknowledge, settings, taps)
    if new:
        # A job once the session dependency committed the events (never in this request).
        background.add_task(enqueue, tasks.channel_drain)
    return JSONResponse({"ok": True, "accepted": new, "ignored": dup})
