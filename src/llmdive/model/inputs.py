"""The strict schema of the two files people may edit: guide.toml and progress.json.

Pydantic validates raw file data here and returns it as plain, normalised data for
models.py's `from_dict`. Only commands that read a file for the first time (a cache
miss) import this module, and with it pydantic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from llmdive.errors import LlmdiveError
from llmdive.model.models import MAX_RELATED, MAX_RELATED_TITLE_CHARS
from llmdive.model.urls import UrlError, check_link_url, shorten
from llmdive.model.vocab import RESERVED_GUIDE_NAMES, Difficulty, Status

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_SLUG_CHARS = 80


# Searched in C: every title and description of a 10,000-link guide passes here.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _unicode(value: str) -> str:
    # JSON can spell a lone surrogate ("\ud800"); no UTF-8 file or terminal can hold one.
    if value.isascii():
        return value
    found = _SURROGATE.search(value)
    if found:
        raise ValueError(f"holds a lone surrogate (U+{ord(found.group()):04X}), which is not text")
    return value


def _url(value: str) -> str:
    try:
        return check_link_url(value)
    except UrlError as exc:
        raise ValueError(f"{shorten(value)!r} {exc}") from None


def _utc(value: str) -> str:
    """A timestamp as stored: ISO 8601 with a zone, normalised to UTC with a Z.

    A time without a zone is refused rather than guessed (local time? UTC?): the
    message says how to write it.
    """
    from datetime import UTC, datetime

    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{shorten(value)!r} is not an ISO 8601 time") from None
    if when.utcoffset() is None:
        raise ValueError(
            f"{shorten(value)!r} has no time zone: write it in UTC with a Z, "
            "like 2024-05-01T12:00:00Z"
        )
    try:
        return when.astimezone(UTC).isoformat().replace("+00:00", "Z")
    except OverflowError:
        raise ValueError(f"{shorten(value)!r} is out of range") from None


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):  # JSON's true is not the number 1
        raise ValueError("Input should be 1")
    return value


Text = Annotated[str, AfterValidator(_unicode)]
Version = Annotated[Literal[1], BeforeValidator(_not_bool)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=MAX_SLUG_CHARS)]
# A heading of any followed guide: its slug, qualified `guide/slug` where it clashed.
QUALIFIED_SLUG_PATTERN = r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*/)?[a-z0-9]+(?:-[a-z0-9]+)*$"
SectionSlug = Annotated[
    str, StringConstraints(pattern=QUALIFIED_SLUG_PATTERN, max_length=MAX_SLUG_CHARS + 41)
]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_unicode)
]
HttpUrl = Annotated[str, AfterValidator(_url)]
Timestamp = Annotated[str, AfterValidator(_utc)]
Key = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_unicode)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


RelatedTitle = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_RELATED_TITLE_CHARS),
    AfterValidator(_unicode),
]


class RelatedSchema(_Strict):
    """One of an item's other links (code, pdf, video): its URL checked like a link's."""

    title: RelatedTitle
    url: HttpUrl


class LinkSchema(_Strict):
    id: Slug
    title: Title
    url: HttpUrl
    difficulty: Difficulty = Difficulty.UNRATED
    personal: bool = False
    aliases: list[Slug] = Field(default_factory=list, max_length=20)
    related: list[RelatedSchema] = Field(default_factory=list, max_length=MAX_RELATED)


class TopicSchema(_Strict):
    slug: Slug
    title: Title
    description: Text = ""
    tip: Text = ""
    links: list[LinkSchema] = Field(default_factory=list)
    topics: list[TopicSchema] = Field(default_factory=list)


class GuideSchema(_Strict):
    version: Version = 1
    title: Text = "The LLM Deep Dive"
    sections: list[TopicSchema] = Field(default_factory=list)


class EventLinkSchema(_Strict):
    """A personal link's fields, as a change left them."""

    title: Title
    url: HttpUrl
    difficulty: Difficulty
    section: SectionSlug
    added: Timestamp


class NoLinkSchema(_Strict):
    """`{}`: the change removed the personal link."""


class EventSchema(_Strict):
    """One change: at least one of status, note, link (an undo carries what it restored)."""

    at: Timestamp
    status: Status | None = None
    note: Text | None = None
    undo: Timestamp | None = None
    link: EventLinkSchema | NoLinkSchema | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> EventSchema:
        if self.status is None and self.note is None and self.link is None:
            raise ValueError("an event needs a status, a note or a link")
        return self


class EntrySchema(_Strict):
    status: Status = Status.UNREAD
    changed: Timestamp | None = None
    title: Text | None = None
    # Kept as it was recorded, not checked: it only helps find a link that left the guide.
    url: Text | None = None
    note: Text | None = None
    noted: Timestamp | None = None
    events: list[EventSchema] = Field(default_factory=list)


class ProgressSchema(_Strict):
    version: Version = 1
    links: dict[Key, EntrySchema] = Field(default_factory=dict)


MAX_PROBLEMS = 20  # lines of one report; more are counted, not listed


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
                    out[-1] += f" ({shorten(name, 40)})"
        else:
            out.append(shorten(str(part), 40))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(out) or "top level"


def _message(err: Any) -> str:
    kind = err["type"]
    if tuple(err["loc"]) == ("version",):  # 2, 1.5, "1", true, a number of 40 digits
        return "not a format version llmdive knows (this one reads 1)"
    if kind == "enum":
        return "must be one of " + str(err["ctx"]["expected"])
    if kind == "extra_forbidden":
        return "unknown key (a typo?)"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    if kind == "string_pattern_mismatch":
        field = err["loc"][-1] if err["loc"] else ""
        what = {"id": "a valid id", "slug": "a valid slug"}.get(str(field))
        if what:
            return (
                f"{shorten(str(err['input']))!r} is not {what} (lowercase letters, digits, dashes)"
            )
    return shorten(str(err["msg"]), 200)


def problems(path: Path, raw: Any, error: ValidationError) -> list[str]:
    """One line per validation error (at most MAX_PROBLEMS), naming the file and the place."""
    errors = error.errors()
    lines = [f"{path}: {_describe(e['loc'], raw)}: {_message(e)}" for e in errors[:MAX_PROBLEMS]]
    if len(errors) > MAX_PROBLEMS:
        lines.append(f"{path}: and {len(errors) - MAX_PROBLEMS} more problems")
    return lines


def first_problem(raw: Any, error: ValidationError) -> str:
    """The first validation error as 'place: what is wrong (and N more problems)'."""
    if not isinstance(raw, dict):
        return "the top level must be an object"
    first = error.errors()[0]
    more = error.error_count() - 1
    extra = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{_describe(first['loc'], raw)}: {_message(first)}{extra}"


MAX_DEPTH = 8  # headings below a section; the guide's README format has room for 3


def _too_deep(raw: Any) -> str | None:
    """The place of a topic nested deeper than MAX_DEPTH, found without recursion."""
    stack = [(t, f"sections[{i}]", 0) for i, t in enumerate(_list(raw, "sections"))]
    while stack:
        node, place, depth = stack.pop()
        if depth > MAX_DEPTH:
            return place
        children = _list(node, "topics")
        stack.extend((t, f"{place}.topics[{i}]", depth + 1) for i, t in enumerate(children))
    return None


def _list(node: Any, key: str) -> list[Any]:
    value = node.get(key) if isinstance(node, dict) else None
    return value if isinstance(value, list) else []


def validate_guide(raw: Any, path: Path) -> dict[str, Any]:
    """guide.toml data, checked and normalised; every problem is reported, one line each."""
    deep = _too_deep(raw)
    if deep:
        raise LlmdiveError(
            f"{path}: {shorten(deep, 120)}: topics nested more than {MAX_DEPTH} deep"
        )
    try:
        data = GuideSchema.model_validate(raw).model_dump(mode="json")
    except ValidationError as exc:
        raise LlmdiveError("\n".join(problems(path, raw, exc))) from None
    _drop_empty_related(data)
    return data


def _drop_empty_related(data: dict[str, Any]) -> None:
    """A link's `related` only when it has some, as models.Link.to_dict writes it."""
    stack = list(data["sections"])
    while stack:
        topic = stack.pop()
        for link in topic["links"]:
            if not link["related"]:
                del link["related"]
        stack.extend(topic["topics"])


def validate_progress(raw: Any) -> dict[str, Any]:
    """progress.json data, checked and normalised; raises ValidationError."""
    progress = ProgressSchema.model_validate(raw)
    links = {
        key: entry.model_dump(mode="json", exclude_defaults=True)
        for key, entry in progress.links.items()
    }
    return {"version": progress.version, "links": links}


class UpdateSchema(_Strict):
    at: Timestamp
    source: Text
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    # progress.json's latest event when the guide changed (the epoch: it had none): `undo`
    # never reaches past it. Absent in files from before it was recorded.
    last_event: Timestamp | None = None


class MetaSchema(_Strict):
    """guide-meta.json: where the active catalogue came from, and each update's changes."""

    version: Version = 1
    source: Text
    updated: Timestamp | None = None
    updates: list[UpdateSchema] = Field(default_factory=list)
    # The last download, for a conditional request next time.
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def _no_related(value: list[RelatedSchema]) -> list[RelatedSchema]:
    if value:
        raise ValueError("a link of your own has no related links")
    return value


class PersonalLinkSchema(LinkSchema):
    section: SectionSlug
    added: Timestamp
    related: Annotated[list[RelatedSchema], AfterValidator(_no_related)] = Field(
        default_factory=list
    )


class PersonalSchema(_Strict):
    """personal.json: the reader's own links."""

    version: Version = 1
    links: list[PersonalLinkSchema] = Field(default_factory=list)


# A followed guide's name: a slug, short enough to qualify an id (`llm-course/lora`).
MAX_GUIDE_NAME_CHARS = 40
GuideName = Annotated[
    str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=MAX_GUIDE_NAME_CHARS)
]
MAX_FOLLOWED = 200  # guides one home follows
MAX_SOURCE_CHARS = 2048


class FollowedSchema(_Strict):
    """One followed guide in guides.json: its name and where it is read from, never content."""

    name: GuideName
    source: Annotated[
        str,
        StringConstraints(min_length=1, max_length=MAX_SOURCE_CHARS),
        AfterValidator(_unicode),
    ]
    added: Timestamp


class GuidesSchema(_Strict):
    """guides.json: the guides followed besides the default one, in the order they were added."""

    version: Version = 1
    guides: list[FollowedSchema] = Field(default_factory=list, max_length=MAX_FOLLOWED)

    @model_validator(mode="after")
    def _names_once(self) -> GuidesSchema:
        seen: set[str] = set()
        for guide in self.guides:
            if guide.name in RESERVED_GUIDE_NAMES:
                raise ValueError(f"the guide name {guide.name!r} is reserved")
            if guide.name in seen:
                raise ValueError(f"the guide name {guide.name!r} is there twice")
            seen.add(guide.name)
        return self
