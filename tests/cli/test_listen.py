"""``flowroute listen``: a real subprocess receiving webhooks from the sandbox."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from flowroute import NotFoundError
from flowroute.sandbox.server import SandboxServer

from ..support import Receiver

FLOWROUTE = Path(sys.executable).parent / "flowroute"


class Listener:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str) -> str:
        """The first line containing ``text`` (fails after 20 s instead of hanging)."""
        while True:
            try:
                line = self.lines.get(timeout=20)
            except queue.Empty:
                raise AssertionError(f"no line with {text!r}") from None
            if text in line:
                return line


@contextmanager
def listening(sandbox: SandboxServer, *args: str) -> Iterator[Listener]:
    command = [
        FLOWROUTE,
        "--access-key",
        sandbox.access_key,
        "--secret-key",
        sandbox.secret_key,
        "listen",
        "--port",
        "0",
        *args,
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield Listener(proc)
        assert proc.wait(timeout=20) == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        proc.kill()
        proc.wait()


def test_listen_registers_with_the_sandbox_and_prints(flowroute_sandbox: SandboxServer) -> None:
    number = flowroute_sandbox.seed_numbers(1)[0]
    with listening(
        flowroute_sandbox, "--sandbox", flowroute_sandbox.base_url, "--count", "1"
    ) as lsn:
        url = lsn.wait_for("listening on").split()[-1]
        lsn.wait_for("registered")
        with flowroute_sandbox.client() as client:
            assert client.callbacks.get("sms").callback_url == url
        flowroute_sandbox.inject_inbound(from_="12065550123", to=number, body="STOP? no, hi!")
        assert lsn.wait_for("SMS") == f"SMS 12065550123 -> {number}: 'STOP? no, hi!'\n"
    with flowroute_sandbox.client() as client, pytest.raises(NotFoundError):
        client.callbacks.get("sms")  # unregistered on exit: no callback left at a closed port
    attempts = flowroute_sandbox.webhooks()
    assert [(a["url"], a["status_code"]) for a in attempts] == [(url, 200)]


def test_listen_forwards_unchanged_as_json_lines(
    flowroute_sandbox: SandboxServer, receiver: Receiver
) -> None:
    number = flowroute_sandbox.seed_numbers(1)[0]
    args = ("--sandbox", flowroute_sandbox.base_url, "--forward-to", receiver.url, "--count", "1")
    with listening(flowroute_sandbox, *args, "--json") as lsn:
        lsn.wait_for("registered")
        flowroute_sandbox.inject_inbound(from_="12065550123", to=number, body="hello")
        event = json.loads(lsn.wait_for('"body"'))
        assert (event["from"], event["body"]) == ("12065550123", "hello")
    delivered = flowroute_sandbox.webhooks()[0]
    forwarded = receiver.requests[0]
    assert json.loads(forwarded[2]) == delivered["body"]
