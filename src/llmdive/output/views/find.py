"""What `search` and `open` print."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from llmdive.find.search import highlight, related_matches
from llmdive.model.vocab import Status
from llmdive.output.layout import Grid, Part, Whole, widest
from llmdive.output.terminal import Writer
from llmdive.output.views.common import (
    check_mark,
    link_cells,
    link_cols,
    note_line,
    rated_guides,
    section_path,
    stale_hint,
)

if TYPE_CHECKING:
    from llmdive.find.search import Hit
    from llmdive.guide.catalogue import Item
    from llmdive.model.models import Topic
    from llmdive.net.linkmarks import Marks


MATCH_STYLE = "bold yellow"


def _marked(pieces: Iterable[tuple[str, bool]], style: str = "", link: str = "") -> list[Part]:
    """Pieces of a text, the matched ones in MATCH_STYLE (plain text shows no marks)."""
    parts: list[Part] = []
    for text, hit in pieces:
        chosen = MATCH_STYLE if hit else style
        parts.append((text, chosen, link) if link else (text, chosen))
    return parts


def render_search(
    w: Writer,
    hits: Sequence[Hit],
    states: dict[str, Status],
    notes: dict[str, str],
    query: str,
    marks: Marks | None = None,
    topics: Sequence[tuple[Topic, ...]] = (),
    topic_words: Iterable[str] = (),
) -> None:
    """Best match first: the link's row, then where it sits (and the note, if it matched).

    Then the matching `topics` that have no links yet, so that a heading is never missed.
    """

    if not hits:
        w.line((f"No link matches {query!r}.", "dim"))
        _empty_topics(w, topics, topic_words)
        return
    widths, gaps = link_cols(w, [h.item for h in hits])
    kinds = widest(h.item.kind for h in hits)
    grid = Grid(w, [*widths, kinds], [*gaps, 2], drops=[0, 0, 0, 1], lead=2, hang=6)
    indent = 2 + widths[0] + gaps[0]  # under the id
    several = len({h.item.guide for h in hits}) > 1  # then each says its guide
    rating = rated_guides(h.item for h in hits)
    for hit in hits:
        item, link = hit.item, hit.item.link
        status = states.get(link.id, Status.UNREAD)
        title = _marked(highlight(link.title, hit.matched), link=link.url if w.styled else "")
        grid.row(
            link_cells(item, status, w, item.guide in rating),
            [
                *title,
                *([(" (personal)", "magenta")] if link.personal else []),
                *check_mark(marks, link.id),
            ],
            link.url,
        )
        where = _marked(highlight(section_path(item.path), hit.matched), "dim")
        w.text(*([(f"{item.guide} · ", "dim")] if several else []), *where, indent=indent)
        if "url" in hit.fields and not w.urls:
            pieces = [(Whole(t), hit_) for t, hit_ in highlight(link.url, hit.matched)]
            w.text(*_marked(pieces, "dim"), indent=indent)
        for related in related_matches(hit):
            # What matched is one of the link's related links: say which, URL whole.
            shown = [(Whole(t), m) for t, m in highlight(related.url, hit.matched)]
            w.text(
                ("related: ", "dim"),
                *_marked(
                    highlight(related.title, hit.matched), link=related.url if w.styled else ""
                ),
                "  ",
                *_marked(shown, "dim"),
                indent=indent,
                hang=indent + 9,
            )
        if "note" in hit.fields:
            lines = [(note_line(t), m) for t, m in highlight(notes[link.id], hit.matched)]
            note = _marked(lines)
            w.text(("note: ", "dim"), *note, indent=indent, hang=indent + 6)
    _empty_topics(w, topics, topic_words)
    stale_hint(w, marks, (h.item.link.id for h in hits))


def _empty_topics(w: Writer, topics: Sequence[tuple[Topic, ...]], matched: Iterable[str]) -> None:

    for path in topics:
        w.text(
            ("topic ", "dim"),
            *_marked(highlight(section_path(path), matched)),
            (" (no links yet)", "dim"),
            indent=2,
            hang=4,
        )


def render_opened(w: Writer, item: Item) -> None:
    """What `open` hands the browser: the title, then the whole URL on a line of its own."""
    w.line((item.link.title, "bold"))
    w.line(item.link.url)
