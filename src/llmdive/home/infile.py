"""Reading a file the user named: never more than a limit, whatever the file is.

A regular file, a pipe, /dev/stdin or a device are read alike: at most `limit + 1`
bytes, so that /dev/zero or an endless pipe is refused in one line, not read into memory.
A file opened for reading never blocks in the open itself (a FIFO nobody writes to reads
as empty), and a file of the home (`regular=True`) must be a regular file.

`parse_json` is the one reader of JSON, from anywhere (the home, the journal, link
results, a record to merge, a sync remote): the same size, depth and type limits for all.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from llmdive.errors import LlmdiveError
from llmdive.model.urls import shorten

CATALOGUE_MAX_BYTES = 16 * 1024 * 1024  # a catalogue TOML
RECORD_MAX_BYTES = 32 * 1024 * 1024  # a progress.json, personal.json or exported record
JSON_MAX_DEPTH = 64  # llmdive's own files nest 6 deep; nothing it reads needs more


def too_large(shown: object, limit: int) -> LlmdiveError:
    size = f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit:,} bytes"
    return LlmdiveError(f"{shown}: larger than {size}; not read")


_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def not_regular(shown: object, mode: int) -> LlmdiveError:
    """A file of the home that is a FIFO, a device or a folder (or a link to one)."""
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    return LlmdiveError(
        f"{shown} is {kind}, not a regular file: llmdive reads only regular files "
        "in its home; move it aside"
    )


def refuse_special(path: Path) -> None:
    """Refuse a file of the home that is a FIFO, a device or a folder (or a link to one)
    without opening it; a missing file passes (its reader says it is missing)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if not stat.S_ISREG(mode):
        raise not_regular(path, mode)


def read_limited(
    path: Path | str, limit: int, shown: object = None, regular: bool = False
) -> bytes:
    """The bytes of `path`, at most `limit`; more is refused. OSErrors pass through.

    The open never waits for a FIFO's writer; with `regular`, anything but a regular
    file (a FIFO, /dev/zero, or a link to one) is refused before a byte is read.
    """
    return read_with_stat(path, limit, shown, regular)[0]


def read_with_stat(
    path: Path | str, limit: int, shown: object = None, regular: bool = False
) -> tuple[bytes, os.stat_result]:
    """read_limited, and the stat of the file that was read (its inode, for a reread)."""
    shown = path if shown is None else shown
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    with open(fd, "rb", closefd=True) as f:
        st = os.fstat(fd)
        if regular and not stat.S_ISREG(st.st_mode):
            raise not_regular(shown, st.st_mode)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if not stat.S_ISREG(st.st_mode):
            os.set_blocking(fd, True)  # a pipe with a writer is read as it comes
        data = f.read(limit + 1)
    if len(data) > limit:
        raise too_large(shown, limit)
    return data, st


class _Duplicate(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # The standard library keeps the last of two equal keys: a merge gone wrong would
    # then lose an entry without a word when the file is next written.
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(f"the key {shorten(key, 40)!r} appears twice in one object")
            seen.add(key)
    return out


def _no_constant(name: str) -> Any:
    raise _Duplicate(f"{name} is not a number JSON has")


_BRACKETS = bytes(range(256)).translate(None, b"[]{}")


def _too_deep(data: bytes, limit: int) -> bool | None:
    """Does `data` nest deeper than `limit`, judged on its brackets alone, before parsing
    (so that no parser recurses)? None: in doubt, brackets in strings that do not pair
    up; the parsed value then decides."""
    marks = data.translate(None, _BRACKETS)
    if len(marks) <= limit:
        return False
    for _ in range(limit):  # each pass removes the innermost level
        shorter = marks.replace(b"[]", b"").replace(b"{}", b"")
        if not shorter:
            return False
        if len(shorter) == len(marks):
            return None
        marks = shorter
    return True if b'"' not in data else None  # without strings, every bracket nests


def _depth_over(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


def parse_json(
    data: bytes,
    shown: object,
    untouched: str = "",
    limit: int = RECORD_MAX_BYTES,
    top: type | None = None,
) -> Any:
    """JSON from anywhere, within llmdive's limits; any problem is one LlmdiveError line.

    The line names `shown` (a file, `origin/main:progress.json`) and the problem, and
    ends with `untouched` (what to do; that the file was left as it is). Refused: more
    than `limit` bytes, text that is not UTF-8, nesting deeper than JSON_MAX_DEPTH, a
    key twice in one object, NaN or Infinity, numbers thousands of digits long, and with
    `top` a top-level value of another type. Never raises RecursionError or MemoryError.
    """
    import json

    tail = f": {untouched}" if untouched else ""
    if len(data) > limit:
        raise LlmdiveError(f"{too_large(shown, limit)}{tail}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LlmdiveError(f"{shown}: not UTF-8 text (byte {exc.start}){tail}") from None
    problem = "not usable JSON: nested too deeply"
    deep = _too_deep(data, JSON_MAX_DEPTH)
    if deep is not True:
        try:
            value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            conflict = next(
                (n for n, line in enumerate(text.split("\n"), 1) if line.startswith("<<<<<<< ")),
                0,
            )
            if conflict:
                problem = f"an unresolved merge conflict (git's <<<<<<< marker at line {conflict})"
            else:
                problem = (
                    f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}; "
                    "truncated?)"
                )
        except _Duplicate as exc:
            problem = f"not usable JSON: {exc}"
        except ValueError:  # an integer of thousands of digits
            problem = "not usable JSON: it holds a number thousands of digits long"
        except RecursionError:
            pass
        else:
            if deep is None and _depth_over(value, JSON_MAX_DEPTH):
                pass
            elif top is None or isinstance(value, top):
                return value
            else:
                name = {"dict": "an object", "list": "an array"}.get(top.__name__, top.__name__)
                problem = f"not usable JSON: the file must hold {name}"
    raise LlmdiveError(f"{shown}: {problem}{tail}")
