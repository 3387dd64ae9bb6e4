"""The shapes of what commands change and report: history, changes, undo, guide updates,
merges, sync, doctor, config, errors, followed guides, checklists and contributions (the
contract: llmdive.output.shapes)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

# pydantic reads TypedDicts from typing_extensions only, before Python 3.12.
from typing_extensions import TypedDict

from llmdive.model.vocab import Difficulty, Status
from llmdive.output.shapes.links import (
    ChangedField,
    Count,
    Level,
    Link,
    UtcTime,
    WhatsnewLink,
    _strict,
)


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
    estimate_s: Annotated[
        int | None,
        Field(ge=0, description="The duration set (`llmdive estimate`), seconds; 0 cleared it"),
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
class ImportWarnings(TypedDict):
    """The warnings of one kind an import gave (links skipped, characters removed, ...)."""

    kind: Annotated[str, Field(description="What happened, as the grouped warning says it")]
    count: Count
    lines: Annotated[list[str], Field(description="Each warning, 'README.md:LINE: what'")]


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
    warnings: Annotated[
        list[ImportWarnings],
        Field(description="What the import of the README warned about, by kind, in order"),
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
class Config(TypedDict):
    """`llmdive config`: every setting, null when not set."""

    pace: Annotated[str | None, Field(description="Your pace, like 5h/week")]
    wpm: Annotated[int | None, Field(ge=50, le=2000, description="Words a minute, articles")]


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
@_strict
class Unmatched(TypedDict):
    line: Annotated[int, Field(ge=1, description="Its line in the checklist")]
    text: Annotated[str, Field(description="The ticked item as written, its box taken off")]


@_strict
class ChecklistImport(TypedDict):
    """What a ticked checklist marked read; nothing is ever unmarked."""

    dry_run: bool
    ticked: Annotated[Count, Field(description="Ticked items in the checklist")]
    changes: Annotated[
        list[Change],
        Field(description="The links matched, each as it is now (with --dry-run, as it is)"),
    ]
    unmatched: list[Unmatched]
    ambiguous: list[Ambiguous]


@_strict
class Contributed(TypedDict):
    id: str
    title: str
    url: str
    difficulty: Difficulty
    section: Annotated[list[str], Field(description="The titles of its topic's path")]
    line: Annotated[int, Field(ge=1, description="Its line in the patched README")]
    text: Annotated[str, Field(description="The line written, in the guide's style")]


@_strict
class ContributionReport(TypedDict):
    readme: Annotated[str, Field(description="The README the patch is for")]
    readme_sha256: Annotated[str, Field(description="SHA-256 of that README, as UTF-8")]
    patch: Annotated[
        str, Field(description="A unified diff for `git apply`; empty: nothing to add")
    ]
    description: Annotated[
        str | None, Field(description="A pull request's title and body; null: nothing to add")
    ]
    added: list[Contributed]
    already: Annotated[
        list[str], Field(description="Ids of your links the guide already has (same URL)")
    ]
    applied: Annotated[str | None, Field(description="The clone's README patched (--apply)")]
    output: Annotated[str | None, Field(description="The file the patch was written to (-o)")]
