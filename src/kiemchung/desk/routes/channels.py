"""Chat channels, ``/desk/channels`` (admins): health, dead letters (chat and e-mail replies), replies
the platforms' reply windows no longer allowed, and how to connect each one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kiemchung.channels.service import health
from kiemchung.desk.replies import dead_mail
from kiemchung.settings import get_settings
from kiemchung.web import baseurl
from kiemchung.web.deps import Admin, SessionDep, page

router = APIRouter(prefix="/desk", include_in_schema=False)


@router.get("/channels", response_class=HTMLResponse)
def channels_page(request: Request, user: Admin, db: SessionDep) -> HTMLResponse:
    settings = get_settings()
    base = baseurl.base_url(settings)
    mail_failed, mail_dead = dead_mail(db)
    return page(
        request,
        "desk/channels.html",
        {
            "channels": health(db),
            "mail_failed": mail_failed,
            "mail_dead": mail_dead,
            "webhook": {name: f"{base}/webhooks/{name}" for name in ("zalo", "messenger", "telegram")},
            # only whether a secret is set, never its value
            "set": {
                "zalo_app_id": bool(settings.zalo_app_id),
                "zalo_oa_secret": bool(settings.zalo_oa_secret),
                "zalo_access_token": bool(settings.zalo_access_token),
                "zalo_refresh_token": bool(settings.zalo_refresh_token and settings.zalo_app_secret),
                "messenger_app_secret": bool(settings.messenger_app_secret),
                "messenger_verify_token": bool(settings.messenger_verify_token),
                "messenger_page_token": bool(settings.messenger_page_token),
                "telegram_bot_token": bool(settings.telegram_bot_token),
                "telegram_secret_token": bool(settings.telegram_secret_token),
                "contact_key": bool(settings.contact_key),
            },
        },
    )
