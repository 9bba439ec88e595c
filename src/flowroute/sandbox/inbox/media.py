"""Thumbnails of MMS images, fetched by the sandbox under its outbound policy, so the page
loads nothing from anywhere but the sandbox."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from ..outbound import ATTEMPT_TIMEOUT, MEDIA_READ_LIMIT, Outbound
from ..web.parse import integer
from .context import Viewer, viewer
from .files import STATIC_TYPES, load

# Thumbnails: raster images only (an SVG can carry script), known by their first bytes rather
# than by what the server that holds them says.
SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


async def _image(outbound: Outbound, url: str) -> tuple[bytes, str] | None:
    """The image at ``url``, fetched under the outbound policy (the client's transport checks
    every address it connects to), or None when it cannot be had or is not a raster image."""
    try:
        async with (
            asyncio.timeout(ATTEMPT_TIMEOUT),
            outbound.client.stream("GET", url, follow_redirects=False) as response,
        ):
            if response.status_code != 200:
                return None
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > MEDIA_READ_LIMIT:
                    return None
    except Exception:  # refused by policy, unreachable: the placeholder
        return None
    kind = next((kind for head, kind in SIGNATURES.items() if data.startswith(head)), None)
    if kind is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = "image/webp"
    return None if kind is None else (bytes(data), kind)


async def media(request: Request) -> Response:
    """An MMS image of the account's, for a thumbnail; a placeholder when it cannot be had."""
    v: Viewer = viewer(request)
    message = v.backend.messages.get(v.owner, v.params.get("message", ""))
    index = integer(v.params.get("index"), "index", minimum=0, default=0, maximum=100)
    item = message.media[index] if index < len(message.media or []) else None
    fetched = await _image(v.state.outbound, str(item["url"])) if item else None
    if fetched is None:
        data, _ = load("unavailable.svg")
        fetched = data, STATIC_TYPES["unavailable.svg"]
    return Response(
        fetched[0],
        media_type=fetched[1],
        headers={
            "Cache-Control": "private, max-age=300",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "X-Content-Type-Options": "nosniff",
        },
    )
