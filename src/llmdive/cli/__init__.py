"""The command line: parse arguments, call the core, render. Nothing else lives here.

One module per command group; importing them registers their commands on `app`, in
the order `llmdive --help` lists them (so this import is not sorted).
"""

from llmdive.cli import browse, find, reading, undo, record, sync, guide, personal, where, links  # noqa: I001, F401
from llmdive.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the `llmdive` console script."""
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
    app(prog_name="llmdive")


def _utf8(arg: str) -> bool:
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
