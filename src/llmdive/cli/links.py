"""Checking the guide's links for rot: check-links."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
from typing import TYPE_CHECKING, Annotated

import typer

from llmdive.cli.app import JsonOpt, SectionOpt, app, emit, workspace

if TYPE_CHECKING:
    pass


@app.command("check-links")
def check_links(
    ctx: typer.Context,
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
) -> None:
    """Check that your links still lead somewhere: ok, redirected, dead or unknown.

    Every link of the guide and your own are checked (HEAD, else GET; redirects followed).
    Results are kept: list, show and next then mark dead and redirected links.

    Example: llmdive check-links --section finetuning
    """
    from llmdive import jsonout, linkcheck, linkmarks, render

    ws = workspace(ctx)
    cat = ws.catalogue
    items = cat.items_under(cat.find_topic(section)) if section else cat.items
    settings = linkcheck.Settings(timeout=timeout, concurrency=concurrency, retries=retries)
    with render.ProgressBar(len(items), "checking links") as bar:
        outcomes = linkcheck.check([(i.link.id, i.link.url) for i in items], settings, bar.advance)
    linkmarks.save_results(ws.home, outcomes)
    emit(
        json_out,
        lambda: jsonout.checks_json(jsonout.LinkJson.of(ws), items, outcomes),
        lambda w: render.render_checks(w, items, outcomes),
    )
