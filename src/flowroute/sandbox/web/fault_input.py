"""A fault definition from a request, checked: the control API's ``POST /_sandbox/faults`` (a
JSON object) and the inbox's fault form (form fields, numbers as text) both build their
``Fault`` here, with the same bounds and the same messages."""

from __future__ import annotations

import math
import re
from typing import Any

from ..errors import ApiError, quoted
from ..faults import Fault
from .parse import integer

MAX_FAULT_COUNT = 1_000_000
MAX_FAULT_DELAY = 60
METHODS = ("*", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}")
_HEADER_VALUE = re.compile(r"[\x20-\x7e\t]{0,1024}")
_FORM_VALUES = ("status", "delay", "drop")  # read from text in a form
_FORM_NUMBER = re.compile(r"[0-9]{1,6}(\.[0-9]{1,6})?")


def _from_form(value: Any) -> Any:
    """A form field's text as the JSON value it stands for: blank is absent, a plain decimal
    number a number, "true"/"false" (or a checkbox's "on") a boolean; anything else as is, for
    the checks to refuse."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return None
    if _FORM_NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    return {"true": True, "on": True, "false": False}.get(text.lower(), value)


def _delay(value: Any) -> float:
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or not 0 <= value <= MAX_FAULT_DELAY
    ):
        raise ApiError(400, f"delay must be between 0 and {MAX_FAULT_DELAY} seconds.")
    return float(value)


def _headers(given: Any) -> dict[str, str]:
    if given is None:
        return {}
    if not isinstance(given, dict) or len(given) > 20:
        raise ApiError(400, "headers must be an object of at most 20 header names to values.")
    for name, value in given.items():
        if not _HEADER_NAME.fullmatch(name):
            raise ApiError(
                400, f"headers: {quoted(name)} is not a valid header name (letters, digits, -)."
            )
        if not isinstance(value, str | int | float) or not _HEADER_VALUE.fullmatch(str(value)):
            raise ApiError(
                400,
                f"headers: the value of {name} must be printable ASCII without line breaks "
                "(at most 1024 characters).",
            )
    return {name: str(value) for name, value in given.items()}


def parse_fault(body: dict[str, Any], *, form: bool = False) -> Fault:
    """The fault ``body`` defines (see docs/sandbox.md), or a 400 saying what is wrong.
    ``form``: the values are form fields (text); status, delay and drop are read from text."""
    if form:  # a blank field is one left out
        read = {name: _from_form(v) if name in _FORM_VALUES else v for name, v in body.items()}
        body = {name: value for name, value in read.items() if value not in ("", None)}
    method = body.get("method", "*")
    method = method.upper() if isinstance(method, str) else method
    if method not in METHODS:
        raise ApiError(400, f"method must be one of {', '.join(METHODS)}; got {quoted(method)}.")
    path = body.get("path")
    if not isinstance(path, str) or not path.startswith("/") or len(path) > 512:
        raise ApiError(
            400,
            'path is required, must start with "/" (at most 512 characters), e.g. "/v2/numbers/*".',
        )
    status = body.get("status")
    if status is not None and (
        not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599
    ):
        raise ApiError(400, f"status must be an HTTP status code from 100 to 599, got {status!r}.")
    when = body.get("when", "before")
    if when not in ("before", "after"):
        raise ApiError(
            400, 'when must be "before" (nothing happens) or "after" (change committed).'
        )
    delay = _delay(body.get("delay", 0))
    drop = body.get("drop", False)
    if not isinstance(drop, bool):
        raise ApiError(400, "drop must be true or false.")
    if status is None and not drop and not delay:
        raise ApiError(400, "A fault needs a status, drop: true, or a delay.")
    count = integer(body.get("count", 1), "count", minimum=1, default=1, maximum=MAX_FAULT_COUNT)
    return Fault(
        method=method,
        path=path.rstrip("/") or "/",
        count=count,
        status=status,
        delay=delay,
        drop=drop,
        when=when,
        headers=_headers(body.get("headers")),
    )
