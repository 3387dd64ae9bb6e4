"""Reading: marks, notes, next, progress, history."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
import sys
from typing import Annotated

import typer

from llmdive.cli.app import IdArg, IdsArg, JsonOpt, SectionOpt, app, emit, workspace
from llmdive.vocab import Status


def _mark(ctx: typer.Context, ids: list[str], status: Status) -> None:
    from llmdive import progress, render

    ws = workspace(ctx)
    items = ws.catalogue.resolve_ids(ids)
    changes = progress.update_progress(
        ws.home, lambda p: progress.set_status(p, ws.catalogue, items, status)
    )
    emit(False, list, lambda w: render.render_changes(w, changes))


@app.command("mark-read")
def mark_read(ctx: typer.Context, link_ids: IdsArg) -> None:
    """Mark links as read.

    Example: llmdive mark-read illustrated-transformer lora
    """
    _mark(ctx, link_ids, Status.READ)


@app.command("mark-unread")
def mark_unread(ctx: typer.Context, link_ids: IdsArg) -> None:
    """Mark links as unread again (their history is kept)."""
    _mark(ctx, link_ids, Status.UNREAD)


@app.command()
def start(ctx: typer.Context, link_ids: IdsArg) -> None:
    """Mark links as being read: `next` offers them first."""
    _mark(ctx, link_ids, Status.READING)


@app.command()
def skip(ctx: typer.Context, link_ids: IdsArg) -> None:
    """Skip links: `next` passes them over and progress leaves them out of the totals."""
    _mark(ctx, link_ids, Status.SKIPPED)


@app.command()
def note(
    ctx: typer.Context,
    link_id: IdArg,
    text: Annotated[str, typer.Argument(help="The note; an empty string removes it.")],
) -> None:
    """Keep a note on a link (shown by `show`).

    Example: llmdive note lora "re-read the rank section"
    """
    from llmdive import progress

    ws = workspace(ctx)
    item = ws.catalogue.resolve_id(link_id)
    progress.update_progress(ws.home, lambda p: progress.set_note(p, item, text))
    sys.stdout.write(f"{'noted' if text else 'note removed'}: {item.link.id}\n")


@app.command("next")
def next_(ctx: typer.Context, section: SectionOpt = None, json_out: JsonOpt = False) -> None:
    """What to read next in each section: easiest unread first, links being read before all."""
    from llmdive import planner, render

    ws = workspace(ctx)
    within = ws.catalogue.find_topic(section) if section else None
    picks = planner.next_links(ws.catalogue, ws.states, within)
    emit(
        json_out,
        lambda: [p.to_json(ws.states) for p in picks],
        lambda w: render.render_next(w, picks, ws.states),
    )


@app.command("progress")
def progress_(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """How far along you are: overall, per section and per difficulty."""
    from llmdive import planner, render
    from llmdive.progress import orphans

    ws = workspace(ctx)
    summary = planner.summarize(ws.catalogue, ws.states)
    lost = orphans(ws.catalogue, ws.progress)
    emit(
        json_out,
        lambda: render.progress_json(summary, lost),
        lambda w: render.render_progress(w, summary, lost),
    )


@app.command()
def history(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """What you marked, and when, newest first."""
    from llmdive import progress, render

    rows = progress.history(workspace(ctx).progress)
    emit(
        json_out,
        lambda: [r.to_json() for r in rows],
        lambda w: render.render_history(w, rows),
    )
