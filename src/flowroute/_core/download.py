"""Streaming a gzip download to disk: atomic rename, integrity check, progress. No I/O loop
is repeated between sync and async beyond reading chunks; the bookkeeping lives here."""

from __future__ import annotations

import os
import tempfile
import zlib
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import httpx2

from .call import Download
from .errors import APIConnectionError, APIError


class Receiving:
    """Where downloaded bytes go, with a gzip check as they pass."""

    def __init__(self, step: Download) -> None:
        self.step = step
        self.done = 0
        self._check = zlib.decompressobj(31)
        self._temp: str | None = None
        self._own: IO[bytes] | None = None
        if isinstance(step.sink, str | os.PathLike):
            target = Path(step.sink)
            fd, self._temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
            self._own = os.fdopen(fd, "wb")
            self.out: IO[bytes] = self._own
        else:
            self.out = step.sink

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Any failure abandons the file; a transport failure becomes an APIConnectionError."""
        if exc is None:
            return
        self.abandon()
        if isinstance(exc, httpx2.TransportError):
            raise APIConnectionError(
                f"download failed: {exc} ({self.step.url.split('?')[0]})", request=None
            ) from exc

    def start(self, total: int | None) -> None:
        self.total = total
        if self.step.progress:
            self.step.progress(0, total)

    def write(self, chunk: bytes) -> None:
        try:
            self._check.decompress(chunk, 0)  # verify only; the output is discarded in pieces
        except zlib.error as exc:
            raise APIError(
                f"download of {self.step.url.split('?')[0]} is not a valid gzip file ({exc})",
                request=None,
            ) from None
        self.out.write(chunk)
        self.done += len(chunk)
        if self.step.progress:
            self.step.progress(self.done, self.total)

    def finish(self) -> int:
        if not self._check.eof:
            raise APIConnectionError(
                f"download of {self.step.url.split('?')[0]} ended early: "
                "the gzip file is incomplete",
                request=None,
            )
        if self._own is not None and self._temp is not None:
            self._own.close()
            os.replace(self._temp, self.step.sink)
            self._temp = None
        return self.done

    def abandon(self) -> None:
        """Failure: never leave a partial file at the destination."""
        if self._own is not None:
            self._own.close()
        if self._temp is not None:
            Path(self._temp).unlink(missing_ok=True)


def content_length(headers: Any) -> int | None:
    value = headers.get("content-length")
    return int(value) if value and value.isdigit() else None
