"""One record on several machines: `sync`, `progress merge`, `doctor`."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
from pathlib import Path
from typing import Annotated

import typer

from llmdive.cli.app import JsonOpt, app, emit, workspace
from llmdive.cli.record import progress_app

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
    from llmdive.output import jsonout, render
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
        lambda w: render.render_merge_report(w, rep, dry_run),
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


@app.command()
def sync(
    ctx: typer.Context,
    remote: Annotated[
        str | None,
        typer.Option(
            "--remote",
            metavar="URL",
            show_default=False,
            help="Set up (once): a private git repository (ssh, https or a path).",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Sync your record with your other machines through a git repository of your own.

    Example: llmdive sync --remote git@github.com:you/llmdive-record.git (once), then llmdive sync
    """
    from llmdive.output import jsonout, render
    from llmdive.record import intake
    from llmdive.record import sync as syncing

    ws = workspace(ctx)
    guide = ws.base_catalogue
    result = syncing.sync(ws.home, remote, guide.aliases, intake.reserved_ids(guide))
    emit(
        json_out,
        lambda: jsonout.sync_json(jsonout.LinkJson.of(ws), result),
        lambda w: render.render_sync(w, result),
    )


@app.command()
def doctor(
    ctx: typer.Context,
    merge: Annotated[
        bool,
        typer.Option(
            "--merge", help="Merge the conflicted copies file-sync tools left, then remove them."
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Check your llmdive home: files readable, sync set up, conflicted copies to merge.

    Exits 1 when it finds a problem (a line marked ✗), 0 when all is well.
    """
    import contextlib

    from llmdive.errors import LlmdiveError
    from llmdive.output import jsonout, render
    from llmdive.record import doctor, intake

    ws = workspace(ctx)
    health = doctor.health(ws.home)
    merged = (
        intake.merge_copies(
            ws.home,
            health.copies,
            aliases=ws.base_catalogue.aliases,
            reserved=intake.reserved_ids(ws.base_catalogue),
        )
        if merge
        else []
    )
    if merged:
        health = doctor.health(ws.home)
    with contextlib.suppress(LlmdiveError):  # no catalogue (a broken personal.json): said
        health.facts += doctor.unknown_ids(ws.home, ws.catalogue)
    emit(
        json_out,
        lambda: jsonout.doctor_json(jsonout.LinkJson.of(ws) if merged else None, health, merged),
        lambda w: render.render_health(w, health, merged),
    )
    if any(m.error for m in merged) or health.has_errors:
        raise typer.Exit(1)
