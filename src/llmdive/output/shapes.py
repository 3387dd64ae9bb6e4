"""The JSON contract, declared once: the shape of every command's --json output.

Each shape is a TypedDict: jsonout.py's builders return them (so mypy checks every
builder against its shape), and `schemas()` turns the same declarations into the JSON
Schema files committed under schema/ (`python schema/make_schema.py` rewrites them);
the tests hold every command's output to those files. No command imports this module
at run time (jsonout names the shapes only for the type checker): building JSON needs
no pydantic, whose Field and with_config here only annotate the schema.

Conventions: every key is always present (null when unset); times are UTC ISO 8601
with a Z; a link is always the one `Link` object, to which a command may add keys of
its own (`WhatsnewLink.added`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, TypeAdapter, with_config

# pydantic reads TypedDicts from typing_extensions only, before Python 3.12.
from typing_extensions import TypedDict

from llmdive.model.vocab import Difficulty, Status

UtcTime = Annotated[
    str,
    Field(
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$",
        description="UTC, ISO 8601, with a Z",
    ),
]
Count = Annotated[int, Field(ge=0)]
# The closed sets of words a shape uses besides the vocabulary (vocab.Status, Difficulty).
CheckResult = Literal["ok", "redirected", "dead", "unknown"]
ChangedField = Literal["status", "note", "link"]
Level = Literal["ok", "warn", "error"]
# Every shape is closed: a key it does not declare is an error (additionalProperties).
_strict = with_config(ConfigDict(extra="forbid"))


@_strict
class Related(TypedDict):
    """One of a link's other links (its code, pdf, video, slides): part of the link."""

    title: str
    url: str


@_strict
class Link(TypedDict):
    """One link of the guide (or one of the reader's own), as the reader has it."""

    id: Annotated[
        str, Field(description="Stable id; any unambiguous prefix works on the command line")
    ]
    title: str
    url: str
    related: Annotated[
        list[Related],
        Field(description="The link's other links (code, pdf, video ...), in the guide's order"),
    ]
    difficulty: Difficulty
    section: Annotated[
        list[str],
        Field(
            description="Headings from the top-level section down; where more than one "
            "guide is followed, the guide's name first (`default`: the default guide)"
        ),
    ]
    kind: Annotated[str, Field(description="What the URL is: video, paper, article, ...")]
    personal: Annotated[bool, Field(description="One of the reader's own links (`llmdive add`)")]
    status: Status
    status_changed: Annotated[UtcTime | None, Field(description="When the status last changed")]
    note: str | None


@_strict
class WhatsnewLink(Link):
    added: Annotated[UtcTime, Field(description="When the guide update that added it was made")]


@_strict
class LinkCheck(TypedDict):
    """The last `llmdive check-links` result for a link, at its current URL."""

    result: CheckResult
    status_code: Annotated[int | None, Field(description="The last HTTP status; null if none came")]
    final_url: Annotated[
        str | None, Field(description="Where the redirects ended; null without answer")
    ]
    permanent: Annotated[bool, Field(description="The first redirect was permanent (301/308)")]
    detail: str
    checked: UtcTime
    stale: Annotated[bool, Field(description="Checked more than a week ago")]
    archive: Annotated[
        str | None,
        Field(
            description="For a dead link: its Web Archive capture from when llmdive first saw it"
        ),
    ]


@_strict
class MarkedLink(Link):
    link_check: Annotated[
        LinkCheck | None, Field(description="null when never checked at this URL")
    ]


@_strict
class SearchLink(MarkedLink):
    score: Annotated[
        float, Field(description="How well it matched, 0 to 1; results come best first")
    ]
    matched_related: Annotated[
        list[Related],
        Field(description="The related links it matched through; [] when its own words matched"),
    ]


@_strict
class NextPick(TypedDict):
    section: str
    link: Annotated[
        MarkedLink | None, Field(description="null when everything there is read, skipped or dead")
    ]
    passed_over: Annotated[
        list[MarkedLink], Field(description="Dead links that would have come first")
    ]
    more: Annotated[
        list[MarkedLink],
        Field(description="next -n N: the N-1 links to read after `link`, in reading order"),
    ]


@_strict
class Redirect(TypedDict):
    status: int
    url: str


@_strict
class CheckedLink(Link):
    """One link as `llmdive check-links` found it."""

    result: Annotated[
        CheckResult,
        Field(
            description="ok (also through temporary redirects), redirected (permanently), dead "
            "(404, 410, no such host) or unknown (timeouts, 401/403, 429, 5xx, TLS, loops)"
        ),
    ]
    status_code: int | None
    final_url: str | None
    permanent: bool
    redirects: Annotated[list[Redirect], Field(description="Each redirect followed, in order")]
    detail: str
    attempts: Annotated[int, Field(ge=1)]
    checked: UtcTime


@_strict
class TocNode(TypedDict):
    """A heading, with counts that add up: read + reading + unread + skipped == links.

    Where more than one guide is followed, the top level is the guides (slug and title:
    the guide's name; `default`: the default guide), each with its sections as topics.
    """

    slug: str
    title: str
    description: Annotated[str | None, Field(description="The guide's words on this heading")]
    tip: Annotated[str | None, Field(description="The guide's advice on how to read it")]
    links: Annotated[Count, Field(description="Links here and in every topic below")]
    read: Count
    reading: Count
    unread: Count
    skipped: Count
    topics: list[TocNode]


@_strict
class Tally(TypedDict):
    """Counts that add up: read + reading + unread + skipped == total (every link)."""

    total: Count
    read: Count
    reading: Count
    unread: Count
    skipped: Count


@_strict
class SectionTally(Tally):
    section: str


@_strict
class Orphan(TypedDict):
    """Progress on a link that is no longer in the guide: kept, and reported."""

    id: str
    title: str | None
    url: str | None
    status: Status
    status_changed: UtcTime | None
    note: str | None


@_strict
class ProgressSummary(TypedDict):
    within: Annotated[
        list[str] | None,
        Field(description="progress --section: that section's path; sections are then its topics"),
    ]
    overall: Tally
    sections: list[SectionTally]
    difficulties: dict[Difficulty, Tally]
    orphans: list[Orphan]


@_strict
class HistoryRow(TypedDict):
    """One change, newest first: a status, a note, a personal link, or an undo."""

    at: UtcTime
    id: str
    title: str
    status: Annotated[Status | None, Field(description="The status set, if this change set one")]
    note: Annotated[
        str | None, Field(description='The note set, if this change set one ("" removed it)')
    ]
    undo: Annotated[UtcTime | None, Field(description="The time of the change this one took back")]
    link: Annotated[
        Literal["added", "edited", "removed"] | None,
        Field(description="What happened to a personal link"),
    ]


@_strict
class WhatsnewGroup(TypedDict):
    section: str
    links: list[WhatsnewLink]


@_strict
class Change(TypedDict):
    """One change a command made (mark-read, start, skip, mark-unread, note, add, ...)."""

    link: Annotated[Link, Field(description="The link as it is after the change")]
    field: Annotated[
        ChangedField,
        Field(
            description='What changed: "link" is a personal link added (before null, after '
            '"added"), edited (after "edited") or removed (after "removed")'
        ),
    ]
    before: str | None
    after: str | None
    changed: Annotated[bool, Field(description="false when the link already was so")]


@_strict
class Changes(TypedDict):
    changes: list[Change]


@_strict
class Undo(TypedDict):
    """What `undo` took back; every field it restored is one change (before: as the undone
    change left it; after: as restored). A personal link's before/after are "added",
    "edited" or "removed", and "removed" or "restored"."""

    undone: Annotated[
        UtcTime | None,
        Field(description="The time of the change taken back; null when there was nothing to undo"),
    ]
    at: Annotated[
        UtcTime | None, Field(description="The time of the undo (its events in `history`)")
    ]
    changes: list[Change]


@_strict
class ReportEntry(TypedDict):
    """One link in a guide update's report: `before` and `after` for what changed."""

    link: Link
    before: str | None
    after: str | None


@_strict
class Ambiguous(TypedDict):
    new: Annotated[str, Field(description="Title of the new link, kept apart under a new id")]
    candidates: Annotated[list[str], Field(description="Ids of the old links it could continue")]
    section: list[str]


@_strict
class UpdateReport(TypedDict):
    source: str
    dry_run: bool
    added: list[ReportEntry]
    returned: list[ReportEntry]
    removed: list[ReportEntry]
    retitled: list[ReportEntry]
    moved: list[ReportEntry]
    rebadged: list[ReportEntry]
    url_changed: list[ReportEntry]
    related_changed: Annotated[
        list[ReportEntry],
        Field(
            description="Links whose related links changed (same id): `before` the related "
            "links it lost, `after` those it gained (all of them when only their order changed)"
        ),
    ]
    ambiguous: list[Ambiguous]
    refused: Annotated[
        str | None,
        Field(description="Why the update was not applied (it needs --force); null when it was"),
    ]
    up_to_date: Annotated[
        bool, Field(description="The server said the guide has not changed since the last update")
    ]


@_strict
class GuideStatus(TypedDict):
    catalogue: str
    kind: Annotated[
        str, Field(description="bundled, updated, or chosen with --guide/$LLMDIVE_GUIDE")
    ]
    links: Count
    source: str | None
    updated: UtcTime | None
    updates: Count


@_strict
class Paths(TypedDict):
    """Where this call's files are, and what chose each place."""

    home: Annotated[str, Field(description="The folder of everything llmdive writes")]
    home_from: Literal["--home", "$LLMDIVE_HOME", "default"]
    progress: str
    personal: str
    catalogue: Annotated[str, Field(description="The catalogue in use")]
    catalogue_from: Literal["--guide", "$LLMDIVE_GUIDE", "updated", "bundled"]
    catalogue_source: Annotated[
        str | None, Field(description="Where `guide update` took the catalogue in use from")
    ]
    cache: str
    cache_from: Annotated[
        Literal["$LLMDIVE_CACHE_DIR", "home", "default"],
        Field(description='"home": the cache folder of $LLMDIVE_HOME or --home'),
    ]


@_strict
class MergedLink(TypedDict):
    """What a merge changed for one link of the record."""

    id: str
    link: Annotated[
        Link | None, Field(description="null for a link not in this catalogue (an orphan)")
    ]
    status_before: Status
    status: Status
    note_changed: bool
    note: Annotated[str | None, Field(description="The note after the merge")]
    new_events: Annotated[
        Count, Field(description="Events that arrived (the history grows, never shrinks)")
    ]


@_strict
class MergeReport(TypedDict):
    """What merging another machine's record changed (or, dry, would change)."""

    changed: Annotated[bool, Field(description="false: this record already held all of it")]
    dry_run: bool
    links: list[MergedLink]
    personal_added: Annotated[
        list[Link], Field(description="Your own links, added on another machine")
    ]
    personal_edited: Annotated[
        list[Link], Field(description="Your own links, edited on another machine")
    ]
    personal_removed: Annotated[list[str], Field(description="Ids of your links removed elsewhere")]
    renamed: Annotated[
        dict[str, str],
        Field(description="Old id -> new id: one link added under two ids, or two under one"),
    ]


@_strict
class SyncResult(TypedDict):
    remote: Annotated[str, Field(description="The git remote synced with")]
    set_up: Annotated[bool, Field(description="This call set up (or changed) the remote")]
    committed: Annotated[bool, Field(description="Local changes were committed")]
    merged: Annotated[bool, Field(description="Changes from elsewhere were merged in")]
    pushed: bool
    sent: Annotated[
        bool, Field(description="The remote's record changed (more than a merge commit)")
    ]
    arrived: Annotated[MergeReport, Field(description="What arrived from elsewhere")]


@_strict
class HealthFact(TypedDict):
    level: Level
    text: str


@_strict
class CopyMerged(TypedDict):
    file: str
    error: Annotated[str | None, Field(description="Why it was left as it is; null when merged")]
    report: MergeReport | None


@_strict
class Doctor(TypedDict):
    home: str
    facts: list[HealthFact]
    conflicted_copies: Annotated[
        list[str], Field(description="Left by file-sync tools beside the record")
    ]
    merged: Annotated[
        list[CopyMerged], Field(description="With --merge: each copy merged and removed")
    ]


@_strict
class Error(TypedDict):
    """What a command prints on stderr when it fails under --json (exit code unchanged)."""

    error: Annotated[str, Field(description="The first problem, as one line")]
    problems: Annotated[list[str], Field(description="Every problem, one line each")]


@_strict
class KnownGuide(TypedDict):
    """A reading list of the built-in directory: `guide add NAME` follows it by name."""

    name: str
    about: Annotated[str, Field(description="What it is, in one line")]
    source: Annotated[str, Field(description="The URL of its README")]


@_strict
class FollowedGuide(TypedDict):
    """A guide `guide add` has just followed."""

    name: str
    title: str
    source: Annotated[str, Field(description="Where it is read from: a URL or a file")]
    added: UtcTime
    sections: Count
    links: Count


@_strict
class GuideRow(TypedDict):
    """One guide of `guide list`: the default guide first, then those followed."""

    name: Annotated[str, Field(description="`default` for the default guide")]
    title: str
    links: Count
    read: Annotated[Count, Field(description="Its links you read (in it or in another guide)")]
    source: Annotated[str, Field(description="A URL, a file, or `bundled`")]
    updated: UtcTime | None


# One schema file per output: schema/NAME.json, and the commands that print it.
SHAPES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "link": (MarkedLink, ("show", "note ID (no text)")),
    "links": (list[MarkedLink], ("list",)),
    "search": (list[SearchLink], ("search",)),
    "next": (list[NextPick], ("next",)),
    "toc": (list[TocNode], ("toc",)),
    "progress": (ProgressSummary, ("progress",)),
    "history": (list[HistoryRow], ("history",)),
    "whatsnew": (list[WhatsnewGroup], ("whatsnew",)),
    "changes": (
        Changes,
        ("mark-read", "start", "skip", "mark-unread", "note", "add", "edit", "remove"),
    ),
    "undo": (Undo, ("undo",)),
    "guide-update": (UpdateReport, ("guide update", "guide reset")),
    "guide-status": (GuideStatus, ("guide status",)),
    "guide-directory": (list[KnownGuide], ("guide add (no name)",)),
    "guide-add": (FollowedGuide, ("guide add",)),
    "guide-list": (list[GuideRow], ("guide list",)),
    "paths": (Paths, ("paths",)),
    "check-links": (list[CheckedLink], ("check-links",)),
    "merge": (MergeReport, ("progress merge",)),
    "sync": (SyncResult, ("sync",)),
    "doctor": (Doctor, ("doctor",)),
    "error": (Error, ("any command, on stderr",)),
}


def schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every output, by file name (without .json)."""
    out = {}
    for name, (shape, commands) in SHAPES.items():
        schema = TypeAdapter(shape).json_schema()
        said = f"The --json output of: {', '.join(commands)}."
        if "description" in schema:
            said += " " + schema.pop("description")
        schema.pop("title", None)
        out[name] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"llmdive {name}",
            "description": said,
            **schema,
        }
    return out


def files() -> dict[str, str]:
    """The text of every file under schema/, by file name."""
    return {
        f"{name}.json": json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        for name, schema in schemas().items()
    }
