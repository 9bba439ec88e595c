"""What a sandbox is configured with, declared once.

Every field of ``SandboxSettings`` (what a sandbox does) and of ``ServeOptions`` (where a
foreground server listens) is declared with ``setting(default, help, ...)``. Everything else is
generated from those declarations: the checks every instance passes, the options of
``python -m flowroute.sandbox`` and ``flowroute sandbox``, and the pytest plugin's
``flowroute_sandbox_<name>`` ini options. Adding a setting is adding one field.

Standard library only: the pytest plugin imports this wherever the SDK is installed.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from operator import attrgetter
from types import NoneType, UnionType
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

SETTINGS_VARIABLE = "FLOWROUTE_SANDBOX_SETTINGS"
INI_PREFIX = "flowroute_sandbox_"
WebhookFormat = Literal["jsonapi", "compact"]
LogLevel = Literal["critical", "error", "warning", "info", "debug", "trace"]
Kind = Literal["flag", "int", "float", "text", "choice", "pairs"]

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
) -> T:
    """A dataclass field with what the command lines and the pytest plugin need to know.

    ``at_least``/``above``/``at_most``: bounds of a number. ``secret``: never shown (not in
    ``repr``, help or error messages). ``test_default``: what the pytest plugin's sandbox uses
    when the ini file does not say (when it differs from ``default``)."""
    declaration = _Declaration(help, metavar, at_least, above, at_most, secret, test_default)
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
        return self.kind == "pairs"

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
        if self.secret or default is None:
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
        return self._number_problem(value)

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
            problem = option.problem(getattr(self, option.name))
            if problem:
                raise ValueError(f"{option.name} {problem}")


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
        "Only accept these KEY:SECRET pairs (repeatable); default: any key, one account each.",
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
        False, "Deliver webhooks and fetch media beyond loopback addresses."
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
        """Hand these settings to worker processes (``uvicorn --workers`` imports the app)."""
        os.environ[SETTINGS_VARIABLE] = json.dumps(asdict(self))

    @classmethod
    def from_environment(cls) -> SandboxSettings:
        return cls(**json.loads(os.environ.get(SETTINGS_VARIABLE, "{}")))


@dataclass(frozen=True)
class ServeOptions(_Checked):
    """Where and how a foreground server (``serve()``, the command lines) listens."""

    host: str = setting("127.0.0.1", "Interface to listen on.", metavar="HOST")
    port: int = setting(8080, "Port to listen on.", metavar="PORT", at_least=0, at_most=65535)
    workers: int = setting(
        1, "Worker processes; above 1 needs a PostgreSQL --db.", metavar="N", at_least=1
    )
    log_level: LogLevel = setting("info", "Server log level.")  # noqa: RUF009 - a field()


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


def from_command_line(raw: Mapping[str, Any]) -> tuple[ServeOptions, SandboxSettings]:
    """Option name -> what the command line gave (None or absent when not given; a list for a
    repeatable option) -> settings. Raises SettingError naming the flag."""
    flag, default = attrgetter("flag"), attrgetter("default")
    return _build(ServeOptions, raw, flag, default), _build(SandboxSettings, raw, flag, default)


def from_ini(read: Callable[[str], Any]) -> SandboxSettings:
    """The pytest plugin's settings: ``read(ini_name)`` for each setting (pytest's getini),
    the declared test defaults where the ini file is silent. Raises SettingError."""
    raw = {option.name: read(option.ini_name) for option in options(SandboxSettings)}
    return _build(SandboxSettings, raw, attrgetter("ini_name"), attrgetter("test_default"))
