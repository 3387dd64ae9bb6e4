"""One read and one write of a versioned JSON state file in the home.

progress.json, personal.json, guide-meta.json and linkcheck.json are all read by
`load_state` (missing: the default; unreadable: one line naming the file) and all
written by `save_state` / `encode_state` (sorted keys, two-space indent, a final
newline; atomically, through storage). What a file may hold is its owner's parser:
home/infile.py's bounded JSON reader and model/inputs.py's strict shapes, which end
their one line with what to do and that the file was left untouched.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from llmdive.errors import LlmdiveError
from llmdive.home.infile import RECORD_MAX_BYTES
from llmdive.home.storage import atomic_write, read_bytes

T = TypeVar("T")


def read_state(path: Path) -> bytes | None:
    """The bytes of a state file, None when there is none; unreadable: one LlmdiveError line."""
    try:
        return read_bytes(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LlmdiveError(f"{path}: cannot read: {exc.strerror or exc}") from None


def load_state(path: Path, parse: Callable[[bytes, Path], T], default: Callable[[], T]) -> T:
    """`parse(bytes, path)` of a state file, or `default()` when there is no such file."""
    data = read_state(path)
    return default() if data is None else parse(data, path)


# A document whose members hold at most this many entries each is encoded by the standard
# library: its indenting encoder costs ~35 us an entry, importing orjson ~5 ms (with uuid and
# platform, which it loads): the bundled guide's record is written in ~1 ms without it.
SMALL_STATE = 100


def encode_state(value: object) -> bytes:
    """UTF-8 JSON with sorted keys, indented by two spaces, and a final newline.

    Exactly the bytes of json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    + "\\n" (tested): a small document from the standard library itself, a large one
    from orjson, whose encoder is ~30x faster (bench/encoders.py measures both).
    """
    if _small(value) and "orjson" not in sys.modules:
        return encode_with_json(value)
    return encode_with_orjson(value)


def _small(value: object) -> bool:
    if not isinstance(value, dict):
        return False
    return all(len(v) <= SMALL_STATE for v in value.values() if isinstance(v, dict | list))


def encode_with_json(value: object) -> bytes:
    """encode_state's bytes from the standard library's encoder."""
    try:
        return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    except UnicodeEncodeError:
        return _escaped(value)


def encode_with_orjson(value: object) -> bytes:
    """encode_state's bytes from orjson."""
    import orjson  # only commands that write a large state file need the encoder

    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    except orjson.JSONEncodeError:
        return _escaped(value)


def _escaped(value: object) -> bytes:
    # Text that is not Unicode (a lone surrogate, read from a file) has no UTF-8:
    # \u escapes keep it exactly, rather than refusing to save anything.
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode()


def encode_state_text(value: object) -> str:
    """encode_state as text."""
    return encode_state(value).decode()


def save_state(path: Path, value: object, limit: int | None = None) -> None:
    """Write a state file atomically (storage.atomic_write), encoded by `encode_state`;
    refused when llmdive could not read it back (`check_fits`)."""
    data = encode_state(value)
    check_fits({path: data}, limit)
    atomic_write(path, data)


def check_fits(files: Mapping[Path, bytes | None], limit: int | None = None) -> None:
    """Refuse to write a home file that llmdive could not read back (over its size limit).

    Every write checks what it would leave, as a merge does, so that no ordinary command
    can lock the reader out of the home: nothing is written then.
    """
    limit = RECORD_MAX_BYTES if limit is None else limit
    for path, data in files.items():
        if data is not None and len(data) > limit:
            size = f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit:,} bytes"
            raise LlmdiveError(
                f"{path.name} would grow past {size}, more than llmdive reads back, so "
                "nothing was written: the record is full (`llmdive progress export -o FILE` "
                "keeps a copy of it)"
            )
