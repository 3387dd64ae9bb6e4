"""The lock on the llmdive home: every read-modify-write of its files takes it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
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
    path = home / LOCK_FILE
    try:
        make_home(home)
    except OSError as exc:
        raise LlmdiveError(f"cannot write in {home}: {exc.strerror or exc}") from exc
    release = _acquire(path, timeout)
    try:
        recover(home)
        yield
    finally:
        release()


def _acquire(path: Path, timeout: float) -> Callable[[], None]:
    """flock(2) on the lock file, as filelock takes it on POSIX (so the two exclude each
    other); filelock itself where there is no flock (Windows, some network mounts).

    start-up: importing filelock 4 costs more than the rest of `mark-read`'s own imports
    (inspect, decimal, logging, ...), so it is loaded only where it is needed."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        return _filelock(path, timeout)
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, PRIVATE)
    except OSError as exc:
        raise LlmdiveError(f"cannot lock {path}: {exc.strerror or exc}") from exc
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise _held(path, timeout) from None
            time.sleep(0.05)
        except OSError:  # no flock on this file system: filelock has ways around that
            os.close(fd)
            return _filelock(path, timeout)

    def release() -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    return release


def _filelock(path: Path, timeout: float) -> Callable[[], None]:
    from filelock import FileLock, Timeout  # start-up: see _acquire

    lock = FileLock(str(path), timeout=timeout, mode=PRIVATE)
    try:
        lock.acquire()
    except Timeout:
        raise _held(path, timeout) from None
    except OSError as exc:
        raise LlmdiveError(f"cannot lock {path}: {exc.strerror or exc}") from exc
    return lock.release


def _held(path: Path, timeout: float) -> LlmdiveError:
    return LlmdiveError(f"{path} is held by another llmdive for over {timeout:g}s; try again")
