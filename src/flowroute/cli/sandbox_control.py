"""``flowroute sandbox inbound|clock|cnam|faults|webhooks|reset``: drive a RUNNING sandbox
through its control API (``/_sandbox/``), for one account. ``flowroute sandbox`` with no
subcommand starts one (see app.py)."""

from __future__ import annotations

import inspect
import mimetypes
import os
import re
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any, Literal, TypeVar, cast

import httpx2
import typer

from ..sandbox.remote import ControlError, SandboxControl
from ._common import Connection, JsonOption, done, fail, show_list, show_one

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_URL = "http://127.0.0.1:8080"
MOBILE = "12065550123"

app = typer.Typer(
    help="Run a local Flowroute sandbox (no subcommand), or drive a running one.",
    invoke_without_command=True,
)
clock = typer.Typer(help="The account's virtual clock.", no_args_is_help=True)
cnam = typer.Typer(help="Decide CNAM reviews now.", no_args_is_help=True)
faults = typer.Typer(help="Make the next matching API requests fail.", no_args_is_help=True)
app.add_typer(clock, name="clock")
app.add_typer(cnam, name="cnam")
app.add_typer(faults, name="faults")

_CONNECTION = [
    inspect.Parameter(
        "base_url",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            str | None,
            typer.Option(
                help="The running sandbox (default: --base-url before 'sandbox', else "
                f"FLOWROUTE_BASE_URL, else {DEFAULT_URL}).",
                show_default=False,
                rich_help_panel="Sandbox",
            ),
        ],
    ),
    *(
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[
                str | None,
                typer.Option(
                    help=f"{label} (default: the sandbox's default account).",
                    show_default=False,
                    rich_help_panel="Sandbox",
                ),
            ],
        )
        for name, label in (("access_key", "Access key"), ("secret_key", "Secret key"))
    ),
]


def controls(command: F) -> F:
    """Give ``command(control, ...)`` the --base-url/--access-key/--secret-key options and call
    it with a SandboxControl on them; a refusal or an unreachable sandbox is one line."""
    signature = inspect.signature(command, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "control"]

    @wraps(command)
    def run(
        *,
        base_url: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        **given: Any,
    ) -> Any:
        default_key, default_secret = Connection.sandbox_credentials()
        url = base_url or Connection.base_url or os.environ.get("FLOWROUTE_BASE_URL") or DEFAULT_URL
        control = SandboxControl(
            url, access_key=access_key or default_key, secret_key=secret_key or default_secret
        )
        try:
            return command(control, **given)
        except ControlError as exc:
            fail(exc.detail)
        except httpx2.TransportError as exc:
            fail(f"no sandbox answers at {url} ({exc}); start one with: flowroute sandbox")
        finally:
            control.close()

    run.__signature__ = signature.replace(parameters=[*own, *_CONNECTION])  # type: ignore[attr-defined]
    return cast(F, run)


@app.command()
@controls
def inbound(
    control: SandboxControl,
    to: Annotated[str, typer.Argument(help="One of the account's numbers.")],
    body: Annotated[
        str | None, typer.Argument(help="The text (optional with --media-url).")
    ] = None,
    from_: Annotated[str, typer.Option("--from", help="The sender.")] = MOBILE,
    media_url: Annotated[
        list[str] | None, typer.Option(help="Attach media (repeatable): an MMS.")
    ] = None,
) -> None:
    """A text (or MMS) arriving at one of your numbers; posted to its callback now."""
    media = [
        {"url": url, "mime_type": mimetypes.guess_type(url)[0] or "image/jpeg"}
        for url in media_url or []
    ]
    answer = control.inject_inbound(from_=from_, to=to, body=body, media=media or None)
    where = answer.get("callback_url") or "no callback (set one: flowroute callbacks set sms URL)"
    done(f"{'MMS' if media else 'SMS'} from {from_} to {to} -> {where}")


_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds(duration: str) -> float:
    """``30s``, ``15m``, ``48h``, ``2d`` or a sum such as ``1h30m``, in seconds."""
    parts = _DURATION.findall(duration.strip().lower())
    if not parts or "".join(n + u for n, u in parts) != duration.strip().lower():
        fail(f"duration must look like 30s, 15m, 48h, 2d or 1h30m; got {duration!r}", 2)
    return sum(float(number) * _UNITS[unit] for number, unit in parts)


@clock.command()
@controls
def advance(
    control: SandboxControl,
    duration: Annotated[str, typer.Argument(help="How far: 30s, 15m, 48h, 2d, 1h30m.")],
) -> None:
    """Move the account's virtual time forward; what fell due (receipts, retries) is sent."""
    now = control.clock.advance(seconds(duration))
    done(f"sandbox time is now {now.isoformat()}")


@clock.command()
@controls
def now(control: SandboxControl) -> None:
    """The account's virtual time."""
    done(control.clock.now().isoformat())


@cnam.command()
@controls
def approve(control: SandboxControl, cnam_id: str, as_json: JsonOption = False) -> None:
    """Approve a pending CNAM record now."""
    _decided(control.approve_cnam(cnam_id), as_json)


@cnam.command()
@controls
def reject(
    control: SandboxControl,
    cnam_id: str,
    reason: Annotated[str | None, typer.Option(help="Why (shown as rejection_reason).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Reject a CNAM record now."""
    _decided(control.reject_cnam(cnam_id, reason=reason), as_json)


def _decided(resource: dict[str, Any], as_json: bool) -> None:
    record = {"id": resource.get("id"), **resource.get("attributes", {})}
    show_one(record, ["id", "value", "is_approved", "rejection_reason"], as_json)


FAULT_COLUMNS = ["method", "path", "status", "count", "delay", "drop", "when"]


@faults.command("add")
@controls
def add_fault(
    control: SandboxControl,
    method: Annotated[str, typer.Argument(help="GET, POST, ... or * for any.")],
    path: Annotated[str, typer.Argument(help="API path, * as a wildcard: /v2/numbers/*.")],
    status: Annotated[int | None, typer.Option(help="Answer with this HTTP status.")] = None,
    count: Annotated[int, typer.Option(min=1, help="How many requests fail.")] = 1,
    delay: Annotated[float, typer.Option(min=0, help="Seconds to wait first.")] = 0.0,
    drop: Annotated[bool, typer.Option(help="Close the connection unanswered.")] = False,
    after: Annotated[
        bool, typer.Option(help="Let the request take effect, then fail (an unclear outcome).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Make the next COUNT matching requests fail."""
    when: Literal["before", "after"] = "after" if after else "before"
    fault = control.faults.add(
        method, path, status=status, count=count, delay=delay, drop=drop, when=when
    )
    show_one(fault, FAULT_COLUMNS, as_json)


@faults.command("list")
@controls
def list_faults(control: SandboxControl, as_json: JsonOption = False) -> None:
    """Faults still waiting for their requests."""
    show_list(control.faults.list(), FAULT_COLUMNS, as_json, empty="No faults.")


@faults.command("clear")
@controls
def clear_faults(control: SandboxControl) -> None:
    """Remove every fault."""
    control.faults.clear()
    done("faults cleared")


@app.command()
@controls
def webhooks(control: SandboxControl, as_json: JsonOption = False) -> None:
    """Every webhook the sandbox attempted for the account, oldest first."""
    attempts = control.webhooks()
    columns = ["at", "kind", "message_id", "url", "status_code", "outcome", "latency_ms", "error"]
    show_list(attempts, columns, as_json, empty="No webhooks yet.")


@app.command()
@controls
def reset(control: SandboxControl) -> None:
    """Delete the account's numbers, routes, messages and faults; rewind its clock."""
    control.reset()
    done(f"reset the sandbox account {control.access_key}")
