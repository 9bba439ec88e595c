"""pytest plugin (registered through the ``pytest11`` entry point).

``flowroute_sandbox``: a sandbox shared by the test session, reset to an empty account before
each test. It gives ``.base_url``, ``.client()``, ``.async_client()``, ``.reset()``, ``.clock``,
``.faults``, ``.seed_numbers()`` and ``.control(access_key=, secret_key=)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .server import SandboxServer


@pytest.fixture(scope="session")
def flowroute_sandbox_server() -> Iterator[SandboxServer]:
    # Imported lazily: the plugin loads wherever the SDK is installed.
    from .server import running
    from .settings import SandboxSettings

    # A frozen clock: time moves only when a test advances it, so receipts are deterministic.
    # Send limits far above Flowroute's 5 SMS/1 MMS a second keep tests from waiting; test
    # pacing with a sandbox of your own: running(SandboxSettings(sms_per_second=5)).
    settings = SandboxSettings(clock_speed=0, sms_per_second=1000, mms_per_second=1000)
    with running(settings) as server:
        yield server


@pytest.fixture
def flowroute_sandbox(flowroute_sandbox_server: SandboxServer) -> SandboxServer:
    flowroute_sandbox_server.reset()
    return flowroute_sandbox_server
