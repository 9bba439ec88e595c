"""The sandbox's layers point one way: api, control and the middleware call the backend, the
backend reads and writes the store and renders webhooks with the wire layer, and nothing
imports upward or in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import flowroute.sandbox

ROOT = Path(flowroute.sandbox.__file__).parent
PACKAGE = "flowroute.sandbox"
# Lower layers never import higher ones. Within one layer, only a package's own modules may
# import each other (api -> api, backend -> backend).
LAYERS: dict[str, int] = {
    "errors": 0,
    "records": 0,
    "settings": 0,
    "clock": 0,
    "passwords": 0,
    "inventory": 0,
    "cdrs": 0,
    "ratelimit": 0,
    "faults": 0,
    "remote": 0,
    "fresh": 1,
    "receiver": 0,
    "logs": 0,
    "limits": 1,
    "openapi": 1,
    "docs_page": 1,
    "store": 1,
    "wire": 2,
    "outbound": 1,
    "dispatcher": 2,
    "banner": 2,
    "backend": 3,
    "state": 4,
    "web": 5,
    "api": 6,
    "control": 6,
    "middleware": 6,
    "exposure": 6,
    "request_log": 6,
    "discovery": 6,
    "inbox": 6,
    "app": 7,
    "server": 8,
    "pytest_plugin": 9,
    "__main__": 9,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([PACKAGE, *parts])


def _imports(path: Path) -> set[str]:
    """Sandbox modules imported at module level (lazy imports inside functions excluded)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            candidates = [f"{target}.{alias.name}" for alias in node.names] + [target]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        for candidate in candidates:
            if candidate.startswith(PACKAGE + ".") and _exists(candidate):
                found.add(candidate)
                break
    return found


def _exists(module: str) -> bool:
    relative = Path(*module.removeprefix(PACKAGE + ".").split("."))
    return (ROOT / relative).with_suffix(".py").exists() or (
        ROOT / relative / "__init__.py"
    ).exists()


def _graph() -> dict[str, set[str]]:
    return {
        _module_name(path): _imports(path)
        for path in ROOT.rglob("*.py")
        if "migrations" not in path.parts and path != ROOT / "__init__.py"
    }


def _layer(module: str) -> tuple[str, int]:
    top = module.removeprefix(PACKAGE + ".").split(".")[0]
    return top, LAYERS[top]


def test_every_module_has_a_layer() -> None:
    assert sorted({_layer(module)[0] for module in _graph()}) == sorted(
        name for name in LAYERS if any(m.startswith(f"{PACKAGE}.{name}") for m in _graph())
    )


def test_no_module_imports_upward() -> None:
    upward = []
    for module, imported in _graph().items():
        top, rank = _layer(module)
        for target in imported:
            other, other_rank = _layer(target)
            if other_rank > rank or (other_rank == rank and other != top):
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_no_import_cycles() -> None:
    graph = _graph()
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            raise AssertionError(" -> ".join([*trail[trail.index(module) :], module]))
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            visit(target, [*trail, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
