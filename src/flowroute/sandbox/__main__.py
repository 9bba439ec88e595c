"""``python -m flowroute.sandbox``: the same server as ``flowroute sandbox``, standard library only
(no CLI extra). Its options are generated from the declarations in ``settings.py``."""

from __future__ import annotations

import argparse
from typing import NoReturn

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
    from .server import serve

    try:
        serve(
            settings,
            host=server.host,
            port=server.port,
            workers=server.workers,
            log_level=server.log_level,
            allow_any_key=server.allow_any_key,
        )
    except ValueError as exc:
        parser.error(str(exc))


if __name__ == "__main__":
    main()
