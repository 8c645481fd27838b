"""Engine commands (placeholder until the engine lands)."""

import typer

eval_app = typer.Typer(help="Đánh giá / evaluation harness.", no_args_is_help=True)


def reindex() -> None:
    """Rebuild the search index from the store."""
    raise typer.Exit(1)
