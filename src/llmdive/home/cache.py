"""A disposable cache of validated file contents, keyed by a checksum of the file's bytes.

Parsing and validating is the slow part of reading a catalogue or a progress file, and
it needs pydantic; a cache hit needs neither. A cache entry is only ever used for the
bytes it was made from (same length, same CRC-32 and Adler-32: 64 bits of checksum), so
it is never trusted over the file itself, whatever the file's timestamps say; a missing,
stale or corrupt entry is simply rebuilt.

zlib's checksums rather than hashlib's SHA-256: this runs on every command and every
Tab, and importing hashlib (OpenSSL) costs more than the whole cache lookup.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import zlib
from pathlib import Path
from typing import Any

from llmdive import __version__
from llmdive.errors import LlmdiveError
from llmdive.home.paths import CACHE_ENV, cache_dir, named_home
from llmdive.home.storage import atomic_write, make_private_dir

# Bumped whenever a cached record's shape changes (6: a catalogue by column).
_FORMAT = 6


def digest(data: bytes | memoryview) -> str:
    """The identity of a file's content."""
    return f"{len(data)}-{zlib.crc32(data):08x}-{zlib.adler32(data):08x}"


def _file(folder: Path, kind: str, path: Path) -> Path:
    where = str(path.resolve()).encode()
    name = f"{zlib.crc32(where):08x}{zlib.adler32(where):08x}"
    return folder / f"{kind}-{name}.marshal"


def _key(data_digest: str) -> tuple[int, str, str]:
    return (_FORMAT, __version__, data_digest)


_MAGIC = b"llmdive-cache\n"
_HEAD = len(_MAGIC) + 32


def read(kind: str, path: Path, data_digest: str, *, home: Path | None) -> dict[str, Any] | None:
    """The record cached for exactly these bytes of `path`, or None. `home`: the call's
    home, which says where the cache is (paths.cache_dir).

    A cache file starts with a checksum of the rest, checked before anything is
    unmarshalled: a file cut short, damaged or written by something else is never read
    as a record (marshal would trust a length in it and could allocate gigabytes).
    """
    try:
        blob = _file(cache_dir(home), kind, path).read_bytes()
    except OSError:
        return None
    payload = memoryview(blob)[_HEAD:]  # not a copy: a catalogue's entry is megabytes
    if (
        blob[: len(_MAGIC)] != _MAGIC
        or blob[len(_MAGIC) : _HEAD].rstrip() != digest(payload).encode()
    ):
        return None
    try:
        record = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(record, dict) or record.get("key") != _key(data_digest):
        return None
    value = record.get("value")
    return value if isinstance(value, dict) else None


def write(
    kind: str, path: Path, data_digest: str, value: dict[str, Any], *, home: Path | None
) -> None:
    """Store `value` for these bytes; a cache that cannot be written only costs speed."""

    folder = cache_dir(home)
    if not folder.is_dir():
        if not _may_create(folder, home):
            return
        with contextlib.suppress(OSError):
            make_private_dir(folder)
    try:
        payload = marshal.dumps({"key": _key(data_digest), "value": value})
    except ValueError:  # nested beyond what marshal takes: only costs speed
        return
    head = _MAGIC + digest(payload).encode().ljust(32)
    with contextlib.suppress(LlmdiveError):
        atomic_write(_file(folder, kind, path), head + payload, durable=False, make_folder=False)


def _may_create(folder: Path, home: Path | None) -> bool:
    """A cache folder inside the llmdive home is made only once the home exists: a read
    command never creates the home (the first write does, 0700)."""

    if os.environ.get(CACHE_ENV) or named_home(home) is None:
        return True
    return folder.parent.is_dir()
