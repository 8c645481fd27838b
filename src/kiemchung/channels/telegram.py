"""Telegram Bot API.

``setWebhook`` is given a ``secret_token``; Telegram then sends it in
``X-Telegram-Bot-Api-Secret-Token`` with every update. Handled: ``message`` (text, photo with
caption) and ``callback_query`` (inline keyboard taps). Replies: ``sendMessage`` (4096 characters)
with an ``inline_keyboard`` whose ``callback_data`` is at most 64 bytes. A 429 carries
``parameters.retry_after``. Each tap is answered with ``answerCallbackQuery`` right after the
webhook's response (``acknowledge``): until then the phone shows a spinner on the button. A bot
may write to a person who started it at any time (no reply window), until they block it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import httpx
import orjson

from kiemchung.channels.base import IncomingMessage, OutgoingMessage, SendError, fit, retry_after, same
from kiemchung.settings import Settings

log = logging.getLogger(__name__)

name = "telegram"
max_text = 4096
max_buttons = 8
max_button_title = 64
TIMEOUT = 10.0


def enabled(settings: Settings) -> bool:
    return bool(settings.telegram_bot_token and settings.telegram_secret_token)


def reply_window(settings: Settings) -> timedelta | None:
    """None: Telegram sets no time limit on a bot's replies."""
    return None


def verify(settings: Settings, headers: dict[str, str], body: bytes) -> bool:
    given = headers.get("x-telegram-bot-api-secret-token", "")
    return bool(given) and same(given, settings.telegram_secret_token)


def parse(body: bytes) -> list[IncomingMessage]:
    data: dict[str, Any] = orjson.loads(body)
    update_id = data.get("update_id")
    if not isinstance(update_id, int):
        return []
    eid = str(update_id)
    if "callback_query" in data:
        cq = data["callback_query"] or {}
        chat = ((cq.get("message") or {}).get("chat") or {}).get("id") or (cq.get("from") or {}).get("id")
        if chat is None:
            return []
        # A tap on an old message is still a fresh event: no staleness check on callbacks.
        return [
            IncomingMessage(
                name,
                eid,
                "postback",
                str(chat),
                payload=str(cq.get("data") or ""),
                tap=str(cq.get("id") or ""),
            )
        ]
    msg = data.get("message")
    if not isinstance(msg, dict):
        return []
    chat = (msg.get("chat") or {}).get("id")
    if chat is None or (msg.get("chat") or {}).get("type", "private") != "private":
        return []  # the bot answers people one to one, not groups
    ts = float(msg["date"]) if isinstance(msg.get("date"), int) else None
    if msg.get("photo"):
        biggest = max(msg["photo"], key=lambda p: int(p.get("file_size") or p.get("width") or 0))
        return [
            IncomingMessage(
                name,
                eid,
                "image",
                str(chat),
                text=str(msg.get("caption") or ""),
                images=[f"telegram-file:{biggest.get('file_id')}"],
                timestamp=ts,
            )
        ]
    text = str(msg.get("text") or "")
    return [IncomingMessage(name, eid, "text" if text else "other", str(chat), text=text, timestamp=ts)]


def _payload(data: str) -> str:
    """``callback_data`` is limited to 64 bytes."""
    raw = data.encode()[:64]
    return raw.decode("utf-8", "ignore")


def render(message: OutgoingMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"text": fit(message.text, max_text), "disable_web_page_preview": True}
    if message.buttons:
        out["reply_markup"] = {
            "inline_keyboard": [
                [{"text": b.label(max_button_title), "callback_data": _payload(b.payload)}]
                for b in message.buttons[:max_buttons]
            ]
        }
    return out


def api(settings: Settings, method: str, payload: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        f"{settings.telegram_api_base}/bot{settings.telegram_bot_token}/{method}",
        json=payload,
        timeout=TIMEOUT,
    )


def send(settings: Settings, user_id: str, message: OutgoingMessage) -> None:
    try:
        r = api(settings, "sendMessage", {"chat_id": user_id, **render(message)})
    except httpx.HTTPError as exc:
        # the URL holds the bot token: never put the exception text (which may quote it) in the reason
        raise SendError(f"network: {type(exc).__name__}", retryable=True) from exc
    if r.status_code == 200:
        return
    wait = retry_after(r.headers.get("retry-after"))
    try:
        data = r.json()
        wait = (
            wait
            if wait is not None
            else retry_after(str((data.get("parameters") or {}).get("retry_after") or ""))
        )
        detail = f": {str(data.get('description', ''))[:200]}"
    except (ValueError, AttributeError):
        detail = ""
    raise SendError(
        f"HTTP {r.status_code}{detail}",
        retryable=r.status_code == 429 or r.status_code >= 500,
        retry_after=wait,
    )


def acknowledge(settings: Settings, taps: list[str]) -> None:
    """Answer each tapped button (``answerCallbackQuery``) so the phone stops its spinner.

    Best effort and never retried: Telegram refuses an answer to a query older than a few
    seconds, and the reply itself goes through the outbox anyway.
    """
    for tap in taps:
        try:
            r = api(settings, "answerCallbackQuery", {"callback_query_id": tap})
        except httpx.HTTPError as exc:  # the URL holds the bot token: the exception type only
            log.warning("telegram answerCallbackQuery failed: %s", type(exc).__name__)
            continue
        if r.status_code != 200:
            log.warning("telegram answerCallbackQuery answered HTTP %s", r.status_code)


def set_webhook(settings: Settings, url: str) -> dict[str, Any]:
    """Register ``url`` with the secret token; returns Telegram's answer."""
    r = api(
        settings,
        "setWebhook",
        {
            "url": url,
            "secret_token": settings.telegram_secret_token,
            "allowed_updates": ["message", "callback_query"],
        },
    )
    return dict(r.json())
