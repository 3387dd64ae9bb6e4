"""The lock on the llmdive home: every read-modify-write of its files takes it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from llmdive.errors import LlmdiveError
from llmdive.home.paths import LOCK_FILE
from llmdive.home.storage import PRIVATE, make_home, recover

__all__ = ["LOCK_FILE", "LOCK_TIMEOUT_S", "locked"]

LOCK_TIMEOUT_S = 15.0


@contextmanager
def locked(home: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the lock on the llmdive home: every read-modify-write of its files takes it.

    Taking it first finishes any multi-file change a killed llmdive left half applied.
    """
    from filelock import FileLock, Timeout  # start-up: only commands that write take the lock

    path = home / LOCK_FILE
    try:
        make_home(home)
    except OSError as exc:
        raise LlmdiveError(f"cannot write in {home}: {exc.strerror or exc}") from exc
    lock = FileLock(str(path), timeout=timeout, mode=PRIVATE)
    try:
        lock.acquire()
    except Timeout:
        raise LlmdiveError(
            f"{path} is held by another llmdive for over {timeout:g}s; try again"
        ) from None
    except OSError as exc:
        raise LlmdiveError(f"cannot lock {path}: {exc.strerror or exc}") from exc
    try:
        recover(home)
        yield
    finally:
        lock.release()
