"""The home's lock (home/lock.py): flock(2) taken directly, excluding filelock's lock too.

An llmdive that still takes the lock through filelock (or a script that does) and this
one must never both hold it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from llmdive.errors import LlmdiveError
from llmdive.home.lock import locked
from llmdive.home.paths import LOCK_FILE
from tests.helpers import subprocess_env

HOLD_WITH_FILELOCK = """
import sys, time
from filelock import FileLock
with FileLock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_lock_filelock_holds_keeps_llmdive_out_until_released(home: Path) -> None:
    with locked(home):
        pass  # the lock file exists, as in any home written to
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WITH_FILELOCK, str(home / LOCK_FILE)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        held = pytest.raises(LlmdiveError, match="is held by another llmdive for over 0.2s")
        with held, locked(home, timeout=0.2):
            pass
    finally:
        holder.communicate("", timeout=30)
    with locked(home, timeout=5):
        pass  # released: taken at once


def test_filelock_cannot_take_the_lock_llmdive_holds(home: Path) -> None:
    from filelock import Timeout

    with locked(home), pytest.raises(Timeout):
        FileLock(str(home / LOCK_FILE), timeout=0.2).acquire()
    lock = FileLock(str(home / LOCK_FILE), timeout=5)
    lock.acquire()
    lock.release()


def test_the_lock_file_is_private_and_never_followed_through_a_link(home: Path) -> None:
    with locked(home):
        pass
    assert (home / LOCK_FILE).stat().st_mode & 0o777 == 0o600
    (home / LOCK_FILE).unlink()
    elsewhere = home.parent / "elsewhere"
    (home / LOCK_FILE).symlink_to(elsewhere)
    with pytest.raises(LlmdiveError, match=f"cannot lock {home / LOCK_FILE}: "), locked(home):
        pass
    assert not elsewhere.exists()
