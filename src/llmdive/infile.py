"""Reading a file the user named: never more than a limit, whatever the file is.

A regular file, a pipe, /dev/stdin or a device are read alike: at most `limit + 1`
bytes, so that /dev/zero or an endless pipe is refused in one line, not read into memory.
"""

from __future__ import annotations

from pathlib import Path

from llmdive.errors import LlmdiveError

README_MAX_BYTES = 5 * 1024 * 1024  # a README to import (the same bound as a download)
CATALOGUE_MAX_BYTES = 16 * 1024 * 1024  # a catalogue TOML
RECORD_MAX_BYTES = 32 * 1024 * 1024  # a progress.json, personal.json or exported record


def too_large(shown: object, limit: int) -> LlmdiveError:
    size = f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit:,} bytes"
    return LlmdiveError(f"{shown}: larger than {size}; not read")


def read_limited(path: Path | str, limit: int, shown: object = None) -> bytes:
    """The bytes of `path`, at most `limit`; more is refused. OSErrors pass through."""
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise too_large(path if shown is None else shown, limit)
    return data
