"""``kiemchung channels ...``: connecting chat platforms."""

from __future__ import annotations

import typer

from kiemchung.channels import telegram
from kiemchung.clilang import new_app
from kiemchung.settings import get_settings
from kiemchung.web import baseurl
from kiemchung.web.i18n import N_, _

channels_app = new_app(N_("Kênh trò chuyện"))
telegram_app = new_app(N_("Bot Telegram."))
channels_app.add_typer(telegram_app, name="telegram")


@telegram_app.command(
    "set-webhook",
    help=N_("Đăng ký webhook với Telegram, dùng KIEMCHUNG_TELEGRAM_SECRET_TOKEN làm secret_token."),
)
def set_webhook(
    url: str = typer.Option("", help=N_("URL của webhook; mặc định <KIEMCHUNG_BASE_URL>/webhooks/telegram.")),
) -> None:
    """Register the webhook with Telegram, with KIEMCHUNG_TELEGRAM_SECRET_TOKEN as its secret_token."""
    settings = get_settings()
    if not telegram.enabled(settings):
        typer.echo(
            _("Đặt KIEMCHUNG_TELEGRAM_BOT_TOKEN và KIEMCHUNG_TELEGRAM_SECRET_TOKEN trước"),
            err=True,
        )
        raise typer.Exit(1)
    target = url or baseurl.base_url(settings) + "/webhooks/telegram"
    answer = telegram.set_webhook(settings, target)
    if not answer.get("ok"):
        typer.echo(_("Telegram từ chối: %(get)s", get=answer.get("description", answer)), err=True)
        raise typer.Exit(1)
    typer.echo(f"Webhook: {target}")
