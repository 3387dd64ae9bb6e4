"""The one door for files: all-or-nothing commits, crash recovery, and files as people keep them."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from llmdive.errors import LlmdiveError
from llmdive.home import storage
from llmdive.home.lock import locked
from llmdive.home.paths import JOURNAL, LOCK_FILE
from tests.helpers import Invoke, failing_at, subprocess_env

OLD = {"guide.toml": b"old guide\n", "guide-meta.json": b'{"old": 1}\n', "gone.txt": b"bye\n"}
NEW: dict[str, bytes | None] = {
    "guide.toml": b"new guide, longer than the old one\n",
    "guide-meta.json": b'{"new": 2}\n',
    "gone.txt": None,
    "fresh.txt": b"a new file\n",
}
NAMES = sorted(set(OLD) | set(NEW))


def seed(home: Path) -> None:
    storage.make_home(home)
    for name, data in OLD.items():
        (home / name).write_bytes(data)


def view(home: Path) -> dict[str, bytes | None]:
    """The files as a reader sees them (through any unfinished commit)."""
    out: dict[str, bytes | None] = {}
    for name in NAMES:
        try:
            out[name] = storage.read_bytes(home / name)
        except FileNotFoundError:
            out[name] = None
    return out


def on_disk(home: Path) -> dict[str, bytes | None]:
    return {n: (home / n).read_bytes() if (home / n).exists() else None for n in NAMES}


OLD_STATE: dict[str, bytes | None] = {n: OLD.get(n) for n in NAMES}
NEW_STATE: dict[str, bytes | None] = {n: NEW.get(n, OLD.get(n)) for n in NAMES}


def leftovers(home: Path) -> list[str]:
    return sorted(p.name for p in home.iterdir() if p.name.startswith("."))


def commit(home: Path) -> None:
    storage.write_all({home / name: data for name, data in NEW.items()})


def test_write_all_replaces_and_deletes_together(home: Path) -> None:
    seed(home)
    commit(home)
    assert on_disk(home) == NEW_STATE
    assert leftovers(home) == []
    assert stat.S_IMODE((home / "fresh.txt").stat().st_mode) == 0o600


def test_write_all_takes_one_folder_only(home: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="more than one folder"):
        storage.write_all({home / "a": b"1", tmp_path / "b": b"2"})


# ---------------------------------------------------------------- failing at every step


@pytest.mark.parametrize(
    "fail",
    [lambda: OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt],
    ids=["disk-full", "interrupted"],
)
def test_failing_at_any_step_leaves_the_whole_old_or_the_whole_new_state(
    home: Path, monkeypatch: pytest.MonkeyPatch, fail: Callable[[], BaseException]
) -> None:
    outcomes = set()
    n = 1
    while True:
        seed(home)
        for p in home.iterdir():
            if p.name not in OLD:
                p.unlink()
        with monkeypatch.context() as m:
            seen = failing_at(m, n, fail)
            try:
                commit(home)
                finished = True
            except (LlmdiveError, KeyboardInterrupt):
                finished = False
        if finished and len(seen) < n:
            break  # every step has been failed once
        seen_by_reader = view(home)
        assert seen_by_reader in (OLD_STATE, NEW_STATE), f"step {n} ({seen[-1]})"
        with locked(home):  # the next command: finishes or drops the interrupted commit
            pass
        assert on_disk(home) == seen_by_reader, f"step {n} ({seen[-1]})"
        assert leftovers(home) == [] or all(
            time.time() - (home / name).stat().st_mtime < storage.STALE_TEMP_S
            for name in leftovers(home)
        )
        outcomes.add("new" if seen_by_reader == NEW_STATE else "old")
        # A rerun of the change applies it whole.
        commit(home)
        assert on_disk(home) == NEW_STATE
        n += 1
    assert outcomes == {"old", "new"}
    assert n > 12  # 4 files staged, the journal, 4 renames and unlinks: each one failed


KILLER = """
import os, signal, sys
from pathlib import Path
from llmdive.home import storage
home, n = Path(sys.argv[1]), int(sys.argv[2])
count = 0
for name in ("write", "fsync", "replace", "unlink"):
    real = getattr(os, name)
    def step(*args, _real=real):
        global count
        count += 1
        if count == n:
            os.kill(os.getpid(), signal.SIGKILL)
        return _real(*args)
    setattr(os, name, step)
changes = {home / k: (v.encode() if v is not None else None) for k, v in
           __import__("json").loads(sys.argv[3]).items()}
storage.write_all(changes)
"""


@pytest.mark.stress
def test_sigkill_at_every_step_then_the_next_command_recovers(home: Path) -> None:
    spec = json.dumps({k: v.decode() if v is not None else None for k, v in NEW.items()})
    outcomes = []
    for n in range(1, 60):
        seed(home)
        for p in home.iterdir():
            if p.name not in OLD and p.name != LOCK_FILE:
                p.unlink()
        proc = subprocess.run(
            [sys.executable, "-c", KILLER, str(home), str(n), spec],
            env=subprocess_env(),
            capture_output=True,
            timeout=60,
        )
        if proc.returncode == 0:
            break
        assert proc.returncode == -9, proc.stderr.decode()
        seen_by_reader = view(home)
        assert seen_by_reader in (OLD_STATE, NEW_STATE), f"killed at step {n}"
        with locked(home):
            pass
        assert on_disk(home) == seen_by_reader, f"killed at step {n}"
        outcomes.append("new" if seen_by_reader == NEW_STATE else "old")
    else:
        pytest.fail("the commit never finished")
    assert "old" in outcomes and "new" in outcomes


def test_a_reader_sees_the_new_state_while_a_commit_is_being_finished(home: Path) -> None:
    seed(home)
    # What a killed writer leaves right after its commit point: a journal, staged files.
    staged = []
    for name, data in NEW.items():
        tmp = None
        if data is not None:
            tmp = str(home / f".{name}.llmdive-x.tmp")
            Path(tmp).write_bytes(data)
        staged.append({"path": str(home / name), "real": str(home / name), "temp": tmp})
    (home / JOURNAL).write_text(json.dumps({"version": 1, "changes": staged}))
    assert view(home) == NEW_STATE
    assert storage.exists(home / "fresh.txt") and not storage.exists(home / "gone.txt")
    assert on_disk(home) == OLD_STATE
    with locked(home):
        assert on_disk(home) == NEW_STATE
    assert leftovers(home) == []


def test_an_unreadable_journal_is_named_and_kept(home: Path) -> None:
    seed(home)
    (home / JOURNAL).write_text("{not json")
    journal = home / JOURNAL
    with pytest.raises(LlmdiveError, match=f"{journal}: an unfinished change"), locked(home):
        pass
    assert (home / JOURNAL).read_text() == "{not json"
    assert on_disk(home) == OLD_STATE


# ---------------------------------------------------------------- files as people keep them


def test_a_symlinked_file_is_written_through_to_its_target(home: Path, tmp_path: Path) -> None:
    synced = tmp_path / "dotfiles"
    synced.mkdir()
    target = synced / "progress.json"
    target.write_text("old")
    storage.make_home(home)
    (home / "progress.json").symlink_to(target)
    storage.atomic_write(home / "progress.json", "new")
    assert (home / "progress.json").is_symlink()
    assert target.read_text() == "new"
    (home / "personal.json").symlink_to(synced / "personal.json")  # dangling until written
    storage.write_all({home / "personal.json": b"mine", home / "guide.toml": b"g"})
    assert (home / "personal.json").is_symlink()
    assert (synced / "personal.json").read_bytes() == b"mine"
    assert [p.name for p in synced.iterdir() if p.name.startswith(".")] == []


def test_a_read_only_file_is_refused_not_replaced(home: Path) -> None:
    storage.make_home(home)
    path = home / "progress.json"
    path.write_text("mine")
    path.chmod(0o444)
    with pytest.raises(LlmdiveError, match=f"^{path} is read-only: llmdive has left it as it is"):
        storage.atomic_write(path, "new")
    with pytest.raises(LlmdiveError, match="read-only"):
        storage.write_all({path: b"new", home / "other": b"x"})
    assert path.read_text() == "mine"
    assert sorted(p.name for p in home.iterdir()) == ["progress.json"]


def test_home_is_private_and_so_is_every_file_in_it(home: Path) -> None:
    with locked(home):
        storage.atomic_write(home / "progress.json", "{}")
        storage.write_all({home / "guide.toml": b"g", home / "guide-meta.json": b"m"})
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in home.iterdir()}
    assert modes == {
        LOCK_FILE: 0o600,
        "progress.json": 0o600,
        "guide.toml": 0o600,
        "guide-meta.json": 0o600,
    }


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    out = tmp_path / "guide.toml"
    out.write_text("old")
    out.chmod(0o640)
    storage.write_output(out, "new", home=tmp_path / "home")
    assert out.read_text() == "new"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_a_new_output_file_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        storage.write_output(tmp_path / "out.md", "x", home=tmp_path / "home")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.md").stat().st_mode) == 0o640


def test_output_to_a_pipe_nobody_reads_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(LlmdiveError, match=f"cannot write {fifo}: no process is reading"):
        storage.write_output(fifo, "x", home=tmp_path / "home")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_output_to_a_pipe_with_a_reader_is_written(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    ready = threading.Event()

    def read() -> None:
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # opens at once, writer or not
        ready.set()
        data = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                chunk = os.read(fd, 1024)
            except BlockingIOError:  # a writer is there, its bytes are not yet
                chunk = None
            if chunk:
                data += chunk
            elif chunk == b"" and data:
                break  # the writer has closed
            else:
                time.sleep(0.01)
        os.close(fd)
        got.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert ready.wait(10)
    storage.write_output(fifo, "through the pipe", home=tmp_path / "home")
    reader.join(10)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_output_to_a_device_is_written_and_the_device_kept() -> None:
    storage.write_output(Path(os.devnull), "discarded", home=None)
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_output_to_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LlmdiveError, match="is a folder"):
        storage.write_output(tmp_path, "x", home=tmp_path / "home")


def test_a_killed_writers_temp_files_are_cleaned_up_by_a_later_write(home: Path) -> None:
    storage.make_home(home)
    stale = home / ".progress.json.llmdive-abc123.tmp"
    stale.write_text("half a file")
    old = time.time() - 2 * storage.STALE_TEMP_S
    os.utime(stale, (old, old))
    young = home / ".progress.json.llmdive-def456.tmp"  # maybe another writer's, in progress
    young.write_text("being written")
    foreign = home / ".notes.tmp"  # not llmdive's
    foreign.write_text("someone else's")
    os.utime(foreign, (old, old))
    with locked(home):
        storage.atomic_write(home / "progress.json", "{}")
    assert not stale.exists()
    assert young.exists() and foreign.exists()


def test_the_folder_is_fsynced_after_each_replace(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage.make_home(home)
    events: list[str] = []
    real_replace, real_fsync = os.replace, os.fsync

    def replace(src: str, dst: str) -> None:
        events.append(f"replace {Path(dst).name}")
        real_replace(src, dst)

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            events.append("fsync folder")
        real_fsync(fd)

    monkeypatch.setattr("llmdive.home.storage.os.replace", replace)
    monkeypatch.setattr("llmdive.home.storage.os.fsync", fsync)
    storage.atomic_write(home / "progress.json", "{}")
    assert events == ["replace progress.json", "fsync folder"]


def test_an_error_about_the_lock_names_the_lock_file(home: Path) -> None:
    storage.make_home(home)
    (home / LOCK_FILE).mkdir()  # something that cannot be a lock file
    with pytest.raises(LlmdiveError, match=f"cannot lock {home / LOCK_FILE}: "), locked(home):
        pass


# ---------------------------------------------------------------- stress: kills and crowds


def write_forever(home: Path, n: int) -> None:
    """What the killed writer does: commit generation after generation of a.txt and b.txt."""
    while True:
        n += 1
        big = (f"{n}\n" * 20000).encode()  # long enough to be killed while writing it
        with locked(home):
            storage.write_all({home / "a.txt": big, home / "b.txt": f"{n}\n".encode()})
            storage.atomic_write(home / "c.txt", f"{n}\n")


def generation(pair: dict[Path, bytes | None]) -> int:
    a, b = pair.values()
    assert a is not None and b is not None
    first = a.split(b"\n", 1)[0]
    assert a == (first + b"\n") * 20000, "a.txt is not one whole version"
    assert b == first + b"\n", "a.txt and b.txt are from different commits"
    return int(first)


def one_version(data: bytes, lines: int) -> int:
    """The version of a file write_forever writes, checked whole (never a mix or a cut)."""
    first = data.split(b"\n", 1)[0]
    assert data == (first + b"\n") * lines, "not one whole version"
    return int(first)


@pytest.mark.stress
def test_a_hundred_and_twenty_sigkills_at_random_moments_lose_no_commit(home: Path) -> None:
    """Fork a writer, read while it writes, SIGKILL it at a random moment; 120 times.

    Each file is read as commands read one (storage.read_bytes): whole while it is
    written, and after the kill already as the recovery will leave it."""
    import random
    import signal

    rng = random.Random(1)
    storage.make_home(home)
    (home / "a.txt").write_bytes(b"0\n" * 20000)
    (home / "b.txt").write_bytes(b"0\n")
    files = [home / "a.txt", home / "b.txt"]
    last, reads = 0, 0
    outcomes = {"no commit": 0, "commits": 0, "rolled forward": 0}
    for _ in range(120):
        pid = os.fork()
        if pid == 0:  # the child never returns into pytest, whatever happens
            try:
                write_forever(home, last)
            finally:
                os._exit(1)
        until = time.monotonic() + rng.uniform(0.0, 0.1)
        while time.monotonic() < until:  # readers meanwhile see whole commits only
            one_version(storage.read_bytes(files[0]), 20000)
            one_version(storage.read_bytes(files[1]), 1)
            reads += 1
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        seen = generation({p: storage.read_bytes(p) for p in files})
        outcomes["rolled forward"] += (home / JOURNAL).exists()
        with locked(home):  # the next command: finishes or drops what the kill left
            pass
        now = generation({p: p.read_bytes() for p in files})
        assert now == seen >= last
        assert not (home / JOURNAL).exists()
        outcomes["commits" if now > last else "no commit"] += 1
        last = now
    assert reads > 0
    # Killed at all sorts of moments: before a first commit, after some, in the middle of one.
    assert all(outcomes.values()), outcomes


CROWD = """
import sys
from pathlib import Path
from llmdive.home import storage
from llmdive.record.progress import locked
home, me, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def read(path):
    try:
        return storage.read_bytes(path)
    except FileNotFoundError:
        return None
for r in range(rounds):
    with locked(home, timeout=300):  # 50 processes queue for it on a busy machine
        seen = {p: read(p) for p in (home / "tally.txt", home / "log.txt")}
        tally = int(seen[home / "tally.txt"] or b"0")
        log = seen[home / "log.txt"] or b""
        assert log.count(b"\\n") == tally, "tally and log disagree"
        storage.write_all({home / "tally.txt": str(tally + 1).encode(),
                           home / "log.txt": log + f"{me}:{r}\\n".encode()})
"""


@pytest.mark.stress
def test_fifty_concurrent_writers_over_several_rounds_lose_nothing(home: Path) -> None:
    storage.make_home(home)
    writers, rounds = 50, 3
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CROWD, str(home), f"w{i}", str(rounds)],
            env=subprocess_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(writers)
    ]
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err.decode()
    log = (home / "log.txt").read_text().splitlines()
    assert int((home / "tally.txt").read_text()) == len(log) == writers * rounds
    assert sorted(log) == sorted(f"w{i}:{r}" for i in range(writers) for r in range(rounds))
    assert leftovers(home) == []


# ---------------------------------------------------------------- the same promises, from the CLI


def test_marks_are_written_through_a_symlinked_progress_file(
    cli: Invoke, home: Path, tmp_path: Path
) -> None:
    target = tmp_path / "dotfiles" / "llmdive-progress.json"
    target.parent.mkdir()
    storage.make_home(home)
    (home / "progress.json").symlink_to(target)
    result = cli("mark-read", "lora")
    assert result.exit_code == 0, result.output
    assert (home / "progress.json").is_symlink()
    assert '"lora-explained"' in target.read_text()


def test_a_read_only_progress_file_is_refused_with_a_clear_message(cli: Invoke, home: Path) -> None:
    assert cli("mark-read", "lora").exit_code == 0
    path = home / "progress.json"
    before = path.read_bytes()
    path.chmod(0o444)
    result = cli("mark-read", "dpo")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"llmdive: error: {path} is read-only: ")
    assert path.read_bytes() == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_export_to_dev_stdout_and_to_an_unread_pipe(home: Path, tmp_path: Path) -> None:
    run = [sys.executable, "-m", "llmdive", "guide", "export", "--format", "toml", "-o"]
    env = subprocess_env(LLMDIVE_HOME=str(home))
    out = subprocess.run([*run, "/dev/stdout"], env=env, capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(b"# The LLM Deep Dive")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    refused = subprocess.run([*run, str(fifo)], env=env, capture_output=True, timeout=60)
    assert refused.returncode == 1
    assert (
        refused.stderr
        == f"llmdive: error: cannot write {fifo}: no process is reading this pipe\n".encode()
    )


def test_a_lock_held_too_long_is_an_error_naming_the_lock_file(home: Path) -> None:
    errors: list[str] = []

    def second() -> None:
        try:
            with locked(home, timeout=0.2):
                pass
        except LlmdiveError as exc:
            errors.append(str(exc))

    with locked(home):
        waiter = threading.Thread(target=second)
        waiter.start()
        waiter.join(30)
    assert errors == [f"{home / LOCK_FILE} is held by another llmdive for over 0.2s; try again"]


@pytest.mark.parametrize(
    "args",
    [
        ["progress", "export", "-o"],
        ["guide", "export", "-o"],
        ["guide", "export", "-f", "toml", "-o"],
    ],
)
def test_output_into_a_folder_that_does_not_exist_is_refused_never_created(
    cli: Invoke, tmp_path: Path, args: list[str]
) -> None:
    target = tmp_path / "typo" / "deeper" / "out.md"
    result = cli(*args, str(target))
    assert result.exit_code == 1
    assert result.stderr == (f"llmdive: error: cannot write {target}: no folder {target.parent}\n")
    assert not (tmp_path / "typo").exists()
    here = tmp_path / "out.md"
    assert cli(*args, str(here)).exit_code == 0 and here.read_text()


def test_write_output_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(LlmdiveError, match="no folder"):
        storage.write_output(tmp_path / "missing" / "x", b"data", home=tmp_path / "home")
    assert not (tmp_path / "missing").exists()
