"""What `list`, `toc` and `show` print."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from llmdive.model.text import safe
from llmdive.model.vocab import Difficulty, Status
from llmdive.output.layout import Grid, Part, Whole, cells, parts_width, widest
from llmdive.output.terminal import Writer, ago, local_time
from llmdive.output.views.common import (
    CHECK_LABEL,
    badge,
    badge_width,
    check_mark,
    link_cells,
    link_cols,
    rated_guides,
    render_advice,
    render_offers,
    section_path,
    stale_hint,
    status_mark,
    time_part,
    time_words,
    title_part,
)

if TYPE_CHECKING:
    from llmdive.find.offers import Offer
    from llmdive.guide.catalogue import Catalogue, Item
    from llmdive.model.models import Entry, Topic
    from llmdive.net.durations import Timing
    from llmdive.net.linkmarks import Marks


def render_list(
    w: Writer,
    items: Sequence[Item],
    states: dict[str, Status],
    marks: Marks | None = None,
    empty: str = "No links match.",
    advice: Sequence[Topic] | None = None,
    timing: Timing | None = None,
) -> None:
    if advice and render_advice(w, advice):
        w.line()
    if not items:
        w.line((empty, "dim"))
        return
    widths, gaps = link_cols(w, items)
    kinds = widest(i.kind for i in items)
    # The texts' widths and the URLs lay out a terminal's columns; a pipe has none.
    laid_out = w.width is not None
    grid = Grid(
        w,
        [*widths, kinds],
        [*gaps, 2],
        drops=[0, 0, 0, 1],
        lead=2,
        hang=6,
        texts=[
            parts_width([*title_part(i, w), *time_part(timing, i), *check_mark(marks, i.link.id)])
            for i in items
        ]
        if laid_out
        else (),
        urls=[i.link.url for i in items] if laid_out else (),
    )
    last_path: tuple[Topic, ...] | None = None
    several = len({i.guide for i in items}) > 1  # then each heading says its guide
    rating = rated_guides(items)
    if not laid_out and not w.styled:
        _piped_rows(w, items, states, marks, timing, grid, several, rating)
        stale_hint(w, marks, (i.link.id for i in items))
        return
    for item in items:
        if last_path is None or item.path[-1] is not last_path[-1]:
            if last_path is not None:
                w.line()
            where = f"{item.guide} · " if several else ""
            w.text((where + section_path(item.path), "bold"), hang=2)
            last_path = item.path
        link = item.link
        status = states.get(link.id, Status.UNREAD)
        grid.row(
            link_cells(item, status, w, item.guide in rating),
            [
                *title_part(item, w, "dim" if status is Status.SKIPPED else ""),
                *time_part(timing, item),
                *check_mark(marks, link.id),
            ],
            link.url,
        )
    stale_hint(w, marks, (i.link.id for i in items))


def _piped_rows(
    w: Writer,
    items: Sequence[Item],
    states: dict[str, Status],
    marks: Marks | None,
    timing: Timing | None,
    grid: Grid,
    several: bool,
    rating: set[str],
) -> None:
    """`render_list`'s loop for a pipe (no width, no style): each row the very line
    `Grid.row` writes there, as one string built from its few parts (a listing of 100,000
    links writes 100,000 rows; building each row's parts and measuring them took most of
    its time). The columns that repeat (mark, badge, kind) are padded once per value."""
    (mark_w, id_w, badge_w, kind_w), (mark_g, id_g, badge_g, kind_g) = grid.widths, grid.gaps

    def padded(text: str, width: int, gap: int) -> str:
        size = len(text) if text.isascii() and text.isprintable() else cells(safe(text))
        return text + " " * (max(width - size, 0) + gap)

    lead = " " * grid.lead
    marks_of = {s: lead + padded(status_mark(s)[0], mark_w, mark_g) for s in Status}
    badges: dict[tuple[Difficulty, bool], str] = {}
    kinds: dict[str, str] = {}
    urls = w.urls
    last_path: tuple[Topic, ...] | None = None
    for item in items:
        if last_path is None or item.path[-1] is not last_path[-1]:
            if last_path is not None:
                w.line()
            where = f"{item.guide} · " if several else ""
            w.text((where + section_path(item.path), "bold"), hang=2)
            last_path = item.path
        link = item.link
        link_id = link.id
        rated_here = item.guide in rating  # a guide that rates nothing says no "Unrated"
        badge_ = badges.get((link.difficulty, rated_here))
        if badge_ is None:
            word = link.difficulty.value.capitalize() if rated_here else ""  # badge(), unstyled
            badge_ = badges[link.difficulty, rated_here] = padded(word, badge_w, badge_g)
        kind = item.kind
        kind_ = kinds.get(kind)
        if kind_ is None:
            kind_ = kinds[kind] = padded(kind, kind_w, kind_g)
        row = [
            marks_of[states.get(link_id, Status.UNREAD)],
            padded(link_id, id_w, id_g),
            badge_,
            kind_,
            link.title,
        ]
        if link.personal:
            row.append(" (personal)")
        if timing is not None:
            row += map(_text, time_part(timing, item))
        if marks is not None:
            row += map(_text, check_mark(marks, link_id))
        if urls:
            row += ("  ", link.url)
        w.line("".join(row))


def _text(part: Part) -> str:
    return part if isinstance(part, str) else part[0]


def render_toc(
    w: Writer,
    catalogue: Catalogue,
    states: dict[str, Status],
    hide_empty: bool = False,
    offers: Mapping[int, Sequence[Offer]] | None = None,
) -> None:
    """Each heading with its tally, its advice and what other guides offer it (`offers`, by
    id() of the topic)."""
    # By heading, its links and those read at or below it: a pass over the headings and
    # one over the links read, not over every link (20,000 with 10 guides followed).
    counts: dict[int, list[int]] = {}
    for path, topic in catalogue.topics:
        for above in path:
            counts.setdefault(id(above), [0, 0])[0] += len(topic.links)
    by_id = catalogue.by_id
    for link_id, status in states.items():
        if status is Status.READ and link_id in by_id:
            for topic in by_id[link_id].path:
                counts[id(topic)][1] += 1
    w.text((catalogue.guide.title, "bold underline"))
    # Several guides: each guide's sections under its name.
    guide = None
    for path, topic in catalogue.topics:
        if catalogue.several and len(path) == 1 and catalogue.section_guide(topic) != guide:
            guide = catalogue.section_guide(topic)
            w.line()
            w.text((f"guide {guide}", "bold underline"))
        indent = 2 * (len(path) - 1)
        total, read = counts.get(id(topic), [0, 0])
        if hide_empty and not total:
            continue
        style = "bold" if len(path) == 1 else ""
        # No-break spaces: a tally is wrapped as a whole, never split over two lines.
        if total:
            tally: Part = (f"{read}/{total}\u00a0read", "green" if read == total else "")
        else:
            tally = ("no\u00a0links\u00a0yet:\u00a0contribute\u00a0one", "dim italic")
        w.text(
            (topic.title, style),
            "  ",
            (Whole(f"[{topic.slug}]"), "cyan"),
            "  ",
            tally,
            indent=indent,
            hang=indent + 4,
        )
        render_advice(w, [topic], indent + 4, brief=True)
        if offers and id(topic) in offers:
            render_offers(w, offers[id(topic)], indent + 4)


def render_show(
    w: Writer,
    item: Item,
    status: Status,
    entry: Entry | None,
    marks: Marks | None = None,
    also: Sequence[str] = (),
    badge_shown: bool = True,
    timing: Timing | None = None,
) -> None:
    """One link; `also`: the other guides that list it (its status is theirs too);
    `badge_shown`: the catalogue rates some link (else no 'Unrated')."""
    link = item.link
    if not badge_shown:
        w.line((link.id, "bold cyan"))
    elif w.width is not None and cells(link.id) + 2 + badge_width(w.styled) > w.width:
        w.line((link.id, "bold cyan"))  # a long id: the badge goes under it
        w.line("  ", *badge(link.difficulty, w.styled))
    else:
        w.line((link.id, "bold cyan"), "  ", *badge(link.difficulty, w.styled))
    grid = Grid(w, [7], [2], lead=2, min_text=12, hang=4)
    grid.row([("title", "dim")], title_part(item, w))
    grid.row([("url", "dim")], [Whole(link.url)])
    for n, related in enumerate(link.related):
        # Its title (a hyperlink on a terminal), then its URL, never cut: on this line
        # when both fit, else on the next.
        title: Part = (related.title, "", related.url) if w.styled else related.title
        grid.row([("related" if n == 0 else "", "dim")], [title, "  ", (Whole(related.url), "dim")])
    grid.row([("section", "dim")], [section_path(item.path)])
    grid.row([("kind", "dim")], [item.kind])
    changed = entry.changed_at if entry else None
    when = f"  since {local_time(changed, zone=True)} ({ago(changed)})" if changed else ""
    elsewhere = f" · also in {', '.join(also)}" if also else ""
    grid.row([("status", "dim")], [status_mark(status), f" {status.value}{elsewhere}{when}"])
    if timing is not None:
        grid.row([("time", "dim")], [time_words(timing, item)])
    if entry and entry.note:
        for n, line in enumerate(entry.note.split("\n")):
            grid.row([("note" if n == 0 else "", "dim")], [line])
    render_check_lines(w, marks, link.id)


def render_topic(
    w: Writer,
    catalogue: Catalogue,
    path: tuple[Topic, ...],
    states: dict[str, Status],
    offers: Sequence[Offer] = (),
    others: Sequence[tuple[str, str]] = (),
) -> None:
    """`show` of a heading: where it is, the guide's words on it, its tally, what the
    other followed guides offer it, and the headings of the same name, as (guide, slug)."""
    topic = path[-1]
    w.text((section_path(path), "bold"), "  ", (Whole(f"[{topic.slug}]"), "cyan"), hang=4)
    render_advice(w, [topic], 2)
    items = catalogue.items_under(path)
    if items:
        read = sum(1 for i in items if states.get(i.link.id) is Status.READ)
        done = "green" if read == len(items) else ""
        w.text(
            "  ",
            (f"{read}/{len(items)}\u00a0read", done),
            "  ",
            (f"llmdive list --section {topic.slug}", "dim"),
            hang=4,
        )
    else:
        w.line("  ", ("no links yet: contribute one", "dim italic"))
    render_offers(w, offers, 2)
    for guide, slug in others:
        w.text(
            "  ", (f"also in {guide}", "dim"), "  ", (Whole(f"llmdive show {slug}"), "dim"), hang=4
        )


def render_check_lines(w: Writer, marks: Marks | None, link_id: str) -> None:
    """show's lines for a link's last check, with the Web Archive for a dead link."""
    outcome = marks.get(link_id) if marks else None
    if marks is None or outcome is None:
        return
    label, style = CHECK_LABEL[outcome.result.value]
    if outcome.result.value == "redirected":
        what = f" ({outcome.redirects[0]['status']}) to {outcome.final_url}"
    else:
        what = f": {outcome.detail}" if outcome.detail else ""
    stale = ", over a week ago: stale" if outcome.is_stale() else ""
    when = f"  checked {local_time(outcome.checked_at, zone=True)}{stale}"
    # The rows of show's grid: wrapped under their text like the rows above them.
    grid = Grid(w, [7], [2], lead=2, min_text=12, hang=4)
    grid.row([("link", "dim")], [(label, style), what, (when, "dim")])
    archive = marks.archive(link_id)
    if archive:
        grid.row([("archive", "dim")], [(Whole(archive), "", archive)])
