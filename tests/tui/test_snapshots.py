"""The reader's main screens as SVG snapshots (pytest-textual-snapshot), at 60, 80 and 120
columns, on the README's fixed example record; `pytest --snapshot-update` redraws them
(tests/tui/__snapshots__/, committed). Textual is pinned in pyproject.toml: its drawing
changes between versions."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from llmdive.tui.app import Reader
from llmdive.workspace import Workspace
from tests.helpers import REPO

Compare = Callable[..., bool]


@pytest.fixture
def example(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The README pictures' example record (docs/make_pictures.py), shown in UTC."""
    spec = importlib.util.spec_from_file_location("make_pictures", REPO / "docs/make_pictures.py")
    assert spec is not None and spec.loader is not None
    pictures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pictures)
    pictures.write_record(home)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield home
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 32)], ids=["60", "80", "120"])
def test_the_main_screen(snap_compare: Compare, example: Path, size: tuple[int, int]) -> None:
    assert snap_compare(Reader(Workspace()), terminal_size=size)


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 32)], ids=["60", "80", "120"])
def test_next(snap_compare: Compare, example: Path, size: tuple[int, int]) -> None:
    assert snap_compare(Reader(Workspace()), press=["n"], terminal_size=size)


def test_a_search(snap_compare: Compare, example: Path) -> None:
    assert snap_compare(Reader(Workspace()), press=["slash", *"lora", "enter"])


def test_help(snap_compare: Compare, example: Path) -> None:
    assert snap_compare(Reader(Workspace()), press=["question_mark"], terminal_size=(80, 30))


def test_a_section_in_monochrome(
    snap_compare: Compare, example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NO_COLOR: the status still shows, by its symbol (✓ read, ▸ reading, – skipped)."""
    monkeypatch.setenv("NO_COLOR", "1")

    async def finetuning(pilot: Any) -> None:
        await pilot.press("h", "home", *["j"] * 6, "l")

    assert snap_compare(Reader(Workspace()), run_before=finetuning, terminal_size=(80, 24))
