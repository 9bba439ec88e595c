"""Import weight and the shipped entry points."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import flowroute

HEAVY = ("fastapi", "sqlalchemy", "typer", "rich", "uvicorn", "starlette", "pydantic")


def test_import_flowroute_is_light() -> None:
    code = (
        "import sys, flowroute; flowroute.Flowroute(access_key='k', secret_key='s'); "
        "flowroute.AsyncFlowroute(access_key='k', secret_key='s'); "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_py_typed_is_shipped() -> None:
    assert (Path(flowroute.__file__).parent / "py.typed").exists()
