"""The reader's own links."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
from typing import Annotated

import typer

from llmdive.cli.app import JsonOpt, SectionOpt, TitleOpt, app, emit, workspace
from llmdive.vocab import Difficulty


@app.command()
def add(
    ctx: typer.Context,
    url: Annotated[str | None, typer.Argument(help="The link's URL.", show_default=False)] = None,
    title: TitleOpt = None,
    section: SectionOpt = None,
    difficulty: Annotated[
        Difficulty, typer.Option("--difficulty", "-d", case_sensitive=False, help="How hard it is.")
    ] = Difficulty.UNRATED,
    export: Annotated[
        bool,
        typer.Option(
            "--export", help="Print your links as Markdown for a pull request to the guide."
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Add a link of your own under any heading, or export yours as Markdown.

    Example: llmdive add https://example.com/post -t "A post" -s lora -d easy
    """
    from llmdive import jsonout, personal, progress, render
    from llmdive.catalogue import Item
    from llmdive.models import iso

    ws = workspace(ctx)
    if export:
        render.emit_text(personal.export_markdown(ws.catalogue))
        return
    if not url or not title or not section:
        raise typer.BadParameter("give URL, --title and --section (or --export)")
    with progress.locked(ws.home):
        new = personal.add(ws.home, ws.catalogue, url, title, section, difficulty,
                           ws.progress.keys(), iso(progress.now()))  # fmt: skip
    if json_out:
        item = Item(new.link, ws.catalogue.find_topic(new.section))
        link = jsonout.LinkJson(ws.catalogue, ws.progress, {})(item)
        jsonout.emit_json({"changes": [jsonout.change_json(link, "link", None, "added")]})
        return
    emit(
        False,
        list,
        lambda w: w.line("added ", (new.link.id, "cyan"), f" (personal) under {new.section}"),
    )
