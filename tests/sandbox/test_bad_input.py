"""Bad input never gets a 500: one table of hostile requests, each sent over real HTTP to a
sandbox on SQLite and on PostgreSQL.

Every case must answer a 4xx with Flowroute's error body (``application/vnd.api+json``,
``{"errors": [{"detail", "id", "status", "title"}]}``) whose detail names what is wrong, and must
leave nothing behind: the listings where the request could have created or changed something
(``WATCHED``) read the same before and after, and the account still answers
``GET /v2/cdrs/exports`` and ``GET /_sandbox/clock``.

Resources a case refers to (``@NUMBER@``, ``@ROUTE@``, ``@E911@``, ``@CNAM@``, ``@EXPORT@`` in
its path or body) are created first, so a bad change to them would show. Bodies are raw bytes:
Python's ``json`` writes lone surrogates as ``\\ud800`` escapes and non-finite floats as the
``NaN``/``Infinity`` tokens it also accepts, which is what an attacker sends.
"""

from __future__ import annotations

import base64
import json
import select
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx2
import pytest

from flowroute.sandbox.server import SandboxServer

from ..support import OFFICE_ADDRESS

BODY_LIMIT = 1_048_576  # 1 MiB, documented in docs/sandbox.md ("Limits on input")
ANSWER_WITHIN = 2.0  # seconds a refused oversized upload may take to be answered, on loopback

# Placeholders, replaced by the ids of resources made for the case.
NUMBER, ROUTE, E911, CNAM, EXPORT = "@NUMBER@", "@ROUTE@", "@E911@", "@CNAM@", "@EXPORT@"
TOKENS = (NUMBER, ROUTE, E911, CNAM, EXPORT)

BEYOND_64_BITS = 61478225675978523975614464
INT64_OVERFLOW = 2**63  # one past the largest signed 64-bit integer
INT32_OVERFLOW = 2**31  # fits 64 bits, but not PostgreSQL's 32-bit integer columns
HUGE = 2**70
SUPERSCRIPT_TWO = "\u00b2"  # "²": str.isdigit() is True, int() raises
ARABIC_TWELVE = "\u0661\u0662"  # "١٢": str.isdigit() is True, int() gives 12
SURROGATE = "a\ud800b"  # a lone surrogate: valid JSON escape, not encodable as UTF-8
NUL = "a\u0000b"
LONG = "a" * 10_000


def disguised(zero: int, number: str = "12065550100") -> str:
    """``number`` with the digits that a ``1[2-9]\\d{2}[2-9]\\d{6}`` check reads through
    ``\\d`` written in another script (``zero`` is that script's digit zero)."""
    return "".join(d if i in (0, 1, 4) else chr(zero + int(d)) for i, d in enumerate(number))


NUMBER_ARABIC = disguised(0x0660)  # Arabic-Indic digits
NUMBER_FULLWIDTH = disguised(0xFF10)  # fullwidth digits
OTHER_PARTY = "12065550100"
WINDOW = {
    "start_call_start_time": "2026-01-01 00:00:00",
    "start_call_end_time": "2026-01-02 00:00:00",
}
# The setup record's address differs from ADDRESS so creating ADDRESS is never a duplicate.
ADDRESS = OFFICE_ADDRESS
SETUP_ADDRESS = {**ADDRESS, "label": "Setup", "street_number": "1"}

Transport = Literal["http", "declared", "chunked"]


def enc(value: Any) -> bytes:
    """JSON as an attacker writes it: surrogates as escapes, NaN/Infinity as bare tokens."""
    return json.dumps(value, ensure_ascii=True, allow_nan=True).encode()


@dataclass(frozen=True)
class Bad:
    id: str
    method: str
    path: str
    body: bytes | None = None
    status: tuple[int, ...] = (400,)
    detail: tuple[str, ...] = ()  # the error detail contains one of these (any case)
    content_type: str | None = "application/json"
    transport: Transport = "http"
    probe: tuple[str, ...] = field(default=())  # extra after-checks, see run_probe()


def bad(
    id: str,
    method: str,
    path: str,
    body: Any = None,
    *,
    status: int | tuple[int, ...] = 400,
    detail: str | tuple[str, ...],
    **extra: Any,
) -> Bad:
    raw = body if body is None or isinstance(body, bytes) else enc(body)
    return Bad(
        id=id,
        method=method,
        path=path,
        body=raw,
        status=(status,) if isinstance(status, int) else status,
        detail=(detail,) if isinstance(detail, str) else detail,
        **extra,
    )


STRING_4XX = (400, 422)

# --- 1. JSON nested 1000 levels deep ---------------------------------------------------------

DEEP_ARRAY = b"[" * 1000 + b"]" * 1000
DEEP_OBJECT = b'{"a":' * 1000 + b"1" + b"}" * 1000
DEEP_IN_FIELD = b'{"data": {"type": "route", "attributes": {"alias": ' + DEEP_ARRAY + b"}}}"
DEEP_AS_STRING = enc(DEEP_ARRAY.decode())  # a JSON document sent as a JSON string (.NET SDK)
NESTING = ("nested", "depth")
DEEP = [
    bad("deep/array/POST routes", "POST", "/v2/routes", DEEP_ARRAY, detail=NESTING),
    bad("deep/object/POST routes", "POST", "/v2/routes", DEEP_OBJECT, detail=NESTING),
    bad("deep/in-field/POST routes", "POST", "/v2/routes", DEEP_IN_FIELD, detail=NESTING),
    bad("deep/as-string/POST routes", "POST", "/v2/routes", DEEP_AS_STRING, detail=NESTING),
    bad("deep/object/POST messages", "POST", "/v2.1/messages", DEEP_OBJECT, detail=NESTING),
    bad("deep/object/PATCH number", "PATCH", f"/v2/numbers/{NUMBER}", DEEP_OBJECT, detail=NESTING),
    bad("deep/object/POST e911s", "POST", "/v2/e911s", DEEP_OBJECT, detail=NESTING),
    bad("deep/object/PATCH cnam", "PATCH", f"/v2/cnams/{CNAM}", DEEP_OBJECT, detail=NESTING),
    bad("deep/object/POST cdr export", "POST", "/v2/cdrs/exports", DEEP_OBJECT, detail=NESTING),
    bad(
        "deep/object/PUT sms_callback",
        "PUT",
        "/v2.1/messages/sms_callback",
        DEEP_OBJECT,
        detail=NESTING,
    ),
    bad(
        "deep/object/POST clock advance",
        "POST",
        "/_sandbox/clock/advance",
        DEEP_OBJECT,
        detail=NESTING,
    ),
    bad("deep/array/POST faults", "POST", "/_sandbox/faults", DEEP_ARRAY, detail=NESTING),
    bad("deep/object/POST inbound", "POST", "/_sandbox/inbound", DEEP_OBJECT, detail=NESTING),
]

# --- 2. Paging parameters beyond 64 bits or negative -------------------------------------------

LISTINGS = [
    ("numbers", "/v2/numbers?"),
    ("available", "/v2/numbers/available?"),
    ("areacodes", "/v2/numbers/available/areacodes?"),
    ("exchanges", "/v2/numbers/available/exchanges?"),
    ("tiers", "/v2/numbers/available/tiers?"),
    ("routes", "/v2/routes?"),
    ("e911s", "/v2/e911s?"),
    ("e911 numbers", f"/v2/e911s/{E911}/relationships/numbers?"),
    ("cnams", "/v2/cnams?"),
    ("cdr exports", "/v2/cdrs/exports?"),
    ("messages", "/v2.1/messages?start_date=2026-01-01&"),
]
PAGING = [
    bad(f"paging/{param}={value}/{name}", "GET", f"{path}{param}={value}", detail=param)
    for name, path in LISTINGS
    for param, value in (
        ("offset", BEYOND_64_BITS),
        ("limit", BEYOND_64_BITS),
        ("offset", INT64_OVERFLOW),
        ("offset", -1),
        ("limit", -1),
    )
] + [
    # Other scripts' digits are not integers on the wire (int() would read "١٢" as 12).
    bad(f"paging/offset=arabic/{name}", "GET", f"{path}offset={ARABIC_TWELVE}", detail="offset")
    for name, path in LISTINGS
    if name in ("numbers", "routes")
]

# --- 3. Query strings: NUL bytes and non-ASCII digits in filters -------------------------------

QUERY = [
    bad("query/nul/numbers alias", "GET", "/v2/numbers?alias=a%00b", detail="alias"),
    bad("query/nul/numbers tier", "GET", "/v2/numbers?tier=a%00b", detail="tier"),
    bad("query/nul/e911s label", "GET", "/v2/e911s?label=a%00b", detail="label"),
    bad("query/nul/e911s state", "GET", "/v2/e911s?state=W%00", detail="state"),
    bad("query/nul/cnams value", "GET", "/v2/cnams?value=a%00b", detail="value"),
    bad(
        "query/arabic/numbers starts_with",
        "GET",
        f"/v2/numbers?starts_with={NUMBER_ARABIC[:4]}",
        detail="starts_with",
    ),
    bad(
        "query/superscript/available contains",
        "GET",
        f"/v2/numbers/available?contains={SUPERSCRIPT_TWO}",
        detail="contains",
    ),
    bad(
        "query/superscript/exchanges areacode",
        "GET",
        f"/v2/numbers/available/exchanges?areacode={SUPERSCRIPT_TWO * 3}",
        detail="areacode",
    ),
]

# --- 4. Path ids: other scripts' digits and ids beyond 64 bits ---------------------------------

RENAME_ROUTE = {"data": {"type": "route", "attributes": {"alias": "renamed"}}}
RENAME_E911 = {"data": {"type": "e911", "attributes": {"label": "Renamed"}}}
RENAME_CNAM = {"data": {"type": "cnam", "attributes": {"value": "RENAMED"}}}
ID_TARGETS: list[tuple[str, str, str, Any, str]] = [
    # (name, method, path with {id}, body, what the detail names)
    ("PATCH route", "PATCH", "/v2/routes/{id}", RENAME_ROUTE, "route"),
    ("DELETE route", "DELETE", "/v2/routes/{id}", None, "route"),
    ("GET e911", "GET", "/v2/e911s/{id}", None, "e911"),
    ("PATCH e911", "PATCH", "/v2/e911s/{id}", RENAME_E911, "e911"),
    ("DELETE e911", "DELETE", "/v2/e911s/{id}", None, "e911"),
    ("GET e911 numbers", "GET", "/v2/e911s/{id}/relationships/numbers", None, "e911"),
    (
        "PATCH assign e911",
        "PATCH",
        f"/v2/numbers/{NUMBER}/relationships/e911s/{{id}}",
        None,
        "e911",
    ),
    ("GET cnam", "GET", "/v2/cnams/{id}", None, "cnam"),
    ("PATCH cnam", "PATCH", "/v2/cnams/{id}", RENAME_CNAM, "cnam"),
    ("DELETE cnam", "DELETE", "/v2/cnams/{id}", None, "cnam"),
    (
        "PATCH assign cnam",
        "PATCH",
        f"/v2/numbers/{NUMBER}/relationships/cnams/{{id}}",
        None,
        "cnam",
    ),
    (
        "PATCH assign cnam singular",
        "PATCH",
        f"/v2/numbers/{NUMBER}/relationships/cnam/{{id}}",
        None,
        "cnam",
    ),
    ("POST approve cnam", "POST", "/_sandbox/cnams/{id}/approve", None, "cnam"),
    ("POST reject cnam", "POST", "/_sandbox/cnams/{id}/reject", {"reason": "no"}, "cnam"),
    ("GET cdr export", "GET", "/v2/cdrs/exports/{id}", None, "export"),
]
PATH_IDS = [
    bad(
        f"path-id/{label}/{name}",
        method,
        path.format(id=ident),
        body,
        status=status,
        detail=thing,
    )
    for name, method, path, body, thing in ID_TARGETS
    for label, ident, status in (
        ("superscript", SUPERSCRIPT_TWO, (400,)),
        ("arabic", ARABIC_TWELVE, (400,)),
        ("int32 overflow", str(INT32_OVERFLOW), (400, 404)),
        ("int64 overflow", str(INT64_OVERFLOW), (400, 404)),
        ("beyond 64 bits", str(BEYOND_64_BITS), (400, 404)),
    )
] + [
    bad(
        f"body-id/{label}/PATCH {slot}",
        "PATCH",
        f"/v2/numbers/{NUMBER}/relationships/{slot}",
        {"data": {"type": "route", "id": ident}},
        status=status,
        detail=("route", "data.id"),
    )
    for slot in ("primary_route", "failover_route")
    for label, ident, status in (
        ("superscript", SUPERSCRIPT_TWO, (400,)),
        ("arabic", ARABIC_TWELVE, (400,)),
        ("int32 overflow", str(INT32_OVERFLOW), (400, 404, 422)),
        ("int64 overflow", INT64_OVERFLOW, (400, 404, 422)),
        ("2**70", HUGE, (400, 404, 422)),
    )
]

# --- 5. Phone numbers written in other scripts' digits ----------------------------------------

NUMBER_PATHS: list[tuple[str, str, str, Any]] = [
    ("GET number", "GET", "/v2/numbers/{n}", None),
    ("POST purchase", "POST", "/v2/numbers/{n}", None),
    ("PATCH number", "PATCH", "/v2/numbers/{n}", {"type": "number", "alias": "x"}),
    ("DELETE number", "DELETE", "/v2/numbers/{n}", None),
    (
        "PATCH primary_route",
        "PATCH",
        "/v2/numbers/{n}/relationships/primary_route",
        {"data": {"type": "route", "id": "0"}},
    ),
    (
        "POST sms_callback",
        "POST",
        "/v2/numbers/{n}/relationships/sms_callback",
        {"callback_url": "http://127.0.0.1/cb"},
    ),
    ("PATCH assign e911", "PATCH", f"/v2/numbers/{{n}}/relationships/e911s/{E911}", None),
    ("PATCH assign cnam", "PATCH", f"/v2/numbers/{{n}}/relationships/cnams/{CNAM}", None),
    ("DELETE cnam", "DELETE", "/v2/numbers/{n}/relationships/cnam", None),
]
PHONE_NUMBERS = [
    bad(f"number-id/{label}/{name}", method, path.format(n=n), body, detail="number")
    for name, method, path, body in NUMBER_PATHS
    for label, n in (("arabic", NUMBER_ARABIC), ("fullwidth", NUMBER_FULLWIDTH))
] + [
    bad(
        "number-body/arabic/POST message to",
        "POST",
        "/v2.1/messages",
        {"to": NUMBER_ARABIC, "from": NUMBER, "body": "hi"},
        status=STRING_4XX,
        detail="to",
    ),
    bad(
        "number-body/arabic/POST message from",
        "POST",
        "/v2.1/messages",
        {"to": OTHER_PARTY, "from": NUMBER_ARABIC, "body": "hi"},
        status=STRING_4XX,
        detail="from",
    ),
    bad(
        "number-body/fullwidth/POST numbers details",
        "POST",
        "/v2/numbers/details",
        {"numbers": [NUMBER_FULLWIDTH]},
        detail="number",
    ),
    bad(  # found by test_fuzz_wire: the detail echoed the surrogate, which JSON cannot encode
        "number-body/surrogate/POST numbers details",
        "POST",
        "/v2/numbers/details",
        {"numbers": ["\udfff"]},
        detail="number",
    ),
    bad(
        "number-body/arabic/POST portability",
        "POST",
        "/v2/portorders/portability",
        {"numbers": ["+" + NUMBER_ARABIC]},
        detail="number",
    ),
    bad(
        "number-body/arabic/POST inbound from",
        "POST",
        "/_sandbox/inbound",
        {"from": NUMBER_ARABIC, "to": NUMBER, "body": "hi"},
        detail="from",
    ),
]

# --- 6. Strings: a lone surrogate, a NUL, and 10,000 characters --------------------------------


def _e911(**changes: str) -> dict[str, Any]:
    return {"data": {"type": "e911", "attributes": {**ADDRESS, **changes}}}


STRING_FIELDS: list[tuple[str, str, str, Any, str, tuple[str, ...]]] = [
    # (name, method, path, body with "@V@" where the value goes, detail, probes)
    (
        "POST route alias",
        "POST",
        "/v2/routes",
        {
            "data": {
                "type": "route",
                "attributes": {"alias": "@V@", "route_type": "host", "value": "sip.example.com"},
            }
        },
        "alias",
        (),
    ),
    (
        "POST route value",
        "POST",
        "/v2/routes",
        {
            "data": {
                "type": "route",
                "attributes": {"alias": "ok", "route_type": "uri", "value": "sip:@V@@example.com"},
            }
        },
        "value",
        (),
    ),
    (
        "PATCH route alias",
        "PATCH",
        f"/v2/routes/{ROUTE}",
        {"data": {"type": "route", "attributes": {"alias": "@V@"}}},
        "alias",
        (),
    ),
    (
        "PATCH number alias",
        "PATCH",
        f"/v2/numbers/{NUMBER}",
        {"type": "number", "alias": "@V@"},
        "alias",
        (),
    ),
    (
        "POST message body",
        "POST",
        "/v2.1/messages",
        {"to": OTHER_PARTY, "from": NUMBER, "body": "@V@"},
        "body",
        (),
    ),
    (
        "POST message dlr_callback",
        "POST",
        "/v2.1/messages",
        {"to": OTHER_PARTY, "from": NUMBER, "body": "hi", "dlr_callback": "http://127.0.0.1/@V@"},
        "dlr_callback",
        (),
    ),
    *[
        (f"POST e911 {name}", "POST", "/v2/e911s", _e911(**{name: "@V@"}), name, ())
        for name in ("label", "first_name", "last_name", "street_number", "street_name", "city")
    ],
    (
        "POST e911 address_type_number",
        "POST",
        "/v2/e911s",
        _e911(address_type="Suite", address_type_number="@V@"),
        "address_type_number",
        (),
    ),
    ("POST e911 validate label", "POST", "/v2/e911s/validate", _e911(label="@V@"), "label", ()),
    (
        "PATCH e911 label",
        "PATCH",
        f"/v2/e911s/{E911}",
        {"data": {"type": "e911", "attributes": {"label": "@V@"}}},
        "label",
        (),
    ),
    ("POST cnam value", "POST", "/v2/cnams", {"value": "A@V@"}, "value", ()),
    (
        "PATCH cnam value",
        "PATCH",
        f"/v2/cnams/{CNAM}",
        {"data": {"type": "cnam", "attributes": {"value": "A@V@"}}},
        "value",
        (),
    ),
    (
        "PUT account sms_callback",
        "PUT",
        "/v2.1/messages/sms_callback",
        {"callback_url": "http://127.0.0.1/@V@"},
        "callback_url",
        (),
    ),
    (
        "PUT account dlr_callback wrapped",
        "PUT",
        "/v2.1/messages/dlr_callback",
        {"data": {"attributes": {"callback_url": "http://127.0.0.1/@V@"}}},
        "callback_url",
        (),
    ),
    (
        "POST number sms_callback",
        "POST",
        f"/v2/numbers/{NUMBER}/relationships/sms_callback",
        {"callback_url": "http://127.0.0.1/@V@"},
        "callback_url",
        ("number callback",),
    ),
    (
        "POST number dlr_callback",
        "POST",
        f"/v2/numbers/{NUMBER}/relationships/dlr_callback",
        {"data": {"attributes": {"callback_url": "http://127.0.0.1/@V@"}}},
        "callback_url",
        (),
    ),
    (
        "POST cdr export callback_url",
        "POST",
        "/v2/cdrs/exports",
        {
            "data": {
                "type": "cdrexport",
                "attributes": {"callback_url": "http://127.0.0.1/@V@", "filter_parameters": WINDOW},
            }
        },
        "callback_url",
        (),
    ),
    (
        "POST cdr export number_aliases",
        "POST",
        "/v2/cdrs/exports",
        {
            "data": {
                "type": "cdrexport",
                "attributes": {"filter_parameters": {**WINDOW, "number_aliases": ["@V@"]}},
            }
        },
        "number_aliases",
        (),
    ),
    (
        "POST inbound body",
        "POST",
        "/_sandbox/inbound",
        {"from": OTHER_PARTY, "to": NUMBER, "body": "@V@"},
        "body",
        (),
    ),
    (
        "POST inbound media url",
        "POST",
        "/_sandbox/inbound",
        {"from": OTHER_PARTY, "to": NUMBER, "media": [{"url": "http://127.0.0.1/@V@"}]},
        "url",
        (),
    ),
    (
        "POST reject cnam reason",
        "POST",
        f"/_sandbox/cnams/{CNAM}/reject",
        {"reason": "@V@"},
        "reason",
        (),
    ),
]


def _with_value(template: Any, value: str) -> bytes:
    # Substituted in the Python value, then encoded: the surrogate becomes a \ud800 escape.
    text = json.dumps(template)
    return enc(json.loads(text.replace("@V@", json.dumps(value)[1:-1])))


STRINGS = [
    bad(
        f"string/{label}/{name}",
        method,
        path,
        _with_value(template, value),
        status=STRING_4XX,
        detail=detail,
        probe=probes,
    )
    for name, method, path, template, detail, probes in STRING_FIELDS
    for label, value in (("surrogate", SURROGATE), ("nul", NUL), ("10000 chars", LONG))
]

# --- 7. The clock ------------------------------------------------------------------------------

CLOCK = [
    bad(
        f"clock/{label}",
        "POST",
        "/_sandbox/clock/advance",
        b'{"seconds": ' + token + b"}",
        detail="seconds",
    )
    for label, token in (
        ("1e18", b"1e18"),
        ("1e308", b"1e308"),
        ("1e400", b"1e400"),
        ("2**70", str(HUGE).encode()),
        ("Infinity", b"Infinity"),
        ("-Infinity", b"-Infinity"),
        ("NaN", b"NaN"),
        ("negative", b"-1"),
        ("string", b'"10"'),
        ("boolean", b"true"),
    )
]

# --- 8. Faults ---------------------------------------------------------------------------------

FAULT = {"method": "GET", "path": "/v2/numbers", "status": 503}
FAULTS = [
    bad(f"fault/{label}", "POST", "/_sandbox/faults", {**FAULT, **change}, detail=detail)
    for label, change, detail in (
        ("count 2**64", {"count": 2**64}, "count"),
        ("count 0", {"count": 0}, "count"),
        ("count -1", {"count": -1}, "count"),
        ("count abc", {"count": "abc"}, "count"),
        ("method with CRLF", {"method": "GET\r\nX: y"}, "method"),
        ("method unknown", {"method": "FROB"}, "method"),
        ("method surrogate", {"method": "G\ud800"}, "method"),
        ("path surrogate", {"path": "/v2/\ud800"}, "path"),
        ("path nul", {"path": "/v2/\u0000"}, "path"),
        ("header name CRLF", {"headers": {"X-A\r\nX-B": "1"}}, "header"),
        ("header name space", {"headers": {"X A": "1"}}, "header"),
        ("header name nul", {"headers": {"X-\u0000": "1"}}, "header"),
        ("header name non-latin-1", {"headers": {"X-\u2603": "1"}}, "header"),
        ("header value CRLF", {"headers": {"Retry-After": "0\r\nX-Injected: 1"}}, "header"),
        ("header value nul", {"headers": {"Retry-After": "0\u0000"}}, "header"),
        ("header value non-latin-1", {"headers": {"Retry-After": "\u20ac"}}, "header"),
        ("header value surrogate", {"headers": {"Retry-After": "\ud800"}}, "header"),
        ("status 99", {"status": 99}, "status"),
        ("status 600", {"status": 600}, "status"),
        ("status string", {"status": "500"}, "status"),
        ("delay NaN", {"delay": float("nan")}, "delay"),
        ("delay Infinity", {"delay": float("inf")}, "delay"),
        ("delay -1", {"delay": -1}, "delay"),
        ("delay 61", {"delay": 61}, "delay"),
    )
]

# --- 9. CDR export filters ---------------------------------------------------------------------


def _export(**filters: Any) -> dict[str, Any]:
    return {
        "data": {"type": "cdrexport", "attributes": {"filter_parameters": {**WINDOW, **filters}}}
    }


CDR_FILTERS = [
    bad(
        f"cdr-filter/{name} {label}",
        "POST",
        "/v2/cdrs/exports",
        _export(**{name: value}),
        status=STRING_4XX,
        detail=name,
    )
    for name, label, value in (
        ("duration_greater_than", "abc", "abc"),
        ("duration_greater_than", "-1", -1),
        ("duration_greater_than", "2**70", HUGE),
        ("duration_greater_than", "list", [1]),
        ("duration_greater_than", "NaN", float("nan")),
        ("duration_greater_than", "Infinity", float("inf")),
        ("number_aliases", "string", "Office"),
        ("number_aliases", "ints", [1, 2]),
        ("number_aliases", "objects", [{"a": 1}]),
        ("number_aliases_contains", "int", 5),
        ("destination_numbers", "objects", [{"a": 1}]),
        ("destination_numbers", "string", OTHER_PARTY),
        ("callerid_numbers", "nulls", [None]),
        ("custom_x_tags", "int", 5),
        ("caller_ip", "int", 5),
        ("caller_ip", "list", ["1.2.3.4"]),
    )
]

# --- 10. Control API numbers and times ---------------------------------------------------------

GENERATE = {"count": 10, "start": "2026-01-01 00:00:00", "end": "2026-01-02 00:00:00"}
CALLS_PROBE = ("calls", "2026-01-01 00:00:00", "2026-01-02 00:00:00")
CONTROL = [
    bad(
        "control/seed numbers 2**70", "POST", "/_sandbox/seed", {"numbers": HUGE}, detail="numbers"
    ),
    bad(
        "control/seed numbers 1e400",
        "POST",
        "/_sandbox/seed",
        b'{"numbers": 1e400}',
        detail="numbers",
    ),
    bad("control/seed numbers -1", "POST", "/_sandbox/seed", {"numbers": -1}, detail="numbers"),
    *[
        bad(
            f"control/generate {name} {label}",
            "POST",
            "/_sandbox/calls/generate",
            enc({**GENERATE, name: "@X@"}).replace(b'"@X@"', token),
            status=STRING_4XX,
            detail=name,
            probe=CALLS_PROBE,
        )
        for name in ("count", "seed")
        for label, token in (("2**70", str(HUGE).encode()), ("1e400", b"1e400"), ("-1", b"-1"))
    ],
    bad(
        "control/generate start before year 1",
        "POST",
        "/_sandbox/calls/generate",
        {**GENERATE, "start": "0001-01-01T00:00:00+14:00", "end": "0001-01-02T00:00:00+14:00"},
        status=STRING_4XX,
        detail="start",
    ),
    *[
        bad(
            f"control/calls start_time {label}",
            "POST",
            "/_sandbox/calls",
            enc({"records": [{"start_time": "@X@"}]}).replace(b'"@X@"', token),
            status=STRING_4XX,
            detail="start_time",
            probe=probe,
        )
        for label, token, probe in (
            ("year 99999", b'"99999-01-01 00:00:00"', ()),
            ("NaN", b"NaN", ()),
            ("Infinity", b"Infinity", ()),
            (
                "after year 9999 in UTC",
                b'"9999-12-31T23:59:59-14:00"',
                ("calls", "9999-12-31 00:00:00", "9999-12-31T23:59:59-14:00"),
            ),
        )
    ],
]

# --- 11. Oversized bodies ----------------------------------------------------------------------


def _message_of(size: int) -> bytes:
    """A valid message from the account's number, padded with spaces to ``size`` bytes."""
    doc = enc({"to": OTHER_PARTY, "from": NUMBER, "body": "hello"})
    return doc + b" " * (size - len(doc))


TWENTY_MB = 20 * 1024 * 1024
BODY_SIZE = ("body", "1048576", "1 mib")
BODIES = [
    bad(
        "size/20 MB/POST messages",
        "POST",
        "/v2.1/messages",
        _message_of(TWENTY_MB),
        status=413,
        detail=BODY_SIZE,
    ),
    bad(
        "size/1 MiB + 1/POST messages",
        "POST",
        "/v2.1/messages",
        _message_of(BODY_LIMIT + 1),
        status=413,
        detail=BODY_SIZE,
    ),
    bad(
        "size/20 MB declared, answered before the body/POST messages",
        "POST",
        "/v2.1/messages",
        _message_of(TWENTY_MB),
        status=413,
        detail=BODY_SIZE,
        transport="declared",
    ),
    bad(
        "size/chunked past 1 MiB/POST messages",
        "POST",
        "/v2.1/messages",
        _message_of(TWENTY_MB),
        status=413,
        detail=BODY_SIZE,
        transport="chunked",
    ),
    bad(
        "size/2 MiB/POST routes",
        "POST",
        "/v2/routes",
        b" " * (2 * BODY_LIMIT) + b"{}",
        status=413,
        detail=BODY_SIZE,
    ),
    bad(
        "size/2 MiB/POST inbound",
        "POST",
        "/_sandbox/inbound",
        b" " * (2 * BODY_LIMIT) + b"{}",
        status=413,
        detail=BODY_SIZE,
    ),
]

CASES = (
    DEEP
    + PAGING
    + QUERY
    + PATH_IDS
    + PHONE_NUMBERS
    + STRINGS
    + CLOCK
    + FAULTS
    + CDR_FILTERS
    + CONTROL
    + BODIES
)

# --- running a case ----------------------------------------------------------------------------


def created(response: httpx2.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def make_resources(http: httpx2.Client, wanted: set[str]) -> dict[str, str]:
    """Create what the case refers to; the number exists whenever anything else does."""
    ids: dict[str, str] = {}
    if wanted:
        ids[NUMBER] = created(http.post("/_sandbox/seed", json={"numbers": 1}))["numbers"][0]
    if ROUTE in wanted:
        body = {
            "data": {
                "type": "route",
                "attributes": {"alias": "setup", "route_type": "host", "value": "sip.example.com"},
            }
        }
        ids[ROUTE] = created(http.post("/v2/routes", json=body))["data"]["id"]
    if E911 in wanted:
        body = {"data": {"type": "e911", "attributes": SETUP_ADDRESS}}
        ids[E911] = created(http.post("/v2/e911s", json=body))["data"]["id"]
    if CNAM in wanted:
        ids[CNAM] = created(http.post("/v2/cnams", json={"value": "SETUP NAME"}))["data"]["id"]
    if EXPORT in wanted:
        body = _export()
        ids[EXPORT] = created(http.post("/v2/cdrs/exports", json=body))["data"]["id"]
    return ids


def fill(text: str, ids: dict[str, str]) -> str:
    for token, ident in ids.items():
        text = text.replace(token, ident)
    return text


def fill_body(body: bytes | None, ids: dict[str, str]) -> bytes | None:
    if body is None:
        return None
    for token, ident in ids.items():
        body = body.replace(token.encode(), ident.encode())
    return body


MESSAGES = "/v2.1/messages?start_date=1970-01-01&limit=1000"
CALLBACKS = tuple(
    f"/v2.1/messages/{kind}"
    for kind in ("sms_callback", "mms_callback", "sms_dlr_callback", "mms_dlr_callback")
)
# Where a request may create or change something -> the listings that would show it.
WATCHED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("/v2/routes", ("/v2/routes?limit=200",)),
    ("/v2/numbers", ("/v2/numbers?limit=200",)),
    ("/v2/e911s", ("/v2/e911s?limit=200",)),
    ("/v2/cnams", ("/v2/cnams?limit=200",)),
    ("/v2/cdrs/exports", ("/v2/cdrs/exports?limit=200",)),
    ("/v2/portorders", ()),  # stateless
    ("/v2.1/messages/", CALLBACKS),  # account callbacks (PUT /v2.1/messages/{type})
    ("/v2.1/messages", (MESSAGES,)),
    ("/_sandbox/faults", ("/_sandbox/faults",)),
    ("/_sandbox/clock", ("/_sandbox/clock",)),
    ("/_sandbox/seed", ("/v2/numbers?limit=200",)),
    ("/_sandbox/inbound", (MESSAGES,)),
    ("/_sandbox/cnams", ("/v2/cnams?limit=200",)),
    ("/_sandbox/calls", ()),  # only an export shows call records: see run_probe()
)


def watched(case: Bad, ids: dict[str, str]) -> list[str]:
    paths = next(paths for prefix, paths in WATCHED if case.path.startswith(prefix))
    if NUMBER in ids:  # its relationships: routes, E911 record, CNAM record
        paths = (*paths, f"/v2/numbers/{ids[NUMBER]}")
    return list(paths)


def get(http: httpx2.Client, path: str) -> httpx2.Response:
    """GET, once more on a fresh connection if the pooled one was closed by a 500."""
    try:
        return http.get(path)
    except httpx2.TransportError:
        return http.get(path)


def snapshot(http: httpx2.Client, paths: list[str]) -> dict[str, Any]:
    """What those listings answer; error ids (random) left out."""
    state: dict[str, Any] = {}
    for path in paths:
        response = get(http, path)
        doc = response.json()
        if "errors" in doc:
            doc = [e["status"] for e in doc["errors"]]
        state[path] = (response.status_code, doc)
    return state


def account_works(http: httpx2.Client) -> None:
    for path in ("/v2/cdrs/exports", "/_sandbox/clock"):
        response = get(http, path)
        assert response.status_code == 200, f"GET {path} after the bad request: {response.text}"


def run_probe(http: httpx2.Client, ids: dict[str, str], probe: tuple[str, ...]) -> None:
    """After-checks for state the listings cannot show."""
    if probe[0] == "number callback":
        # The number's own callbacks are visible only through where an inbound text goes.
        inbound = {"from": OTHER_PARTY, "to": ids[NUMBER], "body": "probe"}
        response = http.post("/_sandbox/inbound", json=inbound)
        assert response.status_code == 201, response.text
        assert response.json()["callback_url"] is None, "the bad callback URL was stored"
    elif probe[0] == "calls":
        # Call records show only in an export over their window.
        window = {"start_call_start_time": probe[1], "start_call_end_time": probe[2]}
        export = created(http.post("/v2/cdrs/exports", json=_export(**window)))["data"]["id"]
        assert http.post("/_sandbox/clock/advance", json={"seconds": 3600}).status_code == 200
        response = get(http, f"/v2/cdrs/exports/{export}")
        assert response.status_code == 200, response.text
        assert response.json()["data"]["attributes"]["num_calls"] == 0, "call records were stored"


def send(
    http: httpx2.Client, server: SandboxServer, case: Bad, path: str, body: bytes | None
) -> httpx2.Response | RawAnswer:
    if case.transport != "http":
        assert body is not None
        return raw_upload(server, case.method, path, body, chunked=case.transport == "chunked")
    headers = {"Connection": "close"}  # a 500 may close the connection: never reuse this one
    if case.content_type and body is not None:
        headers["Content-Type"] = case.content_type
    return http.request(case.method, path, content=body, headers=headers)


@dataclass
class RawAnswer:
    status_code: int
    headers: dict[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


def raw_upload(
    server: SandboxServer, method: str, path: str, body: bytes, *, chunked: bool
) -> RawAnswer:
    """Start an oversized upload and stop sending once the server answers.

    ``chunked=False`` declares the whole body in Content-Length but sends only its first 64 KiB:
    a server that checks Content-Length answers at once, one that reads first never does.
    ``chunked=True`` streams chunks past the limit without a Content-Length, never ending it.
    """
    auth = base64.b64encode(f"{server.access_key}:{server.secret_key}".encode()).decode()
    head = [
        f"{method} {path} HTTP/1.1",
        f"Host: {server.host}:{server.port}",
        f"Authorization: Basic {auth}",
        "Content-Type: application/json",
        "Connection: close",
    ]
    if chunked:
        head.append("Transfer-Encoding: chunked")
        piece = 64 * 1024
        chunks = [
            b"%x\r\n%s\r\n" % (piece, body[i : i + piece])
            for i in range(0, BODY_LIMIT + 2 * piece, piece)
        ]
        payload = "\r\n".join(head).encode() + b"\r\n\r\n" + b"".join(chunks)
    else:
        head.append(f"Content-Length: {len(body)}")
        payload = "\r\n".join(head).encode() + b"\r\n\r\n" + body[: 64 * 1024]
    received = b""
    with socket.create_connection((server.host, server.port), timeout=ANSWER_WITHIN) as sock:
        sock.setblocking(False)
        sent = 0
        while True:
            want_write = [sock] if sent < len(payload) else []
            readable, writable, _ = select.select([sock], want_write, [], ANSWER_WITHIN)
            if not readable and not writable:
                break  # nothing happened within ANSWER_WITHIN
            if writable and not readable:
                try:
                    sent += sock.send(payload[sent : sent + 65536])
                except (BrokenPipeError, ConnectionResetError):
                    sent = len(payload)
                continue
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            received += data
            if _complete(received):
                break
    if not received:
        pytest.fail(
            f"no answer within {ANSWER_WITHIN} s while the oversized body was still arriving"
        )
    head_bytes, _, content = received.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
    }
    return RawAnswer(int(lines[0].split()[1]), headers, content)


def _complete(received: bytes) -> bool:
    head, sep, content = received.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            return len(content) >= int(value.strip())
    return False


def assert_flowroute_error(response: httpx2.Response | RawAnswer, case: Bad) -> None:
    assert response.status_code in case.status, (
        f"expected {case.status}, got {response.status_code}: {response.text[:300]}"
    )
    assert response.headers["content-type"] == "application/vnd.api+json"
    (error,) = response.json()["errors"]
    assert set(error) >= {"detail", "id", "status", "title"}
    assert error["status"] == response.status_code
    uuid.UUID(error["id"])
    detail = str(error["detail"]).lower()
    assert any(word.lower() in detail for word in case.detail), (
        f"the detail should name one of {case.detail}: {error['detail']!r}"
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_a_4xx_that_changes_nothing(
    case: Bad, any_db_sandbox: SandboxServer, http: httpx2.Client
) -> None:
    text = case.path + (case.body[:200000].decode("latin-1") if case.body else "")
    ids = make_resources(http, {token for token in TOKENS if token in text})
    path, body = fill(case.path, ids), fill_body(case.body, ids)
    paths = [] if case.method == "GET" else watched(case, ids)  # reads change nothing
    before = snapshot(http, paths)
    response = send(http, any_db_sandbox, case, path, body)
    assert_flowroute_error(response, case)
    assert snapshot(http, paths) == before, "the bad request changed the account"
    account_works(http)
    if case.probe:
        run_probe(http, ids, case.probe)


def test_a_body_of_exactly_the_limit_is_read(
    any_db_sandbox: SandboxServer, http: httpx2.Client
) -> None:
    """The limit is inclusive: 1,048,576 bytes are read (the padding is JSON whitespace)."""
    number = any_db_sandbox.seed_numbers(1)[0]
    doc = enc({"to": OTHER_PARTY, "from": number, "body": "hello"})
    body = doc + b" " * (BODY_LIMIT - len(doc))
    response = http.post(
        "/v2.1/messages", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 202, response.text
    assert len(any_db_sandbox.outbox()) == 1
