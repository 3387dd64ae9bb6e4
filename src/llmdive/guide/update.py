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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmdive.home.statefile import encode_state, load_state
from llmdive.model.ids import (
    MAX_ID_CHARS,
    IdPool,
    key_similarity,
    link_id,
    slugify,
    title_key,
)
from llmdive.model.urls import has_scheme, normalize_url, redact_url
from llmdive.model.vocab import Status

if TYPE_CHECKING:
    from collections.abc import Iterable

    from llmdive.guide.catalogue import Catalogue, Item
    from llmdive.guide.fetch import Fetched
    from llmdive.model.models import Guide, Topic
    from llmdive.workspace import Workspace

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
    returned: list[Change] = field(default_factory=list)
    ambiguous: list[dict[str, Any]] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # files a reset replaced unread
    guide_unread: bool = False  # a reset from a guide.toml it could not read

    KINDS = ("added", "returned", "removed", "retitled", "moved", "rebadged", "url_changed")

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
            if (a, b) != (i, j) and a not in used_old and b not in used_new
            and s >= score - AMBIGUITY_MARGIN
        ]  # fmt: skip
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
) -> Report:
    """Give `new`'s links the ids of the links they continue in `old` (in place); report.

    `gone` maps ids that progress still holds but `old` no longer has to (url, status):
    a link that comes back to the guide gets its old id, and with it its progress.
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
    for item in new.items:
        link = item.link
        before = matched.get(id(item))
        if id(item) in returned:
            link.id = returned[id(item)]
            status = (gone or {})[link.id][1]
            report.returned.append(Change(link.id, link.title, _titles(item.path), status))
            continue
        if before is None:
            link.id = link_id(link.title, link.url, taken)
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


# ---------------------------------------------------------------- reading a README


def read_readme(source: str, timeout: float | None = None) -> str:
    """The text of a README: a local file, or an http(s) URL fetched within a deadline."""
    from llmdive.guide import fetch

    return fetch.read_text(source, fetch.DEADLINE_S if timeout is None else timeout)


# ---------------------------------------------------------------- the active catalogue

META_FILE = "guide-meta.json"
META_UNTOUCHED = "fix or remove it; llmdive has left it as it is"


@dataclass
class Meta:
    """Where the active catalogue came from, and what each update added and removed.

    `url`, `etag` and `last_modified` describe the last download, so that the next
    update of the same URL can ask the server whether anything changed.
    """

    source: str = "bundled"
    updated: str | None = None
    updates: list[dict[str, Any]] = field(default_factory=list)
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    def added_ids(self) -> dict[str, str]:
        """Every id an update added, with when (the latest update wins)."""
        out: dict[str, str] = {}
        for update in self.updates:
            for added in update.get("added", []):
                out[added] = update["at"]
        return out

    def known_ids(self) -> set[str]:
        """Every id an update ever added or removed: never given to another link."""
        return {i for u in self.updates for kind in ("added", "removed") for i in u.get(kind, [])}

    def to_bytes(self) -> bytes:
        """guide-meta.json's bytes (statefile.encode_state, as every state file)."""
        doc: dict[str, Any] = {"version": 1, "source": self.source, "updated": self.updated,
                               "updates": self.updates}  # fmt: skip
        for key in ("url", "etag", "last_modified"):
            if getattr(self, key) is not None:
                doc[key] = getattr(self, key)
        return encode_state(doc)


def read_meta(home: Path) -> Meta:
    """guide-meta.json: where the active catalogue came from; no file, the bundled guide."""
    return load_state(home / META_FILE, _parse_meta, Meta)


def _parse_meta(content: bytes, path: Path) -> Meta:
    # pydantic and the strict shapes: only for commands that read the guide's record.
    from pydantic import ValidationError

    from llmdive.errors import LlmdiveError
    from llmdive.model.inputs import MetaSchema, first_problem, load_json

    untouched = META_UNTOUCHED
    raw = load_json(content, path, untouched)
    try:
        data = MetaSchema.model_validate(raw).model_dump(mode="json")
    except ValidationError as exc:
        raise LlmdiveError(
            f"{path}: not an llmdive guide record: {first_problem(raw, exc)}: {untouched}"
        ) from None
    return Meta(data["source"], data["updated"], data["updates"], data.get("url"),
                data.get("etag"), data.get("last_modified"))  # fmt: skip


def _record(
    meta: Meta, report: Report, when: str, source: str, added: list[str], home: Path
) -> None:
    from llmdive.record.progress import latest_stamp, load_progress

    # The record's latest event as the guide changed: `undo` reaches no further back.
    last_event = latest_stamp(load_progress(home)) or "1970-01-01T00:00:00Z"
    meta.updates.append({"at": when, "source": source, "added": added,
                         "removed": [c.id for c in report.removed],
                         "last_event": last_event})  # fmt: skip
    meta.source, meta.updated = source, when


def write_active(
    home: Path, guide: Guide, report: Report, when: str, fetched: Fetched | None = None
) -> None:
    """Make `guide` the active catalogue and record the update, as one commit."""
    from llmdive.guide.catalogue import dump_toml, parse_guide
    from llmdive.home.paths import ACTIVE_GUIDE
    from llmdive.home.storage import write_all

    meta = read_meta(home)
    if report.changed or not (home / ACTIVE_GUIDE).exists():
        _record(meta, report, when, report.source, [c.id for c in report.added], home)
    meta.source = report.source
    meta.url = report.source if fetched is not None else None
    meta.etag = fetched.etag if fetched is not None else None
    meta.last_modified = fetched.last_modified if fetched is not None else None
    toml = dump_toml(guide).encode()
    parse_guide(toml, home / ACTIVE_GUIDE)  # what llmdive writes, llmdive must read back
    # One commit: killed at any point, the home has the old guide and record or the new ones.
    write_all({home / ACTIVE_GUIDE: toml, home / META_FILE: meta.to_bytes()})


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
) -> Plan:
    """Parse `text` and give its links the ids they have in `old`; refuse a broken result."""
    from llmdive.errors import LlmdiveError
    from llmdive.guide.catalogue import Catalogue, consistency_problems
    from llmdive.guide.readme import parse_readme

    result = parse_readme(text, source=source)
    new = Catalogue(result.guide)
    if old is None:
        report = Report(source)
    else:
        report = carry_ids(old, new, states or {}, reserved or set(), source, gone)
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
        return (f"{update.report.source} is evidently not The LLM Deep Dive's README: "
                "none of its ### sections has a link")  # fmt: skip
    removed = len(update.report.removed)
    if before and removed * 2 > before:
        return f"this update would remove {removed} of the guide's {before} links"
    return None


def default_source() -> str:
    """Where `guide update` with no --from reads: $LLMDIVE_GUIDE_URL, else the upstream README."""
    import os

    from llmdive.home.paths import GUIDE_URL_ENV, UPSTREAM_URL

    return os.environ.get(GUIDE_URL_ENV) or UPSTREAM_URL


@dataclass
class Outcome:
    """What `guide update` did: applied, refused, dry run, or nothing to do."""

    source: str
    plan: Plan | None = None  # None: the server said the guide has not changed
    applied: bool = False


def plan_update(ws: Workspace, text: str, source: str) -> Plan:
    """What updating the workspace's catalogue to `text` would do; nothing is written."""
    from llmdive.record.progress import orphans

    personal = {i.link.id for i in ws.catalogue.items if i.link.personal}
    gone = {
        key: (entry.url, entry.status)
        for key, entry in orphans(ws.base_catalogue, ws.progress).items()
        if entry.url
    }
    reserved = ws.progress.keys() | personal | read_meta(ws.home).known_ids()
    return plan(text, source, ws.base_catalogue, ws.states, reserved, gone)


def update_guide(
    ws: Workspace, source: str | None, dry_run: bool, force: bool, timeout: float | None = None
) -> Outcome:
    """Read the guide from `source` (default: upstream) and make it the active catalogue.

    A download takes at most `timeout` seconds in all (default: fetch.DEADLINE_S).

    The download happens first, without the lock; ids are then planned and written
    under it, so that an `add` running meanwhile can never get the same id. A refused
    update (see `guard`) writes nothing unless `force`.
    """
    from llmdive.guide import fetch
    from llmdive.home.paths import ACTIVE_GUIDE
    from llmdive.home.storage import exists
    from llmdive.model.models import iso
    from llmdive.record.progress import locked, now

    source = source or default_source()
    fetched = None
    if has_scheme(source):
        shown = redact_url(source)
        meta = read_meta(ws.home)
        same = meta.url == shown and exists(ws.home / ACTIVE_GUIDE)
        fetched = fetch.fetch(source, fetch.DEADLINE_S if timeout is None else timeout,
                              etag=meta.etag if same else None,
                              last_modified=meta.last_modified if same else None)  # fmt: skip
        if fetched.text is None:
            return Outcome(shown)
        text = fetched.text
    else:
        shown = source
        text = fetch.read_text(source)
    if dry_run:
        return Outcome(shown, plan_update(ws, text, shown))
    with locked(ws.home):
        update = plan_update(ws, text, shown)
        if update.refused and not force:
            return Outcome(shown, update)
        write_active(ws.home, update.guide, update.report, iso(now()), fetched)
    return Outcome(shown, update, applied=True)


def _diff(old: Catalogue, new: Catalogue, ws: Workspace, source: str) -> Report:
    """What changes for the reader going from `old` to `new`, link by id (no reconciling)."""
    from llmdive.record.progress import reading_states

    states = reading_states(old, ws.progress)
    report = Report(source)
    for item in new.items:
        before = old.by_id.get(item.link.id)
        if before is not None:
            _describe(report, before, item, states.get(item.link.id, Status.UNREAD))
            continue
        status = ws.progress.status(item.link.id)
        kind = report.added if status is Status.UNREAD else report.returned
        kind.append(Change(item.link.id, item.link.title, _titles(item.path), status))
    for item in old.items:
        if item.link.id not in new.by_id:
            status = states.get(item.link.id, Status.UNREAD)
            report.removed.append(Change(item.link.id, item.link.title, _titles(item.path), status))
    return report


def reset(ws: Workspace, dry_run: bool) -> tuple[Report, Catalogue, Catalogue] | None:
    """Go back to the bundled catalogue: what it changes, the catalogues before and after;
    None when the bundled one is already in use.

    Progress is not touched: marks on links the bundled guide has apply again. A guide.toml
    or guide-meta.json that cannot be read does not stand in the way: the report then says
    so (`Report.unreadable`), and the record of updates starts afresh.
    """
    from llmdive.guide.catalogue import load_catalogue
    from llmdive.home.paths import ACTIVE_GUIDE, bundled_guide
    from llmdive.home.storage import exists, write_all
    from llmdive.model.models import iso
    from llmdive.record.progress import locked, now

    active = ws.home / ACTIVE_GUIDE

    def compare() -> tuple[Report, Catalogue, Catalogue]:
        from llmdive.errors import LlmdiveError

        new = load_catalogue(bundled_guide())
        try:
            old = load_catalogue(active)
        except LlmdiveError as exc:
            gone = "would be removed" if dry_run else "removed"
            problem = f"{str(exc).splitlines()[0]}: {gone} unread"
            report = Report("bundled", unreadable=[problem], guide_unread=True)
            return report, new, new
        return _diff(old, new, ws, "bundled"), old, new

    if dry_run:
        if not exists(active):
            return None
        report, old, new = compare()
        _meta_or_fresh(ws.home, report, dry_run)
        return report, old, new
    with locked(ws.home):
        if not exists(active):
            return None
        report, old, new = compare()
        meta = _meta_or_fresh(ws.home, report)
        # Links coming back are not news: whatsnew lists what updates brought, not a reset.
        _record(meta, report, iso(now()), "bundled", [], ws.home)
        meta.url = meta.etag = meta.last_modified = None
        write_all({active: None, ws.home / META_FILE: meta.to_bytes()})
    return report, old, new


def _meta_or_fresh(home: Path, report: Report, dry_run: bool = False) -> Meta:
    """The record of updates; one that cannot be read is noted in `report`, and replaced."""
    from llmdive.errors import LlmdiveError

    try:
        return read_meta(home)
    except LlmdiveError as exc:
        problem = str(exc).splitlines()[0].removesuffix(f": {META_UNTOUCHED}")
        fresh = "would be replaced" if dry_run else "replaced"
        report.unreadable.append(f"{problem}: {fresh} unread by a fresh record of updates")
        return Meta()


def status(ws: Workspace) -> dict[str, Any]:
    """Which catalogue is in use, where it came from and when."""
    from llmdive.home.paths import ACTIVE_GUIDE, bundled_guide

    meta = read_meta(ws.home)
    path = ws.guide_path
    if path == bundled_guide():
        kind = "bundled"
    elif path == ws.home / ACTIVE_GUIDE:
        kind = "updated"
    else:
        kind = "chosen with --guide/$LLMDIVE_GUIDE"
    updated = kind == "updated"
    return {
        "catalogue": str(path),
        "kind": kind,
        "links": len(ws.base_catalogue.items),
        "source": meta.source if updated else None,
        "updated": meta.updated if updated else None,
        "updates": len(meta.updates),
    }


def whatsnew(ws: Workspace) -> list[tuple[Topic, list[tuple[Item, str]]]]:
    """Unread links that guide updates added, per top-level section, with when."""
    added = read_meta(ws.home).added_ids()
    groups: dict[int, tuple[Topic, list[tuple[Item, str]]]] = {}
    for item in ws.catalogue.items:
        when = added.get(item.link.id)
        if when and ws.states.get(item.link.id, Status.UNREAD) is Status.UNREAD:
            groups.setdefault(id(item.section), (item.section, []))[1].append((item, when))
    return list(groups.values())
