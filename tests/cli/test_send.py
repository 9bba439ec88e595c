"""``flowroute messages send``: what it refuses before anything is sent."""

from __future__ import annotations

import json

from flowroute.sandbox.server import SandboxServer

from ..support import Run


def test_stdin_that_is_not_utf8_is_one_line(cli: Run, flowroute_sandbox: SandboxServer) -> None:
    number = flowroute_sandbox.seed_numbers(1)[0]
    args = ("messages", "send", "2065550123", "-", "--from", number)
    code, _, err = cli(*args, input=b"caf\xe9")  # Latin-1, as from printf 'caf\xe9'
    assert code == 2
    assert err == (
        "error: standard input is not UTF-8 text (byte 0xe9 at offset 3); convert it first, "
        "e.g. iconv -f latin1 -t utf-8\n"
    )
    assert flowroute_sandbox.outbox() == []
    sent = cli(*args, "--json", input="café\n")
    assert json.loads(sent.out)["body"] == "café"


def test_more_than_ten_segments_needs_max_segments(
    cli: Run, flowroute_sandbox: SandboxServer
) -> None:
    number = flowroute_sandbox.seed_numbers(1)[0]
    long_body = "x" * 1401  # 11 segments of 140
    code, out, err = cli("messages", "send", "12065550123", long_body, "--from", number)
    assert (code, out) == (1, "")
    assert err == (
        "error: body is 11 SMS segments (1401 characters, encoding 0, 140 per segment; about "
        "$0.0440 at $0.0040 per segment), above max_segments=10; shorten it or pass "
        "--max-segments N\n"
    )
    assert flowroute_sandbox.outbox() == []  # refused before any request
    args = ("messages", "send", "12065550123", long_body, "--from", number, "--json")
    sent = cli(*args, "--max-segments", "11")
    assert sent.code == 0 and json.loads(sent.out)["segments"] == 11
    assert len(flowroute_sandbox.outbox()) == 1
