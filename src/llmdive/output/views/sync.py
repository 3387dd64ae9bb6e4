"""What `progress merge`, `sync` and `doctor` print."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from llmdive.model.vocab import counted
from llmdive.output.layout import Grid, Part, parts_width, widest
from llmdive.output.terminal import Writer

if TYPE_CHECKING:
    from llmdive.record.doctor import Health
    from llmdive.record.intake import CopyMerge
    from llmdive.record.merge import Report as MergeReport
    from llmdive.record.sync import SyncResult


def render_merge_report(w: Writer, report: MergeReport, dry_run: bool = False) -> None:
    """What a merge brought (or, dry, would bring) from another machine, link by link."""
    if not report.changed:
        w.line("nothing new: this record already holds all of it")
        return
    verb = "would change" if dry_run else "changed"
    rows: list[tuple[list[Part], str]] = []
    for c in report.links:
        what: list[Part] = [f"{c.before} → ", (c.after, "bold")] if c.before != c.after else []
        if c.note_changed:
            what.append(("  " if what else "") + ("note removed" if c.note is None else "new note"))
        rows.append(
            (what or ["history only"], f"+{c.new_events} event{'s' if c.new_events != 1 else ''}")
        )
    ids_titles = [(c.id, c.title) for c in report.links]
    for links, said, style in (
        (report.personal_added, "added", "green"),
        (report.personal_edited, "edited", "yellow"),
        (report.personal_removed, "removed", "red"),
    ):
        for p in links:
            rows.append(([(f"your link, {said} elsewhere", style)], ""))
            ids_titles.append((p["id"], p["title"]))
    # Lined up across rows, your own links' with the guide's, like every other report.
    more_w = widest(e for _, e in rows)
    grid = Grid(
        w,
        [
            widest(i for i, _ in ids_titles),
            max((parts_width(m) for m, _ in rows), default=0),
            more_w,
        ],
        gaps=[2, 2, 2 if more_w else 0],
        min_text=12,
        hang=4,
    )
    for (link_id, title), (what, more) in zip(ids_titles, rows, strict=True):
        grid.row([(link_id, "cyan"), what, (more, "dim")], [title])
    for old, new in sorted(report.renamed.items()):
        w.line(("~ ", "yellow"), (old, "cyan"), f" is now {new} (the same link on both)")
    for key, at in sorted(report.clamped.items()):
        w.line(
            ("~ ", "yellow"),
            (key, "cyan"),
            f": a change stamped {at}, over a year ahead of this clock, was taken as made now",
        )
    n = (
        len(report.links)
        + len(report.personal_added)
        + len(report.personal_removed)
        + len(report.personal_edited)
    )
    w.line((f"{verb} {counted(n, 'link')}" + (" (dry run)" if dry_run else ""), "dim"))


def render_sync(w: Writer, result: SyncResult) -> None:
    if result.set_up:
        w.line(("synced with ", "dim"), result.remote)
    if result.arrived.changed:
        w.line(("from elsewhere:", "bold"))
        render_merge_report(w, result.arrived)
    sent = "sent your changes" if result.sent else "nothing to send"
    came = "merged what arrived" if result.merged else "nothing arrived"
    w.line(f"{came}; {sent}")


def render_health(w: Writer, health: Health, merged: Sequence[CopyMerge] = ()) -> None:
    """`doctor`: what was merged (with --merge), then one line per fact about the home."""
    render_copies_merged(w, merged)
    marks = {"ok": ("✓", "green"), "warn": ("!", "yellow"), "error": ("✗", "red")}
    w.line(("home ", "dim"), str(health.home))
    for level, text in health.facts:
        w.line(marks[level], " ", text)
    if health.copies:
        w.line("merge them into your record (and remove them): llmdive doctor --merge")


def render_copies_merged(w: Writer, merged: Sequence[CopyMerge]) -> None:
    for m in merged:
        if m.error:
            w.line(("✗ ", "red"), f"{m.path.name}: left as it is: {m.error}")
        else:
            w.line(("✓ ", "green"), f"merged and removed {m.path.name}")
            if m.report is not None:
                render_merge_report(w, m.report)
