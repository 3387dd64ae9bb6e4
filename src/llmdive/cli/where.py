"""Where llmdive keeps things: `llmdive paths`."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
import typer

from llmdive.cli.app import JsonOpt, app, emit, workspace


@app.command("paths")
def paths_(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Where your data, the catalogue in use and the cache are, and what chose each place.

    Example: llmdive --home ~/notes/llmdive paths
    """
    from llmdive.home.paths import locations
    from llmdive.output.views.where import render_paths

    data = locations(workspace(ctx))
    emit(json_out, lambda: data, lambda w: render_paths(w, data))
