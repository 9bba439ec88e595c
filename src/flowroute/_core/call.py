"""A resource method's whole description of one API call, independent of sync or async."""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

if TYPE_CHECKING:
    import httpx2

T = TypeVar("T")

QueryValue = str | int | float | bool | None


def query(**params: QueryValue) -> dict[str, str]:
    """Drop unset parameters and spell booleans the way Flowroute documents them."""
    out: dict[str, str] = {}
    for name, value in params.items():
        if value is None:
            continue
        out[name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out


class Call(NamedTuple, Generic[T]):
    """One request and how to read its answer.

    ``idempotent=False`` marks calls that must not be repeated after they may have reached the
    server (purchase, message send); ``action`` names them in the error raised when the outcome is
    unknown.
    """

    method: str
    path: str
    parse: Callable[[httpx2.Response], T]
    params: Mapping[str, str] | None = None
    json: Any = None
    idempotent: bool = True
    action: str | None = None
    throttle: str | None = None  # "sms" or "mms": paced by the client-side rate limiter


class PageCall(NamedTuple, Generic[T]):
    """A list endpoint: first page request, the endpoint's maximum page size, and the parser."""

    path: str
    params: Mapping[str, str]
    parse: Callable[[bytes], tuple[list[T], str | None]]
    max_page_size: int
    limit: int | None = None
    page_size: int | None = None


class Sleep(NamedTuple):
    """A step of a multi-request operation: wait this long (polling)."""

    seconds: float


class Download(NamedTuple):
    """A step: stream ``url`` (no credentials: a pre-signed link) into ``sink``.

    ``sink`` is a path (written to a temporary file, checked as gzip, then renamed into place so
    no partial file is ever left) or a binary file object. ``progress(done, total)`` is called as
    bytes arrive (``total`` None when unknown). Answers the byte count."""

    url: str
    sink: Any
    progress: Callable[[int, int | None], None] | None = None


# A multi-request operation: a generator that yields steps (a Call, Sleep or Download), is sent
# each step's result, and returns the operation's result. Written once; the runners drive it.
Flow = Generator["Call[Any] | Sleep | Download", Any, T]
