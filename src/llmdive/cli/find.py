"""Finding and opening links: search, open."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
# start-up: every command module is imported on each start (to register its commands), so
# a command imports the core it uses inside its body.
from typing import Annotated

import typer

from llmdive.cli import bodies, params
from llmdive.cli.app import (
    DifficultiesOpt,
    IdArg,
    JsonOpt,
    SectionOpt,
    StatusesOpt,
    app,
    argument,
    emit,
    workspace,
)
from llmdive.cli.run import has_words
from llmdive.errors import LlmdiveError
from llmdive.model.vocab import Status


def _words(words: list[str]) -> list[str]:
    """The words of `search`; a usage error when none holds a letter or digit (`search ''`)."""
    if not has_words(words):
        raise typer.BadParameter("nothing to search for: give a word or two")
    return words


@app.command()
def search(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        argument(params.WORDS, callback=_words),
    ],
    section: SectionOpt = None,
    difficulty: DifficultiesOpt = None,
    status: StatusesOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Find links by title, section, URL or your notes, best match first.

    Acronyms and what they stand for find each other (rope, rotary positional encoding);
    a topic without links yet that matches is named. Example: llmdive search flash attn
    """
    bodies.search(workspace(ctx), words, section, difficulty, status, json_out)


@app.command("open")
def open_(
    ctx: typer.Context,
    link_id: IdArg,
    start: Annotated[bool, typer.Option("--start", help="Also mark it as being read.")] = False,
) -> None:
    """Open a link in your web browser ($BROWSER is honoured) and print its URL.

    The browser gets the URL as one argument, shell characters percent-encoded; a $BROWSER
    that writes it into a shell command (sh -c '... %s') is refused.

    Nothing is marked unless --start is given. Example: llmdive open lora --start
    """
    from llmdive.net import browser
    from llmdive.output.views.common import render_changes
    from llmdive.output.views.find import render_opened
    from llmdive.record import progress

    ws = workspace(ctx)
    item = ws.catalogue.resolve_id(link_id)
    url = browser.checked_url(item.link.url)
    emit(False, list, lambda w: render_opened(w, item))
    try:
        opened = browser.open_url(url)
    except LlmdiveError as exc:  # a $BROWSER that would run the URL through a shell
        raise LlmdiveError(f"{exc}{'; nothing was marked' if start else ''}") from None
    if not opened:
        import os

        chosen = os.environ.get("BROWSER", "").strip()
        why = (
            f"the browser command in $BROWSER ({chosen}) failed"
            if chosen
            else "no web browser could be started (set $BROWSER to one)"
        )
        raise LlmdiveError(
            f"{why}; open the URL above by hand" + ("; nothing was marked" if start else "")
        )
    if start:
        changes = progress.update_progress(
            ws.home,
            lambda p: progress.set_status(p, ws.catalogue, [item], Status.READING),
            ws.catalogue.aliases,
        )
        emit(False, list, lambda w: render_changes(w, changes))
