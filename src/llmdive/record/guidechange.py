"""A change of guide and the reader's record, committed together: `guide update`,
`guide reset`, which guide is in use, what updates brought.

The ids a new README's links get are planned in guide/update.py; this module takes the
home's lock, reads the record (progress, personal links) the plan must respect, and
writes the new guide with guide-meta.json as one commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from llmdive.errors import LlmdiveError
from llmdive.guide import fetch
from llmdive.guide.catalogue import dump_toml, load_catalogue
from llmdive.guide.meta import META_FILE, META_UNTOUCHED, Meta, read_meta
from llmdive.guide.update import Change, Plan, Report, _describe, _titles, default_source, plan
from llmdive.guide.validate import parse_guide
from llmdive.home.lock import locked
from llmdive.home.paths import ACTIVE_GUIDE, ACTIVE_README, bundled_guide
from llmdive.home.storage import exists, write_all
from llmdive.model.models import iso
from llmdive.model.urls import has_scheme, redact_url
from llmdive.model.vocab import DEFAULT_GUIDE, Status
from llmdive.record.events import latest_stamp, now
from llmdive.record.progress import load_progress, orphans, reading_states

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Catalogue, Item
    from llmdive.guide.fetch import Fetched
    from llmdive.model.models import Guide, Progress, Topic


class Reader(Protocol):
    """What these functions read of one call's workspace (llmdive.workspace.Workspace)."""

    @property
    def home(self) -> Path: ...
    @property
    def guide_path(self) -> Path: ...
    @property
    def base_catalogue(self) -> Catalogue: ...
    @property
    def catalogue(self) -> Catalogue: ...
    @property
    def progress(self) -> Progress: ...
    @property
    def states(self) -> dict[str, Status]: ...


def _record(
    meta: Meta, report: Report, when: str, source: str, added: list[str], home: Path
) -> None:

    # The record's latest event as the guide changed: `undo` reaches no further back.
    last_event = latest_stamp(load_progress(home)) or "1970-01-01T00:00:00Z"
    meta.updates.append(
        {
            "at": when,
            "source": source,
            "added": added,
            "removed": [c.id for c in report.removed],
            "last_event": last_event,
        }
    )
    meta.source, meta.updated = source, when


def write_active(
    home: Path,
    guide: Guide,
    report: Report,
    when: str,
    fetched: Fetched | None = None,
    readme: str | None = None,
) -> None:
    """Make `guide` the active catalogue and record the update, as one commit; `readme`,
    the text it was imported from, is kept beside it (what `contribute` patches)."""

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
    write_all(
        {
            home / ACTIVE_GUIDE: toml,
            home / META_FILE: meta.to_bytes(),
            home / ACTIVE_README: readme.encode() if readme is not None else None,
        }
    )


@dataclass
class Outcome:
    """What `guide update` did: applied, refused, dry run, or nothing to do."""

    source: str
    plan: Plan | None = None  # None: the server said the guide has not changed
    applied: bool = False


def plan_update(ws: Reader, text: str, source: str) -> Plan:
    """What updating the workspace's catalogue to `text` would do; nothing is written."""

    personal = {i.link.id for i in ws.catalogue.items if i.link.personal}
    gone = {
        key: (entry.url, entry.status)
        for key, entry in orphans(ws.base_catalogue, ws.progress).items()
        if entry.url
    }
    reserved = ws.progress.keys() | personal
    retired = read_meta(ws.home).known_ids()
    return plan(text, source, ws.base_catalogue, ws.states, reserved, gone, retired)


def update_guide(
    ws: Reader, source: str | None, dry_run: bool, force: bool, timeout: float | None = None
) -> Outcome:
    """Read the guide from `source` (default: upstream) and make it the active catalogue.

    A download takes at most `timeout` seconds in all (default: fetch.DEADLINE_S).

    The download happens first, without the lock; ids are then planned and written
    under it, so that an `add` running meanwhile can never get the same id. A refused
    update (see `guard`) writes nothing unless `force`.
    """

    source = source or default_source()
    fetched = None
    if has_scheme(source):
        shown = redact_url(source)
        meta = read_meta(ws.home)
        same = meta.url == shown and exists(ws.home / ACTIVE_GUIDE)
        fetched = fetch.fetch(
            source,
            fetch.DEADLINE_S if timeout is None else timeout,
            etag=meta.etag if same else None,
            last_modified=meta.last_modified if same else None,
        )
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
        write_active(ws.home, update.guide, update.report, iso(now()), fetched, text)
    return Outcome(shown, update, applied=True)


def _diff(old: Catalogue, new: Catalogue, ws: Reader, source: str) -> Report:
    """What changes for the reader going from `old` to `new`, link by id (no reconciling)."""

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


def reset(ws: Reader, dry_run: bool) -> tuple[Report, Catalogue, Catalogue] | None:
    """Go back to the bundled catalogue: what it changes, the catalogues before and after;
    None when the bundled one is already in use.

    Progress is not touched: marks on links the bundled guide has apply again. A guide.toml
    or guide-meta.json that cannot be read does not stand in the way: the report then says
    so (`Report.unreadable`), and the record of updates starts afresh.
    """

    active = ws.home / ACTIVE_GUIDE

    def compare() -> tuple[Report, Catalogue, Catalogue]:

        new = load_catalogue(bundled_guide(), home=ws.home)
        try:
            old = load_catalogue(active, home=ws.home)
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
        gone = {active: None, ws.home / ACTIVE_README: None}
        write_all({**gone, ws.home / META_FILE: meta.to_bytes()})
    return report, old, new


def _followed_added(home: Path, names: set[str]) -> dict[str, dict[str, str]]:
    """For each followed guide named, the ids its updates added (its own ids), with when."""
    from llmdive.guide.meta import read_meta_file
    from llmdive.home.paths import followed_meta

    found: dict[str, dict[str, str]] = {}
    for name in sorted(names):
        try:
            found[name] = read_meta_file(followed_meta(home, name)).added_ids()
        except LlmdiveError:
            found[name] = {}  # `doctor` names the broken file
    return found


def _meta_or_fresh(home: Path, report: Report, dry_run: bool = False) -> Meta:
    """The record of updates; one that cannot be read is noted in `report`, and replaced."""

    try:
        return read_meta(home)
    except LlmdiveError as exc:
        problem = str(exc).splitlines()[0].removesuffix(f": {META_UNTOUCHED}")
        fresh = "would be replaced" if dry_run else "replaced"
        report.unreadable.append(f"{problem}: {fresh} unread by a fresh record of updates")
        return Meta()


def status(ws: Reader) -> dict[str, Any]:
    """Which catalogue is in use, where it came from and when."""

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


def whatsnew(ws: Reader) -> list[tuple[Topic, list[tuple[Item, str]]]]:
    """Unread links that guide updates added, per top-level section, with when (of every
    guide followed: each one's record says what its updates added, by its own ids)."""
    added = read_meta(ws.home).added_ids()
    theirs = _followed_added(ws.home, {i.guide for i in ws.catalogue.items} - {DEFAULT_GUIDE})
    groups: dict[int, tuple[Topic, list[tuple[Item, str]]]] = {}
    for item in ws.catalogue.items:
        if item.guide == DEFAULT_GUIDE:
            when = added.get(item.link.id)
        else:
            own = item.link.id.removeprefix(f"{item.guide}/")
            when = theirs.get(item.guide, {}).get(own)
        if when and ws.states.get(item.link.id, Status.UNREAD) is Status.UNREAD:
            groups.setdefault(id(item.section), (item.section, []))[1].append((item, when))
    return list(groups.values())
