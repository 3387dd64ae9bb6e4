"""The command line: parse arguments, call the core, render. Nothing else lives here.

One module per command group; importing them registers their commands on `app`, in
the order `llmdive --help` lists them (so this import is not sorted).
"""

from llmdive.cli import browse, find, reading, undo, progress, sync, guide, personal, where, links  # noqa: I001, F401
from typing import Any

from llmdive.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the `llmdive` console script."""
    import sys

    for arg in sys.argv[1:]:
        # Bytes that are not UTF-8 reach Python as lone surrogates ("surrogateescape"):
        # no id, title, note or URL holds them, and no file or terminal can take them.
        if not _utf8(arg):
            shown = arg.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
            sys.stderr.write(
                f"llmdive: error: the argument {shown[:80]!r} is not valid UTF-8 text\n"
            )
            raise SystemExit(2)
    _only_the_command_completed()
    app(prog_name="llmdive")


def _only_the_command_completed() -> None:
    """On a Tab after a command's name, build that command alone.

    Typer builds every command's parameters before it completes anything (about 20 ms for
    two dozen commands); completing `llmdive list --section fi` needs `list` only. Any
    other case (a command name being typed, global options first, a group) keeps the
    whole app.
    """
    import os

    if not os.environ.get("_LLMDIVE_COMPLETE"):
        return
    words = os.environ.get("COMP_WORDS", "").split()
    try:
        cword = int(os.environ.get("COMP_CWORD", "0"))
    except ValueError:
        return
    if cword < 2 or len(words) < 2:
        return
    name = words[1]
    keep = [c for c in app.registered_commands if _name(c) == name]
    if len(keep) == 1:
        app.registered_commands[:] = keep
        app.registered_groups[:] = []


def _name(command: Any) -> str:
    return str(command.name or command.callback.__name__.replace("_", "-"))


def _utf8(arg: str) -> bool:
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
