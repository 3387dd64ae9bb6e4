"""The command line: parse arguments, call the core, render. Nothing else lives here.

Imports beyond typer happen inside the commands that need them, so that --help,
--version and shell completion start fast.
"""

# No `from __future__ import annotations` here: Typer would then eval every parameter's
# annotation string on each start, a measurable part of `llmdive --version`.
import errno
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from llmdive import __version__
from llmdive.errors import LlmdiveError
from llmdive.vocab import Difficulty, Status

if TYPE_CHECKING:
    from llmdive.workspace import Workspace


class _Group(TyperGroup):
    """Turns an LlmdiveError from any command into one line per problem on stderr, exit 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except LlmdiveError as exc:
            lines = str(exc).splitlines() or ["unknown error"]
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # output piped into `head`: Click exits quietly
            # The core names the file of every error it expects; this is the safety net.
            where = f"{exc.filename}: " if exc.filename else ""
            lines = [f"{where}{exc.strerror or exc}"]
        for line in lines:
            sys.stderr.write(f"llmdive: error: {line}\n")
        raise typer.Exit(1)


app = typer.Typer(
    cls=_Group,
    name="llmdive",
    help="Track your reading of The LLM Deep Dive: browse it, mark what you read, get what's next.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
guide_app = typer.Typer(
    help="The catalogue itself: import a README, update it, export it.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(guide_app, name="guide")


def _ws(ctx: typer.Context) -> "Workspace":
    """The workspace of this call, made from the global options (also during completion)."""
    from llmdive.workspace import Workspace

    root = ctx.find_root()
    if not isinstance(root.obj, Workspace):
        guide, home = root.params.get("guide"), root.params.get("home")
        root.obj = Workspace(Path(guide) if guide else None, Path(home) if home else None)
    return root.obj


def _emit(json_out: bool, as_json: Callable[[], Any], draw: Callable[[Any], None]) -> None:
    """JSON for --json, else lines drawn on a terminal-aware Writer."""
    from llmdive import render

    if json_out:
        render.emit_json(as_json())
        return
    w = render.Writer()
    draw(w)
    w.close()


# ---------------------------------------------------------------- completion


def _complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    from llmdive import completion

    return completion.ids(_ws(ctx).guide_path, incomplete)


def _complete_sections(ctx: typer.Context, incomplete: str) -> list[str]:
    from llmdive import completion

    return completion.sections(_ws(ctx).guide_path, incomplete)


# ---------------------------------------------------------------- options

IdsArg = Annotated[
    list[str],
    typer.Argument(
        help="Link ids, or unambiguous prefixes of them.",
        autocompletion=_complete_ids,
        metavar="ID",
        show_default=False,
    ),
]
IdArg = Annotated[
    str,
    typer.Argument(
        help="A link id, or an unambiguous prefix of one.",
        autocompletion=_complete_ids,
        metavar="ID",
        show_default=False,
    ),
]
SectionOpt = Annotated[
    str | None,
    typer.Option(
        "--section",
        "-s",
        help="A section or topic: slug, title or unambiguous prefix.",
        autocompletion=_complete_sections,
        metavar="SECTION",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts, nothing else.")]


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"llmdive {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    guide: Annotated[
        Path | None,
        typer.Option(
            "--guide",
            envvar="LLMDIVE_GUIDE",
            dir_okay=False,
            help="Use this catalogue file instead of the bundled or updated one.",
        ),
    ] = None,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            file_okay=False,
            help="Keep progress in this folder (default: $LLMDIVE_HOME, else your "
            "user data folder).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Track your reading of The LLM Deep Dive.

    Start with `llmdive next`, then `llmdive mark-read ID` once you have read a link.
    """


# ---------------------------------------------------------------- browsing


@app.command("list")
def list_links(
    ctx: typer.Context,
    section: SectionOpt = None,
    difficulty: Annotated[
        list[Difficulty] | None,
        typer.Option(
            "--difficulty",
            "-d",
            case_sensitive=False,
            show_default=False,
            help="Only this difficulty; repeat for several.",
        ),
    ] = None,
    status: Annotated[
        list[Status] | None,
        typer.Option(
            "--status",
            case_sensitive=False,
            show_default=False,
            help="Only links with this reading status; repeat for several.",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """List links in guide order, filtered by section, difficulty or status.

    Example: llmdive list --section finetuning --difficulty easy
    """
    from llmdive import render

    ws = _ws(ctx)
    cat = ws.catalogue
    items = cat.items_under(cat.find_topic(section)) if section else cat.items
    states = ws.states
    if difficulty:
        items = [i for i in items if i.link.difficulty in difficulty]
    if status:
        items = [i for i in items if states.get(i.link.id, Status.UNREAD) in status]
    _emit(
        json_out,
        lambda: [
            {**i.to_json(), "status": states.get(i.link.id, Status.UNREAD).value} for i in items
        ],
        lambda w: render.render_list(w, items, states),
    )


@app.command()
def toc(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Show the guide's sections and topics with link and read counts."""
    from llmdive import render

    ws = _ws(ctx)
    _emit(
        json_out,
        lambda: render.toc_json(ws.catalogue, ws.states),
        lambda w: render.render_toc(w, ws.catalogue, ws.states),
    )


@app.command()
def show(ctx: typer.Context, link_id: IdArg, json_out: JsonOpt = False) -> None:
    """Show one link with its full section path, status and note."""
    from llmdive import render

    ws = _ws(ctx)
    item = ws.catalogue.resolve_id(link_id)
    status = ws.states.get(item.link.id, Status.UNREAD)
    entry = ws.progress.get(item.link.id)
    _emit(
        json_out,
        lambda: {**item.to_json(), "status": status.value, "note": entry.note if entry else None},
        lambda w: render.render_show(w, item, status, entry),
    )


# ---------------------------------------------------------------- reading


def _mark(ctx: typer.Context, ids: list[str], status: Status) -> None:
    from llmdive import progress, render

    ws = _ws(ctx)
    items = ws.catalogue.resolve_ids(ids)
    changes = progress.update_progress(
        ws.home, lambda p: progress.set_status(p, ws.catalogue, items, status)
    )
    _emit(False, list, lambda w: render.render_changes(w, changes))


@app.command("mark-read")
def mark_read(ctx: typer.Context, link_ids: IdsArg) -> None:
    """Mark links as read.

    Example: llmdive mark-read illustrated-transformer lora
    """
    _mark(ctx, link_ids, Status.READ)


@app.command("mark-unread")
def mark_unread(ctx: typer.Context, link_ids: IdsArg) -> None:
    """Mark links as unread again (their history is kept)."""
    _mark(ctx, link_ids, Status.UNREAD)


@app.command()
def start(ctx: typer.Context, link_ids: IdsArg) -> None:
    """Mark links as being read: `next` offers them first."""
    _mark(ctx, link_ids, Status.READING)


@app.command()
def skip(ctx: typer.Context, link_ids: IdsArg) -> None:
    """Skip links: `next` passes them over and progress leaves them out of the totals."""
    _mark(ctx, link_ids, Status.SKIPPED)


@app.command()
def note(
    ctx: typer.Context,
    link_id: IdArg,
    text: Annotated[str, typer.Argument(help="The note; an empty string removes it.")],
) -> None:
    """Keep a note on a link (shown by `show`).

    Example: llmdive note lora "re-read the rank section"
    """
    from llmdive import progress

    ws = _ws(ctx)
    item = ws.catalogue.resolve_id(link_id)
    progress.update_progress(ws.home, lambda p: progress.set_note(p, item, text))
    sys.stdout.write(f"{'noted' if text else 'note removed'}: {item.link.id}\n")


@app.command("next")
def next_(ctx: typer.Context, section: SectionOpt = None, json_out: JsonOpt = False) -> None:
    """What to read next in each section: easiest unread first, links being read before all."""
    from llmdive import planner, render

    ws = _ws(ctx)
    within = ws.catalogue.find_topic(section) if section else None
    picks = planner.next_links(ws.catalogue, ws.states, within)
    _emit(
        json_out,
        lambda: [p.to_json(ws.states) for p in picks],
        lambda w: render.render_next(w, picks, ws.states),
    )


@app.command("progress")
def progress_(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """How far along you are: overall, per section and per difficulty."""
    from llmdive import planner, render
    from llmdive.progress import orphans

    ws = _ws(ctx)
    summary = planner.summarize(ws.catalogue, ws.states)
    lost = orphans(ws.catalogue, ws.progress)
    _emit(
        json_out,
        lambda: render.progress_json(summary, lost),
        lambda w: render.render_progress(w, summary, lost),
    )


@app.command()
def history(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """What you marked, and when, newest first."""
    from llmdive import progress, render

    rows = progress.history(_ws(ctx).progress)
    _emit(
        json_out,
        lambda: [r.to_json() for r in rows],
        lambda w: render.render_history(w, rows),
    )


# ---------------------------------------------------------------- the catalogue


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
    from llmdive.storage import atomic_write

    old = catalogue.load_catalogue(output) if output and output.exists() else None
    result = update.plan(update.read_readme(str(readme)), str(readme), old)
    for warning in result.warnings:
        render.warn(warning)
    toml_text = catalogue.dump_toml(result.guide)
    if output is None:
        sys.stdout.write(toml_text)
        return
    atomic_write(output, toml_text)
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
    from llmdive import render, update

    ws = _ws(ctx)
    plan = update.plan_update(ws, source)
    for warning in plan.warnings:
        render.warn(warning)
    if not dry_run:
        update.apply_update(ws, plan)
    _emit(
        json_out,
        lambda: {**plan.report.to_json(), "dry_run": dry_run},
        lambda w: render.render_report(w, plan.report, dry_run),
    )
    if ws.guide_chosen and not dry_run:
        render.warn(f"--guide/$LLMDIVE_GUIDE still points at {ws.guide_path}; commands use it")


@guide_app.command("status")
def guide_status(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Which catalogue is in use, where it came from and when."""
    from llmdive import render, update

    data = update.status(_ws(ctx))
    _emit(json_out, lambda: data, lambda w: render.render_status(w, data))


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
    from llmdive.storage import atomic_write

    writers = {"markdown": export_markdown, "toml": dump_toml}
    if fmt not in writers:
        raise typer.BadParameter("choose markdown or toml", param_hint="--format")
    text = writers[fmt](_ws(ctx).base_catalogue.guide)
    if output is None:
        sys.stdout.write(text)
    else:
        atomic_write(output, text)


@app.command()
def whatsnew(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Links that arrived with guide updates and that you have not read, per section."""
    from llmdive import render, update

    groups = update.whatsnew(_ws(ctx))
    _emit(
        json_out,
        lambda: render.whatsnew_json(groups),
        lambda w: render.render_whatsnew(w, groups),
    )


@app.command()
def add(
    ctx: typer.Context,
    url: Annotated[str | None, typer.Argument(help="The link's URL.", show_default=False)] = None,
    title: Annotated[str | None, typer.Option("--title", "-t", help="The link's title.")] = None,
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
) -> None:
    """Add a link of your own under any heading, or export yours as Markdown.

    Example: llmdive add https://example.com/post -t "A post" -s lora -d easy
    """
    from llmdive import personal, progress
    from llmdive.models import iso

    ws = _ws(ctx)
    if export:
        sys.stdout.write(personal.export_markdown(ws.catalogue))
        return
    if not url or not title or not section:
        raise typer.BadParameter("give URL, --title and --section (or --export)")
    with progress.locked(ws.home):
        new = personal.add(ws.home, ws.catalogue, url, title, section, difficulty,
                           ws.progress.keys(), iso(progress.now()))  # fmt: skip
    sys.stdout.write(f"added {new.link.id} (personal) under {new.section}\n")


def main() -> None:
    """Entry point of the `llmdive` console script."""
    app(prog_name="llmdive")
