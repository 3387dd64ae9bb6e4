"""`llmdive tui`, driven by its keys through Textual's Pilot: the record on disk is checked
after each change, through the same core the CLI reads it with."""

from __future__ import annotations

import asyncio
import errno
import html
import re
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import Input

from llmdive.home import storage
from llmdive.model.vocab import Status
from llmdive.record.progress import history, load_progress
from llmdive.tui.app import Links, Places, Reader
from llmdive.tui.screens import Confirm, HelpScreen, NoteEditor
from llmdive.workspace import Workspace
from tests.helpers import subprocess_env

Drive = Callable[[Reader, Pilot[None]], Awaitable[None]]


def drive(
    steps: Drive, size: tuple[int, int] = (100, 30), opener: Callable[[str], bool] | None = None
) -> Reader:
    """Run the reader headless at `size`, do `steps`, and hand back the app."""
    app = Reader(Workspace(), opener=opener)

    async def go() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await steps(app, pilot)

    asyncio.run(go())
    return app


def screen_text(app: Reader) -> str:
    """What the screen shows, as text: the spans of its SVG screenshot, in order."""
    spans = re.findall(r">([^<]*)</text>", app.export_screenshot())
    return html.unescape("".join(spans)).replace("\xa0", " ")


def status(home: Path, link_id: str) -> Status:
    return load_progress(home).status(link_id)


def cursor_id(app: Reader) -> str:
    item = app.current_item()
    assert item is not None
    return item.link.id


async def search(pilot: Pilot[None], words: str) -> None:
    await pilot.press("slash", *words, "enter")
    await pilot.pause()


async def to_place(app: Reader, pilot: Pilot[None], slug: str) -> None:
    """Move the tree's cursor to a top-level section (the tree focused)."""
    await pilot.press("h")
    sections = [s.slug for s in app.ws.catalogue.guide.sections]
    await pilot.press("home", *["j"] * (sections.index(slug) + 1))
    await pilot.pause()
    assert app.place == (slug,)


def test_a_whole_sitting_find_mark_undo_open_mark_a_section_quit(home: Path) -> None:
    opened: list[str] = []

    def browser(url: str) -> bool:
        opened.append(url)
        return True

    async def steps(app: Reader, pilot: Pilot[None]) -> None:
        # Find a link by typing: the table filters as the words come.
        await search(pilot, "lora")
        assert cursor_id(app) == "lora-explained"
        assert app.mode == "search"
        # r marks it read, on disk, as `mark-read` would.
        await pilot.press("r")
        await pilot.pause()
        assert status(home, "lora-explained") is Status.READ
        # u takes it back: one change, one undo, both in history.
        await pilot.press("u")
        await pilot.pause()
        assert status(home, "lora-explained") is Status.UNREAD
        rows = [r for r in history(load_progress(home)) if r.id == "lora-explained"]
        assert [r.undo is not None for r in rows] == [True, False]
        # o opens it with the browser and marks nothing; then asks, and y marks it read.
        await pilot.press("escape")
        await search(pilot, "lora")
        await pilot.press("o")
        await pilot.pause()
        assert opened == ["https://www.youtube.com/watch?v=PXWYUTMt-AU"]
        assert status(home, "lora-explained") is Status.UNREAD
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert status(home, "lora-explained") is Status.READ
        # A whole section, asked first: n leaves it, A then y marks every link of it.
        await pilot.press("escape")
        await to_place(app, pilot, "finetuning")
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await pilot.pause()
        assert status(home, "dpo-explained") is Status.UNREAD
        await pilot.press("A", "y")
        await pilot.pause()
        section = app.ws.catalogue.items_under(app.ws.catalogue.find_topic("finetuning"))
        assert {status(home, i.link.id) for i in section} == {Status.READ}
        # ... and one undo takes the whole section back (lora stays read: its own change).
        await pilot.press("u")
        await pilot.pause()
        assert status(home, "dpo-explained") is Status.UNREAD
        assert status(home, "lora-explained") is Status.READ
        await pilot.press("q")

    app = drive(steps, opener=browser)
    assert app.return_code == 0


def test_after_a_mark_the_cursor_moves_to_the_next_unread_link(home: Path) -> None:
    async def steps(app: Reader, pilot: Pilot[None]) -> None:
        ids = [i.link.id for i in app.rows]
        await pilot.press("j", "s")  # start the second: the cursor moves on to the third
        await pilot.pause()
        assert status(home, ids[1]) is Status.READING
        assert cursor_id(app) == ids[2]
        await pilot.press("k", "k", "r")  # vim keys and arrows alike: back to the first
        await pilot.pause()
        assert status(home, ids[0]) is Status.READ
        assert cursor_id(app) == ids[2]  # the second is being read, not unread
        await pilot.press("up", "up", "x")
        await pilot.pause()
        assert status(home, ids[0]) is Status.SKIPPED
        await pilot.press("up", "up", "c")  # c: unread again, the cursor stays
        await pilot.pause()
        assert status(home, ids[0]) is Status.UNREAD
        assert cursor_id(app) == ids[0]

    drive(steps)


def test_a_note_is_edited_inline_and_kept_as_a_note_event(home: Path) -> None:
    async def steps(app: Reader, pilot: Pilot[None]) -> None:
        await search(pilot, "lora")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"rank section", "enter")
        await pilot.pause()
        assert load_progress(home).value("lora-explained", "note") == "rank section"
        assert "rank section" in app.detail.plain
        await pilot.press("e", "escape")  # esc leaves it as it was
        await pilot.pause()
        assert load_progress(home).value("lora-explained", "note") == "rank section"

    drive(steps)


def test_a_mark_made_in_another_terminal_shows_within_seconds(home: Path) -> None:
    async def steps(app: Reader, pilot: Pilot[None]) -> None:
        assert app.snap.status(app.ws.catalogue.by_id["dpo-explained"]) is Status.UNREAD
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "llmdive",
            "mark-read",
            "dpo-explained",
            env=subprocess_env(LLMDIVE_HOME=str(home)),
            stdout=subprocess.DEVNULL,
        )
        assert await proc.wait() == 0
        for _ in range(40):  # up to 4 s: the watch looks once a second
            await pilot.pause(0.1)
            if app.snap.status(app.ws.catalogue.by_id["dpo-explained"]) is Status.READ:
                break
        assert app.snap.status(app.ws.catalogue.by_id["dpo-explained"]) is Status.READ
        row = [i.link.id for i in app.rows].index("dpo-explained")
        assert app.query_one(Links).get_row_at(row)[0].plain == "✓"

    drive(steps)


def test_a_write_that_fails_is_said_and_nothing_is_lost(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def steps(app: Reader, pilot: Pilot[None]) -> None:
        first = cursor_id(app)
        await pilot.press("r")
        await pilot.pause()
        before = (home / "progress.json").read_bytes()

        def refuse(path: Path, data: bytes) -> None:
            raise OSError(errno.EROFS, "Read-only file system", str(path))

        monkeypatch.setattr(storage, "atomic_write", refuse)
        await pilot.press("r")
        await pilot.pause()
        message = app.message.plain
        assert message.startswith("not marked read: ")
        assert "Read-only file system" in message and "nothing was changed" in message
        assert (home / "progress.json").read_bytes() == before
        assert status(home, first) is Status.READ
        assert app.is_running

    drive(steps)


def test_help_lists_the_keys_and_the_footer_shows_the_main_ones(home: Path) -> None:
    async def steps(app: Reader, pilot: Pilot[None]) -> None:
        shown = {b.key for b in app.BINDINGS if isinstance(b, Binding) and b.show}
        assert {"q", "question_mark", "slash", "r", "u", "o"} <= shown
        await pilot.pause(0.2)  # the footer is drawn once the bindings have settled
        footer = screen_text(app)
        for words in ("/ search", "r read", "u undo", "o open", "? help", "q quit"):
            assert words in footer
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shot = screen_text(app)
        for words in ("search as you type", "mark read", "undo the last change", "quit"):
            assert words in shot
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)

    drive(steps)


def test_next_shows_the_learning_path_of_llmdive_next(home: Path) -> None:
    from llmdive.find.planner import next_links

    async def steps(app: Reader, pilot: Pilot[None]) -> None:
        await pilot.press("n")
        await pilot.pause()
        ws = app.ws
        picks = next_links(ws.catalogue, ws.states)
        assert [i.link.id for i in app.rows] == [p.item.link.id for p in picks if p.item]
        await pilot.press("r")  # marking from Next: the section's next link takes its place
        await pilot.pause()
        picks = next_links(app.ws.catalogue, app.ws.states)
        assert [i.link.id for i in app.rows] == [p.item.link.id for p in picks if p.item]

    drive(steps)


def test_the_tree_shows_read_counts_and_chooses_the_links(home: Path) -> None:
    async def steps(app: Reader, pilot: Pilot[None]) -> None:
        await to_place(app, pilot, "finetuning")
        section = app.ws.catalogue.items_under(app.ws.catalogue.find_topic("finetuning"))
        assert [i.link.id for i in app.rows] == [i.link.id for i in section]
        await pilot.press("l", "r")
        await pilot.pause()
        label = app.query_one(Places).cursor_node
        assert label is not None and f"1/{len(section)}" in str(label.label)

    drive(steps)


def test_a_search_box_left_with_escape_goes_back_to_the_place(home: Path) -> None:
    async def steps(app: Reader, pilot: Pilot[None]) -> None:
        every = len(app.rows)
        await pilot.press("slash", *"quantization")
        await pilot.pause(0.5)  # the search runs once typing pauses
        assert 0 < len(app.rows) < every
        assert app.query_one("#search", Input).value == "quantization"
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.mode == "place" and len(app.rows) == every

    drive(steps)


def test_a_mark_confirmed_after_opening_moves_on_too(home: Path) -> None:
    async def steps(app: Reader, pilot: Pilot[None]) -> None:
        ids = [i.link.id for i in app.rows]
        await pilot.press("o", "y")
        await pilot.pause()
        assert status(home, ids[0]) is Status.READ
        assert cursor_id(app) == ids[1]

    drive(steps, opener=lambda url: True)


def test_a_view_of_many_links_shows_the_first_and_says_so(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmdive.tui import app as tui_app

    monkeypatch.setattr(tui_app, "MAX_ROWS", 3)

    async def steps(app: Reader, pilot: Pilot[None]) -> None:
        assert len(app.rows) == 3
        await pilot.pause(0.2)
        every = len(app.ws.catalogue.items)
        assert f"{every} links (the first 3 shown)" in screen_text(app)

    drive(steps)


def test_several_guides_each_have_their_node_with_their_sections(home: Path) -> None:
    """Following the LLM Deep Dive and llm-course: a node for each guide, its sections under
    it, and the whole of each guide's sections there."""
    from llmdive.record import guides
    from tests.helpers import FIXTURES

    guides.add(home, "llm-course", str(FIXTURES / "lists" / "mlabonne__llm-course.md"))

    async def steps(app: Reader, pilot: Pilot[None]) -> None:
        tree = app.query_one(Places)
        assert str(tree.root.label) == "2 guides"
        assert [str(n.label) for n in tree.root.children] == ["The LLM Deep Dive", "llm-course"]
        catalogue = app.ws.catalogue
        for node, name in zip(tree.root.children, ("default", "llm-course"), strict=True):
            sections = [
                s.title
                for i, s in enumerate(catalogue.guide.sections)
                if catalogue.origin(i) == name
            ]
            shown = [str(c.label).split("  ")[0] for c in node.children]
            assert len(shown) == len(sections)
            # Each label is its section's title, cut to fit the tree with an ellipsis.
            for label, title in zip(shown, sections, strict=True):
                assert title.startswith(label.rstrip("…")), (label, title)

    drive(steps)


@pytest.mark.parametrize(
    ("size", "keys", "top"),
    [
        ((60, 20), ["n"], "Next: each section's next  · 0/29 read"),
        ((40, 20), [], "The LLM Deep Dive  · 0/29 read"),
        ((30, 20), [], "The LLM Deep D…  · 0/29 read"),
    ],
)
def test_the_read_count_stays_in_the_top_line_at_narrow_widths(
    home: Path, size: tuple[int, int], keys: list[str], top: str
) -> None:
    async def steps(app: Reader, pilot: Pilot[None]) -> None:
        await pilot.press(*keys)
        await pilot.pause()
        shown = screen_text(app)
        assert shown.startswith(f"llmdive{top}\n"), shown[:80]  # the SVG title, then the top

    drive(steps, size=size)
