"""Flowroute's segment rules: ASCII 160 in one / 140 per part, UCS-2 70 per part."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowroute.segments import analyze, segments


@pytest.mark.parametrize(
    ("body", "encoding", "count"),
    [
        ("", 0, 1),
        ("x" * 160, 0, 1),
        ("x" * 161, 0, 2),
        ("x" * 280, 0, 2),
        ("x" * 281, 0, 3),
        ("é" * 70, 8, 1),
        ("a" * 79 + "é", 8, 2),  # Flowroute's own example: 80 characters, one accent, two SMS
        ("😀" * 35, 8, 1),  # outside the BMP: two UTF-16 units each
        ("😀" * 36, 8, 2),
    ],
)
def test_known_lengths(body: str, encoding: int, count: int) -> None:
    info = analyze(body)
    assert (info.encoding, info.segments) == (encoding, count)


@given(st.text(max_size=2000))
def test_segments_cover_the_body(body: str) -> None:
    info = analyze(body)
    assert info.segments * info.per_segment >= info.length
    assert (info.segments - 1) * info.per_segment < max(info.length, 1)
    assert segments(body) == info.segments
