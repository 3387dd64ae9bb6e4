"""The data llmdive works on: the guide's catalogue and one reader's progress.

These are plain slotted dataclasses, so that every command can build them in
microseconds from the cache. The files they come from are validated first by the
strict pydantic schema in schema.py; `from_dict` takes that validated data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from llmdive.model.vocab import Difficulty, Status

__all__ = [
    "Difficulty",
    "Entry",
    "Event",
    "Guide",
    "Link",
    "Progress",
    "Related",
    "Status",
    "Topic",
]

SCHEMA_VERSION = 1
# Dict lookups: calling an Enum class is ~10x slower, and is done 10,000s of times per load.
_DIFFICULTY = {d.value: d for d in Difficulty}
_STATUS = {s.value: s for s in Status}


def iso(when: datetime) -> str:
    """UTC ISO 8601 with a Z, as stored in progress.json."""
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


# Bounds of an item's related links (checked by inputs.LinkSchema, kept by the importer).
MAX_RELATED = 32
MAX_RELATED_TITLE_CHARS = 200


@dataclass(slots=True, frozen=True)
class Related:
    """One of an item's other links (its code, pdf, video, slides): part of the item,
    not an item of its own."""

    title: str
    url: str

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Related:
        return cls(d["title"], d["url"])

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "url": self.url}


@dataclass(slots=True, eq=True)
class Link:
    id: str
    title: str
    url: str
    difficulty: Difficulty = Difficulty.UNRATED
    personal: bool = False
    # Ids the link had before (a long id shortened): they still name it, and progress
    # recorded under one of them is the link's.
    aliases: tuple[str, ...] = ()
    # The item's other links, in the order the guide gives them; a personal link has none.
    related: tuple[Related, ...] = ()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Link:
        r = d.get("related")
        return cls(
            d["id"],
            d["title"],
            d["url"],
            _DIFFICULTY[d["difficulty"]],
            d.get("personal", False),
            tuple(d.get("aliases", ())),
            tuple(Related(x["title"], x["url"]) for x in r) if r else (),
        )

    def to_dict(self) -> dict[str, Any]:
        """The link as validated data; `related` only when it has some (as in guide.toml),
        so that a cached guide of 10,000 links holds no 10,000 empty lists."""
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "difficulty": self.difficulty.value,
            "personal": self.personal,
            "aliases": list(self.aliases),
        }
        if self.related:
            out["related"] = [r.to_dict() for r in self.related]
        return out


@dataclass(slots=True, eq=True)
class Topic:
    """A heading of the guide: a top-level section (###) or a topic below one."""

    slug: str
    title: str
    description: str = ""
    tip: str = ""
    links: list[Link] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Topic:
        return cls(
            d["slug"],
            d["title"],
            d.get("description", ""),
            d.get("tip", ""),
            [Link.from_dict(x) for x in d.get("links", ())],
            [Topic.from_dict(x) for x in d.get("topics", ())],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "description": self.description,
            "tip": self.tip,
            "links": [k.to_dict() for k in self.links],
            "topics": [t.to_dict() for t in self.topics],
        }

    def walk(self, path: tuple[Topic, ...] = ()) -> Iterator[tuple[tuple[Topic, ...], Topic]]:
        """This topic and every topic below it, depth first, each with its path from the top."""
        here = (*path, self)
        yield here, self
        for child in self.topics:
            yield from child.walk(here)


@dataclass(slots=True, eq=True)
class Guide:
    title: str = "The LLM Deep Dive"
    sections: list[Topic] = field(default_factory=list)
    version: int = SCHEMA_VERSION

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Guide:
        sections = [Topic.from_dict(s) for s in d.get("sections", ())]
        return cls(d.get("title", "The LLM Deep Dive"), sections, d.get("version", SCHEMA_VERSION))

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "title": self.title,
            "sections": [s.to_dict() for s in self.sections],
        }

    def walk(self) -> Iterator[tuple[tuple[Topic, ...], Topic]]:
        for section in self.sections:
            yield from section.walk()


def at_key(at: str) -> str:
    """A sort key for a stored timestamp: one instant, one key, whatever its spelling.

    Stored times are UTC with a Z (microseconds only when not zero), but a file edited by
    hand may carry an offset; comparing the strings themselves would misorder them.
    """
    if at.endswith("Z"):
        if len(at) == 20:
            return at[:19] + ".000000"
        if len(at) == 27:
            return at[:26]
    return datetime.fromisoformat(at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


@dataclass(slots=True, eq=True)
class Event:
    """One change to one link's record, at one time; the entry's log is a list of these.

    An event carries one or more of:

    - `status`: the link's status from then on;
    - `note`: the link's note from then on (`""`: the note was removed);
    - `link`: for a personal link, its fields (title, url, difficulty, section, added)
      from then on; `{}`: the personal link was removed;
    - `estimate`: the link's duration as the reader set it, in seconds, from then on
      (`0`: the reader cleared it);
    - `undo`: the `at` of the change this event takes back; it then carries the
      restored `status`/`note`/`link`/`estimate` (whatever the undone change had changed).

    One command's changes share one `at`: that is how a change spanning several links
    (a whole section marked read) is recorded, and taken back whole by `undo`.
    """

    at: str  # UTC ISO 8601, as stored
    status: Status | None = None
    note: str | None = None
    undo: str | None = None
    link: dict[str, str] | None = None
    estimate: int | None = None

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.at)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        status = d.get("status")
        return cls(
            d["at"],
            None if status is None else _STATUS[status],
            d.get("note"),
            d.get("undo"),
            d.get("link"),
            d.get("estimate"),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"at": self.at}
        if self.link is not None:
            out["link"] = dict(self.link)
        if self.note is not None:
            out["note"] = self.note
        if self.status is not None:
            out["status"] = self.status.value
        if self.undo is not None:
            out["undo"] = self.undo
        if self.estimate is not None:
            out["estimate"] = self.estimate
        return out

    def order(self) -> tuple[str, int, str, str, str, str, int]:
        """Time order; events at the same instant in a fixed order (an undo after a change)."""
        return (
            at_key(self.at),
            self.undo is not None,
            self.undo or "",
            self.status or "",
            "" if self.note is None else "\0" + self.note,
            "" if self.link is None else repr(sorted(self.link.items())),
            -1 if self.estimate is None else self.estimate,
        )


@dataclass(slots=True, eq=True)
class Entry:
    """What one reader did with one link; kept even when the link leaves the guide.

    Timestamps stay ISO 8601 strings as stored (validated and normalised to UTC on the
    way in), so that reading and writing 10,000 entries parses no dates.
    """

    status: Status = Status.UNREAD
    changed: str | None = None
    title: str | None = None
    url: str | None = None
    note: str | None = None
    noted: str | None = None
    events: list[Event] = field(default_factory=list)
    estimate: int | None = None  # seconds, as the reader set it (`llmdive estimate`)

    @property
    def changed_at(self) -> datetime | None:
        return datetime.fromisoformat(self.changed) if self.changed else None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Entry:
        get = d.get
        return cls(
            _STATUS[get("status", "unread")],
            get("changed"),
            get("title"),
            get("url"),
            get("note"),
            get("noted"),
            [Event.from_dict(e) for e in get("events", ())],
            get("estimate"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Only what differs from the defaults: an unread link with no note stores little."""
        out: dict[str, Any] = {}
        if self.status is not Status.UNREAD:
            out["status"] = self.status.value
        if self.changed is not None:
            out["changed"] = self.changed
        if self.title is not None:
            out["title"] = self.title
        if self.url is not None:
            out["url"] = self.url
        if self.note is not None:
            out["note"] = self.note
        if self.noted is not None:
            out["noted"] = self.noted
        if self.events:
            out["events"] = [e.to_dict() for e in self.events]
        if self.estimate is not None:
            out["estimate"] = self.estimate
        return out


class Progress:
    """One reader's entries, by link id.

    Entries stay in their stored form (validated plain dicts) until one is asked for:
    a command at 10,000 entries usually needs only their statuses, and building 20,000
    objects it does not use would double its time.
    """

    __slots__ = ("_entries", "_stored", "dirty", "version")

    def __init__(
        self,
        links: dict[str, Entry] | None = None,
        version: int = SCHEMA_VERSION,
        stored: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self._entries: dict[str, Entry] = dict(links or {})
        self._stored: dict[str, dict[str, Any]] = dict(stored or {})
        self.version = version
        # Set by whatever changes the progress, so that an unchanged file is not rewritten.
        self.dirty = False

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Progress:
        links = d.get("links", {})
        if not isinstance(links, dict):
            raise TypeError("links must be an object")
        return cls(version=d.get("version", SCHEMA_VERSION), stored=links)

    def to_dict(self) -> dict[str, Any]:
        links = dict(self._stored)
        links.update((k, e.to_dict()) for k, e in self._entries.items())
        return {"version": self.version, "links": links}

    def keys(self) -> set[str]:
        return self._stored.keys() | self._entries.keys()

    def __len__(self) -> int:
        return len(self._entries) + len(self._stored)

    def __contains__(self, key: object) -> bool:
        """Is there an entry under `key`?"""
        return key in self._entries or key in self._stored

    def status(self, key: str) -> Status:
        entry = self._entries.get(key)
        if entry is not None:
            return entry.status
        stored = self._stored.get(key)
        return _STATUS[stored.get("status", "unread")] if stored else Status.UNREAD

    def value(self, key: str, name: str) -> Any:
        """One stored field of an entry ("changed", "note", ...), without building the entry."""
        entry = self._entries.get(key)
        if entry is not None:
            return getattr(entry, name)
        stored = self._stored.get(key)
        return stored.get(name) if stored else None

    def holds(self, name: str) -> bool:
        """Does some entry have a value for field `name` ("estimate", ...)? Without
        building the entries."""
        if any(getattr(e, name) is not None for e in self._entries.values()):
            return True
        return any(d.get(name) is not None for d in self._stored.values())

    def get(self, key: str) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None and key in self._stored:
            entry = self._entries[key] = Entry.from_dict(self._stored.pop(key))
        return entry

    def event_marks(self) -> Iterator[tuple[str, str, str | None]]:
        """(link id, at, undo) of every event, without building the entries."""
        for key, entry in self._entries.items():
            for event in entry.events:
                yield key, event.at, event.undo
        for key, stored in self._stored.items():
            for raw in stored.get("events", ()):
                yield key, raw["at"], raw.get("undo")

    def pop(self, key: str) -> Entry | None:
        """Take `key`'s entry out (None if there is none)."""
        entry = self.get(key)
        self._entries.pop(key, None)
        return entry

    def put(self, key: str, entry: Entry) -> None:
        self._stored.pop(key, None)
        self._entries[key] = entry

    def entry(self, key: str) -> Entry:
        """The entry for `key`, made if there is none yet, ready to be changed."""
        return self.get(key) or self._entries.setdefault(key, Entry())

    def notes(self) -> dict[str, str]:
        """Every note, by link id, without building the entries."""
        found = {k: e.note for k, e in self._entries.items() if e.note}
        found.update((k, n) for k, d in self._stored.items() if (n := d.get("note")))
        return found

    @property
    def links(self) -> dict[str, Entry]:
        """Every entry, built from its stored form."""
        for key in list(self._stored):
            self.get(key)
        return self._entries

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Progress) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"Progress({len(self)} entries)"
