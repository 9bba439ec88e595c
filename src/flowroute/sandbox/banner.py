"""What a foreground sandbox prints once it holds its port: where it listens, how to connect
(SDK and CLI lines that paste and work as written), who may connect, where webhooks go, where
state lives. ``flowroute sandbox`` prints it in colour, ``python -m flowroute.sandbox`` plain.

A strict-auth secret is never printed: the lines name the key, put ``...`` where its secret
goes and say where that secret was given.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from typing import NamedTuple

from .outbound import Policy
from .remote import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY
from .settings import STRICT_AUTH_VARIABLE, SandboxSettings, ServeOptions
from .store.db import describe_database


class Line(NamedTuple):
    label: str  # "SDK:", "warning:", ...
    text: str
    warning: bool = False


def title(url: str) -> str:
    return f"Flowroute sandbox on {url}"


def _secret_source(server: ServeOptions, given_pairs: bool, environ: Mapping[str, str]) -> str:
    """Where the first strict-auth key's secret came from: the sources are merged in this order,
    so the first key comes from the first source given."""
    if given_pairs:
        return "--strict-auth"
    if server.strict_auth_file:
        return f"--strict-auth-file {server.strict_auth_file}"
    return STRICT_AUTH_VARIABLE if environ.get(STRICT_AUTH_VARIABLE, "").strip() else "strict auth"


def lines(
    settings: SandboxSettings,
    server: ServeOptions,
    *,
    url: str,
    port: int,
    given_pairs: bool,
    environ: Mapping[str, str] | None = None,
) -> list[Line]:
    """The banner below its title. ``given_pairs``: --strict-auth was on the command line."""
    environ = os.environ if environ is None else environ
    strict = settings.strict_auth
    out: list[Line] = []
    if settings.exposed:
        out.append(
            Line(
                "warning:",
                f"exposed on {server.host} port {port}: anyone who can reach "
                "it can call this sandbox; webhooks and media fetches never go to loopback or "
                "private addresses unless --allow-webhook-host names them",
                warning=True,
            )
        )
    accounts = "any KEY:SECRET, one account per key"
    if strict:
        accounts = f"only the --strict-auth keys ({len(strict)})"
    elif settings.exposed:
        accounts += " (--allow-any-key: anyone who reaches it gets an account)"
    out.append(Line("credentials:", accounts))
    if settings.exposed and given_pairs:
        out.append(
            Line(
                "warning:",
                "--strict-auth secrets are visible to every user in ps; give them with "
                f"--strict-auth-file or {STRICT_AUTH_VARIABLE}",
                warning=True,
            )
        )
    if strict:
        key = next(iter(strict))
        sdk_secret, cli_secret = "...", "..."
    else:  # any key works: show the one pair the docs, the fixture and the CLI default to
        key, sdk_secret = DEFAULT_ACCESS_KEY, repr(DEFAULT_SECRET_KEY)
        cli_secret = shlex.quote(DEFAULT_SECRET_KEY)
    out.append(
        Line("SDK:", f"Flowroute(base_url={url!r}, access_key={key!r}, secret_key={sdk_secret})")
    )
    out.append(
        Line(
            "CLI:",
            f"flowroute --base-url {url} --access-key {shlex.quote(key)} "
            f"--secret-key {cli_secret} numbers search",
        )
    )
    if strict:
        source = _secret_source(server, given_pairs, environ)
        out.append(Line("secret:", f"... is the secret given for {key!r} with {source}"))
    control = f"{url}/_sandbox"
    out.append(Line("inbox:", f"{control}/ui  (in a browser: conversations, webhooks, account)"))
    out.append(
        Line("control API:", f"{control}/  (docs at {control}/docs, health at {control}/health)")
    )
    out.append(
        Line("webhooks:", f"{settings.webhook_format} bodies, to {Policy.of(settings).describe()}")
    )
    out.append(Line("storage:", describe_database(settings.db)))
    out.append(Line("log:", f"{server.log_level} and above on stderr (--log-level)"))
    return out


def plain(title_text: str, banner: list[Line]) -> str:
    """The banner as plain text (``python -m flowroute.sandbox``)."""
    width = max(len(line.label) for line in banner) + 1
    body = "".join(f"  {line.label:<{width}}{line.text}\n" for line in banner)
    return f"{title_text}\n{body}"
