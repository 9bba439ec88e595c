"""The one-line hint shown when an optional part of the package is used without its extra.

Standard library only: it runs exactly when the extra's dependencies are missing.
"""

from __future__ import annotations

import sys
from typing import NoReturn

DISTRIBUTION = "flowroute-sdk"


def missing_extra_message(*, what: str, extra: str, error: ModuleNotFoundError) -> str:
    """``what`` needs ``flowroute-sdk[extra]``, in one line with the command that installs it."""
    module = error.name or "a dependency"
    return (
        f"{what} needs the {extra} extra ({module} is not installed): "
        f"pip install '{DISTRIBUTION}[{extra}]'"
    )


def exit_missing_extra(*, what: str, extra: str, error: ModuleNotFoundError) -> NoReturn:
    """Print the hint on stderr and exit with status 2 (a usage problem, not a crash)."""
    print(missing_extra_message(what=what, extra=extra, error=error), file=sys.stderr)
    raise SystemExit(2)
