"""The command line: parse arguments, call the core, render. Nothing else lives here.

One module per command group; importing them registers their commands on `app`, in
the order `llmdive --help` lists them (`_typer_app`). The hottest commands first try
cli/fast.py, which runs them without importing Typer at all.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmdive.cli.app import app as app

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    # `from llmdive.cli import app`: the Typer app with every command, built when first asked.
    if name == "app":
        return _typer_app()
    raise AttributeError(name)


def _typer_app() -> Any:
    """The Typer app, every command module imported (so registered), in --help's order."""
    from llmdive.cli import browse, find, reading, undo, progress, sync  # noqa: I001, F401
    from llmdive.cli import guide, personal, where, links  # noqa: F401
    from llmdive.cli.app import app

    globals()["app"] = app  # from now on an attribute (also over the submodule `cli.app`)
    return app


def main(fast: bool = True) -> None:
    """Entry point of the `llmdive` console script (`fast=False`: always through Typer)."""
    import sys

    for arg in sys.argv[1:]:
        # Bytes that are not UTF-8 reach Python as lone surrogates ("surrogateescape"):
        # no id, title, note or URL holds them, and no file or terminal can take them.
        if not _utf8(arg):
            shown = arg.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
            sys.stderr.write(
                f"llmdive: error: the argument {shown[:80]!r} is not valid UTF-8 text\n"
            )
            raise SystemExit(2)
    if sys.stdout is None:  # started with stdout closed (`llmdive list >&-`): nothing to say it on
        sys.stderr.write(
            "llmdive: error: standard output is closed: nothing was done "
            "(give it a file, a pipe or > /dev/null)\n"
        )
        raise SystemExit(1)
    if fast:
        import os

        from llmdive.cli import fast as fastpath

        tab = os.environ.get("_LLMDIVE_COMPLETE")
        try:
            code = fastpath.complete(tab) if tab else fastpath.run(sys.argv[1:])
        except OSError as exc:  # stdout full or closed under what was written
            from llmdive.cli.run import failure

            code = failure(exc, json_errors=False)
        if code is not None:
            raise SystemExit(_flushed(code))
    app = _typer_app()
    _collect_less()
    commands, groups = app.registered_commands[:], app.registered_groups[:]
    _only_the_command_called(_called(sys.argv[1:]))
    try:
        app(prog_name="llmdive")
    finally:  # the app is whole again for whoever calls it next in this process
        app.registered_commands[:], app.registered_groups[:] = commands, groups


def _collect_less() -> None:
    """The cyclic garbage collector, tuned for a call that builds its objects and ends.

    A command at 100,000 links builds a few hundred thousand objects that live to its
    end; at the default threshold the collector walks them again every 700 allocations,
    and again in full as they pile up (`progress` there: 1.13 -> 0.98 s of CPU). What
    start-up built (modules, Typer's app) is frozen, never walked again, and the threshold
    raised: the cycles a long command makes (a link check, an import) are still collected.
    """
    import gc

    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _flushed(code: int) -> int:
    """The exit code once what was written has reached stdout (a full disk is an error, a
    closed pipe a normal end), said as the Typer path says it (cli/run.py: failure)."""
    import sys

    try:
        sys.stdout.flush()
    except OSError as exc:
        from llmdive.cli.run import failure

        return failure(exc, json_errors=False) or code
    return code


# Options of the root command and whether each takes a value (`--home DIR`).
_ROOT_OPTIONS = {"--home": True, "--guide": True, "--urls": False, "--version": False}


def _called(args: list[str]) -> str | None:
    """The command a call runs: its name, "" for none (`llmdive --version`), None if unsure.

    Only when everything before the name is a global option (`--home DIR`, `--guide=F`,
    `--urls`, `--version`); help, `--` or any other option leaves the answer open. On a Tab
    the words before the one being completed are read, so the command is a whole word.
    """
    import os

    if os.environ.get("_LLMDIVE_COMPLETE"):
        words = os.environ.get("COMP_WORDS", "").split()
        try:
            cword = int(os.environ.get("COMP_CWORD", "0"))
        except ValueError:
            return None
        args = words[1:cword]
        if not args:
            return None  # a command name being typed: every name is a candidate
    i = 0
    while i < len(args):
        arg = args[i]
        name, has_value = arg.split("=", 1)[0], "=" in arg
        if name not in _ROOT_OPTIONS:
            return None if arg.startswith("-") else arg
        i += 2 if _ROOT_OPTIONS[name] and not has_value else 1
    if os.environ.get("_LLMDIVE_COMPLETE") or "--version" not in args:
        return None
    return ""


def _only_the_command_called(name: str | None) -> None:
    app = _typer_app()
    """Build only the command a call runs (or none for `--version`).

    Typer builds every command's parameters before it runs one (about 5 ms for two dozen
    commands, on each start); `llmdive next` needs `next` only. An unknown name, help and
    anything unsure keep the whole app, so what Click says (suggestions, the list of
    commands) is unchanged.
    """
    if name is None:
        return
    if name == "":
        app.registered_commands[:] = []
        app.registered_groups[:] = []
        return
    commands = [c for c in app.registered_commands if _name(c) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if len(commands) + len(groups) == 1:
        app.registered_commands[:] = commands
        app.registered_groups[:] = groups


def _name(command: Any) -> str:
    return str(command.name or command.callback.__name__.replace("_", "-"))


def _utf8(arg: str) -> bool:
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
