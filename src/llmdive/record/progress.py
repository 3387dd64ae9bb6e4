"""One reader's progress: where it lives, reading and writing it safely, changing it.

progress.json is versioned, written atomically under an exclusive lock, and never
"repaired": a file llmdive cannot read is reported and left exactly as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from llmdive.errors import LlmdiveError
from llmdive.home import cache, storage
from llmdive.home.infile import parse_json
from llmdive.home.lock import locked
from llmdive.home.paths import PERSONAL_FILE, PROGRESS_FILE
from llmdive.home.statefile import check_fits, encode_state, load_state
from llmdive.model.models import SCHEMA_VERSION, Entry, Event, Progress, Status, iso
from llmdive.model.urls import url_key
from llmdive.record.events import (
    backfill,
    merge_entries,
    new_stamp,
    replay,
    settle,
)

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Catalogue, Item

T = TypeVar("T")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def progress_file(home: Path) -> Path:
    return home / PROGRESS_FILE


def _untouched(path: Path) -> str:
    return f"fix it, or move it aside to start afresh; llmdive has left {path.name} as it is"


def _conflict_line(data: bytes) -> int | None:
    """The line of the first git conflict marker (`<<<<<<< `) in `data`, if any."""
    for number, line in enumerate(data.splitlines(), 1):
        if line.startswith((b"<<<<<<<", b">>>>>>>")) or line.rstrip() == b"=======":
            return number
    return None


def parse_progress(data: bytes, path: Path) -> Progress:
    """Progress from the bytes of progress.json; anything unexpected is an error, never a guess."""
    if not data.strip():
        raise LlmdiveError(
            f"{path}: the file is empty, so it holds no progress: {_untouched(path)}"
        )
    # start-up: pydantic loads only when a file must be validated
    from llmdive.model.inputs import first_problem, validate_progress

    try:
        raw = parse_json(data, path, _untouched(path))
    except LlmdiveError:
        conflict = _conflict_line(data)
        if conflict:
            raise LlmdiveError(
                f"{path}: an unresolved merge conflict (git's conflict marker at line "
                f"{conflict}): resolve it (`llmdive progress merge` merges two records), "
                f"then run llmdive again; the file is untouched"
            ) from None
        raise
    version = raw.get("version") if isinstance(raw, dict) else None
    # A format a later llmdive could plausibly have written; any other number is just wrong.
    if isinstance(version, int) and not isinstance(version, bool) and 1 < version < 1000:
        raise LlmdiveError(
            f"{path}: written by a newer llmdive (progress format {version}, this one reads "
            f"{SCHEMA_VERSION}): upgrade llmdive the way you installed it; the file is untouched"
        )
    from pydantic import ValidationError

    try:
        return Progress.from_dict(validate_progress(raw))
    except ValidationError as exc:
        raise LlmdiveError(
            f"{path}: not an llmdive progress file: {first_problem(raw, exc)}: {_untouched(path)}"
        ) from None


def load_progress(home: Path) -> Progress:
    """The progress stored in `home`; no file yet means nothing read yet."""
    return load_state(progress_file(home), lambda d, p: _parse_cached(d, p, home), Progress)


def _parse_cached(data: bytes, path: Path, home: Path) -> Progress:
    """parse_progress, or the cache's copy of what these bytes parsed to."""
    key = cache.digest(data)
    record = cache.read("progress", path, key, home=home)
    if record is not None:
        try:
            return Progress.from_dict(record)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # a damaged cache entry: read the file itself
    progress = parse_progress(data, path)
    cache.write("progress", path, key, progress.to_dict(), home=home)
    return progress


def save_progress(home: Path, progress: Progress) -> None:
    save_record(home, progress)


def save_record(
    home: Path, progress: Progress, personal: bytes | None = None, limit: int | None = None
) -> None:
    """Write progress.json, and personal.json's bytes when given: both or neither
    (storage.write_all); refused when llmdive could not read them back (check_fits).

    `limit`: the largest file written (default infile.RECORD_MAX_BYTES, what is read back).
    """
    data = progress.to_dict()
    text = encode_state(data)
    path = progress_file(home)
    if personal is None:
        check_fits({path: text}, limit)
        storage.atomic_write(path, text)
    else:
        files: dict[Path, bytes | None] = {path: text, home / PERSONAL_FILE: personal}
        check_fits(files, limit)
        storage.write_all(files)
    progress.dirty = False
    # What was just written is known to be valid: later reads need not validate it again.
    cache.write("progress", path, cache.digest(text), data, home=home)


def fold_aliases(progress: Progress, aliases: Mapping[str, str]) -> list[str]:
    """Move entries kept under a link's old id (an alias) to its id; the keys moved.

    When both keys have an entry, the two are merged as a merge of two machines' records
    merges them (merge.merge_entries: both event histories, nothing lost). Marks
    `progress` dirty when anything moved, so that the next write stores it moved.
    """
    moved = sorted(progress.keys() & aliases.keys())
    if not moved:
        return moved
    for key in moved:
        entry = progress.pop(key)
        target = aliases[key]
        if entry is None:
            continue
        held = progress.get(target)
        if held is not None:
            entry = Entry.from_dict(merge_entries(held.to_dict(), entry.to_dict()))
        progress.put(target, entry)
    progress.dirty = True
    return moved


def update_progress(
    home: Path, change: Callable[[Progress], T], aliases: Mapping[str, str] | None = None
) -> T:
    """Read-modify-write under the lock; the file is written only if `change` changed it.

    Entries under a link's old id (`aliases`: old id -> id) are moved to its id first.
    """
    with locked(home):
        progress = load_progress(home)
        fold_aliases(progress, aliases or {})
        result = change(progress)
        if progress.dirty:
            save_progress(home, progress)
    return result


# ---------------------------------------------------------------- status changes


@dataclass(frozen=True)
class Change:
    id: str
    title: str
    before: Status
    after: Status

    @property
    def changed(self) -> bool:
        return self.before is not self.after


def marked_items(catalogue: Catalogue, ids: list[str], section: str | None) -> list[Item]:
    """The links a mark command names: its ids, then every link at or below `section`."""
    if not ids and section is None:
        raise LlmdiveError("name the links: give one or more IDs, or --section SECTION")
    items = catalogue.resolve_ids(ids) if ids else []
    if section is not None:
        seen = {i.link.id for i in items}
        items += [
            i for i in catalogue.items_under(catalogue.find_topic(section)) if i.link.id not in seen
        ]
    return items


def set_status(
    progress: Progress,
    catalogue: Catalogue,
    items: Iterable[Item],
    status: Status,
    when: datetime | None = None,
) -> list[Change]:
    """Give each link `status`; a link already there is reported unchanged, not an error.

    The links changed share one event time: one change, which one `undo` takes back.
    """
    changes = []
    for item in items:
        link = item.link
        before = reading_state(catalogue, progress, link.id)
        changes.append((item, Change(link.id, link.title, before, status)))
    moving = [item for item, change in changes if change.changed]
    if moving:
        stamp = new_stamp(progress, when)
        for item in moving:
            entry = progress.entry(record_key(catalogue, progress, item.link.id))
            backfill(entry)
            entry.events.append(Event(at=stamp, status=status))
            entry.title, entry.url = item.link.title, item.link.url
            settle(entry)
        progress.dirty = True
    return [change for _, change in changes]


def set_note(
    progress: Progress,
    item: Item,
    text: str,
    when: datetime | None = None,
    catalogue: Catalogue | None = None,
) -> bool:
    """Set (or, with "", remove) a link's note, as a note event; False if it was already so.

    `catalogue`: the one `item` is from, so that the note goes to the entry of the link's
    URL when another link with that URL has one (record_key)."""
    key = item.link.id if catalogue is None else record_key(catalogue, progress, item.link.id)
    entry = progress.get(key)
    if (entry.note if entry else None) == (text or None):
        return False
    entry = progress.entry(key)
    backfill(entry)
    entry.events.append(Event(at=new_stamp(progress, when), note=text))
    entry.title, entry.url = item.link.title, item.link.url
    settle(entry)
    progress.dirty = True
    return True


def reading_states(catalogue: Catalogue, progress: Progress) -> dict[str, Status]:
    """Each catalogue link's status; links sharing a URL share the most recent one. With
    several guides combined, a link with no entry of its own has that of an entry left
    with its URL (a guide no longer followed, an id qualified otherwise then)."""
    states = {key: progress.status(key) for key in catalogue.by_id.keys() & progress.keys()}
    for ids in catalogue.shared_urls:
        status = _latest(progress, ids)
        if status is not None:
            states.update(dict.fromkeys(ids, status))
    left = left_by_url(catalogue, progress)
    if left:
        for item in catalogue.items:
            if item.link.id not in states:
                key = left.get(url_key(item.link.url))
                if key is not None:
                    states[item.link.id] = progress.status(key)
    return states


def reading_state(catalogue: Catalogue, progress: Progress, link_id: str) -> Status:
    """One link's status, as reading_states would give it, without computing them all."""
    group = catalogue.shared_with.get(link_id)
    status = progress.status(link_id) if group is None else _latest(progress, group)
    if status is None or (group is None and link_id not in progress):
        key = record_key(catalogue, progress, link_id)
        return progress.status(key) if key != link_id else Status.UNREAD
    return status


def left_by_url(catalogue: Catalogue, progress: Progress) -> dict[str, str]:
    """With several guides combined: the entries under no id or alias of the catalogue,
    by url_key of the URL they recorded ({} for one guide: its orphans stay orphans)."""
    if not catalogue.origins:
        return {}
    by_id, aliases = catalogue.by_id, catalogue.aliases
    found: dict[str, str] = {}
    for key in sorted(progress.keys()):
        if key in by_id or key in aliases:
            continue
        url = progress.value(key, "url")
        if isinstance(url, str) and url:
            found.setdefault(url_key(url), key)
    return found


def keys_of(catalogue: Catalogue, progress: Progress) -> set[str]:
    """The keys of progress that hold the record of a link of `catalogue`: its ids and
    aliases, and entries with the URL of one of its links."""
    urls = {url_key(item.link.url) for item in catalogue.items}
    found = progress.keys() & (catalogue.by_id.keys() | catalogue.aliases.keys())
    for key in progress.keys() - found:
        url = progress.value(key, "url")
        if isinstance(url, str) and url and url_key(url) in urls:
            found.add(key)
    return found


def record_key(catalogue: Catalogue, progress: Progress, link_id: str) -> str:
    """The key a link's record is under: its id when it has an entry; else the id of
    another link with its URL that has one; else (several guides combined) an entry left
    with its URL; else its id (a new entry). One URL never gets two entries."""
    if link_id in progress:
        return link_id
    for other in catalogue.shared_with.get(link_id, ()):
        if other in progress:
            return other
    left = left_by_url(catalogue, progress)
    item = catalogue.by_id.get(link_id)
    if left and item is not None:
        return left.get(url_key(item.link.url), link_id)
    return link_id


def _latest(progress: Progress, ids: list[str]) -> Status | None:
    entries = [e for i in ids if (e := progress.get(i)) is not None]
    if not entries:
        return None
    return max(entries, key=lambda e: e.changed_at or _EPOCH).status


def orphans(catalogue: Catalogue, progress: Progress) -> dict[str, Entry]:
    """Entries for ids that are no longer in the catalogue: kept, and reported.

    A personal link the reader removed is not reported: it left on purpose (its record
    stays, and `undo` brings it back).
    """
    gone = sorted(progress.keys() - catalogue.by_id.keys() - catalogue.aliases.keys())
    held = set(left_by_url(catalogue, progress).values())  # several guides: by its URL
    if held:
        gone = [k for k in gone if k not in held]
    return {
        k: e
        for k in gone
        if (e := progress.get(k)) is not None
        and not (any(ev.link is not None for ev in e.events) and replay(e.events).link == {})
    }


@dataclass(frozen=True)
class HistoryRow:
    """One event, for `history`: what changed on which link, and when."""

    at: datetime
    id: str
    title: str
    status: Status | None
    note: str | None = None
    undo: str | None = None  # the time of the change this event took back
    link: str | None = None  # a personal link "added", "edited" or "removed"

    def to_json(self) -> dict[str, str | None]:
        return {
            "at": iso(self.at),
            "id": self.id,
            "title": self.title,
            "status": self.status.value if self.status else None,
            "note": self.note,
            "undo": self.undo,
            "link": self.link,
        }


def history(progress: Progress) -> list[HistoryRow]:
    """Every change (marks, notes, personal links, undos), newest first."""
    rows = []
    for key, entry in progress.links.items():
        title = entry.title or key
        present = False
        for ev in sorted(entry.events, key=Event.order):
            kind = None
            if ev.link is not None:
                kind = ("edited" if present else "added") if ev.link else "removed"
                present = bool(ev.link)
            rows.append(HistoryRow(ev.when, key, title, ev.status, ev.note, ev.undo, kind))
    # Links changed by one command share a time; their order is then by id.
    rows.sort(key=lambda r: (r.at, r.id), reverse=True)
    return rows


def parse_since(text: str) -> datetime:
    """A --since value: a date (midnight, local time) or a date and time (local unless
    it says its zone), in ISO 8601: '2026-03-01', '2026-03-01 14:30', '2026-03-01T14:30Z'."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.astimezone()


def recent(
    rows: list[HistoryRow], limit: int | None = None, since: datetime | None = None
) -> list[HistoryRow]:
    """The newest `limit` rows, of those at or after `since` (rows come newest first)."""
    if since is not None:
        rows = [r for r in rows if r.at >= since]
    return rows[:limit] if limit is not None else rows
