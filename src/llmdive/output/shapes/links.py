"""The shapes of links and of what browsing prints: the link object, next, toc, progress,
time and activity (the contract: llmdive.output.shapes)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, with_config

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
ChangedField = Literal["status", "note", "link", "estimate"]
Level = Literal["ok", "warn", "error"]
DurationSource = Literal["measured", "set"]
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
    duration_s: Annotated[
        int | None, Field(ge=1, description="How long it takes, in seconds; null: unknown")
    ]
    duration_source: Annotated[
        DurationSource | None,
        Field(description="measured (check-links --durations) or set (llmdive estimate)"),
    ]
    took_s: Annotated[
        int | None,
        Field(ge=1, description="Seconds from `start` to `mark-read`; null unless read so"),
    ]


@_strict
class Times(TypedDict):
    """A link's time: how long it takes, where that came from, what it took."""

    duration_s: int | None
    duration_source: DurationSource | None
    took_s: int | None


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
class OfferedLink(TypedDict):
    """A link of another followed guide offered to a heading that has none (or none unread):
    offered, not moved into the guide."""

    id: Annotated[str, Field(description="What to type to name it (show, mark-read ...)")]
    title: str
    url: str
    guide: Annotated[str, Field(description="The followed guide it comes from")]
    section: Annotated[list[str], Field(description="Its headings in that guide, from the top")]
    score: Annotated[float, Field(description="How well it matched the heading; best first")]
    why: Annotated[list[str], Field(description="What matched, and where: 'gptq in title'")]


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
    offers: Annotated[
        list[OfferedLink],
        Field(description="When `link` is null: links the other followed guides offer here"),
    ]


@_strict
class NextPlan(TypedDict):
    """next --budget / --queue: the reading list as one path, or what of it fits a budget."""

    budget_s: Annotated[int | None, Field(description="The budget in seconds; null: --queue")]
    planned_s: Annotated[Count, Field(description="Seconds of the links listed, known ones")]
    links_left: Annotated[Count, Field(description="Links left in the whole path")]
    links: Annotated[list[MarkedLink], Field(description="In the learning path's order")]
    unknown: Annotated[
        list[MarkedLink], Field(description="Met on the way, of unknown length: not counted")
    ]
    too_long: Annotated[
        list[MarkedLink], Field(description="Passed over: longer than the time left then")
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
    offers: Annotated[
        list[OfferedLink],
        Field(description="With no links (or none unread): what the other followed guides offer"),
    ]
    topics: list[TocNode]


@_strict
class TopicShown(TypedDict):
    """`show` of a heading: where it is, its counts, and what the other guides offer it."""

    slug: str
    title: str
    section: Annotated[list[str], Field(description="Headings from the top-level section down")]
    description: Annotated[str | None, Field(description="The guide's words on this heading")]
    tip: Annotated[str | None, Field(description="The guide's advice on how to read it")]
    links: Annotated[Count, Field(description="Links here and in every topic below")]
    read: Count
    offers: Annotated[
        list[OfferedLink],
        Field(description="With no links (or none unread): what the other followed guides offer"),
    ]


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
    time: ProgressTime
    activity: Annotated[
        Activity | None, Field(description="progress --since / --week; null without them")
    ]


Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="A local date")]


@_strict
class TimeTally(TypedDict):
    """Seconds from known durations; links of unknown length counted apart, never as 0."""

    read_s: Count
    left_s: Count
    unknown_read: Annotated[Count, Field(description="Links read, of unknown length")]
    unknown_left: Annotated[Count, Field(description="Links left, of unknown length")]
    links_left: Count
    finish: Annotated[
        Day | None, Field(description="At the pace, when the known time left is read")
    ]


@_strict
class SectionTime(TimeTally):
    section: str


@_strict
class ProgressTime(TypedDict):
    overall: TimeTally
    sections: Annotated[list[SectionTime], Field(description="Finishing in the path's order")]
    pace_s_per_week: Annotated[float | None, Field(ge=0, description="null: no pace known")]
    pace_from: Annotated[
        Literal["given", "config", "measured"] | None,
        Field(description="--pace, `llmdive config pace`, or the last four weeks of marks"),
    ]


@_strict
class SectionMoved(TypedDict):
    section: str
    finished: Count


@_strict
class ActiveDay(TypedDict):
    day: Day
    marks: Annotated[Count, Field(description="Links read or started that day")]


@_strict
class Activity(TypedDict):
    """What the reader did from `since` on."""

    since: UtcTime
    finished: Annotated[list[Link], Field(description="Links finished, oldest first")]
    spent_s: Annotated[Count, Field(description="Known time of the links finished")]
    unknown: Annotated[Count, Field(description="Links finished of unknown length")]
    sections: list[SectionMoved]
    streak: Annotated[Count, Field(description="Reading days in a row, up to today")]
    days: Annotated[list[ActiveDay], Field(description="Days with marks, oldest first")]
