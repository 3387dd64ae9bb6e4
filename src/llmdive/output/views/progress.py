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
    from datetime import date

    from llmdive.find.pace import Activity, Times, TimeTally
    from llmdive.find.planner import Summary, Tally
    from llmdive.model.models import Entry
    from llmdive.record.checklist import Reading

SHADES = ("·", "░", "▒", "█")  # a day's marks: none, one, two or three, four or more


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


def render_progress(
    w: Writer,
    summary: Summary,
    orphans: dict[str, Entry],
    times: Times | None = None,
    activity: Activity | None = None,
    today: date | None = None,
    paced: bool = False,
) -> None:
    """The tallies; the time block where a duration is known (or --pace was given); what
    the reader did, with --since / --week."""
    render_tallies(w, summary, orphans)
    if times is not None and (times.known or paced):
        render_times(w, times)
    if activity is not None and today is not None:
        render_activity(w, activity, today)


def render_tallies(w: Writer, summary: Summary, orphans: dict[str, Entry]) -> None:
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


def _time_parts(t: TimeTally) -> list[Part]:
    from llmdive.model.timespec import format_duration as fd

    parts: list[Part] = []
    if t.read or t.unknown_read:
        parts.append(f"{fd(t.read)} read")
        if t.unknown_read:
            parts.append((f" (+{t.unknown_read} unknown)", "dim"))
    if not t.links_left:
        return [*parts, ", " if parts else "", ("done", "green")]
    if parts:
        parts.append(", ")
    if t.left:
        parts.append(f"{fd(t.left)} left")
        if t.unknown_left:
            parts.append((f" (+{t.unknown_left} of unknown length)", "dim"))
    else:
        n = t.unknown_left
        parts.append((f"{n} link{'s' if n > 1 else ''} left, of unknown length", "dim"))
    if t.finish is not None:
        parts += ["  ", (f"done by {t.finish:%a %Y-%m-%d}", "bold")]
    return parts


def render_times(w: Writer, times: Times) -> None:
    """progress: time read and left overall and per section, the pace, finish dates."""
    from llmdive.model.timespec import format_duration

    o = times.overall
    unknown = o.unknown_read + o.unknown_left
    w.line()
    head = "Time, from the durations known"
    if unknown:
        head += f" ({unknown} link{'s' if unknown > 1 else ''} of unknown length)"
    w.text((head, "bold"))
    labels = ["all", *(s.title for s, _ in times.sections)]
    grid = Grid(w, [widest(labels)], [2], lead=2, hang=4)
    grid.row(["all"], _time_parts(o))
    for section, tally in times.sections:
        grid.row([section.title], _time_parts(tally))
    if times.pace:
        said = {
            "given": "given with --pace",
            "config": "set with `llmdive config pace`",
            "measured": "measured from the last four weeks",
        }.get(times.pace_from or "", "")
        w.text((f"Pace: {format_duration(times.pace)} a week ({said})", "dim"), indent=2)
    else:
        w.text(
            (
                "No pace yet: `--pace 5h/week` (or `llmdive config pace 5h/week`) gives "
                "finish dates; so will four weeks of marks.",
                "dim",
            ),
            indent=2,
            hang=4,
        )


def render_activity(w: Writer, act: Activity, today: date) -> None:
    """progress --since / --week: links finished, time spent, sections moved, the streak,
    and a calendar of the last months (shades, readable without colour)."""
    from llmdive.model.timespec import format_duration
    from llmdive.model.vocab import counted

    w.line()
    since = act.since.astimezone()
    said = f"Since {since:%a %Y-%m-%d}: {counted(len(act.finished), 'link')} finished"
    if act.spent:
        said += f", {format_duration(act.spent)}"
        if act.unknown:
            said += f" (+{act.unknown} of unknown length)"
    elif act.finished:
        said += " (of unknown length)"
    w.text((said, "bold"))
    if act.sections:
        moved = ", ".join(f"{s.title} +{n}" for s, n in act.sections)
        w.text(moved, indent=2, hang=4)
    days = "day" if act.streak == 1 else "days"
    w.text(f"Streak: {act.streak} {days} in a row", indent=2)
    render_calendar(w, act.days, today)


def render_calendar(w: Writer, days: dict[date, int], today: date) -> None:
    from llmdive.find.pace import calendar, level

    width = w.width or 80
    weeks = max(4, min(26, (width - 6) // 2))
    columns = calendar(days, today, weeks)
    months = [" "] * (weeks * 2)
    last, free = 0, 0  # the month labelled last; the first cell after its label
    for n, column in enumerate(columns):
        first = next(d for d in column if d is not None)
        if first.month != last and n * 2 >= free and n * 2 + 3 <= len(months):
            months[n * 2 : n * 2 + 3] = list(f"{first:%b}")
            free = n * 2 + 4
        last = first.month
    w.line()
    w.line("      ", ("".join(months).rstrip(), "dim"))
    styles = ("grey37", "green", "green", "bold green")
    for weekday, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        parts: list[Part] = [f"  {name:<3} "]
        for column in columns:
            day = column[weekday]
            if day is None:
                break
            shade = level(days.get(day, 0))
            parts += [(SHADES[shade], styles[shade]), " "]
        w.line(*parts)
    # Wrapped to the terminal (40 columns hold the calendar, not the legend on one line);
    # a no-break space keeps each shade with its count.
    words = zip(SHADES, ("none", "1", "2-3", "4+"), strict=True)
    legend = "  ".join(f"{s}\u00a0{n}" for s, n in words)
    w.text(("      marks\u00a0a\u00a0day: " + legend, "dim"), hang=6)


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
