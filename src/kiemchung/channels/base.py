"""What every chat adapter shares: the incoming message, the outgoing one, and send errors."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
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


class SendError(Exception):
    """A send that failed; ``retryable`` for 429/5xx/network, ``retry_after`` in seconds if given."""

    def __init__(self, reason: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retryable = retryable
        self.retry_after = retry_after


class Adapter(Protocol):
    name: str
    max_text: int
    max_buttons: int
    max_button_title: int

    def enabled(self, settings: Settings) -> bool: ...

    def verify(self, settings: Settings, headers: dict[str, str], body: bytes) -> bool: ...

    def parse(self, body: bytes) -> list[IncomingMessage]: ...

    def send(self, settings: Settings, user_id: str, message: OutgoingMessage) -> None: ...


def same(a: str, b: str) -> bool:
    """Constant-time string comparison.

    >>> same("abc", "abc"), same("abc", "abd"), same("", "x")
    (True, False, False)
    """
    return hmac.compare_digest(a.encode(), b.encode())


def fit(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters at a word boundary, marking the cut.

    >>> fit("một hai ba bốn", 9)
    'một hai…'
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip()
    return cut + "…"


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
