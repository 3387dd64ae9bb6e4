"""Taking back the last change: undo."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
# start-up: every command module is imported on each start (to register its commands), so
# a command imports the core it uses inside its body.
import typer

from llmdive.cli.app import JsonOpt, app, emit, workspace


@app.command()
def undo(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Take back your last change (a mark, a note, a personal link); again to go further back.

    Both the change and its undo stay in `llmdive history`. A guide update or reset is
    not undone, and undo never reaches past one to an older change.
    """
    from llmdive.output import jsonout, jsonreport
    from llmdive.output.views.undo import render_undone
    from llmdive.record.undo import undo as undo_last
    from llmdive.workspace import Workspace

    ws = workspace(ctx)
    if not json_out:
        done = undo_last(ws.home, aliases=ws.catalogue.aliases)
        emit(False, dict, lambda w: render_undone(w, done))
        return
    # A link the undo removes (a personal link's add taken back) is shown from before.
    before = ws.catalogue
    done = undo_last(ws.home, aliases=ws.catalogue.aliases)
    after = Workspace(ws.guide_path, ws.home)
    jsonout.emit_json(jsonreport.undo_json(jsonout.LinkJson.of(after), done, before))
