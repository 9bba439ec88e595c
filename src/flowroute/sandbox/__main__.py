"""``python -m flowroute.sandbox``: the same server as ``flowroute sandbox``, standard library only
(no CLI extra). Its options are generated from the declarations in ``settings.py``."""

from __future__ import annotations

import argparse
from typing import NoReturn

from .._core.extras import exit_missing_extra
from .settings import SettingError, command_line_options, from_command_line


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, like ``flowroute sandbox``: the usage is one --help away.
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m flowroute.sandbox",
        description="Run a local Flowroute sandbox (the same server as flowroute sandbox).",
    )
    for option in command_line_options():
        shown = option.shown_default()
        text = option.help.replace("%", "%%") + (f" (default: {shown})" if shown else "")
        if option.kind == "flag":
            parser.add_argument(option.flag, action=argparse.BooleanOptionalAction, help=text)
        elif option.repeatable:
            parser.add_argument(option.flag, action="append", metavar=option.metavar, help=text)
        else:
            parser.add_argument(option.flag, metavar=option.metavar, help=text)
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        server, settings = from_command_line(vars(args))
    except SettingError as exc:
        parser.error(str(exc))
    try:
        from . import banner
        from .server import prepare_serving
    except ModuleNotFoundError as exc:  # installed without the sandbox extra
        exit_missing_extra(what="python -m flowroute.sandbox", extra="sandbox", error=exc)
    try:
        # Everything that can fail (the port, the database) fails here, before the banner.
        foreground = prepare_serving(settings, server)
    except ValueError as exc:
        parser.exit(2, f"{parser.prog}: error: {exc}\n")
    shown = banner.lines(
        settings,
        server,
        url=foreground.url,
        port=foreground.port,
        given_pairs=bool(args.strict_auth),
    )
    print(banner.plain(banner.title(foreground.url), shown), flush=True)
    foreground.run()


if __name__ == "__main__":
    main()
