"""Regenerate the inbox screenshots in docs/images (inbox-*.png) from the browser tests.

    .venv/bin/python scripts/inbox_screenshots.py

Runs tests/inbox with FLOWROUTE_INBOX_SCREENSHOTS pointing at docs/images: the tests save a
screenshot of what they have just checked (see ``shot`` in tests/inbox/conftest.py), so the
pictures in the docs always show a page that passed its test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"


def main() -> int:
    IMAGES.mkdir(parents=True, exist_ok=True)
    for old in IMAGES.glob("inbox-*.png"):
        old.unlink()
    environment = {**os.environ, "FLOWROUTE_INBOX_SCREENSHOTS": str(IMAGES)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/inbox", "-q", "-p", "no:randomly"],
        cwd=ROOT,
        env=environment,
        check=False,
    )
    made = sorted(path.name for path in IMAGES.glob("inbox-*.png"))
    print(f"{len(made)} screenshots in {IMAGES.relative_to(ROOT)}: {', '.join(made)}")
    return done.returncode or (0 if made else 1)


if __name__ == "__main__":
    sys.exit(main())
