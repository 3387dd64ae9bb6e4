"""One record on several machines and its health: `sync`, `doctor`."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
# start-up: every command module is imported on each start (to register its commands), so
# a command imports the core it uses inside its body.
from typing import Annotated

import typer

from llmdive.cli.app import JsonOpt, app, emit, workspace
from llmdive.errors import LlmdiveError

DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Report, change nothing.")]


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
    from llmdive.output import jsonout, jsonreport
    from llmdive.output.views.sync import render_sync
    from llmdive.record import intake
    from llmdive.record import sync as syncing

    ws = workspace(ctx)
    guide = ws.base_catalogue
    result = syncing.sync(ws.home, remote, guide.aliases, intake.reserved_ids(guide))
    emit(
        json_out,
        lambda: jsonreport.sync_json(jsonout.LinkJson.of(ws), result),
        lambda w: render_sync(w, result),
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

    from llmdive.net import linkmarks
    from llmdive.output import jsonout, jsonreport
    from llmdive.output.views.sync import render_health
    from llmdive.record import doctor, intake

    ws = workspace(ctx)
    health = doctor.health(ws.home, linkmarks.health_facts)
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
        health = doctor.health(ws.home, linkmarks.health_facts)
    with contextlib.suppress(LlmdiveError):  # no catalogue (a broken personal.json): said
        health.facts += doctor.unknown_ids(ws.home, ws.catalogue)
    emit(
        json_out,
        lambda: jsonreport.doctor_json(jsonout.LinkJson.of(ws) if merged else None, health, merged),
        lambda w: render_health(w, health, merged),
    )
    if any(m.error for m in merged) or health.has_errors:
        raise typer.Exit(1)
