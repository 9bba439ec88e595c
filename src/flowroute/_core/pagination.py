"""Lazy iterators over Flowroute's limit/offset pages that follow ``links.next``.

``limit`` is the total number of items wanted and ``page_size`` the size of each request (capped
at the endpoint's maximum), so ``limit=250`` never means "250 per page".
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlsplit

from .call import PageCall
from .errors import InvalidRequestError
from .transport import read

if TYPE_CHECKING:
    import httpx2

T = TypeVar("T")


@dataclass(slots=True)
class Page(Generic[T]):
    """One page: its items, the ``links.next`` URL (None on the last page) and the raw body."""

    items: list[T]
    next_url: str | None
    content: bytes = field(repr=False)

    @property
    def document(self) -> dict[str, Any]:
        """The JSON:API document exactly as the API sent it."""
        doc: dict[str, Any] = json.loads(self.content)
        return doc


class _Cursor(Generic[T]):
    """Where the next request goes and how many items are still wanted."""

    def __init__(self, call: PageCall[T]) -> None:
        if call.limit is not None and call.limit < 1:
            raise InvalidRequestError(
                f"limit must be at least 1 (the total to return), got {call.limit}"
            )
        if call.page_size is not None and call.page_size < 1:
            raise InvalidRequestError(f"page_size must be at least 1, got {call.page_size}")
        self._call = call
        self._remaining = call.limit
        self._page_size = min(call.page_size or call.max_page_size, call.max_page_size)
        self._path: str | None = call.path
        self._params: dict[str, str] = dict(call.params)

    def next_request(self) -> tuple[str, dict[str, str]] | None:
        if self._path is None or self._remaining == 0:
            return None
        size = self._page_size if self._remaining is None else min(self._page_size, self._remaining)
        return self._path, {**self._params, "limit": str(size)}

    def advance(self, response: httpx2.Response) -> Page[T]:
        content = response.content
        items, next_url = read(self._call.parse, content, response, None)
        if self._remaining is not None:
            items = items[: self._remaining]
            self._remaining -= len(items)
        self._path = None
        if next_url and items:
            # Follow the server's link but on our own base URL (Flowroute links sometimes name an
            # internal host), keeping the offset it chose.
            parts = urlsplit(next_url)
            self._path = parts.path
            self._params = dict(parse_qsl(parts.query, keep_blank_values=True))
        return Page(items=items, next_url=next_url, content=content)


def _describe(pager: object, call: PageCall[Any]) -> str:
    params = "".join(f", {k}={v!r}" for k, v in call.params.items())
    return (
        f"<{type(pager).__name__} GET {call.path}{params}, limit={call.limit}, "
        f"page_size={min(call.page_size or call.max_page_size, call.max_page_size)} "
        "(lazy: nothing fetched until iterated)>"
    )


class SyncPager(Generic[T]):
    """Iterate items (``for n in pager``) or pages (``pager.iter_pages()``); nothing is fetched
    until you iterate."""

    def __init__(
        self, fetch: Callable[[str, dict[str, str]], httpx2.Response], call: PageCall[T]
    ) -> None:
        self._fetch = fetch
        self._call = call
        _Cursor(call)  # validate arguments now, not at first iteration

    def __repr__(self) -> str:
        return _describe(self, self._call)

    def iter_pages(self) -> Iterator[Page[T]]:
        cursor = _Cursor(self._call)
        while (request := cursor.next_request()) is not None:
            yield cursor.advance(self._fetch(*request))

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.items

    def to_list(self) -> list[T]:
        return list(self)


class AsyncPager(Generic[T]):
    """``async for`` over items, or ``pager.iter_pages()`` for pages."""

    def __init__(
        self, fetch: Callable[[str, dict[str, str]], Awaitable[httpx2.Response]], call: PageCall[T]
    ) -> None:
        self._fetch = fetch
        self._call = call
        _Cursor(call)

    def __repr__(self) -> str:
        return _describe(self, self._call)

    async def iter_pages(self) -> AsyncIterator[Page[T]]:
        cursor = _Cursor(self._call)
        while (request := cursor.next_request()) is not None:
            yield cursor.advance(await self._fetch(*request))

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.items:
                yield item

    async def to_list(self) -> list[T]:
        return [item async for item in self]
