"""``kiemchung users ...`` (placeholder until the desk lands)."""

import typer

users_app = typer.Typer(help="Tài khoản / user accounts.", no_args_is_help=True)
