"""The ``flowroute`` command (typer + rich; imported only by the console script)."""

from __future__ import annotations


def main() -> None:
    from .app import app

    app()
