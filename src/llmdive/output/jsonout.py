"""The JSON llmdive prints for scripts: the link object, and a builder per shape of browsing
and progress (what a command changed or reported: jsonreport.py).

Every builder returns its shape, a TypedDict declared once in shapes/ (mypy checks
the builders against them), from which schema/ is generated; tests hold every command's
output to those files. Building the JSON needs neither pydantic nor rich: this runs on
the fast path, and names the shapes for the type checker only.

The link object is the one shape every command shows a link in (list, show, next,
search, whatsnew, the changes a command made): every key always present, null when unset.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, Literal, cast

from llmdive.model.vocab import Status

if TYPE_CHECKING:
    from llmdive.find.offers import Offer
    from llmdive.find.pace import Activity, Times, TimeTally
    from llmdive.find.planner import NextPick, Plan, Summary, Tally
    from llmdive.find.search import Hit
    from llmdive.guide.catalogue import Catalogue, Item
    from llmdive.model.models import Entry, Progress, Topic
    from llmdive.net.durations import Measured
    from llmdive.net.linkmarks import Marks
    from llmdive.output import shapes
    from llmdive.workspace import Workspace

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def emit_json(data: Any, stream: IO[str] | None = None) -> None:
    """Write `data` as JSON indented by two spaces, and a newline (to stdout by default).

    The text of json.dumps(data, indent=2, ensure_ascii=False), from orjson: the standard
    library indents in pure Python, which took half of `list --json` at 10,000 links.
    """
    import orjson

    from llmdive.output.terminal import json_safe

    out = stream if stream is not None else sys.stdout
    try:
        text = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()
    except orjson.JSONEncodeError:
        # Text that is not Unicode (a lone surrogate, from a file): json_safe escapes it.
        import json

        text = json.dumps(data, indent=2, ensure_ascii=False)
    # Made safe like every text going out: a title holding C1 or bidi controls is escaped.
    out.write(json_safe(text) + "\n")


# ---------------------------------------------------------------- the link object


class LinkJson:
    """Builds the link object for the links of one catalogue, as one progress has them.

            links = LinkJson(catalogue, progress)
            links(item)                  # {"id": ..., "status": ..., "note": ..., ...}
            links.marked(item, marks)    # the same, and its link check (`link_check`)

    A command adds its own keys after the shared ones: {**links(item), "score": 0.8}.

        `states` (the statuses from progress.reading_states) is computed when not given;
        `measured` (net/durations.py: what check-links --durations found) gives durations.
    """

    __slots__ = ("catalogue", "progress", "states", "timing")

    def __init__(
        self,
        catalogue: Catalogue,
        progress: Progress,
        states: dict[str, Status] | None = None,
        measured: Mapping[str, Measured] | None = None,
    ) -> None:
        from llmdive.net.durations import Timing
        from llmdive.record.progress import reading_states

        self.catalogue = catalogue
        self.progress = progress
        self.states = reading_states(catalogue, progress) if states is None else states
        self.timing = Timing(progress, measured)

    @classmethod
    def of(cls, ws: Workspace) -> LinkJson:
        """The builder for a command's workspace: its catalogue, progress, statuses and
        measured durations."""
        return cls(ws.catalogue, ws.progress, ws.states, ws.measured)

    def __call__(self, item: Item) -> shapes.Link:
        link = item.link
        key = link.id
        progress = self.progress
        status = self.states.get(key, Status.UNREAD)
        group = self.catalogue.shared_with.get(key)
        held = key
        if self.catalogue.origins and key not in progress:
            from llmdive.record.progress import record_key

            held = record_key(self.catalogue, progress, key)  # its URL's entry
        times = self.times(item)
        if group is None:
            changed = progress.value(held, "changed")
        else:
            # Links sharing a URL share the status set last: so too its time.
            changed = _latest_changed(progress, group)
        out: shapes.Link = {
            "id": key,
            "title": link.title,
            "url": link.url,
            "related": [{"title": r.title, "url": r.url} for r in link.related]
            if link.related
            else [],
            "difficulty": link.difficulty,
            "section": [t.title for t in item.path],
            "kind": item.kind,
            "personal": link.personal,
            "status": status,
            "status_changed": changed,
            "note": progress.value(held, "note"),
            "duration_s": times["duration_s"],
            "duration_source": times["duration_source"],
            "took_s": times["took_s"],
        }
        if self.catalogue.several:  # which guide it comes from, first
            out["section"] = [item.guide, *out["section"]]
        return out

    def times(self, item: Item) -> shapes.Times:
        """The link's duration, where it came from, and what reading it took."""
        seconds, source = self.timing.of(item)
        return {
            "duration_s": seconds,
            "duration_source": cast("shapes.DurationSource | None", source),
            "took_s": self.timing.took(item),
        }

    def marked(self, item: Item, marks: Marks) -> shapes.MarkedLink:
        """The link object and its kept link check (null if never checked)."""
        return {**self(item), "link_check": link_check_json(marks, item.link.id)}


def _latest_changed(progress: Progress, ids: list[str]) -> str | None:
    entries = [e for i in ids if (e := progress.get(i)) is not None and e.changed]
    if not entries:
        return None
    return max(entries, key=lambda e: e.changed_at or _EPOCH).changed


# ---------------------------------------------------------------- browsing


def links_json(links: LinkJson, items: Iterable[Item], marks: Marks) -> list[shapes.MarkedLink]:
    return [links.marked(i, marks) for i in items]


def search_json(links: LinkJson, hits: Iterable[Hit], marks: Marks) -> list[shapes.SearchLink]:
    """Each match, best first: its link object, link check, score, and the related links
    it matched through."""
    from llmdive.find.search import related_matches

    return [
        {
            **links.marked(h.item, marks),
            "score": h.score,
            "matched_related": [{"title": r.title, "url": r.url} for r in related_matches(h)],
        }
        for h in hits
    ]


def next_json(
    links: LinkJson,
    picks: Sequence[NextPick],
    marks: Marks,
    offers: Mapping[int, Sequence[Offer]] | None = None,
) -> list[shapes.NextPick]:
    """Each section's pick, with its link check, and the dead links passed over; where
    nothing is left, what the other guides offer (`offers`, by id() of the topic)."""
    return [
        {
            "section": p.path[-1].title,
            "link": links.marked(p.item, marks) if p.item else None,
            "more": [links.marked(i, marks) for i in p.more],
            "passed_over": [links.marked(i, marks) for i in p.passed],
            "offers": offers_json((offers or {}).get(id(p.path[-1]), ())),
        }
        for p in picks
    ]


def plan_json(links: LinkJson, plan: Plan, marks: Marks, left: int) -> shapes.NextPlan:
    """next --budget / --queue: the links in the path's order, and those not counted."""
    return {
        "budget_s": plan.budget,
        "planned_s": plan.planned,
        "links_left": left,
        "links": [links.marked(i, marks) for i in plan.links],
        "unknown": [links.marked(i, marks) for i in plan.unknown],
        "too_long": [links.marked(i, marks) for i in plan.too_long],
    }


def offers_json(offers: Iterable[Offer]) -> list[shapes.OfferedLink]:
    """Links offered to a heading by the other guides, best first."""
    return [
        {
            "id": o.candidate.id,
            "title": o.candidate.title,
            "url": o.candidate.url,
            "guide": o.candidate.guide,
            "section": list(o.candidate.path),
            "score": o.score,
            "why": list(o.why),
        }
        for o in offers
    ]


def toc_json(
    catalogue: Catalogue,
    states: dict[str, Status],
    hide_empty: bool = False,
    offers: Mapping[int, Sequence[Offer]] | None = None,
) -> list[shapes.TocNode]:
    offered = offers or {}

    def node(topic: Topic) -> shapes.TocNode:
        counts = dict.fromkeys(Status, 0)
        for _, t in topic.walk():
            for link in t.links:
                counts[states.get(link.id, Status.UNREAD)] += 1
        # Counts that add up: read + reading + unread + skipped == links.
        return {
            "slug": topic.slug,
            "title": topic.title,
            "description": topic.description or None,
            "tip": topic.tip or None,
            "links": sum(counts.values()),
            "read": counts[Status.READ],
            "reading": counts[Status.READING],
            "unread": counts[Status.UNREAD],
            "skipped": counts[Status.SKIPPED],
            "offers": offers_json(offered.get(id(topic), ())),
            "topics": [node(t) for t in topic.topics if not hide_empty or _has_links(t)],
        }

    sections = [node(s) for s in catalogue.guide.sections if not hide_empty or _has_links(s)]
    if not catalogue.several:
        return sections
    # Several guides: the top level is the guides, each with its sections.
    guides: dict[str, shapes.TocNode] = {}
    kept = [s for s in catalogue.guide.sections if not hide_empty or _has_links(s)]
    for section, done in zip(kept, sections, strict=True):
        name = catalogue.section_guide(section)
        if name not in guides:
            guides[name] = {
                "slug": name,
                "title": name,
                "description": None,
                "tip": None,
                "links": 0,
                "read": 0,
                "reading": 0,
                "unread": 0,
                "skipped": 0,
                "offers": [],  # a guide is no heading: its own headings are offered links
                "topics": [],
            }
        held = guides[name]
        for key in ("links", "read", "reading", "unread", "skipped"):
            held[key] += done[key]
        held["topics"].append(done)
    return list(guides.values())


def topic_json(
    catalogue: Catalogue,
    path: tuple[Topic, ...],
    states: dict[str, Status],
    offers: Iterable[Offer] = (),
) -> shapes.TopicShown:
    topic = path[-1]
    items = catalogue.items_under(path)
    return {
        "slug": topic.slug,
        "title": topic.title,
        "section": [t.title for t in path],
        "description": topic.description or None,
        "tip": topic.tip or None,
        "links": len(items),
        "read": sum(1 for i in items if states.get(i.link.id) is Status.READ),
        "offers": offers_json(offers),
    }


def _has_links(topic: Topic) -> bool:
    return any(t.links for _, t in topic.walk())


def whatsnew_json(
    links: LinkJson, groups: Sequence[tuple[Topic, list[tuple[Item, str]]]]
) -> list[shapes.WhatsnewGroup]:
    return [
        {"section": section.title, "links": [{**links(i), "added": when} for i, when in rows]}
        for section, rows in groups
    ]


# ---------------------------------------------------------------- progress


def tally_json(tally: Tally) -> shapes.Tally:
    """Counts that add up: read + reading + unread + skipped == total (every link)."""
    return {
        "total": tally.links,
        "read": tally.read,
        "reading": tally.reading,
        "unread": tally.links - tally.read - tally.reading - tally.skipped,
        "skipped": tally.skipped,
    }


def time_tally_json(t: TimeTally) -> shapes.TimeTally:
    return {
        "read_s": t.read,
        "left_s": t.left,
        "unknown_read": t.unknown_read,
        "unknown_left": t.unknown_left,
        "links_left": t.links_left,
        "finish": t.finish.isoformat() if t.finish else None,
    }


def activity_json(links: LinkJson, act: Activity | None) -> shapes.Activity | None:
    if act is None:
        return None
    from llmdive.model.models import iso

    return {
        "since": iso(act.since),
        "finished": [links(i) for i in act.finished],
        "spent_s": act.spent,
        "unknown": act.unknown,
        "sections": [{"section": s.title, "finished": n} for s, n in act.sections],
        "streak": act.streak,
        "days": [{"day": d.isoformat(), "marks": n} for d, n in sorted(act.days.items())],
    }


def progress_json(
    summary: Summary,
    orphans: dict[str, Entry],
    times: Times | None = None,
    activity: shapes.Activity | None = None,
) -> shapes.ProgressSummary:
    if times is None:
        from llmdive.find.pace import Times

        times = Times()
    return {
        "within": [t.title for t in summary.within] if summary.within else None,
        "overall": tally_json(summary.overall),
        "sections": [{"section": s.title, **tally_json(t)} for s, t in summary.sections],
        "difficulties": {d: tally_json(t) for d, t in summary.difficulties.items()},
        "orphans": [
            {
                "id": k,
                "title": e.title,
                "url": e.url,
                "status": e.status,
                "status_changed": e.changed,
                "note": e.note,
            }
            for k, e in orphans.items()
        ],
        "time": {
            "overall": time_tally_json(times.overall),
            "sections": [{"section": s.title, **time_tally_json(t)} for s, t in times.sections],
            "pace_s_per_week": times.pace,
            "pace_from": cast("Literal['given', 'config', 'measured'] | None", times.pace_from),
        },
        "activity": activity,
    }


# ---------------------------------------------------------------- errors


def error_json(lines: Sequence[str]) -> shapes.Error:
    """An error: its first line, and every line (one per problem)."""
    return {"error": lines[0] if lines else "unknown error", "problems": list(lines)}


# ---------------------------------------------------------------- link checks


def link_check_json(marks: Marks, link_id: str) -> shapes.LinkCheck | None:
    """The kept check of a link, as list, show and next add it (`link_check`); null if none."""
    outcome = marks.get(link_id)
    if outcome is None:
        return None
    return {
        "result": outcome.result.value,
        "status_code": outcome.status_code,
        "final_url": outcome.final_url,
        "permanent": outcome.permanent,
        "detail": outcome.detail,
        "checked": outcome.checked,
        "stale": outcome.is_stale(),
        "archive": marks.archive(link_id),
    }
