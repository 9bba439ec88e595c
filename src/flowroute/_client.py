"""``Flowroute`` and ``AsyncFlowroute``: configuration plus one lazily built object per resource."""

from __future__ import annotations

from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Generic, Self, TypeVar

import httpx2

from ._core.config import (
    DEFAULT_INITIAL_RETRY_DELAY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_DELAY,
    NOT_GIVEN,
    ClientConfig,
    mask,
    resolve_config,
)
from ._core.modes import Async, M, Sync
from ._core.ratelimit import DEFAULT_RATE_LIMIT, RateLimit
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


class _ClientBase(Generic[M, H]):
    """Everything both clients share; subclasses only say how to build their runner."""

    _runner: SyncRunner | AsyncRunner

    def __init__(
        self,
        *,
        access_key: str | None = None,
        secret_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx2.Timeout | object | None = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        initial_retry_delay: float = DEFAULT_INITIAL_RETRY_DELAY,
        max_retry_delay: float = DEFAULT_MAX_RETRY_DELAY,
        rate_limit: RateLimit | None = DEFAULT_RATE_LIMIT,
        http_client: H | None = None,
    ) -> None:
        config = resolve_config(
            access_key=access_key,
            secret_key=secret_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            initial_retry_delay=initial_retry_delay,
            max_retry_delay=max_retry_delay,
            rate_limit=rate_limit,
        )
        self._runner = self._make_runner(config, http_client)

    def _make_runner(self, config: ClientConfig, http_client: H | None) -> SyncRunner | AsyncRunner:
        raise NotImplementedError

    def with_options(
        self,
        *,
        max_retries: int | None = None,
        timeout: float | httpx2.Timeout | object | None = NOT_GIVEN,
    ) -> Self:
        """A copy with other retry/timeout settings that shares this client's connections."""
        clone = object.__new__(type(self))
        config = self.config.with_overrides(timeout=timeout, max_retries=max_retries)
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


class Flowroute(_ClientBase[Sync, httpx2.Client]):
    """Synchronous client.

    Credentials come from the arguments, else ``FLOWROUTE_ACCESS_KEY``/``FLOWROUTE_SECRET_KEY``,
    else ``FR_ACCESS_KEY``/``FR_SECRET_KEY``; ``FLOWROUTE_BASE_URL`` points it at a sandbox.
    Pass ``http_client=httpx2.Client(...)`` for proxies, certificates or event hooks.
    """

    _runner: SyncRunner

    def _make_runner(self, config: ClientConfig, http_client: httpx2.Client | None) -> SyncRunner:
        return SyncRunner(config, SyncPool(http_client))

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
