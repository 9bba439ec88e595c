"""Sync and async resources from one definition.

A resource method is written once and returns a ``Call`` (or ``PageCall``) describing the request.
The ``endpoint``/``paginated`` descriptors turn it into ``Numbers[Sync].retrieve(...) -> Number``
or ``Numbers[Async].retrieve(...) -> Coroutine[..., Number]``, keeping the signature (keyword-only
arguments included) for type checkers and editors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Generator
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from .call import Call, PageCall
from .modes import Async, M, RawAsync, RawSync, Sync
from .options import option_names, take_options
from .pagination import AsyncPager, Page, SyncPager
from .raw import RawAsyncRunner, RawResponse, RawSyncRunner
from .transport import AsyncRunner, SyncRunner

P = ParamSpec("P")
T = TypeVar("T")


class Resource(Generic[M]):
    """Base of every resource; holds the runner of the client it belongs to."""

    def __init__(self, runner: SyncRunner | AsyncRunner) -> None:
        self._runner = runner


class _Descriptor(Generic[P, T]):
    def __init__(self, build: Callable[Concatenate[Any, P], T]) -> None:
        self._build = build
        self._name = build.__name__
        self._options = option_names(build)
        functools.update_wrapper(self, build)  # type: ignore[arg-type]

    _runs = "execute"  # the runner method that carries out what the built method returns

    def _bind(self, obj: Resource[Any]) -> Callable[..., Any]:
        build, run, names = self._build, getattr(obj._runner, self._runs), self._options

        def bound(*args: Any, **kwargs: Any) -> Any:
            # Per-call options (timeout=, extra_*=) are handled here, once, for every method.
            options = take_options(kwargs, names)
            return run(build(obj, *args, **kwargs), options)

        return bound

    def _cache(self, obj: Resource[Any]) -> Callable[..., Any]:
        # Non-data descriptor: the bound function lands in the instance dict, so later lookups
        # skip __get__ entirely.
        bound = functools.wraps(self._build)(self._bind(obj))
        obj.__dict__[self._name] = bound
        return bound


class endpoint(_Descriptor[P, Call[T]]):
    """Decorates ``def method(self, ...) -> Call[T]``."""

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> endpoint[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(
        self, obj: Resource[Async], owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...
    @overload
    def __get__(self, obj: Resource[RawSync], owner: type[Any]) -> Callable[P, RawResponse[T]]: ...
    @overload
    def __get__(
        self, obj: Resource[RawAsync], owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, RawResponse[T]]]: ...
    def __get__(self, obj: Resource[Any] | None, owner: type[Any]) -> Any:
        return self if obj is None else self._cache(obj)


class paginated(_Descriptor[P, PageCall[T]]):
    """Decorates ``def list(self, ...) -> PageCall[T]``; callers get a Sync/AsyncPager."""

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> paginated[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: type[Any]) -> Callable[P, SyncPager[T]]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: type[Any]) -> Callable[P, AsyncPager[T]]: ...
    @overload
    def __get__(
        self, obj: Resource[RawSync], owner: type[Any]
    ) -> Callable[P, RawResponse[Page[T]]]: ...
    @overload
    def __get__(
        self, obj: Resource[RawAsync], owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, RawResponse[Page[T]]]]: ...
    def __get__(self, obj: Resource[Any] | None, owner: type[Any]) -> Any:
        return self if obj is None else self._cache(obj)

    def _bind(self, obj: Resource[Any]) -> Callable[..., Any]:
        build, runner, names = self._build, obj._runner, self._options
        if isinstance(runner, RawSyncRunner | RawAsyncRunner):
            first_page = runner.first_page

            def raw(*args: Any, **kwargs: Any) -> Any:
                options = take_options(kwargs, names)
                return first_page(build(obj, *args, **kwargs), options)

            return raw
        pager: type[SyncPager[Any]] | type[AsyncPager[Any]] = (
            AsyncPager if isinstance(runner, AsyncRunner) else SyncPager
        )

        def bound(*args: Any, **kwargs: Any) -> Any:
            options = take_options(kwargs, names)
            fetch = runner.fetch
            if options:
                fetch = functools.partial(fetch, options=options)
            return pager(fetch, build(obj, *args, **kwargs))  # type: ignore[arg-type]

        return bound


class flow(_Descriptor[P, Generator[Any, Any, T]]):
    """Decorates ``def method(self, ...) -> Flow[T]``: several requests (and waits) written once
    as a generator of steps; sync callers get ``T``, async callers a coroutine of ``T``."""

    _runs = "drive"

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> flow[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(
        self, obj: Resource[Async], owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...
    @overload
    def __get__(self, obj: Resource[RawSync], owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(
        self, obj: Resource[RawAsync], owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...
    def __get__(self, obj: Resource[Any] | None, owner: type[Any]) -> Any:
        return self if obj is None else self._cache(obj)
