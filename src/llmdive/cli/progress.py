"""The reader's record as a whole: the `progress` group — the summary, `progress export`,
`progress merge` (another machine's record into yours) and git's hidden merge driver."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
# start-up: every command module is imported on each start (to register its commands), so
# a command imports the core it uses inside its body.
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from llmdive.cli.app import Group, JsonOpt, SectionOpt, app, emit, workspace

progress_app = typer.Typer(
    cls=Group,
    help="How far along you are; `progress export` shares your record.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(progress_app, name="progress")


@progress_app.callback()
def progress_(ctx: typer.Context, section: SectionOpt = None, json_out: JsonOpt = False) -> None:
    """How far along you are: overall, per section and per difficulty.

    With --section, within that section: its topics and difficulties.

    Example: llmdive progress export --format markdown --output reading.md
    """
    if ctx.invoked_subcommand is not None:
        return
    from llmdive.find import planner
    from llmdive.output import jsonout
    from llmdive.output.views.progress import render_progress
    from llmdive.record.progress import orphans

    ws = workspace(ctx)
    within = ws.catalogue.find_topic(section) if section else None
    summary = planner.summarize(ws.catalogue, ws.states, within)
    # --guide NAME: the other guides' links are not lost, only left out.
    lost = {} if within or ws.guide_names else orphans(ws.catalogue, ws.progress)
    emit(
        json_out,
        lambda: jsonout.progress_json(summary, lost),
        lambda w: render_progress(w, summary, lost),
    )


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
    from llmdive.output import jsonout
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
        lambda: jsonout.merge_report_json(jsonout.LinkJson.of(ws), rep, dry_run),
        lambda w: render_merge_report(w, rep, dry_run),
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
