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

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

import pytest

# Standard library only: this module loads wherever the SDK is installed.
from .settings import SandboxSettings, SettingError, from_ini, options

if TYPE_CHECKING:
    from .fresh import AccountPool, SandboxAccount
    from .server import SandboxServer

_SETTINGS = pytest.StashKey[SandboxSettings]()
_ACCOUNT = pytest.StashKey["SandboxAccount"]()
_URL_OPTION = "flowroute_sandbox_url"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--flowroute-sandbox-url",
        dest=_URL_OPTION,
        default=os.environ.get("FLOWROUTE_SANDBOX_URL"),
        help="flowroute_sandbox: use the sandbox running at this URL (shared by pytest-xdist "
        "workers) instead of starting one per process. Env: FLOWROUTE_SANDBOX_URL.",
    )
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
    """The sandbox this test process runs: one per session (and per pytest-xdist worker), on a
    free loopback port, configured by the ``flowroute_sandbox_*`` ini options. Tests rarely need
    it directly: ``flowroute_sandbox`` gives each test its own account on it."""
    try:  # imported lazily: the plugin loads wherever the SDK is installed
        from .server import running
    except ModuleNotFoundError as exc:
        from .._core.extras import missing_extra_message

        what = "the flowroute_sandbox fixture"
        pytest.fail(missing_extra_message(what=what, extra="sandbox", error=exc), pytrace=False)
    with running(pytestconfig.stash[_SETTINGS]) as server:
        yield server


@pytest.fixture(scope="session")
def flowroute_sandbox_accounts(request: pytest.FixtureRequest) -> Iterator[AccountPool]:
    """Where per-test accounts come from: the sandbox at ``--flowroute-sandbox-url`` (or
    ``FLOWROUTE_SANDBOX_URL``) when given, shared by every worker of a pytest-xdist run,
    otherwise this process's own ``flowroute_sandbox_server``."""
    from .fresh import AccountPool
    from .remote import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY

    url: str | None = request.config.getoption(_URL_OPTION)
    strict = request.config.stash[_SETTINGS].strict_auth
    fallback = next(iter(strict.items())) if strict else (DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
    if not url:
        url = request.getfixturevalue("flowroute_sandbox_server").base_url
    pool = AccountPool(url, fallback=fallback)
    yield pool
    pool.close()


@pytest.fixture
def flowroute_sandbox(
    request: pytest.FixtureRequest, flowroute_sandbox_accounts: AccountPool
) -> Iterator[SandboxAccount]:
    """A new, empty sandbox account for this test alone: a fresh access key and secret, so
    nothing another test did (numbers, messages, clock, faults, webhooks) is visible, also
    under pytest-xdist. Gives ``.client()``/``.async_client()`` (SDK clients on the account,
    closed when the test ends), ``.clock``, ``.faults``, ``.seed_numbers()``,
    ``.inject_inbound()``, ``.base_url``, ``.access_key`` and ``.secret_key``.

    Under strict auth the sandbox mints no accounts: tests then share the first
    ``flowroute_sandbox_strict_auth`` account, reset before each test."""
    account = flowroute_sandbox_accounts.take()
    request.node.stash[_ACCOUNT] = account
    try:
        yield account
    finally:
        account.close()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    # Before any fixture is finalised, so the test's event loop (pytest-asyncio's) is still open
    # for the async clients' connections to close on.
    account = item.stash.get(_ACCOUNT, None)
    if account is not None:
        account.close_async_clients()
