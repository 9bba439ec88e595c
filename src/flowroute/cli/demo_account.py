"""Which account ``flowroute demo --against URL`` uses, and how to undo what it bought there."""

from __future__ import annotations

import shlex

import httpx2

from .. import Flowroute
from .._core.config import DEFAULT_BASE_URL
from ..sandbox.remote import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, SandboxControl
from ._common import Connection


def sandbox_control(url: str, access_key: str, secret_key: str) -> SandboxControl | None:
    """The control API when ``url`` is a sandbox; None for Flowroute itself."""
    control = SandboxControl(url, access_key=access_key, secret_key=secret_key)
    try:
        control.clock.now()
    except (RuntimeError, httpx2.HTTPError, ValueError):
        control.close()
        return None
    return control


def _credential_flags(sandbox: bool) -> list[str]:
    """How the release command names the account the demo used; never a real secret."""
    if Connection.profile is not None:
        return ["--profile", Connection.profile]
    key, secret = Connection.sandbox_credentials()
    if (key, secret) == (DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY) and sandbox:
        return ["--access-key", key, "--secret-key", secret]  # the public sandbox pair
    if Connection.access_key is not None or Connection.secret_key is not None:
        return ["--access-key", key, "--secret-key", "SECRET"]
    return []  # the environment or the default profile, as for this run


def release_command(*, url: str, number: str, sandbox: bool) -> str:
    """The exact command that releases what the demo bought, on the same account."""
    where = [] if url.rstrip("/") == DEFAULT_BASE_URL else ["--base-url", url]
    return shlex.join(
        ["flowroute", *where, *_credential_flags(sandbox), "numbers", "release", number]
    )


def demo_client(url: str) -> tuple[Flowroute, SandboxControl | None]:
    """A sandbox gets the keys given on this command line, else its default pair (never the
    saved profile's, possibly production, keys); Flowroute itself the usual ones (a saved
    profile's only when ``url`` is that profile's base URL)."""
    key, secret = Connection.sandbox_credentials()
    sandbox = sandbox_control(url, key, secret)
    if sandbox is None:
        settings = Connection.settings(against=url)
        key, secret = settings["access_key"] or "", settings["secret_key"] or ""
    return Flowroute(access_key=key or None, secret_key=secret or None, base_url=url), sandbox
