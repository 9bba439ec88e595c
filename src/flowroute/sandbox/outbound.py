"""Everything the sandbox sends out over the network: webhook POSTs and MMS media fetches, and
the policy that decides which addresses it may contact. The dispatcher decides *when* to send;
this module decides *whether* and *how*.

- On a loopback bind (the default): loopback addresses are contacted; any other address only
  with ``--allow-external-hosts``.
- On an exposed sandbox (``exposed``: a non-loopback ``--host``, or ``--exposed``): public
  addresses with ``--allow-external-hosts``; loopback, private, link-local, unspecified and
  other non-public addresses never.

A host that ``--allow-webhook-host`` names (``HOST`` or ``HOST:PORT``) is contacted whatever its
address. The policy is applied where connections are made, in an httpcore2 network backend: a
host name is resolved once, every address it resolves to is checked, and the connection goes to
a checked address, so DNS cannot answer differently between the check and the connect. TLS
still verifies the name the URL gives. Redirects are never followed and no proxy from the
environment is used. On a loopback bind a host name other than ``localhost`` is refused without
resolving it (no DNS traffic unless ``--allow-external-hosts``), as before.
"""

from __future__ import annotations

import asyncio
import codecs
import re
import socket
import time
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, IPv6Network, ip_address
from typing import Literal, NamedTuple

import httpcore2
import httpx2

from .errors import ApiError
from .logs import logger, shown_url
from .settings import SandboxSettings, split_host_port

ATTEMPT_TIMEOUT = 10.0  # one attempt in all: resolving, connecting, sending, the whole answer
# As Go's HTTP client sends them (it asks for gzip by itself).
HEADERS = {
    "Content-Type": "application/json",
    "User-Agent": "Go-http-client/1.1",
    "Accept-Encoding": "gzip",
}
# Bytes read from one media file at most: well past Flowroute's 767,840-byte MMS limit, so a
# larger file is still reported over it, without the sandbox downloading all of it.
MEDIA_READ_LIMIT = 2 * 1024 * 1024
NAT64 = IPv6Network("64:ff9b::/96")
# A webhook attempt keeps the start of the receiver's answer: at most EXCERPT_READ bytes are
# read (a huge answer costs nothing), and EXCERPT_CHARS characters of them are recorded.
EXCERPT_READ = 2048
EXCERPT_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # control characters but \t and \n

IPAddress = IPv4Address | IPv6Address


class Refused(ApiError):
    """The outbound policy forbids contacting a URL: nothing was sent. ``reason`` says why and
    which option would allow it; as an API error (a media fetch on an exposed sandbox) it is a
    422 carrying the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(422, f"Error fetching media: not fetched: {reason}.")
        self.reason = reason


class NonPublicAddress(Refused):
    """A loopback, private, link-local or other non-public address, on an exposed sandbox."""


class HostNotAllowed(Refused):
    """A host the operator has not allowed (``--allow-webhook-host``/``--allow-external-hosts``)."""


def non_public(address: IPAddress) -> str | None:
    """What kind of non-public address ``address`` is ("a loopback address", ...), or None for
    a public one. An IPv4 address inside IPv6 (mapped, 6to4, NAT64) counts as itself too."""
    if isinstance(address, IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            kind = non_public(embedded)
            if kind or address.ipv4_mapped:
                return kind
    for kind, label in (
        ("unspecified", "an unspecified"),
        ("loopback", "a loopback"),
        ("link_local", "a link-local"),
        ("multicast", "a multicast"),
        ("private", "a private"),
        ("reserved", "a reserved"),
    ):
        if getattr(address, f"is_{kind}"):
            return f"{label} address"
    return None if address.is_global else "a non-public address"


def _is_loopback(address: IPAddress) -> bool:
    if isinstance(address, IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _literal(name: str) -> IPAddress | None:
    try:
        return ip_address(name)
    except ValueError:
        return None


def _target(name: str, port: int) -> str:
    """``HOST:PORT`` as ``--allow-webhook-host`` takes it."""
    return f"[{name}]:{port}" if ":" in name else f"{name}:{port}"


async def _resolve(name: str, port: int) -> list[IPAddress]:
    """Every address ``name`` resolves to, in the resolver's order, once each."""
    try:
        found = await asyncio.get_running_loop().getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore2.ConnectError(f"cannot resolve {name}: {exc.strerror}") from None
    addresses: list[IPAddress] = []
    for family, *_, sockaddr in found:
        if family in (socket.AF_INET, socket.AF_INET6):
            address = ip_address(str(sockaddr[0]).partition("%")[0])
            if address not in addresses:
                addresses.append(address)
    if not addresses:
        raise httpcore2.ConnectError(f"cannot resolve {name}: no addresses")
    return addresses


Need = Literal["any", "loopback", "public"]


@dataclass(frozen=True)
class Policy:
    """Which hosts and addresses the sandbox may contact (see the module docstring)."""

    exposed: bool
    external: bool
    allowed: frozenset[tuple[str, int | None]]

    @classmethod
    def of(cls, settings: SandboxSettings) -> Policy:
        allowed = frozenset(split_host_port(entry) for entry in settings.allow_webhook_host)
        return cls(settings.exposed, settings.allow_external_hosts, allowed)

    def need(self, name: str, port: int) -> Need:
        """What every address of ``name`` must be for ``name:port`` to be contacted: anything,
        loopback or public. Raises Refused when the name alone settles it (no DNS)."""
        if (name, port) in self.allowed or (name, None) in self.allowed:
            return "any"
        target = _target(name, port)
        literal = _literal(name)
        if not self.exposed:
            if self.external:
                return "any"
            if name == "localhost" or (literal is not None and _is_loopback(literal)):
                return "loopback"
            raise HostNotAllowed(
                f"{name} is not a loopback address; start the sandbox with "
                f"--allow-external-hosts to reach other hosts, or --allow-webhook-host {target} "
                "for this one"
            )
        if literal is not None:
            kind = non_public(literal)
            if kind:
                raise NonPublicAddress(
                    f"{name} is {kind}; a shared sandbox contacts one only when started with "
                    f"--allow-webhook-host {target}"
                )
        if not self.external:
            raise HostNotAllowed(
                f"{name} is not an allowed host of this shared sandbox; start it with "
                f"--allow-webhook-host {target}, or --allow-external-hosts for public addresses"
            )
        return "public"

    async def addresses(self, host: str, port: int) -> list[str]:
        """Where to connect for ``host:port`` as a URL names it: the addresses it resolves to,
        every one checked, or ``host`` itself when any address will do. Raises Refused."""
        try:
            name = split_host_port(host)[0]
        except ValueError:
            raise HostNotAllowed(f"{host!r} is not a host name or address") from None
        need = self.need(name, port)
        if need == "any":
            return [host]
        literal = _literal(name)
        resolved = [literal] if literal is not None else await _resolve(name, port)
        for address in resolved:
            if need == "loopback" and not _is_loopback(address):
                raise HostNotAllowed(
                    f"{name} resolves to {address}, not a loopback address; start the sandbox "
                    "with --allow-external-hosts to reach other hosts, or --allow-webhook-host "
                    f"{_target(name, port)} for this one"
                )
            kind = non_public(address) if need == "public" else None
            if kind:
                raise NonPublicAddress(
                    f"{name} resolves to {address}, {kind}; a shared sandbox contacts one only "
                    f"when started with --allow-webhook-host {_target(name, port)}"
                )
        return [str(address) for address in resolved]

    def describe(self) -> str:
        """Where webhooks go, for the banner."""
        if not self.exposed:
            reach = "any host" if self.external else "loopback hosts only"
        elif self.external:
            reach = "public addresses only (never loopback, private or other non-public ones)"
        else:
            reach = "the --allow-webhook-host hosts only"
        if self.allowed and reach != "any host":
            names = sorted(_target(name, port) if port else name for name, port in self.allowed)
            reach += ", and " + ", ".join(names)
        return reach


class _PolicyBackend(httpcore2.AsyncNetworkBackend):
    """httpcore2's network backend, connecting only to the addresses the policy has checked."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.network = httpcore2.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore2's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        failure: httpcore2.ConnectError | None = None
        for address in await self.policy.addresses(host, port):
            try:
                return await self.network.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore2.ConnectError as exc:  # the next checked address, if any
                failure = exc
        assert failure is not None  # addresses() returns at least one
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore2's interface
        socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        raise HostNotAllowed("Unix sockets are never contacted")

    async def sleep(self, seconds: float) -> None:
        await self.network.sleep(seconds)


class _Body(httpx2.AsyncByteStream):
    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self._stream:
            yield part

    async def aclose(self) -> None:
        aclose = getattr(self._stream, "aclose", None)
        if aclose is not None:
            await aclose()


class _Transport(httpx2.AsyncBaseTransport):
    """httpx2's default transport, built on the policy's network backend: httpx2 has no
    parameter for one, httpcore2's ``AsyncConnectionPool`` has (``network_backend``)."""

    def __init__(self, policy: Policy) -> None:
        self._pool = httpcore2.AsyncConnectionPool(
            ssl_context=httpx2.create_ssl_context(trust_env=False),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_PolicyBackend(policy),
        )

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        url = request.url
        response = await self._pool.handle_async_request(
            httpcore2.Request(
                method=request.method,
                url=httpcore2.URL(
                    scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
                ),
                headers=request.headers.raw,
                content=request.stream,
                extensions=request.extensions,
            )
        )
        assert isinstance(response.stream, AsyncIterable)
        return httpx2.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


def _unzipped(data: bytes, encoding: str) -> bytes:
    """A gzip answer's start, inflated to at most EXCERPT_READ bytes (anything else as is)."""
    if encoding.strip().lower() not in ("gzip", "x-gzip"):
        return data
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, EXCERPT_READ)
    except zlib.error:
        return data


def excerpt(data: bytes) -> str:
    """The start of an answer as text: UTF-8 with errors replaced (a multi-byte character cut at
    the end is left out), control characters other than newline and tab removed, at most
    EXCERPT_CHARS characters."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    text = decoder.decode(data[:EXCERPT_READ], final=False)
    return _CONTROL.sub("", text)[:EXCERPT_CHARS]


class Attempted(NamedTuple):
    """What one webhook attempt came to. ``outcome``: "delivered" (a 200), "failed" (anything
    else, retried) or "blocked" (refused by policy, never sent). ``latency_ms``: from starting
    the request to the end of the answer's excerpt (or the failure); ``excerpt``: the start of
    the answer's body (see ``excerpt``). A blocked attempt has neither, nor a status."""

    outcome: str
    status: int | None
    error: str | None
    latency_ms: float | None = None
    excerpt: str | None = None


class Outbound:
    """One HTTP client for the process's outgoing traffic, behind the outbound policy."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.policy = Policy.of(settings)
        self._client: httpx2.AsyncClient | None = None

    @property
    def client(self) -> httpx2.AsyncClient:
        if self._client is None:
            self._client = httpx2.AsyncClient(
                transport=_Transport(self.policy),
                timeout=ATTEMPT_TIMEOUT,
                follow_redirects=False,
                trust_env=False,  # no proxy, .netrc or certificate settings from the environment
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _precheck(self, url: str) -> None:
        """Refuse what the URL alone settles: not an http(s) URL, or a host that the policy
        refuses by name (resolved names are checked when connecting)."""
        try:
            parsed = httpx2.URL(url)
            host = parsed.raw_host.decode("ascii")
        except (httpx2.InvalidURL, UnicodeDecodeError, TypeError):
            raise HostNotAllowed(f"{shown_url(url)!r} is not a valid URL") from None
        if parsed.scheme not in ("http", "https") or not host:
            raise HostNotAllowed(f"{shown_url(url)!r} is not an http or https URL")
        try:
            name = split_host_port(host)[0]
        except ValueError:
            raise HostNotAllowed(f"{host!r} is not a host name or address") from None
        self.policy.need(name, parsed.port or (443 if parsed.scheme == "https" else 80))

    async def deliver(self, url: str, body: str) -> Attempted:
        """One webhook attempt (see ``Attempted``)."""
        started = time.perf_counter()
        try:
            self._precheck(url)
            status, error, answer = await self._post(url, body)
        except Refused as exc:
            logger.warning("webhook to %s blocked: %s", shown_url(url), exc.reason)
            return Attempted("blocked", None, f"not contacted: {exc.reason}")
        outcome = "delivered" if status == 200 else "failed"
        took = (time.perf_counter() - started) * 1000
        logger.info(
            "webhook to %s %s (%s) in %.1f ms", shown_url(url), outcome, status or error, took
        )
        return Attempted(
            outcome, status, error, round(took, 3), None if answer is None else excerpt(answer)
        )

    async def _post(self, url: str, body: str) -> tuple[int | None, str | None, bytes | None]:
        """One POST, bounded in all by ATTEMPT_TIMEOUT: (status, error, the first EXCERPT_READ
        bytes of the answer's body, or None without an answer). Raises Refused.

        Once the status is in, the attempt is judged by it: a body still trickling when time
        runs out (or cut short) keeps what arrived."""
        status: int | None = None
        encoding = ""
        answer = bytearray()
        try:
            async with asyncio.timeout(ATTEMPT_TIMEOUT):
                async with self.client.stream(
                    "POST", url, content=body, headers=HEADERS
                ) as response:
                    status = response.status_code
                    encoding = response.headers.get("content-encoding", "")
                    try:
                        async for chunk in response.aiter_raw():
                            answer += chunk
                            if len(answer) >= EXCERPT_READ:
                                break  # the rest is never read; the connection is closed
                    except httpx2.HTTPError:
                        pass
        except TimeoutError:
            if status is None:
                return None, f"no answer within {ATTEMPT_TIMEOUT:g} s", None
        except Refused:
            raise
        except Exception as exc:  # whatever stops the request is a failed attempt, recorded
            if status is None:
                return None, f"{type(exc).__name__}: {exc}", None
        error = None if status == 200 else f"receiver answered {status}; Flowroute wants 200"
        return status, error, _unzipped(bytes(answer[:EXCERPT_READ]), encoding)

    async def media_size(self, url: str) -> int | None:
        """Bytes behind a media URL (at most MEDIA_READ_LIMIT are read), or None when a sandbox
        on a loopback bind may not fetch it (it is sent unmeasured, as before). On an exposed
        sandbox a refusal raises Refused (the send is a 422 saying why)."""
        try:
            self._precheck(url)
            async with asyncio.timeout(ATTEMPT_TIMEOUT):
                return await self._measure(url)
        except Refused as exc:
            logger.warning("media fetch from %s blocked: %s", shown_url(url), exc.reason)
            if self.settings.exposed:
                raise
            return None

    async def _measure(self, url: str) -> int:
        size = 0
        async with self.client.stream("GET", url, follow_redirects=False) as response:
            response.raise_for_status()
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MEDIA_READ_LIMIT:
                    break
        return size
