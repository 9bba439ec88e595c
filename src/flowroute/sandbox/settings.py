"""What a sandbox is configured with, declared once.

Every field of ``SandboxSettings`` (what a sandbox does) and of ``ServeOptions`` (where a
foreground server listens) is declared with ``setting(default, help, ...)``. Everything else is
generated from those declarations: the checks every instance passes, the options of
``python -m flowroute.sandbox`` and ``flowroute sandbox``, and the pytest plugin's
``flowroute_sandbox_<name>`` ini options. Adding a setting is adding one field.

Standard library only: the pytest plugin imports this wherever the SDK is installed.
"""

from __future__ import annotations

import ipaddress
import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from functools import lru_cache
from operator import attrgetter
from types import NoneType, UnionType
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

SETTINGS_VARIABLE = "FLOWROUTE_SANDBOX_SETTINGS"
# KEY:SECRET pairs for strict auth (separated by spaces or newlines), read by the command lines.
STRICT_AUTH_VARIABLE = "FLOWROUTE_SANDBOX_STRICT_AUTH"
INI_PREFIX = "flowroute_sandbox_"
WebhookFormat = Literal["jsonapi", "compact"]
# No "trace": uvicorn's trace level logs whole request scopes, CDR download tokens included.
LogLevel = Literal["critical", "error", "warning", "info", "debug"]
Kind = Literal["flag", "int", "float", "text", "choice", "pairs", "list"]

T = TypeVar("T")
_SAME = object()  # "the pytest plugin uses the ordinary default"


def is_webhook_format(value: object) -> bool:
    """The one check of a webhook shape, for the settings and the control API alike."""
    return value in get_args(WebhookFormat)


@dataclass(frozen=True)
class _Declaration:
    help: str
    metavar: str | None
    at_least: float | None
    above: float | None
    at_most: float | None
    secret: bool
    test_default: Any
    check: Callable[[str], str | None] | None


def setting(
    default: T,
    help: str,
    *,
    metavar: str | None = None,
    at_least: float | None = None,
    above: float | None = None,
    at_most: float | None = None,
    secret: bool = False,
    test_default: Any = _SAME,
    check: Callable[[str], str | None] | None = None,
) -> T:
    """A dataclass field with what the command lines and the pytest plugin need to know.

    ``at_least``/``above``/``at_most``: bounds of a number. ``secret``: never shown (not in
    ``repr``, help or error messages). ``test_default``: what the pytest plugin's sandbox uses
    when the ini file does not say (when it differs from ``default``). ``check``: the problem
    with one item of a repeatable text option (None when it is fine)."""
    declaration = _Declaration(help, metavar, at_least, above, at_most, secret, test_default, check)
    return field(default=default, repr=not secret, metadata={"option": declaration})


@dataclass(frozen=True)
class Option:
    """One declared setting as the command lines and the pytest plugin see it."""

    name: str
    kind: Kind
    default: Any
    optional: bool  # None is a valid value
    choices: tuple[str, ...]
    declaration: _Declaration

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def ini_name(self) -> str:
        return INI_PREFIX + self.name

    @property
    def help(self) -> str:
        return self.declaration.help

    @property
    def secret(self) -> bool:
        return self.declaration.secret

    @property
    def repeatable(self) -> bool:
        return self.kind in ("pairs", "list")

    @property
    def metavar(self) -> str:
        if self.declaration.metavar:
            return self.declaration.metavar
        if self.kind == "choice":
            return "|".join(self.choices)
        return {"int": "INTEGER", "float": "NUMBER"}.get(self.kind, "TEXT")

    @property
    def test_default(self) -> Any:
        test_default = self.declaration.test_default
        return self.default if test_default is _SAME else test_default

    def shown_default(self, *, for_tests: bool = False) -> str | None:
        """The default (or the pytest plugin's) as help text shows it; None when there is
        nothing to show."""
        default = self.test_default if for_tests else self.default
        if self.secret or default is None or default == ():
            return None
        return _show(default)

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` for this setting (e.g. ``"must be above 0, got -1"``),
        or None. A secret's value is never echoed."""
        if value is None:
            return None if self.optional else "must be given"
        if self.kind == "flag":
            return None if isinstance(value, bool) else f"must be true or false, got {_echo(value)}"
        if self.kind == "choice":
            if value in self.choices:
                return None
            return f"must be one of {', '.join(self.choices)}, got {_echo(value)}"
        if self.kind == "text":
            return None if isinstance(value, str) else f"must be text, got {_echo(value)}"
        if self.kind == "pairs":
            return _pairs_problem(value)
        if self.kind == "list":
            return self._list_problem(value)
        return self._number_problem(value)

    def _list_problem(self, value: Any) -> str | None:
        if isinstance(value, str) or not isinstance(value, tuple | list):
            return "must be a list of texts"
        for item in value:
            if not isinstance(item, str) or not item.strip():
                return f"must be a list of texts, got {_echo(item)}"
            problem = self.declaration.check(item) if self.declaration.check else None
            if problem:
                return problem
        return None

    def _number_problem(self, value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"must be a number, got {_echo(value)}"
        if self.kind == "int" and not isinstance(value, int):
            return f"must be a whole number, got {_echo(value)}"
        if not math.isfinite(value):
            return f"must be a finite number, got {_echo(value)}"
        low, above, high = (
            self.declaration.at_least,
            self.declaration.above,
            self.declaration.at_most,
        )
        if low is not None and value < low:
            return f"must be at least {_show(low)}, got {_show(value)}"
        if above is not None and value <= above:
            return f"must be above {_show(above)}, got {_show(value)}"
        if high is not None and value > high:
            return f"must be at most {_show(high)}, got {_show(value)}"
        return None

    def convert(self, raw: Any) -> Any:
        """A value as a command line or an ini file gives it (text; a bool for a flag; a list of
        texts for a repeatable option) -> the setting's value. Raises ValueError with the
        problem (without the setting's name: the caller names it as the user spelled it)."""
        if self.kind == "pairs":
            value: Any = _parse_pairs([raw] if isinstance(raw, str) else list(raw))
        elif self.kind == "list":
            value = tuple(item.strip() for item in ([raw] if isinstance(raw, str) else raw))
        elif isinstance(raw, str):
            value = self._parse(raw.strip())
        else:
            value = raw  # already typed (a flag, or a TOML number)
            if self.kind == "float" and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
        problem = self.problem(value)
        if problem:
            raise ValueError(problem)
        return value

    def _parse(self, text: str) -> Any:
        if self.kind == "int":
            try:
                return int(text)
            except ValueError:
                raise ValueError(f"must be a whole number, got {text!r}") from None
        if self.kind == "float":
            try:
                return float(text)
            except ValueError:
                raise ValueError(f"must be a number, got {text!r}") from None
        if self.kind == "flag":
            words = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
            if text.lower() not in words:
                raise ValueError(f"must be true or false, got {text!r}")
            return words[text.lower()]
        return text


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 172800, not 172800.0 or 1.728e+05
    return str(value)


def _echo(value: Any) -> str:
    return repr(value) if isinstance(value, str) else _show(value)


def _pairs_problem(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return "must map access keys to secret keys"
    for key, secret in value.items():
        if not isinstance(key, str) or not key or ":" in key:
            return "must map access keys (text without ':') to secret keys"
        if not isinstance(secret, str) or not secret:
            return f"has no secret key for {key!r}"
    return None


def _parse_pairs(pairs: list[str]) -> dict[str, str]:
    """``["KEY:SECRET", ...]`` -> mapping; the error names the key, never the secret."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, secret = pair.partition(":")
        if not sep or not key or not secret:
            raise ValueError(f"expects KEY:SECRET, got {key!r}:...")
        out[key] = secret
    return out


def split_host_port(text: str) -> tuple[str, int | None]:
    """``HOST``, ``HOST:PORT``, ``[IPv6]``, ``[IPv6]:PORT`` or a bare IPv6 address -> (host,
    port or None): the host lower-cased without a trailing dot, an IP address in its standard
    form. Raises ValueError."""
    host, port_text = text.strip(), None
    wrong = ValueError(f"expects HOST or HOST:PORT, got {text!r}")
    if host.startswith("["):
        host, bracket, rest = host[1:].partition("]")
        if not bracket or ":" not in host or (rest and not rest.startswith(":")):
            raise wrong
        port_text = rest[1:] if rest else None
    elif host.count(":") == 1:
        host, port_text = host.split(":")
    host = host.lower().removesuffix(".")
    if not host or not host.isascii() or any(c.isspace() or c in "/\\@?#[]" for c in host):
        raise wrong
    try:
        host = str(ipaddress.ip_address(host))
    except ValueError:
        if ":" in host:  # several colons: an IPv6 address or nothing
            raise wrong from None
    if port_text is None:
        return host, None
    if not (port_text.isascii() and port_text.isdigit() and 0 < int(port_text[:6]) <= 65535):
        raise ValueError(f"expects a port from 1 to 65535, got {port_text!r}")
    return host, int(port_text)


def _host_problem(text: str) -> str | None:
    try:
        split_host_port(text)
    except ValueError as exc:
        return str(exc)
    return None


@lru_cache(maxsize=256)  # asked of every request's Host header
def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1), with or without a port."""
    try:
        name, _ = split_host_port(host)
    except ValueError:
        return False
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _kind(name: str, hint: Any) -> tuple[Kind, bool, tuple[str, ...]]:
    """(kind, optional, choices) of a field's type."""
    optional = False
    if get_origin(hint) in (Union, UnionType):
        members = [arg for arg in get_args(hint) if arg is not NoneType]
        optional = len(members) < len(get_args(hint))
        if len(members) == 1:
            hint = members[0]
    if hint is bool:
        return "flag", optional, ()
    if hint is int:
        return "int", optional, ()
    if hint is float:
        return "float", optional, ()
    if hint is str:
        return "text", optional, ()
    if get_origin(hint) is Literal:
        return "choice", optional, tuple(str(arg) for arg in get_args(hint))
    if get_origin(hint) is Mapping and get_args(hint) == (str, str):
        return "pairs", optional, ()
    if get_origin(hint) is tuple and get_args(hint) == (str, ...):
        return "list", optional, ()
    raise TypeError(f"setting {name}: no command-line form for {hint!r}")


_options: dict[type, tuple[Option, ...]] = {}


def options(cls: type) -> tuple[Option, ...]:
    """The declared settings of ``SandboxSettings`` or ``ServeOptions``, in field order."""
    if cls not in _options:
        _options[cls] = _declared(cls)
    return _options[cls]


def _declared(cls: type) -> tuple[Option, ...]:
    hints = get_type_hints(cls)
    out = []
    for f in fields(cls):
        declaration = f.metadata.get("option")
        if not isinstance(declaration, _Declaration):
            raise TypeError(f"{cls.__name__}.{f.name} is not declared with setting()")
        kind, optional, choices = _kind(f.name, hints[f.name])
        out.append(Option(f.name, kind, f.default, optional, choices, declaration))
    return tuple(out)


class _Checked:
    """Every declared field is checked when an instance is made (in code, from the
    environment, from a command line or an ini file alike)."""

    def __post_init__(self) -> None:
        for option in options(type(self)):
            value = getattr(self, option.name)
            problem = option.problem(value)
            if problem:
                raise ValueError(f"{option.name} {problem}")
            if option.kind == "list" and isinstance(value, list):  # e.g. from JSON
                object.__setattr__(self, option.name, tuple(value))


@dataclass(frozen=True)
class SandboxSettings(_Checked):
    """What a sandbox does. Create with keywords, e.g. ``SandboxSettings(clock_speed=0)``."""

    db: str | None = setting(
        None,
        "SQLite file or postgresql:// URL; default in memory.",
        metavar="PATH_OR_URL",
    )
    strict_auth: Mapping[str, str] | None = setting(
        None,
        "Only accept these KEY:SECRET pairs (repeatable; visible in ps, see --strict-auth-file); "
        "default: any key, one account each.",
        metavar="KEY:SECRET",
        secret=True,
    )
    seed: int = setting(0, "Inventory seed: same seed, same numbers.", metavar="N")
    clock_speed: float = setting(
        1.0,
        "Virtual seconds per real second (0 freezes the clock until advanced).",
        metavar="X",
        at_least=0,
        test_default=0.0,
    )
    allow_external_hosts: bool = setting(
        False,
        "Deliver webhooks and fetch media beyond loopback addresses (when exposed: to public "
        "addresses only).",
    )
    exposed: bool = setting(
        False,
        "Serve others (automatic for a non-loopback --host; set it behind a reverse proxy): "
        "answer any Host header; contact only --allow-webhook-host hosts at non-public "
        "addresses.",
    )
    allow_webhook_host: tuple[str, ...] = setting(
        (),
        "Deliver webhooks and fetch media to this host, whatever its address (HOST or "
        "HOST:PORT; repeatable).",
        metavar="HOST[:PORT]",
        check=_host_problem,
    )
    # Far above Flowroute's 5 SMS/1 MMS a second in tests, so they never wait; test pacing with
    # a sandbox of your own: running(SandboxSettings(sms_per_second=5)).
    sms_per_second: float = setting(
        5.0, "Per-account SMS limit (429 above).", metavar="N", above=0, test_default=1000.0
    )
    mms_per_second: float = setting(
        1.0, "Per-account MMS limit (429 above).", metavar="N", above=0, test_default=1000.0
    )
    latency: float = setting(
        0.0, "Seconds added to every API request.", metavar="SECONDS", at_least=0
    )
    cnam_approval_delay: float = setting(
        48 * 3600.0,
        "Virtual seconds until a new CNAM record is reviewed.",
        metavar="SECONDS",
        at_least=0,
    )
    cdr_export_delay: float = setting(
        5.0, "Virtual seconds until a CDR export completes.", metavar="SECONDS", at_least=0
    )
    webhook_format: WebhookFormat = setting(  # noqa: RUF009 - setting() is dataclasses.field()
        "jsonapi", "Webhook body shape for new accounts (the control API switches one account)."
    )
    max_body_bytes: int = setting(
        1_048_576, "Largest request body accepted (413 above).", metavar="BYTES", at_least=1
    )
    header_timeout: float = setting(
        10.0,
        "Seconds a connection may take to send a complete request line and headers; closed "
        "after that (servers the sandbox starts itself).",
        metavar="SECONDS",
        above=0,
    )

    @property
    def shared_database(self) -> bool:
        """True for a server database that several worker processes can share."""
        return bool(self.db) and "://" in str(self.db) and not str(self.db).startswith("sqlite")

    def to_environment(self) -> None:
        """Hand these settings to worker processes that ``uvicorn --workers --factory
        flowroute.sandbox.app:app_from_environment`` starts. The variable holds every setting,
        secrets and database URL included, and workers inherit it: ``serve()`` does not use it
        (it hands its workers the settings in their pickled config)."""
        os.environ[SETTINGS_VARIABLE] = json.dumps(asdict(self))

    @classmethod
    def from_environment(cls) -> SandboxSettings:
        return cls(**json.loads(os.environ.get(SETTINGS_VARIABLE, "{}")))


@dataclass(frozen=True)
class ServeOptions(_Checked):
    """How a foreground server (``serve()``, the command lines) starts: where it listens, and
    what it needs before it may listen beyond loopback."""

    host: str = setting("127.0.0.1", "Interface to listen on.", metavar="HOST")
    port: int = setting(8080, "Port to listen on.", metavar="PORT", at_least=0, at_most=65535)
    workers: int = setting(
        1, "Worker processes; above 1 needs a PostgreSQL --db.", metavar="N", at_least=1
    )
    log_level: LogLevel = setting(  # noqa: RUF009 - setting() is dataclasses.field()
        "info",
        "Log level on stderr: info logs one line per request, fault and webhook attempt; "
        "warning only blocked hosts and problems.",
    )
    strict_auth_file: str | None = setting(
        None,
        "Also accept the KEY:SECRET pairs in this file (one a line; # comments), as with "
        f"--strict-auth but out of sight of ps; {STRICT_AUTH_VARIABLE} may hold more.",
        metavar="PATH",
    )
    allow_any_key: bool = setting(
        False,
        "Start without strict auth on a non-loopback --host (or --exposed): anyone who reaches "
        "the sandbox gets an account for any key.",
    )


def command_line_options() -> tuple[Option, ...]:
    """Every option of both command lines, server options first."""
    return options(ServeOptions) + options(SandboxSettings)


class SettingError(ValueError):
    """A bad value, as one line naming the option the way the user spelled it."""


def _build(
    cls: type[T],
    raw: Mapping[str, Any],
    label: Callable[[Option], str],
    base: Callable[[Option], Any],
) -> T:
    """``cls`` from raw values (absent, None, "" or [] for "not given": then ``base``'s)."""
    values: dict[str, Any] = {}
    for option in options(cls):
        given = raw.get(option.name)
        if given is None or given == "" or (option.repeatable and not given):
            values[option.name] = base(option)
            continue
        try:
            values[option.name] = option.convert(given)
        except ValueError as exc:
            raise SettingError(f"{label(option)} {exc}") from None
    return cls(**values)


def from_command_line(
    raw: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> tuple[ServeOptions, SandboxSettings]:
    """Option name -> what the command line gave (None or absent when not given; a list for a
    repeatable option) -> settings, with the strict-auth pairs of ``--strict-auth-file`` and
    ``FLOWROUTE_SANDBOX_STRICT_AUTH`` (read from ``environ``, default ``os.environ``) added and
    ``exposed`` set for a non-loopback ``--host``. Raises SettingError naming the flag, or
    saying why an exposed sandbox may not start."""
    flag, default = attrgetter("flag"), attrgetter("default")
    server = _build(ServeOptions, raw, flag, default)
    settings = _build(SandboxSettings, raw, flag, default)
    environ = os.environ if environ is None else environ
    settings = bound_to(server.host, _with_strict_auth_sources(settings, server, environ))
    problem = exposure_problem(server.host, settings, allow_any_key=server.allow_any_key)
    if problem:
        raise SettingError(problem)
    return server, settings


def _with_strict_auth_sources(
    settings: SandboxSettings, server: ServeOptions, environ: Mapping[str, str]
) -> SandboxSettings:
    """``settings`` with the pairs of ``--strict-auth-file`` and the environment added. A file
    or variable without a pair, or a key given two different secrets, is an error (naming the
    key, never a secret)."""
    sources: list[tuple[str, list[str]]] = []
    if server.strict_auth_file:
        path = server.strict_auth_file
        try:
            with open(path, encoding="utf-8") as file:
                lines = file.read().splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            reason = (exc.strerror or "error") if isinstance(exc, OSError) else "not UTF-8"
            raise SettingError(f"--strict-auth-file cannot read {path}: {reason}") from None
        pairs = [line.strip() for line in lines]
        sources.append(("--strict-auth-file", [p for p in pairs if p and not p.startswith("#")]))
    if environ.get(STRICT_AUTH_VARIABLE, "").strip():
        sources.append((STRICT_AUTH_VARIABLE, environ[STRICT_AUTH_VARIABLE].split()))
    if not sources:
        return settings
    merged = dict(settings.strict_auth or {})
    for label, items in sources:
        try:
            found = _parse_pairs(items)
        except ValueError as exc:
            raise SettingError(f"{label} {exc}") from None
        if not found:
            raise SettingError(f"{label} has no KEY:SECRET pairs")
        for key, secret in found.items():
            if merged.setdefault(key, secret) != secret:
                raise SettingError(f"{label} gives {key!r} another secret than it already has")
    return replace(settings, strict_auth=merged)


def bound_to(host: str, settings: SandboxSettings) -> SandboxSettings:
    """``settings`` for a server listening on ``host``: ``exposed`` unless it is loopback."""
    return (
        settings if settings.exposed or is_loopback_host(host) else replace(settings, exposed=True)
    )


def exposure_problem(host: str, settings: SandboxSettings, *, allow_any_key: bool) -> str | None:
    """Why an exposed sandbox must not start as configured (None when it may): others could
    create accounts with any key unless strict auth is on or ``--allow-any-key`` says so."""
    if not settings.exposed or settings.strict_auth or allow_any_key:
        return None
    where = "--exposed is set" if is_loopback_host(host) else f"--host {host} is not loopback"
    return (
        f"{where}, so anyone who reaches this sandbox could use it with any key: give the "
        f"accounts with --strict-auth-file PATH (or {STRICT_AUTH_VARIABLE}), or accept any key "
        "with --allow-any-key"
    )


def from_ini(read: Callable[[str], Any]) -> SandboxSettings:
    """The pytest plugin's settings: ``read(ini_name)`` for each setting (pytest's getini),
    the declared test defaults where the ini file is silent. Raises SettingError."""
    raw = {option.name: read(option.ini_name) for option in options(SandboxSettings)}
    return _build(SandboxSettings, raw, attrgetter("ini_name"), attrgetter("test_default"))
