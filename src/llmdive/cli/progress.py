"""The reader's record as a whole: the `progress` group — the summary, `progress export`,
`progress merge` (another machine's record into yours) and git's hidden merge driver."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
# start-up: every command module is imported on each start (to register its commands), so
# a command imports the core it uses inside its body.
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from llmdive.cli import params
from llmdive.cli.app import (
    Group,
    JsonOpt,
    SectionOpt,
    app,
    emit,
    parsed_by,
    when_value,
    workspace,
)

if TYPE_CHECKING:
    from llmdive.output.terminal import Writer

progress_app = typer.Typer(
    cls=Group,
    help="How far along you are; `progress export` shares your record.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(progress_app, name="progress")


@progress_app.callback()
def progress_(
    ctx: typer.Context,
    section: SectionOpt = None,
    json_out: JsonOpt = False,
    pace: Annotated[
        str | None,
        typer.Option(
            "--pace",
            metavar="PACE",
            callback=parsed_by(params.pace_rate),
            show_default=False,
            help="Your pace, like 5h/week or 30m/day: each section's finish date (default: "
            "`llmdive config pace`, else measured from the last four weeks of marks).",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="WHEN",
            show_default=False,
            help="What you did from then on (7d, yesterday, last monday, a date): links "
            "finished, time spent, sections moved, your streak and a calendar.",
        ),
    ] = None,
    week: Annotated[
        bool, typer.Option("--week", help="What you did this week (since Monday), as --since.")
    ] = False,
) -> None:
    """How far along you are: overall, per section and per difficulty, and the time read
    and left where durations are known.

    With --section, within that section: its topics and difficulties.

    Example: llmdive progress --week --pace 5h/week (or: progress export -f markdown -o r.md)
    """
    if ctx.invoked_subcommand is not None:
        return
    from datetime import datetime, timedelta

    from llmdive.find import pace as timing
    from llmdive.find import planner
    from llmdive.model.timespec import midnight, parse_pace
    from llmdive.output import jsonout
    from llmdive.output.views.progress import render_progress
    from llmdive.record.progress import orphans

    if since is not None and week:
        raise typer.BadParameter("give --since or --week, not both", param_hint="--week")
    start = when_value(since)
    ws = workspace(ctx)
    now = datetime.now().astimezone()
    if week:
        start = midnight(now.date() - timedelta(days=now.weekday()), now)
    cat, clock = ws.catalogue, ws.timing
    within = cat.find_topic(section) if section else None
    summary = planner.summarize(cat, ws.states, within)
    # --guide NAME: the other guides' links are not lost, only left out.
    lost = {} if within or ws.guide_names else orphans(cat, ws.progress)
    times = timing.times(cat, ws.states, clock.seconds, within, clock.timed())
    rate, source = (parse_pace(pace), "given") if pace else (None, None)
    if rate is None:
        from llmdive.home.config import load_config

        stored = load_config(ws.home).get("pace")
        rate, source = (parse_pace(str(stored)), "config") if stored else (None, None)
    if rate is None:
        found = timing.measured_pace(ws.progress, cat.by_id, clock.seconds, clock.took, now)
        rate, source = found, "measured" if found else None
    timing.finish_dates(times, rate, now.date(), source)
    act = None
    if start is not None:
        act = timing.activity(ws.progress, cat, start, clock.seconds, clock.took, now.date())
    emit(
        json_out,
        lambda: jsonout.progress_json(
            summary, lost, times, jsonout.activity_json(jsonout.LinkJson.of(ws), act)
        ),
        lambda w: render_progress(w, summary, lost, times, act, now.date(), bool(pace)),
    )


@app.command()
def config(
    ctx: typer.Context,
    key: Annotated[
        str | None,
        typer.Argument(
            help="pace (like 5h/week) or wpm (words a minute).", metavar="[KEY]", show_default=False
        ),
    ] = None,
    value: Annotated[
        str | None,
        typer.Argument(help="Its new value; none shows it.", metavar="[VALUE]", show_default=False),
    ] = None,
    unset: Annotated[bool, typer.Option("--unset", help="Forget this setting.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Your settings on this machine: your pace (progress's finish dates) and the words
    a minute an article's reading time is counted at.

    Example: llmdive config pace 5h/week (or: llmdive config pace --unset)
    """
    from llmdive.home.config import KEYS, check, load_config, set_config
    from llmdive.output.jsonout import emit_json

    if key is not None and key not in KEYS:
        raise typer.BadParameter(f"no setting {key!r}: the settings are {', '.join(KEYS)}")
    if value is not None and unset:
        raise typer.BadParameter("give a VALUE or --unset, not both", param_hint="--unset")
    if key is not None and value is not None:
        try:
            check(key, value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="VALUE") from None
    ws = workspace(ctx)
    changing = key is not None and (value is not None or unset)
    settings = set_config(ws.home, key, value) if changing and key else load_config(ws.home)
    if json_out:  # every setting, as the shape says
        emit_json({k: settings.get(k) for k in KEYS})
        return
    shown = {k: settings.get(k) for k in ([key] if key else KEYS)}
    lines = [f"{k} = {'(not set)' if v is None else v}" for k, v in shown.items()]

    def view(w: "Writer") -> None:
        for line in lines:
            w.line(line)

    emit(False, list, view)


class RecordFormat(StrEnum):
    MARKDOWN = "markdown"
    JSON = "json"
    CSV = "csv"


@progress_app.command("export")
def progress_export(
    ctx: typer.Context,
    fmt: Annotated[
        RecordFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="markdown (a checklist by section), json (the whole record, for "
            "`progress merge`) or csv (one row per link).",
        ),
    ] = RecordFormat.MARKDOWN,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", dir_okay=False, help="Write here instead of stdout."),
    ] = None,
) -> None:
    """Export your reading record to share: a Markdown checklist, JSON or CSV.

    Example: llmdive progress export --format csv --output reading.csv
    """
    from llmdive.output.terminal import emit_text, json_safe, safe
    from llmdive.record import export as record
    from llmdive.record.personal import load_personal

    ws = workspace(ctx)
    text = record.export(fmt.value, ws.catalogue, ws.progress, load_personal(ws.home), ws.followed)
    if output is None:
        # Made safe like all output: JSON keeps its meaning (controls as \u escapes).
        if fmt is RecordFormat.JSON:
            sys.stdout.write(json_safe(text))
        else:
            emit_text(text)
        return
    from llmdive.home.storage import write_output

    write_output(output, text, home=ws.home)
    sys.stderr.write(safe(f"wrote {output}") + "\n")


DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Report, change nothing.")]


@progress_app.command("merge")
def progress_merge(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="Another machine's progress.json, or a `progress export --format json` file.",
            metavar="FILE",
            dir_okay=False,
            show_default=False,
        ),
    ],
    dry_run: DryRunOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Merge another machine's record into yours: nothing on either side is lost.

    Example: llmdive progress merge ~/Dropbox/llmdive/progress.json --dry-run
    """
    from llmdive.output import jsonout, jsonreport
    from llmdive.output.views.sync import render_merge_report
    from llmdive.record import intake

    ws = workspace(ctx)
    # The guide alone: a home whose personal links clash with it is mended by a merge.
    guide = ws.base_catalogue
    rep = intake.merge_into_home(
        ws.home, intake.read_record(file), dry_run, guide.aliases, intake.reserved_ids(guide)
    )
    emit(
        json_out,
        lambda: jsonreport.merge_report_json(jsonout.LinkJson.of(ws), rep, dry_run),
        lambda w: render_merge_report(w, rep, dry_run),
    )


@progress_app.command("import-checklist")
def progress_import_checklist(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="A Markdown checklist: `progress export`, or a guide's README with "
            "`- [x]` boxes ticked.",
            metavar="FILE",
            dir_okay=False,
            show_default=False,
        ),
    ],
    dry_run: DryRunOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Mark read what a ticked checklist says you read (one change: `undo` takes it back).

    Each ticked item is matched to a link by its URL, then by its title within its
    section; nothing is ever unmarked, and what matches no link is listed.

    Example: llmdive progress import-checklist my-fork/README.md --dry-run
    """
    from llmdive.guide.fetch import read_text
    from llmdive.output import jsonout, jsonreport
    from llmdive.output.views.progress import render_checklist
    from llmdive.record.checklist import import_checklist

    ws = workspace(ctx)
    text = read_text(str(file))
    reading = import_checklist(ws.home, ws.catalogue, text, str(file), dry_run)
    emit(
        json_out,
        lambda: jsonreport.checklist_json(jsonout.LinkJson.of(ws), reading, dry_run),
        lambda w: render_checklist(w, reading, dry_run),
    )


@progress_app.command("merge-driver", hidden=True)
def progress_merge_driver(
    base: Annotated[Path, typer.Argument(help="The common ancestor (git's %O).")],
    ours: Annotated[Path, typer.Argument(help="This side, replaced by the merge (%A).")],
    theirs: Annotated[Path, typer.Argument(help="The other side (%B).")],
    name: Annotated[str, typer.Argument(help="The file's path in the repository (%P).")] = (
        "progress.json"
    ),
) -> None:
    """git's merge driver for progress.json and personal.json (set up by `llmdive sync`)."""
    from llmdive.record import mergedriver

    mergedriver.merge_driver(base, ours, theirs, name)
