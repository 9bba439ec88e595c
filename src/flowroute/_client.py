"""``Flowroute`` and ``AsyncFlowroute``: configuration plus one lazily built object per resource."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

import httpx2

from ._core.config import (
    DEFAULT_INITIAL_RETRY_DELAY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_DELAY,
    ClientConfig,
    mask,
    resolve_config,
)
from ._core.modes import Async, M, RawAsync, RawSync, Sync
from ._core.options import NOT_GIVEN, NotGiven
from ._core.ratelimit import DEFAULT_RATE_LIMIT, RateLimit
from ._core.stderr_log import log_to_stderr
from ._core.transport import AsyncPool, AsyncRunner, SyncPool, SyncRunner

if TYPE_CHECKING:
    from .resources.callbacks import Callbacks
    from .resources.cdrs import Cdrs
    from .resources.cnams import Cnams
    from .resources.e911s import E911s
    from .resources.messages import Messages
    from .resources.numbers import Numbers
    from .resources.porting import Porting
    from .resources.routes import Routes


H = TypeVar("H", httpx2.Client, httpx2.AsyncClient)

_LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


def _setup_logging() -> None:
    """``FLOWROUTE_LOG=debug|info`` sends the ``flowroute`` logger to stderr at that level."""
    level = _LOG_LEVELS.get(os.environ.get("FLOWROUTE_LOG", "").strip().lower())
    if level is not None:
        log_to_stderr(level, "[%(asctime)s %(name)s %(levelname)s] %(message)s", tag="env")


def _check_http_client(value: object, expected: type[Any], client: str) -> None:
    if value is None or isinstance(value, expected):
        return
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
    hint = ""
    if type(value).__module__.split(".")[0] == "httpx":
        hint = " (this SDK runs on httpx2, not httpx: build it with httpx2)"
    elif isinstance(value, httpx2.Client | httpx2.AsyncClient):
        hint = " (a sync client goes to Flowroute, an async one to AsyncFlowroute)"
    raise TypeError(
        f"{client}(http_client=...) must be an httpx2.{expected.__name__}, got {kind}{hint}"
    )


class _Resources(Generic[M]):
    """The resource attributes, shared by the clients and their ``with_raw_response`` views."""

    _runner: Any

    # Resources are imported on first use: constructing a client pulls in no pydantic models.
    @cached_property
    def numbers(self) -> Numbers[M]:
        from .resources.numbers import Numbers

        return Numbers(self._runner)

    @cached_property
    def routes(self) -> Routes[M]:
        from .resources.routes import Routes

        return Routes(self._runner)

    @cached_property
    def messages(self) -> Messages[M]:
        from .resources.messages import Messages

        return Messages(self._runner)

    @cached_property
    def callbacks(self) -> Callbacks[M]:
        from .resources.callbacks import Callbacks

        return Callbacks(self._runner)

    @cached_property
    def e911s(self) -> E911s[M]:
        from .resources.e911s import E911s

        return E911s(self._runner)

    @cached_property
    def cnams(self) -> Cnams[M]:
        from .resources.cnams import Cnams

        return Cnams(self._runner)

    @cached_property
    def cdrs(self) -> Cdrs[M]:
        from .resources.cdrs import Cdrs

        return Cdrs(self._runner)

    @cached_property
    def porting(self) -> Porting[M]:
        from .resources.porting import Porting

        return Porting(self._runner)


class _ClientBase(_Resources[M], Generic[M, H]):
    """Everything both clients share; subclasses only say how to build their runner."""

    _runner: SyncRunner | AsyncRunner

    def __init__(
        self,
        *,
        access_key: str | None = None,
        secret_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx2.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        initial_retry_delay: float = DEFAULT_INITIAL_RETRY_DELAY,
        max_retry_delay: float = DEFAULT_MAX_RETRY_DELAY,
        rate_limit: RateLimit | bool | None = DEFAULT_RATE_LIMIT,
        http_client: H | None = None,
        default_headers: Mapping[str, str] | None = None,
        app_info: str | None = None,
    ) -> None:
        _check_http_client(http_client, self._http_client_type, type(self).__name__)
        config = resolve_config(
            access_key=access_key,
            secret_key=secret_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            initial_retry_delay=initial_retry_delay,
            max_retry_delay=max_retry_delay,
            rate_limit=rate_limit,
            default_headers=default_headers,
            app_info=app_info,
        )
        self._runner = self._make_runner(config, http_client)

    _http_client_type: type[Any]

    def _make_runner(self, config: ClientConfig, http_client: H | None) -> SyncRunner | AsyncRunner:
        raise NotImplementedError

    def with_options(
        self,
        *,
        max_retries: int | None = None,
        timeout: float | httpx2.Timeout | NotGiven | None = NOT_GIVEN,
        default_headers: Mapping[str, str] | None = None,
    ) -> Self:
        """A copy with other retry/timeout settings (and more default headers) that shares this
        client's connections."""
        clone = object.__new__(type(self))
        config = self.config.with_overrides(
            timeout=timeout, max_retries=max_retries, default_headers=default_headers
        )
        clone._runner = type(self._runner)(config, self._runner.pool)  # type: ignore[arg-type]
        return clone

    @property
    def config(self) -> ClientConfig:
        return self._runner.config

    @property
    def base_url(self) -> str:
        return self.config.base_url

    @property
    def access_key(self) -> str:
        return self.config.access_key

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(access_key={mask(self.config.access_key)!r}, "
            f"base_url={self.config.base_url!r})"
        )


class RawResponses(_Resources[M]):
    """``client.with_raw_response``: ``.numbers.retrieve(...)`` and so on, answering raw."""

    def __init__(self, runner: Any) -> None:
        self._runner = runner

    def __repr__(self) -> str:
        return f"<RawResponses of {self._runner!r}>"


class Flowroute(_ClientBase[Sync, httpx2.Client]):
    """Synchronous client.

    Credentials come from the arguments, else ``FLOWROUTE_ACCESS_KEY``/``FLOWROUTE_SECRET_KEY``,
    else ``FR_ACCESS_KEY``/``FR_SECRET_KEY``; ``FLOWROUTE_BASE_URL`` points it at a sandbox.
    Pass ``http_client=httpx2.Client(...)`` for proxies, certificates or event hooks.
    """

    _runner: SyncRunner
    _http_client_type = httpx2.Client

    def _make_runner(self, config: ClientConfig, http_client: httpx2.Client | None) -> SyncRunner:
        return SyncRunner(config, SyncPool(http_client))

    @cached_property
    def with_raw_response(self) -> RawResponses[RawSync]:
        """The same resources, answering ``RawResponse`` objects: status, headers, request id
        and ``.parse()`` for the usual result. Shares this client's connections."""
        from ._core.raw import RawSyncRunner

        return RawResponses(RawSyncRunner(self.config, self._runner.pool))

    def close(self) -> None:
        """Close the connection pool (unless you passed your own ``http_client``)."""
        self._runner.pool.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncFlowroute(_ClientBase[Async, httpx2.AsyncClient]):
    """Asynchronous client with the same surface as ``Flowroute``; every call is awaited."""

    _runner: AsyncRunner
    _http_client_type = httpx2.AsyncClient

    @cached_property
    def with_raw_response(self) -> RawResponses[RawAsync]:
        """The same resources; awaiting a method gives a ``RawResponse``."""
        from ._core.raw import RawAsyncRunner

        return RawResponses(RawAsyncRunner(self.config, self._runner.pool))

    def _make_runner(
        self, config: ClientConfig, http_client: httpx2.AsyncClient | None
    ) -> AsyncRunner:
        return AsyncRunner(config, AsyncPool(http_client))

    async def close(self) -> None:
        """Close the connection pool (unless you passed your own ``http_client``)."""
        await self._runner.pool.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


_setup_logging()
