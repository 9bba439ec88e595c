"""Per-call options every resource method takes, and the ``NotGiven`` sentinel.

Declared on each method as ``**options: Unpack[RequestOptions]`` (so editors and type checkers
see them) and handled once: the resource descriptors take them out of the call before the
method body runs and hand them to the runner, which applies them to every request the call
makes (each page of a list, each poll of a wait). See docs/decisions/0014-per-call-options.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, TypedDict

if TYPE_CHECKING:
    import httpx2


class NotGiven:
    """The type of ``NOT_GIVEN``: "argument not passed", as opposed to an explicit ``None``
    (``timeout=None`` means no timeout)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


class RequestOptions(TypedDict, total=False):
    """Keyword-only options accepted by every resource method."""

    timeout: float | httpx2.Timeout | None
    """This call's timeout (seconds, an ``httpx2.Timeout``, or None for none)."""
    extra_headers: Mapping[str, str]
    """Headers added to (or replacing) the SDK's, e.g. for a proxy."""
    extra_query: Mapping[str, str]
    """Query parameters added to the request(s)."""
    extra_body: Mapping[str, Any]
    """Members merged into the JSON body's top level (an undocumented attribute, say)."""


class WaitOptions(TypedDict, total=False):
    """The per-call options of a method whose own ``timeout=`` means something else
    (``cdrs.wait``: the whole wait); its requests use the client's timeout."""

    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, str]
    extra_body: Mapping[str, Any]


OPTION_NAMES: Final = ("timeout", "extra_headers", "extra_query", "extra_body")


def option_names(build: Any) -> tuple[str, ...]:
    """The options a method takes through the machinery: all but those it declares itself."""
    code = build.__code__
    own = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    return tuple(name for name in OPTION_NAMES if name not in own)


def take_options(
    kwargs: dict[str, Any], names: tuple[str, ...] = OPTION_NAMES
) -> RequestOptions | None:
    """Remove the per-call options from a method's keyword arguments."""
    if not kwargs:
        return None
    found: dict[str, Any] = {name: kwargs.pop(name) for name in names if name in kwargs}
    if not found:
        return None
    if "timeout" in found:
        check_timeout(found["timeout"])
    for name in ("extra_headers", "extra_query", "extra_body"):
        value = found.get(name)
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(f"{name} must be a mapping, got {type(value).__name__}")
    return found  # type: ignore[return-value]


def check_timeout(value: object, *, allow_not_given: bool = False) -> None:
    import httpx2

    if value is None or isinstance(value, httpx2.Timeout):
        return
    if allow_not_given and isinstance(value, NotGiven):
        return
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"timeout must be >= 0 seconds, got {value!r}")
        return
    raise TypeError(
        "timeout must be a number of seconds (float), an httpx2.Timeout or None, "
        f"got {type(value).__module__}.{type(value).__qualname__}"
    )
