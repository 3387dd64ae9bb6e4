"""One reader's progress: where it lives, reading and writing it safely, changing it.

progress.json is versioned, written atomically under an exclusive lock, and never
"repaired": a file llmdive cannot read is reported and left exactly as it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from llmdive import cache
from llmdive.errors import LlmdiveError
from llmdive.models import SCHEMA_VERSION, Entry, Event, Progress, Status, at_key, iso

if TYPE_CHECKING:
    from llmdive.catalogue import Catalogue, Item
    from llmdive.personal import PersonalLink

PROGRESS_FILE = "progress.json"
LOCK_TIMEOUT_S = 15.0
T = TypeVar("T")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def progress_file(home: Path) -> Path:
    return home / PROGRESS_FILE


def now() -> datetime:
    # Microseconds keep `history` in the order things happened, even within one second.
    return datetime.now(UTC)


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
    from llmdive.schema import first_problem, load_json, validate_progress

    try:
        raw = load_json(data, path, _untouched(path))
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
    from llmdive.storage import read_bytes

    path = progress_file(home)
    try:
        data = read_bytes(path)
    except FileNotFoundError:
        return Progress()
    except OSError as exc:
        raise LlmdiveError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    key = cache.digest(data)
    record = cache.read("progress", path, key)
    if record is not None:
        try:
            return Progress.from_dict(record)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # a damaged cache entry: read the file itself
    progress = parse_progress(data, path)
    cache.write("progress", path, key, progress.to_dict())
    return progress


def dump_progress(progress: Progress) -> str:
    """progress.json's text: sorted keys, one field a line: it diffs and merges well in git."""
    return pretty_json(progress.to_dict())


def json_bytes(value: object) -> bytes:
    """UTF-8 JSON with sorted keys, indented by two spaces, and a final newline.

    Exactly the bytes of json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    + "\n" (tested), from orjson: the standard library indents in pure Python, which was
    most of the time of a write at 10,000 entries (bench/encoders.py measures both).
    """
    import orjson

    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    except orjson.JSONEncodeError:
        # Text that is not Unicode (a lone surrogate, read from a file) has no UTF-8:
        # \u escapes keep it exactly, rather than refusing to save anything.
        return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode()


def pretty_json(value: object) -> str:
    """json_bytes as text."""
    return json_bytes(value).decode()


def save_progress(home: Path, progress: Progress) -> None:
    save_record(home, progress)


def check_fits(files: Mapping[Path, bytes | None], limit: int | None = None) -> None:
    """Refuse to write a home file that llmdive could not read back (over its size limit).

    Every write checks what it would leave, as a merge does, so that no ordinary command
    can lock the reader out of the home: nothing is written then.
    """
    from llmdive.infile import RECORD_MAX_BYTES

    limit = RECORD_MAX_BYTES if limit is None else limit
    for path, data in files.items():
        if data is not None and len(data) > limit:
            size = f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit:,} bytes"
            raise LlmdiveError(
                f"{path.name} would grow past {size}, more than llmdive reads back, so "
                "nothing was written: the record is full (`llmdive progress export -o FILE` "
                "keeps a copy of it)"
            )


def save_record(
    home: Path,
    progress: Progress,
    personal: list[PersonalLink] | None = None,
    limit: int | None = None,
) -> None:
    """Write progress.json, and personal.json when given: both or neither (storage.write_all).

    `limit`: the largest file written (default infile.RECORD_MAX_BYTES, what is read back).
    """
    from llmdive import storage

    data = progress.to_dict()
    text = json_bytes(data)
    path = progress_file(home)
    if personal is None:
        check_fits({path: text}, limit)
        storage.atomic_write(path, text)
    else:
        from llmdive.personal import dump_personal, personal_file

        files: dict[Path, bytes | None] = {
            path: text,
            personal_file(home): dump_personal(personal).encode(),
        }
        check_fits(files, limit)
        storage.write_all(files)
    progress.dirty = False
    # What was just written is known to be valid: later reads need not validate it again.
    cache.write("progress", path, cache.digest(text), data)


LOCK_FILE = f"{PROGRESS_FILE}.lock"


@contextmanager
def locked(home: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the lock on the llmdive home: every read-modify-write of its files takes it.

    Taking it first finishes any multi-file change a killed llmdive left half applied.
    """
    from filelock import FileLock, Timeout

    from llmdive.storage import PRIVATE, make_home, recover

    path = home / LOCK_FILE
    try:
        make_home(home)
    except OSError as exc:
        raise LlmdiveError(f"cannot write in {home}: {exc.strerror or exc}") from exc
    lock = FileLock(str(path), timeout=timeout, mode=PRIVATE)
    try:
        lock.acquire()
    except Timeout:
        raise LlmdiveError(
            f"{path} is held by another llmdive for over {timeout:g}s; try again"
        ) from None
    except OSError as exc:
        raise LlmdiveError(f"cannot lock {path}: {exc.strerror or exc}") from exc
    try:
        recover(home)
        yield
    finally:
        lock.release()


def fold_aliases(progress: Progress, aliases: Mapping[str, str]) -> list[str]:
    """Move entries kept under a link's old id (an alias) to its id; the keys moved.

    When both keys have an entry, the two are merged as a merge of two machines' records
    merges them (merge.merge_entries: both event histories, nothing lost). Marks
    `progress` dirty when anything moved, so that the next write stores it moved.
    """
    moved = sorted(progress.keys() & aliases.keys())
    if not moved:
        return moved
    from llmdive.merge import merge_entries

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


@dataclass(frozen=True)
class Settled:
    """What a link's events say: its status and note, since when, and its personal fields."""

    status: Status = Status.UNREAD
    changed: str | None = None
    note: str | None = None
    noted: str | None = None
    link: dict[str, str] | None = None  # None: no personal-link event; {}: removed


def replay(events: Iterable[Event]) -> Settled:
    """The state a link's events leave it in: the latest event wins, in Event.order.

    An undo event restores the state from before the change it takes back, timestamps
    included: undoing a mistaken mark leaves the link as it was, `since` and all.
    """
    state = Settled()
    before: dict[str, Settled] = {}  # instant -> the state just before its first event
    for event in sorted(events, key=Event.order):
        before.setdefault(at_key(event.at), state)
        prior = before.get(at_key(event.undo)) if event.undo is not None else None
        status, changed, note, noted, link = (
            state.status, state.changed, state.note, state.noted, state.link
        )  # fmt: skip
        if event.status is not None:
            status = event.status
            same = prior is not None and prior.status is status
            changed = prior.changed if same and prior is not None else event.at
        if event.note is not None:
            note = event.note or None
            same = prior is not None and prior.note == note
            noted = prior.noted if same and prior is not None else (event.at if note else None)
        if event.link is not None:
            link = event.link
        state = Settled(status, changed, note, noted, link)
    return state


def settle(entry: Entry) -> None:
    """Make the entry's stored status and note what its events say."""
    state = replay(entry.events)
    entry.status, entry.changed = state.status, state.changed
    entry.note, entry.noted = state.note, state.noted


_EPOCH_AT = "1970-01-01T00:00:00Z"


def backfill(entry: Entry) -> None:
    """Give a status or note older files hold without an event one, before adding events.

    Files written before notes were events (or edited by hand) carry a note, or a status,
    that no event says; the event that made it is written in first, at its own time, so
    that what the events say stays what the file said.
    """
    events = entry.events
    if entry.status is not Status.UNREAD and all(e.status is None for e in events):
        events.insert(0, Event(entry.changed or _EPOCH_AT, status=entry.status))
    if entry.note and all(e.note is None for e in events):
        events.insert(0, Event(entry.noted or _EPOCH_AT, note=entry.note))


# A clock this far ahead of ours is not skew but a wrong time (a hand edit, a broken clock):
# `doctor` names such changes; they are still ordered like any other (see new_stamp).
FUTURE_LIMIT = timedelta(days=1)


# A time this far ahead is no clock's, however skewed: it is brought back to now
# (clamp_future) so that the clock's drift stays bounded. Clocks days apart keep their
# stamps: a change made after syncing wins on both machines (tests/test_records.py).
CLAMP_LIMIT = timedelta(days=365)


def future_cutoff(when: datetime | None = None) -> str:
    """The at_key beyond which a stored time is implausibly in the future."""
    return at_key(iso((when or now()) + FUTURE_LIMIT))


def latest_stamp(progress: Progress) -> str | None:
    """The time of the record's latest event (as stored), or None when it has none."""
    latest: tuple[str, str] | None = None
    for _, at, _ in progress.event_marks():
        key = at_key(at)
        if latest is None or key > latest[0]:
            latest = (key, at)
    return latest[1] if latest is not None else None


def new_stamp(progress: Progress, when: datetime | None = None) -> str:
    """The time of a new change: now, but after every event already in the record.

    A hybrid logical clock: a change is ordered by its time (the latest event wins, and
    `undo` takes back the latest change), so a new one is stamped now or, when the record
    holds a later time (a clock set back, or events merged from a machine whose clock runs
    ahead), just after it. The clock's drift is bounded: a time more than CLAMP_LIMIT
    ahead of now (a hand edit, a broken clock) is first brought back to now
    (clamp_future), so what the reader does now always takes effect, at a sane time.
    """
    base = when or now()
    bound_clock(progress, base)
    latest = latest_stamp(progress)
    stamp = iso(base)
    if latest is not None and at_key(stamp) <= at_key(latest):
        stamp = iso(datetime.fromisoformat(latest) + timedelta(microseconds=1))
    return stamp


def bound_clock(progress: Progress, when: datetime | None = None) -> dict[str, str]:
    """clamp_future, when the record holds a time beyond now + FUTURE_LIMIT; else nothing."""
    latest = latest_stamp(progress)
    if latest is not None and at_key(latest) > at_key(iso((when or now()) + CLAMP_LIMIT)):
        return clamp_future(progress, when)
    return {}


def clamp_times(stamps: Iterable[str], when: datetime) -> dict[str, str]:
    """Each time beyond now + CLAMP_LIMIT, mapped to now (+1 µs per step, keeping their order)."""
    cutoff = at_key(iso(when + CLAMP_LIMIT))
    far = sorted({at for at in stamps if at_key(at) > cutoff}, key=at_key)
    return {at: iso(when + timedelta(microseconds=i)) for i, at in enumerate(far)}


def clamp_future(progress: Progress, when: datetime | None = None) -> dict[str, str]:
    """Bring every time implausibly in the future back to now; each link so changed, old time.

    A change stamped years ahead would otherwise come after every change made here, for
    good; brought back to now, it is ordered as if made now, and later changes follow it.
    """
    base = when or now()
    moved = clamp_times((at for _, at, _ in progress.event_marks()), base)
    out: dict[str, str] = {}
    if not moved:
        return out
    for key, entry in progress.links.items():
        if not any(e.at in moved or e.undo in moved for e in entry.events):
            continue
        backfill(entry)
        for event in entry.events:
            if event.at in moved:
                out[key] = max(out.get(key, event.at), event.at, key=at_key)
                event.at = moved[event.at]
            if event.undo is not None and event.undo in moved:
                event.undo = moved[event.undo]
        settle(entry)
    progress.dirty = True
    return out


def future_links(progress: Progress, when: datetime | None = None) -> dict[str, str]:
    """Each link with an event implausibly in the future, and its latest such time."""
    cutoff = future_cutoff(when)
    out: dict[str, str] = {}
    for key, at, _ in progress.event_marks():
        if at_key(at) > cutoff and (key not in out or at_key(at) > at_key(out[key])):
            out[key] = at
    return out


def marked_items(catalogue: Catalogue, ids: list[str], section: str | None) -> list[Item]:
    """The links a mark command names: its ids, then every link at or below `section`."""
    if not ids and section is None:
        raise LlmdiveError("name the links: give one or more IDs, or --section SECTION")
    items = catalogue.resolve_ids(ids) if ids else []
    if section is not None:
        seen = {i.link.id for i in items}
        items += [i for i in catalogue.items_under(catalogue.find_topic(section))
                  if i.link.id not in seen]  # fmt: skip
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
            entry = progress.entry(item.link.id)
            backfill(entry)
            entry.events.append(Event(at=stamp, status=status))
            entry.title, entry.url = item.link.title, item.link.url
            settle(entry)
        progress.dirty = True
    return [change for _, change in changes]


def set_note(progress: Progress, item: Item, text: str, when: datetime | None = None) -> bool:
    """Set (or, with "", remove) a link's note, as a note event; False if it was already so."""
    entry = progress.get(item.link.id)
    if (entry.note if entry else None) == (text or None):
        return False
    entry = progress.entry(item.link.id)
    backfill(entry)
    entry.events.append(Event(at=new_stamp(progress, when), note=text))
    entry.title, entry.url = item.link.title, item.link.url
    settle(entry)
    progress.dirty = True
    return True


def reading_states(catalogue: Catalogue, progress: Progress) -> dict[str, Status]:
    """Each catalogue link's status; links sharing a URL share the most recent one."""
    states = {key: progress.status(key) for key in catalogue.by_id.keys() & progress.keys()}
    for ids in catalogue.shared_urls:
        status = _latest(progress, ids)
        if status is not None:
            states.update(dict.fromkeys(ids, status))
    return states


def reading_state(catalogue: Catalogue, progress: Progress, link_id: str) -> Status:
    """One link's status, as reading_states would give it, without computing them all."""
    group = catalogue.shared_with.get(link_id)
    if group is None:
        return progress.status(link_id)
    return _latest(progress, group) or Status.UNREAD


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
