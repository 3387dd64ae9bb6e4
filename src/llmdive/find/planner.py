"""What to read next, and how far along a reader is: pure functions over the models."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING

from llmdive.model.vocab import Difficulty, Status

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Catalogue, Item
    from llmdive.model.models import Topic

States = dict[str, Status]
# Difficulty.rank as a dict: looked up for every link of every section on each `next`.
_RANK = {d: d.rank for d in Difficulty}
_EASIEST = min(_RANK.values())


def pick_next(
    items: Sequence[Item],
    states: States,
    passing: Collection[str] = (),
    *,
    none_reading: bool = False,
) -> Item | None:
    """A link being read first; else the first unread link of the easiest difficulty left.

    Links whose ids are in `passing` are never picked. `none_reading`: no link of `states`
    is being read, so the first unread link of the easiest difficulty there is stops the
    scan (with 20,000 links, most sections' first link).
    """
    best: Item | None = None
    best_rank = len(_RANK)  # past every rank
    easiest = _EASIEST if none_reading else -1
    state, unread, reading = states.get, Status.UNREAD, Status.READING
    for item in items:
        link = item.link
        if passing and link.id in passing:
            continue
        status = state(link.id, unread)
        if status is reading:
            return item
        if status is unread and (rank := _RANK[link.difficulty]) < best_rank:
            best, best_rank = item, rank
            if rank == easiest:
                break
    return best


@dataclass(frozen=True, eq=False)
class NextPick:
    """The next link of one section (or topic); None when everything there is read or skipped."""

    path: tuple[Topic, ...]
    item: Item | None
    passed: tuple[Item, ...] = ()  # dead links that would have come first, passed over
    more: tuple[Item, ...] = ()  # with next -n: the links to read after `item`, in order


def reading_order(
    items: Sequence[Item], states: States, passing: Collection[str] = ()
) -> list[Item]:
    """Links being read (guide order), then unread ones easiest first (guide order within)."""
    reading = []
    unread = []
    for item in items:
        if passing and item.link.id in passing:
            continue
        status = states.get(item.link.id, Status.UNREAD)
        if status is Status.READING:
            reading.append(item)
        elif status is Status.UNREAD:
            unread.append(item)
    unread.sort(key=lambda i: i.link.difficulty.rank)
    return reading + unread


def _pick(
    path: tuple[Topic, ...],
    items: Sequence[Item],
    states: States,
    dead: Collection[str],
    count: int = 1,
    none_reading: bool = False,
) -> NextPick:
    """The pick of `items`, passing over dead links; those passed are the dead ones that
    pick_next would have offered first, in the order it would have offered them. With
    `count`, the links to read after the pick come too (never dead ones)."""
    more: tuple[Item, ...] = ()
    if not dead:
        item = pick_next(items, states, none_reading=none_reading)
        if item is not None and count > 1:
            more = tuple(reading_order(items, states, {item.link.id})[: count - 1])
        return NextPick(path, item, (), more)
    item = pick_next(items, states, dead)
    if item is not None and count > 1:
        more = tuple(reading_order(items, states, {*dead, item.link.id})[: count - 1])

    def rank(i: int, candidate: Item) -> tuple[int, int, int]:
        if states.get(candidate.link.id, Status.UNREAD) is Status.READING:
            return (0, 0, i)
        return (1, candidate.link.difficulty.rank, i)

    limit = None
    passed = []
    for i, candidate in enumerate(items):
        if candidate is item:
            limit = rank(i, candidate)
        status = states.get(candidate.link.id, Status.UNREAD)
        if candidate.link.id in dead and status in (Status.UNREAD, Status.READING):
            passed.append((rank(i, candidate), candidate))
    ahead = sorted((p for p in passed if limit is None or p[0] < limit), key=lambda p: p[0])
    return NextPick(path, item, tuple(c for _, c in ahead), more)


def next_links(
    catalogue: Catalogue,
    states: States,
    within: tuple[Topic, ...] | None = None,
    dead: Collection[str] = (),
    count: int = 1,
) -> list[NextPick]:
    """One pick per top-level section that has links, or just the one for `within`.

    Links whose ids are in `dead` are passed over (and named in the pick). With `count`,
    each pick also holds the links to read after it, up to `count` in all.
    """
    if within is not None:
        items = catalogue.items_under(within)
        if catalogue.origins:
            items = _distinct(items, catalogue.shared_with, set())
        return [_pick(within, items, states, dead, count)]
    # Each section's items are one run of them (Catalogue.items_under).
    by_section = {
        id(s): found for s in catalogue.guide.sections if (found := catalogue.items_under((s,)))
    }
    none_reading = Status.READING not in states.values()
    if not catalogue.origins:
        return [
            _pick((section,), by_section[id(section)], states, dead, count, none_reading)
            for section in catalogue.guide.sections
            if id(section) in by_section
        ]
    # Several guides: a URL two of them list is offered once, where it comes first.
    picks = []
    offered: set[str] = set()
    shared = catalogue.shared_with
    for section in catalogue.guide.sections:
        if id(section) not in by_section:
            continue
        items = (
            _distinct(by_section[id(section)], shared, offered)
            if shared
            else by_section[id(section)]
        )
        pick = _pick((section,), items, states, dead, count, none_reading)
        for chosen in (pick.item, *pick.more):
            if chosen is not None:
                offered.update(shared.get(chosen.link.id, ()))
        picks.append(pick)
    return picks


def _distinct(items: Sequence[Item], shared: dict[str, list[str]], offered: set[str]) -> list[Item]:
    """`items` without those already offered, and of links sharing a URL, the first only."""
    out: list[Item] = []
    seen: set[str] = set()
    for item in items:
        link_id = item.link.id
        if link_id in offered:
            continue
        group = shared.get(link_id)
        if group is not None:
            if group[0] in seen:
                continue
            seen.add(group[0])
        out.append(item)
    return out


def queue(
    catalogue: Catalogue,
    states: States,
    within: tuple[Topic, ...] | None = None,
    dead: Collection[str] = (),
) -> list[Item]:
    """The reading list as one path: the links being read, then every unread link, topic by
    topic in the guide's order, easiest first within a topic.

    The guide's order is its advice: the LLM Deep Dive says to cover Transformers, then the
    GPT architecture, before the rest, and its first section holds those topics in that
    order (a guide's stated order is kept as data by keeping its headings' order).
    """
    items = catalogue.items_under(within) if within else catalogue.items
    reading: list[Item] = []
    by_topic: dict[int, list[Item]] = {}
    for item in items:
        if dead and item.link.id in dead:
            continue
        status = states.get(item.link.id, Status.UNREAD)
        if status is Status.READING:
            reading.append(item)
        elif status is Status.UNREAD:
            by_topic.setdefault(id(item.path[-1]), []).append(item)
    rest = [i for group in by_topic.values() for i in sorted(group, key=_rank)]
    if catalogue.origins:  # several guides: a URL two of them list is on the path once
        return _distinct(reading + rest, catalogue.shared_with, set())
    return reading + rest


def _rank(item: Item) -> int:
    return item.link.difficulty.rank


@dataclass(frozen=True, eq=False)
class Plan:
    """next --budget: the links that fit, in the path's order, and what was not counted."""

    budget: int | None  # seconds; None: the whole queue (next --queue)
    links: list[Item]
    planned: int  # seconds of the links that fit (known durations only)
    unknown: list[Item] = field(default_factory=list)  # met on the way, length unknown
    too_long: list[Item] = field(default_factory=list)  # longer than the time left then


UNKNOWN_SHOWN = 3  # links of unknown length named by a budget, at most
TOO_LONG_SHOWN = 2


def fit_budget(path: Sequence[Item], seconds_of: Callable[[Item], int | None], budget: int) -> Plan:
    """The links of `path` that fit in `budget` seconds, taken in the path's order.

    A link of unknown length is not counted as taking no time: it is named (the first few
    met before the budget is spent), never planned. A link longer than the time left is
    passed over for the next that fits (the first few so passed are named), but only
    within the top-level section the plan starts in: a later section builds on it, so the
    plan moves on to one only when nothing of this one fits.
    """
    left = budget
    links: list[Item] = []
    unknown: list[Item] = []
    too_long: list[Item] = []
    section: Topic | None = None
    for item in path:
        if item.path[0] is not section:
            if links:
                break
            section = item.path[0]
        seconds = seconds_of(item)
        if seconds is None:
            if len(unknown) < UNKNOWN_SHOWN:
                unknown.append(item)
        elif seconds <= left:
            links.append(item)
            left -= seconds
        elif len(too_long) < TOO_LONG_SHOWN:
            too_long.append(item)
        if left < 60:  # less than a minute left: nothing more fits
            break
    return Plan(budget, links, budget - left, unknown, too_long)


@dataclass
class Tally:
    """Read / total, where skipped links leave the total."""

    read: int = 0
    reading: int = 0
    skipped: int = 0
    links: int = 0

    @property
    def total(self) -> int:
        return self.links - self.skipped

    @property
    def fraction(self) -> float:
        return self.read / self.total if self.total else 1.0

    def add(self, status: Status, links: int = 1) -> None:
        self.links += links
        if status is Status.READ:
            self.read += links
        elif status is Status.READING:
            self.reading += links
        elif status is Status.SKIPPED:
            self.skipped += links


@dataclass
class Summary:
    overall: Tally = field(default_factory=Tally)
    sections: list[tuple[Topic, Tally]] = field(default_factory=list)
    difficulties: dict[Difficulty, Tally] = field(default_factory=dict)
    within: tuple[Topic, ...] | None = None  # progress --section: its path


def summarize(
    catalogue: Catalogue, states: States, within: tuple[Topic, ...] | None = None
) -> Summary:
    """Progress overall, per top-level section with links, and per difficulty.

    With `within` (a section or topic), only its links count, and `sections` are its own
    links (under its own name) and the topics just below it.
    """
    summary = Summary(difficulties={d: Tally() for d in Difficulty}, within=within)
    depth = len(within) if within else 0
    # Several guides: a URL that more than one lists counts once overall (in each guide's
    # sections it counts where it is, and once by difficulty).
    shared = catalogue.shared_with if catalogue.origins else {}
    headings = None if shared else groups_of(catalogue, within)
    # Links counted by (heading, difficulty, status, counted overall) first, then tallied:
    # one dict update per link rather than three tallies.
    counts: dict[tuple[int, Difficulty, Status, bool], int] = {}
    state, unread = states.get, Status.UNREAD
    if headings is not None:
        # Every link unread, by heading and difficulty, then those with a status moved:
        # the cost of the headings and of the record, not of every link.
        for head, topic in headings:
            for difficulty, links in Counter(map(_difficulty, topic.links)).items():
                key = (id(head), difficulty, unread, True)
                counts[key] = counts.get(key, 0) + links
        marked = [k for k, status in states.items() if status is not unread]
        for item in items_among(catalogue, marked, within):
            head = item.path[depth] if len(item.path) > depth else item.path[-1]
            difficulty = item.link.difficulty
            counts[(id(head), difficulty, unread, True)] -= 1
            key = (id(head), difficulty, state(item.link.id, unread), True)
            counts[key] = counts.get(key, 0) + 1
    else:
        counted: set[str] = set()
        items = catalogue.items_under(within) if within else catalogue.items
        for item in items:
            link = item.link
            path = item.path
            head = path[depth] if len(path) > depth else path[-1]
            overall = True
            if shared and (group := shared.get(link.id)) is not None:
                overall = group[0] not in counted
                counted.add(group[0])
            key = (id(head), link.difficulty, state(link.id, unread), overall)
            counts[key] = counts.get(key, 0) + 1
    per_group: dict[int, Tally] = {}
    for (head_id, difficulty, status, overall), links in counts.items():
        if overall:  # a URL counts once in every tally but its guide's sections
            summary.overall.add(status, links)
            summary.difficulties[difficulty].add(status, links)
        per_group.setdefault(head_id, Tally()).add(status, links)
    heads = [within[-1], *within[-1].topics] if within else catalogue.guide.sections
    summary.sections = [(s, per_group[id(s)]) for s in heads if id(s) in per_group]
    summary.difficulties = {d: t for d, t in summary.difficulties.items() if t.links}
    return summary


_difficulty = attrgetter("difficulty")


def groups_of(
    catalogue: Catalogue, within: tuple[Topic, ...] | None
) -> list[tuple[Topic, Topic]] | None:
    """Each heading with links at or below `within` (or the whole guide), with the heading
    its links are counted under: the one just below `within` (its own links: `within`'s
    own), or the top-level section. None when the headings do not hold exactly the
    catalogue's links (then they are counted link by link)."""
    depth = len(within) if within else 0
    out: list[tuple[Topic, Topic]] = []
    total = 0
    for path, topic in catalogue.topics:
        total += len(topic.links)
        below = within is None or (len(path) >= depth and path[depth - 1] is within[-1])
        if topic.links and below:
            out.append((path[depth] if len(path) > depth else path[-1], topic))
    return out if total == len(catalogue.items) else None


def items_among(
    catalogue: Catalogue, ids: Collection[str], within: tuple[Topic, ...] | None
) -> list[Item]:
    """The catalogue's links at or below `within` (or anywhere) among these ids."""
    by_id = catalogue.by_id
    depth = len(within) if within else 0
    found = [by_id[i] for i in ids if i in by_id]
    if within is None:
        return found
    return [i for i in found if len(i.path) >= depth and i.path[depth - 1] is within[-1]]


def select(
    catalogue: Catalogue,
    states: States,
    within: tuple[Topic, ...] | None = None,
    difficulties: Sequence[Difficulty] | None = None,
    statuses: Sequence[Status] | None = None,
) -> list[Item]:
    """The links in guide order, below `within`, of these difficulties and statuses (if given)."""
    items = catalogue.items_under(within) if within else catalogue.items
    if difficulties:
        items = [i for i in items if i.link.difficulty in difficulties]
    if statuses:
        items = [i for i in items if states.get(i.link.id, Status.UNREAD) in statuses]
    return items
