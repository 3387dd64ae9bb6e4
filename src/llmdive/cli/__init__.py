"""The command line: parse arguments, call the core, render. Nothing else lives here.

One module per command group; importing them registers their commands on `app`, in
the order `llmdive --help` lists them (so this import is not sorted).
"""

from llmdive.cli import browse, find, reading, undo, record, sync, guide, personal, where, links  # noqa: I001, F401
from llmdive.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the `llmdive` console script."""
    app(prog_name="llmdive")
