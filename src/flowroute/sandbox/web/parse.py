"""Request parsing with bounds: every body, query parameter and path id is checked here, before
any handler or backend sees it, so no input can reach the store malformed.

Bodies arrive as JSON under any (or no) content type, a JSON document inside a JSON string (the
.NET SDK), or form-encoded (the Python SDK's CNAM create and portability check).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from ..errors import ApiError, quoted
from ..limits import ID_MAX, INT64_MAX, MAX_JSON_DEPTH, boolean, check_text

_ASCII_DIGITS = re.compile(r"[0-9]+")
__all__ = ["attributes", "boolean", "integer", "page", "query_params", "read_body", "record_id"]


class _NonFinite(str):
    """NaN, Infinity or a float too large for a double, kept as its token until the walk over
    the document can name the field it was sent in."""


def _finite(token: str) -> float | _NonFinite:
    value = float(token)
    return value if math.isfinite(value) else _NonFinite(token)


def _decode(raw: bytes | str) -> Any:
    try:
        return json.loads(raw, parse_constant=_NonFinite, parse_float=_finite)
    except RecursionError:
        raise ApiError(
            400, f"Request body is nested too deeply: at most {MAX_JSON_DEPTH} levels."
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"Request body is not valid JSON: {exc}") from None


def _walk(value: Any, path: str, depth: int) -> Iterator[tuple[str, Any]]:
    """Every leaf with its dotted path; raises past the depth bound."""
    if depth > MAX_JSON_DEPTH:
        raise ApiError(400, f"Request body is nested too deeply: at most {MAX_JSON_DEPTH} levels.")
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}".lstrip(".")
            yield f"{name} (as a field name)", key
            yield from _walk(item, name, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]", depth + 1)
    else:
        yield path, value


def check_document(body: Any) -> None:
    """Reject what no field may hold: lone surrogates, NUL, integers beyond 64 bits."""
    for path, leaf in _walk(body, "", 0):
        name = path or "body"
        if isinstance(leaf, _NonFinite):
            raise ApiError(400, f"{name} must be a finite number, got {leaf}.")
        if isinstance(leaf, str):
            check_text(leaf, name)
        elif isinstance(leaf, int) and not isinstance(leaf, bool) and abs(leaf) > INT64_MAX:
            raise ApiError(400, f"{name} is out of range: numbers must fit in 64 bits.")


async def read_body(request: Request) -> dict[str, Any]:
    """The body as a dict (empty for no body), checked by ``check_document``."""
    raw = await request.body()
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        try:
            pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=1000)
        except UnicodeDecodeError:
            raise ApiError(400, "Form body is not valid UTF-8.") from None
        except ValueError:
            raise ApiError(400, "Form body has too many fields (at most 1000).") from None
        form: dict[str, Any] = {}
        for key, value in pairs:
            form.setdefault(key, []).append(value)
        body: Any = {k: v[0] if len(v) == 1 else v for k, v in form.items()}
    else:
        body = _decode(raw)
        if isinstance(body, str):  # a JSON document sent as a JSON string (.NET SDK)
            body = _decode(body)
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object.")
    check_document(body)
    return body


def attributes(body: dict[str, Any]) -> dict[str, Any]:
    """Flatten JSON:API ``{"data": {"id", "type", "attributes": {...}}}`` or a compact body."""
    data = body.get("data", body)
    if not isinstance(data, dict):
        raise ApiError(400, "Request body 'data' must be an object.")
    attrs = data.get("attributes", {})
    if not isinstance(attrs, dict):
        raise ApiError(400, "Request body 'attributes' must be an object.")
    flat = {k: v for k, v in data.items() if k != "attributes"}
    flat.update(attrs)
    return flat


def query_params(request: Request) -> dict[str, str]:
    """Query parameters, ignoring the bare ``null``/empty entries some SDKs send."""
    params = {k: v for k, v in request.query_params.items() if k != "null" and k}
    for name, value in params.items():
        check_text(value, name)
    return params


def integer(value: Any, name: str, *, minimum: int, default: int, maximum: int = INT64_MAX) -> int:
    """A whole number in [minimum, maximum] from a query string or a JSON value."""
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ApiError(400, f"{name} must be an integer, got {quoted(value)}.")
    text = str(value).strip()
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if not _ASCII_DIGITS.fullmatch(digits) or len(digits) > 19:
        raise ApiError(
            400, f"{name} must be an integer from {minimum} to {maximum}, got {quoted(text)}."
        )
    number = sign * int(digits)
    if number < minimum:
        raise ApiError(400, f"{name} must be at least {minimum}, got {number}.")
    if number > maximum:
        raise ApiError(400, f"{name} must be at most {maximum}, got {number}.")
    return number


def page(params: dict[str, str], *, default: int = 10, maximum: int) -> tuple[int, int]:
    limit = integer(params.get("limit"), "limit", minimum=1, default=default)
    if limit > maximum:
        raise ApiError(400, f"limit must be at most {maximum} for this endpoint, got {limit}.")
    return limit, integer(params.get("offset"), "offset", minimum=0, default=0)


def record_id(value: Any, what: str) -> int:
    """A numeric record id from a path or body: ASCII digits only (400 otherwise); one beyond
    any id the store can hold (32-bit integer columns) simply does not exist (404)."""
    text = str(value).strip() if value is not None and not isinstance(value, bool) else ""
    if not _ASCII_DIGITS.fullmatch(text):
        raise ApiError(400, f"{what} id must be numeric, got {quoted(text)}.")
    number = int(text) if len(text) <= 19 else INT64_MAX
    if number > ID_MAX:
        raise ApiError(404, f"{what} {text[:40]} was not found on your account.")
    return number
