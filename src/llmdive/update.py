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

from llmdive.slugs import link_id, normalize_url, similarity, slugify
from llmdive.vocab import Status

if TYPE_CHECKING:
    from llmdive.catalogue import Catalogue, Item
    from llmdive.models import Guide, Topic
    from llmdive.workspace import Workspace

SAME_TITLE = 0.9  # step 2: "the same or a very similar title"
SIMILAR_TITLE = 0.6  # step 3: paired by similarity above this
AMBIGUITY_MARGIN = 0.05  # two candidates this close are not told apart


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

    KINDS = ("added", "returned", "removed", "retitled", "moved", "rebadged", "url_changed")

    @property
    def changed(self) -> bool:
        return any(getattr(self, k) for k in self.KINDS)


def _titles(path: tuple[Topic, ...]) -> list[str]:
    return [t.title for t in path]


def _pair_by_similarity(
    olds: list[Item], news: list[Item], threshold: float
) -> tuple[list[tuple[Item, Item]], list[dict[str, Any]]]:
    """Best pairs above `threshold`; a pair with a close rival is reported, not made."""
    scored = sorted(
        (
            (similarity(o.link.title, n.link.title), i, j)
            for i, o in enumerate(olds)
            for j, n in enumerate(news)
        ),
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


def reconcile(
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
        sections = {slugify(n.section.title) for n in new_left}
        for key in sorted(sections):
            olds = [o for o in old_left if slugify(o.section.title) == key]
            news = [n for n in new_left if slugify(n.section.title) == key]
            pairs, ambiguous = _pair_by_similarity(olds, news, threshold)
            for o, n in pairs:
                matched[id(n)] = o
            if threshold == SIMILAR_TITLE:
                report.ambiguous.extend(ambiguous)
        taken_old = {id(o) for o in matched.values()}
        old_left = [o for o in old_left if id(o) not in taken_old]
        new_left = [n for n in new_left if id(n) not in matched]

    taken = {i.link.id for i in old.items} | set(reserved)
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
        link.id = before.link.id
        _describe(report, before, item, states.get(link.id, Status.UNREAD))
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

FETCH_TIMEOUT_S = 20.0
MAX_README_BYTES = 20 * 1024 * 1024


def read_readme(source: str, timeout: float = FETCH_TIMEOUT_S) -> str:
    """The text of a README: a local file, or an http(s) URL fetched with a timeout."""

    from llmdive.errors import LlmdiveError

    if source.lower().startswith(("http://", "https://")):
        import urllib.error
        import urllib.request

        request = urllib.request.Request(source, headers={"User-Agent": "llmdive"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data: bytes = response.read(MAX_README_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise LlmdiveError(f"cannot fetch {source}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise LlmdiveError(f"cannot fetch {source}: {reason}") from None
        if len(data) > MAX_README_BYTES:
            raise LlmdiveError(f"{source}: larger than {MAX_README_BYTES // 2**20} MiB")
    else:
        try:
            data = Path(source).expanduser().read_bytes()
        except OSError as exc:
            raise LlmdiveError(f"cannot read {source}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LlmdiveError(f"{source}: not UTF-8 text (byte {exc.start})") from None


# ---------------------------------------------------------------- the active catalogue

META_FILE = "guide-meta.json"


@dataclass
class Meta:
    """Where the active catalogue came from, and what each update added."""

    source: str = "bundled"
    updated: str | None = None
    updates: list[dict[str, Any]] = field(default_factory=list)

    def added_ids(self) -> dict[str, str]:
        """Every id an update added, with when (the latest update wins)."""
        out: dict[str, str] = {}
        for update in self.updates:
            for added in update.get("added", []):
                out[added] = update["at"]
        return out


def read_meta(home: Path) -> Meta:
    import json

    from pydantic import ValidationError

    from llmdive.errors import LlmdiveError
    from llmdive.schema import MetaSchema
    from llmdive.storage import read_bytes

    path = home / META_FILE
    try:
        raw = json.loads(read_bytes(path))
    except FileNotFoundError:
        return Meta()
    except (OSError, ValueError) as exc:
        raise LlmdiveError(f"{path}: cannot read ({exc}); fix or remove it") from None
    try:
        data = MetaSchema.model_validate(raw).model_dump(mode="json")
    except ValidationError as exc:
        raise LlmdiveError(f"{path}: not an llmdive guide record ({exc.error_count()} "
                           "problems); fix or remove it") from None  # fmt: skip
    return Meta(data["source"], data["updated"], data["updates"])


def write_active(home: Path, guide: Guide, report: Report, when: str) -> None:
    """Make `guide` the active catalogue and record the update; the old one stays until then."""
    import json

    from llmdive.catalogue import dump_toml
    from llmdive.paths import ACTIVE_GUIDE
    from llmdive.storage import write_all

    meta = read_meta(home)
    meta.updates.append(
        {
            "at": when,
            "source": report.source,
            "added": [c.id for c in report.added],
            "removed": [c.id for c in report.removed],
        }
    )
    doc = {"version": 1, "source": report.source, "updated": when, "updates": meta.updates}
    meta_text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    # One commit: killed at any point, the home has the old guide and record or the new ones.
    write_all(
        {home / ACTIVE_GUIDE: dump_toml(guide).encode(), home / META_FILE: meta_text.encode()}
    )


# ---------------------------------------------------------------- what the commands call


@dataclass
class Plan:
    """A parsed README with ids carried over, and the report of what it changes."""

    guide: Guide
    report: Report
    warnings: list[str]


def plan(
    text: str,
    source: str,
    old: Catalogue | None,
    states: dict[str, Status] | None = None,
    reserved: set[str] | None = None,
    gone: dict[str, tuple[str, Status]] | None = None,
) -> Plan:
    """Parse `text` and give its links the ids they have in `old`; refuse a broken result."""
    from llmdive.catalogue import Catalogue, consistency_problems
    from llmdive.errors import LlmdiveError
    from llmdive.markdown import parse_readme

    result = parse_readme(text, source=source)
    new = Catalogue(result.guide)
    if old is None:
        report = Report(source)
    else:
        report = reconcile(old, new, states or {}, reserved or set(), source, gone)
    problems = consistency_problems(result.guide)
    if problems:
        raise LlmdiveError("\n".join(f"{source}: {p}" for p in problems))
    return Plan(result.guide, report, result.warnings)


def plan_update(ws: Workspace, source: str) -> Plan:
    """What updating the workspace's catalogue from `source` would do; nothing is written."""
    from llmdive.progress import orphans

    text = read_readme(source)
    personal = {i.link.id for i in ws.catalogue.items if i.link.personal}
    gone = {
        key: (entry.url, entry.status)
        for key, entry in orphans(ws.base_catalogue, ws.progress).items()
        if entry.url
    }
    return plan(text, source, ws.base_catalogue, ws.states, ws.progress.keys() | personal, gone)


def apply_update(ws: Workspace, update: Plan) -> None:
    from llmdive.models import iso
    from llmdive.progress import locked, now

    with locked(ws.home):
        write_active(ws.home, update.guide, update.report, iso(now()))


def status(ws: Workspace) -> dict[str, Any]:
    """Which catalogue is in use, where it came from and when."""
    from llmdive.paths import ACTIVE_GUIDE, bundled_guide

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
