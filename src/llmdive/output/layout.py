"""Layout: the columns text takes (cells), wrapping at spaces, folding what is too long,
and `Grid`, the rows of lined-up columns every listing is made of.

Nothing here writes: a `Grid` lays out for, and writes through, any `Lines` (the
terminal's `Writer`). Every part is measured as `safe` will show it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from llmdive.model.text import safe

# A part of a line: plain text, or (text, rich style), or (text, rich style, hyperlink URL).
Part = str | tuple[str, str] | tuple[str, str, str]


class Lines(Protocol):
    """Where a `Grid` writes: a width to lay out for (None: a pipe), and lines of parts."""

    width: int | None
    urls: bool
    styled: bool

    def line(self, *parts: Part) -> None: ...

    def text(self, *parts: Part, indent: int = 0, hang: int | None = None) -> None: ...


def cells(text: str) -> int:
    """The columns `text` takes on a terminal: wide (East Asian) characters take two."""
    if text.isascii():
        return len(text)
    from unicodedata import combining, east_asian_width

    return sum(0 if combining(c) else 2 if east_asian_width(c) in "WF" else 1 for c in text)


class Whole(str):
    """Text never cut by `wrap` (an id, a URL): it takes its own line rather than break."""

    __slots__ = ()


def _norm(part: Part) -> tuple[str, str, str]:
    text, style, link = (part, "", "") if isinstance(part, str) else (*part, "")[:3]
    shown = safe(text)
    return (Whole(shown) if isinstance(text, Whole) else shown), style, link


def _shown_cells(part: Part) -> int:
    """The columns a part takes, shown (`_norm`'s text, without building it: every cell of
    every row of a listing is measured)."""
    return cells(safe(part if isinstance(part, str) else part[0]))


def _fold(word: str, first: int, rest: int) -> list[str]:
    """`word` in pieces of at most `first` columns, then `rest` (a wide character whole)."""
    pieces: list[str] = []
    start, used, room = 0, 0, max(first, 1)
    for k, c in enumerate(word):
        size = cells(c)
        if used + size > room and k > start:
            pieces.append(word[start:k])
            start, used, room = k, 0, max(rest, 1)
        used += size
    pieces.append(word[start:])
    return pieces


def _rstrip(parts: list[Part]) -> list[Part]:
    """A line without the padding at its end."""
    while parts and isinstance(parts[-1], str) and not parts[-1].strip():
        parts = parts[:-1]
    return parts


def wrap(parts: Sequence[Part], room: int | None, more: int | None = None) -> list[list[Part]]:
    """Lines of at most `room` columns (`more` after the first), broken at spaces.

    A word longer than a whole line is folded at the width (a 10,000-letter title word
    never makes a line wider than the terminal), except a `Whole` one: an id or a URL is
    never cut; it takes a line of its own and overflows only when it alone is wider.
    """
    norm = [_norm(p) for p in parts]
    if room is None or sum(cells(t) for t, _, _ in norm) <= room:
        return [list(norm)]
    more = room if more is None else more
    lines: list[list[Part]] = []
    line: list[tuple[str, str, str]] = []
    used = 0
    spaces = 0
    for text, style, link in norm:
        for k, word in enumerate(text.split(" ")):
            if k:
                spaces += 1
            if not word:
                continue
            size = cells(word)
            if size > more and not isinstance(text, Whole):
                # Too long for any line: fill this one, then whole lines of it.
                gap = " " * spaces if line else ""
                left = room - used - len(gap)
                if left < min(8, more):  # too little room here: start on the next line
                    if line:
                        lines.append(list(line))
                    line, used, spaces, room, gap, left = [], 0, 0, more, "", more
                *full, word = _fold(word, left, more)
                for piece in full:
                    if gap:
                        line.append((gap, "", ""))
                    line.append((piece, style, link))
                    lines.append(list(line))
                    line, used, room, gap = [], 0, more, ""
                size, spaces = cells(word), len(gap)
            if line and spaces and used + spaces + size > room:
                lines.append(list(line))
                line, used, spaces, room = [], 0, 0, more
            gap = " " * spaces if line else ""
            if line and line[-1][1:] == (style, link):
                line[-1] = (line[-1][0] + gap + word, style, link)
            else:
                if gap:
                    line.append((gap, "", ""))
                line.append((word, style, link))
            used += len(gap) + size
            spaces = 0
    lines.append(list(line))
    return lines


def parts_width(parts: Sequence[Part]) -> int:
    """The columns a line of parts takes, shown."""
    return sum(map(_shown_cells, parts))


def widest(values: Iterable[str], at_least: int = 0) -> int:
    values = list(values)
    joined = "".join(values)
    if joined.isascii() and joined.isprintable():  # the usual case: each a column a character
        return max(map(len, values), default=at_least) or at_least
    return max((cells(safe(v)) for v in values), default=at_least) or at_least


class Grid:
    """Rows of fixed-width columns and then one free text, laid out once for every row.

    The widths are the widest value of each column over all rows, so columns line up
    across the whole output. When the text would get less than `min_text` columns, the
    droppable columns go first (the highest `drop` first); when even that is not enough,
    the row is stacked: its columns on one line, the text wrapped below at `hang`. A URL
    (when the writer shows URLs) follows the text: on the same line in a pipe, else on a
    line of its own, never cut.

    `texts`, the widths of every row's text when known, lets a droppable column go
    before a text that would fit without it wraps. `urls`, every row's URL when known,
    puts them all at one indent: under the text when each that can fit fits there,
    else at `hang`.
    """

    def __init__(
        self,
        w: Lines,
        widths: Sequence[int],
        gaps: Sequence[int] | None = None,
        drops: Sequence[int] | None = None,
        lead: int = 0,
        min_text: int = 24,
        hang: int = 4,
        texts: Sequence[int] = (),
        urls: Sequence[str] = (),
    ) -> None:
        self.w = w
        self.widths = list(widths)
        self.gaps = list(gaps) if gaps is not None else [2] * len(self.widths)
        drops = list(drops) if drops is not None else [0] * len(self.widths)
        self.keep = [True] * len(self.widths)
        self.lead = lead
        self.hang = hang
        self.stacked = False
        if w.width is not None:
            order = sorted((d, -i) for i, d in enumerate(drops) if d > 0)
            while w.width - self._fixed() < min_text and order:
                self.keep[-order.pop()[1]] = False
            while order:  # a text that fits only without the column: the column goes
                room, col = w.width - self._fixed(), -order[-1][1]
                if not any(room < t <= room + self.widths[col] + self.gaps[col] for t in texts):
                    break
                self.keep[col] = False
                order.pop()
            self.stacked = w.width - self._fixed() < min_text
        self.text_at = self._fixed()
        self.url_at: int | None = None
        if w.width is not None and urls and not self.stacked:
            fitting = [n for u in urls if (n := cells(safe(u))) <= w.width - hang]
            self.url_at = (
                self.text_at if max(fitting, default=0) <= w.width - self.text_at else hang
            )

    def _fixed(self) -> int:
        return self.lead + sum(
            wd + g for wd, g, k in zip(self.widths, self.gaps, self.keep, strict=True) if k
        )

    @property
    def whole(self) -> bool:
        """Every column kept, on one line with its text."""
        return all(self.keep) and not self.stacked

    def row(
        self,
        cells_: Sequence[Part | Sequence[Part]],
        text: Sequence[Part] = (),
        url: str | None = None,
    ) -> None:
        w = self.w
        if w.width is None and not w.styled:
            self._plain_row(cells_, text, url)
            return
        line: list[Part] = [" " * self.lead] if self.lead else []
        kept: list[tuple[list[Part], int, int]] = []
        for value, width, gap, keep in zip(cells_, self.widths, self.gaps, self.keep, strict=True):
            if not keep:
                continue
            parts = [value] if isinstance(value, (str, tuple)) else list(value)
            size = sum(_shown_cells(p) for p in parts)
            kept.append((parts, size, gap))
            line += parts
            line.append(" " * (max(width - size, 0) + gap))
        flowed: list[list[Part]] = []
        if self.stacked and w.width is not None and self.text_at - self.gaps[-1] > w.width:
            # Even the columns alone are too wide: flow them over lines, each value whole.
            line, used = [" " * self.lead], self.lead
            for parts, size, gap in kept:
                if used > self.hang and used + size > w.width:
                    flowed.append(line)
                    line, used = [" " * self.hang], self.hang
                line += [*parts, " " * gap]
                used += size + gap
        shown_url = url if url is not None and w.urls else None
        if w.width is None:
            tail: list[Part] = [("  " + shown_url, "dim")] if shown_url else []
            w.line(*line, *text, *tail)
            return
        if self.stacked:
            for done in [*flowed, line]:
                w.line(*_rstrip(done))
            if text:
                w.text(*text, indent=self.hang)
        else:
            lines = wrap(text, w.width - self.text_at)
            w.line(*line, *lines[0])
            pad = " " * self.text_at
            for rest in lines[1:]:
                w.line(pad, *rest)
        if shown_url:
            at = self.hang if self.stacked else self.text_at
            if self.url_at is not None:
                at = self.url_at
            elif at + cells(safe(shown_url)) > w.width:
                at = min(at, self.hang)
            w.line(" " * at, (shown_url, "dim"))

    def _plain_row(
        self, cells_: Sequence[Part | Sequence[Part]], text: Sequence[Part], url: str | None
    ) -> None:
        """`row` for a pipe (no width, no style): the same text, as one string. A listing
        of 100,000 links writes 100,000 of these."""
        out = [" " * self.lead]
        for value, width, gap, keep in zip(cells_, self.widths, self.gaps, self.keep, strict=True):
            if keep:
                shown = _plain(value) if isinstance(value, (str, tuple)) else _plains(value)
                out += (shown, " " * (max(width - cells(safe(shown)), 0) + gap))
        out.append(_plains(text))
        if url is not None and self.w.urls:
            out.append("  " + url)
        self.w.line("".join(out))


def _plain(part: Part) -> str:
    return part if isinstance(part, str) else part[0]


def _plains(parts: Sequence[Part]) -> str:
    return "".join(map(_plain, parts))
