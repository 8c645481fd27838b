"""Facebook Messenger (Graph API webhooks and the Send API).

The subscription handshake is a GET with ``hub.mode=subscribe``, ``hub.verify_token`` and
``hub.challenge`` (echoed back when the token matches). Each POST carries ``X-Hub-Signature-256:
sha256=<HMAC-SHA256 of the raw body with the app secret>``. Handled: ``messages`` (text, image
attachments, quick-reply payloads) and ``messaging_postbacks``. Replies: ``POST /me/messages``
with ``messaging_type: RESPONSE`` and at most 13 quick replies of 20 characters. A ``RESPONSE`` is
allowed only within 24 hours of the person's last message (``reply_window``); later, Meta allows
only message tags for narrow purposes (account updates, event reminders, …), and a fact-check
result fits none of them, so we never tag. The Send API's refusal for a closed window (code 10,
subcode 2018278) is recognised as such.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

import httpx
import orjson

from kiemchung.channels import crypto
from kiemchung.channels.base import IncomingMessage, OutgoingMessage, SendError, fit, retry_after, same
from kiemchung.settings import Settings

name = "messenger"
max_text = 2000
max_buttons = 13
max_button_title = 20
TIMEOUT = 10.0
WINDOW_CLOSED = (10, 2018278)  # (code, error_subcode): "sent outside of allowed window"


def enabled(settings: Settings) -> bool:
    return bool(
        settings.messenger_app_secret and settings.messenger_verify_token and settings.messenger_page_token
    )


def reply_window(settings: Settings) -> timedelta:
    """How long after the person's last message a ``RESPONSE`` is still accepted (24 h)."""
    return timedelta(hours=settings.messenger_reply_window_hours)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(settings: Settings, headers: dict[str, str], body: bytes) -> bool:
    given = headers.get("x-hub-signature-256", "")
    return bool(given) and same(given, signature(settings.messenger_app_secret, body))


def handshake(settings: Settings, mode: str, token: str, challenge: str) -> str | None:
    """The challenge to echo, or None when the verify token is wrong."""
    if mode == "subscribe" and token and same(token, settings.messenger_verify_token):
        return challenge
    return None


def parse(body: bytes) -> list[IncomingMessage]:
    data: dict[str, Any] = orjson.loads(body)
    if data.get("object") != "page":
        return []
    out: list[IncomingMessage] = []
    for entry in data.get("entry") or []:
        for ev in entry.get("messaging") or []:
            uid = str((ev.get("sender") or {}).get("id") or "")
            stamp = ev.get("timestamp")
            ts = float(stamp) / 1000.0 if isinstance(stamp, int | float) else None
            if not uid:
                continue
            if "message" in ev:
                msg = ev["message"] or {}
                if msg.get("is_echo"):
                    continue  # our own reply, echoed back
                mid = str(msg.get("mid") or "")
                qr = str((msg.get("quick_reply") or {}).get("payload") or "")
                images = [
                    str((a.get("payload") or {}).get("url") or "")
                    for a in msg.get("attachments") or []
                    if a.get("type") == "image"
                ]
                kind = "postback" if qr else ("image" if images and not msg.get("text") else "text")
                out.append(
                    IncomingMessage(
                        name,
                        mid,
                        kind,
                        uid,
                        text=str(msg.get("text") or "") if not qr else "",
                        images=[i for i in images if i],
                        payload=qr,
                        timestamp=ts,
                    )
                )
            elif "postback" in ev:
                pb = ev["postback"] or {}
                # an older postback without ``mid``: its time and who (the keyed pseudonym) name it
                mid = str(pb.get("mid") or f"postback:{stamp}:{crypto.sender_key(name, uid)}")
                out.append(
                    IncomingMessage(
                        name, mid, "postback", uid, payload=str(pb.get("payload") or ""), timestamp=ts
                    )
                )
    return [m for m in out if m.event_id]


def render(message: OutgoingMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"text": fit(message.text, max_text)}
    if message.buttons:
        out["quick_replies"] = [
            {"content_type": "text", "title": b.label(max_button_title), "payload": b.payload}
            for b in message.buttons[:max_buttons]
        ]
    return out


def send(settings: Settings, user_id: str, message: OutgoingMessage) -> None:
    try:
        r = httpx.post(
            f"{settings.messenger_api_base}/me/messages",
            params={"access_token": settings.messenger_page_token},
            json={"recipient": {"id": user_id}, "messaging_type": "RESPONSE", "message": render(message)},
            timeout=TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise SendError(f"network: {type(exc).__name__}", retryable=True) from exc
    if r.status_code == 200:
        return
    retryable = r.status_code == 429 or r.status_code >= 500
    try:
        err = r.json().get("error") or {}
        detail = f" code {err.get('code')}: {str(err.get('message', ''))[:200]}"
        closed = err.get("error_subcode") == WINDOW_CLOSED[1] or (
            err.get("code") == WINDOW_CLOSED[0] and "window" in str(err.get("message", ""))
        )
    except (ValueError, AttributeError):
        detail, closed = "", False
    raise SendError(
        f"HTTP {r.status_code}{detail}",
        retryable=retryable and not closed,
        retry_after=retry_after(r.headers.get("retry-after")),
        outside_window=closed,
    )
