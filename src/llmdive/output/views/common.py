"""Pieces every view shares: badges, status marks, titles, bars, section paths, check marks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from llmdive.model.vocab import Difficulty, Status
from llmdive.output.layout import Grid, Part, Whole, parts_width, widest
from llmdive.output.terminal import Writer

if TYPE_CHECKING:
    from llmdive.find.offers import Offer
    from llmdive.guide.catalogue import Item
    from llmdive.model.models import Topic
    from llmdive.net.durations import Timing
    from llmdive.net.linkmarks import Marks
    from llmdive.record.progress import Change


BADGE_STYLE = {
    Difficulty.EASY: "bold black on green",
    Difficulty.MEDIUM: "bold black on yellow",
    Difficulty.HARD: "bold white on red",
    Difficulty.UNRATED: "dim",
}
STATUS_MARK = {Status.UNREAD: "·", Status.READING: "▸", Status.READ: "✓", Status.SKIPPED: "–"}
STATUS_STYLE = {
    Status.UNREAD: "dim",
    Status.READING: "bold cyan",
    Status.READ: "green",
    Status.SKIPPED: "dim",
}
SEP = " › "
BAR_WIDTH = 24

# A link's last check: the word shown for it, and its style.
CHECK_LABEL = {
    "ok": ("✓ ok", "green"),
    "redirected": ("↪ redirected", "yellow"),
    "dead": ("✗ dead", "bold red"),
    "unknown": ("? unknown", "dim"),
}


def badge(difficulty: Difficulty, styled: bool) -> list[Part]:
    """A coloured ' Easy ' block on a terminal, a plain word otherwise (unpadded)."""
    word = difficulty.value.capitalize()
    return [(f" {word} ", BADGE_STYLE[difficulty])] if styled else [word]


def badge_width(styled: bool) -> int:
    return len(" Unrated ") if styled else len("Unrated")


def rated(items: Iterable[Item]) -> bool:
    """Does any of these links have a difficulty? When none has (a list that rates
    nothing), no column says 'Unrated' on every line: it is left out."""
    return bool(rated_guides(items))


def rated_guides(items: Iterable[Item]) -> set[str]:
    """The guides some of these links rate: a link of a guide that rates nothing shows no
    'Unrated' even where others' links show their difficulty."""
    return {i.guide for i in items if i.link.difficulty is not Difficulty.UNRATED}


def link_cells(
    item: Item, status: Status, w: Writer, shown: bool = True
) -> list[Part | list[Part]]:
    """The columns of a link's row in list and search: status, id, difficulty (empty when
    not `shown`: see `rated`), kind."""
    link = item.link
    return [
        status_mark(status),
        (link.id, "cyan"),
        badge(link.difficulty, w.styled) if shown else [],
        (item.kind, "dim"),
    ]


def time_part(timing: Timing | None, item: Item) -> list[Part]:
    """What a row of list or next adds for a link's known duration: `[25m]` measured,
    `[45m set]` set by the reader; nothing when unknown."""
    seconds, source = timing.of(item) if timing is not None else (None, None)
    if seconds is None:
        return []
    from llmdive.model.timespec import format_duration

    said = format_duration(seconds) + (" set" if source == "set" else "")
    return [(f"  [{said}]", "dim")]


def time_words(timing: Timing, item: Item) -> str:
    """show's words for a link's time: how long, from where, and what it took."""
    from llmdive.model.timespec import format_duration

    seconds, source = timing.of(item)
    if seconds is None:
        said = f"unknown (`llmdive estimate {item.link.id} 45m` sets it)"
    else:
        how = "set by you" if source == "set" else "measured by check-links --durations"
        said = f"{format_duration(seconds)} ({how})"
    spent = timing.took(item)
    return said + (f"; took {format_duration(spent)} from start to read" if spent else "")


def status_mark(status: Status) -> Part:
    return (STATUS_MARK[status], STATUS_STYLE[status])


def title_part(item: Item, w: Writer, style: str = "") -> list[Part]:
    """A link's title (a hyperlink on a terminal), marked when it is one of the reader's."""
    link = item.link
    parts: list[Part] = [(link.title, style, link.url) if w.styled else link.title]
    if link.personal:
        parts.append((" (personal)", "magenta"))
    return parts


def bar(fraction: float, width: int = BAR_WIDTH) -> list[Part]:
    filled = round(fraction * width)
    return [("█" * filled, "green"), ("░" * (width - filled), "grey37")]


def section_path(path: Sequence[Topic]) -> str:
    return SEP.join(t.title for t in path)


def note_line(note: str) -> str:
    """A note on one line, as every one-line view shows it: each line break as ↵."""
    return note.replace("\r\n", "\n").replace("\n", " ↵ ")


def link_cols(w: Writer, items: Sequence[Item]) -> tuple[list[int], list[int]]:
    """Widths and gaps of the mark, id and badge columns shared by link listings (no
    badge column when no link is `rated`)."""
    if not rated(items):
        return [1, widest(i.link.id for i in items), 0], [1, 2, 0]
    gaps = [1, 2, 1 if w.styled else 3]
    return [1, widest(i.link.id for i in items), badge_width(w.styled)], gaps


def render_advice(
    w: Writer, path: Sequence[Topic], indent: int = 0, *, brief: bool = False
) -> bool:
    """The guide's own words on these headings: each one's description and tip (if any).

    A description of several paragraphs (a real list's section intro) is shown one wrapped
    paragraph a line, its line breaks kept as line breaks; `brief` (the table of contents)
    shows only its first paragraph (of a tip too).
    """
    said = False
    for topic in path:
        said = said or bool(topic.description or topic.tip)
        paragraphs = [p for p in topic.description.split("\n") if p.strip()]
        for paragraph in paragraphs[:1] if brief else paragraphs:
            w.text((paragraph.strip(), "italic"), indent=indent)
        tips = [p.strip() for p in topic.tip.split("\n") if p.strip()]
        for n, tip in enumerate(tips[:1] if brief else tips):
            lead = ("Tip: " if n == 0 else "     ", "bold")
            w.text(lead, (tip, "italic"), indent=indent, hang=indent + 5)
    return said


def check_mark(marks: Marks | None, link_id: str) -> list[Part]:
    """What a line of list or next adds for a link last found dead or redirected."""
    result = marks.result(link_id) if marks is not None else None
    if marks is None or result not in ("dead", "redirected"):
        return []
    stale = ", stale" if marks.stale(link_id) else ""
    return [(f"  [{result}{stale}]", CHECK_LABEL[result][1])]


def stale_hint(w: Writer, marks: Marks | None, ids: Iterable[str]) -> None:
    """One closing line when a mark shown comes from a check more than a week old."""
    if marks is None:
        return
    for i in ids:
        if marks.result(i) in ("dead", "redirected") and marks.stale(i):
            w.line()
            w.line(
                (
                    "stale: last checked more than a week ago; `llmdive check-links` checks again",
                    "dim",
                )
            )
            return


def render_changes(w: Writer, changes: Iterable[Change]) -> None:
    changes = list(changes)

    def moved(c: Change) -> list[Part]:
        if c.changed:
            return [f"{c.before.value} → ", (c.after.value, "bold")]
        return [f"already {c.after.value}"]

    steps = [moved(c) for c in changes]
    grid = Grid(
        w,
        [1, widest(c.id for c in changes), max((parts_width(s) for s in steps), default=0)],
        [1, 2, 2],
        min_text=16,
        hang=4,
    )
    for c, step in zip(changes, steps, strict=True):
        grid.row([status_mark(c.after), (c.id, "cyan"), step], [c.title])


def render_offers(w: Writer, offers: Sequence[Offer], indent: int) -> None:
    """The links other guides offer a heading, dimmed, each with its guide and the id to type:

    offered: Attention? Attention! (llm-course)  attention-attention
    """
    for offer in offers:
        c = offer.candidate
        title: Part = (c.title, "dim", c.url) if w.styled else c.title
        w.text(
            ("offered: ", "dim"),
            title,
            (f" ({c.guide})", "dim"),
            "  ",
            (Whole(c.id), "dim cyan"),
            indent=indent,
            hang=indent + 4,
        )
