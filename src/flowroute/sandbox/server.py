"""Run the sandbox: in a background thread (tests, demo, ``running()``) or in the foreground."""

from __future__ import annotations

import asyncio
import copy
import errno
import functools
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Self

import h11
import uvicorn
from uvicorn.config import LOG_LEVELS, LOGGING_CONFIG
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState
from uvicorn.supervisors import Multiprocess

from .._client import AsyncFlowroute, Flowroute
from .._core.ratelimit import RateLimit
from .app import create_app
from .dispatcher import release_all_claims
from .logs import logger
from .middleware import SuppressInjectedDrops
from .remote import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, SandboxControl
from .settings import (
    SETTINGS_VARIABLE,
    STRICT_AUTH_VARIABLE,
    SandboxSettings,
    ServeOptions,
    bound_to,
    exposure_problem,
)
from .store.db import make_engine

logging.getLogger("uvicorn.error").addFilter(SuppressInjectedDrops())
# Seconds a clean stop waits for requests in flight before cancelling them.
GRACEFUL_SHUTDOWN = 5


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection that takes longer than ``header_timeout``
    seconds to send a complete request head (request line and headers).

    uvicorn alone waits forever for a head that is trickled or never finished. The timer runs
    whenever the connection owes us a head and nothing else bounds the wait: from
    ``connection_made``; on a kept-alive connection, from the first byte of the next request
    (uvicorn's ``timeout_keep_alive`` covers the silence before it and is cancelled by that
    byte); and after a response when a pipelined request is already half received. It stops
    once h11 has parsed the head (the peer's state leaves IDLE). A body sent slowly after a
    complete head is not covered here.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_timeout = (
            config.header_timeout
            if isinstance(config, SandboxConfig)
            else SandboxSettings().header_timeout
        )
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_timer()

    def data_received(self, data: bytes) -> None:
        if self._head_timer is None and self.conn.their_state is h11.IDLE:
            self._start_head_timer()  # the first bytes of the next request on a kept-alive one
        super().data_received(data)
        self._stop_head_timer_if_parsed()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # may parse a pipelined request
        if self.conn.their_state is h11.IDLE and self.conn.trailing_data[0]:
            if self._head_timer is None and not self.transport.is_closing():
                self._start_head_timer()  # part of the next head already arrived
        else:
            self._stop_head_timer_if_parsed()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _start_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _stop_head_timer_if_parsed(self) -> None:
        if self.conn.their_state is not h11.IDLE:
            self._cancel_head_timer()

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.conn.send(h11.ConnectionClosed())
            self.transport.close()


class SandboxConfig(uvicorn.Config):
    """uvicorn's Config serving through ``HeaderTimeoutProtocol`` with the settings' header
    timeout. Worker processes receive the config pickled, so the protocol and its timeout reach
    them too."""

    def __init__(self, app: Any, *, header_timeout: float, **options: Any) -> None:
        # A clean stop waits at most this long for requests in flight (a clock advance sending to
        # a hung receiver would otherwise hold SIGTERM for minutes); the dispatcher finishes or
        # releases the attempts those requests started.
        options.setdefault("timeout_graceful_shutdown", GRACEFUL_SHUTDOWN)
        super().__init__(app, http=HeaderTimeoutProtocol, **options)
        self.header_timeout = header_timeout


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging set-up plus the sandbox's own logger (requests, faults, webhooks) at
    ``level``, on the same stderr handler. Applied by each worker process too."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"][logger.name] = {
        "handlers": ["default"],
        "level": LOG_LEVELS[level],
        "propagate": False,
    }
    return config


def _config(settings: SandboxSettings, log_level: str, **options: Any) -> SandboxConfig:
    return SandboxConfig(
        create_app(settings),
        header_timeout=settings.header_timeout,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        **options,
    )


class SandboxServer(SandboxControl):
    """A sandbox serving on a loopback port in a daemon thread, plus the control handle for
    the default test account. ``client()``/``async_client()`` are SDK clients pointed at it."""

    def __init__(
        self,
        settings: SandboxSettings | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        access_key: str = DEFAULT_ACCESS_KEY,
        secret_key: str = DEFAULT_SECRET_KEY,
        log_level: str = "warning",
    ) -> None:
        self.settings = bound_to(host, settings or SandboxSettings())
        self._socket = socket.create_server((host, port))
        # create_server leaves proto=0, so asyncio would not set TCP_NODELAY on accepted
        # connections and every response would wait ~40 ms for a delayed ACK.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.host, self.port = self._socket.getsockname()[:2]
        self._server = uvicorn.Server(_config(self.settings, log_level))
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            daemon=True,
            name="flowroute-sandbox",
        )
        super().__init__(f"http://{host}:{self.port}", access_key=access_key, secret_key=secret_key)

    def start(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Flowroute sandbox failed to start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
        self.close()

    @property
    def secret_key(self) -> str:
        """The default account's secret (for code under test that reads its own settings)."""
        return self._secret_key

    def control(self, *, access_key: str, secret_key: str) -> SandboxControl:
        """Control handle for another account on this sandbox."""
        return SandboxControl(self.base_url, access_key=access_key, secret_key=secret_key)

    def _options(self, options: dict[str, Any]) -> dict[str, Any]:
        # Pace sends to this sandbox's own limits, so clients never trip them by accident.
        limit = RateLimit(self.settings.sms_per_second, self.settings.mms_per_second)
        defaults = {
            "access_key": self.access_key,
            "secret_key": self._secret_key,
            "rate_limit": limit,
        }
        return {**defaults, **options}

    def client(self, **options: Any) -> Flowroute:
        """A ``Flowroute`` on this sandbox (default account unless keys are given)."""
        return Flowroute(base_url=self.base_url, **self._options(options))

    def async_client(self, **options: Any) -> AsyncFlowroute:
        """An ``AsyncFlowroute`` on this sandbox (default account unless keys are given)."""
        return AsyncFlowroute(base_url=self.base_url, **self._options(options))


@contextmanager
def running(settings: SandboxSettings | None = None, **options: Any) -> Iterator[SandboxServer]:
    """``with running() as sb:`` a sandbox on a free loopback port for the block's duration."""
    server = SandboxServer(settings, **options).start()
    try:
        yield server
    finally:
        server.stop()


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port``, bound before anything is printed, so a busy port or
    an unknown host is one line (ValueError) instead of a banner followed by a failure."""
    try:
        sock = socket.create_server(
            (host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET
        )
    except OSError as exc:  # socket.gaierror included
        if exc.errno == errno.EADDRINUSE:
            reason = "the port is in use (another sandbox?); stop it or choose another --port"
        elif isinstance(exc.errno, int) and exc.errno > 0:
            reason = os.strerror(exc.errno).lower()
        else:
            reason = str(exc.strerror or exc).lower()
        raise ValueError(f"cannot listen on {host} port {port}: {reason}") from None
    # create_server leaves proto=0, so asyncio would not set TCP_NODELAY on accepted connections
    # and every response would wait ~40 ms for a delayed ACK; accepted sockets inherit it.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.set_inheritable(True)  # worker processes receive it
    return sock


class Foreground:
    """A foreground sandbox that has passed every check and holds its port: ``prepare()``
    makes one, the command lines print their banner, then ``run()`` serves until interrupted."""

    def __init__(self, sock: socket.socket, config: SandboxConfig, workers: int) -> None:
        self.socket = sock
        self.config = config
        self.workers = workers
        self.host = config.host
        self.port: int = sock.getsockname()[1]  # the real one when --port 0

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def run(self) -> None:
        try:
            if self.workers > 1:
                # Spawned workers inherit this process's environment: keep strict-auth pairs
                # given there (already read into settings) and any settings variable out of it.
                for name in (STRICT_AUTH_VARIABLE, SETTINGS_VARIABLE):
                    os.environ.pop(name, None)
                # What uvicorn.run does for workers, with our Config (uvicorn.run builds a plain
                # one); the app factory and its settings are pickled into each worker.
                Multiprocess(self.config, sockets=[self.socket]).run()
            else:
                uvicorn.Server(self.config).run(sockets=[self.socket])
        finally:
            self.socket.close()


def prepare_serving(settings: SandboxSettings, options: ServeOptions) -> Foreground:
    """``prepare`` with a command line's serve options (both entry points start this way)."""
    return prepare(
        settings,
        host=options.host,
        port=options.port,
        workers=options.workers,
        log_level=options.log_level,
        allow_any_key=options.allow_any_key,
    )


def prepare(
    settings: SandboxSettings,
    *,
    host: str,
    port: int,
    workers: int = 1,
    log_level: str = "info",
    allow_any_key: bool = False,
) -> Foreground:
    """Check everything ``serve()`` needs and bind the port; raises ValueError (one line).

    A non-loopback ``host`` makes the sandbox ``exposed`` (see ``outbound`` and ``exposure``);
    an exposed sandbox refuses to start without strict auth unless ``allow_any_key``.

    Several workers need a database they can share (PostgreSQL): the tables are created here,
    once, before the workers start. Each worker builds its app from the settings in its pickled
    config (sent through a pipe), never from its environment: secrets and the database URL stay
    out of ``/proc/<pid>/environ``.
    """
    settings = bound_to(host, settings)
    problem = exposure_problem(host, settings, allow_any_key=allow_any_key)
    if problem:
        raise ValueError(problem)
    if workers > 1 and not settings.shared_database:
        raise ValueError("--workers above 1 needs --db postgresql://... so workers share state")
    if settings.shared_database:
        # The schema is brought up to date once, before any worker starts; nobody is sending yet,
        # so leases a previous run left behind (a killed worker) are released and go out at once.
        engine = make_engine(settings.db)
        try:
            release_all_claims(engine)
        finally:
            engine.dispose()
    sock = listen(host, port)
    try:
        where = {"host": host, "port": port, "log_config": log_config(log_level)}
        if workers > 1:
            config = SandboxConfig(
                functools.partial(create_app, settings),
                factory=True,
                header_timeout=settings.header_timeout,
                workers=workers,
                log_level=log_level,
                access_log=False,
                **where,
            )
        else:
            config = _config(settings, log_level, **where)  # opens the database: errors now
    except BaseException:
        sock.close()
        raise
    return Foreground(sock, config, workers)


def serve(
    settings: SandboxSettings,
    *,
    host: str,
    port: int,
    workers: int = 1,
    log_level: str = "info",
    allow_any_key: bool = False,
) -> None:
    """Serve in the foreground until interrupted: ``prepare(...).run()``."""
    prepare(
        settings,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        allow_any_key=allow_any_key,
    ).run()
