"""What to read next, and how far along a reader is: pure functions over the models."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from llmdive.vocab import Difficulty, Status

if TYPE_CHECKING:
    from llmdive.catalogue import Catalogue, Item
    from llmdive.models import Topic

States = dict[str, Status]


def pick_next(items: Sequence[Item], states: States, passing: Collection[str] = ()) -> Item | None:
    """A link being read first; else the first unread link of the easiest difficulty left.

    Links whose ids are in `passing` are never picked.
    """
    best: Item | None = None
    for item in items:
        if passing and item.link.id in passing:
            continue
        status = states.get(item.link.id, Status.UNREAD)
        if status is Status.READING:
            return item
        if status is Status.UNREAD and (
            best is None or item.link.difficulty.rank < best.link.difficulty.rank
        ):
            best = item
    return best


@dataclass(frozen=True, eq=False)
class NextPick:
    """The next link of one section (or topic); None when everything there is read or skipped."""

    path: tuple[Topic, ...]
    item: Item | None
    passed: tuple[Item, ...] = ()  # dead links that would have come first, passed over


def _pick(
    path: tuple[Topic, ...], items: Sequence[Item], states: States, dead: Collection[str]
) -> NextPick:
    """The pick of `items`, passing over dead links; those passed are the dead ones that
    pick_next would have offered first, in the order it would have offered them."""
    if not dead:
        return NextPick(path, pick_next(items, states))
    item = pick_next(items, states, dead)

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
    return NextPick(path, item, tuple(c for _, c in ahead))


def next_links(
    catalogue: Catalogue,
    states: States,
    within: tuple[Topic, ...] | None = None,
    dead: Collection[str] = (),
) -> list[NextPick]:
    """One pick per top-level section that has links, or just the one for `within`.

    Links whose ids are in `dead` are passed over (and named in the pick).
    """
    if within is not None:
        return [_pick(within, catalogue.items_under(within), states, dead)]
    by_section: dict[int, list[Item]] = {}
    for item in catalogue.items:
        by_section.setdefault(id(item.section), []).append(item)
    return [
        _pick((section,), by_section[id(section)], states, dead)
        for section in catalogue.guide.sections
        if id(section) in by_section
    ]


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

    def add(self, status: Status) -> None:
        self.links += 1
        if status is Status.READ:
            self.read += 1
        elif status is Status.READING:
            self.reading += 1
        elif status is Status.SKIPPED:
            self.skipped += 1


@dataclass
class Summary:
    overall: Tally = field(default_factory=Tally)
    sections: list[tuple[Topic, Tally]] = field(default_factory=list)
    difficulties: dict[Difficulty, Tally] = field(default_factory=dict)


def summarize(catalogue: Catalogue, states: States) -> Summary:
    """Progress overall, per top-level section with links, and per difficulty."""
    summary = Summary(difficulties={d: Tally() for d in Difficulty})
    per_section: dict[int, Tally] = {}
    for item in catalogue.items:
        status = states.get(item.link.id, Status.UNREAD)
        summary.overall.add(status)
        summary.difficulties[item.link.difficulty].add(status)
        per_section.setdefault(id(item.section), Tally()).add(status)
    summary.sections = [
        (s, per_section[id(s)]) for s in catalogue.guide.sections if id(s) in per_section
    ]
    summary.difficulties = {d: t for d, t in summary.difficulties.items() if t.links}
    return summary


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
