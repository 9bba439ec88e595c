"""The ``flowroute`` logger sent to stderr (``FLOWROUTE_LOG``, the CLI's ``--debug``)."""

from __future__ import annotations

import logging
import sys
from typing import TextIO


class _CurrentStderr(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is when a record is emitted: a CLI runner or a test
    may swap (and close) the stream it had when the handler was added."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def log_to_stderr(level: int, fmt: str, *, tag: str) -> None:
    """Send the ``flowroute`` logger to stderr at ``level``; once per ``tag``."""
    logger = logging.getLogger("flowroute")
    if not any(getattr(h, "_flowroute_tag", None) == tag for h in logger.handlers):
        handler = _CurrentStderr(sys.stderr)
        handler.setFormatter(logging.Formatter(fmt))
        handler._flowroute_tag = tag  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level)
