"""Guides and records are untrusted: every title, note and URL the reader shows comes out
inert, controls escaped as the CLI escapes them and markup shown as written."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text

from llmdive.tui.app import Links, Places, Reader
from llmdive.workspace import Workspace
from tests.hostile import HOSTILE, assert_inert, hostile_home
from tests.tui.test_app import screen_text

MARKUP = "[bold red]not bold[/] [link=https://evil.example]x[/link]"


def labels(tree: Places) -> list[str]:
    out: list[str] = []
    todo = [tree.root]
    while todo:
        node = todo.pop()
        out.append(str(node.label))
        todo.extend(node.children)
    return out


def test_the_hostile_corpus_through_every_view(home: Path) -> None:
    hostile_home(home)
    seen: list[str] = []

    async def go() -> None:
        app = Reader(Workspace())
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.pause()
            table = app.query_one(Links)
            # Every link's row and detail pane: titles, notes, related links, URLs, history.
            for row in range(len(app.rows)):
                table.move_cursor(row=row)
                await pilot.pause()
                cells = table.get_row_at(row)
                assert all(isinstance(c, Text) for c in cells)
                seen.extend(c.plain for c in cells)
                seen.append(app.detail.plain)
            tree = labels(app.query_one(Places))
            seen.extend(tree)
            # The markup title, in its row and as a topic of the tree, as written.
            row = [i.link.id for i in app.rows].index("hostile-12")
            assert table.get_row_at(row)[2].plain.startswith("markup [bold red]not bold[/]")
            assert any(label.startswith("markup [bold red]not bold[/]") for label in tree)
            seen.append(screen_text(app))
            # A search that finds them, and Next.
            await pilot.press("slash", *"markup", "enter")
            await pilot.pause()
            assert app.rows, "the markup title is found by its words"
            seen.append(screen_text(app))
            await pilot.press("escape", "n")
            await pilot.pause()
            seen.append(screen_text(app))

    asyncio.run(go())
    shown = "\n".join(seen)
    assert_inert(shown, "tui")
    assert "\x1b" not in shown and "\\x1b[2J" in shown  # escaped as `safe` writes it
    assert "\\u202e" in shown  # the bidi override made visible, not obeyed
    assert MARKUP in shown  # markup shown as written, never read as markup
    assert "[vLLM] brackets kept" in shown
    assert "note markup [bold red]not bold[/]" in shown  # a note, in the detail pane
    assert sum(h.split()[0] in shown for h in HOSTILE) == len(HOSTILE)
