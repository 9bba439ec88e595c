"""A client that starts warm: one default SSL context per process, built on the first HTTPS
request and shared; plain HTTP never builds one; your own http_client keeps its own."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import sys

import httpx2
import pytest

from flowroute import APIConnectionError, AsyncFlowroute, Flowroute
from flowroute._core import transport
from flowroute.sandbox.server import SandboxServer

CLOSED = "https://127.0.0.1:1"  # nothing listens: the request fails after the transport is built


def _tls_context(client: Flowroute | AsyncFlowroute) -> ssl.SSLContext:
    routes = client._runner.pool.client._transport._routes  # type: ignore[union-attr]
    context: ssl.SSLContext = routes._built["https"]._pool._ssl_context
    return context


def test_https_clients_share_one_context_built_on_first_request() -> None:
    clients = [Flowroute(base_url=CLOSED, access_key="k", secret_key="s", max_retries=0)]
    clients.append(Flowroute(base_url=CLOSED, access_key="k2", secret_key="s2", max_retries=0))
    for client in clients:
        with pytest.raises(APIConnectionError):
            client.routes.edge_strategies()

    async def run() -> ssl.SSLContext:
        async with AsyncFlowroute(
            base_url=CLOSED, access_key="k", secret_key="s", max_retries=0
        ) as client:
            with pytest.raises(APIConnectionError):
                await client.routes.edge_strategies()
            return _tls_context(client)

    shared = transport.default_ssl_context()
    assert _tls_context(clients[0]) is shared
    assert _tls_context(clients[1]) is shared
    assert asyncio.run(run()) is shared
    assert shared.verify_mode == ssl.CERT_REQUIRED and shared.check_hostname
    for client in clients:
        client.close()


def test_plain_http_never_builds_a_context(flowroute_sandbox: SandboxServer) -> None:
    code = f"""
import asyncio, flowroute
from flowroute._core import transport
url = {flowroute_sandbox.base_url!r}
key = {flowroute_sandbox.access_key!r}
secret = {flowroute_sandbox.secret_key!r}
with flowroute.Flowroute(base_url=url, access_key=key, secret_key=secret) as c:
    c.routes.edge_strategies()
async def main():
    async with flowroute.AsyncFlowroute(base_url=url, access_key=key, secret_key=secret) as c:
        await c.routes.edge_strategies()
asyncio.run(main())
print(transport._default_context)
"""
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "None"


def test_your_own_http_client_keeps_its_own_verification() -> None:
    context = ssl.create_default_context()
    with httpx2.Client(verify=context) as http:
        client = Flowroute(base_url=CLOSED, access_key="k", secret_key="s", http_client=http)
        assert client._runner.pool.client is http
