"""One language per ``kiemchung`` process: the command line in Vietnamese or in English.

Help texts are Vietnamese message ids marked with ``N_()`` (``help=N_("Tệp sao lưu")``), like every
other user-facing text; printed messages use ``_()``. The language is chosen once, when the command
starts: ``KIEMCHUNG_DEFAULT_LANG`` when it is set, else English when the locale (``LC_ALL``, then
``LC_MESSAGES``, then ``LANG``) is an English one, else Vietnamese:

    >>> cli_lang({"KIEMCHUNG_DEFAULT_LANG": "en"}), cli_lang({"LANG": "en_GB.UTF-8"})
    ('en', 'en')
    >>> cli_lang({"LANG": "vi_VN.UTF-8"}), cli_lang({"LANG": "C.UTF-8"})
    ('vi', 'vi')
    >>> cli_lang({"KIEMCHUNG_DEFAULT_LANG": "vi", "LC_ALL": "en_US.UTF-8"})   # the setting wins
    'vi'

Typer reads help texts when the command is built, before the language is known, so every group is
made with :func:`new_app`: its :class:`TranslatedGroup` translates the help of the whole command
tree (commands, options, arguments) and sets the language of the printed messages when it runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import typer
from typer.core import TyperGroup

from kiemchung.web.i18n import Lang, _, use_lang

LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")
_ATTRS = ("help", "short_help", "epilog")


def cli_lang(environ: Mapping[str, str] | None = None) -> Lang:
    """The language of this process's command line (see the module's text)."""
    env = os.environ if environ is None else environ
    explicit = (env.get("KIEMCHUNG_DEFAULT_LANG") or "").strip().lower()
    if explicit:
        return "en" if explicit == "en" else "vi"
    if environ is None:  # set in .env: as explicit as the environment variable
        from kiemchung.settings import get_settings

        try:
            settings = get_settings()
        except Exception:  # an unusable configuration is reported by the command itself
            settings = None
        if settings is not None and "default_lang" in settings.model_fields_set:
            return settings.default_lang
    locale = next((env[name] for name in LOCALE_VARS if env.get(name)), "")
    return "en" if locale.lower().startswith("en") else "vi"


def _translate(obj: object) -> None:
    """Replace the help texts of ``obj`` by their translation, keeping the message ids."""
    msgids: dict[str, Any] = obj.__dict__.setdefault("_kiemchung_msgids", {})
    for attr in _ATTRS:
        if not hasattr(obj, attr):
            continue
        if attr not in msgids:
            msgids[attr] = getattr(obj, attr)
        msgid = msgids[attr]
        setattr(obj, attr, _(msgid) if isinstance(msgid, str) and msgid else msgid)


def translate_tree(command: object) -> None:
    """Translate the help of a click ``command``, its parameters and its sub-commands (current language)."""
    _translate(command)
    for param in getattr(command, "params", []):
        _translate(param)
    for sub in getattr(command, "commands", {}).values():
        translate_tree(sub)


class TranslatedGroup(TyperGroup):
    """A command group whose help and messages are in the language :func:`cli_lang` picks."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with use_lang(cli_lang()):
            translate_tree(self)
            return super().main(*args, **kwargs)


def new_app(help: str, **kwargs: Any) -> typer.Typer:
    """A ``typer.Typer`` with translated help; ``help`` is a Vietnamese message id (``N_(...)``)."""
    kwargs.setdefault("no_args_is_help", True)
    return typer.Typer(cls=TranslatedGroup, help=help, **kwargs)
