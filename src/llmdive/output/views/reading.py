"""What `next`, `history`, `note` and the marks (`mark-read` and the others) print."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from llmdive.model.vocab import Status, counted
from llmdive.output.layout import Grid, Part, widest
from llmdive.output.terminal import Writer, ago, local_time
from llmdive.output.views.common import (
    badge,
    check_mark,
    link_cols,
    note_line,
    rated_guides,
    render_advice,
    render_changes,
    render_offers,
    status_mark,
    time_part,
    title_part,
)

if TYPE_CHECKING:
    from llmdive.find.offers import Offer
    from llmdive.find.planner import NextPick, Plan
    from llmdive.guide.catalogue import Catalogue, Item
    from llmdive.model.models import Topic
    from llmdive.net.durations import Timing
    from llmdive.net.linkmarks import Marks
    from llmdive.record.progress import Change, HistoryRow


def render_next(
    w: Writer,
    picks: Sequence[NextPick],
    states: dict[str, Status],
    marks: Marks | None = None,
    catalogue: Catalogue | None = None,
    advice: Sequence[Topic] | None = None,
    timing: Timing | None = None,
    offers: Mapping[int, Sequence[Offer]] | None = None,
) -> None:
    if advice and render_advice(w, advice):
        w.line()
    chosen = [i for p in picks for i in ((p.item,) if p.item else ()) + p.more]
    widths, gaps = link_cols(w, chosen)
    names = [p.path[-1].title for p in picks]
    if catalogue is not None and catalogue.several:  # each section says its guide
        names = [f"{catalogue.section_guide(p.path[0])} · {p.path[-1].title}" for p in picks]
    urls = [i.link.url for i in chosen]
    wide = Grid(w, [widest(names), *widths], [2, *gaps], urls=urls)
    # Too narrow for a section column: each section becomes a heading over its pick.
    grid = wide if wide.whole else Grid(w, widths, gaps, lead=2, hang=6, urls=urls)
    under = wide.widths[0] + 2 if grid is wide else 4
    rating = rated_guides(chosen)
    for pick, name in zip(picks, names, strict=True):
        if grid is not wide:
            w.text((name, "bold"), hang=2)
        head: list[Part | Sequence[Part]] = [(name, "bold")] if grid is wide else []
        if pick.item is None:
            gone = _nothing_next(pick, states, catalogue)
            w.line(*((name.ljust(wide.widths[0]), "bold"), "  ") if grid is wide else "  ", gone)
            render_passed(w, pick, under)
            if offers and id(pick.path[-1]) in offers:
                render_offers(w, offers[id(pick.path[-1])], under)
            continue
        for n, item in enumerate((pick.item, *pick.more)):
            link = item.link
            status = states.get(link.id, Status.UNREAD)
            lead = head if n == 0 or not head else [""]
            grid.row(
                [
                    *lead,
                    status_mark(status),
                    (link.id, "cyan"),
                    badge(link.difficulty, w.styled) if item.guide in rating else [],
                ],
                [*title_part(item, w), *time_part(timing, item), *check_mark(marks, link.id)],
                link.url,
            )
        render_passed(w, pick, under)
    if picks and all(p.item is None and not p.passed for p in picks):
        w.line()
        w.text(
            (
                "Nothing left to read here. `llmdive whatsnew` after a guide update "
                "shows new links.",
                "dim",
            )
        )


def render_plan(
    w: Writer,
    plan: Plan,
    states: dict[str, Status],
    timing: Timing,
    marks: Marks | None,
    left: int,
) -> None:
    """next --budget / --queue: the links in the path's order, and what was not counted."""
    from llmdive.model.timespec import format_duration  # start-up: not for plain `next`

    if plan.budget is not None:
        head = f"Within {format_duration(plan.budget)}, in the learning path's order"
        said = f"{head}: {format_duration(plan.planned)} planned" if plan.links else head
    else:
        said = f"The reading list as one path: {counted(left, 'link')} to go"
        if len(plan.links) < left:
            said += f", the first {len(plan.links)} here"
    w.text((said, "bold"))
    widths, gaps = link_cols(w, [*plan.links, *plan.unknown, *plan.too_long])
    grid = Grid(w, widths, gaps, lead=2, hang=6, urls=[i.link.url for i in plan.links])
    for item in plan.links:
        link = item.link
        grid.row(
            [
                status_mark(states.get(link.id, Status.UNREAD)),
                (link.id, "cyan"),
                badge(link.difficulty, w.styled),
            ],  # fmt: skip
            [*title_part(item, w), *time_part(timing, item), *check_mark(marks, link.id)],
            link.url,
        )
    if plan.budget is not None and not plan.links:
        w.text(("  Nothing of a known length fits.", "dim"))
    if plan.too_long:
        longer = ", ".join(
            f"{i.link.id} ({format_duration(timing.seconds(i) or 0)})" for i in plan.too_long
        )
        w.text(("Longer than the time left, passed over: ", "dim"), longer, hang=2)
    if plan.unknown:
        ids = ", ".join(i.link.id for i in plan.unknown)
        w.text(("Length unknown, not counted: ", "dim"), ids, hang=2)
        w.text(
            (
                "  `llmdive check-links --durations` measures lengths; "
                "`llmdive estimate ID 45m` sets one.",
                "dim",
            ),
            hang=4,
        )


def _nothing_next(pick: NextPick, states: dict[str, Status], catalogue: Catalogue | None) -> Part:
    """Why a section offers nothing: no links yet, all skipped, only dead links, or done."""
    if pick.passed:
        return ("only dead links left", "red")
    if catalogue is None:
        return ("✓ done", "green")
    found = [states.get(i.link.id, Status.UNREAD) for i in catalogue.items_under(pick.path)]
    if not found:
        return ("no links yet", "dim italic")
    if all(s is Status.SKIPPED for s in found):
        return ("– all skipped", "dim")
    if Status.SKIPPED in found:
        return ("✓ done (some skipped)", "green")
    return ("✓ done", "green")


def render_passed(w: Writer, pick: NextPick, indent: int) -> None:
    """next's line naming the dead links it passed over for a section."""
    if pick.passed:
        ids = ", ".join(i.link.id for i in pick.passed)
        w.line(
            " " * indent,
            (f"(passed over dead: {ids}; `llmdive show ID` for an archived copy)", "dim"),
        )


def render_marked(w: Writer, changes: Sequence[Change], skipped: int = 0) -> None:
    """What a mark over a whole section changed; the links already so, counted, not listed."""
    render_changes(w, [c for c in changes if c.changed])
    same = [c for c in changes if not c.changed]
    if same:
        state = same[0].after.value
        w.line((f"{counted(len(same), 'other link')} there already {state}.", "dim"))
    if skipped:
        w.line(
            (
                f"{counted(skipped, 'skipped link')} left alone (--include-skipped marks "
                f"{'it' if skipped == 1 else 'them'} too).",
                "dim",
            )
        )
    if not changes and not skipped:
        w.line(("No links there.", "dim"))


def render_history(
    w: Writer, rows: Sequence[HistoryRow], filtered: bool = False, one_link: bool = False
) -> None:
    if not rows:
        if filtered:
            said = "No change in that range."
        elif one_link:
            said = "No change on this link yet."
        else:
            said = "Nothing marked yet. Try `llmdive next`, then `llmdive mark-read ID`."
        w.text((said, "dim"))
        return
    now = datetime.now(UTC)
    words = [history_words(row) for row in rows]
    agos = [ago(row.at, now) for row in rows]
    grid = Grid(
        w,
        [16, widest(agos), 1, widest(x[1] for x in words), widest(r.id for r in rows)],
        [2, 2, 1, 2, 2],
        drops=[0, 0, 0, 1, 0],
        hang=4,
    )
    for row, (mark, what, detail), when in zip(rows, words, agos, strict=True):
        grid.row(
            [(local_time(row.at), "dim"), (when, "dim"), mark, what, (row.id, "cyan")],
            [row.title, (detail, "dim")],
        )


def history_words(row: HistoryRow) -> tuple[Part, str, str]:
    """The mark, the word and the detail of one history row."""
    if row.undo is not None:
        restored = [f"back to {row.status.value}"] if row.status else []
        if row.note is not None:
            restored.append("note restored" if row.note else "note removed")
        if row.link is not None:
            restored.append("link removed" if row.link == "removed" else "link restored")
        if row.estimate is not None:
            restored.append("estimate restored" if row.estimate else "estimate removed")
        return ("↶", "bold yellow"), "undo", f"  ({', '.join(restored)})"
    if row.status is not None:
        return status_mark(row.status), row.status.value, ""
    if row.estimate is not None and row.link is None:
        from llmdive.model.timespec import format_duration

        said = f"  {format_duration(row.estimate)}" if row.estimate else "  (cleared)"
        return ("⏱", "cyan"), "estimate", said
    if row.note is not None:
        note = note_line(row.note)  # a note of several lines stays on its row
        return ("✎", "cyan"), "note", f"  {note}" if note else "  (removed)"
    mark = {"added": "+", "removed": "-"}.get(row.link or "", "~")
    return (mark, "magenta"), row.link or "", "  (personal)"


def render_note(w: Writer, item: Item, note: str | None) -> None:
    """`note ID` with no text: the note, or that there is none."""
    if note is None:
        w.line(
            ("no note on ", "dim"),
            (item.link.id, "cyan"),
            (f' (add one: llmdive note {item.link.id} "...")', "dim"),
        )
        return
    for line in note.splitlines() or [""]:
        w.text(line)
