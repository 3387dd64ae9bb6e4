"""`llmdive tui`: the command runs the reader over the call's Workspace; a record it cannot
read is one line on stderr, as for every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmdive.tui import app as tui_app
from llmdive.workspace import Workspace
from tests.helpers import Invoke


def test_tui_runs_the_reader_over_the_calls_home(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[Workspace] = []
    monkeypatch.setattr(tui_app, "run", ran.append)
    other = tmp_path / "other"
    result = cli("--home", str(other), "tui")
    assert result.exit_code == 0, result.output
    assert [ws.home for ws in ran] == [other]


def test_a_record_it_cannot_read_is_one_line_and_left_untouched(cli: Invoke, home: Path) -> None:
    (home / "progress.json").write_text("{not json", encoding="utf-8")
    result = cli("tui")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"llmdive: error: {home / 'progress.json'}: ")
    assert len(result.stderr.splitlines()) == 1
    assert (home / "progress.json").read_text(encoding="utf-8") == "{not json"


def test_only_the_tui_command_imports_the_reader() -> None:
    """cli/ reaches tui/ through the one command, inside its body (ARCHITECTURE.md)."""
    import ast

    cli = Path(__file__).resolve().parents[2] / "src" / "llmdive" / "cli"
    importers = []
    for path in sorted(cli.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("llmdive.tui"):
                importers.append((path.name, node.col_offset > 0))
    assert importers == [("browse.py", True)]
