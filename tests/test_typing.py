"""The static types users see: one definition gives exact sync and async signatures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SAMPLE = """
import httpx2
from flowroute import AsyncFlowroute, Flowroute

sync = Flowroute(access_key="a", secret_key="b")
reveal_type(sync.numbers.retrieve("12065550100"))
reveal_type(sync.numbers.list(limit=3))
reveal_type(sync.routes.create)

async def main() -> None:
    client = AsyncFlowroute(access_key="a", secret_key="b")
    reveal_type(await client.numbers.purchase("12065550100"))
    reveal_type(client.numbers.search(starts_with=206))

sync.numbers.retrieve(number="1", bogus=2)
Flowroute(http_client=httpx2.AsyncClient())
"""


def test_reveal_types(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(SAMPLE)
    result = subprocess.run(  # noqa: PLW1510 - mypy exits 1 on the deliberate errors
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(sample)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = result.stdout
    assert 'Revealed type is "flowroute.types.number.Number"' in out
    assert "SyncPager[flowroute.types.number.Number]" in out
    assert (
        "def (*, alias: str, route_type: Literal['host'] | Literal['number'] | Literal['uri']"
        in out
    )
    assert "AsyncPager[flowroute.types.number.AvailableNumber]" in out
    assert 'Unexpected keyword argument "bogus"' in out
    assert 'incompatible type "AsyncClient"' in out
    assert out.count("error:") == 2, out
