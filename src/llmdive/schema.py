"""The strict schema of the two files people may edit: guide.toml and progress.json.

Pydantic validates raw file data here and returns it as plain, normalised data for
models.py's `from_dict`. Only commands that read a file for the first time (a cache
miss) import this module, and with it pydantic.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from llmdive.errors import LlmdiveError
from llmdive.vocab import Difficulty, Status

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
HttpUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s/]+\S*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LinkSchema(_Strict):
    id: Slug
    title: Title
    url: HttpUrl
    difficulty: Difficulty = Difficulty.UNRATED
    personal: bool = False


class TopicSchema(_Strict):
    slug: Slug
    title: Title
    description: str = ""
    tip: str = ""
    links: list[LinkSchema] = Field(default_factory=list)
    topics: list[TopicSchema] = Field(default_factory=list)


class GuideSchema(_Strict):
    version: Literal[1] = 1
    title: str = "The LLM Deep Dive"
    sections: list[TopicSchema] = Field(default_factory=list)


class EventLinkSchema(_Strict):
    """A personal link's fields, as a change left them."""

    title: Title
    url: HttpUrl
    difficulty: Difficulty
    section: Slug
    added: datetime


class NoLinkSchema(_Strict):
    """`{}`: the change removed the personal link."""


class EventSchema(_Strict):
    """One change: at least one of status, note, link (an undo carries what it restored)."""

    at: datetime
    status: Status | None = None
    note: str | None = None
    undo: datetime | None = None
    link: EventLinkSchema | NoLinkSchema | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> EventSchema:
        if self.status is None and self.note is None and self.link is None:
            raise ValueError("an event needs a status, a note or a link")
        return self


class EntrySchema(_Strict):
    status: Status = Status.UNREAD
    changed: datetime | None = None
    title: str | None = None
    url: str | None = None
    note: str | None = None
    noted: datetime | None = None
    events: list[EventSchema] = Field(default_factory=list)


class ProgressSchema(_Strict):
    version: Literal[1] = 1
    links: dict[str, EntrySchema] = Field(default_factory=dict)


def _describe(loc: Sequence[int | str], raw: Any) -> str:
    """'sections[5] (FineTuning).links[1] (lora-explained).difficulty' from a pydantic loc."""
    out: list[str] = []
    node = raw
    for part in loc:
        if isinstance(part, int) and out:
            out[-1] += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict):
                name = node.get("id") or node.get("title")
                if isinstance(name, str):
                    out[-1] += f" ({name})"
        else:
            out.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(out) or "top level"


def _message(err: Any) -> str:
    kind = err["type"]
    if kind == "enum":
        return "must be one of " + str(err["ctx"]["expected"])
    if kind == "extra_forbidden":
        return "unknown key (a typo?)"
    if kind == "string_pattern_mismatch":
        field = err["loc"][-1] if err["loc"] else ""
        what = {"url": "an http(s) URL", "id": "a valid id", "slug": "a valid slug"}.get(str(field))
        if what:
            hint = "" if field == "url" else " (lowercase letters, digits, dashes)"
            return f"{err['input']!r} is not {what}{hint}"
    return str(err["msg"])


def problems(path: Path, raw: Any, error: ValidationError) -> list[str]:
    """One line per validation error, naming the file and the place in it."""
    return [f"{path}: {_describe(e['loc'], raw)}: {_message(e)}" for e in error.errors()]


def validate_guide(raw: Any, path: Path) -> dict[str, Any]:
    """guide.toml data, checked and normalised; every problem is reported, one line each."""
    try:
        return GuideSchema.model_validate(raw).model_dump(mode="json")
    except ValidationError as exc:
        raise LlmdiveError("\n".join(problems(path, raw, exc))) from None


def validate_progress(raw: Any) -> dict[str, Any]:
    """progress.json data, checked and normalised; raises ValidationError."""
    progress = ProgressSchema.model_validate(raw)
    links = {
        key: entry.model_dump(mode="json", exclude_defaults=True)
        for key, entry in progress.links.items()
    }
    return {"version": progress.version, "links": links}


class UpdateSchema(_Strict):
    at: datetime
    source: str
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)


class MetaSchema(_Strict):
    """guide-meta.json: where the active catalogue came from, and each update's changes."""

    version: Literal[1] = 1
    source: str
    updated: datetime | None = None
    updates: list[UpdateSchema] = Field(default_factory=list)
    # The last download, for a conditional request next time.
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None


class PersonalLinkSchema(LinkSchema):
    section: Slug
    added: datetime


class PersonalSchema(_Strict):
    """personal.json: the reader's own links."""

    version: Literal[1] = 1
    links: list[PersonalLinkSchema] = Field(default_factory=list)
