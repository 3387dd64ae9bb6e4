"""Browsing the guide: list, toc, show."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
# start-up: every command module is imported on each start (to register its commands), so
# a command imports the core it uses inside its body.
from typing import Annotated

import typer

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
    from llmdive.output import jsonout
    from llmdive.output.views.browse import render_list

    ws = workspace(ctx)
    cat = ws.catalogue
    topic = cat.find_topic(section) if section else None
    items = cat.items_under(topic) if topic else cat.items
    # An empty listing says why: nothing under that heading yet, or nothing that matches.
    empty = "No links match."
    if topic and not items:
        empty = (
            f"No links yet under {topic[-1].title}: `llmdive add URL --section "
            f"{topic[-1].slug}` adds one of yours."
        )
    states = ws.states
    if difficulty:
        items = [i for i in items if i.link.difficulty in difficulty]
    if status:
        items = [i for i in items if states.get(i.link.id, Status.UNREAD) in status]
    marks = marks_of(ws)
    emit(
        json_out,
        lambda: jsonout.links_json(jsonout.LinkJson.of(ws), items, marks),
        lambda w: render_list(w, items, states, marks, empty, advice=topic[-1:] if topic else None),
    )


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
    item = ws.catalogue.resolve_id(link_id)
    status = ws.states.get(item.link.id, Status.UNREAD)
    entry = ws.progress.get(item.link.id)
    marks = marks_of(ws)
    emit(
        json_out,
        lambda: jsonout.LinkJson.of(ws).marked(item, marks),
        lambda w: render_show(w, item, status, entry, marks),
    )
