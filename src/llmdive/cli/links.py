"""Checking the guide's links for rot: check-links."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
# start-up: every command module is imported on each start (to register its commands), so
# a command imports the core it uses inside its body.
from typing import TYPE_CHECKING, Annotated

import typer

from llmdive.cli.app import IdsArg, JsonOpt, SectionOpt, app, emit, workspace
from llmdive.errors import LlmdiveError
from llmdive.home.paths import CHECKS_FILE
from llmdive.model.vocab import counted

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Item
    from llmdive.net.durations import Measured
    from llmdive.net.linkcheck import Run
    from llmdive.workspace import Workspace

CheckIdsArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Only these links: ids, unambiguous prefixes or URLs (default: every link).",
        autocompletion=IdsArg.__metadata__[0].autocompletion,
        metavar="[ID]...",
        show_default=False,
    ),
]


@app.command("check-links")
def check_links(
    ctx: typer.Context,
    link_ids: CheckIdsArg = None,
    section: SectionOpt = None,
    json_out: JsonOpt = False,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=0.05, max=600, help="Seconds to wait for each answer."),
    ] = 10.0,
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", min=1, max=64, help="Links checked at once (2 per host)."),
    ] = 8,
    retries: Annotated[
        int,
        typer.Option(
            "--retries", min=0, max=10, help="Tries again after 429, 5xx, 408 or a timeout."
        ),
    ] = 2,
    deadline: Annotated[
        float | None,
        typer.Option(
            "--deadline",
            min=0.05,
            help="Seconds for the whole check; links left then are not checked (never dead). "
            "Default: from --timeout, --retries and the links per worker.",
            show_default=False,
        ),
    ] = None,
    forget: Annotated[
        bool,
        typer.Option("--forget", help="Check nothing: forget the kept results (of ID... only)."),
    ] = False,
    durations: Annotated[
        bool,
        typer.Option(
            "--durations",
            help="Also measure how long each link takes: a video's length, an article's "
            "reading time, a PDF's pages (reads at most 2 MiB of a page, 16 MiB of a PDF).",
        ),
    ] = False,
    wpm: Annotated[
        int | None,
        typer.Option(
            "--wpm",
            min=50,
            max=2000,
            help="Words a minute for an article's time (default: `llmdive config wpm`, else 230).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check that your links still lead somewhere: ok, redirected, dead or unknown.

    Every link of the guide and your own are checked (HEAD, else GET; redirects followed).
    Results are kept: list, show and next then mark dead and redirected links. When no host
    answers at all, the machine looks offline: nothing is recorded, exit 1.

    Example: llmdive check-links --section finetuning (or: --forget lora-explained)
    """
    from llmdive.net import linkcheck, linkmarks
    from llmdive.output import jsonout, jsonreport
    from llmdive.output.terminal import ProgressBar
    from llmdive.output.views.links import render_checks

    if link_ids and section:
        raise typer.BadParameter("give link ids or --section, not both", param_hint="ID")
    if forget and json_out:
        raise typer.BadParameter("--forget prints no JSON", param_hint="--json")
    ws = workspace(ctx)
    cat = ws.catalogue
    if link_ids:
        items = cat.resolve_ids(link_ids)
    else:
        items = cat.items_under(cat.find_topic(section)) if section else cat.items
    if forget:
        _forget(ws, items if link_ids or section else None)
        return
    measure = None
    if durations:
        from functools import partial

        from llmdive.home.config import load_config
        from llmdive.net.pagetime import WORDS_PER_MINUTE, page_duration

        if wpm is None:
            wpm = int(load_config(workspace(ctx).home).get("wpm") or WORDS_PER_MINUTE)
        measure = partial(page_duration, wpm=wpm)
    settings = linkcheck.Settings(
        timeout=timeout, concurrency=concurrency, retries=retries, deadline=deadline
    )
    if measure is not None:
        from dataclasses import replace

        settings = replace(settings, measure=measure)
    with ProgressBar(len(items), "checking links") as bar:
        run = linkcheck.check([(i.link.id, i.link.url) for i in items], settings, bar.advance)
    if run.offline:
        raise LlmdiveError(
            f"no host could be resolved or reached ({counted(len(run.outcomes), 'link')}): "
            "this machine looks offline (or every host checked is down); nothing was recorded"
        )
    unconfirmed = {o.id for o in run.unconfirmed()}
    kept = [o for o in run.outcomes if o.id not in unconfirmed]
    outcomes = linkmarks.save_results(ws.home, kept) if kept else []
    measured = _keep_measured(ws, run) if durations else ws.measured
    emit(
        json_out,
        lambda: jsonreport.checks_json(
            jsonout.LinkJson(cat, ws.progress, ws.states, measured), items, outcomes
        ),
        lambda w: render_checks(w, items, outcomes, measured if durations else None),
    )
    if unconfirmed:
        _unconfirmed(sorted(unconfirmed))
    _left(run)


def _keep_measured(ws: "Workspace", run: "Run") -> "dict[str, Measured]":
    """Keep the durations the run measured (durations.json); all kept, by page."""
    from llmdive.net.durations import Measured, save_measured

    found = [(o.url, Measured(*o.measured, o.checked)) for o in run.outcomes if o.measured]
    return save_measured(ws.home, found)


def _unconfirmed(ids: list[str]) -> None:
    from llmdive.output.terminal import warn

    shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
    warn(
        f"{counted(len(ids), 'link')} on hosts that do not resolve, but no other name "
        f"resolved to a public address either (only local hosts answered): this machine "
        f"looks offline, so nothing was recorded for them: {shown}"
    )


def _forget(ws: "Workspace", items: "list[Item] | None") -> None:
    from llmdive.net import linkmarks

    ids = None if items is None else {i.link.id for i in items}
    if ids is None and linkmarks.clear_damaged(ws.home):
        said = f"Forgot the kept checks: removed the damaged {CHECKS_FILE}"
        emit(False, list, lambda w: w.line(said + "."))
        return
    n = linkmarks.forget_results(ws.home, ids)
    said = f"Forgot the kept checks of {counted(n, 'link')}" if n else "No kept checks to forget"
    emit(False, list, lambda w: w.line(said + "."))


def _left(run: "Run") -> None:
    """Say which links were left unchecked, by the deadline (a warning) or Ctrl-C (exit 1)."""
    from llmdive.output.terminal import warn

    if not run.unchecked:
        return
    left = counted(len(run.unchecked), "link")
    if run.stopped == "interrupted":
        raise LlmdiveError(
            f"interrupted: kept the {counted(len(run.outcomes), 'finished check')}; "
            f"{left} not checked"
        )
    shown = ", ".join(run.unchecked[:5]) + (", ..." if len(run.unchecked) > 5 else "")
    warn(
        f"{left} not checked within the {run.deadline:g} s deadline (not marked dead): "
        f"{shown}; `--deadline SECONDS` gives more time"
    )
