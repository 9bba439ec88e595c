"""When to retry, and how long to wait: pure decisions, no I/O, shared by sync and async."""

from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

import httpx2

if TYPE_CHECKING:
    from .config import ClientConfig

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})

# Failures that happen before a request can reach the server: safe to retry anything.
NOT_SENT = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout)


def retry_after(response: httpx2.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), if present and sane."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), 60.0)


def backoff(attempt: int, response: httpx2.Response | None, config: ClientConfig) -> float:
    """Exponential backoff with jitter, or the server's Retry-After when it gives one."""
    if response is not None and (hinted := retry_after(response)) is not None:
        return hinted
    ceiling = min(config.max_retry_delay, config.initial_retry_delay * (2**attempt))
    return float(ceiling * (0.5 + random.random() / 2))


def should_retry_status(status: int, *, idempotent: bool) -> bool:
    """Idempotent calls retry on 408/429/5xx; unsafe ones (purchase, send) only on 429."""
    return status in RETRYABLE_STATUS if idempotent else status == 429
