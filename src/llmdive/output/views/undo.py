"""What `undo` prints: the change taken back, link by link."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from llmdive.output.layout import Grid, widest
from llmdive.output.terminal import Writer, local_time
from llmdive.output.views.common import (
    note_line,
)

if TYPE_CHECKING:
    from llmdive.record.undo import Undone


def render_undone(w: Writer, done: Undone | None) -> None:
    if done is None:
        w.line(("Nothing to undo: your record has no change left to take back.", "dim"))
        return
    links = len({r.id for r in done.restored})
    what = f"{links} links" if links > 1 else "1 link"
    w.line(
        ("Undid ", "bold"),
        f"the change of {local_time(datetime.fromisoformat(done.change_at), zone=True)} ({what}):",
    )
    rows: list[tuple[str, str]] = []
    for r in done.restored:
        if r.field == "status":
            rows.append((r.before or "", r.after or ""))
        elif r.field == "note":
            rows.append(
                (
                    f"note {note_line(r.before)!r}" if r.before else "no note",
                    f"note {note_line(r.after)!r}" if r.after else "no note",
                )
            )
        else:
            rows.append((f"personal link {r.before}", r.after or ""))
    # Lined up across rows, like every other report.
    grid = Grid(
        w,
        [
            1,
            widest(r.id for r in done.restored),
            widest(b for b, _ in rows),
            1,
            widest(a for _, a in rows),
        ],
        [1, 2, 1, 1, 2],
        lead=2,
        min_text=12,
        hang=4,
    )
    for r, (before, after) in zip(done.restored, rows, strict=True):
        grid.row([("↶", "bold yellow"), (r.id, "cyan"), before, "→", (after, "bold")], [r.title])
    w.line(
        (
            "`llmdive undo` again takes back the change before it; `llmdive history` shows both.",
            "dim",
        )
    )
