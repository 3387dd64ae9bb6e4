"""What every command shares, Typer or not: errors to one line, closed pipes, the home note, output.

Typer-free: the root command (cli/app.py) and the fast path (cli/fast.py) both end a call
through these functions, so an error, a closed pipe or a new home reads the same either way.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llmdive.errors import LlmdiveError
from llmdive.home.paths import HOME_ENV, env_home

if TYPE_CHECKING:
    from pathlib import Path

    from llmdive.net.linkmarks import Marks
    from llmdive.output.terminal import Writer
    from llmdive.workspace import Workspace


def print_errors(lines: list[str]) -> None:
    """The CLI's one error printer: each line made safe, so data in a message is inert."""
    from llmdive.output.terminal import safe

    sys.stderr.write("".join(f"llmdive: error: {safe(line)}\n" for line in lines))


def print_json_error(lines: list[str]) -> None:
    """An error under --json: one JSON object on stderr, `{"error": ..., "problems": [...]}`."""
    from llmdive.output.jsonout import emit_json, error_json

    emit_json(error_json(lines), sys.stderr)


def quiet_pipe() -> None:
    """The reader closed our stdout (`llmdive list | head -1`): drop the rest quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # not a real file (tests): nothing will be flushed to it at exit


def failure(exc: LlmdiveError | OSError, json_errors: bool) -> int:
    """A command's error said (one line per problem, or JSON with --json); the exit code.

    A closed pipe is a normal end: nothing said, exit 0. Any other OSError is the safety
    net (the core names the file of every error it expects).
    """
    if isinstance(exc, LlmdiveError):
        lines = str(exc).splitlines() or ["unknown error"]
    else:
        if exc.errno == errno.EPIPE:
            quiet_pipe()
            return 0
        where = f"{exc.filename}: " if exc.filename else ""
        lines = [f"{where}{exc.strerror or exc}"]
    if json_errors:
        print_json_error(lines)
    else:
        print_errors(lines)
    return 1


def home_named(ws: Workspace) -> str | None:
    """What named the home of this call (--home, $LLMDIVE_HOME), if anything did."""
    return "--home" if ws.home_option is not None else f"${HOME_ENV}" if env_home() else None


def say_what_became_of_the_home(home: Path, named: str | None, failed: bool) -> None:
    """At the end of a call whose home did not exist at its start: a write created it (said
    so), or, when the home was named and nothing failed, there is none there (a typo'd
    --home is not taken for a record with nothing in it). Not under --json."""
    from llmdive.output.terminal import safe

    if home.is_dir():
        line = f"created the llmdive home {home} (private to you)"
    elif named and not failed:
        line = f"no llmdive home at {home} (named by {named}): nothing is recorded there"
    else:
        return
    sys.stderr.write(f"llmdive: note: {safe(line)}\n")


def emit(
    json_out: bool,
    as_json: Callable[[], Any],
    draw: Callable[[Writer], None],
    urls: bool = False,
) -> None:
    """JSON for --json, else lines drawn on a terminal-aware Writer (URLs shown with --urls;
    without it, $LLMDIVE_URLS and the terminal decide)."""
    if json_out:
        from llmdive.output.jsonout import emit_json

        emit_json(as_json())
        return
    from llmdive.output.terminal import Writer

    w = Writer(urls=True if urls else None)
    draw(w)
    w.close()


def marks_of(ws: Workspace) -> Marks:
    """The kept checks of the workspace's links, for list, show and next to mark them."""
    from llmdive.net import linkmarks
    from llmdive.output.terminal import warn

    marks = linkmarks.marks(ws.home, ((i.link.id, i.link.url) for i in ws.catalogue.items))
    if marks.problem:
        warn(marks.problem)
    return marks


def section_problem(ws: Workspace, value: str) -> str | None:
    """Why --section VALUE names no heading of the catalogue (a usage error), or None."""
    catalogue = ws.catalogue
    try:
        catalogue.find_topic(value)
    except LlmdiveError as exc:
        said = str(exc)
        if "did you mean" not in said and "ambiguous" not in said:
            said += "; the sections: " + ", ".join(
                t.slug for p, t in catalogue.topics if len(p) == 1
            )
        return said
    return None


def has_words(words: list[str]) -> bool:
    """Does `search` have something to look for (a letter or digit in some word)?"""
    return any(c.isalnum() for word in words for c in word)
