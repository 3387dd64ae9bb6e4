"""Time and pace: time read and left per section, a pace, finish dates, what the reader did.

Pure functions over the catalogue, the statuses, the record's events and each link's
duration (net/durations.py's Timing). A duration never known is never counted as none:
every total says how many links it leaves out. Sections finish in the learning path's
order (find/planner.py's queue), one after the other, at the pace.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from llmdive.find.planner import groups_of, items_among
from llmdive.model.models import Event, Progress
from llmdive.model.timespec import MAX_DURATION
from llmdive.model.vocab import Status

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Catalogue, Item
    from llmdive.model.models import Topic

PACE_WEEKS = 4  # a pace measured from the marks of the last four weeks
Seconds = Callable[["Item"], "int | None"]


@dataclass
class TimeTally:
    """Known seconds read and left, and the links of unknown length on each side."""

    read: int = 0
    left: int = 0
    unknown_read: int = 0
    unknown_left: int = 0
    links_left: int = 0
    finish: date | None = None  # at the pace, when the last known link left is read

    def add(self, status: Status, seconds: int | None) -> None:
        if status is Status.SKIPPED:
            return
        done = status is Status.READ
        if not done:
            self.links_left += 1
        if seconds is None:
            if done:
                self.unknown_read += 1
            else:
                self.unknown_left += 1
        elif done:
            self.read += seconds
        else:
            self.left += seconds

    def add_unread(self, links: int) -> None:
        """`links` links unread, of unknown length: add(UNREAD, None) that many times."""
        self.links_left += links
        self.unknown_left += links


@dataclass
class Times:
    overall: TimeTally = field(default_factory=TimeTally)
    sections: list[tuple[Topic, TimeTally]] = field(default_factory=list)
    pace: float | None = None  # seconds a week
    pace_from: str | None = None  # "given", "config" or "measured"

    @property
    def known(self) -> bool:
        o = self.overall
        return bool(o.read or o.left)


def spent(item: Item, seconds: Seconds, took: Seconds) -> int | None:
    """What reading a link took: its duration, else the time from start to read (when it
    is a plausible reading time)."""
    known = seconds(item)
    if known is not None:
        return known
    found = took(item)
    return found if found is not None and found <= MAX_DURATION else None


def times(
    catalogue: Catalogue,
    states: dict[str, Status],
    seconds: Seconds,
    within: tuple[Topic, ...] | None = None,
    timed: Collection[str] | None = None,
) -> Times:
    """Time read and left overall and per top-level section (per topic, `within` one).

    `timed`: the ids of the only links whose `seconds` may be known (None: any link's),
    so that the others, unread and of unknown length unless they have a status, are
    counted by heading, not one by one (net/durations.py: Timing.timed).
    """
    out = Times()
    depth = len(within) if within else 0
    groups: dict[int, TimeTally] = {}
    # Several guides: a URL more than one lists counts once overall, as in `summarize`.
    shared = catalogue.shared_with if catalogue.origins else {}
    headings = None if shared or timed is None else groups_of(catalogue, within)
    if headings is not None and timed is not None:
        left: dict[int, int] = {}  # links by heading, less those with a status or a duration
        for head, topic in headings:
            left[id(head)] = left.get(id(head), 0) + len(topic.links)
            groups.setdefault(id(head), TimeTally())
        unread = Status.UNREAD
        marked = {k for k, status in states.items() if status is not unread}
        for item in items_among(catalogue, marked.union(timed), within):
            status = states.get(item.link.id, unread)
            known = seconds(item) if item.link.id in timed else None
            out.overall.add(status, known)
            head = item.path[depth] if len(item.path) > depth else item.path[-1]
            groups[id(head)].add(status, known)
            left[id(head)] -= 1
        for head_id, links in left.items():
            groups[head_id].add_unread(links)
            out.overall.add_unread(links)
    else:
        items = catalogue.items_under(within) if within else catalogue.items
        counted: set[str] = set()
        for item in items:
            status = states.get(item.link.id, Status.UNREAD)
            known = seconds(item)
            if not shared or (group_ids := shared.get(item.link.id)) is None:
                out.overall.add(status, known)
            elif group_ids[0] not in counted:
                counted.add(group_ids[0])
                out.overall.add(status, known)
            group = item.path[depth] if len(item.path) > depth else item.path[-1]
            groups.setdefault(id(group), TimeTally()).add(status, known)
    heads = [within[-1], *within[-1].topics] if within else catalogue.guide.sections
    out.sections = [(s, groups[id(s)]) for s in heads if id(s) in groups]
    return out


def finish_dates(out: Times, pace: float | None, today: date, source: str | None) -> None:
    """Give each section (in the path's order) and the whole its finish date at `pace`."""
    out.pace, out.pace_from = pace, source
    if not pace or pace <= 0:
        return
    per_day = pace / 7
    total = 0
    for _, tally in out.sections:
        total += tally.left
        tally.finish = _after(today, total, per_day) if tally.left else None
    if out.overall.left:
        out.overall.finish = _after(today, out.overall.left, per_day)


def _after(today: date, seconds: float, per_day: float) -> date | None:
    days = -(-seconds // per_day)
    try:
        return today + timedelta(days=int(days))
    except OverflowError:
        return None


# ---------------------------------------------------------------- what the reader did


def read_events(progress: Progress) -> Iterable[tuple[str, Event]]:
    """(link id, event) of every mark still standing: undone marks and undos left out."""
    undone: set[str] = set()
    marks: list[tuple[str, Event]] = []
    for key, entry in progress.links.items():
        for event in entry.events:
            if event.undo is not None:
                undone.add(event.undo)
            elif event.status in (Status.READ, Status.READING):
                marks.append((key, event))
    return [(k, e) for k, e in marks if e.at not in undone]


def finished(progress: Progress, since: datetime) -> list[str]:
    """Links read now whose status became read at or after `since`, oldest first."""
    out = []
    keys = progress.keys()
    for key in keys:
        if progress.status(key) is not Status.READ:
            continue
        changed = progress.value(key, "changed")
        if changed and datetime.fromisoformat(changed) >= since:
            out.append((changed, key))
    return [key for _, key in sorted(out)]


def measured_pace(
    progress: Progress, by_id: dict[str, Item], seconds: Seconds, took: Seconds, now: datetime
) -> float | None:
    """Seconds a week of the links read in the last PACE_WEEKS weeks (None: none known)."""
    since = now - timedelta(weeks=PACE_WEEKS)
    total = 0
    for key in finished(progress, since):
        item = by_id.get(key)
        found = spent(item, seconds, took) if item is not None else None
        total += found or 0
    return total / PACE_WEEKS if total else None


@dataclass
class Activity:
    """What the reader did from `since` on: links finished, time spent, sections moved."""

    since: datetime
    finished: list[Item]
    spent: int  # known seconds of the links finished
    unknown: int  # links finished of unknown length
    sections: list[tuple[Topic, int]]  # top-level sections with links finished, how many
    streak: int  # reading days in a row, up to today (or yesterday)
    days: dict[date, int]  # marks (read or started) per local day


def activity(
    progress: Progress,
    catalogue: Catalogue,
    since: datetime,
    seconds: Seconds,
    took: Seconds,
    today: date,
) -> Activity:
    by_id = catalogue.by_id
    items = [by_id[k] for k in finished(progress, since) if k in by_id]
    known = [spent(i, seconds, took) for i in items]
    counts: dict[int, int] = {}
    for item in items:
        counts[id(item.path[0])] = counts.get(id(item.path[0]), 0) + 1
    moved = [(s, counts[id(s)]) for s in catalogue.guide.sections if id(s) in counts]
    days = reading_days(progress)
    return Activity(
        since,
        items,
        sum(k for k in known if k is not None),
        sum(1 for k in known if k is None),
        moved,
        streak(days, today),
        days,
    )


def reading_days(progress: Progress) -> dict[date, int]:
    """Marks (read or started, still standing) per local day."""
    days: dict[date, int] = {}
    for _, event in read_events(progress):
        day = event.when.astimezone().date()
        days[day] = days.get(day, 0) + 1
    return days


def streak(days: dict[date, int] | Iterable[date], today: date) -> int:
    """Days in a row with a mark, ending today, or yesterday when today has none yet."""
    marked = set(days)
    day = today if today in marked else today - timedelta(days=1)
    count = 0
    while day in marked:
        count += 1
        day -= timedelta(days=1)
    return count


def calendar(days: dict[date, int], today: date, weeks: int) -> list[list[date | None]]:
    """The last `weeks` weeks as columns of seven days, Monday first (None: after today)."""
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    columns: list[list[date | None]] = []
    for week in range(weeks):
        column: list[date | None] = []
        for weekday in range(7):
            day = start + timedelta(days=7 * week + weekday)
            column.append(day if day <= today else None)
        columns.append(column)
    return columns


def level(count: int) -> int:
    """A day's shade in the calendar: 0 nothing, 1 one mark, 2 two or three, 3 four or more."""
    return 0 if count <= 0 else 1 if count == 1 else 2 if count <= 3 else 3
