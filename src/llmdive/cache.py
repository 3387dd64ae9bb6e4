"""A disposable cache of validated file contents, keyed by the SHA-256 of the file's bytes.

Parsing and validating is the slow part of reading a catalogue or a progress file, and
it needs pydantic; a cache hit needs neither. A cache entry is only ever used for
exactly the bytes it was made from, so it can never be trusted over the file itself;
a missing, stale or corrupt entry is simply rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
from pathlib import Path
from typing import Any

from llmdive import __version__
from llmdive.errors import LlmdiveError
from llmdive.paths import cache_dir

_FORMAT = 2


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file(kind: str, path: Path) -> Path:
    name = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]
    return cache_dir() / f"{kind}-{name}.marshal"


def _key(data_digest: str) -> tuple[int, str, str]:
    return (_FORMAT, __version__, data_digest)


def read(kind: str, path: Path, data_digest: str) -> dict[str, Any] | None:
    """The record cached for exactly these bytes of `path`, or None."""
    try:
        record = marshal.loads(_file(kind, path).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(record, dict) or record.get("key") != _key(data_digest):
        return None
    value = record.get("value")
    return value if isinstance(value, dict) else None


def write(kind: str, path: Path, data_digest: str, value: dict[str, Any]) -> None:
    """Store `value` for these bytes; a cache that cannot be written only costs speed."""
    from llmdive.storage import atomic_write

    blob = marshal.dumps({"key": _key(data_digest), "value": value})
    with contextlib.suppress(LlmdiveError):
        atomic_write(_file(kind, path), blob, durable=False)
