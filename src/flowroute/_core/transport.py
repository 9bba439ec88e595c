"""Sending requests: auth, headers, timeouts, retries and error mapping, for sync and async.

The decisions live in ``_Attempt`` so the sync and async loops are just I/O.
"""

from __future__ import annotations

import base64
import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx2

from .call import Download, Sleep
from .config import DEFAULT_CONNECT_TIMEOUT, ClientConfig, mask
from .download import Receiving, content_length
from .errors import (
    EXPECTED_STATUSES,
    APIConnectionError,
    APIError,
    APITimeoutError,
    FlowrouteError,
    IndeterminateResultError,
    status_error,
    unexpected_body,
    unexpected_status,
)
from .options import RequestOptions
from .ratelimit import Ticket, window_for
from .retry import NOT_SENT, backoff, should_retry_status

if TYPE_CHECKING:
    import ssl
    from asyncio import AbstractEventLoop

    from .call import Call, Download, Flow

T = TypeVar("T")
R = TypeVar("R")

logger = logging.getLogger("flowroute")

USER_AGENT = "flowroute-sdk-python/0.1.0"
JSON_API = "application/vnd.api+json"
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


def redact_headers(headers: httpx2.Headers | dict[str, str]) -> dict[str, str]:
    """Headers safe to print: credentials replaced."""
    return {k: ("<redacted>" if k.lower() in SENSITIVE_HEADERS else v) for k, v in headers.items()}


def _timeout(value: float | httpx2.Timeout | None) -> httpx2.Timeout:
    if isinstance(value, httpx2.Timeout):
        return value
    if value is None:
        return httpx2.Timeout(None)
    return httpx2.Timeout(value, connect=min(value, DEFAULT_CONNECT_TIMEOUT))


class _Attempt:
    """Retry bookkeeping for one logical request."""

    def __init__(
        self, config: ClientConfig, request: httpx2.Request, call: Call[Any] | None = None
    ) -> None:
        self.config = config
        self.request = request
        self.idempotent = call.idempotent if call else True
        self.action = (call.action if call else None) or f"{request.method} {request.url.path}"
        self.payload = call.json if call else None
        self.window = (
            window_for(config.access_key, call.throttle, config.rate_limit)
            if call and call.throttle and config.rate_limit
            else None
        )
        self.number = 0
        self.ticket: Ticket | None = None

    def pace(self) -> float:
        """Seconds to wait before this attempt may be sent (client-side rate limit)."""
        if self.window is None:
            return 0.0
        if self.ticket is None:
            self.ticket = self.window.reserve()
        return self.ticket.wait()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        # The request is over however it ended (answer, error, cancellation): settle its slot
        # in the rate-limit window so later sends never wait on it.
        if self.ticket is not None:
            self.ticket.finish()
            self.ticket = None

    def _retry(self, reason: str, response: httpx2.Response | None = None) -> float:
        self.number += 1
        delay = backoff(self.number - 1, response, self.config)
        logger.info(
            "retry %d of %d in %.2fs (%s %s: %s)",
            self.number,
            self.config.max_retries,
            delay,
            self.request.method,
            self.request.url.path,
            reason,
        )
        return delay

    def _indeterminate(self, cause: APIError, what: str) -> IndeterminateResultError:
        return indeterminate(self.action, self.request, cause, what, self.payload)

    def on_response(self, response: httpx2.Response) -> float | None:
        """None: the response is final and successful. A float: retry after that many seconds."""
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %d; request headers %s",
                self.request.method,
                self.request.url,
                response.status_code,
                redact_headers(self.request.headers),
            )
        status = response.status_code
        if status in EXPECTED_STATUSES:
            return None
        if not 400 <= status <= 599:  # 1xx, 3xx, a 2xx it never sends, 600+: nothing to trust
            odd = unexpected_status(response)
            if not self.idempotent:
                raise self._indeterminate(odd, f"the server answered {status}") from odd
            raise odd
        error = status_error(response)
        if self.number < self.config.max_retries and should_retry_status(
            status, idempotent=self.idempotent
        ):
            return self._retry(f"{status} {response.reason_phrase}", response)
        if not self.idempotent and (status >= 500 or status == 408):
            raise self._indeterminate(error, f"the server answered {status}") from error
        raise error

    def on_transport_error(self, exc: httpx2.TransportError) -> float:
        timed_out = isinstance(exc, httpx2.TimeoutException)
        kind = APITimeoutError if timed_out else APIConnectionError
        error = kind(
            f"{'timed out' if timed_out else 'connection failed'}: {exc or type(exc).__name__} "
            f"({self.request.method} {self.request.url})",
            request=self.request,
        )
        sent = not isinstance(exc, NOT_SENT)
        if sent and not self.idempotent:
            raise self._indeterminate(
                error, f"the connection failed ({type(exc).__name__})"
            ) from exc
        if self.number < self.config.max_retries:
            return self._retry(type(exc).__name__)
        raise error from exc


def indeterminate(
    action: str, request: httpx2.Request, cause: APIError, what: str, payload: Any = None
) -> IndeterminateResultError:
    return IndeterminateResultError(
        f"{action} may have completed: {what} after the request was sent, so it was not "
        "retried (Flowroute has no idempotency keys). Check the result before trying again.",
        request=request,
        cause=cause,
        payload=payload,
    )


def read(
    parse: Callable[[R], T], answer: R, response: httpx2.Response, call: Call[Any] | None
) -> T:
    """Run a parser; a body that is not the expected document becomes an SDK error (the
    may-have-happened one for a purchase or send), never a bare ValidationError."""
    try:
        return parse(answer)
    except FlowrouteError:
        raise
    except (ValueError, TypeError, LookupError, AttributeError) as exc:
        error = unexpected_body(response, exc)
        if call is not None and not call.idempotent:
            action = call.action or f"{call.method} {call.path}"
            what = f"the answer ({response.status_code}) could not be read"
            raise indeterminate(action, response.request, error, what, call.json) from exc
        raise error from exc


class _RunnerBase:
    """Builds requests; shared by the sync and async runners."""

    def __init__(self, config: ClientConfig) -> None:
        self.config = config
        token = base64.b64encode(f"{config.access_key}:{config.secret_key}".encode()).decode()
        agent = f"{USER_AGENT} {config.app_info}" if config.app_info else USER_AGENT
        self._headers = {
            "Accept": JSON_API,
            "User-Agent": agent,
            **(config.default_headers or {}),
            "Authorization": f"Basic {token}",
        }
        self._timeout = _timeout(config.timeout).as_dict()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(access_key={mask(self.config.access_key)!r})"

    def build(
        self,
        method: str,
        path: str,
        params: Any = None,
        body: Any = None,
        options: RequestOptions | None = None,
    ) -> httpx2.Request:
        headers = self._headers
        timeout = self._timeout
        if options:
            if extra := options.get("extra_body"):
                body = {**body, **extra} if isinstance(body, dict) else dict(extra)
            if extra := options.get("extra_query"):
                params = {**(params or {}), **extra}
            if extra := options.get("extra_headers"):
                headers = {**headers, **extra}
            if "timeout" in options:
                timeout = _timeout(options["timeout"]).as_dict()
        content = None
        if body is not None:
            content = json.dumps(body, separators=(",", ":")).encode()
            headers = {**headers, "Content-Type": JSON_API}
        request = httpx2.Request(
            method, self.config.base_url + path, params=params, headers=headers, content=content
        )
        request.extensions["timeout"] = timeout
        return request


class SyncRunner(_RunnerBase):
    """Executes calls on a lazily created ``httpx2.Client`` shared with ``with_options`` copies."""

    def __init__(self, config: ClientConfig, pool: SyncPool) -> None:
        super().__init__(config)
        self.pool = pool

    def send(self, request: httpx2.Request, call: Call[Any] | None = None) -> httpx2.Response:
        attempt = _Attempt(self.config, request, call)
        while True:
            while wait := attempt.pace():
                time.sleep(wait)
            try:
                with attempt:
                    response = self.pool.client.send(request)
            except httpx2.TransportError as exc:
                delay = attempt.on_transport_error(exc)
            else:
                if (delay := attempt.on_response(response)) is None:  # type: ignore[assignment]
                    return response
            time.sleep(delay)

    def execute(self, call: Call[T], options: RequestOptions | None = None) -> T:
        response = self.respond(call, options)
        return read(call.parse, response, response, call)

    def respond(self, call: Call[Any], options: RequestOptions | None = None) -> httpx2.Response:
        request = self.build(call.method, call.path, call.params, call.json, options)
        return self.send(request, call)

    def fetch(
        self, path: str, params: dict[str, str], options: RequestOptions | None = None
    ) -> httpx2.Response:
        return self.send(self.build("GET", path, params, None, options))

    def drive(self, flow: Flow[T], options: RequestOptions | None = None) -> T:
        """Run a multi-request operation (a generator of steps) to its result."""
        from .call import Download  # only multi-step operations need these

        answer: Any = None
        while True:
            try:
                step = flow.send(answer)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            if isinstance(step, Sleep):
                time.sleep(step.seconds)
                answer = None
            elif isinstance(step, Download):
                answer = self.download(step)
            else:
                answer = SyncRunner.execute(self, step, options)

    def download(self, step: Download) -> int:
        with Receiving(step) as receiving:
            with self.pool.client.stream("GET", step.url, timeout=None) as response:
                if response.status_code != 200:
                    response.read()
                    raise _download_error(response)
                receiving.start(content_length(response.headers))
                for chunk in response.iter_raw():
                    receiving.write(chunk)
            return receiving.finish()


class AsyncRunner(_RunnerBase):
    """The async twin of SyncRunner."""

    def __init__(self, config: ClientConfig, pool: AsyncPool) -> None:
        super().__init__(config)
        self.pool = pool

    async def send(self, request: httpx2.Request, call: Call[Any] | None = None) -> httpx2.Response:
        attempt = _Attempt(self.config, request, call)
        while True:
            while wait := attempt.pace():
                await _sleep(wait)
            try:
                with attempt:
                    response = await self.pool.client.send(request)
            except httpx2.TransportError as exc:
                delay = attempt.on_transport_error(exc)
            else:
                if (delay := attempt.on_response(response)) is None:  # type: ignore[assignment]
                    return response
            await _sleep(delay)

    async def execute(self, call: Call[T], options: RequestOptions | None = None) -> T:
        response = await self.respond(call, options)
        return read(call.parse, response, response, call)

    async def respond(
        self, call: Call[Any], options: RequestOptions | None = None
    ) -> httpx2.Response:
        request = self.build(call.method, call.path, call.params, call.json, options)
        return await self.send(request, call)

    async def fetch(
        self, path: str, params: dict[str, str], options: RequestOptions | None = None
    ) -> httpx2.Response:
        return await self.send(self.build("GET", path, params, None, options))

    async def drive(self, flow: Flow[T], options: RequestOptions | None = None) -> T:
        """The async twin of SyncRunner.drive."""
        from .call import Download

        answer: Any = None
        while True:
            try:
                step = flow.send(answer)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            if isinstance(step, Sleep):
                await _sleep(step.seconds)
                answer = None
            elif isinstance(step, Download):
                answer = await self.download(step)
            else:
                answer = await AsyncRunner.execute(self, step, options)

    async def download(self, step: Download) -> int:
        with Receiving(step) as receiving:
            async with self.pool.client.stream("GET", step.url, timeout=None) as response:
                if response.status_code != 200:
                    await response.aread()
                    raise _download_error(response)
                receiving.start(content_length(response.headers))
                async for chunk in response.aiter_raw():
                    receiving.write(chunk)
            return receiving.finish()


def _download_error(response: httpx2.Response) -> APIError:
    return status_error(response) if response.is_error else unexpected_status(response)


async def _sleep(seconds: float) -> None:
    import asyncio  # only when waiting: keeps asyncio out of ``import flowroute``

    await asyncio.sleep(seconds)


# A warm start. httpx2 builds an SSL context (loading the CA store, ~20 ms) in every client's
# constructor, even for plain HTTP. Our own clients instead share one default context per
# process, built on the first HTTPS request; plain HTTP never builds one. A client you pass as
# http_client= keeps its own verify/cert settings. See docs/decisions/0014-per-call-options.md.
_default_context: ssl.SSLContext | None = None
_context_lock = threading.Lock()


def default_ssl_context() -> ssl.SSLContext:
    """The process-wide context for default verification (httpx2's defaults: trust store,
    SSL_CERT_FILE / SSL_CERT_DIR), built once on first use."""
    global _default_context
    if _default_context is None:
        with _context_lock:
            if _default_context is None:
                _default_context = httpx2.create_ssl_context()
    return _default_context


class _Routes:
    """Builds the plain and the TLS transport on first use of each scheme."""

    def __init__(self, plain: Callable[[], Any], tls: Callable[[], Any]) -> None:
        self._make = {"http": plain, "https": tls}
        self._built: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self, request: httpx2.Request) -> Any:
        scheme = request.url.scheme
        transport = self._built.get(scheme)
        if transport is None:
            with self._lock:
                transport = self._built.get(scheme)
                if transport is None:
                    transport = self._built[scheme] = self._make[scheme]()
        return transport

    def built(self) -> list[Any]:
        return list(self._built.values())


# verify=None reaches httpcore2's pool as "no context": it is never used for http:// requests.
_NO_TLS: Any = None


class _Transport(httpx2.BaseTransport):
    def __init__(self) -> None:
        self._routes = _Routes(
            lambda: httpx2.HTTPTransport(verify=_NO_TLS),
            lambda: httpx2.HTTPTransport(verify=default_ssl_context()),
        )

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response: httpx2.Response = self._routes.get(request).handle_request(request)
        return response

    def close(self) -> None:
        for transport in self._routes.built():
            transport.close()


def warm_transport() -> httpx2.BaseTransport:
    """A transport for an ``httpx2.Client`` of our own (the sandbox control handle) that starts
    warm the same way: plain HTTP never builds an SSL context."""
    return _Transport()


class _AsyncTransport(httpx2.AsyncBaseTransport):
    def __init__(self) -> None:
        self._routes = _Routes(
            lambda: httpx2.AsyncHTTPTransport(verify=_NO_TLS),
            lambda: httpx2.AsyncHTTPTransport(verify=default_ssl_context()),
        )

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response: httpx2.Response = await self._routes.get(request).handle_async_request(request)
        return response

    async def aclose(self) -> None:
        for transport in self._routes.built():
            await transport.aclose()


class SyncPool:
    """Holds the HTTP connection pool, created on first use so constructing a client is cheap."""

    def __init__(self, client: httpx2.Client | None) -> None:
        self._client = client
        self._owned = client is None

    @property
    def client(self) -> httpx2.Client:
        if self._client is None:
            self._client = httpx2.Client(follow_redirects=False, transport=_Transport())
        return self._client

    def close(self) -> None:
        if self._owned and self._client is not None:
            self._client.close()
            self._client = None


class AsyncPool:
    def __init__(self, client: httpx2.AsyncClient | None) -> None:
        self._client = client
        self._owned = client is None
        # The event loop the pool's connections belong to, so synchronous code (the pytest
        # fixture's teardown) can close them there rather than leak them.
        self.loop: AbstractEventLoop | None = None

    @property
    def client(self) -> httpx2.AsyncClient:
        if self._client is None:
            self._client = httpx2.AsyncClient(follow_redirects=False, transport=_AsyncTransport())
            # Built inside a coroutine, where asyncio is loaded already: importing it here would
            # put it back into ``import flowroute``.
            running = sys.modules.get("asyncio")
            try:
                self.loop = running.get_running_loop() if running else None
            except RuntimeError:
                self.loop = None
        return self._client

    async def close(self) -> None:
        if self._owned and self._client is not None:
            await self._client.aclose()
            self._client = None
