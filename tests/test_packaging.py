"""Import weight and the shipped entry points."""

from __future__ import annotations

import email
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

import flowroute

# asyncio too: it costs ~10 ms of a cold start, and a sync program never needs it.
HEAVY = ("fastapi", "sqlalchemy", "typer", "rich", "uvicorn", "starlette", "pydantic", "asyncio")


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


ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: setuptools and build are pinned dev tools, so no network is needed.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--sdist",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    [archive] = out.glob("*.tar.gz")
    return archive


def sdist_files(archive: Path) -> set[str]:
    with tarfile.open(archive) as tar:
        return {name.partition("/")[2] for name in tar.getnames()}


def test_sdist_carries_every_test_and_what_the_tests_read(sdist: Path) -> None:
    files = sdist_files(sdist)
    tests = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert tests - files == set()
    examples = {str(p.relative_to(ROOT)) for p in (ROOT / "examples").glob("*.py")}
    docs = {str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md")}
    assert (examples | docs) - files == set()
    assert {"LICENSE", "README.md", "Makefile", "constraints.txt", "requirements-dev.txt"} <= files
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in files)


def test_sdist_metadata_is_ready_to_publish(sdist: Path) -> None:
    with tarfile.open(sdist) as tar:
        member = tar.extractfile(f"{sdist.name.removesuffix('.tar.gz')}/PKG-INFO")
        assert member is not None
        metadata = email.message_from_bytes(member.read())
    assert metadata["Name"] == "flowroute-sdk"
    assert metadata["Version"] == flowroute.__version__  # single-sourced
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert sorted(metadata.get_all("Provides-Extra") or []) == ["cli", "postgres", "sandbox"]
    assert any(url.startswith("Source, https://") for url in metadata.get_all("Project-URL") or [])
    assert "Typing :: Typed" in (metadata.get_all("Classifier") or [])
    assert metadata["Author"] or metadata["Author-email"]


def test_wheel_built_from_the_sdist_holds_the_package_only(sdist: Path, tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path),
            str(sdist),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    [wheel] = tmp_path.glob("flowroute_sdk-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = archive.read(
            f"flowroute_sdk-{flowroute.__version__}.dist-info/entry_points.txt"
        )
    assert "flowroute/py.typed" in names and "flowroute/cli/__init__.py" in names
    assert f"flowroute_sdk-{flowroute.__version__}.dist-info/licenses/LICENSE" in names
    assert not any(name.startswith(("tests/", "examples/", "docs/")) for name in names)
    assert b"flowroute = flowroute.cli:main" in entry_points


def _git_repository(tmp_path: Path) -> Path:
    """This checkout, or (run from an unpacked sdist, which has no .git) a repository made of
    this tree's files."""
    if (ROOT / ".git").exists():
        return ROOT
    repository = tmp_path / "repository"
    shutil.copytree(ROOT, repository, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
    commit = ["git", "-C", str(repository)]
    subprocess.run([*commit, "init", "-q"], check=True)
    subprocess.run([*commit, "add", "-A"], check=True)
    identity = ["-c", "user.name=tests", "-c", "user.email=tests@localhost"]
    subprocess.run([*commit, *identity, "commit", "-qm", "snapshot"], check=True)
    return repository


def test_git_url_install_resolves_to_this_package(tmp_path: Path) -> None:
    """README's `pip install 'flowroute-sdk[cli,sandbox] @ git+https://...'`, with this checkout
    as the remote (pip clones it, builds the metadata, installs nothing)."""
    assert shutil.which("git"), "git is needed to install from a git URL"
    report = tmp_path / "report.json"
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--no-deps"),
            *("--no-build-isolation", "--report", str(report)),
            f"flowroute-sdk[cli,sandbox] @ git+file://localhost{_git_repository(tmp_path)}",
        ],
        capture_output=True,
        check=True,
        timeout=120,
        cwd=tmp_path,
    )
    [item] = json.loads(report.read_text())["install"]
    assert (item["metadata"]["name"], item["metadata"]["version"]) == (
        "flowroute-sdk",
        flowroute.__version__,
    )
    assert item["requested_extras"] == ["cli", "sandbox"]
    assert item["download_info"]["vcs_info"]["vcs"] == "git"


def test_readme_git_url_is_the_project_source() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    readme = (ROOT / "README.md").read_text()
    [url] = re.findall(r"@ git\+(https://\S+?)'", readme)
    assert url == project["urls"]["Source"] + ".git"
    assert "not on PyPI yet" in readme
