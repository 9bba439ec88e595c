"""Lazy pagination: ``limit`` is a total, ``page_size`` a request size; ``links.next`` followed."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from flowroute import InvalidRequestError
from flowroute.sandbox.server import SandboxServer


@pytest.fixture
def seeded(flowroute_sandbox: SandboxServer) -> list[str]:
    return sorted(flowroute_sandbox.seed_numbers(450))


class Counter:
    def __init__(self) -> None:
        self.limits: list[str] = []

    def __call__(self, request: httpx2.Request) -> None:
        self.limits.append(request.url.params.get("limit", ""))


@pytest.fixture
def counted(flowroute_sandbox: SandboxServer) -> Iterator[tuple[object, Counter]]:
    counter = Counter()
    http = httpx2.Client(event_hooks={"request": [counter]})
    with flowroute_sandbox.client(http_client=http) as client:
        yield client, counter
    http.close()


def test_450_numbers_in_three_requests(seeded: list[str], counted: tuple[object, Counter]) -> None:
    client, counter = counted
    ids = [n.id for n in client.numbers.list(page_size=200)]  # type: ignore[attr-defined]
    assert ids == seeded
    assert counter.limits == ["200", "200", "200"]


def test_limit_is_a_total(seeded: list[str], counted: tuple[object, Counter]) -> None:
    client, counter = counted
    ids = [n.id for n in client.numbers.list(limit=250)]  # type: ignore[attr-defined]
    assert ids == seeded[:250]
    assert counter.limits == ["200", "50"]


def test_page_size_above_maximum_is_capped(
    seeded: list[str], counted: tuple[object, Counter]
) -> None:
    client, counter = counted
    assert len(list(client.numbers.list(page_size=1000))) == 450  # type: ignore[attr-defined]
    assert counter.limits == ["200", "200", "200"]


def test_nothing_is_fetched_until_iteration(
    seeded: list[str], counted: tuple[object, Counter]
) -> None:
    client, counter = counted
    pager = client.numbers.list(page_size=10)  # type: ignore[attr-defined]
    assert counter.limits == []
    assert next(iter(pager)).id == seeded[0]
    assert counter.limits == ["10"]


def test_pages_expose_next_link_and_raw_document(
    seeded: list[str], flowroute_sandbox: SandboxServer
) -> None:
    with flowroute_sandbox.client() as client:
        pages = list(client.numbers.list(page_size=200).iter_pages())
    assert [len(p.items) for p in pages] == [200, 200, 50]
    assert pages[0].next_url is not None and pages[0].next_url.endswith("limit=200&offset=200")
    assert pages[-1].next_url is None
    assert "next" not in pages[-1].document["links"]


async def test_async_iteration(seeded: list[str], flowroute_sandbox: SandboxServer) -> None:
    async with flowroute_sandbox.async_client() as client:
        ids = [n.id async for n in client.numbers.list(limit=250, page_size=100)]
        pages = [p async for p in client.numbers.list(page_size=200).iter_pages()]
    assert ids == seeded[:250]
    assert [len(p.items) for p in pages] == [200, 200, 50]


def test_offset_starts_later(seeded: list[str], flowroute_sandbox: SandboxServer) -> None:
    with flowroute_sandbox.client() as client:
        assert [n.id for n in client.numbers.list(offset=440)] == seeded[440:]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"limit": 0}, "limit"), ({"page_size": -1}, "page_size"), ({"offset": -5}, "offset")],
)
def test_bad_paging_arguments(
    flowroute_sandbox: SandboxServer, kwargs: dict[str, int], message: str
) -> None:
    with flowroute_sandbox.client() as client, pytest.raises(InvalidRequestError, match=message):
        client.numbers.list(**kwargs)  # type: ignore[arg-type]
