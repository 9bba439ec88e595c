"""pytest plugin (registered through the ``pytest11`` entry point).

``flowroute_sandbox``: a sandbox shared by the test session, reset to an empty account before
each test. It gives ``.base_url``, ``.client()``, ``.async_client()``, ``.reset()``, ``.clock``,
``.faults``, ``.seed_numbers()`` and ``.control(access_key=, secret_key=)``.

Its settings are ini options named ``flowroute_sandbox_<setting>`` (``flowroute_sandbox_seed =
7``, one ``KEY:SECRET`` a line for ``flowroute_sandbox_strict_auth``), one for every
``SandboxSettings`` field. Where the ini file is silent the clock is frozen (time moves only when
a test advances it, so receipts are deterministic) and the send limits are 1000 a second, so
tests never wait; everything else has its ordinary default.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

import pytest

# Standard library only: this module loads wherever the SDK is installed.
from .settings import SandboxSettings, SettingError, from_ini, options

if TYPE_CHECKING:
    from .server import SandboxServer

_SETTINGS = pytest.StashKey[SandboxSettings]()


def pytest_addoption(parser: pytest.Parser) -> None:
    for option in options(SandboxSettings):
        shown = option.shown_default(for_tests=True)
        ini_type: Literal["linelist", "string"] = "linelist" if option.repeatable else "string"
        parser.addini(
            option.ini_name,
            f"flowroute_sandbox: {option.help}" + (f" (default: {shown})" if shown else ""),
            type=ini_type,
            default=None,
        )


def pytest_configure(config: pytest.Config) -> None:
    # Checked at startup, so a bad value stops the run with one line before any test.
    try:
        config.stash[_SETTINGS] = from_ini(config.getini)
    except SettingError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.fixture(scope="session")
def flowroute_sandbox_server(pytestconfig: pytest.Config) -> Iterator[SandboxServer]:
    # Imported lazily: the plugin loads wherever the SDK is installed.
    from .server import running

    with running(pytestconfig.stash[_SETTINGS]) as server:
        yield server


@pytest.fixture
def flowroute_sandbox(flowroute_sandbox_server: SandboxServer) -> SandboxServer:
    flowroute_sandbox_server.reset()
    return flowroute_sandbox_server
