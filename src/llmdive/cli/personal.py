"""The reader's own links."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
# start-up: every command module is imported on each start (to register its commands), so
# a command imports the core it uses inside its body.
import sys
from typing import Annotated

import typer

from llmdive.cli.app import IdArg, JsonOpt, SectionOpt, TitleOpt, app, emit, workspace
from llmdive.model.vocab import Difficulty


@app.command()
def add(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Argument(
            help="The link's URL (required, unless --export).", metavar="URL", show_default=False
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(
            "--title",
            "-t",
            help="The link's title (default: made from the URL's last words, and said so).",
            callback=TitleOpt.__metadata__[0].callback,
            metavar="TITLE",
            show_default=False,
        ),
    ] = None,
    section: Annotated[
        str | None,
        typer.Option(
            "--section",
            "-s",
            help="Required: the section or topic it goes under (slug, title or prefix).",
            callback=SectionOpt.__metadata__[0].callback,
            autocompletion=SectionOpt.__metadata__[0].autocompletion,
            metavar="SECTION",
            show_default=False,
        ),
    ] = None,
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

    A URL and --section are required; without --title, the title is made from the URL.

    Example: llmdive add https://example.com/post -t "A post" -s lora -d easy
    """
    from llmdive.guide.catalogue import Item
    from llmdive.home.lock import locked
    from llmdive.model.models import iso
    from llmdive.output import jsonout
    from llmdive.output.terminal import emit_text, safe
    from llmdive.record import personal
    from llmdive.record.events import now

    ws = workspace(ctx)
    if export and json_out:
        from typer._click.exceptions import UsageError

        raise UsageError("--export prints Markdown: it takes no --json")
    if export:
        emit_text(personal.export_personal_markdown(ws.catalogue))
        return
    if not (url and section):
        from typer._click.exceptions import UsageError

        given = (("URL", url), ("--section", section))
        missing = " and ".join(name for name, value in given if not value)
        raise UsageError(f"missing {missing}: a link needs a URL and --section (or use --export)")
    said = ""
    if title is None:
        title = personal.title_from_url(url)
        said = f"no --title: titled {title!r} from its URL (`llmdive edit ID -t TITLE` changes it)"
    with locked(ws.home):
        new = personal.add(
            ws.home, ws.catalogue, url, title, section, difficulty, ws.progress.keys(), iso(now())
        )
    if said:  # only once the link is added: a refused URL is not titled
        sys.stderr.write(safe(said) + "\n")
    if json_out:
        item = Item(new.link, ws.catalogue.find_topic(new.section))
        link = jsonout.LinkJson(ws.catalogue, ws.progress, {}, ws.measured)(item)
        jsonout.emit_json({"changes": [jsonout.change_json(link, "link", None, "added")]})
        return
    emit(
        False,
        list,
        lambda w: w.line("added ", (new.link.id, "cyan"), f" (personal) under {new.section}"),
    )


@app.command()
def remove(ctx: typer.Context, link_id: IdArg, json_out: JsonOpt = False) -> None:
    """Remove a link you added (`undo` brings it back; its marks and notes are kept).

    Guide links cannot be removed: `llmdive skip ID` leaves one out of next and progress.
    """
    from llmdive.guide.catalogue import Item
    from llmdive.home.lock import locked
    from llmdive.output import jsonout
    from llmdive.record import personal, progress

    ws = workspace(ctx)
    with locked(ws.home):
        gone = personal.remove(ws.home, ws.catalogue, link_id)
    if json_out:
        item = Item(gone.link, ws.catalogue.find_topic(gone.section))
        link = jsonout.LinkJson(ws.catalogue, progress.load_progress(ws.home), None, ws.measured)(
            item
        )
        jsonout.emit_json({"changes": [jsonout.change_json(link, "link", "added", "removed")]})
        return
    emit(
        False,
        dict,
        lambda w: w.line("removed ", (gone.link.id, "cyan"), " (personal)  ", gone.link.title),
    )


@app.command()
def edit(
    ctx: typer.Context,
    link_id: IdArg,
    title: TitleOpt = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            "-u",
            help="The link's new URL (checked like `add`'s).",
            metavar="URL",
            show_default=False,
        ),
    ] = None,
    section: SectionOpt = None,
    difficulty: Annotated[
        Difficulty | None,
        typer.Option(
            "--difficulty", "-d", case_sensitive=False, help="How hard it is.", show_default=False
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Change the title, URL, heading or difficulty of a link you added (its id stays).

    Example: llmdive edit my-post --title "A better title" -s dpo -d medium
    """
    if title is None and url is None and section is None and difficulty is None:
        from typer._click.exceptions import UsageError

        raise UsageError("nothing to change: give --title, --url, --section or --difficulty", ctx)
    from llmdive.home.lock import locked
    from llmdive.output import jsonout
    from llmdive.output.views.personal import render_edit
    from llmdive.record import personal

    ws = workspace(ctx)
    with locked(ws.home):
        old, new = personal.edit(ws.home, ws.catalogue, link_id, title, section, difficulty, url)
    if json_out:
        from llmdive.workspace import Workspace

        after = Workspace(ws.guide_path, ws.home)  # the catalogue with the edit in it
        item = after.catalogue.by_id[new.link.id]
        link = jsonout.LinkJson.of(after)(item)
        state = "edited" if personal.fields(old) != personal.fields(new) else "added"
        jsonout.emit_json({"changes": [jsonout.change_json(link, "link", "added", state)]})
        return
    emit(False, dict, lambda w: render_edit(w, old, new))
