"""The Flowroute API the sandbox serves, described in OpenAPI 3.1.

The wire API (``api/*.py``) is a plain Starlette router that FastAPI never sees, so the document
FastAPI generates at ``/_sandbox/openapi.json`` covers only the control API.
``wire_openapi_paths()`` describes every wire route by hand: path and query parameters with
their types and bounds, request bodies in the shapes and content types the official SDKs send,
and the answers, errors included (Flowroute's ``{"errors": [...]}``). ``add_wire_paths()``
merges that into FastAPI's document. The limits stated here are the ones in docs/sandbox.md
("Limits on input"); tests/sandbox/test_fuzz_wire.py checks that every registered route is
described and fuzzes the sandbox from this description.

What OpenAPI cannot say: every JSON body is also accepted with no Content-Type at all (the
Python SDK sends several that way) and as a JSON document sent as a JSON string (.NET).
"""

from __future__ import annotations

import copy
from typing import Any

from ..addresses import ADDRESS_TYPES, CA_PROVINCES, FIELDS, US_STATES
from ..callerid import MAX_LENGTH as CNAM_MAX_LENGTH

JSON_API = "application/vnd.api+json"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
INT64_MAX = 2**63 - 1
BODY_LIMIT = 1_048_576
MESSAGE_BODY_MAX = 5000
URL_MAX = 2048
SECURITY: list[dict[str, list[str]]] = [{"flowrouteBasic": []}]

# ASCII digits only: JSON Schema's \d may match other scripts' digits.
NANP = "1[2-9][0-9]{2}[2-9][0-9]{6}"
CALLBACK_TYPES = ("sms_callback", "mms_callback", "sms_dlr_callback", "mms_dlr_callback")
CALLBACK_TYPES_ACCEPTED = (*CALLBACK_TYPES, "dlr_callback")  # deprecated name, still accepted
ROUTE_TYPES = ("host", "number", "uri")
EDGE_STRATEGY_IDS = (1, 2, 3, 4)
ORDER_FIELDS = (
    "monthly_cost",
    "setup_cost",
    "iso_country",
    "number_type",
    "state",
    "rate_center",
    "number",
    "value",
    "tn",
)
TITLES = {
    400: "Bad Request: a parameter or the body is malformed or out of range",
    401: "Unauthorized: missing or wrong Basic credentials",
    403: "Forbidden: not allowed in this state (duplicate, in use, reviewed, opted out)",
    404: "Not Found: no such resource on this account",
    413: f"Payload Too Large: the body is over {BODY_LIMIT} bytes",
    422: "Unprocessable Entity: a field has a value Flowroute refuses",
    429: "Too Many Requests: over the account's send rate",
}

# --- building blocks --------------------------------------------------------------------------


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def string(
    *,
    max_length: int | None = None,
    min_length: int = 0,
    pattern: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", **extra}
    if min_length:
        schema["minLength"] = min_length
    if max_length is not None:
        schema["maxLength"] = max_length
    if pattern is not None:
        schema["pattern"] = pattern
    return schema


def integer(minimum: int = 0, maximum: int = INT64_MAX, **extra: Any) -> dict[str, Any]:
    return {"type": "integer", "format": "int64", "minimum": minimum, "maximum": maximum, **extra}


def obj(properties: dict[str, Any], required: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = list(required)
    return schema


def jsonapi_or_flat(kind: str, attributes: dict[str, Any]) -> dict[str, Any]:
    """JSON:API ``{"data": {"type", "attributes"}}`` or the same attributes flat (compact)."""
    wrapped = obj({"data": obj({"type": {"const": kind}, "attributes": attributes})}, ("data",))
    return {"anyOf": [wrapped, attributes]}


def query(
    name: str, schema: dict[str, Any], description: str, *, required: bool = False
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


def path_param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
    }


def paging(maximum: int) -> list[dict[str, Any]]:
    return [
        query("limit", integer(1, maximum, default=10), f"Page size, 1 to {maximum}."),
        query("offset", integer(0, default=0), "Items to skip (a signed 64-bit integer)."),
    ]


NUMBER_ID = path_param(
    "number_id",
    string(pattern=f"^{NANP}$", examples=["12065550100"]),
    "A number on the account: 11 ASCII digits with the leading 1.",
)


def record_id(name: str, what: str) -> dict[str, Any]:
    return path_param(name, integer(0), f"The {what}'s id: ASCII digits, a signed 64-bit integer.")


def body(
    schema: dict[str, Any],
    *,
    form: dict[str, Any] | None = None,
    required: bool = True,
    description: str = "",
) -> dict[str, Any]:
    content: dict[str, Any] = {JSON: {"schema": schema}, JSON_API: {"schema": schema}}
    if form is not None:
        content[FORM] = {"schema": form}
    text = description or "JSON, also accepted with no Content-Type."
    return {"required": required, "description": text, "content": content}


def document(description: str, schema: str = "Document") -> dict[str, Any]:
    return {"description": description, "content": {JSON_API: {"schema": ref(schema)}}}


NO_CONTENT = {"description": "Done; no body."}


def responses(success: dict[str, dict[str, Any]], *errors: int) -> dict[str, Any]:
    answers: dict[str, Any] = dict(success)
    for status in sorted({400, 401, *errors}):
        answers[str(status)] = {
            "description": TITLES[status],
            "content": {JSON_API: {"schema": ref("Error")}},
        }
    return answers


def operation(
    operation_id: str,
    tag: str,
    summary: str,
    answers: dict[str, Any],
    *,
    parameters: list[dict[str, Any]] | None = None,
    request: dict[str, Any] | None = None,
    public: bool = False,
) -> dict[str, Any]:
    if public:
        answers = {status: answer for status, answer in answers.items() if status != "401"}
    op: dict[str, Any] = {
        "operationId": operation_id,
        "tags": [tag],
        "summary": summary,
        "security": [] if public else SECURITY,
        "responses": answers,
    }
    if parameters:
        op["parameters"] = parameters
    if request is not None:
        op["requestBody"] = request
    return op


# --- schemas ----------------------------------------------------------------------------------

URL = string(max_length=URL_MAX, format="uri", pattern="^https?://")
BOOLEAN_TEXT = {"anyOf": [{"type": "boolean"}, {"enum": ["true", "false", "True", "False"]}]}
DIGITS = string(max_length=11, pattern="^[0-9]+$")
ROUTE_ATTRIBUTES = obj(
    {
        "alias": string(min_length=1, max_length=64, description="Unique on the account."),
        "route_type": {"enum": list(ROUTE_TYPES)},
        "value": string(
            min_length=1,
            max_length=256,
            description="host: IP or hostname[:port]; number: 11 digits; uri: sip:user@host.",
        ),
        "edge_strategy_id": {
            "anyOf": [
                {"enum": list(EDGE_STRATEGY_IDS)},
                {"enum": [str(i) for i in EDGE_STRATEGY_IDS]},
                {"type": "null"},
            ]
        },
        "edge_strategy": {"enum": [str(i) for i in EDGE_STRATEGY_IDS]},
    }
)
E911_FIELDS: dict[str, Any] = {
    "label": string(min_length=1, max_length=128),
    "first_name": string(min_length=1, max_length=128),
    "last_name": string(min_length=1, max_length=128),
    "street_number": string(min_length=1, max_length=32),
    "street_name": string(min_length=1, max_length=256),
    "city": string(min_length=1, max_length=128),
    "state": {"enum": sorted(US_STATES | CA_PROVINCES)},
    "country": {"enum": ["US", "CA"]},
    "zip": string(min_length=4, max_length=8, pattern="^[0-9A-Za-z]{3,4} ?[0-9A-Za-z]{1,4}$"),
    "address_type": {"enum": sorted(ADDRESS_TYPES.values())},
    "address_type_number": string(min_length=1, max_length=32),
}
E911_REQUIRED = FIELDS[:-2]  # all but the unit type and number
STRING_LIST = {"type": "array", "items": string(min_length=1, max_length=256), "maxItems": 1000}
CDR_FILTERS = obj(
    {
        "start_call_start_time": string(
            min_length=10, max_length=40, examples=["2026-01-01 00:00:00"]
        ),
        "start_call_end_time": string(min_length=10, max_length=40),
        "number_aliases": STRING_LIST,
        "number_aliases_contains": string(max_length=64),
        "destination_numbers": STRING_LIST,
        "callerid_numbers": STRING_LIST,
        "custom_x_tags": STRING_LIST,
        "caller_ip": string(max_length=64),
        "duration_greater_than": integer(0),
    },
    ("start_call_start_time", "start_call_end_time"),
    additionalProperties=False,
    description="The window (UTC, at most 92 days, end after start) and optional filters.",
)
MESSAGE_ATTRIBUTES = obj(
    {
        "to": string(pattern=f"^\\+?{NANP}$"),
        "from": string(pattern=f"^\\+?{NANP}$", description="A number on the account."),
        "body": string(max_length=MESSAGE_BODY_MAX),
        "media_urls": {"type": "array", "items": URL, "maxItems": 10},
        "is_mms": BOOLEAN_TEXT,
        "dlr_callback": URL,
    },
    ("to", "from"),
)
CALLBACK_BODY = {
    "anyOf": [
        obj({"callback_url": URL}, ("callback_url",)),
        obj(
            {"data": obj({"attributes": obj({"callback_url": URL}, ("callback_url",))})},
            ("data",),
        ),
    ]
}
ROUTE_REFERENCE = {
    "anyOf": [
        obj(
            {
                "data": obj(
                    {"type": {"const": "route"}, "id": string(pattern="^[0-9]{1,18}$")}, ("id",)
                )
            },
            ("data",),
        ),
        obj({"id": {"anyOf": [string(pattern="^[0-9]{1,18}$"), integer(0)]}}, ("id",)),
    ]
}
RESOURCE = obj(
    {
        "type": {"type": "string"},
        "id": {"type": ["string", "integer", "null"]},
        "attributes": {"type": "object"},
        "links": {"type": "object"},
        "relationships": {"type": "object"},
    },
    ("type",),
)

SCHEMAS: dict[str, Any] = {
    "Error": obj(
        {
            "errors": {
                "type": "array",
                "minItems": 1,
                "items": obj(
                    {
                        "detail": {
                            "anyOf": [{"type": "string"}, {"type": "object"}],
                            "description": "What is wrong; field errors as an object.",
                        },
                        "id": string(format="uuid"),
                        "status": integer(400, 599),
                        "title": {"type": "string"},
                        "code": {"type": "integer", "description": "Messaging error code."},
                    },
                    ("detail", "id", "status", "title"),
                ),
            }
        },
        ("errors",),
        description="Flowroute's error body, for every 4xx and 5xx.",
    ),
    "Document": obj(
        {
            "data": {
                "anyOf": [
                    RESOURCE,
                    {"type": "array", "items": {"type": "object"}},
                    {"type": "object"},
                ]
            },
            "included": {"type": "array", "items": RESOURCE},
            "links": obj({"self": {"type": "string"}, "next": {"type": "string"}}),
        },
        ("data",),
        description="A JSON:API-style document (Flowroute's are not strict JSON:API).",
    ),
    "RouteCreate": jsonapi_or_flat(
        "route", {**ROUTE_ATTRIBUTES, "required": ["alias", "route_type", "value"]}
    ),
    "RouteUpdate": jsonapi_or_flat("route", ROUTE_ATTRIBUTES),
    "RouteReference": ROUTE_REFERENCE,
    "NumberUpdate": jsonapi_or_flat(
        "number",
        obj(
            {
                "type": {"const": "number"},
                "alias": {"anyOf": [string(max_length=64), {"type": "null"}]},
                "cnam_lookups_enabled": BOOLEAN_TEXT,
                "messaging_enabled": BOOLEAN_TEXT,
            }
        ),
    ),
    "PurchaseOptions": jsonapi_or_flat(
        "number",
        obj({"cnam_lookups_enabled": BOOLEAN_TEXT, "messaging_enabled": BOOLEAN_TEXT}),
    ),
    "NumbersDetails": obj(
        {
            "numbers": {
                "type": "array",
                "items": string(pattern=f"^\\+?{NANP}$"),
                "minItems": 1,
                "maxItems": 200,
            }
        },
        ("numbers",),
    ),
    "Message": jsonapi_or_flat("message", MESSAGE_ATTRIBUTES),
    "CallbackUrl": CALLBACK_BODY,
    "E911": jsonapi_or_flat("e911", obj(E911_FIELDS, E911_REQUIRED)),
    "E911Update": jsonapi_or_flat("e911", obj(E911_FIELDS)),
    "Cnam": jsonapi_or_flat(
        "cnam",
        obj(
            {
                "value": string(
                    min_length=1,
                    max_length=CNAM_MAX_LENGTH,
                    pattern="^[A-Za-z0-9 \\-_.,@+&'/\"]*[A-Za-z][A-Za-z0-9 \\-_.,@+&'/\"]*$",
                )
            },
            ("value",),
        ),
    ),
    "CdrExportCreate": obj(
        {
            "data": obj(
                {
                    "type": {"const": "cdrexport"},
                    "attributes": obj(
                        {"callback_url": URL, "filter_parameters": CDR_FILTERS},
                        ("filter_parameters",),
                    ),
                },
                ("attributes",),
            )
        },
        ("data",),
    ),
    "Portability": obj(
        {
            "numbers": {
                "type": "array",
                "items": string(pattern=f"^\\+{NANP}$"),
                "minItems": 1,
                "maxItems": 200,
            }
        },
        ("numbers",),
    ),
}

# --- the endpoints ----------------------------------------------------------------------------


def _numbers() -> dict[str, dict[str, Any]]:
    digits_filters = [
        query("starts_with", string(max_length=12, pattern="^\\+?[0-9]+$"), "Prefix (1 assumed)."),
        query("contains", DIGITS, "Digits the number contains."),
        query("ends_with", DIGITS, "Suffix."),
    ]
    cost = query("max_setup_cost", {"type": "number", "minimum": 0}, "Highest setup cost.")
    return {
        "/v2/numbers/available/areacodes": {
            "get": operation(
                "list_available_area_codes",
                "Numbers",
                "Area codes with purchasable numbers",
                responses({"200": document("Area codes.")}),
                parameters=[cost, *paging(400)],
            )
        },
        "/v2/numbers/available/exchanges": {
            "get": operation(
                "list_available_exchanges",
                "Numbers",
                "Exchanges (NPA-NXX) with purchasable numbers",
                responses({"200": document("Exchanges.")}),
                parameters=[
                    cost,
                    query("areacode", string(pattern="^[2-9][0-9]{2}$"), "Area code."),
                    *paging(200),
                ],
            )
        },
        "/v2/numbers/available/tiers": {
            "get": operation(
                "list_available_tiers",
                "Numbers",
                "Pricing tiers with purchasable numbers",
                responses({"200": document("Tiers.")}),
                parameters=paging(200),
            )
        },
        "/v2/numbers/available": {
            "get": operation(
                "search_available_numbers",
                "Numbers",
                "Search purchasable numbers",
                responses({"200": document("Purchasable numbers.")}),
                parameters=[
                    *digits_filters,
                    query("rate_center", string(max_length=64), "Rate centre (any case)."),
                    query("state", string(max_length=2), "Two-letter state (any case)."),
                    query("number_type", {"enum": ["longcode", "toll-free"]}, "Kind."),
                    query("iso_country", string(max_length=2), "ISO 3166-1 alpha-2."),
                    query(
                        "order_by",
                        string(pattern=f"^({'|'.join(ORDER_FIELDS)})(,(asc|desc))?$"),
                        "FIELD,asc|desc.",
                    ),
                    *paging(200),
                ],
            )
        },
        "/v2/numbers": {
            "get": operation(
                "list_account_numbers",
                "Numbers",
                "The account's numbers",
                responses({"200": document("Numbers.")}),
                parameters=[
                    *digits_filters,
                    query("alias", string(max_length=64), "Exact alias."),
                    query("tier", string(max_length=32), "Pricing tier."),
                    *paging(200),
                ],
            )
        },
        "/v2/numbers/details": {
            "post": operation(
                "numbers_details",
                "Numbers",
                "Details of several of the account's numbers",
                responses({"200": document("Numbers with relationships.")}, 404, 413),
                request=body(ref("NumbersDetails")),
            )
        },
        "/v2/numbers/{number_id}": {
            "parameters": [NUMBER_ID],
            "get": operation(
                "get_number",
                "Numbers",
                "A number with its relationships",
                responses({"200": document("The number.")}, 404),
            ),
            "post": operation(
                "purchase_number",
                "Numbers",
                "Buy a number (options as query parameters or a body)",
                responses({"201": document("The number bought.")}, 404, 413),
                parameters=[
                    query("cnam_lookups_enabled", BOOLEAN_TEXT, "CNAM lookups on."),
                    query("messaging_enabled", BOOLEAN_TEXT, "Messaging requested."),
                ],
                request=body(ref("PurchaseOptions"), required=False),
            ),
            "patch": operation(
                "update_number",
                "Numbers",
                "Alias, CNAM lookups, messaging",
                responses({"200": document("The number.")}, 404, 413, 422),
                request=body(ref("NumberUpdate")),
            ),
            "delete": operation(
                "release_number",
                "Numbers",
                "Release a number",
                responses({"204": NO_CONTENT}, 404),
            ),
        },
        "/v2/numbers/{number_id}/relationships/{callback_type}": {
            "parameters": [
                NUMBER_ID,
                path_param(
                    "callback_type", {"enum": list(CALLBACK_TYPES_ACCEPTED)}, "Which callback."
                ),
            ],
            "post": operation(
                "set_number_callback",
                "Messages",
                "A number's own messaging callback URL",
                responses({"204": NO_CONTENT}, 404, 413, 422),
                request=body(ref("CallbackUrl")),
            ),
        },
    }


def _routes() -> dict[str, dict[str, Any]]:
    route_id = record_id("route_id", "route")
    slots: dict[str, dict[str, Any]] = {}
    for slot in ("primary_route", "failover_route"):
        slots[f"/v2/numbers/{{number_id}}/relationships/{slot}"] = {
            "parameters": [NUMBER_ID],
            "patch": operation(
                f"set_{slot}",
                "Routes",
                f"Set a number's {slot.replace('_', ' ')}",
                responses({"204": NO_CONTENT}, 404, 413, 422),
                request=body(ref("RouteReference")),
            ),
            "delete": operation(
                f"remove_{slot}",
                "Routes",
                f"Remove a number's {slot.replace('_', ' ')}",
                responses({"204": NO_CONTENT}, 404),
            ),
        }
    return {
        "/v2/routes": {
            "get": operation(
                "list_routes",
                "Routes",
                "Inbound voice routes (route 0, sip-reg, first)",
                responses({"200": document("Routes.")}),
                parameters=[
                    query("route_type", {"enum": ["sip-reg", *ROUTE_TYPES]}, "Kind."),
                    *paging(200),
                ],
            ),
            "post": operation(
                "create_route",
                "Routes",
                "Create an inbound route",
                responses({"201": document("The route.")}, 403, 413, 422),
                request=body(ref("RouteCreate")),
            ),
        },
        "/v2/routes/edge_strategies": {
            "get": operation(
                "list_edge_strategies",
                "Routes",
                "Points of presence",
                responses({"200": document("Edge strategies.")}),
            )
        },
        "/v2/routes/{route_id}": {
            "parameters": [route_id],
            "patch": operation(
                "update_route",
                "Routes",
                "Change a route (not route 0)",
                responses({"200": document("The route.")}, 403, 404, 413, 422),
                request=body(ref("RouteUpdate")),
            ),
            "delete": operation(
                "delete_route",
                "Routes",
                "Delete a route no number uses",
                responses({"204": NO_CONTENT}, 403, 404),
            ),
        },
        **slots,
    }


def _messages() -> dict[str, dict[str, Any]]:
    paths: dict[str, dict[str, Any]] = {}
    for version in ("v2.1", "v2.2"):
        tag = version.replace(".", "_")
        ident = path_param(
            "ident",
            {
                "anyOf": [
                    string(pattern="^mdr2-[0-9a-f]{32}$"),
                    {"enum": list(CALLBACK_TYPES_ACCEPTED)},
                ]
            },
            "A message id (GET) or an account callback type.",
        )
        callback_type = path_param(
            "ident", {"enum": list(CALLBACK_TYPES_ACCEPTED)}, "An account callback type."
        )
        paths[f"/{version}/messages"] = {
            "post": operation(
                f"send_message_{tag}",
                "Messages",
                f"Send an SMS or MMS ({version} number format)",
                responses({"202": document("The message id.")}, 403, 413, 422, 429),
                request=body(ref("Message")),
            ),
            "get": operation(
                f"list_messages_{tag}",
                "Messages",
                "Message detail records in a date range",
                responses({"200": document("Messages.")}),
                parameters=[
                    query(
                        "start_date",
                        string(min_length=10, max_length=40, examples=["2026-01-01"]),
                        "YYYY-MM-DD or an ISO 8601 date-time (UTC unless given).",
                        required=True,
                    ),
                    query("end_date", string(min_length=10, max_length=40), "Same forms."),
                    query("limit", integer(1, default=10), "Page size (no maximum)."),
                    query("offset", integer(0, default=0), "Items to skip."),
                ],
            ),
        }
        paths[f"/{version}/messages/{{ident}}"] = {
            "get": operation(
                f"get_message_or_callback_{tag}",
                "Messages",
                "One message, or an account callback URL",
                responses({"200": document("The message or callback.")}, 404),
                parameters=[ident],
            ),
            "put": operation(
                f"set_account_callback_{tag}",
                "Messages",
                "Set an account callback URL",
                responses({"204": NO_CONTENT}, 413, 422),
                parameters=[callback_type],
                request=body(ref("CallbackUrl")),
            ),
            "delete": operation(
                f"remove_account_callback_{tag}",
                "Messages",
                "Remove an account callback URL",
                responses({"204": NO_CONTENT}),
                parameters=[callback_type],
            ),
        }
    return paths


def _e911s() -> dict[str, dict[str, Any]]:
    ident = record_id("ident", "E911 record")
    return {
        "/v2/e911s": {
            "get": operation(
                "list_e911s",
                "E911",
                "E911 addresses",
                responses({"200": document("E911 records.")}),
                parameters=[
                    query("label", string(max_length=128), "Part of the label (any case)."),
                    query("street_name", string(max_length=256), "Part of the street name."),
                    query("city", string(max_length=128), "Part of the city."),
                    query("state", string(max_length=2), "Two-letter state (any case)."),
                    *paging(2000),
                ],
            ),
            "post": operation(
                "create_e911",
                "E911",
                "Validate and create an address",
                responses({"201": document("The record.")}, 403, 413, 422),
                request=body(ref("E911")),
            ),
        },
        "/v2/e911s/validate": {
            "post": operation(
                "validate_e911",
                "E911",
                "Validate an address only",
                responses({"204": NO_CONTENT}, 413, 422),
                request=body(ref("E911")),
            )
        },
        "/v2/e911s/{ident}": {
            "parameters": [ident],
            "get": operation(
                "get_e911",
                "E911",
                "One address",
                responses({"200": document("The record.")}, 404),
            ),
            "patch": operation(
                "update_e911",
                "E911",
                "Change and re-validate an address",
                responses({"200": document("The record.")}, 403, 404, 413, 422),
                request=body(ref("E911Update")),
            ),
            "delete": operation(
                "delete_e911",
                "E911",
                "Delete an address no number uses",
                responses({"204": NO_CONTENT}, 403, 404),
            ),
        },
        "/v2/e911s/{ident}/relationships/numbers": {
            "parameters": [ident],
            "get": operation(
                "list_e911_numbers",
                "E911",
                "Numbers using an address",
                responses({"200": document("Numbers.")}, 404),
                parameters=paging(2000),
            ),
        },
        "/v2/numbers/{number_id}/relationships/e911s/{ident}": {
            "parameters": [NUMBER_ID, ident],
            "patch": operation(
                "assign_e911",
                "E911",
                "Give a number an address",
                responses({"204": NO_CONTENT}, 404, 422),
            ),
        },
        "/v2/numbers/{number_id}/relationships/e911s": {
            "parameters": [NUMBER_ID],
            "delete": operation(
                "unassign_e911",
                "E911",
                "Take a number's address away",
                responses({"204": NO_CONTENT}, 404),
            ),
        },
    }


def _cnams() -> dict[str, dict[str, Any]]:
    ident = record_id("ident", "CNAM record")
    form = obj({"value": string(min_length=1, max_length=CNAM_MAX_LENGTH)}, ("value",))
    paths: dict[str, dict[str, Any]] = {
        "/v2/cnams": {
            "get": operation(
                "list_cnams",
                "CNAM",
                "Caller ID name records",
                responses({"200": document("CNAM records.")}),
                parameters=[
                    query("is_approved", BOOLEAN_TEXT, "Approved or not."),
                    query("value", string(max_length=15), "Part of the name."),
                    query("contains", string(max_length=15), "Part of the name."),
                    query("starts_with", string(max_length=15), "Start of the name."),
                    query("ends_with", string(max_length=15), "End of the name."),
                    *paging(10000),
                ],
            ),
            "post": operation(
                "create_cnam",
                "CNAM",
                "Create a record (reviewed later on the account's clock)",
                responses({"201": document("The record.")}, 413, 422),
                request=body(
                    ref("Cnam"),
                    form=form,
                    description="JSON, or form-encoded value=... as the Python SDK sends it.",
                ),
            ),
        },
        "/v2/cnams/{ident}": {
            "parameters": [ident],
            "get": operation(
                "get_cnam", "CNAM", "One record", responses({"200": document("The record.")}, 404)
            ),
            "patch": operation(
                "update_cnam",
                "CNAM",
                "Change a pending record",
                responses({"200": document("The record.")}, 403, 404, 413, 422),
                request=body(ref("Cnam")),
            ),
            "delete": operation(
                "delete_cnam",
                "CNAM",
                "Delete a record (numbers lose it)",
                responses({"204": NO_CONTENT}, 404),
            ),
        },
    }
    # Both spellings: docs and Node use .../cnams; Python, Ruby, PHP and .NET use .../cnam.
    for spelling in ("cnams", "cnam"):
        paths[f"/v2/numbers/{{number_id}}/relationships/{spelling}/{{ident}}"] = {
            "parameters": [NUMBER_ID, ident],
            "patch": operation(
                f"assign_{spelling}",
                "CNAM",
                "Give a number an approved record",
                responses({"202": document("Accepted: the record's integer id.")}, 404, 422),
            ),
        }
        paths[f"/v2/numbers/{{number_id}}/relationships/{spelling}"] = {
            "parameters": [NUMBER_ID],
            "delete": operation(
                f"unassign_{spelling}",
                "CNAM",
                "Take a number's record away",
                responses({"202": document("Accepted.")}, 404),
            ),
        }
    return paths


def _cdrs_and_porting() -> dict[str, dict[str, Any]]:
    numbers_form = obj(
        {"numbers": {"type": "array", "items": string(pattern=f"^\\+{NANP}$")}},
        ("numbers",),
    )
    return {
        "/v2/cdrs/exports": {
            "get": operation(
                "list_cdr_exports",
                "CDR exports",
                "Exports (each list item wrapped in its own data, as Flowroute does)",
                responses({"200": document("Exports.")}),
                parameters=[
                    query("status", {"enum": ["processing", "completed", "failed"]}, "State."),
                    *paging(200),
                ],
            ),
            "post": operation(
                "create_cdr_export",
                "CDR exports",
                "Start an export of call records",
                responses({"201": document("The export, processing.")}, 413, 422),
                request=body(ref("CdrExportCreate")),
            ),
        },
        "/v2/cdrs/exports/{ident}": {
            "parameters": [record_id("ident", "export")],
            "get": operation(
                "get_cdr_export",
                "CDR exports",
                "One export",
                responses({"200": document("The export.")}, 404),
            ),
        },
        "/cdr-downloads/{token}.csv.gz": {
            "parameters": [
                path_param("token", string(pattern="^[A-Za-z0-9_-]{32}$"), "From the download_url.")
            ],
            "get": operation(
                "download_cdr_export",
                "CDR exports",
                "The pre-signed download (no credentials; expires 3 virtual days after)",
                responses(
                    {
                        "200": {
                            "description": "Gzipped CSV.",
                            "content": {"application/gzip": {"schema": {"type": "string"}}},
                        }
                    },
                    403,
                    404,
                ),
                public=True,
            ),
        },
        "/v2/portorders/portability": {
            "post": operation(
                "check_portability",
                "Porting",
                "Which numbers could be ported in",
                responses({"200": document("portable, nonportable, hypernetwork_enabled.")}, 413),
                request=body(
                    ref("Portability"),
                    form=numbers_form,
                    description="JSON, or form-encoded numbers=...&numbers=... (Python SDK).",
                ),
            ),
        },
    }


def wire_openapi_paths() -> dict[str, Any]:
    """OpenAPI path items for every Flowroute endpoint the sandbox serves (``api/*.py``).

    They refer to the schemas in ``wire_openapi_components()``; ``add_wire_paths`` adds both.
    """
    return {
        **_numbers(),
        **_routes(),
        **_messages(),
        **_e911s(),
        **_cnams(),
        **_cdrs_and_porting(),
    }


def wire_openapi_components() -> dict[str, Any]:
    """The schemas and the security scheme (HTTP Basic) the wire paths refer to."""
    return {
        "schemas": copy.deepcopy(SCHEMAS),
        "securitySchemes": {
            "flowrouteBasic": {
                "type": "http",
                "scheme": "basic",
                "description": "Access key as the user name, secret key as the password.",
            }
        },
    }


TAGS = ("Numbers", "Routes", "Messages", "E911", "CNAM", "CDR exports", "Porting")


def add_wire_paths(schema: dict[str, Any]) -> dict[str, Any]:
    """Merge the wire API into FastAPI's generated document (in place; also returned).

    Idempotent; paths already present (the control API under ``/_sandbox``) are kept.
    """
    paths = schema.setdefault("paths", {})
    for path, item in wire_openapi_paths().items():
        paths.setdefault(path, item)
    components = schema.setdefault("components", {})
    for section, entries in wire_openapi_components().items():
        target = components.setdefault(section, {})
        for name, entry in entries.items():
            target.setdefault(name, entry)
    tags = schema.setdefault("tags", [])
    known = {tag.get("name") for tag in tags}
    tags.extend({"name": name} for name in TAGS if name not in known)
    info = schema.setdefault("info", {})
    note = (
        f"Flowroute's API under /v2 and /v2.1 (HTTP Basic); bodies over {BODY_LIMIT} bytes get "
        "413. The control API lives under /_sandbox/."
    )
    if note not in info.get("description", ""):
        info["description"] = (info.get("description", "") + "\n\n" + note).strip()
    return schema
