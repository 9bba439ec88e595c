"""Who is looking, at which account, and the rules of access.

- A sandbox on a loopback bind with open auth (no ``--strict-auth``) trusts whoever reaches
  its port, as its API does (any key makes an account): the page lists every account and
  switches between them with ``?account=KEY``, without their secrets. The Host guard keeps
  other sites from reaching it by DNS rebinding.
- With ``--strict-auth``, or exposed, the page asks for the account's key and secret (Basic
  auth) and shows only that account.
- State-changing requests need the ``X-Flowroute-Inbox: 1`` header, which a cross-site form
  or image cannot send (a cross-site script would need a CORS preflight the sandbox never
  grants), and an ``Origin``, when sent, naming this sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from starlette.requests import Request

from ..backend import Backend
from ..errors import ApiError, quoted
from ..records import Account
from ..settings import SandboxSettings
from ..state import SandboxState
from ..web.caller import sandbox
from ..web.ids import check_number_id
from ..web.parse import integer, query_params
from ..web.responses import base_url
from .html import Safe
from .html import url as make_url

ROOT = "/_sandbox/ui"
CSRF_HEADER = "x-flowroute-inbox"
REALM = 'Basic realm="Flowroute sandbox inbox", charset="UTF-8"'


class View(NamedTuple):
    title: str
    main: Safe
    regions: dict[str, Safe]  # what the live stream may replace, by name


def switching(settings: SandboxSettings) -> bool:
    """Whether the page may show any account (loopback bind, open auth)."""
    return not settings.exposed and settings.strict_auth is None


@dataclass(frozen=True)
class Viewer:
    state: SandboxState
    account: Account | None
    accounts: tuple[Account, ...]
    switching: bool
    base: str
    params: Mapping[str, str]

    @property
    def backend(self) -> Backend:
        return self.state.backend

    @property
    def owner(self) -> Account:
        """The account shown (actions need one)."""
        if self.account is None:
            raise ApiError(404, "This sandbox has no accounts yet.")
        return self.account

    def link(self, path: str = "", /, **params: object) -> str:
        """A URL inside the inbox, keeping the chosen account when the page switches."""
        key = self.account.access_key if self.switching and self.account else None
        return make_url(ROOT + path, {"account": key, **params})

    def number(self, name: str) -> str | None:
        value = self.params.get(name)
        return check_number_id(value) if value else None

    def count(self, name: str) -> int:
        return integer(self.params.get(name), name, minimum=0, default=0, maximum=1_000_000)


# Accounts the switcher offers, newest first (plus the one shown).
LISTED_ACCOUNTS = 200


def viewer(request: Request) -> Viewer:
    """The page's viewer; raises ApiError 401 when credentials are needed and wrong."""
    state = sandbox(request)
    params = query_params(request)
    base = base_url(request)
    if not switching(state.settings):
        account = state.authenticate(request.scope)
        return Viewer(state, account, (account,), False, base, params)
    listed = state.backend.inbox.accounts(limit=LISTED_ACCOUNTS)
    key = params.get("account")
    if key:
        chosen = state.backend.inbox.account(key)
        if chosen is None:
            raise ApiError(404, f"This sandbox has no account {quoted(key, 60)}.")
    else:
        chosen = state.backend.inbox.busiest()
    if chosen is not None and chosen not in listed:
        listed.append(chosen)
    return Viewer(state, chosen, tuple(listed), True, base, params)


def check_same_site(request: Request) -> None:
    """Refuse a state-changing request that a page of another site could have made."""
    if request.headers.get(CSRF_HEADER) != "1":
        raise ApiError(
            403,
            "Inbox actions need the header X-Flowroute-Inbox: 1 (the inbox page sends it), "
            "so that other sites cannot make them.",
        )
    # Requests another site's page made are refused for every path by exposure.BrowserGuard.
