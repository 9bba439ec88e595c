"""``python -m flowroute.sandbox``: the same server as ``flowroute sandbox``."""

from __future__ import annotations

import argparse

from .settings import SandboxSettings, parse_credentials


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m flowroute.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--db", help="SQLite file or PostgreSQL URL (default: in memory)")
    parser.add_argument("--strict-auth", action="append", default=[], metavar="KEY:SECRET")
    parser.add_argument("--seed", type=int, default=0, help="inventory seed")
    parser.add_argument("--clock-speed", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=1, help="needs a PostgreSQL --db")
    parser.add_argument("--sms-per-second", type=float, default=5.0)
    parser.add_argument("--mms-per-second", type=float, default=1.0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument(
        "--cnam-approval-delay", type=float, default=48 * 3600.0, help="virtual seconds"
    )
    parser.add_argument(
        "--webhook-format",
        choices=["jsonapi", "compact"],
        default="jsonapi",
        help="webhook body shape for new accounts",
    )
    parser.add_argument(
        "--allow-external-hosts",
        action="store_true",
        help="deliver webhooks and fetch media beyond loopback addresses",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        strict = parse_credentials(args.strict_auth) if args.strict_auth else None
    except ValueError as exc:
        build_parser().error(str(exc))
    from .server import serve

    settings = SandboxSettings(
        db=args.db,
        strict_auth=strict,
        seed=args.seed,
        clock_speed=args.clock_speed,
        allow_external_hosts=args.allow_external_hosts,
        sms_per_second=args.sms_per_second,
        mms_per_second=args.mms_per_second,
        latency=args.latency,
        cnam_approval_delay=args.cnam_approval_delay,
        webhook_format=args.webhook_format,
    )
    try:
        serve(settings, host=args.host, port=args.port, workers=args.workers)
    except ValueError as exc:
        build_parser().error(str(exc))


if __name__ == "__main__":
    main()
