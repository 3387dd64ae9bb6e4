"""Writing files so that a crash, a full disk or a second process never leaves half a file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from llmdive.errors import LlmdiveError


def atomic_write(path: Path, data: str | bytes, durable: bool = True) -> None:
    """Write to a temp file beside `path`, flush and fsync it, then os.replace it into place.

    Until the final rename the old file is untouched; if anything fails the temp file is
    removed and the old file stays as it was. `durable=False` skips the fsync, for
    disposable files such as caches.
    """
    payload = data.encode() if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise LlmdiveError(f"cannot write in {path.parent}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise LlmdiveError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise
