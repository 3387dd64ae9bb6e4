"""Browsing the guide: list, toc, show, and the full-screen reader (tui)."""

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
    offers = bodies.toc_offers(ws)
    emit(
        json_out,
        lambda: jsonout.toc_json(ws.catalogue, ws.states, hide_empty, offers),
        lambda w: render_toc(w, ws.catalogue, ws.states, hide_empty, offers),
    )


@app.command()
def show(ctx: typer.Context, link_id: IdArg, json_out: JsonOpt = False) -> None:
    """Show one link with its full section path, status and note; or a heading, by its slug
    or title, with what the other followed guides offer it.

    A link's exact id comes first, then a heading's exact slug or title (the default
    guide's first, the others named) unless it starts the id of the one link under it,
    then the start of an id or a URL.

    Example: llmdive show attention
    """
    from llmdive.output import jsonout
    from llmdive.output.views.browse import render_show, render_topic
    from llmdive.output.views.common import rated
    from llmdive.record.progress import record_key

    ws = workspace(ctx)
    item = bodies.show_target(ws.catalogue, link_id)
    if isinstance(item, list):
        path = item[0]
        others = [(ws.catalogue.section_guide(p[0]), p[-1].slug) for p in item[1:]]
        offers = bodies.offers_for(ws, path)
        emit(
            json_out,
            lambda: jsonout.topic_json(ws.catalogue, path, ws.states, offers),
            lambda w: render_topic(w, ws.catalogue, path, ws.states, offers, others),
        )
        return
    status = ws.states.get(item.link.id, Status.UNREAD)
    entry = ws.progress.get(record_key(ws.catalogue, ws.progress, item.link.id))
    marks = marks_of(ws)
    also = ws.catalogue.also_in(item)
    emit(
        json_out,
        lambda: jsonout.LinkJson.of(ws).marked(item, marks),
        lambda w: render_show(
            w,
            item,
            status,
            entry,
            marks,
            also,
            rated(i for i in ws.catalogue.items if i.guide == item.guide),
            ws.timing,
        ),
    )


@app.command()
def tui(ctx: typer.Context) -> None:
    """A full-screen reader: the guide's tree, its links, marks, notes, search and Next.

    Keys: / search, r read, s start, x skip, u undo, o open, e note, n next, ? help, q quit.
    """
    # start-up: Textual is imported only here, inside the command (tests/test_startup.py).
    from llmdive.tui.app import run

    run(workspace(ctx))
