"""Reading: marks, notes, next, progress, history."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
# start-up: every command module is imported on each start (to register its commands), so
# a command imports the core it uses inside its body.
from typing import TYPE_CHECKING, Annotated

import typer

from llmdive.cli import bodies, params
from llmdive.cli.app import (
    IdArg,
    IdsArg,
    JsonOpt,
    SectionOpt,
    _note_text,
    app,
    argument,
    emit,
    marks_of,
    option,
    parsed_by,
    when_value,
    workspace,
)
from llmdive.errors import LlmdiveError
from llmdive.model.vocab import Status

if TYPE_CHECKING:
    from llmdive.model.models import Progress
    from llmdive.workspace import Workspace


def _mark(
    ctx: typer.Context,
    ids: list[str] | None,
    section: str | None,
    status: Status,
    json_out: bool,
    include_skipped: bool = False,
) -> None:
    if not ids and section is None:
        from typer._click.exceptions import UsageError

        raise UsageError("name the links: give one or more IDs, or --section SECTION", ctx)
    bodies.mark(workspace(ctx), ids, section, status, json_out, include_skipped)


MarkIdsArg = Annotated[
    list[str] | None,
    argument(params.MARK_IDS, autocompletion=IdsArg.__metadata__[0].autocompletion),
]
MarkSectionOpt = Annotated[
    str | None,
    option(
        params.MARK_SECTION,
        callback=SectionOpt.__metadata__[0].callback,
        autocompletion=SectionOpt.__metadata__[0].autocompletion,
    ),
]
IncludeSkippedOpt = Annotated[bool, option(params.INCLUDE_SKIPPED, show_default=True)]


@app.command("mark-read")
def mark_read(
    ctx: typer.Context,
    link_ids: MarkIdsArg = None,
    section: MarkSectionOpt = None,
    include_skipped: IncludeSkippedOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Mark links as read.

    Example: llmdive mark-read illustrated-transformer lora (or: --section finetuning)
    """
    _mark(ctx, link_ids, section, Status.READ, json_out, include_skipped)


@app.command("mark-unread")
def mark_unread(
    ctx: typer.Context,
    link_ids: MarkIdsArg = None,
    section: MarkSectionOpt = None,
    include_skipped: IncludeSkippedOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Mark links as unread again (their history is kept)."""
    _mark(ctx, link_ids, section, Status.UNREAD, json_out, include_skipped)


@app.command()
def start(
    ctx: typer.Context,
    link_ids: MarkIdsArg = None,
    section: MarkSectionOpt = None,
    include_skipped: IncludeSkippedOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Mark links as being read: `next` offers them first."""
    _mark(ctx, link_ids, section, Status.READING, json_out, include_skipped)


@app.command()
def skip(
    ctx: typer.Context,
    link_ids: MarkIdsArg = None,
    section: MarkSectionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Skip links: `next` passes them over and progress leaves them out of the totals."""
    _mark(ctx, link_ids, section, Status.SKIPPED, json_out, include_skipped=True)


def _note_or_none(value: str | None) -> str | None:

    return None if value is None else _note_text(value)


@app.command()
def note(
    ctx: typer.Context,
    link_id: IdArg,
    text: Annotated[
        str | None,
        typer.Argument(
            help="The note; an empty string removes it; none shows the note.",
            callback=_note_or_none,
            metavar="TEXT",
            show_default=False,
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Keep a note on a link (shown by `show`), or, with no text, show its note.

    Example: llmdive note lora "re-read the rank section"
    """
    from llmdive.output import jsonout, jsonreport
    from llmdive.output.views.reading import render_note
    from llmdive.record import progress

    ws = workspace(ctx)
    item = ws.catalogue.resolve_id(link_id)
    if text is None:
        held = progress.record_key(ws.catalogue, ws.progress, item.link.id)
        current = ws.progress.value(held, "note")
        # The same link object as `show --json`.
        emit(
            json_out,
            lambda: jsonout.LinkJson.of(ws).marked(item, marks_of(ws)),
            lambda w: render_note(w, item, current),
        )
        return

    def change(p: "Progress") -> "tuple[str | None, Progress]":
        before = p.value(progress.record_key(ws.catalogue, p, item.link.id), "note")
        if text or before:  # removing no note records nothing
            progress.set_note(p, item, text, catalogue=ws.catalogue)
        return before, p

    before, after = progress.update_progress(ws.home, change, ws.catalogue.aliases)
    if json_out:
        link = jsonout.LinkJson(ws.catalogue, after, None, ws.measured)(item)
        jsonout.emit_json({"changes": [jsonreport.change_json(link, "note", before, link["note"])]})
        return
    if text:
        said = "note replaced" if before else "noted"
    else:
        said = "note removed" if before else "no note to remove"
    emit(False, list, lambda w: w.line(f"{said}: ", (item.link.id, "cyan")))


@app.command()
def estimate(
    ctx: typer.Context,
    link_id: IdArg,
    duration: Annotated[
        str | None,
        typer.Argument(
            help="How long it takes you: 45m, 1h30m, 90s, 1.5h; none shows the duration.",
            callback=parsed_by(params.duration_seconds),
            metavar="[DURATION]",
            show_default=False,
        ),
    ] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="Forget the duration you set (a measured one stays).")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Say how long a link takes you: `next --budget` and `progress` count it.

    It is kept in your record (it travels with sync, merge and export) and wins over a
    length `check-links --durations` measured.

    Example: llmdive estimate illustrated-transformer 25m (or: --clear)
    """
    from llmdive.model.timespec import format_duration, parse_duration
    from llmdive.output import jsonout, jsonreport
    from llmdive.output.views.common import time_words
    from llmdive.record import progress

    if duration is not None and clear:
        raise typer.BadParameter("give a DURATION or --clear, not both", param_hint="--clear")
    ws = workspace(ctx)
    item = ws.catalogue.resolve_id(link_id)
    if duration is None and not clear:
        emit(
            json_out,
            lambda: jsonout.LinkJson.of(ws).marked(item, marks_of(ws)),
            lambda w: w.line((item.link.id, "cyan"), ": ", time_words(ws.timing, item)),
        )
        return
    seconds = None if clear else parse_duration(duration or "")

    def change(p: "Progress") -> "tuple[int | None, Progress]":
        before: int | None = p.value(item.link.id, "estimate")
        progress.set_estimate(p, item, seconds)
        return before, p

    before, after = progress.update_progress(ws.home, change, ws.catalogue.aliases)
    if json_out:
        link = jsonout.LinkJson(ws.catalogue, after, None, ws.measured)(item)
        old, new = (None if v is None else str(v) for v in (before, seconds))
        jsonout.emit_json({"changes": [jsonreport.change_json(link, "estimate", old, new)]})
        return
    if seconds is not None:
        said = f"{format_duration(seconds)} set" + (
            f" (was {format_duration(before)})" if before and before != seconds else ""
        )
    else:
        said = f"estimate cleared (was {format_duration(before)})" if before else "no estimate set"
    emit(False, list, lambda w: w.line((item.link.id, "cyan"), f": {said}"))


@app.command("next")
def next_(
    ctx: typer.Context,
    section: SectionOpt = None,
    count: Annotated[int, option(params.COUNT, show_default=True)] = 1,
    json_out: JsonOpt = False,
    include_dead: Annotated[bool, option(params.INCLUDE_DEAD, show_default=True)] = False,
    budget: Annotated[str | None, option(params.BUDGET)] = None,
    queue: Annotated[bool, option(params.QUEUE, show_default=True)] = False,
) -> None:
    """What to read next in each section: easiest unread first, links being read before all.

    Easy links come first, then Medium and Unrated ones (in guide order), Hard last.
    --queue: the whole reading list as one path; --budget 30m: what of it fits in 30 minutes.

    Example: llmdive next -n 3 --section finetuning (or: llmdive next --budget 30m)
    """
    bodies.next_(workspace(ctx), section, count, json_out, include_dead, budget, queue)


def _history_key(ws: "Workspace", query: str) -> str:
    """The record key `history ID` means: a link of the catalogue, else one no longer in
    it (a removed personal link, a link a guide update dropped) by its exact id."""

    from llmdive.record.progress import record_key

    try:
        item = ws.catalogue.resolve_id(query)
        return record_key(ws.catalogue, ws.progress, item.link.id)  # its URL's entry
    except LlmdiveError:
        if ws.progress.get(query.strip()) is not None:
            return query.strip()
        raise


@app.command()
def history(
    ctx: typer.Context,
    link_id: Annotated[
        str | None,
        typer.Argument(
            help="Only this link's changes: its id, a prefix of it, or its URL.",
            autocompletion=IdArg.__metadata__[0].autocompletion,
            metavar="[ID]",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("-n", min=1, show_default=False, help="Only the newest N changes."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="WHEN",
            show_default=False,
            help="Only changes from then on: a date (YYYY-MM-DD, local time), a time, "
            "'yesterday', '3 days ago', '3d', '2w', 'last monday'.",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """What you marked, and when, newest first; with an ID, that link's changes alone.

    Example: llmdive history --since '3 days ago' -n 20 (or: llmdive history lora)
    """
    from llmdive.output.views.reading import render_history
    from llmdive.record import progress

    when = when_value(since)
    ws = workspace(ctx)
    rows = progress.history(ws.progress)
    if ws.guide_names:  # --guide NAME: the changes to those guides' links
        keys = progress.keys_of(ws.catalogue, ws.progress)
        rows = [r for r in rows if r.id in keys]
    if link_id is not None:
        key = _history_key(ws, link_id)
        rows = [r for r in rows if r.id == key]
    rows = progress.recent(rows, limit, when)
    filtered = limit is not None or when is not None
    emit(
        json_out,
        lambda: [r.to_json() for r in rows],
        lambda w: render_history(w, rows, filtered, link_id is not None),
    )
