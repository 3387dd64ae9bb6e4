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
from typing import Any

from pydantic import TypeAdapter

from llmdive.output.shapes.links import (
    ActiveDay,
    Activity,
    ChangedField,
    CheckedLink,
    CheckResult,
    Count,
    Day,
    DurationSource,
    Level,
    Link,
    LinkCheck,
    MarkedLink,
    NextPick,
    NextPlan,
    OfferedLink,
    Orphan,
    ProgressSummary,
    ProgressTime,
    Redirect,
    Related,
    SearchLink,
    SectionMoved,
    SectionTally,
    SectionTime,
    Tally,
    Times,
    TimeTally,
    TocNode,
    TopicShown,
    UtcTime,
    WhatsnewLink,
)
from llmdive.output.shapes.reports import (
    Ambiguous,
    Change,
    Changes,
    ChecklistImport,
    Config,
    Contributed,
    ContributionReport,
    CopyMerged,
    Doctor,
    Error,
    FollowedGuide,
    GuideRow,
    GuideStatus,
    HealthFact,
    HistoryRow,
    ImportWarnings,
    KnownGuide,
    MergedLink,
    MergeReport,
    Paths,
    ReportEntry,
    SyncResult,
    Undo,
    Unmatched,
    UpdateReport,
    WhatsnewGroup,
)

__all__ = [
    "UtcTime",
    "Count",
    "CheckResult",
    "ChangedField",
    "Level",
    "DurationSource",
    "Related",
    "Link",
    "Times",
    "WhatsnewLink",
    "LinkCheck",
    "MarkedLink",
    "SearchLink",
    "OfferedLink",
    "NextPick",
    "NextPlan",
    "Redirect",
    "CheckedLink",
    "TocNode",
    "TopicShown",
    "Tally",
    "SectionTally",
    "Orphan",
    "ProgressSummary",
    "Day",
    "TimeTally",
    "SectionTime",
    "ProgressTime",
    "SectionMoved",
    "ActiveDay",
    "Activity",
    "HistoryRow",
    "WhatsnewGroup",
    "Change",
    "Changes",
    "Undo",
    "ReportEntry",
    "Ambiguous",
    "ImportWarnings",
    "UpdateReport",
    "GuideStatus",
    "Paths",
    "MergedLink",
    "MergeReport",
    "SyncResult",
    "HealthFact",
    "CopyMerged",
    "Doctor",
    "Config",
    "Error",
    "KnownGuide",
    "FollowedGuide",
    "GuideRow",
    "Unmatched",
    "ChecklistImport",
    "Contributed",
    "ContributionReport",
    "SHAPES",
    "schemas",
    "files",
]

SHAPES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "link": (MarkedLink, ("show", "note ID (no text)")),
    "links": (list[MarkedLink], ("list",)),
    "search": (list[SearchLink], ("search",)),
    "next": (list[NextPick], ("next",)),
    "next-plan": (NextPlan, ("next --budget", "next --queue")),
    "toc": (list[TocNode], ("toc",)),
    "topic": (TopicShown, ("show HEADING",)),
    "progress": (ProgressSummary, ("progress",)),
    "history": (list[HistoryRow], ("history",)),
    "whatsnew": (list[WhatsnewGroup], ("whatsnew",)),
    "changes": (
        Changes,
        ("mark-read", "start", "skip", "mark-unread", "note", "estimate", "add", "edit", "remove"),
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
    "config": (Config, ("config",)),
    "checklist": (ChecklistImport, ("progress import-checklist",)),
    "contribute": (ContributionReport, ("contribute",)),
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
