"""The JSON of what a command changed or reported: status and note changes, guide updates
and their warnings, undo, link checks, merges, sync, doctor, the guides followed, a ticked
checklist and a contribution. Link objects come from jsonout.LinkJson, as everywhere."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, cast

from llmdive.model.urls import url_kind
from llmdive.model.vocab import Difficulty, Status
from llmdive.output.jsonout import LinkJson

if TYPE_CHECKING:
    from pathlib import Path

    from llmdive.guide.catalogue import Catalogue, Item
    from llmdive.guide.contribute import Contribution
    from llmdive.guide.followed import Followed
    from llmdive.guide.update import Change as UpdateChange
    from llmdive.guide.update import Report
    from llmdive.model.models import Guide, Progress
    from llmdive.net.linkmarks import Outcome
    from llmdive.output import shapes
    from llmdive.record.checklist import Reading
    from llmdive.record.doctor import Health
    from llmdive.record.guides import Row
    from llmdive.record.intake import CopyMerge
    from llmdive.record.merge import Report as MergeReport
    from llmdive.record.progress import Change
    from llmdive.record.sync import SyncResult
    from llmdive.record.undo import Undone


def status_changes_json(links: LinkJson, changes: Iterable[Change]) -> shapes.Changes:
    """What mark-read, start, skip and mark-unread did: each link as it is now."""
    by_id = links.catalogue.by_id
    return {
        "changes": [
            change_json(links(by_id[c.id]), "status", c.before.value, c.after.value)
            for c in changes
        ]
    }


def change_json(
    link: shapes.Link, field: str, before: str | None, after: str | None
) -> shapes.Change:
    """One change a command made: which field of which link, from what, to what.

    `field` is "status", "note", or "link" (a personal link added: before null, after
    "added"). `link` is the link object as it is after the change.
    """
    return {
        "link": link,
        # The callers pass the field names the shape lists (Restored.field is a str).
        "field": cast("shapes.ChangedField", field),
        "before": before,
        "after": after,
        "changed": before != after,
    }


def report_json(
    report: Report,
    old: Catalogue,
    new: Catalogue,
    progress: Progress,
    dry_run: bool,
    *,
    refused: str | None = None,
    up_to_date: bool = False,
    warnings: Sequence[str] = (),
) -> shapes.UpdateReport:
    """A guide update's report: each link as the new guide has it (the old one, if removed).

    `refused`: why it was not applied; `up_to_date`: the source had not changed;
    `warnings`: the import's, grouped by their kind.
    """
    in_new, in_old = LinkJson(new, progress), LinkJson(old, progress)

    def entries(changes: list[UpdateChange]) -> list[shapes.ReportEntry]:
        out: list[shapes.ReportEntry] = []
        for c in changes:
            item = new.by_id.get(c.id)
            link = in_new(item) if item is not None else in_old(old.by_id[c.id])
            out.append({"link": link, "before": c.before, "after": c.after})
        return out

    return {
        "source": report.source,
        "dry_run": dry_run,
        "added": entries(report.added),
        "returned": entries(report.returned),
        "removed": entries(report.removed),
        "retitled": entries(report.retitled),
        "moved": entries(report.moved),
        "rebadged": entries(report.rebadged),
        "url_changed": entries(report.url_changed),
        "related_changed": entries(report.related_changed),
        # update.py builds each as {"new", "candidates", "section"}.
        "ambiguous": cast("list[shapes.Ambiguous]", report.ambiguous),
        "refused": refused,
        "up_to_date": up_to_date,
        "warnings": import_warnings_json(warnings),
    }


def import_warnings_json(warnings: Sequence[str]) -> list[shapes.ImportWarnings]:
    """Warnings grouped by kind (an importer's Notice has one; any other line is its own)."""
    groups: dict[str, list[str]] = {}
    for w in warnings:
        groups.setdefault(getattr(w, "kind", w), []).append(str(w))
    return [{"kind": k, "count": len(v), "lines": v} for k, v in groups.items()]


def undo_json(links: LinkJson, done: Undone | None, fallback: Catalogue) -> shapes.Undo:
    """What undo took back: the change's time, the undo's, and each field it restored.

    A link is shown as it is after the undo; one the undo removed (a personal link
    added by the undone change) as it was, from `fallback`, the catalogue before.
    """
    if done is None:
        return {"undone": None, "at": None, "changes": []}
    changes: list[shapes.Change] = []
    for r in done.restored:
        item = links.catalogue.by_id.get(r.id) or fallback.by_id.get(r.id)
        link = links(item) if item is not None else _gone_link(links.progress, r.id)
        changes.append(change_json(link, r.field, r.before, r.after))
    return {"undone": done.change_at, "at": done.at, "changes": changes}


def _gone_link(progress: Progress, key: str) -> shapes.Link:
    """The link object of a link in no catalogue: what progress.json remembers of it."""
    url = progress.value(key, "url") or ""
    return {
        "id": key,
        "title": progress.value(key, "title") or key,
        "url": url,
        "related": [],
        "difficulty": Difficulty.UNRATED,
        "section": [],
        "kind": url_kind(url) if url else "article",
        "personal": False,
        "status": progress.status(key),
        "status_changed": progress.value(key, "changed"),
        "note": progress.value(key, "note"),
        "duration_s": progress.value(key, "estimate"),
        "duration_source": "set" if progress.value(key, "estimate") else None,
        "took_s": None,
    }


def checks_json(
    links: LinkJson, items: Sequence[Item], outcomes: Sequence[Outcome]
) -> list[shapes.CheckedLink]:
    """What check-links found: each link object with its result, in guide order."""
    by_id = {o.id: o for o in outcomes}
    out: list[shapes.CheckedLink] = []
    for item in items:
        o = by_id.get(item.link.id)
        if o is None:  # not checked: cut off by the deadline or Ctrl-C
            continue
        out.append(
            {
                **links(item),
                "result": o.result.value,
                "status_code": o.status_code,
                "final_url": o.final_url,
                "permanent": o.permanent,
                # linkcheck builds each hop as {"status", "url"}.
                "redirects": cast("list[shapes.Redirect]", o.redirects),
                "detail": o.detail,
                "attempts": o.attempts,
                "checked": o.checked,
            }
        )
    return out


def merge_report_json(
    links: LinkJson, report: MergeReport, dry_run: bool = False
) -> shapes.MergeReport:
    """A merge.Report, its links as link objects where this catalogue has them."""
    by_id = links.catalogue.by_id
    return {
        "changed": report.changed,
        "dry_run": dry_run,
        "links": [
            {
                "id": c.id,
                "link": links(by_id[c.id]) if c.id in by_id else None,
                # merge.py keeps the statuses as the stored strings, always a Status value.
                "status_before": cast("Status", c.before),
                "status": cast("Status", c.after),
                "note_changed": c.note_changed,
                "note": c.note,
                "new_events": c.new_events,
            }
            for c in report.links
        ],
        "personal_added": [
            links(by_id[p["id"]]) for p in report.personal_added if p["id"] in by_id
        ],
        "personal_edited": [
            links(by_id[p["id"]]) for p in report.personal_edited if p["id"] in by_id
        ],
        "personal_removed": [p["id"] for p in report.personal_removed],
        "renamed": dict(report.renamed),
    }


def sync_json(links: LinkJson, result: SyncResult) -> shapes.SyncResult:
    return {
        "remote": result.remote,
        "set_up": result.set_up,
        "committed": result.committed,
        "merged": result.merged,
        "pushed": result.pushed,
        "sent": result.sent,
        "arrived": merge_report_json(links, result.arrived),
    }


def doctor_json(
    links: LinkJson | None, health: Health, merged: Sequence[CopyMerge]
) -> shapes.Doctor:
    return {
        "home": str(health.home),
        # record/doctor.py keeps each fact's level as "ok", "warn" or "error".
        "facts": [
            {"level": cast("shapes.Level", level), "text": text} for level, text in health.facts
        ],
        "conflicted_copies": [str(p) for p in health.copies],
        "merged": [
            {
                "file": str(m.path),
                "error": m.error,
                "report": merge_report_json(links, m.report) if m.report and links else None,
            }
            for m in merged
        ],
    }


def directory_json(directory: Sequence[tuple[str, str, str]]) -> list[shapes.KnownGuide]:
    """The built-in directory of reading lists (name, one line, owner/repo)."""
    from llmdive.guide.followed import github_readme

    return [{"name": n, "about": about, "source": github_readme(r)} for n, about, r in directory]


def followed_json(followed: Followed, guide: Guide) -> shapes.FollowedGuide:
    """A guide just followed."""
    return {
        "name": followed.name,
        "title": guide.title,
        "source": followed.source,
        "added": followed.added,
        "sections": len(guide.sections),
        "links": sum(len(t.links) for _, t in guide.walk()),
    }


def guides_json(rows: Sequence[Row]) -> list[shapes.GuideRow]:
    """`guide list`: every guide, with the reader's progress in it."""
    return [
        {
            "name": r.name,
            "title": r.title,
            "links": r.links,
            "read": r.read,
            "source": r.source,
            "updated": r.updated,
        }
        for r in rows
    ]


def checklist_json(links: LinkJson, reading: Reading, dry_run: bool) -> shapes.ChecklistImport:
    """What `progress import-checklist` marked (or would), and the ticked items it could not."""
    by_id = links.catalogue.by_id
    return {
        "dry_run": dry_run,
        "ticked": reading.ticked,
        "changes": [
            change_json(links(by_id[c.id]), "status", c.before.value, c.after.value)
            for c in reading.changes
        ],
        "unmatched": [{"line": t.line, "text": t.text} for t in reading.unmatched],
        "ambiguous": [
            {"new": a["new"], "candidates": a["candidates"], "section": a["section"]}
            for a in reading.ambiguous
        ],
    }


def contribution_json(
    result: Contribution, readme: str, applied: Path | None, output: Path | None
) -> shapes.ContributionReport:
    """What `contribute` made: the patch, the pull request's description, what went where."""
    return {
        "readme": readme,
        "readme_sha256": result.readme_sha256,
        "patch": result.patch,
        "description": result.description if result.placed else None,
        "added": [
            {
                "id": p.link.id,
                "title": p.link.title,
                "url": p.link.url,
                "difficulty": p.link.difficulty,
                "section": list(p.path),
                "line": p.line,
                "text": p.text,
            }
            for p in result.placed
        ],
        "already": [k.id for k in result.already],
        "applied": str(applied) if applied is not None and result.placed else None,
        "output": str(output) if output is not None and result.placed else None,
    }
