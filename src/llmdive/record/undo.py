"""Taking back the reader's last change: a mark, a note, a personal link added or removed.

Nothing is erased. One command's changes share one event time (progress.json's events
say so); `undo` finds the latest change not yet taken back and appends, to each link it
touched, an event that restores what was there before, naming the change it undoes.
`history` shows both; run again, `undo` walks further back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmdive.errors import LlmdiveError
from llmdive.guide.meta import read_meta
from llmdive.home.lock import locked
from llmdive.home.paths import META_FILE
from llmdive.home.storage import exists
from llmdive.model.models import Event, at_key
from llmdive.record.events import backfill, bound_clock, new_stamp, replay, settle
from llmdive.record.personal import PersonalLink, dump_personal, load_personal
from llmdive.record.progress import fold_aliases, load_progress, save_record

if TYPE_CHECKING:
    from llmdive.model.models import Progress
    from llmdive.record.personal import PersonalLink


@dataclass(frozen=True)
class Restored:
    """One field of one link put back: `before` is what the undone change had made it."""

    id: str
    title: str
    # "status", "note", "estimate" (seconds) or "link" (added/edited/removed/restored)
    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Undone:
    change_at: str  # the time of the change taken back
    at: str  # the time of the undo
    restored: list[Restored]
    personal: list[PersonalLink] | None  # personal.json's links after the undo, if it changes


def last_change(
    progress: Progress, when: datetime | None = None, floor: str | None = None
) -> tuple[str, list[tuple[str, Event]]] | None:
    """The latest change not yet undone: its time, and each (link id, event) it made.

    A new change is stamped after every event in the record (progress.new_stamp), so the
    latest is the change just made, whatever times a skewed clock left there. Changes
    at or before `floor` (an at_key: the record as a guide change found it) are out of reach.
    """
    undone: set[str] = set()
    changes: dict[str, set[str]] = {}
    for key, at, undo in progress.event_marks():
        if undo is not None:
            undone.add(at_key(undo))
        else:
            changes.setdefault(at_key(at), set()).add(key)
    open_ = [k for k in changes if k not in undone and (floor is None or k > floor)]
    if not open_:
        return None
    latest = max(open_)
    events = [
        (key, event)
        for key in sorted(changes[latest])
        for event in progress.entry(key).events
        if event.undo is None and at_key(event.at) == latest
    ]
    return events[0][1].at, events


def undo_last(
    progress: Progress,
    personal: list[PersonalLink],
    when: datetime | None = None,
    floor: str | None = None,
) -> Undone | None:
    """Take back the latest change still standing (after `floor`, see last_change); None
    when there is nothing left to undo."""
    bound_clock(progress, when)  # a change stamped years ahead is not the latest for good
    found = last_change(progress, when, floor)
    if found is None:
        return None
    change_at, events = found
    entries = {key: progress.entry(key) for key, _ in events}
    stamp = new_stamp(progress, when)
    restored: list[Restored] = []
    links = list(personal)
    personal_changed = False
    for key, event in events:
        entry = entries[key]
        backfill(entry)
        now = replay(entry.events)
        cut = at_key(event.at)
        before = replay([e for e in entry.events if at_key(e.at) < cut])
        title = entry.title or key
        undo = Event(stamp, undo=event.at)
        if event.status is not None:
            undo.status = before.status
            restored.append(Restored(key, title, "status", now.status.value, before.status.value))
        if event.note is not None:
            undo.note = before.note or ""
            restored.append(Restored(key, title, "note", now.note, before.note))
        if event.link is not None:
            undo.link = dict(before.link or {})
            links = _put_link(links, key, undo.link)
            if undo.link:
                entry.title, entry.url = undo.link["title"], undo.link["url"]
            personal_changed = True
            restored.append(Restored(key, title, "link", *_link_words(now.link, undo.link)))
        if event.estimate is not None:
            undo.estimate = before.estimate or 0
            restored.append(
                Restored(key, title, "estimate", _seconds(now.estimate), _seconds(before.estimate))
            )
        entry.events.append(undo)
        settle(entry)
    progress.dirty = True
    return Undone(change_at, stamp, restored, links if personal_changed else None)


def last_guide_change(home: Path) -> tuple[dict[str, Any], str] | None:
    """The home's latest guide update or reset, and the at_key of the record as it found it.

    Updates recorded before `last_event` existed give their own time instead.
    """

    if not exists(home / META_FILE):
        return None
    updates = read_meta(home).updates
    if not updates:
        return None
    latest = updates[-1]
    return latest, at_key(latest.get("last_event") or latest["at"])


def _past_guide_change(update: dict[str, Any]) -> str:
    reset = update.get("source") == "bundled"
    what = "`llmdive guide reset`" if reset else "a guide update (`llmdive guide update`)"
    back = (
        "`llmdive guide update` brings an updated guide back"
        if reset
        else "`llmdive guide reset` goes back to the bundled guide"
    )
    when = datetime.fromisoformat(update["at"]).astimezone().strftime("%Y-%m-%d %H:%M")
    return (
        f"nothing to undo since {what} at {when}: undo takes back marks, notes and "
        f"your own links, not guide changes, and never reaches past one to an older change; "
        f"{back}"
    )


def _seconds(value: int | None) -> str | None:
    return None if value is None else str(value)


def _link_words(now: dict[str, Any] | None, restored: dict[str, Any]) -> tuple[str, str]:
    """What the undone change had done to a personal link, and what the undo does."""
    if not now:
        return "removed", "restored"
    return ("edited", "restored") if restored else ("added", "removed")


def _put_link(links: list[PersonalLink], key: str, fields: dict[str, str]) -> list[PersonalLink]:
    """The personal links with `key` as `fields` say: restored in place, or removed."""

    rest = [p for p in links if p.link.id != key]
    if not fields:
        return rest
    restored = PersonalLink.from_dict({"id": key, **fields})
    at = next((i for i, p in enumerate(links) if p.link.id == key), len(rest))
    return [*rest[:at], restored, *rest[at:]]


def undo(
    home: Path, when: datetime | None = None, aliases: Mapping[str, str] | None = None
) -> Undone | None:
    """Undo the last change in the llmdive home `home`, under its lock, both files at once.

    Entries under a link's old id (`aliases`) are moved to its id first. A guide update
    or reset is not undone, and undo never reaches past one to an older change: that is
    refused in words (the guide's own commands undo a guide change).
    """

    if not home.is_dir():
        return None  # no home, nothing recorded: taking the lock would make one
    with locked(home):
        progress = load_progress(home)
        fold_aliases(progress, aliases or {})
        guide = last_guide_change(home)
        floor = guide[1] if guide is not None else None
        result = undo_last(progress, load_personal(home), when, floor)
        if result is None and guide is not None and last_change(progress) is not None:
            raise LlmdiveError(_past_guide_change(guide[0]))
        if result is not None:
            personal = None if result.personal is None else dump_personal(result.personal)
            save_record(home, progress, None if personal is None else personal.encode())
    return result
