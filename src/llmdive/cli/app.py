"""The Typer app, its global options and what every command group shares.

Imports beyond typer happen inside the commands that need them, so that --help,
--version and shell completion start fast.
"""

# No `from __future__ import annotations` here: Typer would then eval every parameter's
# annotation string on each start, a measurable part of `llmdive --version`.
import io
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

# Typer 0.28 vendors Click; its usage errors derive from this (typer.BadParameter does too).
from typer._click import Context
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer._click.globals import get_current_context
from typer.core import TyperGroup

from llmdive import __version__
from llmdive.cli import params, run
from llmdive.cli.params import Param
from llmdive.cli.run import marks_of as marks_of
from llmdive.errors import LlmdiveError
from llmdive.home.paths import GUIDE_ENV
from llmdive.model.vocab import Difficulty, Status

if TYPE_CHECKING:
    from datetime import datetime

    from llmdive.workspace import Workspace


# Options of the whole program that are also accepted after the command name
# (`llmdive next --home X`): they are moved in front of it before Click parses.
_GLOBAL_WITH_VALUE = ("--home", "--guide")
_GLOBAL_FLAGS = ("--urls",)


def _global_options_first(args: list[str]) -> list[str]:
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":  # everything after it is an argument, never an option
            rest += args[i:]
            break
        if arg in _GLOBAL_WITH_VALUE and i + 1 < len(args):
            front += args[i : i + 2]
            i += 2
            continue
        if arg in _GLOBAL_FLAGS or arg.split("=", 1)[0] in _GLOBAL_WITH_VALUE:
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


class Group(TyperGroup):
    """A command group whose help lists every command's summary whole, wrapped, never cut."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=1000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class _Group(Group):
    """The root command: one way out for errors, help and closed pipes.

    An LlmdiveError from any command becomes one line per problem on stderr, exit 1;
    usage errors keep Click's wording (exit 2) but every line is made safe; a closed
    pipe is a normal end, exit 0 and nothing on stderr. With --json, every error
    (usage errors too) is one JSON object on stderr instead,
    `{"error": ..., "problems": [...]}`, with the same exit code.
    """

    json_errors = False

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = _global_options_first(list(sys.argv[1:] if args is None else args))
        self.json_errors = "--json" in argv[: argv.index("--") if "--" in argv else None]
        if not standalone_mode:
            return super().main(argv, prog_name, complete_var, False, **extra)
        try:
            code = super().main(argv, prog_name, complete_var, False, **extra)
            sys.stdout.flush()
        except NoArgsIsHelpError as exc:  # `llmdive` alone: the help, as asked for
            sys.stdout.write(exc.ctx.get_help() + "\n")
            code = 0
        except ClickException as exc:
            if self.json_errors:
                _json_error([exc.format_message()], exc.exit_code, exit=False)
            else:
                text = io.StringIO()
                exc.show(text)
                from llmdive.output.terminal import safe_lines

                lines = safe_lines(text.getvalue().rstrip())
                sys.stderr.write("".join(line + "\n" for line in lines))
            code = exc.exit_code
        except typer.Abort:
            sys.stderr.write("Aborted!\n")
            code = 1
        except OSError as exc:  # stdout closed (a normal end) or full (help, usage text)
            code = run.failure(exc, self.json_errors)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (LlmdiveError, OSError) as exc:
            if isinstance(exc, LlmdiveError):
                ctx.meta["llmdive.failed"] = True  # the error says it all: no note after it
            raise typer.Exit(run.failure(exc, self.json_errors)) from None
        except ClickException as exc:
            ctx.meta["llmdive.failed"] = True
            if not self.json_errors:
                raise
            _json_error([exc.format_message()], exc.exit_code)


def _json_error(lines: list[str], code: int, exit: bool = True) -> None:
    run.print_json_error(lines)
    if exit:
        raise typer.Exit(code)


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
    cls=Group,
    help="The catalogue itself: import a README, update it, export it.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(guide_app, name="guide")


def workspace(ctx: Context) -> "Workspace":
    """The workspace of this call, made from the global options (also during completion)."""
    from llmdive.workspace import Workspace

    root = ctx.find_root()
    if not isinstance(root.obj, Workspace):
        home = root.params.get("home")
        guide, names = params.split_guides(list(root.params.get("guide") or ()))
        urls = bool(root.params.get("urls"))
        root.obj = Workspace(
            Path(guide) if guide else None, Path(home) if home else None, urls, names
        )
        if not root.resilient_parsing:  # completion says nothing
            _say_what_became_of_the_home(root, root.obj)
    return root.obj


def _say_what_became_of_the_home(root: Any, ws: "Workspace") -> None:
    """A home that does not exist yet: the first write creates it and says so; a command
    that wrote nothing says, when the home was named (--home, $LLMDIVE_HOME), that there
    is none there: a typo'd --home is not taken for a record with nothing in it."""
    home = ws.home
    if home.is_dir():
        return
    named = run.home_named(ws)

    def say() -> None:
        if getattr(root.command, "json_errors", False):
            return  # --json: stderr holds errors only
        run.say_what_became_of_the_home(home, named, bool(root.meta.get("llmdive.failed")))

    root.call_on_close(say)


def emit(json_out: bool, as_json: Callable[[], Any], draw: Callable[[Any], None]) -> None:
    """JSON for --json, else lines drawn on a terminal-aware Writer (URLs shown with --urls)."""
    ctx = get_current_context(silent=True)
    run.emit(json_out, as_json, draw, urls=ctx is not None and workspace(ctx).urls)


# ---------------------------------------------------------------- completion


def _complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    from llmdive.cli import completion

    ws = workspace(ctx)
    return completion.ids(ws.guide_path, incomplete, ws.home, guides=not ws.guide_chosen)


def _complete_sections(ctx: typer.Context, incomplete: str) -> list[str]:
    from llmdive.cli import completion

    ws = workspace(ctx)
    return completion.sections(ws.guide_path, incomplete, ws.home, guides=not ws.guide_chosen)


def _complete_guides(ctx: typer.Context, incomplete: str) -> list[str]:
    """--guide NAME: the guides followed (and `default`); a file is the shell's to complete."""
    from llmdive.cli import completion
    from llmdive.model.vocab import DEFAULT_GUIDE

    home = ctx.find_root().params.get("home")
    from llmdive.home.paths import home_dir

    found = [DEFAULT_GUIDE, *completion.guide_names(home_dir(Path(home) if home else None))]
    return [n for n in found if n.startswith(incomplete)]


# ---------------------------------------------------------------- options


def option(p: Param, **typer_only: Any) -> Any:
    """The typer.Option of a declared parameter (cli/params.py), with what only Typer needs."""
    assert not p.is_argument, p.name
    extra: dict[str, Any] = {"help": p.help, "show_default": typer_only.pop("show_default", False)}
    if p.metavar is not None:
        extra["metavar"] = p.metavar
    if p.minimum is not None:
        extra["min"] = p.minimum
    if p.choices is not None:
        extra["case_sensitive"] = False
    if p.parse is not None:
        extra["callback"] = parsed_by(p.parse)
    extra.update(typer_only)
    return typer.Option(*p.flags, **extra)


def parsed_by(parse: Callable[[str], object]) -> Callable[[Any], Any]:
    """A callback refusing what `parse` refuses, as a usage error (exit 2) saying why."""

    def check(value: Any) -> Any:
        if isinstance(value, str):
            try:
                parse(value)
            except ValueError as exc:
                raise typer.BadParameter(str(exc)) from None
        return value

    return check


def argument(p: Param, **typer_only: Any) -> Any:
    """The typer.Argument of a declared parameter (cli/params.py)."""
    assert p.is_argument, p.name
    return typer.Argument(help=p.help, metavar=p.metavar, show_default=False, **typer_only)


IdsArg = Annotated[
    list[str],
    typer.Argument(
        help="Link ids, unambiguous prefixes of them, or their URLs.",
        autocompletion=_complete_ids,
        metavar="ID",
        show_default=False,
    ),
]
IdArg = Annotated[
    str,
    typer.Argument(
        help="A link id, an unambiguous prefix of one, or the link's URL.",
        autocompletion=_complete_ids,
        metavar="ID",
        show_default=False,
    ),
]


def when_value(value: str | None) -> "datetime | None":
    """--since's time (model/timespec.py's parse_when), or a usage error (exit 2) saying why."""
    if value is None:
        return None
    from llmdive.model.timespec import parse_when

    try:
        return parse_when(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--since") from None


def _section_name(ctx: typer.Context, value: str | None) -> str | None:
    """--section names a heading of the catalogue: an unknown one is a usage error (exit 2)."""
    if value is None or ctx.resilient_parsing:
        return value
    problem = run.section_problem(workspace(ctx), value)
    if problem is not None:
        raise typer.BadParameter(problem)
    return value


SectionOpt = Annotated[
    str | None,
    option(params.SECTION, callback=_section_name, autocompletion=_complete_sections),
]


def _note_text(value: str) -> str:
    """A note from the command line: any text, several lines allowed, no control characters."""
    from llmdive.output.terminal import has_controls

    if value and not value.strip():
        raise typer.BadParameter('a note needs some text (an empty string, "", removes it)')
    if has_controls(value, allow_newlines=True):
        raise typer.BadParameter("control characters are not allowed in a note (newlines are)")
    return value


def _title_text(value: str | None) -> str | None:
    """A title from the command line: one line of text, no control characters."""
    from llmdive.output.terminal import has_controls

    if value is None:
        return value
    if not value.strip():
        raise typer.BadParameter("a title needs some text")
    if has_controls(value):
        raise typer.BadParameter("control characters (newlines too) are not allowed in a title")
    return value


TitleOpt = Annotated[
    str | None,
    typer.Option(
        "--title",
        "-t",
        help="The link's title.",
        callback=_title_text,
        metavar="TITLE",
    ),
]
DifficultiesOpt = Annotated[list[Difficulty] | None, option(params.DIFFICULTIES)]
StatusesOpt = Annotated[list[Status] | None, option(params.STATUSES)]
JsonOpt = Annotated[bool, option(params.JSON, show_default=True)]


def _home_folder(value: str | None) -> str | None:
    """--home names a folder: never an empty name (which would mean the current folder)."""
    if value is None:
        return value
    if not value.strip():
        raise typer.BadParameter("needs a folder (an empty name is not one)")
    if os.path.isfile(os.path.expanduser(value)):
        raise typer.BadParameter(f"{value} is a file, not a folder")
    return value


def _guide_values(values: list[str] | None) -> list[str]:
    """--guide's values (a catalogue file, or names of followed guides), or the file
    $LLMDIVE_GUIDE names, checked as Click checks a file: no folder, nothing unreadable."""
    given = list(values or ())
    try:
        path, _ = params.split_guides(given)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if path is None and not given and os.environ.get(GUIDE_ENV):
        path = os.environ[GUIDE_ENV]
    if path is not None:
        if not path:
            raise typer.BadParameter("needs a file (an empty name is not one)")
        expanded = os.path.expanduser(path)
        if os.path.isdir(expanded):
            raise typer.BadParameter(f"File {path!r} is a directory.")
        if os.path.exists(expanded) and not os.access(expanded, os.R_OK):
            raise typer.BadParameter(f"File {path!r} is not readable.")
    return given


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"llmdive {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    guide: Annotated[
        list[str] | None,
        option(
            params.GUIDE,
            callback=_guide_values,
            autocompletion=_complete_guides,
            show_default=True,
        ),
    ] = None,
    home: Annotated[
        str | None, option(params.HOME, callback=_home_folder, show_default=True)
    ] = None,
    urls: Annotated[bool, option(params.URLS, show_default=True)] = False,
    version: Annotated[
        bool, option(params.VERSION, callback=_version, is_eager=True, show_default=True)
    ] = False,
) -> None:
    """Track your reading of The LLM Deep Dive.

    Start with `llmdive next`, then `llmdive mark-read ID` once you have read a link.
    Global options (--home, --guide, --urls) may also follow the command name.
    """
