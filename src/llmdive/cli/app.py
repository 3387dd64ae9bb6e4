"""The Typer app, its global options and what every command group shares.

Imports beyond typer happen inside the commands that need them, so that --help,
--version and shell completion start fast.
"""

# No `from __future__ import annotations` here: Typer would then eval every parameter's
# annotation string on each start, a measurable part of `llmdive --version`.
import errno
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

# Typer 0.28 vendors Click; its usage errors derive from this (typer.BadParameter does too).
from typer._click.exceptions import ClickException
from typer.core import TyperGroup

from llmdive import __version__
from llmdive.errors import LlmdiveError
from llmdive.paths import HOME_ENV

if TYPE_CHECKING:
    from llmdive.workspace import Workspace


class _Group(TyperGroup):
    """Turns an LlmdiveError from any command into one line per problem on stderr, exit 1.

    With --json, every error (usage errors too) is one JSON object on stderr instead,
    `{"error": ..., "problems": [...]}`, with the same exit code.
    """

    json_errors = False

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        self.json_errors = "--json" in argv[: argv.index("--") if "--" in argv else None]
        return super().main(args, *rest, **kwargs)

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
        except ClickException as exc:
            if not self.json_errors:
                raise
            _json_error([exc.format_message()], exc.exit_code)
        if self.json_errors:
            _json_error(lines, 1)
        for line in lines:
            sys.stderr.write(f"llmdive: error: {line}\n")
        raise typer.Exit(1)


def _json_error(lines: list[str], code: int) -> None:
    from llmdive.jsonout import emit_json, error_json

    emit_json(error_json(lines), sys.stderr)
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
    help="The catalogue itself: import a README, update it, export it.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(guide_app, name="guide")


def workspace(ctx: typer.Context) -> "Workspace":
    """The workspace of this call, made from the global options (also during completion)."""
    from llmdive.workspace import Workspace

    root = ctx.find_root()
    if not isinstance(root.obj, Workspace):
        _home_for_this_call(root)
        guide, home = root.params.get("guide"), root.params.get("home")
        root.obj = Workspace(Path(guide) if guide else None, Path(home) if home else None)
    return root.obj


def _home_for_this_call(root: Any) -> None:
    """--home is $LLMDIVE_HOME for this call, so that it moves the cache too (paths.py)."""
    home = root.params.get("home")
    if home is None or root.meta.get("llmdive.home") == home:
        return
    root.meta["llmdive.home"] = home
    before = os.environ.get(HOME_ENV)
    os.environ[HOME_ENV] = str(Path(home).expanduser().absolute())

    def restore() -> None:
        if before is None:
            os.environ.pop(HOME_ENV, None)
        else:
            os.environ[HOME_ENV] = before

    root.call_on_close(restore)


def emit(json_out: bool, as_json: Callable[[], Any], draw: Callable[[Any], None]) -> None:
    """JSON for --json, else lines drawn on a terminal-aware Writer."""
    if json_out:
        from llmdive.jsonout import emit_json

        emit_json(as_json())
        return
    from llmdive import render

    w = render.Writer()
    draw(w)
    w.close()


# ---------------------------------------------------------------- completion


def _complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    from llmdive import completion

    return completion.ids(workspace(ctx).guide_path, incomplete)


def _complete_sections(ctx: typer.Context, incomplete: str) -> list[str]:
    from llmdive import completion

    return completion.sections(workspace(ctx).guide_path, incomplete)


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
    _home_for_this_call(ctx)
