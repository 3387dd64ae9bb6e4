"""The catalogue itself: guide import/update/status/export, the guides followed
(add/list/remove/rename), and whatsnew."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
# start-up: every command module is imported on each start (to register its commands), so
# a command imports the core it uses inside its body.
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from llmdive.cli.app import JsonOpt, app, emit, guide_app, workspace
from llmdive.errors import LlmdiveError
from llmdive.model.vocab import counted

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Catalogue
    from llmdive.guide.update import Plan
    from llmdive.record.guidechange import Outcome
    from llmdive.workspace import Workspace

VerboseOpt = Annotated[
    bool,
    typer.Option("--verbose", "-v", help="Every warning, not the first few of each kind."),
]


@guide_app.command("import")
def guide_import(
    ctx: typer.Context,
    readme: Annotated[
        Path,
        typer.Argument(
            help="A reading list's README (The LLM Deep Dive's, or any curated list).",
            dir_okay=False,
            show_default=False,
            metavar="README",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", dir_okay=False, help="Write the catalogue here (default: stdout)."
        ),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Turn a reading list's README into a catalogue TOML.

    When the output file exists, its ids are kept for the links that continue there.

    Example: llmdive guide import README.md -o guide.toml
    """
    from llmdive.guide import catalogue, update
    from llmdive.guide.importer import group_warnings
    from llmdive.home import storage
    from llmdive.output.terminal import emit_text, safe, warn

    home = workspace(ctx).home
    if output is not None:
        storage.refuse_home_output(output, home)
    # Ids are kept from a catalogue file there; /dev/stdout, a pipe or an empty file has none.
    old = catalogue.load_catalogue(output, home=home) if output and _has_content(output) else None
    result = update.plan(update.read_readme(str(readme)), str(readme), old)
    for warning in group_warnings(result.warnings, verbose):
        warn(warning)
    links = sum(len(t.links) for _, t in result.guide.walk())
    if not links:
        raise LlmdiveError(
            f"{readme} is evidently not a reading list: it has no links in lists, tables or "
            "headings; nothing written"
        )
    toml_text = catalogue.dump_toml(result.guide)
    found = _found(result)
    if output is None:
        emit_text(toml_text)
        sys.stderr.write(safe(f"read {readme}: {found}") + "\n")
        return
    storage.write_output(output, toml_text, home=home)
    kept = f", {counted(links - len(result.report.added), 'id')} kept" if old else ""
    sys.stderr.write(safe(f"wrote {output}: {found}{kept}") + "\n")


def _found(plan: "Plan") -> str:
    """'12 sections, 340 links, 95 related links': what an import found."""
    from llmdive.guide.importer import found

    links, sections, related = found(plan.guide)
    also = f", {counted(related, 'related link')}" if related else ""
    return f"{counted(sections, 'section')}, {counted(links, 'link')}{also}"


def _has_content(path: Path) -> bool:
    """Is `path` a regular file with something in it (never opened to find out)?"""
    import os
    import stat

    try:
        st = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size > 0


# --timeout of guide update and guide add: one declaration.
TimeoutOpt = Annotated[
    float,
    typer.Option(
        "--timeout",
        min=0.05,
        max=600,
        metavar="SECONDS",
        help="Seconds a download may take in all (connecting, then the whole README).",
    ),
]


@guide_app.command("update")
def guide_update(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            help="Only this guide (`default`: the default guide); every guide by default.",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="FILE|URL",
            show_default=False,
            help="The newer README: a file or an http(s) URL (default: the guide's upstream "
            "README, or $LLMDIVE_GUIDE_URL).",
        ),
    ] = None,
    timeout: TimeoutOpt = 30.0,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report, change nothing.")] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Apply an update that would remove most of the guide."),
    ] = False,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Follow the guide: import a newer README, keeping every id and all your progress.

    With no --from, reads the guide's own README upstream, and only when it has changed.

    Example: llmdive guide update --dry-run
    """
    from llmdive.output.terminal import warn
    from llmdive.record import guidechange

    ws = workspace(ctx)
    if name is not None and name != "default":
        if source is not None:
            raise LlmdiveError(
                f"--from reads the default guide; {name!r} is read from the source it was "
                "added with (`llmdive guide list` shows it)"
            )
        _update_followed(ws, name, dry_run, force, timeout, json_out, verbose)
        return
    if json_out and name is None and ws.followed:
        raise LlmdiveError(
            "with --json, name the guide to update (`llmdive guide update NAME --json`, "
            "`default` for the default guide): one report each"
        )
    every = name is None and bool(ws.followed) and not ws.guide_chosen
    failed = []
    try:
        outcome = guidechange.update_guide(ws, source, dry_run, force, timeout)
        _report_default(ws, outcome, dry_run, json_out, verbose)
    except LlmdiveError as exc:
        if not every:
            raise
        # Every guide is tried: one unreachable upstream stops none of the others.
        warn(f"the default guide was not updated: {str(exc).splitlines()[0]}")
        failed.append("default")
    if every:
        for followed in ws.followed:
            try:
                _update_followed(ws, followed.name, dry_run, force, timeout, json_out, verbose)
            except LlmdiveError as exc:
                warn(f"the guide {followed.name} was not updated: {str(exc).splitlines()[0]}")
                failed.append(followed.name)
    if failed:
        raise LlmdiveError(f"not updated: {', '.join(failed)} (see above)")


def _update_followed(
    ws: "Workspace",
    name: str,
    dry_run: bool,
    force: bool,
    timeout: float,
    json_out: bool,
    verbose: bool,
) -> None:
    """`guide update NAME` of a followed guide: its own conditional GET and report."""
    from llmdive.guide.catalogue import Catalogue
    from llmdive.guide.update import Report
    from llmdive.model.models import Guide
    from llmdive.output import jsonreport
    from llmdive.record import guides

    try:
        old = ws.guide_catalogue(name)
    except LlmdiveError:
        if name not in {f.name for f in ws.followed}:
            raise
        old = Catalogue(Guide())  # not fetched yet, or broken: every link is new
    done = guides.update(ws.home, name, dry_run, force, timeout)
    plan = done.plan
    if plan is None:
        emit(
            json_out,
            lambda: jsonreport.report_json(
                Report(done.source), old, old, ws.progress, dry_run, up_to_date=True
            ),
            lambda w: w.line(f"The guide {name} is already up to date with {done.source}."),
        )
        return
    _show_plan(ws, plan, old, done.source, done.applied, dry_run, json_out, verbose)


def _show_plan(
    ws: "Workspace",
    plan: "Plan",
    old: "Catalogue",
    source: str,
    applied: bool,
    dry_run: bool,
    json_out: bool,
    verbose: bool,
) -> None:
    """What an update read and did, the default guide's or a followed one's alike: the
    import's warnings and counts on stderr (in the JSON with --json), the report, and a
    refusal as the error it is (a warning on a dry run)."""
    from llmdive.guide.catalogue import Catalogue
    from llmdive.guide.importer import group_warnings
    from llmdive.output import jsonreport
    from llmdive.output.terminal import safe, warn
    from llmdive.output.views.guide import render_report

    if not json_out:  # --json: stdout alone says it all (the warnings too)
        for warning in group_warnings(plan.warnings, verbose):
            warn(warning)
        sys.stderr.write(safe(f"read {source}: {_found(plan)}") + "\n")
    refused = not dry_run and not applied
    emit(
        json_out,
        lambda: jsonreport.report_json(
            plan.report,
            old,
            Catalogue(plan.guide),
            ws.progress,
            dry_run,
            refused=None if applied else plan.refused,
            warnings=plan.warnings,
        ),
        lambda w: render_report(w, plan.report, dry_run, refused),
    )
    if plan.refused and not applied:
        if dry_run:
            warn(f"{plan.refused}: applying it needs --force")
        else:
            raise LlmdiveError(f"refused: {plan.refused}; nothing was changed (--force applies it)")


def _report_default(
    ws: "Workspace", outcome: "Outcome", dry_run: bool, json_out: bool, verbose: bool
) -> None:
    """What `guide update` did to the default guide, as it always said it."""
    from llmdive.guide import update
    from llmdive.output import jsonreport
    from llmdive.output.terminal import warn

    plan = outcome.plan
    if plan is None:
        same = ws.base_catalogue
        emit(
            json_out,
            lambda: jsonreport.report_json(
                update.Report(outcome.source), same, same, ws.progress, dry_run, up_to_date=True
            ),
            lambda w: w.line(f"The guide is already up to date with {outcome.source}."),
        )
        return
    _show_plan(
        ws, plan, ws.base_catalogue, outcome.source, outcome.applied, dry_run, json_out, verbose
    )
    if ws.guide_chosen and outcome.applied:
        warn(f"--guide/$LLMDIVE_GUIDE still points at {ws.guide_path}; commands use it")


@guide_app.command("add")
def guide_add(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            help="The name to follow it by (a slug, like llm-course); a name of the "
            "directory alone needs no SOURCE.",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Argument(
            help="A README's URL, a README file, a local clone's folder, or owner/repo "
            "(a GitHub repository's README).",
            metavar="[SOURCE]",
            show_default=False,
        ),
    ] = None,
    timeout: TimeoutOpt = 30.0,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Follow another reading list beside the default guide; alone, list known ones.

    Your record stays one: a link read in one guide shows read in every guide that has it.

    Example: llmdive guide add llm-course
    """
    from llmdive.guide.followed import DIRECTORY, directory_source
    from llmdive.output import jsonreport
    from llmdive.output.views.guide import render_directory, render_followed

    if name is None:
        emit(json_out, lambda: jsonreport.directory_json(DIRECTORY), lambda w: render_directory(w))
        return
    from llmdive.guide.followed import check_name
    from llmdive.guide.importer import group_warnings
    from llmdive.output.terminal import warn
    from llmdive.record import guides

    check_name(name)
    if source is None:
        source = directory_source(name)
        if source is None:
            raise LlmdiveError(
                f"{name!r} is not in the directory (`llmdive guide add` lists it): "
                f"give its SOURCE, `llmdive guide add {name} SOURCE`"
            )
    ws = workspace(ctx)
    plan, followed = guides.add(ws.home, name, source, timeout)
    for warning in group_warnings(plan.warnings, verbose):
        warn(warning)
    emit(
        json_out,
        lambda: jsonreport.followed_json(followed, plan.guide),
        lambda w: render_followed(w, followed, guides.described(plan)),
    )


@guide_app.command("list")
def guide_list(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """The guides you follow: links, your progress, where each comes from, last update."""
    from llmdive.output import jsonreport
    from llmdive.output.views.guide import render_guides
    from llmdive.record import guides

    ws = workspace(ctx)
    from llmdive.home.paths import followed_toml
    from llmdive.output.terminal import warn

    ws.lenient = True  # a broken guide file is listed (and named), not in the way
    catalogue = ws.catalogue
    titles = {}
    for f in ws.followed:
        if f.name in ws.broken:
            warn(ws.broken[f.name])
            titles[f.name] = f"broken: `llmdive guide update {f.name}` reads it again"
        elif followed_toml(ws.home, f.name).exists():
            titles[f.name] = ws.guide_catalogue(f.name).guide.title
        else:
            titles[f.name] = f"not fetched yet: `llmdive guide update {f.name}`"
    rows = guides.rows(ws.home, catalogue, ws.states, ws.followed, titles)
    emit(json_out, lambda: jsonreport.guides_json(rows), lambda w: render_guides(w, rows))


@guide_app.command("remove")
def guide_remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The followed guide's name.", show_default=False)],
) -> None:
    """Stop following a guide: its links leave every view; what you read of it stays
    recorded, and counts again if you follow it again."""
    from llmdive.record import guides

    gone = guides.remove(workspace(ctx).home, name)
    emit(
        False,
        lambda: None,
        lambda w: w.line(
            f"No longer following {gone.name}; your record of it stays "
            f"(`llmdive guide add {gone.name} {gone.source}` follows it again)."
        ),
    )


@guide_app.command("rename")
def guide_rename(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="The followed guide's name.", show_default=False)],
    new: Annotated[str, typer.Argument(help="Its new name.", show_default=False)],
) -> None:
    """Give a followed guide another name (its qualified ids change with it; your record
    of its links is found by their URLs)."""
    from llmdive.record import guides

    done = guides.rename(workspace(ctx).home, old, new)
    emit(False, lambda: None, lambda w: w.line(f"{old} is now {done.name}."))


@guide_app.command("reset")
def guide_reset(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report, change nothing.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Go back to the guide bundled with llmdive; your progress is kept as it is.

    Example: llmdive guide reset --dry-run
    """
    from llmdive.guide import update
    from llmdive.output import jsonreport
    from llmdive.output.terminal import warn
    from llmdive.output.views.guide import render_report
    from llmdive.record import guidechange

    ws = workspace(ctx)
    done = guidechange.reset(ws, dry_run)
    if done is None:
        same = ws.base_catalogue
        emit(
            json_out,
            lambda: jsonreport.report_json(
                update.Report("bundled"), same, same, ws.progress, dry_run, up_to_date=True
            ),
            lambda w: w.line("Already using the bundled guide; nothing to reset."),
        )
        return
    report, old, new = done
    emit(
        json_out,
        lambda: jsonreport.report_json(report, old, new, ws.progress, dry_run),
        lambda w: render_report(w, report, dry_run),
    )
    for problem in report.unreadable:
        warn(problem)
    if ws.guide_chosen and not dry_run:
        warn(f"--guide/$LLMDIVE_GUIDE still points at {ws.guide_path}; commands use it")


@guide_app.command("status")
def guide_status(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Which catalogue is in use, where it came from and when."""
    from llmdive.output.views.guide import render_status
    from llmdive.record import guidechange

    data = guidechange.status(workspace(ctx))
    emit(json_out, lambda: data, lambda w: render_status(w, data))


class GuideFormat(StrEnum):
    MARKDOWN = "markdown"
    TOML = "toml"


@guide_app.command("export")
def guide_export(
    ctx: typer.Context,
    fmt: Annotated[
        GuideFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="markdown (the guide's README format) or toml.",
        ),
    ] = GuideFormat.MARKDOWN,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", dir_okay=False, help="Write here instead of stdout."),
    ] = None,
) -> None:
    """Write the catalogue in use back out, as the guide's README or as TOML."""
    from llmdive.guide.catalogue import dump_toml
    from llmdive.guide.readme import export_readme
    from llmdive.home.storage import write_output
    from llmdive.output.terminal import emit_text

    ws = workspace(ctx)
    guide = ws.base_catalogue.guide
    # The LLM Deep Dive's decorations only on the LLM Deep Dive (bundled, or updated from
    # its upstream README); any other list is written as plain Markdown.
    if fmt is GuideFormat.TOML:
        text = dump_toml(guide)
    else:
        text = export_readme(guide, own_format=_is_the_bundled_guide(ws))
    if output is None:
        emit_text(text)
    else:
        write_output(output, text, home=workspace(ctx).home)


def _is_the_bundled_guide(ws: "Workspace") -> bool:
    from llmdive.guide.update import default_source
    from llmdive.record import guidechange

    status = guidechange.status(ws)
    return bool(status["kind"] == "bundled" or status["source"] == default_source())


@app.command()
def whatsnew(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Links that arrived with guide updates and that you have not read, per section."""
    from llmdive.output import jsonout
    from llmdive.output.views.guide import render_whatsnew
    from llmdive.record import guidechange

    ws = workspace(ctx)
    groups = guidechange.whatsnew(ws)
    emit(
        json_out,
        lambda: jsonout.whatsnew_json(jsonout.LinkJson.of(ws), groups),
        lambda w: render_whatsnew(w, groups),
    )
