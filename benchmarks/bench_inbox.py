"""The inbox under load (issue 15): the conversations view over 10,000 messages in 200
threads, against a page of the API's own message listing on the same data; and 100 new
messages a second streamed to an open page, in Chromium when it is installed (else read from
the same event stream by a plain client).

The messages are written through the backend into a SQLite file (the control API's inbound
path, minus HTTP), then a sandbox process serves that file; only the clients run here.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import _servers
import httpx2

from flowroute.sandbox import SandboxSettings
from flowroute.sandbox.state import SandboxState

KEY, SECRET = "bench", "bench-secret"
MESSAGES, NUMBERS, CUSTOMERS = 10_000, 2, 100  # 2 x 100 = 200 threads
RATE, SECONDS = 100, 5  # streamed messages per second, for this long
STREAMED = "12065559999"  # the customer whose thread the open page shows
CHROMIUM = "/usr/bin/chromium"
_MESSAGE_ID = re.compile(r'id=\\"msg-(mdr2-[0-9a-f]+)')


def _customer(index: int) -> str:
    return f"1206555{1000 + index:04d}"


def _seed(path: str) -> list[str]:
    """The bench account's numbers, with MESSAGES texts spread over 200 threads."""
    state = SandboxState(SandboxSettings(db=path, clock_speed=1))
    try:
        backend = state.backend
        account = backend.accounts.authenticate(KEY, SECRET)
        numbers = backend.numbers.seed(account, NUMBERS)
        for i in range(MESSAGES):
            fields = {
                "from": _customer(i % CUSTOMERS),
                "to": numbers[(i // CUSTOMERS) % NUMBERS],
                "body": f"message {i} about the order",
            }
            backend.messages.receive(account, fields, base="http://localhost")
        return numbers
    finally:
        asyncio.run(state.stop())


def _median_ms(client: httpx2.Client, url: str, rounds: int = 30) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        response.raise_for_status()
    return statistics.median(times) * 1e3


def _inject(base: str) -> dict[str, float]:
    """RATE inbound texts a second for SECONDS, into one thread: id -> when it was stored."""
    sent: dict[str, float] = {}
    with httpx2.Client(base_url=base, auth=(KEY, SECRET)) as client:
        numbers = client.get("/v2/numbers").json()["data"]
        to = numbers[0]["id"]
        start = time.time()
        for i in range(RATE * SECONDS):
            pause = start + i / RATE - time.time()
            if pause > 0:
                time.sleep(pause)
            answer = client.post(
                "/_sandbox/inbound", json={"from": STREAMED, "to": to, "body": f"live {i}"}
            )
            sent[answer.json()["data"]["id"]] = time.time()
    return sent


def _stream_seen(base: str, url: str, stop: threading.Event) -> dict[str, float]:
    """Read the page's event stream: message id -> when it first appeared in it."""
    seen: dict[str, float] = {}
    with (
        httpx2.Client(base_url=base, timeout=None) as client,
        client.stream("GET", url) as response,
    ):
        for line in response.iter_lines():
            now = time.time()
            for ident in _MESSAGE_ID.findall(line):
                seen.setdefault(ident, now)
            if stop.is_set():
                break
    return seen


# In the page: when each message first appears in the document (epoch milliseconds).
_OBSERVER = """
window.__seen = {};
new MutationObserver(() => {
  for (const el of document.querySelectorAll('li[id^="msg-"]')) {
    if (!(el.id in window.__seen)) window.__seen[el.id] = Date.now();
  }
}).observe(document, {subtree: true, childList: true});
"""


def _browser_seen(page_url: str, run: Any) -> tuple[dict[str, float], dict[str, float]]:
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        page = browser.new_page()
        page.add_init_script(_OBSERVER)
        page.goto(page_url)
        page.wait_for_selector("body[data-live=on]", state="attached")
        sent = run()
        page.wait_for_timeout(2000)  # the last messages' rendering
        seen = {k[4:]: v / 1e3 for k, v in page.evaluate("window.__seen").items()}
        browser.close()
    return sent, seen


def _stream(base: str, mine: str) -> dict[str, Any]:
    query = f"account={KEY}&mine={mine}&other={STREAMED}"
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    where = "event stream"
    if Path(CHROMIUM).exists():
        try:
            sent, seen = _browser_seen(f"{base}/_sandbox/ui?{query}", lambda: _inject(base))
            where = "Chromium page"
        except ImportError:  # Playwright is not installed: read the stream instead
            pass
    if not sent:
        stop = threading.Event()
        result: dict[str, dict[str, float]] = {}
        reader = threading.Thread(
            target=lambda: result.setdefault(
                "seen", _stream_seen(base, f"/_sandbox/ui/events?view=conversations&{query}", stop)
            )
        )
        reader.start()
        time.sleep(0.5)
        sent = _inject(base)
        time.sleep(2)
        stop.set()
        _inject_one(base)  # wakes the reader so that it sees the stop
        reader.join(timeout=10)
        seen = result.get("seen", {})
    lags = sorted(seen[i] - at for i, at in sent.items() if i in seen)
    last = [seen[i] - at for i, at in list(sent.items())[-RATE:] if i in seen]
    return {
        "where": where,
        "shown": len(lags),
        "sent": len(sent),
        "p50_ms": statistics.median(lags) * 1e3 if lags else float("inf"),
        "p95_ms": lags[int(len(lags) * 0.95) - 1] * 1e3 if lags else float("inf"),
        "max_ms": lags[-1] * 1e3 if lags else float("inf"),
        "last_second_ms": max(last) * 1e3 if last else float("inf"),
    }


def _inject_one(base: str) -> None:
    with httpx2.Client(base_url=base, auth=(KEY, SECRET)) as client:
        to = client.get("/v2/numbers").json()["data"][0]["id"]
        client.post("/_sandbox/inbound", json={"from": STREAMED, "to": to, "body": "last"})


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "inbox.db")
        numbers = _seed(path)
        command = [sys.executable, "-m", "flowroute.sandbox", "--clock-speed", "1", "--db", path]
        with _servers.process(command, "/v2/routes", (KEY, SECRET)) as base:
            with httpx2.Client(base_url=base, auth=(KEY, SECRET)) as client:
                api = _median_ms(client, "/v2.1/messages?start_date=2000-01-01&limit=50")
                threads = _median_ms(client, f"/_sandbox/ui?account={KEY}")
                thread = _median_ms(
                    client, f"/_sandbox/ui?account={KEY}&mine={numbers[0]}&other={_customer(0)}"
                )
            streamed = _stream(base, numbers[0])
    return {"api_ms": api, "threads_ms": threads, "thread_ms": thread, **streamed}


def rows() -> list[tuple[str, str, str, str, str, str]]:
    """The rows ``make bench`` prints (see run.py)."""
    r = run()
    view = max(r["threads_ms"], r["thread_ms"])
    streamed_ok = r["shown"] == r["sent"] and r["p95_ms"] < 1000 and r["last_second_ms"] < 1000
    return [
        (
            f"inbox conversations view, {MESSAGES:,} messages in 200 threads "
            "(vs API page of 50 messages)",
            f"{r['api_ms']:.1f} ms",
            f"{r['threads_ms']:.1f} ms list, {r['thread_ms']:.1f} ms thread",
            f"{view / r['api_ms']:.2f}x",
            "<200 ms",
            "yes" if view < 200 else "NO",
        ),
        (
            f"inbox live stream, {RATE} new messages/s for {SECONDS} s to an open page "
            f"({r['where']})",
            f"{RATE} msg/s sent",
            f"{r['shown']}/{r['sent']} shown, lag p50 {r['p50_ms']:.0f} ms, "
            f"p95 {r['p95_ms']:.0f} ms, max {r['max_ms']:.0f} ms "
            f"(last second max {r['last_second_ms']:.0f} ms)",
            "-",
            "all shown, p95 and last second < 1 s",
            "yes" if streamed_ok else "NO",
        ),
    ]


if __name__ == "__main__":
    for line in rows():
        print(" | ".join(line))
