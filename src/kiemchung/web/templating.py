"""Jinja2 templates shared by the public site, the desk and the scam lookup.

    return render(request, "public/home.html", {"fact_checks": fcs})

Templates are looked up in ``web/templates`` then each package's ``templates`` folder, so a
package's templates live beside its routes and extend ``base.html``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import markupsafe
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from kiemchung.settings import get_settings
from kiemchung.topics import topic_label
from kiemchung.web import baseurl, i18n
from kiemchung.web.security import csrf_token

PKG = Path(__file__).resolve().parent.parent
_SEARCH = [
    PKG / "web" / "templates",
    PKG / "desk" / "templates",
    PKG / "public" / "templates",
    PKG / "scam" / "templates",
    PKG / "analytics" / "templates",
    PKG / "media" / "templates",
    PKG / "feedback" / "templates",
]

_env = Environment(
    loader=ChoiceLoader([FileSystemLoader(str(p)) for p in _SEARCH]),
    autoescape=select_autoescape(["html", "xml"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
)
# The same gettext as Python code, in the current request's language (``render`` sets it).
# "newstyle": ``_("Chủ đề: %(name)s", name=x)`` formats and escapes its arguments.
_env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=lambda s: i18n.translations(i18n.current_lang()).gettext(s),
    ngettext=lambda s, p, n: i18n.translations(i18n.current_lang()).ngettext(s, p, n),
    newstyle=True,
)
_env.globals["N_"] = i18n.N_
_env.globals["label"] = i18n.label
_env.filters["number"] = i18n.fmt_number


def _fc_images(fc: Any) -> list[Any]:
    from kiemchung.media.service import images_of

    return images_of(fc)


def _claim_images(claim: Any) -> list[Any]:
    from kiemchung.media.service import claim_images

    return claim_images(claim)


def _incident_alerts() -> dict[str, int] | None:
    from kiemchung.desk.incidents import desk_alerts

    return desk_alerts()


def _confidence(level: str | None) -> str:
    from kiemchung.desk.engine_link import confidence_label

    return confidence_label(level)


_env.filters["confidence"] = _confidence  # an engine level as plain words, never a raw score
_env.globals["fc_images"] = _fc_images
_env.globals["incident_alerts"] = _incident_alerts
_env.globals["absolute_url"] = baseurl.absolute_url
_env.globals["org_url"] = baseurl.org_url
_env.globals["claim_images"] = _claim_images
_env.filters["percent"] = i18n.fmt_percent
_env.filters["date"] = i18n.fmt_date
_env.filters["datetime"] = i18n.fmt_datetime
templates = Jinja2Templates(env=_env)


def render_markdown(text: str) -> markupsafe.Markup:
    """Markdown to sanitised HTML (no scripts, no event handlers, safe links)."""
    import nh3
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").render(text or "")
    clean = nh3.clean(html, link_rel="noopener noreferrer nofollow", url_schemes={"http", "https", "mailto"})
    return markupsafe.Markup(clean)


_env.filters["markdown"] = render_markdown
_env.filters["topic_label"] = topic_label


def _isodatetime(value: str) -> str:
    """An ISO 8601 string shown in the Vietnamese format (left as is when it is not one)."""
    from datetime import datetime

    try:
        return i18n.fmt_datetime(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return value


_env.filters["isodatetime"] = _isodatetime


def base_context(request: Request) -> dict[str, Any]:
    settings = get_settings()
    lang = i18n.request_lang(request, settings.default_lang)
    i18n.set_lang(lang)  # templates (and helpers they call) translate in the page's language
    return {
        "request": request,
        "lang": lang,
        "settings": settings,
        "csrf_token": csrf_token(request),
        "user": getattr(request.state, "user", None),
    }


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    ctx = base_context(request)
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
