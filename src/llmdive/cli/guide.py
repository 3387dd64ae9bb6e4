"""The catalogue itself: guide import/update/status/export, and whatsnew."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
import sys
from pathlib import Path
from typing import Annotated

import typer

from llmdive.cli.app import JsonOpt, app, emit, guide_app, workspace


@guide_app.command("import")
def guide_import(
    readme: Annotated[
        Path,
        typer.Argument(
            help="A README in The LLM Deep Dive's format.", dir_okay=False, show_default=False
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", dir_okay=False, help="Write the catalogue here (default: stdout)."
        ),
    ] = None,
) -> None:
    """Turn a guide README into a catalogue TOML.

    When the output file exists, its ids are kept for the links that continue there.

    Example: llmdive guide import README.md -o guide.toml
    """
    from llmdive import catalogue, render, update
    from llmdive.storage import write_output

    old = catalogue.load_catalogue(output) if output and output.exists() else None
    result = update.plan(update.read_readme(str(readme)), str(readme), old)
    for warning in result.warnings:
        render.warn(warning)
    toml_text = catalogue.dump_toml(result.guide)
    if output is None:
        sys.stdout.write(toml_text)
        return
    write_output(output, toml_text)
    links = sum(len(t.links) for _, t in result.guide.walk())
    kept = f", {links - len(result.report.added)} ids kept" if old else ""
    sys.stderr.write(
        f"wrote {output}: {len(result.guide.sections)} sections, {links} links{kept}\n"
    )


@guide_app.command("update")
def guide_update(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Option(
            "--from", show_default=False, help="The newer README: a file or an http(s) URL."
        ),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report, change nothing.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Follow the guide: import a newer README, keeping every id and all your progress."""
    from llmdive import jsonout, render, update
    from llmdive.catalogue import Catalogue

    ws = workspace(ctx)
    plan = update.plan_update(ws, source)
    for warning in plan.warnings:
        render.warn(warning)
    if not dry_run:
        update.apply_update(ws, plan)
    new = Catalogue(plan.guide)
    emit(
        json_out,
        lambda: jsonout.report_json(plan.report, ws.base_catalogue, new, ws.progress, dry_run),
        lambda w: render.render_report(w, plan.report, dry_run),
    )
    if ws.guide_chosen and not dry_run:
        render.warn(f"--guide/$LLMDIVE_GUIDE still points at {ws.guide_path}; commands use it")


@guide_app.command("status")
def guide_status(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Which catalogue is in use, where it came from and when."""
    from llmdive import render, update

    data = update.status(workspace(ctx))
    emit(json_out, lambda: data, lambda w: render.render_status(w, data))


@guide_app.command("export")
def guide_export(
    ctx: typer.Context,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="markdown (the guide's README format) or toml.")
    ] = "markdown",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", dir_okay=False, help="Write here instead of stdout."),
    ] = None,
) -> None:
    """Write the catalogue in use back out, as the guide's README or as TOML."""
    from llmdive.catalogue import dump_toml
    from llmdive.markdown import export_markdown
    from llmdive.storage import write_output

    writers = {"markdown": export_markdown, "toml": dump_toml}
    if fmt not in writers:
        raise typer.BadParameter("choose markdown or toml", param_hint="--format")
    text = writers[fmt](workspace(ctx).base_catalogue.guide)
    if output is None:
        sys.stdout.write(text)
    else:
        write_output(output, text)


@app.command()
def whatsnew(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Links that arrived with guide updates and that you have not read, per section."""
    from llmdive import jsonout, render, update

    ws = workspace(ctx)
    groups = update.whatsnew(ws)
    emit(
        json_out,
        lambda: jsonout.whatsnew_json(jsonout.LinkJson.of(ws), groups),
        lambda w: render.render_whatsnew(w, groups),
    )
