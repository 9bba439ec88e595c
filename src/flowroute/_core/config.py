"""Client settings: credentials from arguments or the environment, base URL, timeout, retries."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlsplit

from .errors import ConfigurationError
from .options import NOT_GIVEN, NotGiven, check_timeout
from .ratelimit import DEFAULT_RATE_LIMIT, RateLimit

if TYPE_CHECKING:
    import httpx2

DEFAULT_BASE_URL = "https://api.flowroute.com"
DEFAULT_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_INITIAL_RETRY_DELAY = 0.5
DEFAULT_MAX_RETRY_DELAY = 8.0

_KEY_VARS = ("FLOWROUTE_ACCESS_KEY", "FR_ACCESS_KEY")
_SECRET_VARS = ("FLOWROUTE_SECRET_KEY", "FR_SECRET_KEY")


def _first_env(names: tuple[str, ...]) -> str | None:
    return next((os.environ[n] for n in names if os.environ.get(n)), None)


def mask(value: str) -> str:
    """Show just enough of an access key to tell accounts apart."""
    return value[:2] + "***" if len(value) > 4 else "***"


class ClientConfig(NamedTuple):
    """Everything a client needs; immutable so ``with_options`` copies are safe to share."""

    access_key: str
    secret_key: str
    base_url: str
    timeout: float | httpx2.Timeout | None
    max_retries: int
    initial_retry_delay: float = DEFAULT_INITIAL_RETRY_DELAY
    max_retry_delay: float = DEFAULT_MAX_RETRY_DELAY
    rate_limit: RateLimit | None = DEFAULT_RATE_LIMIT
    default_headers: Mapping[str, str] | None = None
    app_info: str | None = None

    def __repr__(self) -> str:
        return (
            f"ClientConfig(access_key={mask(self.access_key)!r}, base_url={self.base_url!r}, "
            f"timeout={self.timeout!r}, max_retries={self.max_retries})"
        )

    def with_overrides(
        self,
        *,
        timeout: float | httpx2.Timeout | NotGiven | None,
        max_retries: int | None,
        default_headers: Mapping[str, str] | None = None,
    ) -> ClientConfig:
        check_timeout(timeout, allow_not_given=True)
        changes: dict[str, object] = {}
        if default_headers is not None:
            changes["default_headers"] = {
                **(self.default_headers or {}),
                **_check_headers(default_headers),
            }
        if timeout is not _UNSET:
            changes["timeout"] = timeout
        if max_retries is not None:
            changes["max_retries"] = _check_retries(max_retries)
        return self._replace(**changes)  # type: ignore[arg-type]


_UNSET: object = NOT_GIVEN


def _check_retries(value: int) -> int:
    if not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"max_retries must be a whole number >= 0, got {value!r}")
    return value


def normalize_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"base_url must be an http(s) URL such as {DEFAULT_BASE_URL!r} "
            f"or 'http://127.0.0.1:8080'; got {url!r}"
        )
    if parts.username or parts.password:
        raise ConfigurationError(
            "base_url must not contain credentials; pass access_key= and secret_key= instead"
        )
    return url.rstrip("/")


def resolve_config(
    *,
    access_key: str | None,
    secret_key: str | None,
    base_url: str | None,
    timeout: float | httpx2.Timeout | NotGiven | None,
    max_retries: int,
    initial_retry_delay: float = DEFAULT_INITIAL_RETRY_DELAY,
    max_retry_delay: float = DEFAULT_MAX_RETRY_DELAY,
    rate_limit: RateLimit | bool | None = DEFAULT_RATE_LIMIT,
    default_headers: Mapping[str, str] | None = None,
    app_info: str | None = None,
) -> ClientConfig:
    """Arguments first, then FLOWROUTE_* variables, then the seed demos' FR_* names."""
    check_timeout(timeout, allow_not_given=True)
    if app_info is not None and (not isinstance(app_info, str) or not app_info.strip()):
        raise TypeError(f"app_info must be a non-empty string like 'myapp/1.2', got {app_info!r}")
    key = access_key or _first_env(_KEY_VARS)
    secret = secret_key or _first_env(_SECRET_VARS)
    missing = [
        f"{arg} (or {' / '.join(names)})"
        for arg, value, names in (
            ("access_key", key, _KEY_VARS),
            ("secret_key", secret, _SECRET_VARS),
        )
        if not value
    ]
    if missing:
        raise ConfigurationError(
            "Flowroute credentials are missing: set "
            + " and ".join(missing)
            + ". Find them in the Flowroute Manager under Preferences > API Control."
        )
    assert key is not None and secret is not None
    url = normalize_base_url(base_url or os.environ.get("FLOWROUTE_BASE_URL") or DEFAULT_BASE_URL)
    return ClientConfig(
        access_key=key,
        secret_key=secret,
        base_url=url,
        timeout=DEFAULT_TIMEOUT if timeout is _UNSET else timeout,  # type: ignore[arg-type]
        max_retries=_check_retries(max_retries),
        initial_retry_delay=max(0.0, initial_retry_delay),
        max_retry_delay=max(0.0, max_retry_delay),
        rate_limit=_check_rate(rate_limit),
        default_headers=_check_headers(default_headers) if default_headers is not None else None,
        app_info=app_info.strip() if app_info else None,
    )


def _check_headers(headers: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(headers, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise TypeError(f"default_headers must be a mapping of str to str, got {headers!r}")
    return dict(headers)


def _check_rate(limit: RateLimit | bool | None) -> RateLimit | None:
    if limit is True:
        return DEFAULT_RATE_LIMIT
    if limit is False or limit is None:
        return None  # documented: rate_limit=False (or None) turns client-side pacing off
    if not isinstance(limit, RateLimit):
        raise TypeError(
            "rate_limit must be a flowroute.RateLimit(sms_per_second=..., mms_per_second=...), "
            f"or None/False to turn pacing off; got {type(limit).__name__}"
        )
    if limit is not None and (limit.sms_per_second <= 0 or limit.mms_per_second <= 0):
        raise ConfigurationError(
            f"rate_limit rates must be above 0, got {limit!r}; pass rate_limit=None to turn it off"
        )
    return limit
