"""The sandbox's API reference as one self-contained HTML page, and the control API's index,
both read from its OpenAPI document.

FastAPI's Swagger UI loads its scripts and styles from a CDN, so offline it is a blank page.
This page has no script and fetches nothing (its only links are to the sandbox itself and to
anchors in the page), so it works on a machine without network and behind strict proxies.
Standard library only.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
CONTROL = "/_sandbox"
# What the page may load: nothing but its own inline style (sent as Content-Security-Policy).
POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1b1b1b}
code,pre{font:13px/1.4 ui-monospace,monospace}pre{background:#f5f5f5;padding:.6rem;
overflow:auto}h3{margin:1.6rem 0 .3rem}.method{display:inline-block;min-width:4.5rem;
font-weight:bold}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;
text-align:left;vertical-align:top}nav li{list-style:none}
"""


def _summary(operation: dict[str, Any]) -> str:
    """The operation's summary, else the first sentence of its description."""
    description = " ".join(str(operation.get("description") or "").split())
    first = description.split(". ")[0].rstrip(".")
    return first or str(operation.get("summary") or "")


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) for every operation, in the document's order."""
    return [
        (method.upper(), path, item[method])
        for path, item in document.get("paths", {}).items()
        for method in METHODS
        if method in item
    ]


def control_index(document: dict[str, Any]) -> list[dict[str, str]]:
    """The control API's endpoints: method, path and a one-line summary each."""
    return [
        {"method": method, "path": path, "summary": _summary(operation)}
        for method, path, operation in operations(document)
        if path == CONTROL or path.startswith(CONTROL + "/")
    ]


def _anchor(method: str, path: str) -> str:
    keep = "".join(c if c.isalnum() else "-" for c in path.strip("/"))
    return f"{method.lower()}-{keep}"


def _reference(schema: dict[str, Any]) -> str:
    """A schema: a link to a named one, else its JSON."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[1]
        return f'<a href="#schema-{escape(name)}"><code>{escape(name)}</code></a>'
    return f"<pre>{escape(json.dumps(schema, indent=2))}</pre>"


def _parameters(parameters: list[dict[str, Any]]) -> str:
    if not parameters:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(str(p.get('name')))}</code></td><td>{escape(str(p.get('in')))}"
        f"</td><td>{'required' if p.get('required') else ''}</td>"
        f"<td>{escape(str(p.get('description') or ''))}</td></tr>"
        for p in parameters
    )
    return f"<table><tr><th>parameter</th><th>in</th><th></th><th></th></tr>{rows}</table>"


def _operation(method: str, path: str, item: dict[str, Any], operation: dict[str, Any]) -> str:
    parts = [
        f'<h3 id="{_anchor(method, path)}"><span class="method">{method}</span>'
        f"<code>{escape(path)}</code></h3>",
        f"<p>{escape(str(operation.get('summary') or ''))}</p>",
    ]
    if operation.get("description"):
        parts.append(f"<p>{escape(str(operation['description']))}</p>")
    parts.append(_parameters([*item.get("parameters", []), *operation.get("parameters", [])]))
    for media, body in operation.get("requestBody", {}).get("content", {}).items():
        schema = body.get("schema") or {}
        parts.append(f"<p>Body ({escape(media)}): {_reference(schema)}</p>")
    answers = "".join(
        f"<li><code>{escape(code)}</code> {escape(str(answer.get('description') or ''))}</li>"
        for code, answer in operation.get("responses", {}).items()
    )
    parts.append(f"<ul>{answers}</ul>" if answers else "")
    return "\n".join(part for part in parts if part)


def render(document: dict[str, Any]) -> str:
    """The whole reference: control API first, then the Flowroute API by tag, then schemas."""
    info = document.get("info", {})
    title = escape(str(info.get("title") or "API"))
    groups: dict[str, list[str]] = {}
    contents: dict[str, list[str]] = {}
    for method, path, operation in operations(document):
        control = path == CONTROL or path.startswith(CONTROL + "/")
        group = "Control API" if control else str((operation.get("tags") or ["Other"])[0])
        item = document["paths"][path]
        groups.setdefault(group, []).append(_operation(method, path, item, operation))
        contents.setdefault(group, []).append(
            f'<li><a href="#{_anchor(method, path)}"><code>{method} {escape(path)}</code></a></li>'
        )
    schemas = document.get("components", {}).get("schemas", {})
    nav = "".join(
        f"<li>{escape(group)}<ul>{''.join(items)}</ul></li>" for group, items in contents.items()
    )
    sections = "".join(
        f"<h2>{escape(group)}</h2>\n" + "\n".join(items) for group, items in groups.items()
    )
    schema_section = "".join(
        f'<h3 id="schema-{escape(name)}"><code>{escape(name)}</code></h3>'
        f"<pre>{escape(json.dumps(schema, indent=2))}</pre>"
        for name, schema in schemas.items()
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_STYLE}</style></head><body>\n"
        f"<h1>{title}</h1><p>{escape(str(info.get('description') or ''))}</p>\n"
        f'<p>Machine-readable: <a href="{CONTROL}/openapi.json">{CONTROL}/openapi.json</a>; '
        f'the control API\'s index: <a href="{CONTROL}/">{CONTROL}/</a>; '
        f'health: <a href="{CONTROL}/health">{CONTROL}/health</a>.</p>\n'
        f"<nav><ul>{nav}</ul></nav>\n{sections}\n<h2>Schemas</h2>\n{schema_section}\n"
        "</body></html>\n"
    )
