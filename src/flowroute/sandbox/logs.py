"""The sandbox's log: one logger, ``flowroute.sandbox``, and how paths and URLs appear in it.

Lines never carry a secret: no query string (tokens travel there), no user or password in a
URL, no CDR download token (a download URL is its own credential), and no control characters
(a path like ``/%0Afake`` cannot forge a second line). Standard library only.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

logger = logging.getLogger("flowroute.sandbox")

DOWNLOADS = "/cdr-downloads/"
_LONGEST = 200  # characters of a path or URL shown; the rest is "..."


def _printable(text: str) -> str:
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text[:_LONGEST])
    return shown + "..." if len(text) > _LONGEST else shown


def shown_path(path: str) -> str:
    """A request path as the log shows it (the query string is never passed in)."""
    if path.startswith(DOWNLOADS):
        return DOWNLOADS + "***"
    return _printable(path)


def shown_url(url: str) -> str:
    """``scheme://host:port/path`` of a URL, without credentials, query string or fragment."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(an invalid URL)"
    if ":" in host:
        host = f"[{host}]"
    hidden = "?..." if parts.query else ""
    return _printable(f"{parts.scheme}://{host}{port}{parts.path}{hidden}")
