"""The Makefile checks the Python it is given and remakes a .venv made by another one.

Each test runs the real Makefile in a temporary folder with a stand-in ``python`` (a shell
script), so nothing is installed and nothing leaves the machine.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

MAKEFILE = Path(__file__).parent.parent / "Makefile"

# Answers the Makefile's version question with $VERSION; `-m venv DIR` makes a venv whose python
# is this script again, so the install step that follows does nothing.
FAKE_PYTHON = """#!/bin/sh
case "$1" in
  -c) echo {version} ;;
  -m) if [ "$2" = venv ]; then
        mkdir -p "$3/bin" && echo 'version = {version}' > "$3/pyvenv.cfg" && cp "$0" "$3/bin/python"
      fi ;;
esac
"""


def project(tmp_path: Path, version: str) -> Path:
    assert shutil.which("make"), "make is needed: the project's two commands run through it"
    shutil.copy(MAKEFILE, tmp_path / "Makefile")
    for name in ("pyproject.toml", "constraints.txt", "requirements-dev.txt"):
        (tmp_path / name).touch()
    fake = tmp_path / "fake-python"
    fake.write_text(FAKE_PYTHON.format(version=version))
    fake.chmod(0o755)
    return tmp_path


def make(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: PLW1510 - the exit code is asserted
        ["make", "--no-print-directory", "PYTHON=./fake-python", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("target", ["demo", "test"])
def test_an_old_python_is_one_line_naming_the_fix(tmp_path: Path, target: str) -> None:
    folder = project(tmp_path, "3.10.4")
    result = make(folder, target)
    assert result.returncode != 0
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "Python 3.11+ needed, found 3.10; run with PYTHON=python3.11" in line
    assert not (folder / ".venv").exists()


def test_a_missing_python_is_one_line(tmp_path: Path) -> None:
    folder = project(tmp_path, "3.12.1")
    result = make(folder, "test", "PYTHON=./no-such-python")
    assert result.returncode != 0
    [line] = result.stderr.splitlines()
    assert "Python 3.11+ needed, found none at './no-such-python'" in line


def test_a_venv_of_another_python_is_made_again(tmp_path: Path) -> None:
    folder = project(tmp_path, "3.12.1")
    venv = folder / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.7\n")
    (venv / "left-by-3.11").touch()
    (venv / ".installed").touch()  # newer than pyproject.toml: up to date but for the version

    result = make(folder, ".venv/.installed")
    assert result.returncode == 0, result.stderr
    assert "rebuilding .venv: it was made by Python 3.11.7" in result.stdout
    assert not (venv / "left-by-3.11").exists()
    assert "version = 3.12.1" in (venv / "pyvenv.cfg").read_text()

    again = make(folder, ".venv/.installed")
    assert again.returncode == 0 and "is up to date" in again.stdout
