"""``flowroute listen``: a real subprocess receiving webhooks from the sandbox."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest

from flowroute import NotFoundError
from flowroute.sandbox.server import SandboxServer

from ..support import Receiver, free_port

FLOWROUTE = Path(sys.executable).parent / "flowroute"


class Listener:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: queue.Queue[str] = queue.Queue()  # stdout
        self.status: queue.Queue[str] = queue.Queue()  # stderr
        self.out: list[str] = []
        for stream, into in ((proc.stdout, self.lines), (proc.stderr, self.status)):
            threading.Thread(target=self._read, args=(stream, into), daemon=True).start()

    def _read(self, stream: IO[str] | None, into: queue.Queue[str]) -> None:
        assert stream is not None
        for line in stream:
            if into is self.lines:
                self.out.append(line)
            into.put(line)

    def wait_for(self, text: str, *, stderr: bool = False) -> str:
        """The first line containing ``text`` (fails after 20 s instead of hanging)."""
        lines = self.status if stderr else self.lines
        while True:
            try:
                line = lines.get(timeout=20)
            except queue.Empty:
                raise AssertionError(f"no line with {text!r}") from None
            if text in line:
                return line


@contextmanager
def listening(
    sandbox: SandboxServer, *args: str, keys: bool = True, env: dict[str, str] | None = None
) -> Iterator[Listener]:
    flags = ["--access-key", sandbox.access_key, "--secret-key", sandbox.secret_key]
    command: list[str | Path] = [FLOWROUTE, *(flags if keys else []), "listen", "--port", "0"]
    command += args
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        listener = Listener(proc)
        yield listener
        assert proc.wait(timeout=20) == 0, "".join(iter_queue(listener.status))
    finally:
        proc.kill()
        proc.wait()


def iter_queue(lines: queue.Queue[str]) -> Iterator[str]:
    while not lines.empty():
        yield lines.get()


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
        lsn.wait_for("registered", stderr=True)  # with --json, stdout holds only JSON
        flowroute_sandbox.inject_inbound(from_="12065550123", to=number, body="hello")
        event = json.loads(lsn.wait_for('"body"'))
        assert (event["from"], event["body"]) == ("12065550123", "hello") and "from_" not in event
        forward = f"<-- [200] sms {event['id']} POST {receiver.url}\n"
        assert lsn.wait_for("<--", stderr=True) == forward
    assert [json.loads(line)["body"] for line in lsn.out] == ["hello"]
    delivered = flowroute_sandbox.webhooks()[0]
    forwarded = receiver.requests[0]
    assert json.loads(forwarded[2]) == delivered["body"]


def test_a_forward_that_fails_is_reported_and_retried_later(
    flowroute_sandbox: SandboxServer,
) -> None:
    number = flowroute_sandbox.seed_numbers(1)[0]
    app = f"http://127.0.0.1:{free_port()}/sms"  # nothing listens there
    args = ("--sandbox", flowroute_sandbox.base_url, "--forward-to", app, "--count", "1")
    with listening(flowroute_sandbox, *args) as lsn:
        lsn.wait_for("registered")
        flowroute_sandbox.inject_inbound(from_="12065550123", to=number, body="anyone?")
        line = lsn.wait_for("<--")
        assert line.startswith("<-- [error] sms ") and line.endswith(
            f" POST {app}: connection refused\n"
        )
    assert [a["status_code"] for a in flowroute_sandbox.webhooks()] == [502]  # so it retries


def test_receipts_as_json_keep_wire_names_without_invented_nulls(
    flowroute_sandbox: SandboxServer,
) -> None:
    number = flowroute_sandbox.seed_numbers(1)[0]
    args = ("--sandbox", flowroute_sandbox.base_url, "--count", "2", "--json")
    with listening(flowroute_sandbox, *args) as lsn:
        lsn.wait_for("registered", stderr=True)
        with flowroute_sandbox.client() as client:
            client.messages.send(to="12065550123", from_=number, body="hi")
        flowroute_sandbox.clock.advance(seconds=5)
    receipts = [json.loads(line) for line in lsn.out]
    sent = [a["body"]["data"] for a in flowroute_sandbox.webhooks()]
    assert [r["level"] for r in receipts] == [s["attributes"]["level"] for s in sent]
    for receipt, wire in zip(receipts, sent, strict=True):
        given = {*wire["attributes"], *wire}
        assert {key for key, value in receipt.items() if value is None} <= given
        assert "from_" not in receipt and receipt.get("type", "message") is not None


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_clear_the_callbacks(
    flowroute_sandbox: SandboxServer, stop: signal.Signals
) -> None:
    with listening(flowroute_sandbox, "--sandbox", flowroute_sandbox.base_url) as lsn:
        lsn.wait_for("registered")
        with flowroute_sandbox.client() as client:
            assert str(client.callbacks.get("sms_dlr").callback_url).endswith("/flowroute")
        lsn.proc.send_signal(stop)
        lsn.wait_for("stopped")
    with flowroute_sandbox.client() as client, pytest.raises(NotFoundError):
        client.callbacks.get("sms_dlr")


@pytest.mark.parametrize("then", [signal.SIGTERM, signal.SIGHUP])
def test_a_second_signal_does_not_cut_the_cleanup_short(
    flowroute_sandbox: SandboxServer, then: signal.Signals
) -> None:
    with listening(flowroute_sandbox, "--sandbox", flowroute_sandbox.base_url) as lsn:
        lsn.wait_for("registered")
        # A second SIGTERM may merge with the first; a SIGHUP is handled right after the first
        # one's Stopped is raised: while the callbacks are being cleared.
        lsn.proc.send_signal(signal.SIGTERM)
        lsn.proc.send_signal(then)
        lsn.wait_for("stopped")
    # listening() asserted exit status 0: no traceback from the second signal.
    with flowroute_sandbox.client() as client:
        for kind in ("sms", "mms", "sms_dlr", "mms_dlr"):
            with pytest.raises(NotFoundError):
                client.callbacks.get(kind)


def test_a_signal_while_registering_still_stops_cleanly(flowroute_sandbox: SandboxServer) -> None:
    with listening(flowroute_sandbox, "--sandbox", flowroute_sandbox.base_url) as lsn:
        lsn.wait_for("listening on")  # the handlers are in place; the callbacks being set
        lsn.proc.send_signal(signal.SIGTERM)
        lsn.proc.send_signal(signal.SIGHUP)
        lsn.wait_for("stopped")
    with flowroute_sandbox.client() as client:
        for kind in ("sms", "mms", "sms_dlr", "mms_dlr"):
            with pytest.raises(NotFoundError):
                client.callbacks.get(kind)


def test_a_body_with_brackets_prints_as_it_is(flowroute_sandbox: SandboxServer) -> None:
    number = flowroute_sandbox.seed_numbers(1)[0]
    args = ("--sandbox", flowroute_sandbox.base_url, "--count", "1")
    with listening(flowroute_sandbox, *args) as lsn:
        lsn.wait_for("registered")
        flowroute_sandbox.inject_inbound(from_="12065550123", to=number, body="[/bold] hi [red]")
        assert lsn.wait_for("SMS") == f"SMS 12065550123 -> {number}: '[/bold] hi [red]'\n"


def test_a_sandbox_gets_its_default_keys_not_the_saved_profile(
    default_account: SandboxServer, tmp_path: Path
) -> None:
    flowroute_sandbox = default_account
    config = tmp_path / "config.toml"
    config.write_text('[default]\naccess_key = "prod-key-1234"\nsecret_key = "prod-secret"\n')
    args = ("--sandbox", flowroute_sandbox.base_url, "--count", "1")
    env = {"FLOWROUTE_CONFIG": str(config), "FLOWROUTE_ACCESS_KEY": "prod-key-1234"}
    with listening(flowroute_sandbox, *args, keys=False, env=env) as lsn:
        url = lsn.wait_for("listening on").split()[-1]
        lsn.wait_for("registered")
        with flowroute_sandbox.client() as client:  # the sandbox's default account
            assert client.callbacks.get("sms").callback_url == url
        number = flowroute_sandbox.seed_numbers(1)[0]
        flowroute_sandbox.inject_inbound(from_="12065550123", to=number, body="hi")
    with (
        flowroute_sandbox.client(access_key="prod-key-1234") as client,
        pytest.raises(NotFoundError),
    ):
        client.callbacks.get("sms")


def test_a_port_out_of_range_is_one_line() -> None:
    failed = subprocess.run(  # noqa: PLW1510 - the exit code is asserted
        [FLOWROUTE, "listen", "--port", "99999"], capture_output=True, text=True
    )
    assert failed.returncode == 2
    assert failed.stderr == "error: --port must be between 0 and 65535, got 99999\n"
