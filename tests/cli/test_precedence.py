"""Where credentials come from, as in the AWS CLI: flags, then an explicit --profile (its keys
and base URL together), then FLOWROUTE_* variables, then the FLOWROUTE_PROFILE/default profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowroute import __version__
from flowroute._core.config import DEFAULT_BASE_URL
from flowroute.sandbox.remote import DEFAULT_SECRET_KEY
from flowroute.sandbox.server import SandboxServer

from ..support import Receiver, free_port, invoke


@pytest.fixture
def accounts(flowroute_sandbox: SandboxServer) -> dict[str, str]:
    """One number on each of four sandbox accounts, by access key."""
    numbers = {}
    for key in ("work-key", "env-key", "flag-key", "default-key"):
        control = flowroute_sandbox.control(access_key=key, secret_key=DEFAULT_SECRET_KEY)
        control.reset()
        numbers[key] = control.seed_numbers(1)[0]
        control.close()
    return numbers


def save(name: str, key: str, base_url: str) -> None:
    flags = ["--access-key", key, "--secret-key", DEFAULT_SECRET_KEY, "--base-url", base_url]
    assert invoke("--profile", name, "configure", *flags).code == 0


def listed(*args: str) -> list[str]:
    code, out, err = invoke(*args, "numbers", "list", "--json")
    assert code == 0, err
    return [n["id"] for n in json.loads(out)]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys for env-key, and a base URL nothing answers on."""
    monkeypatch.setenv("FLOWROUTE_ACCESS_KEY", "env-key")
    monkeypatch.setenv("FLOWROUTE_SECRET_KEY", DEFAULT_SECRET_KEY)
    monkeypatch.setenv("FLOWROUTE_BASE_URL", f"http://127.0.0.1:{free_port()}")


@pytest.mark.usefixtures("environment")
def test_an_explicit_profile_beats_the_environment(
    flowroute_sandbox: SandboxServer, accounts: dict[str, str]
) -> None:
    save("work", "work-key", flowroute_sandbox.base_url)
    # Its keys and its base URL together: the variables' unreachable URL is not used.
    assert listed("--profile", "work") == [accounts["work-key"]]
    assert listed("--profile", "work", "--access-key", "flag-key") == [accounts["flag-key"]]


def test_the_environment_beats_the_default_profile(
    flowroute_sandbox: SandboxServer, accounts: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    save("default", "default-key", flowroute_sandbox.base_url)
    save("work", "work-key", flowroute_sandbox.base_url)
    assert listed() == [accounts["default-key"]]
    monkeypatch.setenv("FLOWROUTE_PROFILE", "work")
    assert listed() == [accounts["work-key"]]
    monkeypatch.setenv("FLOWROUTE_ACCESS_KEY", "env-key")
    monkeypatch.setenv("FLOWROUTE_SECRET_KEY", DEFAULT_SECRET_KEY)
    assert listed() == [accounts["env-key"]]  # the base URL still from the profile


def test_an_unknown_profile_is_named(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = invoke("--profile", "nope", "numbers", "list")
    assert (code, out) == (3, "")
    assert err == (
        f"error: no profile 'nope' in {isolated}; flowroute --profile nope configure creates it\n"
    )
    monkeypatch.setenv("FLOWROUTE_PROFILE", "nope")
    assert "no profile 'nope'" in invoke("numbers", "list").err
    assert invoke("configure", "--access-key", "k1", "--secret-key", DEFAULT_SECRET_KEY).code == 0
    assert '["nope"]' in isolated.read_text()  # what the message said to run creates it


def test_version() -> None:
    assert invoke("--version") == (0, f"flowroute-sdk {__version__}\n", "")


PROFILE_SECRET = "prod-secret-never-sent"


@pytest.mark.parametrize("given", ["FLOWROUTE_BASE_URL", "--base-url"])
def test_a_base_url_from_elsewhere_never_gets_the_default_profiles_keys(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    # Production keys saved in [default] (no base URL: Flowroute's), then a shared host.
    flags = ["--access-key", "prod-key", "--secret-key", PROFILE_SECRET]
    assert invoke("configure", *flags).code == 0
    where = ["--base-url", receiver.url] if given == "--base-url" else []
    if not where:
        monkeypatch.setenv("FLOWROUTE_BASE_URL", receiver.url)
    send = ["messages", "send", "12065550100", "hi", "--from", "12065550123"]
    code, out, err = invoke(*where, *send)
    assert (code, out) == (2, "")
    assert err == (
        f"error: {given} {receiver.url} is not the base URL of profile 'default' "
        f"({DEFAULT_BASE_URL}), whose access key and secret key would be sent there; pass "
        "--access-key and --secret-key (or FLOWROUTE_ACCESS_KEY and FLOWROUTE_SECRET_KEY), or "
        "--profile NAME\n"
    )
    assert receiver.requests == []  # the host never saw the keys (nor anything else)
    # Only the secret would come from the profile: refused all the same, naming it.
    monkeypatch.setenv("FLOWROUTE_ACCESS_KEY", "env-key")
    code, _, err = invoke(*where, *send)
    assert code == 2 and "whose secret key would be sent there" in err
    assert PROFILE_SECRET not in err and receiver.requests == []


def test_a_profiles_keys_go_with_its_own_base_url_or_keys_from_elsewhere(
    flowroute_sandbox: SandboxServer, accounts: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    save("default", "default-key", flowroute_sandbox.base_url)
    save("work", "work-key", f"http://127.0.0.1:{free_port()}")  # nothing answers there
    # The profile's own base URL, given again (spelled with a slash): its keys may go there.
    monkeypatch.setenv("FLOWROUTE_BASE_URL", flowroute_sandbox.base_url + "/")
    assert listed() == [accounts["default-key"]]
    # Another profile's keys, sent to another URL by choice on the command line.
    work = ("--profile", "work", "--base-url", flowroute_sandbox.base_url)
    assert listed(*work) == [accounts["work-key"]]
    # Keys from the environment go to a base URL from anywhere.
    monkeypatch.setenv("FLOWROUTE_PROFILE", "work")
    monkeypatch.setenv("FLOWROUTE_ACCESS_KEY", "env-key")
    monkeypatch.setenv("FLOWROUTE_SECRET_KEY", DEFAULT_SECRET_KEY)
    assert listed() == [accounts["env-key"]]
