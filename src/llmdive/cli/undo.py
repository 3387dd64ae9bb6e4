"""Taking back the last change: undo."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
import typer

from llmdive.cli.app import JsonOpt, app, emit, workspace


@app.command()
def undo(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Take back your last change (a mark, a note, a personal link); again to go further back.

    Both the change and its undo stay in `llmdive history`.
    """
    from llmdive import jsonout, render
    from llmdive.undo import undo as undo_last
    from llmdive.workspace import Workspace

    ws = workspace(ctx)
    before = ws.catalogue if json_out else None
    done = undo_last(ws.home)
    if json_out and before is not None:
        after = Workspace(ws.guide_path, ws.home)  # what the undo left
        data = jsonout.undo_json(jsonout.LinkJson.of(after), done, before)
    emit(json_out, lambda: data, lambda w: render.render_undone(w, done))
