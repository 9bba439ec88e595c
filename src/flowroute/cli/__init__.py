"""The ``flowroute`` command (typer + rich; imported only by the console script)."""

from __future__ import annotations

# The cli extra's modules: missing one means `pip install flowroute-sdk` without `[cli]`.
CLI_EXTRA_MODULES = frozenset({"typer", "rich", "click"})


def main() -> None:
    try:
        from .app import app
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in CLI_EXTRA_MODULES:
            raise
        from .._core.extras import exit_missing_extra

        exit_missing_extra(what="the flowroute command", extra="cli", error=exc)
    app()
