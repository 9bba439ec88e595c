"""Saved credentials: ``flowroute configure`` writes a TOML profile file in the user's config
directory (``~/.config/flowroute/config.toml`` on Linux) readable only by its owner."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import typer

from .. import ConfigurationError

FIELDS = ("access_key", "secret_key", "base_url")


class ProfileError(ConfigurationError):
    """The profile file cannot be read; ``flowroute configure`` cannot help, it reads it too."""


def config_path() -> Path:
    """Where profiles live; ``FLOWROUTE_CONFIG`` overrides it (tests, several setups)."""
    override = os.environ.get("FLOWROUTE_CONFIG")
    return Path(override) if override else Path(typer.get_app_dir("flowroute")) / "config.toml"


def load_all(path: Path | None = None) -> dict[str, dict[str, str]]:
    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path} is not valid TOML ({exc}); fix or delete it") from None
    return {
        name: {k: str(v) for k, v in section.items() if k in FIELDS}
        for name, section in data.items()
        if isinstance(section, dict)
    }


def load(name: str) -> dict[str, str]:
    return load_all().get(name, {})


def require(name: str) -> dict[str, str]:
    """A profile that was asked for by name: missing is an error that says how to create it."""
    profiles = load_all()
    if name not in profiles:
        raise ProfileError(
            f"no profile {name!r} in {config_path()}; flowroute --profile {name} configure "
            "creates it"
        )
    return profiles[name]


def save(name: str, values: dict[str, str]) -> Path:
    """Replace profile ``name``; other profiles stay. Written to a 0600 temporary file first and
    renamed, so the secret is never readable by others, even briefly."""
    path = config_path()
    profiles = load_all(path)
    profiles[name] = {k: v for k, v in values.items() if k in FIELDS and v}
    lines: list[str] = []
    for section, fields in profiles.items():
        lines.append(f"[{json.dumps(section)}]")  # JSON strings are valid TOML basic strings
        lines += [f"{key} = {json.dumps(value)}" for key, value in fields.items()]
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    os.chmod(temporary, 0o600)  # O_CREAT's mode does not apply to a file that already existed
    temporary.replace(path)
    return path
