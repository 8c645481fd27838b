"""Pictures sent in chat: fetch them from the platform and read them like an image tip.

Zalo (``user_send_image``) and Messenger (image attachments) give a URL on the platform's CDN;
Telegram gives a ``file_id`` that ``getFile`` turns into a path under
``{telegram_api_base}/file/bot<token>/``. Every download goes through ``kiemchung.net.safe_fetch``
(public addresses only, capped at the image intake's size limit, timed), then through
``kiemchung.media.service.read_image`` (sniffed, metadata stripped, OCR, PDQ) — in memory, before
the conversation's transaction, so a slow picture never holds the database.

    >>> telegram_file_id("telegram-file:AgACAgIAAxkBAAIB")
    'AgACAgIAAxkBAAIB'
    >>> telegram_file_id("https://cdn.example/a.jpg") is None
    True

``ALLOW`` is the only way to let a download reach a private address (the tests' local fake
platform): a module attribute, not a setting, so no configuration can open it in production.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from kiemchung.media.intake import MAX_BYTES, ImageRejected
from kiemchung.net import Allowance, FetchError, safe_fetch
from kiemchung.settings import Settings
from kiemchung.store.models import MediaImage

log = logging.getLogger(__name__)
TIMEOUT = 15.0
TELEGRAM_PREFIX = "telegram-file:"
ALLOW: Allowance | None = None  # None: the operator's allowance from settings (public addresses only)


def telegram_file_id(ref: str) -> str | None:
    return ref[len(TELEGRAM_PREFIX) :] if ref.startswith(TELEGRAM_PREFIX) else None


def _telegram_url(settings: Settings, file_id: str) -> str:
    """``getFile`` on the configured Bot API, then the file's download URL."""
    from kiemchung.channels import telegram

    r = telegram.api(settings, "getFile", {"file_id": file_id})
    data: Any = r.json() if r.status_code == 200 else {}
    path = str(((data or {}).get("result") or {}).get("file_path") or "")
    if not path:
        raise FetchError(f"Telegram getFile: HTTP {r.status_code}", kind="http")
    return f"{settings.telegram_api_base}/file/bot{settings.telegram_bot_token}/{path}"


def download(settings: Settings, ref: str) -> bytes:
    """The bytes of one picture reference from an incoming message; FetchError when unavailable."""
    file_id = telegram_file_id(ref)
    try:
        url = _telegram_url(settings, file_id) if file_id is not None else ref
    except (httpx.HTTPError, ValueError) as exc:
        raise FetchError(f"Telegram getFile: {type(exc).__name__}") from None
    resp = safe_fetch(url, max_bytes=MAX_BYTES, timeout=TIMEOUT, allow=ALLOW)
    if resp.status_code != 200:
        raise FetchError(f"HTTP {resp.status_code}", kind="http")
    return resp.content


def read_chat_image(settings: Settings, platform: str, refs: list[str]) -> MediaImage | None:
    """The first picture of a message that can be fetched and read (not stored yet), or None."""
    from kiemchung.media.service import read_image

    for ref in refs[:3]:
        try:
            return read_image(download(settings, ref))
        except (FetchError, ImageRejected) as exc:
            # The reason only: a Telegram download URL holds the bot token, a CDN URL a signature.
            log.warning("%s: picture not read (%s)", platform, getattr(exc, "kind", "rejected"))
    return None
