"""Property-based fuzzing over the wire: requests generated from the sandbox's own OpenAPI
description (``flowroute.sandbox.openapi``), sent over real HTTP with Basic auth to a sandbox on
SQLite and on PostgreSQL. No answer may be a 5xx, and every 4xx carries Flowroute's error body.

Each operation gets its own test, a bounded and derandomized number of examples (CI sees the
same requests every run) and no shrinking (a failure is reported as first found). Values mostly
follow the description (so requests reach the handlers' deeper code), with ids of resources
that exist on the account; about one field in eight, and one body in eight, is hostile instead:
integers past 64 bits, non-finite numbers, other scripts' digits, lone surrogates, NUL, long
strings, wrong types, deep nesting.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode

import httpx2
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from flowroute.sandbox.api import cdrs, cnams, e911s, messages, numbers, porting, routes
from flowroute.sandbox.app import create_app
from flowroute.sandbox.openapi import (
    add_wire_paths,
    wire_openapi_components,
    wire_openapi_paths,
)

SECRET = "sandbox-secret-key"
EXAMPLES = 30
METHODS = ("get", "post", "put", "patch", "delete")
SCHEMAS: dict[str, Any] = wire_openapi_components()["schemas"]
OTHER_PARTY = "12065550100"
WINDOW = {
    "start_call_start_time": "2026-01-01 00:00:00",
    "start_call_end_time": "2026-01-02 00:00:00",
}
ADDRESS = {
    "label": "Fuzz",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "street_number": "1",
    "street_name": "Elliott Ave W",
    "city": "Seattle",
    "state": "WA",
    "country": "US",
    "zip": "98119",
}


class Operation:
    """One method on one path of the description (hashed by identity: one strategy each)."""

    def __init__(
        self, method: str, path: str, spec: dict[str, Any], parameters: tuple[Any, ...]
    ) -> None:
        self.method, self.path, self.spec, self.parameters = method, path, spec, parameters
        self.id = f"{method.upper()} {path}"
        self.content: dict[str, Any] = dict(spec.get("requestBody", {}).get("content", {}))

    def __repr__(self) -> str:  # what hypothesis prints for a failing example
        return f"Operation({self.id!r})"


def operations() -> list[Operation]:
    found = []
    for path, item in wire_openapi_paths().items():
        for method in METHODS:
            if method in item:
                spec = item[method]
                params = (*item.get("parameters", ()), *spec.get("parameters", ()))
                found.append(Operation(method, path, spec, tuple(params)))
    return found


OPERATIONS = operations()

# --- the description itself --------------------------------------------------------------------


def test_every_wire_route_is_described() -> None:
    served = {
        (method.lower(), route.path)
        for module in (numbers, routes, messages, e911s, cnams, porting, cdrs)
        for route in module.router.routes
        for method in route.methods or ()
        if method != "HEAD"
    }
    described = {(op.method, op.path) for op in OPERATIONS}
    assert served - described == set(), "routes the OpenAPI description lacks"
    assert described - served == set(), "described operations the sandbox does not serve"


def test_merged_document_keeps_the_control_api_and_resolves() -> None:
    document = add_wire_paths(create_app().openapi())
    assert "/_sandbox/clock/advance" in document["paths"]
    assert "/v2/numbers/{number_id}" in document["paths"]
    assert add_wire_paths(json.loads(json.dumps(document))) == document  # idempotent
    text = json.dumps(document)
    for name in re.findall(r'"#/components/schemas/([^"]+)"', text):
        assert name in document["components"]["schemas"], name
    ids = [op["operationId"] for item in document["paths"].values() for op in _ops(item)]
    assert len(ids) == len(set(ids)), "operationIds must be unique"
    for item in wire_openapi_paths().values():
        for op in _ops(item):
            for status, answer in op["responses"].items():
                if status.startswith("4"):
                    schema = answer["content"]["application/vnd.api+json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}


def _ops(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [item[method] for method in METHODS if method in item]


# --- values -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Known:
    """Stands for the id of a resource that exists on the account (filled in when sent)."""

    kind: str


def known_kind(name: str, path: str) -> str | None:
    if name in ("number_id", "from"):
        return "number"
    if name in ("route_id", "id"):
        return "route"
    if name == "token":
        return "token"
    if name == "ident":
        for marker, kind in (
            ("/e911s", "e911"),
            ("/cnam", "cnam"),
            ("/cdrs/", "export"),
            ("/messages/", "message"),
        ):
            if marker in path:
                return kind
    return None


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


HOSTILE_NUMBERS: list[Any] = [
    2**31,
    2**63 - 1,
    2**63,
    -(2**63) - 1,
    2**64,
    2**70,
    61478225675978523975614464,
    -1,
    0,
    1.5,
    1e18,
    1e308,
    float("inf"),
    float("-inf"),
    float("nan"),
]
# What breaks stores and encoders, then what fools parsers.
HOSTILE_STRINGS: list[Any] = [
    "a\ud800b",
    "\udfff",
    "a\u0000b",
    "x" * 10_000,
    "\r\nX-Injected: 1",
    "\u00b2",
    "\u0661\u0662",
    "\uff11\uff12",
    "12\u0660\u06665\u0665\u0665\u0660\u0661\u0660\u0660",
]
ODD_STRINGS: list[Any] = [
    "",
    " ",
    "9" * 40,
    "-1",
    "NaN",
    "Infinity",
    "1e400",
    "0x10",
    "1_000",
    "\u202e\U0001f642",
    "../../etc",
    "%00",
]
HOSTILE_SHAPES: list[Any] = [True, False, None, [], {}, [None], {"a": {"b": {}}}, nested(100)]
GENERATED: st.SearchStrategy[Any] = st.one_of(
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
)
HOSTILE: st.SearchStrategy[Any] = st.sampled_from(
    HOSTILE_NUMBERS + HOSTILE_STRINGS + ODD_STRINGS + HOSTILE_SHAPES
)
# Bodies that are not what any schema describes.
RAW_BODIES = [
    b"",
    b"null",
    b"[]",
    b"{",
    b"\xff\xfe{}",
    b'{"a": NaN, "b": Infinity}',
    b"[" * 1000 + b"]" * 1000,
    b'{"a":' * 1000 + b"1" + b"}" * 1000,
    json.dumps(json.dumps({"data": {"attributes": {}}})).encode(),
    b'{"data": "x"}',
    b'{"data": {"attributes": []}}',
    b"\xed\xa0\x80",
    b'{"x": "\\ud800"}',
]
LOOPBACK_URLS = ["http://127.0.0.1:9/cb", "https://localhost:9/hook?x=1"]


def hostile_for(schema: dict[str, Any], edges: list[Any]) -> st.SearchStrategy[Any]:
    """Values to break a field with: its own kind's (strings for a string) and its bounds'
    neighbours most often, then anything."""
    kinds = schema.get("type", "string" if "pattern" in schema else None)
    kinds = set(kinds) if isinstance(kinds, list) else {kinds}
    pool = HOSTILE_NUMBERS + HOSTILE_STRINGS + ODD_STRINGS + HOSTILE_SHAPES + edges * 4
    if kinds & {"string"}:
        pool += HOSTILE_STRINGS * 3
    if kinds & {"integer", "number"}:
        pool += HOSTILE_NUMBERS * 2
    anything = st.sampled_from(pool)
    return st.sampled_from([False] * 3 + [True]).flatmap(
        lambda generated: GENERATED if generated else anything
    )


def sometimes_hostile(
    valid: st.SearchStrategy[Any], hostile: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """``valid`` four times in five, else ``hostile``."""
    return st.sampled_from([False] * 4 + [True]).flatmap(lambda bad: hostile if bad else valid)


def from_schema(schema: dict[str, Any], name: str = "", path: str = "") -> st.SearchStrategy[Any]:
    """Values for a JSON Schema (the subset the description uses), each sometimes hostile."""
    if "$ref" in schema:
        return from_schema(SCHEMAS[schema["$ref"].rsplit("/", 1)[1]], name, path)
    choices = [_valid(schema, path)]
    if "examples" in schema:
        choices.append(st.sampled_from(schema["examples"]))
    kind = known_kind(name, path)
    if kind is not None:
        choices.append(st.just(Known(kind)))
    edges: list[Any] = []
    if "maxLength" in schema:
        edges.append("x" * (schema["maxLength"] + 1))
    if "maximum" in schema:
        edges.append(schema["maximum"] + 1)
    if "minimum" in schema:
        edges.append(schema["minimum"] - 1)
    return sometimes_hostile(st.one_of(choices), hostile_for(schema, edges))


def _valid(schema: dict[str, Any], path: str) -> st.SearchStrategy[Any]:
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([from_schema(sub, path=path) for sub in schema[key]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([_valid({**schema, "type": k}, path) for k in kind])
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        return st.floats(schema.get("minimum"), allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        items = from_schema(schema.get("items", {}), path=path)
        most = min(schema.get("maxItems", 3), 3)
        return st.lists(items, min_size=min(schema.get("minItems", 0), most), max_size=most)
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        strategies = {key: from_schema(sub, key, path) for key, sub in properties.items()}
        return st.fixed_dictionaries(
            {k: v for k, v in strategies.items() if k in required},
            optional={k: v for k, v in strategies.items() if k not in required},
        )
    return HOSTILE


def _string(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    if schema.get("format") == "uri":
        return st.sampled_from(LOOPBACK_URLS)
    if "pattern" in schema:
        return st.from_regex(schema["pattern"].strip("^$"), fullmatch=True)
    low = schema.get("minLength", 0)
    high = min(schema.get("maxLength", 40), max(low, 40))
    return st.one_of(
        st.text(min_size=low, max_size=high), st.just("x" * schema.get("maxLength", 1))
    )


# --- requests -----------------------------------------------------------------------------------


class Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = Absent()  # no body at all


@dataclass
class Request:
    method: str
    path: str
    path_values: dict[str, Any]
    query: list[tuple[str, Any]]
    content_type: str | None
    body: Any  # a JSON-able value, bytes sent as they are, or ABSENT

    def __repr__(self) -> str:  # what a failure report shows
        text = repr(self.body)
        if len(text) > 300:
            text = text[:300] + f"... ({len(text)} chars)"
        return (
            f"Request({self.method.upper()} {self.path} path={self.path_values!r} "
            f"query={self.query!r} content_type={self.content_type!r} body={text})"
        )


@cache
def request_strategy(op: Operation) -> st.SearchStrategy[Request]:
    """Built once per operation: hypothesis re-validates every strategy object it meets."""
    paths = {
        p["name"]: from_schema(p["schema"], p["name"], op.path)
        for p in op.parameters
        if p["in"] == "path"
    }
    queries = [
        (p["name"], bool(p.get("required")), from_schema(p["schema"], p["name"]))
        for p in op.parameters
        if p["in"] == "query"
    ]
    content_types: list[str | None] = [*op.content, None, "text/plain"]
    bodies: dict[str | None, st.SearchStrategy[Any]] = {}
    for content_type in content_types if op.content else ():
        declared = op.content.get(content_type or "", op.content["application/json"])
        shapes = [from_schema(declared["schema"], path=op.path)] * 6
        shapes.append(st.sampled_from(RAW_BODIES))
        if not op.spec["requestBody"].get("required", False):
            shapes.append(st.just(ABSENT))
        bodies[content_type] = st.sampled_from(shapes).flatmap(lambda shape: shape)
    extra = st.tuples(st.sampled_from(["null", "limit", "x"]), HOSTILE)

    @st.composite
    def build(draw: Callable[[st.SearchStrategy[Any]], Any]) -> Request:
        values = {name: draw(strategy) for name, strategy in paths.items()}
        query = [
            (name, draw(strategy))
            for name, required, strategy in queries
            if required or draw(st.booleans())
        ]
        if draw(st.integers(0, 9)) == 0:  # an unknown or repeated parameter now and then
            query.append(draw(extra))
        content_type, body = None, ABSENT
        if bodies:
            content_type = draw(st.sampled_from(content_types))
            body = draw(bodies[content_type])
        return Request(op.method, op.path, values, query, content_type, body)

    return build()


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, allow_nan=True) if not isinstance(value, float) else repr(value)


def resolve(value: Any, world: dict[str, str]) -> Any:
    if isinstance(value, Known):
        return world[value.kind]
    if isinstance(value, dict):
        return {k: resolve(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, world) for v in value]
    return value


def encode(request: Request, world: dict[str, str]) -> tuple[str, dict[str, str], bytes | None]:
    path = request.path
    for name, value in request.path_values.items():
        text = as_text(resolve(value, world))
        path = path.replace(f"{{{name}}}", quote(text, safe="", errors="surrogatepass"))
    pairs = [(k, as_text(resolve(v, world))) for k, v in request.query]
    if pairs:
        path += "?" + urlencode(pairs, errors="surrogatepass")
    headers = {} if request.content_type is None else {"Content-Type": request.content_type}
    body = resolve(request.body, world)
    if body is ABSENT:
        return path, headers, None
    if isinstance(body, bytes):
        return path, headers, body
    if request.content_type == "application/x-www-form-urlencoded" and isinstance(body, dict):
        form = [(k, as_text(v)) for k, values in body.items() for v in _many(values)]
        return path, headers, urlencode(form, errors="surrogatepass").encode()
    return path, headers, json.dumps(body, ensure_ascii=True, allow_nan=True).encode()


def _many(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- the account's resources ----------------------------------------------------------------------


def made(response: httpx2.Response) -> Any:
    assert response.status_code in (200, 201, 202), response.text
    return response.json()


def build_world(http: httpx2.Client, op: Operation) -> dict[str, str]:
    """What ``Known`` values stand for: a number, a route, and whatever else ``op`` names."""
    wanted = {known_kind(p["name"], op.path) for p in op.parameters}
    world = {"number": made(http.post("/_sandbox/seed", json={"numbers": 1}))["numbers"][0]}
    route = {"alias": "fuzz", "route_type": "host", "value": "sip.example.com"}
    world["route"] = made(http.post("/v2/routes", json={"data": {"attributes": route}}))["data"][
        "id"
    ]
    if "e911" in wanted:
        body = {"data": {"type": "e911", "attributes": ADDRESS}}
        world["e911"] = made(http.post("/v2/e911s", json=body))["data"]["id"]
    if "cnam" in wanted:
        world["cnam"] = made(http.post("/v2/cnams", json={"value": "FUZZ NAME"}))["data"]["id"]
        made(http.post(f"/_sandbox/cnams/{world['cnam']}/approve"))
    if wanted & {"export", "token"}:
        body = {"data": {"attributes": {"filter_parameters": WINDOW}}}
        world["export"] = made(http.post("/v2/cdrs/exports", json=body))["data"]["id"]
        made(http.post("/_sandbox/clock/advance", json={"seconds": 60}))
        url = made(http.get(f"/v2/cdrs/exports/{world['export']}"))["data"]["attributes"]
        world["token"] = url["download_url"].rsplit("/", 1)[1].removesuffix(".csv.gz")
    if "message" in wanted:
        sms = {"to": OTHER_PARTY, "from": world["number"], "body": "fuzz"}
        world["message"] = made(http.post("/v2.1/messages", json=sms))["data"]["id"]
    return world


# --- the property ---------------------------------------------------------------------------------


def send(
    http: httpx2.Client, method: str, path: str, headers: dict[str, str], body: bytes | None
) -> httpx2.Response:
    try:
        return http.request(method, path, headers=headers, content=body)
    except httpx2.TransportError:
        # After a 5xx the server closes the connection, which a pooled one may learn late.
        return http.request(method, path, headers=headers, content=body)


def check_answer(response: httpx2.Response, request: Request) -> None:
    status = response.status_code
    assert status < 500, f"{status} for {request!r}: {response.text[:500]}"
    if status >= 400:
        assert response.headers.get("content-type") == "application/vnd.api+json", request
        (error,) = response.json()["errors"]
        assert {"detail", "id", "status", "title"} <= set(error), error
        assert error["status"] == status, error


@pytest.fixture
def world(http: httpx2.Client, op: Operation) -> dict[str, str]:
    return build_world(http, op)


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.id for op in OPERATIONS])
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.generate),  # no shrinking: report the first failure found
    suppress_health_check=list(HealthCheck),  # the account and its resources outlive examples
)
@given(data=st.data())
def test_no_5xx(
    op: Operation, http: httpx2.Client, world: dict[str, str], data: st.DataObject
) -> None:
    request = data.draw(request_strategy(op), label="request")
    path, headers, body = encode(request, world)
    check_answer(send(http, op.method, path, headers, body), request)
