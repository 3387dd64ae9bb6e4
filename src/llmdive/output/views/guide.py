"""What `guide update`, `guide reset`, `guide status` and `whatsnew` print."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from llmdive.model.vocab import Status, counted
from llmdive.output.layout import Grid, widest
from llmdive.output.terminal import Writer, ago, local, local_time
from llmdive.output.views.common import (
    badge,
    badge_width,
    title_part,
)

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Item
    from llmdive.guide.followed import Followed
    from llmdive.guide.update import Report
    from llmdive.model.models import Topic
    from llmdive.record.guides import Row


REPORT_LABELS = {
    "added": ("+ added", "green"),
    "returned": ("↺ back", "green"),
    "removed": ("- removed", "red"),
    "retitled": ("~ retitled", "yellow"),
    "moved": ("→ moved", "cyan"),
    "rebadged": ("★ re-badged", "magenta"),
    "url_changed": ("⇄ new URL", "blue"),
    "related_changed": ("± related", "blue"),
}
# How the closing tally counts a kind, where its label's word alone would not say it.
COUNT_WORDS = {"related_changed": "with related links changed"}


def render_report(w: Writer, report: Report, dry_run: bool, refused: bool = False) -> None:
    """What a guide update changes (or would change, on a dry run or refused), and what it
    means for progress."""
    dry_run = dry_run or refused
    if report.source == "bundled":  # guide reset
        head = "Would go back to" if dry_run else "Back to"
        w.text((f"{head} the guide bundled with llmdive", "bold"), hang=2)
    else:
        head = "Would update" if dry_run else "Updated"
        w.text((f"{head} the guide from {report.source}", "bold"), hang=2)
    if report.guide_unread:
        w.line(("  What changes is not known: the guide in use cannot be read.", "dim"))
    elif not report.changed and not report.ambiguous:
        w.line(("  No link changed.", "dim"))
    ids = [c.id for kind in REPORT_LABELS for c in getattr(report, kind)]
    grid = Grid(w, [11, widest(ids)], [1, 2], lead=2, hang=6)
    for kind, (label, style) in REPORT_LABELS.items():
        for c in getattr(report, kind):
            progress = f"  (you: {c.status.value})" if c.status is not Status.UNREAD else ""
            if kind == "related_changed":  # the related links it lost and gained
                detail = "  ".join(
                    f"{sign} {t}" for sign, t in (("-", c.before), ("+", c.after)) if t
                )
            else:
                detail = c.title if c.before is None else f"{c.before}  →  {c.after}"
            grid.row([(label, style), (c.id, "cyan")], [detail, (progress, "bold")])
    for a in report.ambiguous:
        w.text(
            "  ",
            ("? unsure", "bold yellow"),
            "    ",
            f"{a['new']!r} could continue {' or '.join(a['candidates'])}: "
            "kept apart (new id; old ones listed as removed)",
            hang=6,
        )
    counts = ", ".join(
        f"{len(getattr(report, k))} {COUNT_WORDS.get(k) or REPORT_LABELS[k][0].split(' ', 1)[1]}"
        for k in REPORT_LABELS
        if getattr(report, k)
    )
    if counts:
        w.line()
        w.text((counts + ".", "dim"))
    kept = [c for c in report.removed if c.status is not Status.UNREAD]
    if kept:
        w.text(
            (
                f"Your progress on {counted(len(kept), 'removed link')} stays in progress.json "
                "(`llmdive progress` lists it).",
                "dim",
            )
        )
    if dry_run:
        w.line(
            ("Refused: nothing was changed." if refused else "Dry run: nothing was changed.", "dim")
        )


def render_whatsnew(w: Writer, groups: Sequence[tuple[Topic, list[tuple[Item, str]]]]) -> None:
    if not groups:
        w.text(("Nothing new and unread. `llmdive guide update` fetches a newer guide.", "dim"))
        return
    items = [item for _, rows in groups for item, _ in rows]
    grid = Grid(
        w,
        [widest(i.link.id for i in items), badge_width(w.styled), 10],
        drops=[0, 0, 1],
        lead=2,
        hang=6,
    )
    for section, rows in groups:
        w.text((f"{section.title} ({len(rows)} new)", "bold"), hang=2)
        for item, added in rows:
            day = f"{local(datetime.fromisoformat(added)):%Y-%m-%d}"
            grid.row(
                [(item.link.id, "cyan"), badge(item.link.difficulty, w.styled), (day, "dim")],
                title_part(item, w),
                item.link.url,
            )


def render_status(w: Writer, data: dict[str, Any]) -> None:
    w.line(
        ("catalogue  ", "dim"),
        f"{data['catalogue']} ({data['kind']}, {counted(data['links'], 'link')})",
    )
    if data["kind"] == "updated":
        w.line(("from       ", "dim"), str(data["source"]))
        n = data["updates"]
        so_far = f"{counted(n, 'update')} so far"
        if data["updated"]:
            at = datetime.fromisoformat(data["updated"])
            w.line(("updated    ", "dim"), f"{local_time(at, zone=True)} ({ago(at)}; {so_far})")
        else:
            w.line(("updated    ", "dim"), f"never ({so_far})")


def render_directory(w: Writer) -> None:
    """`guide add` alone: the reading lists llmdive knows by name."""
    from llmdive.guide.followed import DIRECTORY, github_readme

    w.text(("Reading lists `llmdive guide add NAME` follows by name:", "bold"))
    grid = Grid(w, [widest(n for n, _, _ in DIRECTORY)], lead=2, hang=4)
    for name, about, repo in DIRECTORY:
        grid.row([(name, "cyan")], [about, ("  " + github_readme(repo), "dim")])
    w.line()
    w.text(
        (
            "Any other list: `llmdive guide add NAME SOURCE` (a URL, a file, a clone, owner/repo).",
            "dim",
        )
    )


def render_followed(w: Writer, followed: Followed, found: str) -> None:
    """`guide add NAME`: what is followed now."""
    w.text((f"Following {followed.name}", "bold"), f": {found}, from {followed.source}", hang=2)
    w.text(
        (
            f"Its links are in list, toc, search and next; `--guide {followed.name}` shows "
            "them alone.",
            "dim",
        ),
        hang=2,
    )


def render_guides(w: Writer, rows: Sequence[Row]) -> None:
    """`guide list`: each guide, its size, your progress, its source and last update."""
    sizes = [counted(r.links, "link") for r in rows]
    dones = [f"{r.read}/{r.links} read" for r in rows]
    grid = Grid(w, [widest(r.name for r in rows), widest(sizes), widest(dones)], hang=4)
    for r in rows:
        updated = "never updated"
        if r.updated:
            updated = f"updated {ago(datetime.fromisoformat(r.updated))}"
        done = f"{r.read}/{r.links} read"
        grid.row(
            [(r.name, "cyan"), counted(r.links, "link"), (done, "bold")],
            [r.title, (f"  {r.source} · {updated}", "dim")],
        )
