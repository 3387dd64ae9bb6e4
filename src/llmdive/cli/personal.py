"""The reader's own links."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
# start-up: every command module is imported on each start (to register its commands), so
# a command imports the core it uses inside its body.
import sys
from pathlib import Path
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
    from llmdive.output import jsonout, jsonreport
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
        jsonout.emit_json({"changes": [jsonreport.change_json(link, "link", None, "added")]})
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
    from llmdive.output import jsonout, jsonreport
    from llmdive.record import personal, progress

    ws = workspace(ctx)
    with locked(ws.home):
        gone = personal.remove(ws.home, ws.catalogue, link_id)
    if json_out:
        item = Item(gone.link, ws.catalogue.find_topic(gone.section))
        link = jsonout.LinkJson(ws.catalogue, progress.load_progress(ws.home), None, ws.measured)(
            item
        )
        jsonout.emit_json({"changes": [jsonreport.change_json(link, "link", "added", "removed")]})
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
    from llmdive.output import jsonout, jsonreport
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
        jsonout.emit_json({"changes": [jsonreport.change_json(link, "link", "added", state)]})
        return
    emit(False, dict, lambda w: render_edit(w, old, new))


@app.command()
def contribute(
    ctx: typer.Context,
    link_ids: Annotated[
        list[str] | None,
        typer.Argument(
            help="Your links to give (default: all of yours the guide does not have).",
            metavar="[ID]...",
            show_default=False,
            autocompletion=IdArg.__metadata__[0].autocompletion,
        ),
    ] = None,
    readme: Annotated[
        Path | None,
        typer.Option(
            "--readme",
            help="The guide's README (or a clone's folder) to patch "
            "(default: the one the guide was last fetched from).",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", dir_okay=False, help="Write the patch here instead of stdout."
        ),
    ] = None,
    apply_to: Annotated[
        Path | None,
        typer.Option(
            "--apply",
            help="Apply it to the README of this clone of the guide (refused if that README "
            "is not the one the patch is for).",
            metavar="DIR",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Give your links back to the guide: a patch to its README, in the guide's own style.

    Each link goes at the end of its topic's list, written like its neighbours (bullet,
    difficulty badge); no other line changes. The patch goes to stdout (ready for
    `git apply`), the pull request's description to stderr.

    Example: llmdive contribute | git -C ~/src/LLM-Deep-Dive apply
    """
    from llmdive.errors import LlmdiveError
    from llmdive.guide import contribute as give
    from llmdive.home.storage import write_output
    from llmdive.model.vocab import DEFAULT_GUIDE
    from llmdive.output import jsonout, jsonreport
    from llmdive.output.terminal import emit_text, safe_lines
    from llmdive.record.personal import load_personal

    ws = workspace(ctx)
    if output is not None and apply_to is not None:
        from typer._click.exceptions import UsageError

        raise UsageError("--output and --apply: choose one")
    # Your links under the guides in view (`--guide NAME` narrows them to one guide's).
    mine = {p.link.id: p for p in load_personal(ws.home) if p.link.id in ws.catalogue.by_id}
    if link_ids:
        chosen = []
        for item in ws.catalogue.resolve_ids(link_ids):
            if item.link.id not in mine:
                raise LlmdiveError(
                    f"{item.link.id} is the guide's own link: only links you added "
                    "(`llmdive add`) can be contributed"
                )
            chosen.append(mine[item.link.id])
    else:
        chosen = list(mine.values())
    if not chosen:
        raise LlmdiveError(
            "you have no links of your own to contribute: add one with "
            "`llmdive add URL -t TITLE -s SECTION -d easy`"
        )
    # A patch is for one guide's README: the guide whose topics the links are under.
    guides = {
        ws.catalogue.by_id[p.link.id].guide for p in chosen if p.link.id in ws.catalogue.by_id
    }
    if len(guides) > 1:
        raise LlmdiveError(
            f"your links are under the topics of several guides ({', '.join(sorted(guides))}): "
            "a patch is for one README: name one with `llmdive --guide NAME contribute`"
        )
    name = guides.pop() if guides else DEFAULT_GUIDE
    source = give.guide_readme(readme, ws.home, ws.guide_path, name)
    # In the combined catalogue a followed guide's topic may be qualified (`NAME/slug`).
    prefix = f"{name}/"
    result = give.contribution(
        source.text,
        [give.Offered(p.link, p.section.removeprefix(prefix)) for p in chosen],
        source.name,
    )
    give.check_round_trip(result)
    if apply_to is not None and result.placed:
        target = give.read_readme_file(apply_to)
        if target.text != source.text:
            raise LlmdiveError(
                f"{target.shown} is not the README this patch is for ({source.shown}): "
                f"pull the clone, or make the patch for it with --readme {target.shown}"
            )
        write_output(Path(target.shown), result.after, home=ws.home)
    elif output is not None and result.placed:
        write_output(output, result.patch, home=ws.home)
    if json_out:
        jsonout.emit_json(jsonreport.contribution_json(result, source.shown, apply_to, output))
        return
    if result.placed and output is None and apply_to is None:
        emit_text(result.patch)
    notes = [f"{k.id}: already in the guide (same URL), left out" for k in result.already]
    if not result.placed:
        notes.append("nothing to contribute: the guide already has every link named")
    elif apply_to is not None:
        notes.append(f"patched {give.read_readme_file(apply_to).shown}")
    elif output is not None:
        notes.append(f"wrote {output}")
    if result.placed:
        notes += ["", "Pull request:", *result.description.rstrip("\n").split("\n")]
    sys.stderr.write("".join(line + "\n" for line in safe_lines("\n".join(notes))))
