"""PostgreSQL sandbox with ``--workers 2`` vs ``--workers 1``: mixed API traffic, throughput and
the sandbox's CPU per request summed over all its processes.

Both sandboxes run at once, each on its own database in one throwaway cluster, and receive the
same traffic in alternating rounds; the one not being measured is stopped (SIGSTOP) meanwhile so
it costs nothing. The load generator is a lean asyncio HTTP/1.1 client in this process: every
client is one account's (Basic auth), runs list numbers / send SMS / retrieve the message it
just sent / retrieve a number in turn, and opens a fresh connection every few requests, so the
kernel spreads connections over the workers. CPU is read from /proc/<pid>/stat (utime + stime)
of the uvicorn parent and every process under it, before and after each measured window.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import statistics
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import _servers

from flowroute import Flowroute
from flowroute.sandbox import SandboxControl

SECRET = "bench-secret"
ACCOUNTS = 4
NUMBERS = 10
CLIENTS = 16
PER_CONNECTION = 8  # requests on one connection before the client opens a fresh one
TO = "12065550123"
TICK = os.sysconf("SC_CLK_TCK")
FLAGS = ("--sms-per-second", "100000", "--clock-speed", "0", "--log-level", "warning")


# --- CPU of a process tree -------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, utime + stime in seconds) of ``pid``; None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def tree(root: int) -> list[int]:
    """``root`` and every process under it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = _stat(int(entry))
            if found is not None:
                children.setdefault(found[0], []).append(int(entry))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return sorted(pids)


def cpu(pids: list[int]) -> dict[int, float]:
    return {pid: found[1] for pid in pids if (found := _stat(pid)) is not None}


# --- load --------------------------------------------------------------------------------------


@dataclass
class Account:
    key: str
    numbers: list[str]
    message: str  # a message id to retrieve before the client has sent its own
    token: str = field(init=False)

    def __post_init__(self) -> None:
        self.token = base64.b64encode(f"{self.key}:{SECRET}".encode()).decode()


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    return status, await reader.readexactly(length)


async def _client(host: str, port: int, account: Account, first: int, count: int) -> None:
    """``count`` requests in the fixed order list, send, retrieve message, retrieve number,
    starting at position ``first`` of it; a fresh connection every PER_CONNECTION requests."""
    common = (
        f"Host: {host}:{port}\r\nAuthorization: Basic {account.token}\r\n"
        "Accept: application/vnd.api+json\r\n"
    )
    message = account.message
    writer: asyncio.StreamWriter | None = None
    for i in range(count):
        if i % PER_CONNECTION == 0:
            if writer is not None:
                writer.close()
            reader, writer = await asyncio.open_connection(host, port)
        step = first + i
        kind = step % 4
        number = account.numbers[step % len(account.numbers)]
        if kind == 0:
            request, expected = f"GET /v2/numbers?limit=10 HTTP/1.1\r\n{common}\r\n", 200
        elif kind == 1:
            body = json.dumps({"to": TO, "from": number, "body": f"bench {step}"})
            request = (
                f"POST /v2.1/messages HTTP/1.1\r\n{common}Content-Type: application/vnd.api+json"
                f"\r\nContent-Length: {len(body)}\r\n\r\n{body}"
            )
            expected = 202
        elif kind == 2:
            request, expected = f"GET /v2.1/messages/{message} HTTP/1.1\r\n{common}\r\n", 200
        else:
            request, expected = f"GET /v2/numbers/{number} HTTP/1.1\r\n{common}\r\n", 200
        writer.write(request.encode())
        status, payload = await _response(reader)
        if status != expected:
            raise RuntimeError(f"{request.split(' HTTP')[0]}: {status} {payload[:200]!r}")
        if kind == 1:
            message = json.loads(payload)["data"]["id"]
    if writer is not None:
        writer.close()


async def _load(base: str, accounts: list[Account], per_client: int) -> None:
    host, port = base.removeprefix("http://").split(":")
    await asyncio.gather(
        *(
            _client(host, int(port), accounts[c % len(accounts)], c, per_client)
            for c in range(CLIENTS)
        )
    )


# --- the two sandboxes -------------------------------------------------------------------------


@dataclass
class Sandbox:
    workers: int
    base: str
    pid: int  # the uvicorn parent (with --workers 1, the only process)
    accounts: list[Account]

    def pids(self) -> list[int]:
        return tree(self.pid)

    def pause(self) -> None:
        for pid in self.pids():  # parent first: it must not see a stopped worker as hung
            os.kill(pid, signal.SIGSTOP)

    def resume(self) -> None:
        for pid in reversed(self.pids()):
            os.kill(pid, signal.SIGCONT)


@dataclass
class Window:
    requests: int
    seconds: float
    cpu: dict[int, float]  # CPU seconds of each sandbox process
    db_cpu: float  # CPU seconds of all PostgreSQL processes

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_per_request(self) -> float:
        return sum(self.cpu.values()) / self.requests


def _accounts(base: str, workers: int) -> list[Account]:
    """ACCOUNTS accounts with NUMBERS numbers and one sent message each."""
    found = []
    for a in range(ACCOUNTS):
        key = f"bench-w{workers}-{a}"
        control = SandboxControl(base, access_key=key, secret_key=SECRET)
        numbers = control.seed_numbers(NUMBERS)
        control.close()
        with Flowroute(base_url=base, access_key=key, secret_key=SECRET, rate_limit=None) as sdk:
            first = sdk.messages.send(to=TO, from_=numbers[0], body="first")
        found.append(Account(key, numbers, first.id))
    return found


def measure(sandbox: Sandbox, per_client: int, postgres_pid: int) -> Window:
    pids = sandbox.pids()
    before, db_before = cpu(pids), sum(cpu(tree(postgres_pid)).values())
    start = time.perf_counter()
    asyncio.run(_load(sandbox.base, sandbox.accounts, per_client))
    seconds = time.perf_counter() - start
    after, db_after = cpu(pids), sum(cpu(tree(postgres_pid)).values())
    used = {pid: after[pid] - before[pid] for pid in pids if pid in before and pid in after}
    return Window(CLIENTS * per_client, seconds, used, db_after - db_before)


def _ratio(pairs: list[tuple[float, float]]) -> float:
    return statistics.median(b / a for a, b in pairs)


def rounds(*, count: int, per_client: int, warmup: int) -> tuple[list[Window], list[Window]]:
    """``count`` rounds, each a window of CLIENTS x ``per_client`` requests against the 1-worker
    sandbox and one against the 2-worker sandbox, in alternating order."""
    with ExitStack() as stack:
        cluster = stack.enter_context(_servers.postgres())
        sandboxes = []
        for workers in (1, 2):
            url = cluster.create_database(f"bench_w{workers}")
            flags = ("--db", url, "--workers", str(workers), *FLAGS)
            auth = (f"bench-w{workers}-0", SECRET)
            base, pid = stack.enter_context(_servers.sandbox_process(*flags, auth=auth))
            sandboxes.append(Sandbox(workers, base, pid, _accounts(base, workers)))
        for sandbox in sandboxes:
            sandbox.pause()
            stack.callback(sandbox.resume)  # before it is terminated: a stopped one would wait
        for sandbox in sandboxes:  # every worker verifies every account's secret, once
            sandbox.resume()
            measure(sandbox, warmup, cluster.pid)
            sandbox.pause()
        one, two = sandboxes
        windows: dict[int, list[Window]] = {1: [], 2: []}
        for r in range(count):
            for sandbox in (one, two) if r % 2 == 0 else (two, one):
                sandbox.resume()
                time.sleep(0.2)  # a resumed supervisor catches up on its health checks
                windows[sandbox.workers].append(measure(sandbox, per_client, cluster.pid))
                sandbox.pause()
    return windows[1], windows[2]


def run(*, count: int = 9, per_client: int = 40, warmup: int = 24) -> dict[str, float]:
    """For 1 worker, medians over the rounds; for 2, those times the median paired ratio
    (adjacent windows share the machine's momentary speed)."""
    one, two = rounds(count=count, per_client=per_client, warmup=warmup)
    pairs = list(zip(one, two, strict=True))
    rps_1 = statistics.median(w.rps for w in one)
    cpu_1 = statistics.median(w.cpu_per_request for w in one)
    workers_cpu = [sorted(w.cpu.values(), reverse=True)[:2] for w in two]
    return {
        "requests per window": CLIENTS * per_client,
        "req/s, 1 worker": rps_1,
        "req/s, 2 workers": rps_1 * _ratio([(a.rps, b.rps) for a, b in pairs]),
        "sandbox CPU µs/request, 1 worker": cpu_1 * 1e6,
        "sandbox CPU µs/request, 2 workers": cpu_1
        * _ratio([(a.cpu_per_request, b.cpu_per_request) for a, b in pairs])
        * 1e6,
        "PostgreSQL CPU µs/request, 1 worker": statistics.median(
            w.db_cpu / w.requests * 1e6 for w in one
        ),
        "PostgreSQL CPU µs/request, 2 workers": statistics.median(
            w.db_cpu / w.requests * 1e6 for w in two
        ),
        # 0.5 is an even split of the two workers' CPU.
        "busier worker's share": statistics.median(a / (a + b) for a, b in workers_cpu),
    }


if __name__ == "__main__":
    began = time.perf_counter()
    one, two = rounds(count=9, per_client=40, warmup=24)
    for a, b in zip(one, two, strict=True):
        busy, idle = sorted(b.cpu.values(), reverse=True)[:2]
        print(
            f"1 worker {a.rps:4.0f} req/s {a.cpu_per_request * 1e6:4.0f} µs | "
            f"2 workers {b.rps:4.0f} req/s {b.cpu_per_request * 1e6:4.0f} µs, "
            f"busier worker {busy / (busy + idle):.0%} | "
            f"ratios {b.rps / a.rps:.2f}x {b.cpu_per_request / a.cpu_per_request:.2f}x"
        )
    print(f"took {time.perf_counter() - began:.0f} s")
