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

from llmdive.vocab import Difficulty, Status

__all__ = ["Difficulty", "Entry", "Event", "Guide", "Link", "Progress", "Status", "Topic"]

SCHEMA_VERSION = 1


def iso(when: datetime) -> str:
    """UTC ISO 8601 with a Z, as stored in progress.json."""
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(slots=True, eq=True)
class Link:
    id: str
    title: str
    url: str
    difficulty: Difficulty = Difficulty.UNRATED
    personal: bool = False

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Link:
        return cls(d["id"], d["title"], d["url"], Difficulty(d["difficulty"]),
                   d.get("personal", False))  # fmt: skip


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
            "links": [
                {"id": k.id, "title": k.title, "url": k.url, "difficulty": k.difficulty.value,
                 "personal": k.personal}
                for k in self.links
            ],
            "topics": [t.to_dict() for t in self.topics],
        }  # fmt: skip

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


@dataclass(slots=True, eq=True)
class Event:
    at: str  # UTC ISO 8601, as stored
    status: Status

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.at)


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

    @property
    def changed_at(self) -> datetime | None:
        return datetime.fromisoformat(self.changed) if self.changed else None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Entry:
        return cls(
            Status(d.get("status", "unread")),
            d.get("changed"),
            d.get("title"),
            d.get("url"),
            d.get("note"),
            d.get("noted"),
            [Event(e["at"], Status(e["status"])) for e in d.get("events", ())],
        )

    def to_dict(self) -> dict[str, Any]:
        """Only what differs from the defaults: an unread link with no note stores little."""
        out: dict[str, Any] = {}
        if self.status is not Status.UNREAD:
            out["status"] = self.status.value
        for key in ("changed", "title", "url", "note", "noted"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.events:
            out["events"] = [{"at": e.at, "status": e.status.value} for e in self.events]
        return out


@dataclass(slots=True, eq=True)
class Progress:
    links: dict[str, Entry] = field(default_factory=dict)
    version: int = SCHEMA_VERSION
    # Set by whatever changes the progress, so that an unchanged file is not rewritten.
    dirty: bool = field(default=False, compare=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Progress:
        links = {k: Entry.from_dict(v) for k, v in d.get("links", {}).items()}
        return cls(links, d.get("version", SCHEMA_VERSION))

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "links": {k: e.to_dict() for k, e in self.links.items()}}
