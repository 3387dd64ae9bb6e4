"""What the reader shows and changes, Textual-free: the tree's counts, the rows, the detail
pane as Rich Text, the record's stamp, and every change through the CLI's own core.

Every string from a guide or a record passes `safe` and becomes a `Text` (never markup):
Textual reads `[bold]` in a plain string as markup, a Text it shows as it is.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from llmdive.errors import LlmdiveError
from llmdive.find.planner import Tally, next_links
from llmdive.home.paths import (
    ACTIVE_GUIDE,
    GUIDES_FILE,
    META_FILE,
    PERSONAL_FILE,
    PROGRESS_FILE,
    followed_meta,
    followed_toml,
)
from llmdive.model.vocab import Difficulty, Status
from llmdive.net import browser, linkmarks
from llmdive.output.layout import Part
from llmdive.output.terminal import has_controls, local_time, safe
from llmdive.output.views.common import CHECK_LABEL, STATUS_MARK, STATUS_STYLE, note_line
from llmdive.output.views.reading import history_words
from llmdive.record import progress
from llmdive.record.undo import Undone, undo
from llmdive.workspace import Workspace

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Item
    from llmdive.model.models import Progress, Topic
    from llmdive.record.progress import Change, HistoryRow

Path_ = tuple["Topic", ...]
Key = tuple[str, ...]  # a place of the tree: the slugs of its path; (): the whole guide
Stamp = tuple[tuple[int, int, int] | None, ...]

DIFFICULTY_STYLE = {
    Difficulty.EASY: "green",
    Difficulty.MEDIUM: "yellow",
    Difficulty.HARD: "red",
    Difficulty.UNRATED: "dim",
}
# One letter a column, for a narrow terminal: the word itself where there is room.
DIFFICULTY_SHORT = {
    Difficulty.EASY: "E",
    Difficulty.MEDIUM: "M",
    Difficulty.HARD: "H",
    Difficulty.UNRATED: "?",
}


def shown(text: str) -> Text:
    """Text from data as the terminal may show it: controls escaped, no markup read."""
    return Text(safe(text))


def parts_text(*parts: Part) -> Text:
    """The output layer's (text, style) parts as one Text; the text made safe."""
    out = Text()
    for part in parts:
        if isinstance(part, str):
            out.append(safe(part))
        else:
            out.append(safe(part[0]), style=part[1] or "")
    return out


def record_stamp(ws: Workspace) -> Stamp:
    """The size, time and inode of each file of the record and guide: a change to any of
    them (another terminal's mark, a sync, a guide update) changes the stamp."""
    home = ws.home
    files = [
        home / PROGRESS_FILE,
        home / PERSONAL_FILE,
        home / ACTIVE_GUIDE,
        home / META_FILE,
        linkmarks.checks_file(home),
        ws.guide_path,
        home / GUIDES_FILE,  # a guide followed, renamed or dropped in another terminal
        *(p(home, g.name) for g in ws.followed for p in (followed_toml, followed_meta)),
    ]
    stamp: list[tuple[int, int, int] | None] = []
    for path in files:
        try:
            st = os.stat(path)
        except OSError:
            stamp.append(None)
        else:
            stamp.append((st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(stamp)


@dataclass
class Snapshot:
    """One reading of the record: the Workspace and what the screens need of it."""

    ws: Workspace
    tallies: dict[Key, Tally] = field(default_factory=dict)  # by place; (): the guide
    places: dict[Key, Path_] = field(default_factory=dict)
    marks: linkmarks.Marks | None = None
    problem: str = ""
    _history: dict[str, list[HistoryRow]] | None = None

    @classmethod
    def load(cls, ws: Workspace) -> Snapshot:
        snap = cls(ws)
        states = ws.states
        keys: dict[int, Key] = {}
        for path, topic in ws.catalogue.topics:
            key = keys[id(topic)] = tuple(t.slug for t in path)
            snap.places[key] = path
            snap.tallies[key] = Tally()
        overall = snap.tallies[()] = Tally()
        # Several guides: a URL more than one lists counts once overall (as in `progress`).
        shared = ws.catalogue.shared_with if ws.catalogue.origins else {}
        counted: set[str] = set()
        for item in ws.catalogue.items:
            status = states.get(item.link.id, Status.UNREAD)
            group = shared.get(item.link.id)
            if group is None or group[0] not in counted:
                overall.add(status)
            if group is not None:
                counted.add(group[0])
            for topic in item.path:
                snap.tallies[keys[id(topic)]].add(status)
        items = ws.catalogue.items
        snap.marks = linkmarks.marks(ws.home, ((i.link.id, i.link.url) for i in items))
        snap.problem = snap.marks.problem
        return snap

    def status(self, item: Item) -> Status:
        return self.ws.states.get(item.link.id, Status.UNREAD)

    def items(self, key: Key) -> list[Item]:
        """The links at or below a place of the tree (all of them at the guide)."""
        path = self.places.get(key)
        return self.ws.catalogue.items_under(path) if path else self.ws.catalogue.items

    def history(self, link_id: str) -> list[HistoryRow]:
        """This link's changes, newest first (the rows of `llmdive history ID`)."""
        if self._history is None:
            self._history = {}
            for row in progress.history(self.ws.progress):
                self._history.setdefault(row.id, []).append(row)
        return self._history.get(link_id, [])

    def next_items(self) -> list[Item]:
        """The learning path: `next`'s pick of each section, dead links passed over."""
        passing = self.marks.gone if self.marks is not None else set()
        picks = next_links(self.ws.catalogue, self.ws.states, None, passing, 1)
        return [p.item for p in picks if p.item is not None]

    def search(self, text: str) -> list[Item]:
        """`llmdive search TEXT`'s links, best first (the same matcher, notes included)."""
        from llmdive.find.search import search

        ws = self.ws
        hits = search(ws.catalogue.items, text, ws.progress.notes(), home=ws.home)
        return [h.item for h in hits]


def no_links() -> Tally:
    return Tally()


def tree_label(title: str, tally: Tally, width: int = 0) -> Text:
    """A heading and its read count: 'Fine-tuning  3/12' (all skipped: 'all skipped'); with
    `width`, the title is cut (…) so that the count still shows."""
    count = Text()
    if tally.links and tally.total:
        done = tally.read == tally.total
        count.append(f"{tally.read}/{tally.total}", style="green" if done else "dim")
        if done:
            count.append(" ✓", style="green")
    elif tally.links:
        count.append("all skipped", style="dim")
    label = shown(title)
    if width and count and label.cell_len + 2 + count.cell_len > width:
        label.truncate(max(width - 2 - count.cell_len, 4), overflow="ellipsis")
    if count:
        label.append("  ")
        label.append_text(count)
    return label


def status_cell(status: Status) -> Text:
    return Text(STATUS_MARK[status], style=STATUS_STYLE[status])


def difficulty_cell(difficulty: Difficulty, narrow: bool) -> Text:
    word = DIFFICULTY_SHORT[difficulty] if narrow else difficulty.value.capitalize()
    return Text(word, style=DIFFICULTY_STYLE[difficulty])


def title_cell(item: Item, status: Status, width: int, where: bool = False) -> Text:
    """A link's title, cut to `width` cells with an ellipsis; read links dimmed; `where`:
    after its section's name (Next, one link per section)."""
    text = Text()
    if where:
        text.append_text(shown(item.section.title))
        text.stylize("bold")
        text.append(" › ", style="dim")
    text.append_text(shown(item.link.title))
    if item.link.personal:
        text.append(" (yours)", style="magenta")
    if status is Status.READ or status is Status.SKIPPED:
        text.stylize("dim")
    text.truncate(max(width, 4), overflow="ellipsis")
    return text


def breadcrumb(path: Sequence[Topic]) -> Text:
    return shown(" › ".join(t.title for t in path))


def top_line(
    head: Text, extras: Sequence[tuple[tuple[str, ...], str]], tail: str, width: int
) -> Text:
    """The top line in `width` cells: `tail` (the read count) always whole; to make room,
    the `extras` ((texts, longest first), style) shorten or go from the last, then `head`
    (the place) is cut with '…'."""
    kept = [list(texts) for texts, _ in extras]
    room = width - len(tail)
    while kept and head.cell_len + sum(len(t[0]) for t in kept) > room:
        if len(kept[-1]) > 1:
            kept[-1].pop(0)
        else:
            kept.pop()
    line = head.copy()
    if line.cell_len > room:
        line.truncate(max(room, 1), overflow="ellipsis")
    for texts, (_, style) in zip(kept, extras, strict=False):
        line.append(texts[0], style=style)
    line.append(tail, style="dim")
    return line


def detail(snap: Snapshot, item: Item) -> Text:
    """The detail pane: title, id, status, place, URL, note, related links, health, history."""
    link = item.link
    status = snap.status(item)
    out = Text()
    out.append_text(shown(link.title))
    out.stylize("bold")
    out.append("\n")
    out.append(safe(link.id), style="cyan")
    out.append("  ")
    out.append_text(status_cell(status))
    out.append(f" {status.value}  ")
    out.append_text(difficulty_cell(link.difficulty, narrow=False))
    if link.personal:
        out.append("  your own link", style="magenta")
    out.append("\n")
    out.append_text(breadcrumb(item.path))
    out.stylize("dim", len(out) - len(breadcrumb(item.path)))
    out.append("\n")
    out.append(safe(link.url), style="underline")
    out.append("\n")
    note = snap.ws.progress.value(link.id, "note")
    if note:
        out.append("\nNote: ", style="bold")
        out.append(safe(note_line(note)))
        out.append("\n")
    if link.related:
        out.append("\nRelated\n", style="bold")
        for rel in link.related:
            out.append("  ")
            out.append_text(shown(rel.title))
            out.append("  ")
            out.append(safe(rel.url), style="dim")
            out.append("\n")
    out.append("\nHealth: ", style="bold")
    out.append_text(_health(snap, link.id))
    out.append("\n")
    rows = snap.history(link.id)
    out.append("\nHistory", style="bold")
    if not rows:
        out.append("  no change yet", style="dim")
    for row in rows[:8]:
        mark, what, more = history_words(row)
        out.append("\n  ")
        out.append(local_time(row.at), style="dim")
        out.append("  ")
        out.append_text(parts_text(mark, " ", what, (more, "dim")))
    return out


def _health(snap: Snapshot, link_id: str) -> Text:
    marks = snap.marks
    result = marks.result(link_id) if marks is not None else None
    if result is None or marks is None:
        return Text("not checked yet (`llmdive check-links`)", style="dim")
    label, style = CHECK_LABEL.get(result, CHECK_LABEL["unknown"])
    text = Text(label, style=style)
    if marks.stale(link_id):
        text.append(" (checked over a week ago)", style="dim")
    archive = marks.archive(link_id)
    if archive:
        text.append("  archived: ", style="dim")
        text.append(safe(archive))
    return text


# ---------------------------------------------------------------- changes, through the core


def mark(ws: Workspace, items: Sequence[Item], status: Status) -> list[Change]:
    """`mark-read ID...` (or start, skip, mark-unread): the same lock, history and undo."""
    return progress.update_progress(
        ws.home,
        lambda p: progress.set_status(p, ws.catalogue, items, status),
        ws.catalogue.aliases,
    )


def mark_section(ws: Workspace, path: Path_, status: Status) -> tuple[list[Change], int]:
    """`mark-read --section S`: every link under it, skipped ones left so; (changes, left)."""
    items = ws.catalogue.items_under(path)
    skipped = {i for i, s in ws.states.items() if s is Status.SKIPPED}
    left = [i for i in items if i.link.id in skipped]
    todo = [i for i in items if i.link.id not in skipped]
    return mark(ws, todo, status), len(left)


def note(ws: Workspace, item: Item, text: str) -> str:
    """`llmdive note ID TEXT` ("" removes it); what was done, in words."""
    if has_controls(text, allow_newlines=True):
        raise LlmdiveError("a note cannot hold control characters; nothing was changed")

    def change(p: Progress) -> str | None:
        # The note of the link's URL, wherever it is recorded (one record across guides).
        before: str | None = p.value(progress.record_key(ws.catalogue, p, item.link.id), "note")
        if text or before:
            progress.set_note(p, item, text, catalogue=ws.catalogue)
        return before

    before = progress.update_progress(ws.home, change, ws.catalogue.aliases)
    if text:
        return "note replaced" if before else "noted"
    return "note removed" if before else "no note to remove"


def take_back(ws: Workspace) -> Undone | None:
    """`llmdive undo`: the last change taken back, one change one undo."""
    return undo(ws.home, aliases=ws.catalogue.aliases)


def undone_words(done: Undone | None) -> str:
    if done is None:
        return "nothing to undo"
    when = local_time(datetime.fromisoformat(done.change_at))
    links = len({r.id for r in done.restored})
    return f"undid the change of {when} ({links} link{'s' if links != 1 else ''})"


def changed_words(changes: Sequence[Change], status: Status, left: int = 0) -> str:
    moved = [c for c in changes if c.changed]
    if not moved:
        said = f"already {status.value}"
    elif len(moved) == 1:
        said = f"{safe(moved[0].id)}: {moved[0].before.value} → {status.value}"
    else:
        said = f"{len(moved)} links → {status.value}"
    if left:
        said += f" ({left} skipped left so)"
    return said


Opener = Callable[[str], bool]


def open_link(item: Item, opener: Opener | None = None) -> None:
    """`llmdive open ID`: the URL checked, handed to the browser; never marks anything."""
    url = browser.checked_url(item.link.url)
    if not (opener or browser.open_url)(url):
        chosen = os.environ.get("BROWSER", "").strip()
        why = (
            f"the browser command in $BROWSER ({chosen}) failed"
            if chosen
            else "no web browser could be started (set $BROWSER to one)"
        )
        raise LlmdiveError(f"{why}; the URL is in the detail pane")


def reload(ws: Workspace) -> Workspace:
    """A fresh Workspace over the same options: everything read again when asked."""
    return Workspace(ws.guide_option, ws.home_option, ws.urls)


def sync(ws: Workspace) -> str:
    """`llmdive sync`, only ever when the reader asks: what arrived and what went."""
    from llmdive.record import intake
    from llmdive.record import sync as syncing

    guide = ws.base_catalogue
    result = syncing.sync(ws.home, None, guide.aliases, intake.reserved_ids(guide))
    came = "merged what arrived" if result.merged else "nothing arrived"
    return f"synced: {came}; {'sent your changes' if result.sent else 'nothing to send'}"


def edit_text(text: str) -> str | None:
    """`text` edited in $VISUAL or $EDITOR (else vi); None when the editor failed."""
    import shlex
    import subprocess
    import tempfile

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        argv = shlex.split(editor)
    except ValueError:
        raise LlmdiveError(f"$EDITOR ({editor}) is not a command line") from None
    with tempfile.TemporaryDirectory(prefix="llmdive-note-") as tmp:
        path = Path(tmp) / "note.txt"
        path.write_text(text + "\n" if text else "", encoding="utf-8")
        if subprocess.run([*argv, str(path)], check=False).returncode != 0:
            return None
        edited = path.read_text(encoding="utf-8", errors="replace")
    return edited.rstrip("\n").strip()
