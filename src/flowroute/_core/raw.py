"""``client.with_raw_response``: the same methods, answering the HTTP response with ``parse()``.

The raw runners share the client's configuration and connections; only what a call answers
changes. A list method answers its first page raw (``parse()`` gives a ``Page``); a
multi-request operation (``cdrs.wait``, ``cdrs.download``) has no single response and answers
its usual result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .errors import request_id
from .pagination import Page, _Cursor
from .transport import AsyncRunner, SyncRunner, read

if TYPE_CHECKING:
    import httpx2

    from .call import Call, PageCall
    from .options import RequestOptions

T = TypeVar("T")

_UNPARSED: Any = object()


class RawResponse(Generic[T]):
    """An answer before parsing: ``status_code``, ``headers``, ``request_id``, ``content``,
    ``http_response`` (the ``httpx2.Response``), and ``parse()`` for the usual result.

    Error statuses still raise (the error carries the response); ``parse()`` raises
    ``UnexpectedResponseError`` (or ``IndeterminateResultError`` for a send or purchase) if the
    body is not the expected document."""

    def __init__(self, response: httpx2.Response, parse: Callable[[], T]) -> None:
        self.http_response = response
        self._parse = parse
        self._parsed: T = _UNPARSED

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx2.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The server's request id header, if it sent one."""
        return request_id(self.http_response.headers)

    @property
    def content(self) -> bytes:
        return self.http_response.content

    @property
    def elapsed_seconds(self) -> float:
        return self.http_response.elapsed.total_seconds()

    def parse(self) -> T:
        """The result the method normally returns (parsed once, then cached)."""
        if self._parsed is _UNPARSED:
            self._parsed = self._parse()
        return self._parsed

    def __repr__(self) -> str:
        request = self.http_response.request
        return f"<RawResponse {self.status_code} for {request.method} {request.url.path}>"


def _reader(call: Call[T], response: httpx2.Response) -> Callable[[], T]:
    return lambda: read(call.parse, response, response, call)


def _first(call: PageCall[T]) -> tuple[_Cursor[T], str, dict[str, str]]:
    cursor = _Cursor(call)
    request = cursor.next_request()
    assert request is not None  # a new cursor always has a first page
    return cursor, *request


class RawSyncRunner(SyncRunner):
    def execute(  # type: ignore[override]
        self, call: Call[T], options: RequestOptions | None = None
    ) -> RawResponse[T]:
        response = self.respond(call, options)
        return RawResponse(response, _reader(call, response))

    def first_page(
        self, call: PageCall[T], options: RequestOptions | None = None
    ) -> RawResponse[Page[T]]:
        cursor, path, params = _first(call)
        response = self.fetch(path, params, options)
        return RawResponse(response, lambda: cursor.advance(response))


class RawAsyncRunner(AsyncRunner):
    async def execute(  # type: ignore[override]
        self, call: Call[T], options: RequestOptions | None = None
    ) -> RawResponse[T]:
        response = await self.respond(call, options)
        return RawResponse(response, _reader(call, response))

    async def first_page(
        self, call: PageCall[T], options: RequestOptions | None = None
    ) -> RawResponse[Page[T]]:
        cursor, path, params = _first(call)
        response = await self.fetch(path, params, options)
        return RawResponse(response, lambda: cursor.advance(response))
