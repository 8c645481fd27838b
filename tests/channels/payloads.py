"""Webhook requests shaped as each platform documents them, signed as the platform signs them."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import orjson

ZALO_APP_ID = "4321987650001"
ZALO_OA_ID = "579745863508352884"
ZALO_SECRET = "zalo-oa-secret-for-tests"
MESSENGER_SECRET = "meta-app-secret-for-tests"
MESSENGER_VERIFY = "verify-me-please"
PAGE_ID = "110223344556677"
TELEGRAM_TOKEN = "7000000001:AAE-test-token-for-the-fake"
TELEGRAM_SECRET = "tg_secret-Token_0123456789"

ENV = {
    "KIEMCHUNG_ZALO_APP_ID": ZALO_APP_ID,
    "KIEMCHUNG_ZALO_OA_SECRET": ZALO_SECRET,
    "KIEMCHUNG_ZALO_ACCESS_TOKEN": "zalo-access-1",
    "KIEMCHUNG_ZALO_APP_SECRET": "zalo-app-secret",
    "KIEMCHUNG_ZALO_REFRESH_TOKEN": "r1",
    "KIEMCHUNG_MESSENGER_APP_SECRET": MESSENGER_SECRET,
    "KIEMCHUNG_MESSENGER_VERIFY_TOKEN": MESSENGER_VERIFY,
    "KIEMCHUNG_MESSENGER_PAGE_TOKEN": "page-token-for-tests",
    "KIEMCHUNG_TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
    "KIEMCHUNG_TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
}


def api_env(base: str) -> dict[str, str]:
    return {
        "KIEMCHUNG_ZALO_API_BASE": base,
        "KIEMCHUNG_ZALO_OAUTH_BASE": base,
        "KIEMCHUNG_MESSENGER_API_BASE": base,
        "KIEMCHUNG_TELEGRAM_API_BASE": base,
    }


Request = tuple[str, bytes, dict[str, str]]  # path, raw body, headers


def _ms(at: float | None) -> int:
    return int((time.time() if at is None else at) * 1000)


def zalo(
    user: str,
    mid: str,
    *,
    text: str = "",
    event: str = "user_send_text",
    at: float | None = None,
    image: str | None = None,
    secret: str = ZALO_SECRET,
) -> Request:
    stamp = str(_ms(at))
    data: dict[str, Any] = {
        "app_id": ZALO_APP_ID,
        "user_id_by_app": "55" + user[-6:],
        "event_name": event,
        "timestamp": stamp,
    }
    if event in ("follow", "unfollow"):
        data |= {"oa_id": ZALO_OA_ID, "source": "oa_profile", "follower": {"id": user}}
    else:
        data |= {"sender": {"id": user}, "recipient": {"id": ZALO_OA_ID}}
        message: dict[str, Any] = {"msg_id": mid, "text": text}
        if image:
            message["attachments"] = [{"type": "image", "payload": {"thumbnail": image, "url": image}}]
        data["message"] = message
    body = orjson.dumps(data)
    mac = "mac=" + hashlib.sha256((ZALO_APP_ID + body.decode() + stamp + secret).encode()).hexdigest()
    return "/webhooks/zalo", body, {"X-ZEvent-Signature": mac, "Content-Type": "application/json"}


def messenger(
    user: str,
    mid: str,
    *,
    text: str = "",
    payload: str = "",
    postback: bool = False,
    at: float | None = None,
    secret: str = MESSENGER_SECRET,
    image: str | None = None,
) -> Request:
    stamp = _ms(at)
    ev: dict[str, Any] = {"sender": {"id": user}, "recipient": {"id": PAGE_ID}, "timestamp": stamp}
    if postback:
        ev["postback"] = {"mid": mid, "title": "Menu", "payload": payload}
    elif image:  # an image attachment: no "text" key at all
        ev["message"] = {"mid": mid, "attachments": [{"type": "image", "payload": {"url": image}}]}
    else:
        msg: dict[str, Any] = {"mid": mid, "text": text}
        if payload:
            msg["quick_reply"] = {"payload": payload}
        ev["message"] = msg
    body = orjson.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": stamp, "messaging": [ev]}]})
    sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return "/webhooks/messenger", body, {"X-Hub-Signature-256": sig, "Content-Type": "application/json"}


def telegram(
    user: str,
    update_id: int,
    *,
    text: str = "",
    callback: str = "",
    at: float | None = None,
    secret: str = TELEGRAM_SECRET,
    photo: str | None = None,
) -> Request:
    who = {"id": int(user), "is_bot": False, "first_name": "Lan", "language_code": "vi"}
    chat = {"id": int(user), "first_name": "Lan", "type": "private"}
    date = int(time.time() if at is None else at)
    if callback:
        data: dict[str, Any] = {
            "update_id": update_id,
            "callback_query": {
                "id": f"cb{update_id}",
                "from": who,
                "chat_instance": "-42",
                "message": {
                    "message_id": 1,
                    "from": {"id": 7000000001, "is_bot": True, "first_name": "Bot"},
                    "chat": chat,
                    "date": date,
                    "text": "…",
                },
                "data": callback,
            },
        }
    elif photo:  # PhotoSize variants of one picture; the caption is optional
        sizes = [
            {
                "file_id": f"{photo}-small",
                "file_unique_id": "s1",
                "file_size": 1200,
                "width": 90,
                "height": 60,
            },
            {"file_id": photo, "file_unique_id": "s2", "file_size": 48000, "width": 800, "height": 533},
        ]
        message: dict[str, Any] = {
            "message_id": update_id,
            "from": who,
            "chat": chat,
            "date": date,
            "photo": sizes,
        }
        if text:
            message["caption"] = text
        data = {"update_id": update_id, "message": message}
    else:
        data = {
            "update_id": update_id,
            "message": {"message_id": update_id, "from": who, "chat": chat, "date": date, "text": text},
        }
    body = orjson.dumps(data)
    return (
        "/webhooks/telegram",
        body,
        {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"},
    )


def sent_text(call_body: dict[str, Any]) -> str:
    """The text of a recorded send, whatever the platform."""
    msg = call_body.get("message")
    return str(msg["text"]) if isinstance(msg, dict) else str(call_body.get("text", ""))


def sent_buttons(call_body: dict[str, Any]) -> list[tuple[str, str]]:
    msg = call_body.get("message")
    if isinstance(msg, dict) and "quick_replies" in msg:
        return [(q["title"], q["payload"]) for q in msg["quick_replies"]]
    if isinstance(msg, dict) and "attachment" in msg:
        return [(b["title"], b["payload"]) for b in msg["attachment"]["payload"]["buttons"]]
    rows = (call_body.get("reply_markup") or {}).get("inline_keyboard") or []
    return [(b["text"], b["callback_data"]) for row in rows for b in row]
