"""What a sandbox instance is configured with."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Literal, get_args

SETTINGS_VARIABLE = "FLOWROUTE_SANDBOX_SETTINGS"
WebhookFormat = Literal["jsonapi", "compact"]


def is_webhook_format(value: object) -> bool:
    """The one check of a webhook shape, for the settings and the control API alike."""
    return value in get_args(WebhookFormat)


@dataclass(frozen=True)
class SandboxSettings:
    """``db``: None for in-memory SQLite, a file path, or a PostgreSQL URL.
    ``strict_auth``: access key -> secret key; when set, only those keys work.
    ``seed``: picks the purchasable inventory (same seed, same numbers).
    ``clock_speed``: virtual seconds per real second (0 freezes time until advanced).
    ``allow_external_hosts``: deliver webhooks and fetch media beyond loopback addresses.
    ``sms_per_second`` / ``mms_per_second``: per-account send limits (429 above them).
    ``latency``: seconds added to every API request, to imitate a network round trip.
    ``cnam_approval_delay``: virtual seconds until a new CNAM record is reviewed (48 h).
    ``webhook_format``: the webhook body shape new accounts get ("jsonapi" or "compact"; an
    account can switch through the control API)."""

    db: str | None = None
    strict_auth: Mapping[str, str] | None = field(default=None, repr=False)
    seed: int = 0
    clock_speed: float = 1.0
    allow_external_hosts: bool = False
    sms_per_second: float = 5.0
    mms_per_second: float = 1.0
    latency: float = 0.0
    cnam_approval_delay: float = 48 * 3600.0
    cdr_export_delay: float = 5.0
    webhook_format: WebhookFormat = "jsonapi"

    def __post_init__(self) -> None:
        if not is_webhook_format(self.webhook_format):
            raise ValueError(
                f'webhook_format must be "jsonapi" or "compact", got {self.webhook_format!r}'
            )

    @property
    def shared_database(self) -> bool:
        """True for a server database that several worker processes can share."""
        return bool(self.db) and "://" in str(self.db) and not str(self.db).startswith("sqlite")

    def to_environment(self) -> None:
        """Hand these settings to worker processes (``uvicorn --workers`` imports the app)."""
        os.environ[SETTINGS_VARIABLE] = json.dumps(asdict(self))

    @classmethod
    def from_environment(cls) -> SandboxSettings:
        return cls(**json.loads(os.environ.get(SETTINGS_VARIABLE, "{}")))


def parse_credentials(pairs: list[str]) -> dict[str, str]:
    """``["KEY:SECRET", ...]`` -> mapping; raises ValueError naming the malformed entry."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, secret = pair.partition(":")
        if not sep or not key or not secret:
            raise ValueError(f"--strict-auth expects KEY:SECRET, got {pair.split(':')[0]!r}:...")
        out[key] = secret
    return out
