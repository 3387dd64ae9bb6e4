"""The event log of a link: what each change records, how events replay to a state,
stamps that order new changes after every known one, and the merge of two histories.

The Event and Entry classes are in model/models.py; progress.py stores them, undo.py
adds events that take changes back, merge.py merges whole records with merge_entries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from llmdive.model.models import Entry, Event, Progress, Status, at_key, iso

Doc = dict[str, Any]
_MIN_TIME = datetime(1, 1, 1, tzinfo=UTC)


def now() -> datetime:
    # Microseconds keep `history` in the order things happened, even within one second.
    return datetime.now(UTC)


# ---------------------------------------------------------------- replay and stamps


@dataclass(frozen=True)
class Settled:
    """What a link's events say: its status and note, since when, and its personal fields."""

    status: Status = Status.UNREAD
    changed: str | None = None
    note: str | None = None
    noted: str | None = None
    link: dict[str, str] | None = None  # None: no personal-link event; {}: removed
    estimate: int | None = None  # seconds, as the reader set it


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
        status, changed, note, noted, link, estimate = (
            state.status,
            state.changed,
            state.note,
            state.noted,
            state.link,
            state.estimate,
        )
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
        if event.estimate is not None:
            estimate = event.estimate or None
        state = Settled(status, changed, note, noted, link, estimate)
    return state


def settle(entry: Entry) -> None:
    """Make the entry's stored status and note what its events say."""
    state = replay(entry.events)
    entry.status, entry.changed = state.status, state.changed
    entry.note, entry.noted = state.note, state.noted
    entry.estimate = state.estimate


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


# A time this far ahead is no clock's, however skewed: it is brought back to now
# (clamp_future) so that the clock's drift stays bounded. Clocks days apart keep their
# stamps: a change made after syncing wins on both machines (tests/record/test_records.py).
CLAMP_LIMIT = timedelta(days=365)


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
    """clamp_future, when the record holds a time beyond now + CLAMP_LIMIT; else nothing."""
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


# ---------------------------------------------------------------- events and entries


def instant(at: str | None) -> datetime:
    """An event time as a datetime (naive times are UTC; none is the earliest)."""
    if not at:
        return _MIN_TIME
    when = datetime.fromisoformat(at)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def canonical_json(value: Any) -> str:
    """One text for equal JSON values: how events are told apart in a merge."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def implied_events(entry: Mapping[str, Any]) -> list[Event]:
    """The entry's events, plus one for a stored status or note no event accounts for.

    Files written before notes were events hold a note with only its time (`noted`);
    a hand-edited file may hold a status with no event. Both become events here
    (progress.backfill, as any change to the entry would), so that a merge keeps them.
    """
    entry_obj = Entry.from_dict(dict(entry))
    backfill(entry_obj)
    return entry_obj.events


def _latest(events: Iterable[Event]) -> str:
    return max((at_key(e.at) for e in events), default="")


def merge_entries(a: Mapping[str, Any], b: Mapping[str, Any]) -> Doc:
    """One link's entry from two: both histories, and the state their union says."""
    sides = [(a, implied_events(a)), (b, implied_events(b))]
    seen: dict[str, Event] = {}
    for _, side_events in sides:
        for e in side_events:
            seen.setdefault(canonical_json(e.to_dict()), e)
    events = sorted(seen.values(), key=Event.order)
    state = replay(events)
    # The link's title and URL as last recorded: from the side with the newest event.
    newest = max(
        sides, key=lambda s: (_latest(s[1]), s[0].get("title") or "", s[0].get("url") or "")
    )[0]
    out: Doc = {}
    if state.status is not Status.UNREAD:
        out["status"] = state.status.value
    if state.changed is not None:
        out["changed"] = state.changed
    for key in ("title", "url"):
        if newest.get(key) is not None:
            out[key] = newest[key]
    if state.note is not None:
        out["note"] = state.note
    if state.noted is not None:
        out["noted"] = state.noted
    if events:
        out["events"] = [e.to_dict() for e in events]
    if state.estimate is not None:
        out["estimate"] = state.estimate
    return out
