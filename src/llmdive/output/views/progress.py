"""What `progress` prints: the tallies by section and difficulty, and the links kept apart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmdive.output.layout import Grid, Part, cells, widest
from llmdive.output.terminal import Writer, safe
from llmdive.output.views.common import (
    BAR_WIDTH,
    bar,
    section_path,
)

if TYPE_CHECKING:
    from llmdive.find.planner import Summary, Tally
    from llmdive.model.models import Entry
    from llmdive.record.checklist import Reading


def _tally_parts(tally: Tally, bar_width: int) -> list[Part]:
    if not tally.links:
        return [("no links yet", "dim")]
    if not tally.total:
        return [("all skipped", "dim")]
    extra = f"  ({tally.reading} reading)" if tally.reading else ""
    return [
        *bar(tally.fraction, bar_width),
        "  ",
        (f"{tally.read}/{tally.total}".ljust(7), "bold"),
        f"{tally.fraction:4.0%}",
        (extra, "cyan"),
    ]


def render_progress(w: Writer, summary: Summary, orphans: dict[str, Entry]) -> None:
    labels = [s.title for s, _ in summary.sections] + [d.value for d in summary.difficulties]
    width = max([widest(labels), 7])
    tallies = [summary.overall, *(t for _, t in summary.sections), *summary.difficulties.values()]
    extra = max((len(f"  ({t.reading} reading)") for t in tallies if t.reading), default=0)
    after_bar = 2 + 7 + 4 + extra
    bar_width, stacked = BAR_WIDTH, False
    if w.width is not None:
        # Bars shrink before anything else; below 8 cells each label gets a line of its own.
        room = w.width - (2 + width + 2) - after_bar
        stacked = room < 8
        bar_width = (
            max(min(BAR_WIDTH, w.width - 4 - after_bar), 4) if stacked else min(room, BAR_WIDTH)
        )

    def tally_line(label: str, tally: Tally) -> None:
        if stacked:
            w.text(label, indent=2, hang=4)
            w.line("    ", *_tally_parts(tally, bar_width))
        else:
            pad = " " * (width - cells(safe(label)))
            w.line("  ", label, pad, "  ", *_tally_parts(tally, bar_width))

    within = summary.within
    w.line(((section_path(within) if within else "Overall"), "bold"))
    tally_line("all", summary.overall)
    if summary.overall.skipped:
        w.text((f"({summary.overall.skipped} skipped, left out of the totals)", "dim"), indent=2)
    w.line()
    w.line(("By topic" if within else "By section", "bold"))
    for section, tally in summary.sections:
        tally_line(section.title, tally)
    w.line()
    w.line(("By difficulty", "bold"))
    for difficulty, tally in summary.difficulties.items():
        tally_line(difficulty.value.capitalize(), tally)
    if orphans:
        w.line()
        w.text((f"Not in the current guide ({len(orphans)}): kept in your progress", "bold yellow"))
        grid = Grid(
            w, [widest(orphans), widest(e.status.value for e in orphans.values())], lead=2, hang=4
        )
        for key, entry in orphans.items():
            grid.row([(key, "cyan"), entry.status.value], [entry.title or ""], entry.url)


def render_checklist(w: Writer, reading: Reading, dry_run: bool = False) -> None:
    """What `progress import-checklist` marked (or, dry, would mark), and what matched nothing."""
    from llmdive.output.views.common import render_changes

    new = sum(c.changed for c in reading.changes)
    verb = "would mark" if dry_run else "marked"
    said = f"{reading.ticked} ticked: {verb} {new} read"
    if len(reading.changes) > new:
        said += f", {len(reading.changes) - new} already read"
    if reading.unmatched:
        said += f", {len(reading.unmatched)} matched no link"
    w.line(said)
    render_changes(w, reading.changes)
    if reading.unmatched:
        w.line()
        w.line(("matched no link of the guide (add one with `llmdive add`):", "yellow"))
        width = widest(str(t.line) for t in reading.unmatched)
        for tick in reading.unmatched:
            w.line((f"  line {str(tick.line).rjust(width)}  ", "dim"), safe(tick.text))
    for a in reading.ambiguous:
        w.line(
            ("~ ", "yellow"),
            safe(a["new"]),
            (f": could be {', '.join(a['candidates'])}; left unmarked", "dim"),
        )
