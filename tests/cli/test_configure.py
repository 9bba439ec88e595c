"""``flowroute configure``: a 0600 profile that later commands use without flags."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from flowroute.sandbox.server import SandboxServer

from ..support import invoke


def test_profile_is_private_and_used(isolated: Path, flowroute_sandbox: SandboxServer) -> None:
    number = flowroute_sandbox.seed_numbers(1)[0]
    secret = flowroute_sandbox.secret_key
    answers = f"{flowroute_sandbox.access_key}\n{secret}\n"
    code, out, _ = invoke("configure", "--base-url", flowroute_sandbox.base_url, input=answers)
    assert code == 0 and f"to {isolated}" in out
    assert secret not in out  # typed hidden, never echoed
    assert stat.S_IMODE(isolated.stat().st_mode) == 0o600
    assert f'secret_key = "{secret}"' in isolated.read_text()

    code, out, _ = invoke("numbers", "list", "--json")  # no flags, no environment
    assert code == 0 and [n["id"] for n in json.loads(out)] == [number]


def test_named_profiles_sit_side_by_side(isolated: Path, flowroute_sandbox: SandboxServer) -> None:
    url = flowroute_sandbox.base_url
    flags = ["--access-key", "a", "--secret-key", "s", "--base-url", url]
    assert invoke("configure", *flags).code == 0
    assert invoke("--profile", "work", "configure", *flags[:2], "--secret-key", "w").code == 0
    text = isolated.read_text()
    assert '["default"]' in text and '["work"]' in text and 'secret_key = "w"' in text


def test_no_credentials_says_how_to_fix(flowroute_sandbox: SandboxServer) -> None:
    code, out, err = invoke("--base-url", flowroute_sandbox.base_url, "numbers", "list")
    assert code == 3
    assert "FLOWROUTE_ACCESS_KEY" in err and "flowroute configure" in err
    assert "Traceback" not in out + err


def test_a_broken_profile_is_one_line(isolated: Path) -> None:
    isolated.parent.mkdir(parents=True)
    isolated.write_text("[default\n")
    code, _, err = invoke("numbers", "list")
    assert code == 3 and "is not valid TOML" in err
    assert "configure" not in err  # configure reads the same file: fixing it is the way out
    code, _, err = invoke("configure", "--access-key", "k", "--secret-key", "s")
    assert code == 3 and "is not valid TOML" in err and "Traceback" not in err
