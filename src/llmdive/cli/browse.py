"""Browsing the guide: list, toc, show."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
# start-up: every command module is imported on each start (to register its commands), so
# a command imports the core it uses inside its body.
from typing import Annotated

import typer

from llmdive.cli import bodies
from llmdive.cli.app import (
    DifficultiesOpt,
    IdArg,
    JsonOpt,
    SectionOpt,
    StatusesOpt,
    app,
    emit,
    marks_of,
    workspace,
)
from llmdive.model.vocab import Status


@app.command("list")
def list_links(
    ctx: typer.Context,
    section: SectionOpt = None,
    difficulty: DifficultiesOpt = None,
    status: StatusesOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List links in guide order, filtered by section, difficulty or status.

    Example: llmdive list --section finetuning --difficulty easy
    """
    bodies.list_links(workspace(ctx), section, difficulty, status, json_out)


@app.command()
def toc(
    ctx: typer.Context,
    hide_empty: Annotated[
        bool, typer.Option("--hide-empty", help="Leave out headings with no links yet.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Show the guide's sections and topics with read counts, descriptions and tips."""
    from llmdive.output import jsonout
    from llmdive.output.views.browse import render_toc

    ws = workspace(ctx)
    emit(
        json_out,
        lambda: jsonout.toc_json(ws.catalogue, ws.states, hide_empty),
        lambda w: render_toc(w, ws.catalogue, ws.states, hide_empty),
    )


@app.command()
def show(ctx: typer.Context, link_id: IdArg, json_out: JsonOpt = False) -> None:
    """Show one link with its full section path, status and note."""
    from llmdive.output import jsonout
    from llmdive.output.views.browse import render_show

    ws = workspace(ctx)
    from llmdive.record.progress import record_key

    item = ws.catalogue.resolve_id(link_id)
    status = ws.states.get(item.link.id, Status.UNREAD)
    entry = ws.progress.get(record_key(ws.catalogue, ws.progress, item.link.id))
    marks = marks_of(ws)
    also = ws.catalogue.also_in(item)
    emit(
        json_out,
        lambda: jsonout.LinkJson.of(ws).marked(item, marks),
        lambda w: render_show(w, item, status, entry, marks, also),
    )
