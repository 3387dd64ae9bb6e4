"""The one door for files: a crash, a full disk or a second process never leaves half a change.

One file is replaced the way git replaces a ref: a temp file beside it, written, fsynced,
renamed over the old one, and the folder fsynced. Several files are committed together
through a journal (`write_all`), the way SQLite's rollback journal is the one thing that
decides whether a change happened:

1. every new content goes to its own fsynced temp file, beside the file it replaces;
2. the journal, naming each file and its temp file (or a deletion), is written the same
   way and renamed into place: from this rename on, the change *has* happened;
3. each temp file is renamed over its file (deletions unlinked), the folders fsynced;
4. the journal is removed.

Killed before 2, the old files are untouched (the temp files are cleaned up later);
killed after it, the next command that takes the home lock finishes steps 3 and 4
(`recover`), and until then `read_bytes` and `exists` read through the journal, so a
reader sees the whole old state or the whole new one, never a mix.

A symlinked file is written through to its target; a read-only file is refused, never
replaced; a file that exists keeps its mode, a new one is private to its owner (0600).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from pathlib import Path
from typing import NoReturn

from llmdive.errors import LlmdiveError
from llmdive.home.infile import RECORD_MAX_BYTES, parse_json, read_limited
from llmdive.home.paths import JOURNAL

_TMP_TAG = ".llmdive-"  # temp files are named .NAME.llmdive-RANDOM.tmp
_TMP_SUFFIX = ".tmp"
# A temp file this old, found under the home lock, was left by a killed writer. (Younger
# ones may belong to a writer that does not hold the lock, such as a cache write.)
STALE_TEMP_S = 60.0
PRIVATE = 0o600


# ---------------------------------------------------------------- low-level steps


def _fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (the rename itself lives in the folder's data)."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(folder, flags)
    except OSError:
        return  # Windows, or a folder that cannot be opened: nothing more can be done
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (22, 9):  # EINVAL, EBADF: the filesystem does not sync folders
            raise
    finally:
        os.close(fd)


def _real(path: Path) -> Path:
    """Where `path`'s bytes live: a symlink is followed, so that it stays a symlink."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


def _mode_for(real: Path, nominal: Path, default: int) -> int:
    """The mode the new content gets: the existing file's, or `default` for a new file.

    A read-only file or something that is not a regular file is refused, not replaced.
    """
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return default
    except OSError as exc:
        raise LlmdiveError(f"cannot write {nominal}: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(st.st_mode):
        raise LlmdiveError(f"{nominal} is not a regular file: llmdive will not replace it")
    if not st.st_mode & stat.S_IWUSR:
        raise LlmdiveError(
            f"{nominal} is read-only: llmdive has left it as it is "
            "(make it writable, e.g. `chmod u+w`, to let llmdive change it)"
        )
    return stat.S_IMODE(st.st_mode)


def _write_fd(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _new_file(folder: Path, prefix: str, suffix: str) -> tuple[int, str]:
    """tempfile.mkstemp's file (new, private, never through a link), without importing
    tempfile: with shutil and random it cost ~5 ms of each `mark-read`."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        name = os.path.abspath(os.path.join(folder, f"{prefix}{os.urandom(6).hex()}{suffix}"))
        try:
            return os.open(name, flags, PRIVATE), name
        except FileExistsError:
            continue  # taken (one chance in 2^48): another name
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", str(folder))


def _stage(
    real: Path, nominal: Path, payload: bytes, mode: int, durable: bool, make_folder: bool = True
) -> str:
    """Write `payload` to a new temp file beside `real`; its path. Nothing else changes."""
    try:
        if make_folder:
            make_private_dir(real.parent)
        fd, tmp = _new_file(real.parent, f".{real.name}{_TMP_TAG}", _TMP_SUFFIX)
    except OSError as exc:
        raise LlmdiveError(f"cannot write in {real.parent}: {exc.strerror or exc}") from exc
    try:
        try:
            if mode != PRIVATE and hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            _write_fd(fd, payload)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException as exc:
        _give_up(tmp, nominal, exc)
    return tmp


def _give_up(tmp: str, nominal: Path, exc: BaseException) -> NoReturn:
    """A write that failed: its temp file removed, an OSError said as the file's, re-raised."""
    with contextlib.suppress(OSError):
        os.unlink(tmp)
    if isinstance(exc, OSError):
        raise LlmdiveError(f"cannot write {nominal}: {exc.strerror or exc}") from exc
    raise exc


# ---------------------------------------------------------------- one file


def atomic_write(
    path: Path,
    data: str | bytes,
    durable: bool = True,
    mode: int | None = None,
    make_folder: bool = True,
) -> None:
    """Replace `path` with `data` all at once: temp file, fsync, rename, folder fsync.

    Until the rename the old file is untouched; if anything fails the temp file is
    removed and the old file stays as it was. A symlink is written through to its
    target. `mode` is the mode of a new file (default 0600); an existing file keeps its
    own. `durable=False` skips the fsyncs, for disposable files such as caches;
    `make_folder=False` refuses to create a missing folder.
    """
    payload = data.encode() if isinstance(data, str) else data
    real = _real(path)
    mode = _mode_for(real, path, mode or PRIVATE)
    tmp = _stage(real, path, payload, mode, durable, make_folder)
    try:
        os.replace(tmp, real)
        if durable:
            _fsync_dir(real.parent)
    except BaseException as exc:
        _give_up(tmp, path, exc)


def refuse_home_output(path: Path, home: Path) -> None:
    """A file the user named for output must not be, or be in, llmdive's home.

    Whatever the name: a path inside the home, a symlink into it (/dev/stdout redirected
    to progress.json too) and a hard link to one of its files are all refused, so that
    an export never replaces the record, the guide, the journal or link results.
    """
    home_real = os.path.realpath(home)
    target = os.path.realpath(path)
    if target == home_real or target.startswith(home_real.rstrip(os.sep) + os.sep):
        rel = os.path.relpath(target, home_real)
        first = rel.split(os.sep, 1)[0]
        if rel == first and rel != "." and os.path.exists(os.path.join(home_real, first)):
            raise LlmdiveError(f"{path} is llmdive's own {first}: write the export somewhere else")
        raise LlmdiveError(f"{path} is in llmdive's home {home}: write the export somewhere else")
    try:
        st = os.stat(target)
    except OSError:
        return
    if not stat.S_ISREG(st.st_mode) or st.st_nlink < 2:
        return
    try:
        names = os.listdir(home_real)
    except OSError:
        return
    for name in names:  # a hard link: the same file under another name
        with contextlib.suppress(OSError):
            own = os.stat(os.path.join(home_real, name))
            if (own.st_dev, own.st_ino) == (st.st_dev, st.st_ino):
                raise LlmdiveError(
                    f"{path} is llmdive's own {name} (a hard link to it): "
                    "write the export somewhere else"
                )


def write_output(path: Path, data: str | bytes, *, home: Path | None) -> None:
    """Write a file the user named (`-o`): a regular file atomically, keeping its mode;
    a pipe or a device (/dev/stdout) written straight to, or refused at once if no one
    is reading it. Never hangs waiting for a reader, never opens it for reading. A file
    of llmdive's `home` is refused (refuse_home_output)."""
    if home is not None:
        refuse_home_output(path, home)
    payload = data.encode() if isinstance(data, str) else data
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise LlmdiveError(f"cannot write {path}: {exc.strerror or exc}") from exc
    if st is None or stat.S_ISREG(st.st_mode):
        if st is None and not _real(path).parent.is_dir():
            # A typo'd folder is refused, never created.
            raise LlmdiveError(f"cannot write {path}: no folder {path.parent}")
        umask = os.umask(0)
        os.umask(umask)
        atomic_write(path, payload, mode=0o666 & ~umask, make_folder=False)
        return
    if stat.S_ISDIR(st.st_mode):
        raise LlmdiveError(f"{path} is a folder: give a file name")
    try:
        # O_NONBLOCK: opening a pipe nobody reads fails at once (ENXIO) instead of waiting.
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == 6:  # ENXIO
            raise LlmdiveError(f"cannot write {path}: no process is reading this pipe") from None
        raise LlmdiveError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        os.set_blocking(fd, True)
        _write_fd(fd, payload)
    except OSError as exc:
        raise LlmdiveError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


# ---------------------------------------------------------------- several files at once


def _key(path: Path) -> str:
    return os.path.abspath(path)


def write_all(changes: dict[Path, bytes | None]) -> None:
    """Replace (bytes) or delete (None) several files of one folder, all or nothing.

    Call it holding the folder's lock (progress.locked for the llmdive home): an
    interrupted commit is finished by `recover` the next time the lock is taken.
    """
    if not changes:
        return
    folders = {Path(_key(p)).parent for p in changes}
    if len(folders) != 1:
        raise ValueError(f"write_all: files in more than one folder: {sorted(map(str, folders))}")
    folder = folders.pop()
    staged: list[dict[str, str | None]] = []
    journal_tmp = None
    try:
        for path, data in changes.items():
            real = _real(path)
            tmp = None
            if data is not None:
                tmp = _stage(real, path, data, _mode_for(real, path, PRIVATE), durable=True)
            staged.append({"path": _key(path), "real": _key(real), "temp": tmp})
        import json

        doc = json.dumps({"version": 1, "changes": staged}).encode()
        journal_tmp = _stage(folder / JOURNAL, folder / JOURNAL, doc, PRIVATE, durable=True)
        os.replace(journal_tmp, folder / JOURNAL)  # the commit point
    except BaseException as exc:
        for tmp in [e["temp"] for e in staged] + [journal_tmp]:
            if tmp:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        if isinstance(exc, OSError):
            raise LlmdiveError(f"cannot write in {folder}: {exc.strerror or exc}") from exc
        raise
    # From here on the change has happened: it is only ever rolled forward.
    try:
        _fsync_dir(folder)
        _apply(folder, staged)
    except OSError as exc:
        raise LlmdiveError(
            f"cannot finish writing in {folder} ({exc.strerror or exc}): the change is "
            f"recorded in {folder / JOURNAL} and the next llmdive command completes it"
        ) from exc


def _apply(folder: Path, entries: list[dict[str, str | None]]) -> None:
    """Steps 3 and 4: put every staged file in place, then drop the journal. Idempotent."""
    synced: set[str] = set()
    for entry in entries:
        path, real, temp = entry["path"], entry["real"], entry["temp"]
        if temp is None:
            assert path is not None
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            target = path
        else:
            assert real is not None
            # A temp file that is gone was renamed into place by the interrupted commit.
            with contextlib.suppress(FileNotFoundError):
                os.replace(temp, real)
            target = real
        synced.add(os.path.dirname(target))
    for name in sorted(synced):
        _fsync_dir(Path(name))
    os.unlink(folder / JOURNAL)
    _fsync_dir(folder)


def _pending(folder: Path) -> dict[str, str | None] | None:
    """The changes an unfinished commit in `folder` makes (path -> temp, None = deleted)."""
    data = _journal(folder)
    return _parse_journal(data) if data is not None else None


def recover(folder: Path, stale_after: float = STALE_TEMP_S) -> None:
    """Finish a commit a killed writer left, and clean up its temp files. Hold the lock."""
    journal = folder / JOURNAL
    try:
        data = _read_home_file(journal)
    except FileNotFoundError:
        data = None
    except OSError as exc:
        raise LlmdiveError(f"{journal}: cannot read: {exc.strerror or exc}") from exc
    if data is not None:
        try:
            doc = parse_json(data, journal)
            entries = [
                {"path": str(e["path"]), "real": str(e["real"]), "temp": e["temp"]}
                for e in doc["changes"]
            ]
        except (ValueError, KeyError, TypeError, LlmdiveError):
            raise LlmdiveError(
                f"{journal}: an unfinished change llmdive cannot read; move it aside "
                "(the files it names are as the interrupted command left them)"
            ) from None
        try:
            _apply(folder, entries)
        except OSError as exc:
            raise LlmdiveError(
                f"cannot finish the interrupted change recorded in {journal}: {exc.strerror or exc}"
            ) from exc
    _clean_temps(folder, stale_after)


def _clean_temps(folder: Path, stale_after: float) -> None:
    try:
        names = os.listdir(folder)
    except OSError:
        return
    cutoff = time.time() - stale_after
    for name in names:
        if name.startswith(".") and _TMP_TAG in name and name.endswith(_TMP_SUFFIX):
            path = folder / name
            with contextlib.suppress(OSError):
                if os.lstat(path).st_mtime < cutoff:
                    os.unlink(path)


# ---------------------------------------------------------------- reading


def _read_home_file(path: Path, limit: int | None = None, shown: object = None) -> bytes:
    """A file of the home, bounded, and only if it is a regular file (or a link to one):
    a FIFO, /dev/zero or a link to a device is refused in one line, never waited on."""

    return read_limited(path, limit or RECORD_MAX_BYTES, path if shown is None else shown, True)


def read_bytes(path: Path, limit: int | None = None, regular: bool = True) -> bytes:
    """The bytes of `path` as the last commit left it, even while that commit is applied.

    Raises FileNotFoundError (and other OSErrors) like Path.read_bytes. A file larger
    than `limit` (default infile.RECORD_MAX_BYTES) is refused (LlmdiveError) after
    reading at most limit + 1 bytes; so is anything but a regular file, unless `regular`
    is False (a catalogue named with --guide may be a pipe).
    """

    def read(p: Path) -> bytes:
        if regular:
            return _read_home_file(p, limit, path)

        return read_limited(p, limit or RECORD_MAX_BYTES, path)

    pending = _pending(path.parent)
    if pending:
        key = _key(path)
        if key in pending:
            temp = pending[key]
            if temp is None:
                raise FileNotFoundError(2, "No such file or directory", str(path))
            with contextlib.suppress(FileNotFoundError):
                return read(Path(temp))
    return read(path)


def _journal(folder: Path) -> bytes | None:
    """The journal's bytes, None if there is none; a journal that is a FIFO or a device
    (or too large) is refused in one line, never read."""
    try:
        return _read_home_file(folder / JOURNAL)
    except OSError:
        return None


def _parse_journal(data: bytes) -> dict[str, str | None] | None:

    try:
        doc = parse_json(data, JOURNAL)
        return {e["path"]: e["temp"] for e in doc["changes"]}
    except (ValueError, KeyError, TypeError, LlmdiveError):
        return None


def exists(path: Path) -> bool:
    """Is `path` a file, as the last commit left it?"""
    pending = _pending(path.parent)
    if pending:
        key = _key(path)
        if key in pending:
            temp = pending[key]
            if temp is None:
                return False
            if os.path.exists(temp):
                return True
    return path.is_file()


def make_private_dir(folder: Path) -> bool:
    """Create `folder`, and any missing parent, private to its owner (0700, whatever the
    umask: under umask 000 a world-writable parent would let anyone swap the folder).
    An existing folder is left as it is. True if `folder` was created."""
    if folder.is_dir():
        return False
    missing: list[Path] = []
    for part in [folder, *folder.parents]:
        if part.is_dir():
            break
        missing.append(part)
    for part in reversed(missing):
        try:
            part.mkdir(mode=0o700)
        except FileExistsError:
            if not part.is_dir():
                raise
            continue
        os.chmod(part, 0o700)  # mkdir's mode is masked by the umask (0o277 gives 0500)
    return bool(missing)


def make_home(home: Path) -> bool:
    """Create the llmdive home, private to its owner (0700); an existing one is left as is.
    True if it was created."""
    return make_private_dir(home)
