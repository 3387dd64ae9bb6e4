"""Reading: marks, notes, next, progress, history."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
from typing import TYPE_CHECKING, Annotated

import typer

from llmdive.cli.app import IdArg, IdsArg, JsonOpt, NoteArg, SectionOpt, app, emit, workspace
from llmdive.cli.links import marks_of
from llmdive.vocab import Status

if TYPE_CHECKING:
    from llmdive.models import Progress


def _mark(
    ctx: typer.Context, ids: list[str] | None, section: str | None, status: Status, json_out: bool
) -> None:
    from llmdive import jsonout, progress, render

    ws = workspace(ctx)
    items = progress.marked_items(ws.catalogue, ids or [], section)
    changes, after = progress.update_progress(
        ws.home, lambda p: (progress.set_status(p, ws.catalogue, items, status), p)
    )
    emit(
        json_out,
        lambda: jsonout.status_changes_json(jsonout.LinkJson(ws.catalogue, after), changes),
        lambda w: (render.render_marked if section else render.render_changes)(w, changes),
    )


MarkIdsArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Link ids, or unambiguous prefixes of them (or use --section).",
        autocompletion=IdsArg.__metadata__[0].autocompletion,
        metavar="[ID]...",
        show_default=False,
    ),
]
MarkSectionOpt = Annotated[
    str | None,
    typer.Option(
        "--section",
        "-s",
        help="Every link at or below this section or topic (one change: one `undo`).",
        autocompletion=SectionOpt.__metadata__[0].autocompletion,
        metavar="SECTION",
        show_default=False,
    ),
]


@app.command("mark-read")
def mark_read(
    ctx: typer.Context,
    link_ids: MarkIdsArg = None,
    section: MarkSectionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Mark links as read.

    Example: llmdive mark-read illustrated-transformer lora (or: --section finetuning)
    """
    _mark(ctx, link_ids, section, Status.READ, json_out)


@app.command("mark-unread")
def mark_unread(
    ctx: typer.Context,
    link_ids: MarkIdsArg = None,
    section: MarkSectionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Mark links as unread again (their history is kept)."""
    _mark(ctx, link_ids, section, Status.UNREAD, json_out)


@app.command()
def start(
    ctx: typer.Context,
    link_ids: MarkIdsArg = None,
    section: MarkSectionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Mark links as being read: `next` offers them first."""
    _mark(ctx, link_ids, section, Status.READING, json_out)


@app.command()
def skip(
    ctx: typer.Context,
    link_ids: MarkIdsArg = None,
    section: MarkSectionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Skip links: `next` passes them over and progress leaves them out of the totals."""
    _mark(ctx, link_ids, section, Status.SKIPPED, json_out)


@app.command()
def note(ctx: typer.Context, link_id: IdArg, text: NoteArg, json_out: JsonOpt = False) -> None:
    """Keep a note on a link (shown by `show`).

    Example: llmdive note lora "re-read the rank section"
    """
    from llmdive import jsonout, progress

    ws = workspace(ctx)
    item = ws.catalogue.resolve_id(link_id)

    def change(p: "Progress") -> "tuple[str | None, Progress]":
        before = p.value(item.link.id, "note")
        if text or before:  # removing no note records nothing
            progress.set_note(p, item, text)
        return before, p

    before, after = progress.update_progress(ws.home, change)
    if json_out:
        link = jsonout.LinkJson(ws.catalogue, after)(item)
        jsonout.emit_json({"changes": [jsonout.change_json(link, "note", before, link["note"])]})
        return
    if text:
        said = "note replaced" if before else "noted"
    else:
        said = "note removed" if before else "no note to remove"
    emit(False, list, lambda w: w.line(f"{said}: ", (item.link.id, "cyan")))


@app.command("next")
def next_(ctx: typer.Context, section: SectionOpt = None, json_out: JsonOpt = False) -> None:
    """What to read next in each section: easiest unread first, links being read before all."""
    from llmdive import jsonout, planner, render

    ws = workspace(ctx)
    within = ws.catalogue.find_topic(section) if section else None
    marks = marks_of(ws)
    picks = planner.next_links(ws.catalogue, ws.states, within, marks.dead)
    emit(
        json_out,
        lambda: jsonout.next_json(jsonout.LinkJson.of(ws), picks, marks),
        lambda w: render.render_next(w, picks, ws.states, marks, ws.catalogue),
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
