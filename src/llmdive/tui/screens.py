"""The reader's pop-ups: the keys (`?`), a yes/no question, a note to edit."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

# (keys, what they do), in the order a sitting uses them; the help screen lists them all.
KEYS: Sequence[tuple[str, str]] = (
    ("j k ↓ ↑", "move in the links (or the tree)"),
    ("h l ← → tab", "the tree of places / the links"),
    ("enter", "show a place's links / the link's detail"),
    ("/", "search as you type (the matcher of `llmdive search`); esc leaves it"),
    ("n", "Next: what to read next in each section (`llmdive next`)"),
    ("r", "mark read; the cursor moves to the next unread link"),
    ("s", "start: mark as being read"),
    ("x", "skip"),
    ("c", "clear: mark unread again"),
    ("e", "edit the note here (E: in $EDITOR)"),
    ("o", "open in the browser (never marks; then asks: mark as read?)"),
    ("A", "mark the whole place read (asks first; skipped links stay skipped)"),
    ("u", "undo the last change (the same undo as `llmdive undo`)"),
    ("t", "show or hide the tree"),
    ("ctrl+p", "command palette (sync, reload, every action by name)"),
    ("?", "this help"),
    ("q", "quit"),
)


class HelpScreen(ModalScreen[None]):
    """Every key of the reader, and what it does."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "close", show=False),
    ]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for keys, what in KEYS:
            table.add_row(keys, what)
        with VerticalScroll(id="help"):
            yield Static(Text("Keys", style="bold"))
            yield Static(table)
            yield Static(
                Text(
                    "Changes go through llmdive's own record: `llmdive history` shows them, "
                    "`llmdive undo` takes them back. esc closes.",
                    style="dim",
                )
            )

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """A yes/no question: y says yes; n, esc or any other answer says no."""

    BINDINGS = [
        Binding("y", "answer(True)", "yes"),
        Binding("n,escape,enter", "answer(False)", "no"),
    ]

    def __init__(self, question: Text) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="ask"):
            yield Static(self.question)
            yield Static(Text("y yes · n no", style="dim"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class NoteEditor(ModalScreen[str | None]):
    """A link's note, edited on one line: enter keeps it (empty removes it), esc leaves it."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, title: Text, note: str) -> None:
        super().__init__()
        self.title_text = title
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="ask"):
            yield Static(Text.assemble(("Note on ", "bold"), self.title_text))
            yield Input(value=self.note, placeholder="a note (empty removes it)", id="note")
            yield Static(Text("enter saves · esc leaves it as it was", style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
