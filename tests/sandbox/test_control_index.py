"""What the sandbox says about itself without credentials: ``GET /_sandbox/`` lists the control
API (JSON, or the docs page for a browser), ``GET /_sandbox/docs`` is a reference page that
works offline (it loads nothing from anywhere), ``GET /_sandbox/health`` checks the database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx2
import pytest
from sqlalchemy import create_engine

from flowroute.sandbox import SandboxSettings
from flowroute.sandbox.server import SandboxServer, running

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def anonymous(flowroute_sandbox: SandboxServer) -> Iterator[httpx2.Client]:
    """No credentials at all."""
    with httpx2.Client(base_url=flowroute_sandbox.base_url) as client:
        yield client


def control_operations(openapi: dict[str, object]) -> set[tuple[str, str]]:
    paths = openapi["paths"]
    assert isinstance(paths, dict)
    return {
        (method.upper(), path)
        for path, item in paths.items()
        if path.startswith("/_sandbox")
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_the_index_lists_every_control_endpoint(anonymous: httpx2.Client) -> None:
    answer = anonymous.get("/_sandbox/")
    assert answer.status_code == 200 and answer.headers["content-type"].endswith("json")
    index = answer.json()
    listed = {(e["method"], e["path"]) for e in index["endpoints"]}
    openapi = anonymous.get("/_sandbox/openapi.json").json()
    assert listed == control_operations(openapi)  # all of them, and nothing of the wire API
    assert {("POST", "/_sandbox/clock/advance"), ("GET", "/_sandbox/health")} <= listed
    assert all(e["summary"] for e in index["endpoints"])
    # Every endpoint says what it does: none falls back to FastAPI's name ("Get Clock").
    assert [e["path"] for e in index["endpoints"] if len(e["summary"].split()) < 4] == []
    advance = next(e for e in index["endpoints"] if e["path"] == "/_sandbox/clock/advance")
    assert advance["summary"].startswith("Whatever falls due")  # from its description
    assert index["docs"] == "/_sandbox/docs" and index["openapi"] == "/_sandbox/openapi.json"
    assert anonymous.get("/_sandbox").json() == index  # with or without the slash


def test_a_browser_gets_the_docs_page_as_the_index(anonymous: httpx2.Client) -> None:
    answer = anonymous.get("/_sandbox/", headers={"Accept": BROWSER})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert answer.text == anonymous.get("/_sandbox/docs").text
    # curl and SDKs (*/*), or JSON ranked first, still get JSON.
    for accept in ("*/*", "application/json, text/html;q=0.5", "text/html;q=0.5, */*"):
        assert anonymous.get("/_sandbox/", headers={"Accept": accept}).json()["endpoints"]


class Links(HTMLParser):
    """Every URL the page refers to, the ids it defines, and any script."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("href", "src", "action", "srcset", "data", "poster") and value:
                self.urls.append(value)
            if name == "id" and value:
                self.ids.add(value)


def test_the_docs_page_works_offline(
    anonymous: httpx2.Client, flowroute_sandbox: SandboxServer
) -> None:
    answer = anonymous.get("/_sandbox/docs")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    page = answer.text
    # No http(s) URL outside the sandbox anywhere in the page (Swagger UI's CDN was one); the
    # schemas' "^https?://" patterns name no host.
    outside = [
        url
        for url in re.findall(r"https?://[\w\[][^\s\"'<>&]*", page)
        if not url.startswith(flowroute_sandbox.base_url)
    ]
    assert "^https?://" in page  # what the pattern above skips is there
    assert outside == []
    links = Links()
    links.feed(page)
    assert "script" not in links.tags and "link" not in links.tags and "iframe" not in links.tags
    assert "@import" not in page and "url(" not in page
    for url in links.urls:  # only the sandbox's own paths and anchors in the page
        assert url.startswith("#") or (url.startswith("/_sandbox") and "//" not in url), url
        if url.startswith("#"):
            assert url[1:] in links.ids, url
        else:
            assert anonymous.get(url).status_code == 200, url
    # The browser is told to fetch nothing either.
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    # It documents every path of the OpenAPI document, wire API included.
    for path in anonymous.get("/_sandbox/openapi.json").json()["paths"]:
        assert f"<code>{path}</code>" in page, path


def test_health_needs_no_credentials_even_with_strict_auth() -> None:
    with (
        running(SandboxSettings(strict_auth={"k": "s"})) as sandbox,
        httpx2.Client(base_url=sandbox.base_url) as anonymous,
    ):
        assert anonymous.get("/_sandbox/clock").status_code == 401
        health = anonymous.get("/_sandbox/health")
        assert anonymous.get("/_sandbox/").status_code == 200
        assert anonymous.get("/_sandbox/docs").status_code == 200
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "version": health.json()["version"]}


def test_health_is_503_while_the_database_is_unreachable(postgres_database: str) -> None:
    name = postgres_database.rsplit("/", 1)[1]
    admin = create_engine(
        postgres_database.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        + "/postgres",
        isolation_level="AUTOCOMMIT",
    )

    def allow_connections(allowed: bool) -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS {allowed}")
            if not allowed:
                conn.exec_driver_sql(
                    f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
                )

    try:
        with (
            running(SandboxSettings(db=postgres_database)) as sandbox,
            httpx2.Client(base_url=sandbox.base_url) as anonymous,
        ):
            assert anonymous.get("/_sandbox/health").status_code == 200
            allow_connections(False)
            down = anonymous.get("/_sandbox/health")
            allow_connections(True)
            assert anonymous.get("/_sandbox/health").status_code == 200  # back by itself
    finally:
        allow_connections(True)
        admin.dispose()
    assert down.status_code == 503
    body = down.json()
    assert body["status"] == "unavailable" and body["database"] == "unreachable"
    (error,) = body["errors"]  # Flowroute's error body too
    assert error["status"] == 503
    assert error["detail"].startswith("The sandbox's database cannot be read: ")
