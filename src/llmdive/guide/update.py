"""Following the guide as it evolves: carry ids over to a newer README, and say what changed.

Ids are what progress is keyed by, so a link of the new README keeps the id of the
link it continues. Matching goes from surest to least sure:

1. the same URL (normalised), anywhere in the guide: the link may have moved;
2. within the same section, the same or a very similar title: the URL changed;
3. within the same section, the remaining links paired by title similarity above
   a threshold (a post re-hosted and retitled in place is the common case).

A pair that could go more than one way is not guessed: it is reported, and the
new link gets a new id. Only links that match nothing get new ids, and those never
reuse an id that progress or a personal link already has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from llmdive.errors import LlmdiveError
from llmdive.guide import fetch
from llmdive.guide.catalogue import Catalogue
from llmdive.guide.validate import consistency_problems
from llmdive.home.paths import GUIDE_URL_ENV, UPSTREAM_URL
from llmdive.model.ids import (
    MAX_ID_CHARS,
    IdPool,
    key_similarity,
    link_id,
    slugify,
    title_key,
)
from llmdive.model.urls import normalize_url
from llmdive.model.vocab import Status

if TYPE_CHECKING:
    from collections.abc import Iterable

    from llmdive.guide.catalogue import Catalogue, Item
    from llmdive.model.models import Guide, Link, Related, Topic

SAME_TITLE = 0.9  # step 2: "the same or a very similar title"
SIMILAR_TITLE = 0.6  # step 3: paired by similarity above this
AMBIGUITY_MARGIN = 0.05  # two candidates this close are not told apart
# A section with up to this many (old, new) pairs has every pair scored (a guide's
# sections have a few dozen links); a larger one only pairs that share a telling word.
EXACT_PAIRS = 10_000
BLOCK_LIMIT = 32  # a word more old links have than this tells no pair apart
MAX_CANDIDATES = 16  # per new link: those sharing the most words (a README may be hostile)


@dataclass
class Change:
    """One link in the report, with whether the reader had progress on it."""

    id: str
    title: str
    section: list[str]
    status: Status = Status.UNREAD
    before: str | None = None
    after: str | None = None


@dataclass
class Report:
    source: str
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    retitled: list[Change] = field(default_factory=list)
    moved: list[Change] = field(default_factory=list)
    rebadged: list[Change] = field(default_factory=list)
    url_changed: list[Change] = field(default_factory=list)
    # Same id, same URL, but its related links (code, pdf, video) are not what they were.
    related_changed: list[Change] = field(default_factory=list)
    returned: list[Change] = field(default_factory=list)
    ambiguous: list[dict[str, Any]] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # files a reset replaced unread
    guide_unread: bool = False  # a reset from a guide.toml it could not read

    KINDS = (
        "added",
        "returned",
        "removed",
        "retitled",
        "moved",
        "rebadged",
        "url_changed",
        "related_changed",
    )

    @property
    def changed(self) -> bool:
        return any(getattr(self, k) for k in self.KINDS)


def _titles(path: tuple[Topic, ...]) -> list[str]:
    return [t.title for t in path]


def _candidates(olds: list[str], news: list[str], exact_pairs: int) -> Iterable[tuple[int, int]]:
    """The (old, new) pairs worth scoring, of titles made `title_key`s: all of them in a
    section of ordinary size.

    In a larger one, only pairs that share the whole title, a word or a word's first
    letters, among words that few links have (on either side): a word most titles share
    tells no pair apart. Each new link keeps the MAX_CANDIDATES that share the most, so
    pairing stays linear where scoring every pair took minutes.
    """
    if len(olds) * len(news) <= exact_pairs:
        return ((i, j) for j in range(len(news)) for i in range(len(olds)))
    old_keys = [_blocking_keys(t) for t in olds]
    new_keys = [_blocking_keys(t) for t in news]
    index: dict[tuple[str, str], list[int]] = {}
    for i, keys in enumerate(old_keys):
        for key in keys:
            index.setdefault(key, []).append(i)
    in_news: dict[tuple[str, str], int] = {}
    for keys in new_keys:
        for key in keys:
            in_news[key] = in_news.get(key, 0) + 1
    pairs: list[tuple[int, int]] = []
    for j, keys in enumerate(new_keys):
        shared: dict[int, int] = {}  # old link -> keys it shares (the whole title outweighs all)
        for key in keys:
            posting = index.get(key, ())
            if key[0] == "=":
                for i in posting[:BLOCK_LIMIT]:  # two alike are rivals: a few suffice
                    shared[i] = shared.get(i, 0) + 1_000
            elif len(posting) <= BLOCK_LIMIT and in_news[key] <= BLOCK_LIMIT:
                for i in posting:
                    shared[i] = shared.get(i, 0) + 1
        found = sorted(shared, key=lambda i: (-shared[i], i))[:MAX_CANDIDATES]
        pairs.extend((i, j) for i in sorted(found))
    return pairs


def _blocking_keys(key: str) -> set[tuple[str, str]]:
    words = key.split()
    return {("=", key), *(("w", w) for w in words), *(("p", w[:4]) for w in words if len(w) > 4)}


def _pair_by_similarity(
    olds: list[Item], news: list[Item], threshold: float
) -> tuple[list[tuple[Item, Item]], list[dict[str, Any]]]:
    """Best pairs above `threshold`; a pair with a close rival is reported, not made."""
    old_titles = [title_key(o.link.title) for o in olds]
    new_titles = [title_key(n.link.title) for n in news]
    known: dict[tuple[str, str], float] = {}  # titles repeat: each pair of them scored once

    def rate(i: int, j: int) -> float:
        pair = (old_titles[i], new_titles[j])
        if pair not in known:
            known[pair] = key_similarity(*pair, floor=threshold)
        return known[pair]

    scored = sorted(
        ((rate(i, j), i, j) for i, j in _candidates(old_titles, new_titles, EXACT_PAIRS)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    scored = [s for s in scored if s[0] >= threshold]
    by_old: dict[int, list[tuple[float, int, int]]] = {}
    by_new: dict[int, list[tuple[float, int, int]]] = {}
    for entry in scored:
        by_old.setdefault(entry[1], []).append(entry)
        by_new.setdefault(entry[2], []).append(entry)
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs: list[tuple[Item, Item]] = []
    ambiguous: list[dict[str, Any]] = []
    for score, i, j in scored:
        if i in used_old or j in used_new:
            continue
        # Rivals share the old link or the new one, are still free, and score about as well.
        rivals = [
            (s, a, b)
            for s, a, b in by_old[i] + by_new[j]
            if (a, b) != (i, j)
            and a not in used_old
            and b not in used_new
            and s >= score - AMBIGUITY_MARGIN
        ]
        if rivals:
            ambiguous.append(
                {
                    "new": news[j].link.title,
                    "candidates": sorted(
                        {olds[i].link.id} | {olds[a].link.id for _, a, b in rivals if b == j}
                    ),
                    "section": _titles(news[j].path)[:1],
                }
            )
            used_old.update({i} | {a for _, a, b in rivals if b == j})
            used_new.update({j} | {b for _, a, b in rivals if a == i})
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((olds[i], news[j]))
    return pairs, ambiguous


def carry_ids(
    old: Catalogue,
    new: Catalogue,
    states: dict[str, Status],
    reserved: set[str],
    source: str,
    gone: dict[str, tuple[str, Status]] | None = None,
    retired: Iterable[str] = (),
) -> Report:
    """Give `new`'s links the ids of the links they continue in `old` (in place); report.

    `gone` maps ids that progress still holds but `old` no longer has to (url, status):
    a link that comes back to the guide gets its old id, and with it its progress.
    `retired`: ids earlier updates gave and took away, with nothing recorded on them.
    """
    report = Report(source)
    returned: dict[int, str] = {}  # id(new item) -> the id it had before it left
    matched: dict[int, Item] = {}  # id(new item) -> old item
    old_left = list(old.items)
    new_left = list(new.items)

    # 1. The same URL anywhere; among several, prefer the same section, then guide order.
    by_url: dict[str, list[Item]] = {}
    for item in old_left:
        by_url.setdefault(normalize_url(item.link.url), []).append(item)
    for item in new_left:
        candidates = by_url.get(normalize_url(item.link.url))
        if candidates:
            same = [c for c in candidates if c.section.title == item.section.title]
            chosen = (same or candidates)[0]
            candidates.remove(chosen)
            matched[id(item)] = chosen
    back = {normalize_url(url): key for key, (url, _) in (gone or {}).items()}
    for item in new_left:
        key = back.pop(normalize_url(item.link.url), None) if id(item) not in matched else None
        if key is not None:
            returned[id(item)] = key
    taken_old = {id(o) for o in matched.values()}
    old_left = [o for o in old_left if id(o) not in taken_old]
    new_left = [n for n in new_left if id(n) not in matched and id(n) not in returned]

    # 2 and 3. Within each section: near-identical titles first, then similar ones.
    for threshold in (SAME_TITLE, SIMILAR_TITLE):
        old_by: dict[str, list[Item]] = {}
        new_by: dict[str, list[Item]] = {}
        for group, items in ((old_by, old_left), (new_by, new_left)):
            for item in items:
                group.setdefault(slugify(item.section.title), []).append(item)
        for key in sorted(new_by):
            olds, news = old_by.get(key, []), new_by[key]
            pairs, ambiguous = _pair_by_similarity(olds, news, threshold)
            for o, n in pairs:
                matched[id(n)] = o
            if threshold == SIMILAR_TITLE:
                report.ambiguous.extend(ambiguous)
        taken_old = {id(o) for o in matched.values()}
        old_left = [o for o in old_left if id(o) not in taken_old]
        new_left = [n for n in new_left if id(n) not in matched]

    # An IdPool: a thousand new links titled alike are numbered in a thousand steps.
    taken = IdPool(i.link.id for i in old.items)
    taken.update(a for i in old.items for a in i.link.aliases)
    taken.update(reserved)
    # A new link keeps the id its README gives it (the same README, the same ids, whatever
    # was imported before) unless a link, an alias or progress already has it; an id only
    # retired (an earlier update's, with nothing recorded on it) is given back.
    own: dict[int, str] = {}
    for item in new.items:
        if id(item) not in matched and id(item) not in returned and item.link.id not in taken:
            own[id(item)] = item.link.id
    taken.update(retired)
    taken.update(own.values())
    taken.update(returned.values())
    for item in new.items:
        link = item.link
        before = matched.get(id(item))
        if id(item) in returned:
            link.id = returned[id(item)]
            status = (gone or {})[link.id][1]
            report.returned.append(Change(link.id, link.title, _titles(item.path), status))
            continue
        if before is None:
            link.id = own.get(id(item)) or link_id(link.title, link.url, taken)
            report.added.append(Change(link.id, link.title, _titles(item.path)))
            continue
        link.id, link.aliases = before.link.id, before.link.aliases
        if len(link.id) > MAX_ID_CHARS and not before.link.personal:
            # A long id from before ids were short: a short one, the old one its alias.
            link.id = link_id(link.title, link.url, taken)
            link.aliases = (*before.link.aliases, before.link.id)
        _describe(report, before, item, states.get(before.link.id, Status.UNREAD))
    for item in old_left:
        link = item.link
        status = states.get(link.id, Status.UNREAD)
        report.removed.append(Change(link.id, link.title, _titles(item.path), status))
    return report


def _describe(report: Report, before: Item, after: Item, status: Status) -> None:
    old, new = before.link, after.link

    def change(b: str | None, a: str | None) -> Change:
        return Change(new.id, new.title, _titles(after.path), status, b, a)

    if old.title != new.title:
        report.retitled.append(change(old.title, new.title))
    if _titles(before.path) != _titles(after.path):
        report.moved.append(
            change(" › ".join(_titles(before.path)), " › ".join(_titles(after.path)))
        )
    if old.difficulty is not new.difficulty:
        report.rebadged.append(change(old.difficulty.value, new.difficulty.value))
    if old.url != new.url:
        report.url_changed.append(change(old.url, new.url))
    if old.related != new.related:
        report.related_changed.append(change(*related_diff(old, new)))


def related_diff(old: Link, new: Link) -> tuple[str, str]:
    """What changed in a link's related links, for the update report: (the ones it no
    longer has, the ones it has now that it did not), each `code <url>, pdf <url>` or "";
    when only their order changed, all of them before and after."""
    gone = [r for r in old.related if r not in new.related]
    came = [r for r in new.related if r not in old.related]
    if not gone and not came:
        gone, came = list(old.related), list(new.related)
    return _related_text(gone), _related_text(came)


def _related_text(related: Iterable[Related]) -> str:
    return ", ".join(f"{r.title} <{r.url}>" for r in related)


# ---------------------------------------------------------------- reading a README


def read_readme(source: str, timeout: float | None = None) -> str:
    """The text of a README: a local file, or an http(s) URL fetched within a deadline."""

    return fetch.read_text(source, fetch.DEADLINE_S if timeout is None else timeout)


# ---------------------------------------------------------------- what the commands call


@dataclass
class Plan:
    """A parsed README with ids carried over, and the report of what it changes."""

    guide: Guide
    report: Report
    warnings: list[str]
    refused: str | None = None  # why applying it needs --force


def plan(
    text: str,
    source: str,
    old: Catalogue | None,
    states: dict[str, Status] | None = None,
    reserved: set[str] | None = None,
    gone: dict[str, tuple[str, Status]] | None = None,
    retired: Iterable[str] = (),
) -> Plan:
    """Parse `text` and give its links the ids they have in `old`; refuse a broken result."""
    # start-up: markdown_it loads only to read or write a README
    from llmdive.guide.importer import parse_readme

    result = parse_readme(text, source=source)
    new = Catalogue(result.guide)
    if old is None:
        report = Report(source)
    else:
        report = carry_ids(old, new, states or {}, reserved or set(), source, gone, retired)
    problems = consistency_problems(result.guide)
    if problems:
        raise LlmdiveError("\n".join(f"{source}: {p}" for p in problems))
    update = Plan(result.guide, report, result.warnings)
    if old is not None:
        update.refused = guard(update, len(old.items))
    return update


def guard(update: Plan, before: int) -> str | None:
    """Why an update looks like a mistake (not the guide, or most of it gone), or None."""
    links = sum(len(t.links) for _, t in update.guide.walk())
    if not links:
        return (
            f"{update.report.source} is evidently not a reading list: "
            "it has no links in lists, tables or headings"
        )
    removed = len(update.report.removed)
    if before and removed * 2 > before:
        return f"this update would remove {removed} of the guide's {before} links"
    return None


def default_source() -> str:
    """Where `guide update` with no --from reads: $LLMDIVE_GUIDE_URL, else the upstream README."""
    import os

    return os.environ.get(GUIDE_URL_ENV) or UPSTREAM_URL
