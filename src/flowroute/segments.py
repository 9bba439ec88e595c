"""How Flowroute splits and bills an SMS body (spec: "Message Length & Concatenation").

Flowroute's documented rules, which the sandbox also bills by:

- encoding 0 when every character is ASCII: one segment up to 160 characters, otherwise 140
  characters per segment;
- encoding 8 (UCS-2) when any character is not ASCII: 70 UTF-16 code units per segment, so an
  80-character message with one accented letter is billed as two.

The industry's GSM-7 figures (160/153, 70/67) differ; Flowroute documents the numbers above.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, NamedTuple

ASCII_SINGLE = 160
ASCII_PER_SEGMENT = 140
UCS2_PER_SEGMENT = 70
# Flowroute's documented typical SMS price per segment (spec: "Pricing fields"); accounts vary,
# so it only ever serves as an estimate.
SEGMENT_PRICE = Decimal("0.0040")


class SegmentInfo(NamedTuple):
    """``encoding``: Flowroute's ``message_encoding`` (0 ASCII, 8 UCS-2)."""

    encoding: Literal[0, 8]
    length: int
    segments: int
    per_segment: int


def analyze(body: str) -> SegmentInfo:
    """Encoding, length in that encoding's units, segment count and segment size of ``body``."""
    if body.isascii():
        length = len(body)
        per = ASCII_SINGLE if length <= ASCII_SINGLE else ASCII_PER_SEGMENT
        return SegmentInfo(0, length, max(1, -(-length // per)), per)
    length = len(body.encode("utf-16-le")) // 2  # characters outside the BMP count twice
    return SegmentInfo(8, length, max(1, -(-length // UCS2_PER_SEGMENT)), UCS2_PER_SEGMENT)


def segments(body: str) -> int:
    """How many SMS segments Flowroute bills for ``body``."""
    return analyze(body).segments


def estimate(segment_count: int) -> str:
    """What ``segment_count`` SMS segments typically cost, for messages to people."""
    return f"about ${SEGMENT_PRICE * segment_count:.4f} at ${SEGMENT_PRICE} per segment"


def above(info: SegmentInfo, max_segments: int) -> str | None:
    """Why a body (``analyze(body)``) is longer than ``max_segments``, with its cost; or None."""
    if info.segments <= max_segments:
        return None
    return (
        f"body is {info.segments} SMS segments ({info.length} characters, encoding "
        f"{info.encoding}, {info.per_segment} per segment; {estimate(info.segments)}), "
        f"above max_segments={max_segments}"
    )
