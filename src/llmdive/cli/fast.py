"""The fast path: the hottest commands (cli/params.py: COMMANDS) and --version without Typer.

Importing Typer costs most of a hot command's start. `run` takes only argv it fully
understands: the declared options in any order (`--opt v`, `--opt=v`), `--`, and the
global options before or after the command name. Anything else (help, an unknown option,
a missing or odd value, a bad choice, a section the catalogue lacks, a usage error the
command would raise) returns None before any side effect, and the Typer app runs instead
and says what it always says. The command bodies are cli/bodies.py's, the ends of a call
cli/run.py's: the same as the Typer commands call. tests/cli/test_fast.py runs a corpus
of argv both ways.
"""

from __future__ import annotations

import errno
import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmdive.cli import params
from llmdive.cli.params import Param
from llmdive.home.paths import GUIDE_ENV

if TYPE_CHECKING:
    from llmdive.workspace import Workspace

_GLOBAL = {flag: p for p in params.GLOBAL for flag in p.flags}
_AFTER_THE_NAME = ("--home", "--guide", "--urls")  # cli/app.py: _global_options_first


class _Declined(Exception):
    """argv the fast path does not take: the Typer app runs it."""


def run(argv: list[str]) -> int | None:
    """Run `argv` (without the program name) and return its exit code; None: not taken."""
    try:
        command, options, values = _parse(argv)
    except _Declined:
        return None
    if options["version"]:
        from llmdive import __version__

        sys.stdout.write(f"llmdive {__version__}\n")
        sys.stdout.flush()
        return 0
    try:
        return _call(command, options, values)
    except KeyboardInterrupt:  # before the command's body (which says its own): as Typer
        return 130


def _parse(argv: list[str], completing: bool = False) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(command, global options, the command's values), or _Declined.

    `completing`: the words before a Tab, where Click reads no global option after the
    command name and a required argument may still be missing."""
    options: dict[str, Any] = {p.name: [] if p.multiple else p.default for p in params.GLOBAL}
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        i = _take(argv, i, _GLOBAL, options)
    if i == len(argv):  # only global options: --version (eager: it wins over the others)
        if not options["version"] or completing:
            raise _Declined
        return "", options, {}
    if options["version"]:
        raise _Declined  # `--version next`: left to Click
    command = argv[i]
    declared = params.COMMANDS.get(command)
    if declared is None:
        raise _Declined
    flags = {flag: p for p in declared for flag in p.flags}
    if not completing:
        flags.update({flag: _GLOBAL[flag] for flag in _AFTER_THE_NAME})
    values: dict[str, Any] = {p.name: [] if p.multiple else p.default for p in declared}
    words: list[str] = []
    i += 1
    while i < len(argv):
        if argv[i] == "--":
            words += argv[i + 1 :]
            break
        if argv[i].startswith("-"):
            target = options if argv[i].split("=", 1)[0] in _AFTER_THE_NAME else values
            i = _take(argv, i, flags, target)
        else:
            words.append(argv[i])
            i += 1
    arguments = [p for p in declared if p.is_argument]
    if not arguments and words:
        raise _Declined  # an extra argument: Click's usage error
    for p in arguments:
        if p.required and not words and not completing:
            raise _Declined
        values[p.name] = words
    return command, options, values


def _take(argv: list[str], i: int, flags: dict[str, Param], into: dict[str, Any]) -> int:
    """Read the option at argv[i] into `into`; the index after it."""
    arg = argv[i]
    name, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
    p = flags.get(name)
    if p is None:
        raise _Declined
    if p.flag:
        if eq:
            raise _Declined
        into[p.name] = True
        return i + 1
    if eq:
        value, after = inline, i + 1
    elif i + 1 < len(argv):
        value, after = argv[i + 1], i + 2
    else:
        raise _Declined  # a missing value
    if value.startswith("-"):
        raise _Declined  # Click may read it as a value or an option: left to it
    converted = _value(p, value)
    if p.multiple:
        into[p.name].append(converted)
    else:
        into[p.name] = converted
    return after


def _value(p: Param, value: str) -> Any:
    if p.choices is not None:
        low = value.lower()
        if not value.isascii() or low not in p.choice_values:
            raise _Declined
        return p.choices(low)
    if p.minimum is not None:
        if not (value.isascii() and value.isdigit()) or int(value) < p.minimum:
            raise _Declined
        return int(value)
    home = p is params.HOME  # cli/app.py: _home_folder; never an empty name, never a file
    if home and (not value.strip() or os.path.isfile(os.path.expanduser(value))):
        raise _Declined
    if p is params.GUIDE:
        _guide_file(value)
    return value


def _guide_file(value: str) -> None:
    """What Click's Path(dir_okay=False) accepts: no folder, nothing unreadable."""
    if not value:
        raise _Declined
    import stat

    try:
        st = os.stat(value)
    except OSError:
        return
    if stat.S_ISDIR(st.st_mode) or not os.access(value, os.R_OK):
        raise _Declined


def _call(command: str, options: dict[str, Any], values: dict[str, Any]) -> int | None:
    """The command run as its Typer command would run it, or None before any side effect."""
    try:
        guide = _guide_of(options)
    except _Declined:
        return None
    if command == "mark-read" and not values["link_ids"] and values["section"] is None:
        return None  # the usage error of mark-read: name the links
    if command == "search":
        from llmdive.cli.run import has_words

        if not has_words(values["words"]):
            return None
    # A call builds ~10^4 objects at once (10,000 links and entries) and ends: the cyclic
    # collector would only walk them again and again (a fifth of `next` at 10,000 links);
    # reference counting frees them all the same.
    collecting = gc.isenabled()
    gc.disable()
    try:
        ws = _workspace(guide, options)
        if values.get("section") is not None and not _section_known(ws, values["section"]):
            return None
        return _body(command, ws, values)
    finally:
        if collecting:
            gc.enable()


def _guide_of(options: dict[str, Any]) -> str | None:
    """--guide, else $LLMDIVE_GUIDE (empty: unset, as Click reads it), checked as Click does.

    A followed guide's name, or --guide given twice, is left to Typer (cli/app.py)."""
    given: list[str] = options["guide"]
    if len(given) > 1 or (given and params.split_guides(given)[1]):
        raise _Declined
    guide: str | None = given[0] if given else None
    if guide is None and os.environ.get(GUIDE_ENV):
        guide = os.environ[GUIDE_ENV]
        _guide_file(guide)  # Click checks the variable's value as it checks --guide's
    return guide


def _workspace(guide: str | None, options: dict[str, Any]) -> Workspace:
    from llmdive.workspace import Workspace

    home = Path(options["home"]) if options["home"] else None
    return Workspace(Path(guide) if guide else None, home, bool(options["urls"]))


def _section_known(ws: Workspace, section: str) -> bool:
    from llmdive.cli.run import section_problem
    from llmdive.errors import LlmdiveError

    try:
        return section_problem(ws, section) is None
    except (LlmdiveError, OSError):
        return False  # a catalogue that does not load: Typer says so, as it does today


def _body(command: str, ws: Workspace, values: dict[str, Any]) -> int:
    from llmdive.cli import bodies, run
    from llmdive.errors import LlmdiveError
    from llmdive.model.vocab import Status

    json_errors = bool(values["json_out"])
    home_was_there = ws.home.is_dir()
    named = run.home_named(ws)
    failed = False
    try:
        section, json_out = values["section"], values["json_out"]
        kinds = _or_none(values.get("difficulty")), _or_none(values.get("status"))
        if command == "next":
            bodies.next_(ws, section, values["count"], json_out, values["include_dead"])
        elif command == "list":
            bodies.list_links(ws, section, *kinds, json_out)
        elif command == "search":
            bodies.search(ws, values["words"], section, *kinds, json_out)
        else:
            ids = _or_none(values["link_ids"])
            bodies.mark(ws, ids, section, Status.READ, json_out, values["include_skipped"])
        code = 0
    except (LlmdiveError, OSError) as exc:
        failed = isinstance(exc, LlmdiveError)
        code = run.failure(exc, json_errors)
    except KeyboardInterrupt:
        code = 130  # Ctrl-C: as Typer ends it, quietly
    if not home_was_there and not json_errors:
        run.say_what_became_of_the_home(ws.home, named, failed)
    try:
        sys.stdout.flush()
    except OSError as exc:  # as the root command's main: a closed pipe is a normal end
        if exc.errno != errno.EPIPE:
            raise
        run.quiet_pipe()
        return 0
    return code


def _or_none(values: list[Any] | None) -> list[Any] | None:
    return values or None


# ---------------------------------------------------------------- completion

_SHELLS = ("complete_bash", "complete_zsh", "complete_fish")


def complete(instruction: str) -> int | None:
    """A Tab on a hot command: its link ids (mark-read) or --section's headings, printed as
    Typer prints them for bash, zsh and fish; None (Typer answers) for anything else."""
    if instruction not in _SHELLS:
        return None
    try:
        args, incomplete = _completion_args(instruction)
        if incomplete.startswith("-") or "=" in incomplete or "--" in args:
            raise _Declined
        section = bool(args) and args[-1] in params.SECTION.flags
        command, options, values = _parse(args[:-1] if section else args, completing=True)
    except _Declined:
        return None
    if options["version"] or command == "" or not (section or command == "mark-read"):
        return None
    try:
        guide = _guide_of(options)
    except _Declined:
        return None
    from llmdive.cli import completion

    ws = _workspace(guide, options)
    if section:
        found = completion.sections(ws.guide_path, incomplete, ws.home, not ws.guide_chosen)
    else:
        found = completion.ids(ws.guide_path, incomplete, ws.home, not ws.guide_chosen)
    return _print_completions(instruction, found)


def _completion_args(instruction: str) -> tuple[list[str], str]:
    """The words before the one being completed, and that one (as Typer reads them)."""
    if instruction == "complete_bash":
        try:
            words = split(os.environ["COMP_WORDS"])
            cword = int(os.environ["COMP_CWORD"])
        except (KeyError, ValueError):
            raise _Declined from None
        return words[1:cword], words[cword] if cword < len(words) else ""
    line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
    args = split(line)[1:]
    if args and not line.endswith(" "):
        return args[:-1], args[-1]
    return args, ""


def _print_completions(instruction: str, found: list[str]) -> int:
    if instruction == "complete_zsh":

        def escape(s: str) -> str:
            return (
                s.replace('"', '""')
                .replace("'", "''")
                .replace("$", "\\$")
                .replace("`", "\\`")
                .replace(":", r"\\:")
            )

        quoted = "\n".join(f'"{escape(v)}"' for v in found)
        text = f"_arguments '*: :(({quoted}))'" if found else "_files"
    elif instruction == "complete_fish":
        action = os.environ.get("_TYPER_COMPLETE_FISH_ACTION", "")
        if action == "is-args":
            return 0 if found else 1  # files are offered only when no names are
        text = "\n".join(found) if action == "get-args" else ""
    else:
        text = "\n".join(found)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    return 0


def split(line: str) -> list[str]:
    """Words as Click's completion splits them (shlex, a missing quote forgiven)."""
    import shlex

    lex = shlex.shlex(line, posix=True)
    lex.whitespace_split = True
    lex.commenters = ""
    out: list[str] = []
    try:
        out.extend(lex)
    except ValueError:  # the end came inside quotes or after a backslash: the word so far
        out.append(lex.token)
    return out
