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
    from llmdive import reconcile, render

    home = workspace(ctx).home
    rep = reconcile.merge_into_home(home, reconcile.read_record(file), dry_run)
    emit(
        json_out,
        lambda: {**rep.to_json(), "dry_run": dry_run},
        lambda w: render.render_merge_report(w, rep, dry_run),
    )


@progress_app.command("merge-driver", hidden=True)
def progress_merge_driver(
    base: Annotated[Path, typer.Argument()],
    ours: Annotated[Path, typer.Argument()],
    theirs: Annotated[Path, typer.Argument()],
    name: Annotated[str, typer.Argument()] = "progress.json",
) -> None:
    """git's merge driver for progress.json and personal.json (set up by `llmdive sync`)."""
    from llmdive import reconcile

    reconcile.merge_driver(base, ours, theirs, name)


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
    from llmdive import render
    from llmdive import sync as syncing

    result = syncing.sync(workspace(ctx).home, remote)
    emit(json_out, result.to_json, lambda w: render.render_sync(w, result))


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
    """Check your llmdive home: files readable, sync set up, conflicted copies to merge."""
    from llmdive import reconcile, render

    home = workspace(ctx).home
    health = reconcile.health(home)
    if not merge:
        emit(json_out, health.to_json, lambda w: render.render_health(w, health))
        return
    merged = reconcile.merge_copies(home, health.copies)
    emit(
        json_out,
        lambda: [{"file": str(m.path), "error": m.error,
                  "report": m.report.to_json() if m.report else None} for m in merged],
        lambda w: render.render_copies_merged(w, merged),
    )  # fmt: skip
    if any(m.error for m in merged):
        raise typer.Exit(1)

