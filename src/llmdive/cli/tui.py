"""The interactive reader: tui."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
# start-up: Textual is imported only here, inside the command (tests/test_startup.py).
import typer

from llmdive.cli.app import app, workspace


@app.command()
def tui(ctx: typer.Context) -> None:
    """A full-screen reader: the guide's tree, its links, marks, notes, search and Next.

    Keys: / search, r read, s start, x skip, u undo, o open, e note, n next, ? help, q quit.
    """
    from llmdive.tui.app import run

    run(workspace(ctx))
