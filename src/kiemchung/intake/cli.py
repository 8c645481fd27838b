"""Intake commands (placeholder until intake lands)."""

import typer


def ingest(path: str) -> None:
    """Ingest a file or URL."""
    raise typer.Exit(1)


def backup(file: str) -> None:
    """Back up the database to FILE."""
    raise typer.Exit(1)


def restore(file: str) -> None:
    """Restore the database from FILE."""
    raise typer.Exit(1)
