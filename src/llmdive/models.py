"""The data llmdive works on: the guide's catalogue and one reader's progress.

Both are files people may edit by hand, so the models are strict: unknown keys
are refused and closed sets are enums.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from llmdive.vocab import Difficulty, Status

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
__all__ = ["Difficulty", "Entry", "Event", "Guide", "Link", "Progress", "Status", "Topic"]

HttpUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s/]+\S*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Link(_Strict):
    id: Slug
    title: Title
    url: HttpUrl
    difficulty: Difficulty = Difficulty.UNRATED
    personal: bool = False


class Topic(_Strict):
    """A heading of the guide: a top-level section (###) or a topic below one."""

    slug: Slug
    title: Title
    description: str = ""
    tip: str = ""
    links: list[Link] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)

    def walk(self, path: tuple[Topic, ...] = ()) -> Iterator[tuple[tuple[Topic, ...], Topic]]:
        """This topic and every topic below it, depth first, each with its path from the top."""
        here = (*path, self)
        yield here, self
        for child in self.topics:
            yield from child.walk(here)

    def count_links(self) -> int:
        return len(self.links) + sum(t.count_links() for t in self.topics)


class Guide(_Strict):
    version: Literal[1] = 1
    title: str = "The LLM Deep Dive"
    sections: list[Topic] = Field(default_factory=list)

    def walk(self) -> Iterator[tuple[tuple[Topic, ...], Topic]]:
        for section in self.sections:
            yield from section.walk()


class Event(_Strict):
    at: datetime
    status: Status


class Entry(_Strict):
    """What one reader did with one link; kept even when the link leaves the guide."""

    status: Status = Status.UNREAD
    changed: datetime | None = None
    title: str | None = None
    url: str | None = None
    note: str | None = None
    noted: datetime | None = None
    events: list[Event] = Field(default_factory=list)


class Progress(_Strict):
    version: Literal[1] = 1
    links: dict[str, Entry] = Field(default_factory=dict)
