"""Zalo Official Account (OA API v3).

Webhook: ``X-ZEvent-Signature: mac=<sha256 hex of app_id + raw body + timestamp + OA secret>``,
the timestamp being the event's ``timestamp`` field (milliseconds). Events handled:
``user_send_text``, ``user_send_image``, ``follow``, ``unfollow`` (these two carry no message id:
theirs is the event name, its timestamp and the sender's pseudonymous key). Replies go to the OA
customer-service message endpoint (``POST /v3.0/oa/message/cs``, ``access_token`` header); Zalo
answers HTTP 200 with ``error`` != 0 on failure, and -216 means the access token expired, which is
then refreshed once through the OAuth endpoint when a refresh token is configured. The renewed
pair is stored encrypted (``channel_token``): a Zalo refresh token works once, so a restart or
another process must use the latest one, never the configured one again. A customer-service
("tư vấn") message is accepted only within 7 days of the person's last interaction with the OA
(``reply_window``; Zalo answers -230 afterwards, and -232 / -305 for related expiries), of which
the first 48 hours carry the free reply quota.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import httpx
import orjson

from kiemchung.channels import crypto
from kiemchung.channels.base import (
    IncomingMessage,
    OutgoingMessage,
    SendError,
    fit,
    hexdigest,
    retry_after,
    same,
)
from kiemchung.channels.writer import writing
from kiemchung.settings import Settings
from kiemchung.store import locks
from kiemchung.store.models import ChannelToken, utcnow

name = "zalo"
max_text = 2000
max_buttons = 5
max_button_title = 100
TIMEOUT = 10.0
TOKEN_EXPIRED = (-216, -124)
# "User has not interacted with the OA in the past 7 days", "... or the last interaction has
# expired", "cannot response to user after 48 hours": the window is closed, retrying cannot help
WINDOW_CLOSED = (-230, -232, -305)

_tokens: dict[str, str] = {}  # this process's copy of the renewed tokens (stored in ``channel_token``)
_token_lock = threading.Lock()


def enabled(settings: Settings) -> bool:
    return bool(settings.zalo_app_id and settings.zalo_oa_secret and settings.zalo_access_token)


def reply_window(settings: Settings) -> timedelta:
    """How long after the person's last interaction a customer-service message is accepted (7 days)."""
    return timedelta(hours=settings.zalo_reply_window_hours)


def signature(app_id: str, body: bytes, timestamp: str, secret: str) -> str:
    """The header value Zalo sends.

    >>> signature("1", b"{}", "2", "s") == "mac=" + hexdigest("1{}2s")
    True
    """
    return "mac=" + hexdigest(app_id, body.decode("utf-8"), timestamp, secret)


def verify(settings: Settings, headers: dict[str, str], body: bytes) -> bool:
    given = headers.get("x-zevent-signature", "")
    try:
        data = orjson.loads(body)
        stamp = str(data.get("timestamp", ""))
        text = body.decode("utf-8")
    except (orjson.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return False
    expected = "mac=" + hexdigest(settings.zalo_app_id, text, stamp, settings.zalo_oa_secret)
    return bool(given) and same(given, expected)


def parse(body: bytes) -> list[IncomingMessage]:
    data: dict[str, Any] = orjson.loads(body)
    event = str(data.get("event_name", ""))
    try:
        stamp: float | None = int(str(data.get("timestamp"))) / 1000.0
    except ValueError:
        stamp = None
    if event in ("follow", "unfollow"):
        uid = str((data.get("follower") or {}).get("id") or (data.get("user_id_by_app") or ""))
        if not uid:
            return []
        # No message id on these events: the id is the event, its time and who (by the keyed
        # pseudonym, never the platform id), so two people following in the same millisecond
        # are two events while Zalo's retry of one is still the same.
        eid = f"{event}:{data.get('timestamp')}:{crypto.sender_key(name, uid)}"
        return [IncomingMessage(name, eid, event, uid, timestamp=stamp)]
    uid = str((data.get("sender") or {}).get("id") or "")
    msg = data.get("message") or {}
    mid = str(msg.get("msg_id") or "")
    if not uid or not mid:
        return []
    text = str(msg.get("text") or "")
    if event == "user_send_text":
        # A tapped "oa.query" button comes back as the payload text itself.
        payload = text if text.startswith("#") else ""
        kind = "postback" if payload else "text"
        return [
            IncomingMessage(
                name, mid, kind, uid, text="" if payload else text, payload=payload, timestamp=stamp
            )
        ]
    if event == "user_send_image":
        images = [
            str((a.get("payload") or {}).get("url") or "")
            for a in msg.get("attachments") or []
            if a.get("type") == "image"
        ]
        return [
            IncomingMessage(
                name, mid, "image", uid, text=text, images=[i for i in images if i], timestamp=stamp
            )
        ]
    return [IncomingMessage(name, mid, "other", uid, timestamp=stamp)]


TOKEN_ROW = "zalo"


def _seed(settings: Settings) -> str:
    """Which configured pair the stored tokens were renewed from: pasting a new pair in the
    settings (or restoring an old database) makes the configured one win again."""
    return hexdigest(settings.zalo_access_token, "\x1f", settings.zalo_refresh_token)[:16]


def _stored(settings: Settings) -> dict[str, str]:
    """The last renewed pair from the database (decrypted), if renewed from the configured pair."""
    from kiemchung.store.db import session_scope

    with session_scope() as session:
        row = session.get(ChannelToken, TOKEN_ROW)
        blob = crypto.decrypt(row.value) if row is not None else None
    try:
        data = orjson.loads(blob) if blob else {}
    except orjson.JSONDecodeError:
        return {}
    if not isinstance(data, dict) or data.get("seed") != _seed(settings):
        return {}
    return {k: str(data[k]) for k in ("access", "refresh") if data.get(k)}


def _store(settings: Settings, tokens: dict[str, str]) -> None:
    from kiemchung.store.db import session_scope

    blob = crypto.encrypt(orjson.dumps({**tokens, "seed": _seed(settings)}).decode())
    with writing(), session_scope() as session:
        row = session.get(ChannelToken, TOKEN_ROW)
        if row is None:
            session.add(ChannelToken(name=TOKEN_ROW, value=blob))
        else:
            row.value, row.updated_at = blob, utcnow()


def _access_token(settings: Settings) -> str:
    if "loaded" not in _tokens:  # first send of this process: the last renewed token, if any
        _tokens.update(_stored(settings))
        _tokens["loaded"] = "1"
    return _tokens.get("access", settings.zalo_access_token)


def refresh_token(settings: Settings, used: str = "") -> bool:
    """Renew the access token (OAuth v4 ``refresh_token`` grant); False when not configured or refused.

    A refresh token works once, so the renewed pair is stored (encrypted) before it is used, and
    renewing holds a lock across processes: a process whose ``used`` token is already replaced in
    the database takes the new one instead of spending the refresh token again.
    """
    if not settings.zalo_app_secret:
        return False
    with _token_lock, locks.hold(locks.ZALO_TOKEN, wait=True):
        stored = _stored(settings)
        if stored.get("access") and stored["access"] != used:  # renewed meanwhile by another process
            _tokens.update(stored)
            return True
        refresh = stored.get("refresh") or _tokens.get("refresh") or settings.zalo_refresh_token
        if not refresh:
            return False
        try:
            r = httpx.post(
                f"{settings.zalo_oauth_base}/v4/oa/access_token",
                headers={"secret_key": settings.zalo_app_secret},
                data={
                    "refresh_token": refresh,
                    "app_id": settings.zalo_app_id,
                    "grant_type": "refresh_token",
                },
                timeout=TIMEOUT,
            )
            data = r.json()
        except (httpx.HTTPError, ValueError):
            return False
        if r.status_code != 200 or not data.get("access_token"):
            return False
        renewed = {"access": str(data["access_token"]), "refresh": str(data.get("refresh_token") or refresh)}
        _store(settings, renewed)
        _tokens.update(renewed)
        return True


def render(message: OutgoingMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"text": fit(message.text, max_text)}
    if message.buttons:
        out["attachment"] = {
            "type": "template",
            "payload": {
                "buttons": [
                    # "oa.query.hide" sends the payload back as the user's message, unseen by them.
                    {"title": b.label(max_button_title), "payload": b.payload, "type": "oa.query.hide"}
                    for b in message.buttons[:max_buttons]
                ]
            },
        }
    return out


def send(settings: Settings, user_id: str, message: OutgoingMessage) -> None:
    body = {"recipient": {"user_id": user_id}, "message": render(message)}
    for attempt in (1, 2):
        token = _access_token(settings)
        try:
            r = httpx.post(
                f"{settings.zalo_api_base}/v3.0/oa/message/cs",
                headers={"access_token": token},
                json=body,
                timeout=TIMEOUT,
            )
        except httpx.HTTPError as exc:
            raise SendError(f"network: {type(exc).__name__}", retryable=True) from exc
        if r.status_code == 429 or r.status_code >= 500:
            raise SendError(
                f"HTTP {r.status_code}", retryable=True, retry_after=retry_after(r.headers.get("retry-after"))
            )
        try:
            data = r.json()
        except ValueError as exc:
            raise SendError(f"HTTP {r.status_code}: not JSON", retryable=r.status_code >= 500) from exc
        code = int(data.get("error", 0) or 0)
        if r.status_code == 200 and code == 0:
            return
        if code in TOKEN_EXPIRED and attempt == 1 and refresh_token(settings, token):
            continue
        raise SendError(
            f"HTTP {r.status_code} Zalo error {code}: {str(data.get('message', ''))[:200]}",
            retryable=False,
            outside_window=code in WINDOW_CLOSED,
        )
