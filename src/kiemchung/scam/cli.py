"""Scam desk commands (placeholder until the scam desk lands)."""

import typer

scam_app = typer.Typer(help="Lừa đảo / scam desk.", no_args_is_help=True)
