"""The sandbox's log (logger ``flowroute.sandbox``): one INFO line per request (method, path,
status, ms), one per injected fault and per webhook attempt, a warning per blocked host; never
a secret, a query string or a download token. ``--log-level`` sets it on both command lines
(default info); the in-process test server stays at warning."""

from __future__ import annotations

import base64
import logging
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from flowroute.sandbox.server import SandboxServer

from ..support import PYTHON_M, Receiver, free_port, wait_until_serving

SECRET = "log-secret-never-shown"
TIME = r"\d+\.\d ms"


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The sandbox's log records at INFO, from the server's thread too."""
    logger = logging.getLogger("flowroute.sandbox")
    propagate, logger.propagate = logger.propagate, True
    with caplog.at_level(logging.INFO, logger=logger.name):
        yield caplog
    logger.propagate = propagate


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "flowroute.sandbox"]


def matching(caplog: pytest.LogCaptureFixture, pattern: str) -> list[str]:
    return [line for line in lines(caplog) if re.fullmatch(pattern, line)]


@pytest.fixture
def raw(flowroute_sandbox: SandboxServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=flowroute_sandbox.base_url, auth=("log-key", SECRET)) as client:
        yield client


def assert_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    text = "\n".join(lines(caplog))
    encoded = base64.b64encode(f"log-key:{SECRET}".encode()).decode()
    for secret in (SECRET, encoded, "hunter2", "download-token"):
        assert secret not in text


def test_each_request_is_one_line_without_credentials_or_query(
    log: pytest.LogCaptureFixture, raw: httpx2.Client
) -> None:
    assert raw.get("/v2/routes", params={"token": "hunter2"}).status_code == 200
    assert raw.get("/v2/nothing-here").status_code == 404
    assert raw.get("/v2/routes", headers={"Host": "evil.example"}).status_code == 400
    assert raw.get("/cdr-downloads/download-token.csv.gz").status_code in (403, 404)
    assert raw.get("/v2/nothing/%0Aforged%20line").status_code == 404
    assert len(matching(log, f"GET /v2/routes 200 {TIME}")) == 1
    assert len(matching(log, f"GET /v2/nothing-here 404 {TIME}")) == 1
    assert len(matching(log, f"GET /v2/routes 400 {TIME}")) == 1  # the Host guard's refusal
    assert len(matching(log, f"GET /cdr-downloads/\\*\\*\\* 40[34] {TIME}")) == 1
    # A path cannot forge a line: control characters are escaped.
    assert len(matching(log, f"GET /v2/nothing/\\\\x0aforged line 404 {TIME}")) == 1
    assert all("\n" not in line for line in lines(log))
    assert_no_secret(log)


def test_injected_faults_are_logged(
    log: pytest.LogCaptureFixture, raw: httpx2.Client, flowroute_sandbox: SandboxServer
) -> None:
    control = flowroute_sandbox.control(access_key="log-key", secret_key=SECRET)
    fault = control.faults.add("GET", "/v2/routes", status=503, when="after")
    assert raw.get("/v2/routes").status_code == 503
    assert matching(
        log, f"fault {fault['id']} injected on GET /v2/routes: status 503 \\(after handling\\)"
    )
    assert len(matching(log, f"GET /v2/routes 503 {TIME}")) == 1
    control.faults.add("GET", "/v2/routes", drop=True)
    with pytest.raises(httpx2.TransportError):
        raw.get("/v2/routes")
    assert matching(log, r"fault \d+ injected on GET /v2/routes: connection dropped \(before .*")
    control.close()
    assert_no_secret(log)


def test_webhook_attempts_are_logged_without_their_query_string(
    log: pytest.LogCaptureFixture, flowroute_sandbox: SandboxServer, receiver: Receiver
) -> None:
    (number,) = flowroute_sandbox.seed_numbers(1)
    with flowroute_sandbox.client() as client:
        client.callbacks.set("sms", f"{receiver.url}/sms?token=hunter2")
    receiver.statuses = [500]
    flowroute_sandbox.inject_inbound(from_="12065550123", to=number, body="one")  # answered 500
    flowroute_sandbox.clock.advance(seconds=30)  # the retry, answered 200
    url = re.escape(f"{receiver.url}/sms?...")
    assert len(matching(log, f"webhook to {url} failed \\(500\\) in {TIME}")) == 1
    assert len(matching(log, f"webhook to {url} delivered \\(200\\) in {TIME}")) == 1
    assert len(receiver.bodies()) == 2  # both attempts reached the receiver
    assert_no_secret(log)


def test_a_blocked_host_is_a_warning(
    log: pytest.LogCaptureFixture, flowroute_sandbox: SandboxServer
) -> None:
    (number,) = flowroute_sandbox.seed_numbers(1)
    with flowroute_sandbox.client() as client:
        client.callbacks.set("sms", "http://hooks.example.com/in?key=hunter2")
        flowroute_sandbox.inject_inbound(from_="12065550123", to=number, body="hi")
        client.messages.send(
            to="12065550123", from_=number, media_urls=["http://media.example.com/a.png"]
        )
    warnings = [r for r in log.records if r.levelno == logging.WARNING]
    blocked = [r.getMessage() for r in warnings if r.name == "flowroute.sandbox"]
    assert (
        "webhook to http://hooks.example.com/in?... blocked: hooks.example.com is not a loopback "
        "address; start the sandbox with --allow-external-hosts to reach other hosts, or "
        "--allow-webhook-host hooks.example.com:80 for this one"
    ) in blocked
    assert any(
        m.startswith("media fetch from http://media.example.com/a.png blocked: ") for m in blocked
    )
    assert_no_secret(log)


def serve_and_call(tmp_path: Path, *args: str) -> str:
    """``python -m flowroute.sandbox`` with ``args``, two requests with a secret; its stderr."""
    port = free_port()
    err = tmp_path / "stderr"
    with err.open("wb") as sink:
        proc = subprocess.Popen(
            [*PYTHON_M, "--port", str(port), *args], stdout=subprocess.DEVNULL, stderr=sink
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(proc, f"{base}/_sandbox/health")
            with httpx2.Client(base_url=base, auth=("log-key", SECRET)) as client:
                assert client.get("/v2/routes", params={"token": "hunter2"}).status_code == 200
                assert client.get("/v2/numbers/12065550100").status_code == 404
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    return err.read_text()


def test_the_command_line_logs_requests_at_info_by_default(tmp_path: Path) -> None:
    logged = serve_and_call(tmp_path)
    assert re.search(f"^INFO: +GET /v2/routes 200 {TIME}$", logged, re.MULTILINE)
    assert re.search(f"^INFO: +GET /v2/numbers/12065550100 404 {TIME}$", logged, re.MULTILINE)
    assert SECRET not in logged and "hunter2" not in logged


def test_worker_processes_log_their_requests(tmp_path: Path, postgres_database: str) -> None:
    logged = serve_and_call(tmp_path, "--db", postgres_database, "--workers", "2")
    assert re.search(f"^INFO: +GET /v2/routes 200 {TIME}$", logged, re.MULTILINE)
    assert re.search(f"^INFO: +GET /v2/numbers/12065550100 404 {TIME}$", logged, re.MULTILINE)
    assert SECRET not in logged and "hunter2" not in logged


def test_log_level_warning_leaves_requests_out(tmp_path: Path) -> None:
    logged = serve_and_call(tmp_path, "--log-level", "warning")
    assert "GET /v2/routes" not in logged and "INFO" not in logged


def test_the_in_process_test_server_stays_quiet(raw: httpx2.Client) -> None:
    assert not logging.getLogger("flowroute.sandbox").isEnabledFor(logging.INFO)
    assert raw.get("/v2/routes").status_code == 200
