"""A shared sandbox cannot be turned on its host: the outbound policy of an exposed sandbox,
the Host guard of a loopback one, the command line's refusal and warning on a non-loopback bind,
and strict-auth secrets kept out of ``ps`` and out of worker environments.

Everything runs on loopback. "Internal" targets are loopback ports the sandbox was not told to
allow, names that resolve to loopback, and private literal addresses it must refuse without
connecting (a connection attempt to one would fail only after the 10 s attempt timeout, and be
recorded as "failed", not "blocked").
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest

from flowroute import Flowroute
from flowroute.sandbox import SandboxControl, SandboxSettings
from flowroute.sandbox.server import SandboxServer, running
from flowroute.sandbox.settings import STRICT_AUTH_VARIABLE, SettingError, from_command_line

from ..support import Receiver, free_port, wait_until_serving

BIN = Path(sys.executable).parent
SUBSCRIBER = "12065550123"
FAST: dict[str, Any] = {"clock_speed": 0.0, "sms_per_second": 1000.0, "mms_per_second": 1000.0}
ENTRY_POINTS = {
    "flowroute sandbox": [str(BIN / "flowroute"), "sandbox"],
    "python -m flowroute.sandbox": [sys.executable, "-m", "flowroute.sandbox"],
}


class Listener:
    """A loopback port with something listening: any connection the sandbox made to it would
    be waiting in its backlog."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.setblocking(False)
        self.port: int = self.socket.getsockname()[1]

    def connections(self) -> int:
        count = 0
        while True:
            try:
                accepted, _ = self.socket.accept()
            except BlockingIOError:
                return count
            accepted.close()
            count += 1


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.socket.close()


@pytest.fixture(scope="module")
def allowed() -> Iterator[Receiver]:
    """The one loopback receiver the exposed sandbox is told to allow."""
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture(scope="module")
def exposed(allowed: Receiver) -> Iterator[SandboxServer]:
    """Configured as a shared sandbox is (a non-loopback --host sets ``exposed``), allowing
    one loopback receiver by address and by name."""
    port = allowed.server.server_address[1]
    hosts = (f"127.0.0.1:{port}", f"localhost:{port}")
    with running(SandboxSettings(exposed=True, allow_webhook_host=hosts, **FAST)) as server:
        yield server


@pytest.fixture(scope="module")
def exposed_public() -> Iterator[SandboxServer]:
    """A shared sandbox that may reach public addresses (``--allow-external-hosts``)."""
    with running(SandboxSettings(exposed=True, allow_external_hosts=True, **FAST)) as server:
        yield server


def _attempts_to(server: SandboxServer, urls: list[str]) -> list[dict[str, Any]]:
    """One inbound text per URL, each to a callback at that URL; the attempts, in order."""
    server.reset()
    (number,) = server.seed_numbers(1)
    with server.client() as client:
        for url in urls:
            client.callbacks.set("sms", url)
            server.inject_inbound(from_=SUBSCRIBER, to=number, body="hi")
    attempts = server.webhooks()
    assert [a["url"] for a in attempts] == urls
    return attempts


def _send_mms(server: SandboxServer, media_url: str) -> httpx2.Response:
    number = server.seed_numbers(1)[0]
    body = {"to": SUBSCRIBER, "from": number, "media_urls": [media_url]}
    auth = (server.access_key, server.secret_key)
    return httpx2.post(f"{server.base_url}/v2.1/messages", json=body, auth=auth)


def _refused_media(response: httpx2.Response, reason: str, kind: str) -> None:
    """A 422 naming why. messages.py reports a fetch failure by its exception's name
    (``NonPublicAddress``, ``HostNotAllowed``); if it lets the policy's error through, the
    detail is the full reason."""
    assert response.status_code == 422, response.text
    detail = response.json()["errors"][0]["detail"]
    assert detail.startswith("Error fetching media")
    assert reason in detail or f"({kind})" in detail, detail


def test_a_tenant_cannot_reach_a_loopback_port_that_is_not_allowed(
    exposed: SandboxServer, listener: Listener
) -> None:
    closed = free_port()
    port = listener.port
    urls = [
        f"http://127.0.0.1:{port}/hook",
        f"http://127.0.0.1:{closed}/hook",  # nothing listening: the same answer
        f"http://127.0.0.2:{port}/hook",
        f"http://[::1]:{port}/hook",
        f"http://[::ffff:127.0.0.1]:{port}/hook",
        f"http://0.0.0.0:{port}/hook",  # Linux connects 0.0.0.0 to loopback
        f"http://localhost:{port}/hook",  # allowed on another port only
        f"http://2130706433:{port}/hook",  # 127.0.0.1 to the resolver
    ]
    attempts = _attempts_to(exposed, urls)
    assert [(a["outcome"], a["status_code"]) for a in attempts] == [("blocked", None)] * len(urls)
    errors = [a["error"] for a in attempts]
    assert errors[0] == (
        f"not contacted: 127.0.0.1 is a loopback address; a shared sandbox contacts one only "
        f"when started with --allow-webhook-host 127.0.0.1:{port}"
    )
    # An open port and a closed one look the same: no port scanning through the sandbox.
    assert errors[1] == errors[0].replace(str(port), str(closed))
    assert "127.0.0.2 is a loopback address" in errors[2]
    assert "::1 is a loopback address" in errors[3]
    assert f"--allow-webhook-host [::1]:{port}" in errors[3]
    assert "not contacted: ::ffff:" in errors[4]  # 7f00:1 or 127.0.0.1, by Python version
    assert "is a loopback address" in errors[4]
    assert "0.0.0.0 is an unspecified address" in errors[5]
    assert errors[6] == (
        f"not contacted: localhost is not an allowed host of this shared sandbox; start it with "
        f"--allow-webhook-host localhost:{port}, or --allow-external-hosts for public addresses"
    )
    assert f"--allow-webhook-host 2130706433:{port}" in errors[7]
    _refused_media(
        _send_mms(exposed, f"http://127.0.0.1:{port}/cat.jpg"),
        "127.0.0.1 is a loopback address",
        "NonPublicAddress",
    )
    _refused_media(
        _send_mms(exposed, f"http://localhost:{port}/cat.jpg"),
        "localhost is not an allowed host",
        "HostNotAllowed",
    )
    assert listener.connections() == 0


def test_an_allowed_webhook_host_is_contacted(exposed: SandboxServer, allowed: Receiver) -> None:
    port = allowed.server.server_address[1]
    urls = [f"http://127.0.0.1:{port}/by-address", f"http://localhost:{port}/by-name"]
    attempts = _attempts_to(exposed, urls)
    assert [(a["outcome"], a["status_code"]) for a in attempts] == [("delivered", 200)] * 2
    assert [path for path, _, _ in allowed.requests[-2:]] == ["/by-address", "/by-name"]
    allowed.files["/cat.jpg"] = b"\xff\xd8" + b"x" * 2000
    allowed.files["/big.mp4"] = b"v" * 800_000
    sent = _send_mms(exposed, f"http://localhost:{port}/cat.jpg")
    assert sent.status_code == 202, sent.text
    too_big = _send_mms(exposed, f"http://127.0.0.1:{port}/big.mp4")  # fetched and measured
    assert too_big.status_code == 422 and "over 767840 byte limit" in too_big.text


def test_names_and_literals_of_non_public_addresses_are_refused(
    exposed_public: SandboxServer, listener: Listener
) -> None:
    """With public addresses allowed, every address a name resolves to is checked (and the
    connection would go to the checked one); private literals are refused without connecting."""
    port = listener.port
    urls = [
        f"http://localhost:{port}/hook",
        f"http://2130706433:{port}/hook",
        f"http://0x7f.1:{port}/hook",
        "http://10.255.255.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:192.168.1.1]/hook",
        "http://[64:ff9b::a00:1]/hook",  # 10.0.0.1 through NAT64
    ]
    started = time.monotonic()
    attempts = _attempts_to(exposed_public, urls)
    assert time.monotonic() - started < 5  # nothing waited for a connection
    assert [a["outcome"] for a in attempts] == ["blocked"] * len(urls)
    errors = [a["error"] for a in attempts]
    assert errors[0] == (
        f"not contacted: localhost resolves to 127.0.0.1, a loopback address; a shared sandbox "
        f"contacts one only when started with --allow-webhook-host localhost:{port}"
    )
    assert "2130706433 resolves to 127.0.0.1, a loopback address" in errors[1]
    assert "0x7f.1 resolves to 127.0.0.1, a loopback address" in errors[2]
    assert "10.255.255.1 is a private address" in errors[3]
    assert "--allow-webhook-host 10.255.255.1:80" in errors[3]
    assert "169.254.169.254 is a link-local address" in errors[4]
    assert "100.64.0.1 is a non-public address" in errors[5]
    assert "fd00::1 is a private address" in errors[6]
    assert "not contacted: ::ffff:" in errors[7] and "is a private address" in errors[7]
    assert "64:ff9b::a00:1 is a private address" in errors[8]
    _refused_media(
        _send_mms(exposed_public, f"http://localhost:{port}/cat.jpg"),
        "localhost resolves to 127.0.0.1, a loopback address",
        "NonPublicAddress",
    )
    _refused_media(
        _send_mms(exposed_public, "http://10.255.255.1/cat.jpg"),
        "10.255.255.1 is a private address",
        "NonPublicAddress",
    )
    assert listener.connections() == 0


@contextmanager
def redirecting_to(target: str) -> Iterator[str]:
    """A loopback server answering every request with a redirect to ``target``."""

    class Redirect(BaseHTTPRequestHandler):
        def _redirect(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(307)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _redirect

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_redirects_are_never_followed(listener: Listener) -> None:
    with redirecting_to(f"http://127.0.0.1:{listener.port}/inside") as allowed_host:
        settings = SandboxSettings(exposed=True, allow_webhook_host=(allowed_host,), **FAST)
        with running(settings) as server:
            (attempt,) = _attempts_to(server, [f"http://{allowed_host}/hook"])
            assert (attempt["outcome"], attempt["status_code"]) == ("failed", 307)
            media = _send_mms(server, f"http://{allowed_host}/cat.jpg")
            assert media.status_code == 422
    assert listener.connections() == 0


def test_a_loopback_sandbox_answers_only_loopback_host_names(
    flowroute_sandbox: SandboxServer, exposed: SandboxServer
) -> None:
    auth = (flowroute_sandbox.access_key, flowroute_sandbox.secret_key)

    def status(
        host: str, path: str = "/v2/routes", sandbox: SandboxServer = flowroute_sandbox
    ) -> int:
        response = httpx2.get(sandbox.base_url + path, headers={"Host": host}, auth=auth)
        return response.status_code

    port = urlsplit(flowroute_sandbox.base_url).port
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", "127.0.0.1", "localhost", "LocalHost"):
        assert status(host) == 200, host
    assert status(f"[::1]:{port}") == 200
    assert status(f"127.1.2.3:{port}") == 200
    refused = httpx2.get(
        flowroute_sandbox.base_url + "/v2/routes", headers={"Host": "evil.example"}, auth=auth
    )
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/vnd.api+json"
    (error,) = refused.json()["errors"]
    assert error["status"] == 400 and error["title"] == "Bad Request"
    assert error["detail"].startswith("Host 'evil.example' is not a loopback name")
    for host in (
        f"evil.example:{port}",
        f"localhost.evil.example:{port}",
        f"127.0.0.1.nip.io:{port}",
        f"0.0.0.0:{port}",
        f"192.168.1.10:{port}",
        f"localhost:{port}0000",  # not a port
    ):
        assert status(host) == 400, host
        assert status(host, "/_sandbox/clock") == 400, host  # the control API too
    # An exposed sandbox is reached by other names.
    assert status("sandbox.team.example", sandbox=exposed) == 200


def _banner_of(proc: subprocess.Popen[bytes], url: str) -> tuple[str, str]:
    try:
        wait_until_serving(proc, url)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.stdout is not None and proc.stderr is not None
    return proc.stdout.read().decode(), proc.stderr.read().decode()


@pytest.mark.parametrize("command", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
def test_a_non_loopback_bind_refuses_to_start_without_strict_auth(command: list[str]) -> None:
    result = subprocess.run(
        [*command, "--host", "0.0.0.0", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""  # nothing started, no banner
    (line,) = result.stderr.splitlines()
    assert "error: --host 0.0.0.0 is not loopback, so anyone who reaches this sandbox" in line
    assert "--strict-auth-file PATH" in line and "--allow-any-key" in line


def test_a_non_loopback_bind_warns_and_is_exposed(tmp_path: Path, listener: Listener) -> None:
    secrets = tmp_path / "strict-auth"
    secrets.write_text("# the team\nteam:banner-secret-7Q\n")
    port = free_port()
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.Popen(
        [
            *ENTRY_POINTS["flowroute sandbox"],
            *("--host", "0.0.0.0", "--port", str(port)),
            *("--strict-auth-file", str(secrets), "--clock-speed", "0"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(proc, base)
        control = SandboxControl(base, access_key="team", secret_key="banner-secret-7Q")
        (number,) = control.seed_numbers(1)
        with Flowroute(base_url=base, access_key="team", secret_key="banner-secret-7Q") as client:
            client.callbacks.set("sms", f"http://127.0.0.1:{listener.port}/hook")
        control.inject_inbound(from_=SUBSCRIBER, to=number, body="hi")
        (attempt,) = control.webhooks()
        assert attempt["outcome"] == "blocked"  # the bind made it exposed
        assert httpx2.get(f"{base}/v2/routes", headers={"Host": "team.example"}).status_code == 401
        control.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    banner = proc.stdout.read().decode() if proc.stdout else ""
    assert f"warning:     exposed on 0.0.0.0 port {port}: anyone who can reach it" in banner
    assert "credentials: only the --strict-auth keys (1)" in banner
    assert "webhooks:    jsonapi bodies, to the --allow-webhook-host hosts only" in banner
    assert "banner-secret-7Q" not in banner + (proc.stderr.read().decode() if proc.stderr else "")
    assert listener.connections() == 0


def test_allow_any_key_starts_an_exposed_sandbox_and_says_so() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [*ENTRY_POINTS["flowroute sandbox"], "--exposed", "--allow-any-key", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "200"},
    )
    banner, _ = _banner_of(proc, f"http://127.0.0.1:{port}")
    assert "warning:     exposed on 127.0.0.1" in banner
    assert (
        "credentials: any KEY:SECRET, one account per key (--allow-any-key: anyone who reaches "
        "it gets an account)"
    ) in banner


def test_strict_auth_from_a_file_and_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "pairs"
    path.write_text("a:file-secret\n\n# comment\n  b:other  \n")
    environ = {STRICT_AUTH_VARIABLE: "c:env-secret d:more"}
    server, settings = from_command_line(
        {"strict_auth": ["z:argv"], "strict_auth_file": str(path)}, environ
    )
    assert dict(settings.strict_auth or {}) == {
        "z": "argv",
        "a": "file-secret",
        "b": "other",
        "c": "env-secret",
        "d": "more",
    }
    assert "file-secret" not in repr(server) + repr(settings)
    problems = {
        "a:file-secret\nbroken-line-secret\n": "--strict-auth-file expects KEY:SECRET, got "
        "'broken-line-secret':...",
        "# nothing\n": "--strict-auth-file has no KEY:SECRET pairs",
        "a:one\na:two-secret\n": None,  # the later line wins within one source, as on argv
    }
    for text, message in problems.items():
        path.write_text(text)
        if message is None:
            from_command_line({"strict_auth_file": str(path)}, {})
            continue
        with pytest.raises(SettingError) as raised:
            from_command_line({"strict_auth_file": str(path)}, {})
        assert str(raised.value) == message
    path.write_text("c:file-secret\n")
    with pytest.raises(SettingError) as raised:
        from_command_line({"strict_auth_file": str(path)}, environ)
    assert (
        str(raised.value) == f"{STRICT_AUTH_VARIABLE} gives 'c' another secret than it already has"
    )
    with pytest.raises(SettingError, match=r"cannot read .*: No such file or directory"):
        from_command_line({"strict_auth_file": str(tmp_path / "missing")}, {})
    # Strict auth from either source lets a non-loopback bind start.
    assert from_command_line({"host": "0.0.0.0"}, environ)[1].exposed


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def test_secrets_stay_out_of_ps_and_worker_environments(tmp_path: Path, postgres_url: str) -> None:
    secrets = tmp_path / "strict-auth"
    secrets.write_text("filekey:file-secret-Zk3\n")
    secrets.chmod(0o600)
    port = free_port()
    env = {**os.environ, STRICT_AUTH_VARIABLE: "envkey:env-secret-Wq9"}
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "flowroute.sandbox", "--db", postgres_url, "--workers", "2"),
            *("--port", str(port), "--strict-auth-file", str(secrets), "--log-level", "warning"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    base = f"http://127.0.0.1:{port}/v2/routes"
    try:
        wait_until_serving(proc, base)
        assert httpx2.get(base, auth=("filekey", "file-secret-Zk3")).status_code == 200
        assert httpx2.get(base, auth=("envkey", "env-secret-Wq9")).status_code == 200
        assert httpx2.get(base, auth=("other", "s")).status_code == 401
        deadline = time.monotonic() + 10
        while len(workers := _workers(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(workers) >= 2
        secret = {"the file's secret": "file-secret-Zk3", "the variable's secret": "env-secret-Wq9"}
        private = {
            **secret,
            "the database URL": postgres_url,
            "a sandbox variable": "FLOWROUTE_SANDBOX_",
        }
        for pid in [proc.pid, *_descendants(proc.pid)]:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes()  # what ps shows
            shown = [what for what, text in secret.items() if text.encode() in argv]
            assert shown == [], f"process {pid} shows {shown} in its command line"
        for pid in _descendants(proc.pid):
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            # Named, never printed: a failure must not dump an environment into the test log.
            inherited = [what for what, text in private.items() if text.encode() in environ]
            assert inherited == [], f"worker {pid} has {inherited} in its environment"
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _workers(pid: int) -> list[int]:
    return [
        child
        for child in _descendants(pid)
        if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]
