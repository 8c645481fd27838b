"""Encrypting platform user ids at rest (Fernet) and the pseudonymous sender key.

The key is ``KIEMCHUNG_CONTACT_KEY``; outside production an unset key is generated once into
``<data_dir>/contact.key`` with mode 0600 (so a development install works without set-up, and
the key never sits in the database next to what it protects).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from kiemchung.settings import Settings, get_settings

_lock = threading.Lock()
_cache: dict[str, Fernet] = {}
_file_keys: dict[str, bytes] = {}


class ContactKeyMissing(RuntimeError):
    """Production runs a chat channel without ``KIEMCHUNG_CONTACT_KEY``."""


def _key_file(settings: Settings) -> Path:
    return settings.data_dir / "contact.key"


def contact_key(settings: Settings | None = None) -> bytes:
    settings = settings or get_settings()
    if settings.contact_key:
        return settings.contact_key.encode()
    if settings.env == "production":
        raise ContactKeyMissing("KIEMCHUNG_CONTACT_KEY must be set in production when a chat channel is on")
    path = _key_file(settings)
    with _lock:
        if str(path) in _file_keys:
            return _file_keys[str(path)]
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(Fernet.generate_key())
        key = _file_keys[str(path)] = path.read_bytes().strip()
        return key


def _fernet(settings: Settings | None = None) -> Fernet:
    key = contact_key(settings)
    found = _cache.get(key.decode())
    if found is None:
        found = _cache[key.decode()] = Fernet(key)
    return found


def encrypt(user_id: str) -> str:
    return _fernet().encrypt(user_id.encode()).decode()


def decrypt(token: str) -> str | None:
    """The user id, or None when the key changed (the reply cannot be sent)."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def sender_key(platform: str, user_id: str) -> str:
    """A pseudonym for (platform, user): stable, keyed (HMAC with the contact key), 32 hex characters."""
    return hmac.new(contact_key(), f"{platform}:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]
