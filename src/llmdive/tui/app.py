"""`llmdive tui`: a full-screen reader over the same record as the command line.

A tree of places (the guide, its sections and topics, with read counts), the links of
the place chosen (or of a search, or of Next), and the detail of the link under the
cursor. Every change goes through the core the CLI's commands call (tui/core.py): the
same lock, history and undo. The record's files are watched (their size and time, once a
second) and read again when another terminal changes them; sync runs only when asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.widgets import DataTable, Footer, Input, Static, Tree
from textual.widgets.tree import TreeNode

from llmdive.errors import LlmdiveError
from llmdive.model.vocab import DEFAULT_GUIDE, Status
from llmdive.output.terminal import safe
from llmdive.tui import core
from llmdive.tui.core import Key, Snapshot
from llmdive.tui.screens import Confirm, HelpScreen, NoteEditor

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.timer import Timer
    from textual.widget import Widget

    from llmdive.guide.catalogue import Item
    from llmdive.model.models import Topic
    from llmdive.workspace import Workspace

WATCH_EVERY_S = 1.0
NARROW = 80  # columns: below, the tree hidden until asked for, one-letter difficulties
MAX_ROWS = 300  # links in the table at once
SEARCH_AFTER_S = 0.15  # a pause in typing that runs the search


class Places(Tree[Key]):
    """The guide, its sections and topics, each with its read count."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "down", show=False),
        Binding("k", "cursor_up", "up", show=False),
        Binding("l", "app.focus_links", "links", show=False),
    ]


class Links(DataTable[Text]):
    """The links of a place, a search or Next: status, title, difficulty."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "down", show=False),
        Binding("k", "cursor_up", "up", show=False),
        Binding("g", "scroll_top", "top", show=False),
        Binding("G", "scroll_bottom", "bottom", show=False),
        Binding("h", "app.focus_places", "tree", show=False),
    ]

    def on_resize(self, event: Resize) -> None:
        """A new width (the terminal's, or the tree shown or hidden): titles cut anew."""
        app = self.app
        if isinstance(app, Reader) and event.size.width != app.rows_width:
            app.call_after_refresh(app.show_rows)


class Reader(App[None]):
    """The interactive reader."""

    TITLE = "llmdive"
    CSS = """
    Screen { layout: vertical; }
    #top { height: 1; padding: 0 1; background: $panel; }
    #body { height: 1fr; }
    #places {
        width: 34%; max-width: 48; min-width: 20; overflow-x: hidden;
        border-right: solid $primary-darken-2;
    }
    #right { width: 1fr; }
    #search { display: none; height: 3; }
    #links { height: 1fr; }
    #detail { height: 45%; border-top: solid $primary-darken-2; padding: 0 1; }
    #message { height: 1; padding: 0 1; }
    Reader.narrow #places { width: 26; }
    Reader.narrow #detail { height: 40%; }
    ModalScreen { align: center middle; }
    #ask { width: 70%; max-width: 80; height: auto; padding: 1 2; border: thick $primary; }
    #ask > Static { width: 100%; }
    #help { width: 90%; max-width: 100; height: 80%; padding: 1 2; border: thick $primary; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "quit"),
        Binding("question_mark", "help", "help"),
        Binding("slash", "search", "search"),
        Binding("n", "next_view", "next"),
        Binding("r", "mark('read')", "read"),
        Binding("s", "mark('reading')", "start"),
        Binding("x", "mark('skipped')", "skip"),
        Binding("c", "mark('unread')", "unread", show=False),
        Binding("u", "undo", "undo"),
        Binding("o", "open", "open"),
        Binding("e", "note", "note"),
        Binding("E", "note_in_editor", "note in $EDITOR", show=False),
        Binding("A", "mark_place", "all read", show=False),
        Binding("t", "toggle_tree", "tree", show=False),
        Binding("escape", "leave", "back", show=False),
    ]

    def __init__(self, ws: Workspace, opener: core.Opener | None = None) -> None:
        super().__init__()
        self.opener = opener
        self.snap = Snapshot.load(ws)  # a record llmdive cannot read stops here, one line
        self.stamp = core.record_stamp(ws)
        self.place: Key = ()
        self.mode = "place"  # or "search", "next"
        self.rows: list[Item] = []
        self.found = 0  # links in the view, of which the first MAX_ROWS are rows
        self.drawn: tuple[object, ...] = ()  # what the table was last filled with
        self.generation = 0  # one more at each reading of the record
        self.typing: Timer | None = None
        self.nodes: dict[Key, TreeNode[Key]] = {}
        self.rows_width = 0  # the table's width when its titles were last cut to it
        self.message = Text()  # the line under the links, and the detail pane, as shown
        self.detail = Text()

    @property
    def ws(self) -> Workspace:
        return self.snap.ws

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(id="top")
        with Horizontal(id="body"):
            yield Places(core.shown(self.ws.catalogue.guide.title), data=(), id="places")
            with Vertical(id="right"):
                yield Input(placeholder="search: words, acronyms, your notes", id="search")
                yield Links(id="links", cursor_type="row", zebra_stripes=False)
                with VerticalScroll(id="detail"):
                    yield Static(id="detail-text")
        yield Static(id="message")
        yield Footer()

    def on_mount(self) -> None:
        self._narrow(self.size.width)
        if self.has_class("narrow"):  # the links get the width; h or t shows the tree
            self.query_one(Places).display = False
        self.build_tree()
        self.show_rows()
        self.call_after_refresh(self.show_rows)  # again, at the width the layout gave it
        self.call_after_refresh(self.relabel_tree)
        self.focus_now(self.query_one(Links))
        self.set_interval(WATCH_EVERY_S, self.watch_record)
        if self.snap.problem:
            self.say(self.snap.problem, error=True)

    def on_resize(self) -> None:
        self._narrow(self.size.width)
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """The rows and the tree drawn again for the new size, once the reader's screen is
        there and on top (a resize may come while it is being built, torn down, or under
        help or a question: then the next view draws it)."""
        if not self.screen.query(Links):
            return
        self.show_rows()
        self.relabel_tree()

    def _narrow(self, width: int) -> None:
        self.set_class(width < NARROW, "narrow")

    # ------------------------------------------------------------ the tree

    def build_tree(self) -> None:
        tree = self.query_one(Places)
        tree.clear()
        self.nodes = {(): tree.root}
        tree.root.set_label(self._label((), self.ws.catalogue.guide.title))
        tree.root.expand()

        def add(parent: TreeNode[Key], topics: Iterable[Topic], above: Key) -> None:
            for topic in topics:
                key = (*above, topic.slug)
                label = self._label(key, topic.title)
                if topic.topics:
                    node = parent.add(label, data=key, expand=False)
                    add(node, topic.topics, key)
                else:
                    node = parent.add_leaf(label, data=key)
                self.nodes[key] = node

        catalogue = self.ws.catalogue
        if not catalogue.several:
            add(tree.root, catalogue.guide.sections, ())
            return
        # Several guides: a node for each (no place of its own), its sections under it.
        tree.root.set_label(Text(f"{len(catalogue.guide_names)} guides", style="bold"))
        under: dict[str, list[Topic]] = {}
        for index, section in enumerate(catalogue.guide.sections):
            under.setdefault(catalogue.origin(index), []).append(section)
        for name, sections in under.items():
            shown = catalogue.guide.title if name == DEFAULT_GUIDE else name
            add(tree.root.add(Text(safe(shown), style="bold"), expand=True), sections, ())

    def _label(self, key: Key, title: str) -> Text:
        tree = self.query_one(Places)
        width = tree.size.width or (26 if self.has_class("narrow") else self.size.width // 3)
        # Each level indents by 4 cells, an expander (▶) takes 2, the border and a scroll
        # bar 3.
        path = self.snap.places.get(key)
        depth = len(key) + (1 if key and self.ws.catalogue.several else 0)  # under its guide
        room = width - 3 - 4 * depth - (2 if not path or path[-1].topics else 0)
        return core.tree_label(title, self.snap.tallies.get(key, core.no_links()), room)

    def relabel_tree(self) -> None:
        """New counts on the same tree; a guide whose places changed is drawn afresh."""
        if set(self.nodes) != {(), *self.snap.places}:
            self.build_tree()
            return
        for key, node in self.nodes.items():
            if not key and self.ws.catalogue.several:
                continue  # "N guides"
            title = self.snap.places[key][-1].title if key else self.ws.catalogue.guide.title
            node.set_label(self._label(key, title))

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Key]) -> None:
        key = event.node.data
        if key is None or (key == self.place and self.mode == "place"):
            return
        self.place, self.mode = key, "place"
        self.show_rows(keep=False)

    def on_tree_node_selected(self, event: Tree.NodeSelected[Key]) -> None:
        if event.node.data is not None and not event.node.children:
            self.focus_now(self.query_one(Links))

    # ------------------------------------------------------------ the links

    def current_rows(self) -> list[Item]:
        if self.mode == "next":
            return self.snap.next_items()
        if self.mode == "search":
            text = self.query_one("#search", Input).value
            if any(c.isalnum() for c in text):
                return self.snap.search(text)
        return self.snap.items(self.place)

    def show_rows(self, keep: bool = True) -> None:
        """Fill the table with the current view, the cursor kept on the same link."""
        table = self.query_one(Links)
        search = self.query_one("#search", Input).value if self.mode == "search" else ""
        view = (self.generation, self.mode, self.place, search, table.size.width, self.size.width)
        if keep and view == self.drawn:
            return  # the same rows at the same width: layout passes ask again and again
        self.drawn = view
        was = self.current_item() if keep else None
        row = table.cursor_row
        rows = self.current_rows()
        self.found = len(rows)
        # A table of 10,000 rows takes seconds to fill: the first rows are shown, and the
        # top line says how many more the tree or a search would narrow down.
        self.rows = rows[:MAX_ROWS]
        narrow = self.has_class("narrow")
        self.rows_width = table.size.width
        width = max(table.size.width or self.size.width // 2, 20)
        diff_width = 1 if narrow else 7
        title_width = width - diff_width - 1 - 9  # the mark, cell padding, a scroll bar
        table.clear(columns=True)
        table.add_column(" ", width=1, key="status")
        table.add_column("D" if narrow else "Level", width=diff_width, key="level")
        table.add_column("Title", width=max(title_width, 8), key="title")
        for item in self.rows:
            status = self.snap.status(item)
            table.add_row(
                core.status_cell(status),
                core.difficulty_cell(item.link.difficulty, narrow),
                core.title_cell(item, status, max(title_width, 8), self.mode == "next"),
                key=item.link.id,
            )
        if was is not None:
            ids = [i.link.id for i in self.rows]
            row = ids.index(was.link.id) if was.link.id in ids else min(row, len(ids) - 1)
        else:
            row = 0
        if self.rows:
            table.move_cursor(row=max(row, 0))
        self.show_top()
        self.show_detail()

    def current_item(self) -> Item | None:
        table = self.query_one(Links)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def show_top(self) -> None:
        tally = self.snap.tallies.get((), core.no_links())
        top = Text()
        extras: list[tuple[tuple[str, ...], str]] = []
        if self.mode == "next":
            top.append("Next", style="bold")
            explained = (": the next link of each section, easiest first", ": each section's next")
            extras.append((explained, "dim"))
        elif self.mode == "search":
            text = self.query_one("#search", Input).value
            top.append("Search ", style="bold")
            top.append(safe(text))
            extras.append(((f"  {self.found} found",), "dim"))
        else:
            path = self.snap.places.get(self.place)
            top.append_text(core.breadcrumb(path) if path else core.shown(self.guide_title))
            top.stylize("bold")
            extras.append(((f"  {self.found} links",), "dim"))
        if self.found > len(self.rows):
            extras.append(
                ((f" (the first {len(self.rows)} shown)", f" (first {len(self.rows)})"), "yellow")
            )
        # The read count stays in sight at any width (#top's padding takes two cells).
        tail = f"  · {tally.read}/{tally.total} read"
        line = core.top_line(top, extras, tail, self.size.width - 2)
        self.query_one("#top", Static).update(line)

    @property
    def guide_title(self) -> str:
        return self.ws.catalogue.guide.title

    def show_detail(self) -> None:
        item = self.current_item()
        pane = self.query_one("#detail-text", Static)
        if item is None:
            empty = "No links here." if self.mode != "search" else "No links match."
            self.detail = Text(empty, style="dim")
        else:
            self.detail = core.detail(self.snap, item)
        pane.update(self.detail)

    def say(self, message: str, error: bool = False) -> None:
        """One line under the links: what was done, or why it was not."""
        self.message = Text(safe(message), style="bold red" if error else "green")
        self.query_one("#message", Static).update(self.message)

    # ------------------------------------------------------------ the record

    def reload(self) -> None:
        """Read the record again (after a change here or elsewhere) and redraw."""
        try:
            snap = Snapshot.load(core.reload(self.ws))
        except LlmdiveError as exc:
            self.say(f"{exc} (showing the record as it was)", error=True)
            return
        self.snap = snap
        self.generation += 1
        self.stamp = core.record_stamp(snap.ws)
        self.relabel_tree()
        self.show_rows()

    def watch_record(self) -> None:
        """Once a second: has any file of the record changed? Never syncs."""
        stamp = core.record_stamp(self.ws)
        if stamp != self.stamp:
            self.stamp = stamp
            self.reload()

    def change(self, what: str, do: Callable[[], str]) -> bool:
        """Run one change through the core; a failure is said and nothing is lost."""
        try:
            said = do()
        except (LlmdiveError, OSError) as exc:
            self.say(f"{what}: {exc}; nothing was changed", error=True)
            return False
        self.reload()
        self.say(said)
        return True

    def next_unread(self, after: int) -> None:
        """The cursor to the next unread link after row `after` (wrapping), if any."""
        n = len(self.rows)
        for step in range(1, n + 1):
            row = (after + step) % n
            if self.snap.status(self.rows[row]) is Status.UNREAD:
                self.query_one(Links).move_cursor(row=row)
                return

    # ------------------------------------------------------------ actions

    def action_mark(self, status: str) -> None:
        item = self.current_item()
        if item is not None:
            self.mark_and_move([item], Status(status))

    def mark_and_move(self, items: Sequence[Item], status: Status) -> None:
        """Mark, as `mark-read` does; then the cursor on to the next unread link."""
        row = self.query_one(Links).cursor_row
        ok = self.change(
            f"not marked {status.value}",
            lambda: core.changed_words(core.mark(self.ws, items, status), status),
        )
        if ok and status is not Status.UNREAD:
            self.next_unread(row)

    def action_mark_place(self) -> None:
        path = self.snap.places.get(self.place)
        if self.mode != "place":
            self.say("A marks a place of the tree: choose one there first", error=True)
            return
        title = path[-1].title if path else self.guide_title
        tally = self.snap.tallies.get(self.place, core.no_links())
        left = tally.total - tally.read
        question = Text.assemble(
            "Mark every link of ",
            core.shown(title),
            f" read? ({left} not read yet; skipped links stay skipped)",
        )

        def answered(yes: bool | None) -> None:
            if not yes:
                self.say("nothing marked")
                return
            key = self.place
            whole = self.snap.places.get(key, ())

            def do() -> str:
                changes, skipped = core.mark_section(self.ws, whole, Status.READ)
                return core.changed_words(changes, Status.READ, skipped)

            if whole:
                self.change("not marked", do)
            else:  # the whole guide: every section, as one change
                self.change(
                    "not marked",
                    lambda: core.changed_words(
                        core.mark(self.ws, self._unskipped(self.snap.items(())), Status.READ),
                        Status.READ,
                    ),
                )

        self.push_screen(Confirm(question), answered)

    def _unskipped(self, items: Sequence[Item]) -> list[Item]:
        return [i for i in items if self.snap.status(i) is not Status.SKIPPED]

    def action_undo(self) -> None:
        self.change("not undone", lambda: core.undone_words(core.take_back(self.ws)))

    def action_open(self) -> None:
        item = self.current_item()
        if item is None:
            return
        try:
            core.open_link(item, self.opener)
        except LlmdiveError as exc:
            self.say(str(exc), error=True)
            return
        self.say(f"opened {item.link.url}")
        if self.snap.status(item) is Status.READ:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.mark_and_move([item], Status.READ)

        title = core.shown(item.link.title)
        self.push_screen(Confirm(Text.assemble("Mark ", title, " as read? [y/N]")), answered)

    def action_note(self) -> None:
        item = self.current_item()
        if item is None:
            return
        current = self.ws.progress.value(item.link.id, "note") or ""
        if "\n" in current:
            self.say("this note has several lines: E edits it in $EDITOR", error=True)
            return

        def answered(text: str | None) -> None:
            if text is not None and text != current:
                self.change("note not kept", lambda: core.note(self.ws, item, text.strip()))

        self.push_screen(NoteEditor(core.shown(item.link.title), current), answered)

    def action_note_in_editor(self) -> None:
        item = self.current_item()
        if item is None:
            return
        current = self.ws.progress.value(item.link.id, "note") or ""
        try:
            with self.suspend():
                text = core.edit_text(current)
        except (LlmdiveError, OSError) as exc:
            self.say(f"note not kept: {exc}", error=True)
            return
        self.refresh()
        if text is not None and text != current:
            self.change("note not kept", lambda: core.note(self.ws, item, text))

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.display = True  # at once: a widget not shown takes no focus
        self.focus_now(box)
        self.mode = "search"
        self.show_rows(keep=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Search as the words come, once typing pauses (each search reads every link)."""
        if event.input.id == "search" and self.mode == "search":
            if self.typing is not None:
                self.typing.stop()
            self.typing = self.set_timer(SEARCH_AFTER_S, lambda: self.show_rows(keep=False))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search":
            if self.typing is not None:
                self.typing.stop()
            self.show_rows()  # what was typed last, now
            self.focus_now(self.query_one(Links))

    def action_leave(self) -> None:
        """esc: out of a search or Next, back to the place of the tree."""
        box = self.query_one("#search", Input)
        if self.mode == "search":
            box.value = ""
            box.display = False
        if self.mode != "place":
            self.mode = "place"
            self.show_rows()
            self.focus_now(self.query_one(Links))

    def action_next_view(self) -> None:
        if self.mode == "next":
            self.action_leave()
            return
        self.query_one("#search", Input).display = False
        self.mode = "next"
        self.show_rows(keep=False)
        self.focus_now(self.query_one(Links))

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_toggle_tree(self) -> None:
        tree = self.query_one(Places)
        tree.display = not tree.display
        if not tree.display and tree.has_focus:
            self.focus_now(self.query_one(Links))
        self.call_after_refresh(self.show_rows)
        self.call_after_refresh(self.relabel_tree)

    def focus_now(self, widget: Widget) -> None:
        """Focus at once (Widget.focus waits a turn: keys typed fast would go astray)."""
        self.screen.set_focus(widget)

    def action_focus_links(self) -> None:
        self.focus_now(self.query_one(Links))

    def action_focus_places(self) -> None:
        tree = self.query_one(Places)
        if not tree.display:
            tree.display = True
            self.call_after_refresh(self.show_rows)
            self.call_after_refresh(self.relabel_tree)
        self.focus_now(tree)

    def action_reload(self) -> None:
        self.reload()
        self.say("read the record again")

    def action_sync(self) -> None:
        self.say("syncing ...")
        self.sync_worker()

    @work(thread=True, exclusive=True)
    def sync_worker(self) -> None:
        try:
            said = core.sync(self.ws)
        except (LlmdiveError, OSError) as exc:
            self.call_from_thread(self.say, f"not synced: {exc}", True)
            return
        self.call_from_thread(self.reload)
        self.call_from_thread(self.say, said)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for title, help_text, action in (
            ("Mark read", "the link under the cursor (r)", lambda: self.action_mark("read")),
            ("Start reading", "mark it as being read (s)", lambda: self.action_mark("reading")),
            ("Skip", "skip the link (x)", lambda: self.action_mark("skipped")),
            ("Mark unread", "the link is unread again (c)", lambda: self.action_mark("unread")),
            ("Mark the place read", "every link of the place (A)", self.action_mark_place),
            ("Undo", "take back the last change (u)", self.action_undo),
            ("Open in the browser", "never marks (o)", self.action_open),
            ("Edit the note", "inline (e)", self.action_note),
            ("Next", "what to read next in each section (n)", self.action_next_view),
            ("Search", "find links as you type (/)", self.action_search),
            ("Sync", "`llmdive sync`: your record with your other machines", self.action_sync),
            ("Reload", "read the record again now", self.action_reload),
        ):
            yield SystemCommand(title, help_text, action)


def run(ws: Workspace) -> None:
    """Run the reader full-screen until the reader quits."""
    Reader(ws).run()
