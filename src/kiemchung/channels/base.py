"""What every chat adapter shares: the incoming message, the outgoing one, and send errors."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from kiemchung.settings import Settings


@dataclass
class IncomingMessage:
    """One event from a platform, reduced to what the conversation needs.

    ``user_id`` is the platform's id, kept only in memory until it is encrypted into the contact
    table; everything stored elsewhere uses ``sender_key`` (a keyed hash).
    """

    platform: str
    event_id: str
    kind: str  # text | image | postback | follow | unfollow | other
    user_id: str
    text: str = ""
    images: list[str] = field(default_factory=list)
    payload: str = ""  # quick-reply / button / callback payload
    timestamp: float | None = None  # seconds since the epoch, as the platform stamped it
    tap: str = ""  # the platform's handle to acknowledge a button tap (Telegram's callback_query id)


@dataclass
class Button:
    title: str
    payload: str
    short: str = ""  # for platforms with tight title limits (Messenger: 20 characters)

    def label(self, limit: int) -> str:
        """
        >>> Button("Không phải điều tôi hỏi", "#x", "Không phải ý tôi hỏi").label(20)
        'Không phải ý tôi hỏi'
        """
        return fit(self.short if len(self.title) > limit and self.short else self.title, limit)


@dataclass
class OutgoingMessage:
    text: str
    buttons: list[Button] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": [[b.title, b.payload, b.short] for b in self.buttons]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OutgoingMessage:
        return cls(str(data.get("text", "")), [Button(*(str(v) for v in b)) for b in data.get("buttons", [])])


# What an outbox row says when the platform's reply window had closed: nothing was (or will be) sent.
OUTSIDE_WINDOW = "ngoài thời hạn trả lời của nền tảng"


class SendError(Exception):
    """A send that failed; ``retryable`` for 429/5xx/network, ``retry_after`` in seconds if given,
    ``outside_window`` when the platform refused because the person's last message is too old."""

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        outside_window: bool = False,
    ) -> None:
        super().__init__(reason)
        self.retryable = retryable
        self.retry_after = retry_after
        self.outside_window = outside_window


class Adapter(Protocol):
    name: str
    max_text: int
    max_buttons: int
    max_button_title: int

    def enabled(self, settings: Settings) -> bool: ...

    def verify(self, settings: Settings, headers: dict[str, str], body: bytes) -> bool: ...

    def parse(self, body: bytes) -> list[IncomingMessage]: ...

    def send(self, settings: Settings, user_id: str, message: OutgoingMessage) -> None: ...

    def reply_window(self, settings: Settings) -> timedelta | None: ...


def same(a: str, b: str) -> bool:
    """Constant-time string comparison.

    >>> same("abc", "abc"), same("abc", "abd"), same("", "x")
    (True, False, False)
    """
    return hmac.compare_digest(a.encode(), b.encode())


_URL = re.compile(r"(https?://\S+)")


def _cut(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters at a word boundary, marking the cut.

    >>> _cut("một hai ba bốn", 9), _cut("một", 0)
    ('một hai…', '')
    """
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ""
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" .,;:—-")
    return cut + "…"


def _shrink(piece: str, size: int) -> str:
    """``piece`` (text between links) cut to about ``size`` characters from the inside: its last
    line or sentence, the lead-in to the link after it ("Đọc bài: "), stays.

    >>> _shrink("Kết luận: SAI. Tóm tắt rất dài rất dài. Đọc bài: ", 38)
    'Kết luận: SAI. Tóm tắt rất… Đọc bài: '
    """
    if len(piece) <= size:
        return piece
    body = piece.rstrip()
    gap = piece[len(body) :]  # the space before the link
    nl, dot = body.rfind("\n"), body.rfind(". ")
    start = nl if nl > dot else (dot + 1 if dot >= 0 else -1)
    lead = body[start:] if start >= 0 and len(body) - start <= 40 else ""
    head = body[: len(body) - len(lead)].rstrip()
    room = size - len(lead) - len(gap)
    cut = _cut(head, room) if room >= 2 else ""
    return cut + lead + gap if cut else lead.lstrip() + gap


def fit(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, never losing a link: the words around the links are
    shortened (the longest stretch first), the links themselves stay whole.

    >>> fit("một hai ba bốn", 9)
    'một hai…'
    >>> long = "Kết luận: SAI. " + "rất dài " * 40 + ". Đọc bài: https://kc.vn/kiem-chung/a"
    >>> short = fit(long, 100)
    >>> len(short) <= 100, short.endswith("Đọc bài: https://kc.vn/kiem-chung/a"), short[:14]
    (True, True, 'Kết luận: SAI.')
    """
    if len(text) <= limit:
        return text
    parts = _URL.split(text)  # text, link, text, link, ..., text
    links = parts[1::2]
    if not links or sum(map(len, links)) + len(links) > limit:
        return _cut(text, limit)
    words = parts[0::2]
    excess = len(text) - limit
    while excess > 0:
        i = max(range(len(words)), key=lambda n: len(words[n]))
        shorter = _shrink(words[i], len(words[i]) - excess)
        if len(shorter) >= len(words[i]):
            break
        excess -= len(words[i]) - len(shorter)
        words[i] = shorter
    out = "".join(w + (links[n] if n < len(links) else "") for n, w in enumerate(words))
    return out if len(out) <= limit else _cut(out, limit)


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta seconds only; dates are rare on these APIs).

    >>> retry_after("3"), retry_after(None), retry_after("soon")
    (3.0, None, None)
    """
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def hexdigest(*parts: str) -> str:
    return hashlib.sha256("".join(parts).encode()).hexdigest()
