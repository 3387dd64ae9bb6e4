"""How results look: styled lines for a terminal, plain lines for a pipe, JSON for scripts.

Output is streamed line by line rather than laid out as a Rich Table: a table must
measure every cell before printing anything, which takes seconds at 10,000 rows.
Rich is imported only when the output goes to a terminal that wants colour.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from llmdive.slugs import url_kind
from llmdive.textsafe import _BEYOND_C0, _CONTROL
from llmdive.textsafe import safe as safe  # the one door for text going out
from llmdive.vocab import Difficulty, Status, counted

if TYPE_CHECKING:
    from llmdive.catalogue import Catalogue, Item
    from llmdive.linkmarks import Marks, Outcome
    from llmdive.models import Entry, Topic
    from llmdive.personal import PersonalLink
    from llmdive.planner import NextPick, Summary, Tally
    from llmdive.progress import Change, HistoryRow
    from llmdive.search import Hit
    from llmdive.undo import Undone

# A part of a line: plain text, or (text, rich style), or (text, rich style, hyperlink URL).
Part = str | tuple[str, str] | tuple[str, str, str]

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


# ---------------------------------------------------------------- the door for text going out

# In JSON, C0 controls are escaped by the encoder already; these are the rest.
_JSON_UNSAFE = re.compile(f"[{_BEYOND_C0}]")


def note_line(note: str) -> str:
    """A note on one line, as every one-line view shows it: each line break as ↵."""
    return note.replace("\r\n", "\n").replace("\n", " ↵ ")


def safe_lines(text: str) -> list[str]:
    """Text that may hold several lines (a note, an error), each line made safe."""
    return [safe(line) for line in text.split("\n")]


def has_controls(text: str, allow_newlines: bool = False) -> bool:
    """Does `text` hold anything `safe` would escape (newlines allowed if asked)?"""
    if allow_newlines:
        text = text.replace("\n", "")
    return _CONTROL.search(text) is not None


def _link_target(url: str) -> str:
    """A URL fit for an OSC 8 hyperlink: printable ASCII only, the rest percent-encoded."""
    if url.isascii() and url.isprintable() and " " not in url:
        return url
    return "".join(
        c if "!" <= c <= "~" else "".join(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass"))
        for c in url
    )


def json_safe(text: str) -> str:
    """JSON text with C1 controls, DEL, bidi controls and lone surrogates as \\u escapes.

    The encoder escapes C0 controls already; only strings can hold the rest, and a
    \\uXXXX escape is valid in any JSON string, so the document means the same.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def wants_urls(styled: bool) -> bool:
    """Print URLs as text? Always in plain output; on a terminal, where links are not clickable.

    LLMDIVE_URLS=1 (or --urls) asks for them, LLMDIVE_URLS=0 for none. Otherwise they are
    shown where OSC 8 hyperlinks are known not to work: TERM=dumb, the Linux console,
    and inside tmux or screen, unless FORCE_HYPERLINK=1 says the terminal renders them.
    """
    if not styled:
        return True
    env = os.environ
    asked = env.get("LLMDIVE_URLS", "").strip().lower()
    if asked:
        return asked not in ("0", "no", "false", "off")
    if env.get("FORCE_HYPERLINK", "").strip() not in ("", "0"):
        return False
    term = env.get("TERM", "")
    return (
        term in ("dumb", "linux")
        or term.startswith(("screen", "tmux"))
        or bool(env.get("TMUX") or env.get("STY"))
    )


def wants_style(stream: IO[str]) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return _isatty(stream)


def _isatty(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def terminal_width(stream: IO[str]) -> int:
    """The width to lay out for: $COLUMNS when set, else the terminal's, else 80."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), 20)
    try:
        return max(os.get_terminal_size(stream.fileno()).columns, 20)
    except (AttributeError, ValueError, OSError):
        return 80


def cells(text: str) -> int:
    """The columns `text` takes on a terminal: wide (East Asian) characters take two."""
    if text.isascii():
        return len(text)
    from unicodedata import combining, east_asian_width

    return sum(0 if combining(c) else 2 if east_asian_width(c) in "WF" else 1 for c in text)


class Writer:
    """Writes lines as they come: plain text, or styled for a terminal.

    Every part of every line passes `safe` on its way out, so no renderer (llmdive's or
    one added later) can print a control from data. Styled lines use Rich's styles and
    colour-system detection, but are written directly (each style rendered to escape
    codes once, hyperlinks as OSC 8): 10,000 rows stay well under a second, where
    Rich's own Text/Table pipeline takes several. Lines are never cropped: renderers lay
    out for `width` (see `Grid`), and nothing an id or URL holds is ever cut.

    `width` is the terminal's on a terminal (or with colour forced), None in a pipe:
    piped output keeps one record a line, whatever its length, for grep and cut.
    `urls` says whether URLs are printed as text (always when not styled).
    """

    def __init__(
        self,
        stream: IO[str] | None = None,
        styled: bool | None = None,
        width: int | None | bool = True,
        urls: bool | None = None,
    ) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.styled = wants_style(self.stream) if styled is None else styled
        self.urls = wants_urls(self.styled) if urls is None else urls or not self.styled
        self.width: int | None
        if width is True:  # decide: a terminal (or forced colour) has a width, a pipe none
            tty = self.styled or _isatty(self.stream)
            self.width = terminal_width(self.stream) if tty else None
        else:
            self.width = None if width is False else width
        self._codes: dict[str, tuple[str, str]] = {}
        if self.styled:
            from rich.console import Console

            console = Console(file=self.stream, force_terminal=True)
            self._system = console.color_system or "standard"

    def _style(self, style: str) -> tuple[str, str]:
        """The escape codes that open and close `style`, rendered once per style."""
        codes = self._codes.get(style)
        if codes is None:
            from rich.color import ColorSystem
            from rich.style import Style

            system = {
                "standard": ColorSystem.STANDARD,
                "256": ColorSystem.EIGHT_BIT,
                "truecolor": ColorSystem.TRUECOLOR,
                "windows": ColorSystem.WINDOWS,
            }
            rendered = Style.parse(style).render("\0", color_system=system[self._system])
            before, _, after = rendered.partition("\0")
            codes = self._codes[style] = (before, after)
        return codes

    def line(self, *parts: Part) -> None:
        # A no-break space is a layout hint (`wrap` keeps the words it joins together):
        # it is written as a plain space.
        if not self.styled:
            text = "".join(p if isinstance(p, str) else p[0] for p in parts)
            self.stream.write(safe(text).rstrip().replace("\u00a0", " ") + "\n")
            return
        out: list[str] = []
        for part in parts:
            text, style, link = (part, "", "") if isinstance(part, str) else (*part, "")[:3]
            text = safe(text).replace("\u00a0", " ")
            if style:
                before, after = self._style(style)
                text = f"{before}{text}{after}"
            if link:
                text = f"\x1b]8;;{_link_target(link)}\x1b\\{text}\x1b]8;;\x1b\\"
            out.append(text)
        self.stream.write("".join(out) + "\n")

    def text(self, *parts: Part, indent: int = 0, hang: int | None = None) -> None:
        """Parts as running text, wrapped at spaces to the width (never inside a word)."""
        hang = indent if hang is None else hang
        if self.width is None:
            lines = wrap(parts, None)
        else:
            lines = wrap(parts, self.width - indent, self.width - hang)
        self.line(" " * indent, *lines[0])
        for rest in lines[1:]:
            self.line(" " * hang, *rest)

    def close(self) -> None:
        self.stream.flush()


class Whole(str):
    """Text never cut by `wrap` (an id, a URL): it takes its own line rather than break."""

    __slots__ = ()


def _norm(part: Part) -> tuple[str, str, str]:
    text, style, link = (part, "", "") if isinstance(part, str) else (*part, "")[:3]
    shown = safe(text)
    return (Whole(shown) if isinstance(text, Whole) else shown), style, link


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
        w: Writer,
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
        line: list[Part] = [" " * self.lead] if self.lead else []
        kept: list[tuple[list[Part], int, int]] = []
        for value, width, gap, keep in zip(cells_, self.widths, self.gaps, self.keep, strict=True):
            if not keep:
                continue
            parts = [value] if isinstance(value, (str, tuple)) else list(value)
            size = sum(cells(_norm(p)[0]) for p in parts)
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


def emit_text(text: str, stream: IO[str] | None = None) -> None:
    """A document (Markdown, TOML) on stdout: its lines kept, anything in them made safe."""
    out = stream if stream is not None else sys.stdout
    # CRLF line ends (CSV) stay: a carriage return just before a newline moves nothing.
    lines = [safe(x[:-1]) + "\r" if x.endswith("\r") else safe(x) for x in text.split("\n")]
    out.write("\n".join(lines))


def warn(message: str) -> None:
    """A warning on stderr, one line per line of `message`, each made safe."""
    sys.stderr.write("".join(f"llmdive: warning: {line}\n" for line in safe_lines(message)))


# ---------------------------------------------------------------- pieces


def badge(difficulty: Difficulty, styled: bool) -> list[Part]:
    """A coloured ' Easy ' block on a terminal, a plain word otherwise (unpadded)."""
    word = difficulty.value.capitalize()
    return [(f" {word} ", BADGE_STYLE[difficulty])] if styled else [word]


def badge_width(styled: bool) -> int:
    return len(" Unrated ") if styled else len("Unrated")


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


def _parts_width(parts: Sequence[Part]) -> int:
    """The columns a line of parts takes, shown."""
    return sum(cells(_norm(p)[0]) for p in parts)


def _widest(values: Iterable[str], at_least: int = 0) -> int:
    return max((cells(safe(v)) for v in values), default=at_least) or at_least


# ---------------------------------------------------------------- times

_UNITS = ((60, "minute"), (3600, "hour"), (86400, "day"), (7 * 86400, "week"),
          (30 * 86400, "month"), (365 * 86400, "year"))  # fmt: skip


def local(when: datetime) -> datetime:
    """`when` in the reader's own time zone (stored times are UTC)."""
    return when.astimezone()


def local_time(when: datetime, zone: bool = False) -> str:
    """'2026-11-28 14:05' in local time; with its zone ('CET', 'UTC', '+0530') if asked."""
    here = local(when)
    text = f"{here:%Y-%m-%d %H:%M}"
    return f"{text} {here.strftime('%Z') or here.strftime('%z')}" if zone else text


def ago(when: datetime, now: datetime | None = None) -> str:
    """'just now', '5 minutes ago', 'yesterday', '3 days ago', '2 months ago' ..."""
    seconds = ((now or datetime.now(UTC)) - when).total_seconds()
    if seconds < -60:
        return "ahead of this clock"
    if seconds < 60:
        return "just now"
    if 86400 <= seconds < 2 * 86400:
        return "yesterday"
    size, unit = 60, "minute"
    for step, name in _UNITS:
        if seconds >= step * (2 if name in ("week", "month") else 1):
            size, unit = step, name
    count = int(seconds // size)
    return f"{count} {unit}{'s' if count != 1 else ''} ago"


# ---------------------------------------------------------------- commands


def _link_cols(w: Writer, items: Sequence[Item]) -> tuple[list[int], list[int]]:
    """Widths and gaps of the mark, id and badge columns shared by link listings."""
    gaps = [1, 2, 1 if w.styled else 3]
    return [1, _widest(i.link.id for i in items), badge_width(w.styled)], gaps


def render_list(
    w: Writer,
    items: Sequence[Item],
    states: dict[str, Status],
    marks: Marks | None = None,
    empty: str = "No links match.",
    advice: Sequence[Topic] | None = None,
) -> None:
    if advice and render_advice(w, advice):
        w.line()
    if not items:
        w.line((empty, "dim"))
        return
    widths, gaps = _link_cols(w, items)
    kinds = _widest(url_kind(i.link.url) for i in items)
    texts = [_parts_width([*title_part(i, w), *check_mark(marks, i.link.id)]) for i in items]
    grid = Grid(w, [*widths, kinds], [*gaps, 2], drops=[0, 0, 0, 1], lead=2, hang=6,
                texts=texts, urls=[i.link.url for i in items])  # fmt: skip
    last_path: tuple[Topic, ...] | None = None
    for item in items:
        if last_path is None or item.path[-1] is not last_path[-1]:
            if last_path is not None:
                w.line()
            w.text((section_path(item.path), "bold"), hang=2)
            last_path = item.path
        link = item.link
        status = states.get(link.id, Status.UNREAD)
        grid.row(
            [status_mark(status), (link.id, "cyan"), badge(link.difficulty, w.styled),
             (url_kind(link.url), "dim")],
            [*title_part(item, w, "dim" if status is Status.SKIPPED else ""),
             *check_mark(marks, link.id)],
            link.url,
        )  # fmt: skip
    stale_hint(w, marks, (i.link.id for i in items))


def render_toc(
    w: Writer, catalogue: Catalogue, states: dict[str, Status], hide_empty: bool = False
) -> None:
    counts: dict[int, list[int]] = {}
    for item in catalogue.items:
        done = states.get(item.link.id) is Status.READ
        for topic in item.path:
            c = counts.setdefault(id(topic), [0, 0])
            c[0] += 1
            c[1] += done
    w.text((catalogue.guide.title, "bold underline"))
    for path, topic in catalogue.topics:
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
        w.text((topic.title, style), "  ", (Whole(f"[{topic.slug}]"), "cyan"), "  ", tally,
               indent=indent, hang=indent + 4)  # fmt: skip
        render_advice(w, [topic], indent + 4)


def render_advice(w: Writer, path: Sequence[Topic], indent: int = 0) -> bool:
    """The guide's own words on these headings: each one's description and tip (if any)."""
    said = False
    for topic in path:
        said = said or bool(topic.description or topic.tip)
        if topic.description:
            w.text((topic.description, "italic"), indent=indent)
        if topic.tip:
            w.text(("Tip: ", "bold"), (topic.tip, "italic"), indent=indent, hang=indent + 5)
    return said


def render_show(
    w: Writer, item: Item, status: Status, entry: Entry | None, marks: Marks | None = None
) -> None:
    link = item.link
    if w.width is not None and cells(link.id) + 2 + badge_width(w.styled) > w.width:
        w.line((link.id, "bold cyan"))  # a long id: the badge goes under it
        w.line("  ", *badge(link.difficulty, w.styled))
    else:
        w.line((link.id, "bold cyan"), "  ", *badge(link.difficulty, w.styled))
    grid = Grid(w, [7], [2], lead=2, min_text=12, hang=4)
    grid.row([("title", "dim")], title_part(item, w))
    grid.row([("url", "dim")], [Whole(link.url)])
    grid.row([("section", "dim")], [section_path(item.path)])
    grid.row([("kind", "dim")], [url_kind(link.url)])
    changed = entry.changed_at if entry else None
    when = f"  since {local_time(changed, zone=True)} ({ago(changed)})" if changed else ""
    grid.row([("status", "dim")], [status_mark(status), f" {status.value}{when}"])
    if entry and entry.note:
        for n, line in enumerate(entry.note.split("\n")):
            grid.row([("note" if n == 0 else "", "dim")], [line])
    render_check_lines(w, marks, link.id)


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


def render_next(
    w: Writer,
    picks: Sequence[NextPick],
    states: dict[str, Status],
    marks: Marks | None = None,
    catalogue: Catalogue | None = None,
    advice: Sequence[Topic] | None = None,
) -> None:
    if advice and render_advice(w, advice):
        w.line()
    chosen = [i for p in picks for i in ((p.item,) if p.item else ()) + p.more]
    widths, gaps = _link_cols(w, chosen)
    names = [p.path[-1].title for p in picks]
    urls = [i.link.url for i in chosen]
    wide = Grid(w, [_widest(names), *widths], [2, *gaps], urls=urls)
    # Too narrow for a section column: each section becomes a heading over its pick.
    grid = wide if wide.whole else Grid(w, widths, gaps, lead=2, hang=6, urls=urls)
    under = wide.widths[0] + 2 if grid is wide else 4
    for pick, name in zip(picks, names, strict=True):
        if grid is not wide:
            w.text((name, "bold"), hang=2)
        head: list[Part | Sequence[Part]] = [(name, "bold")] if grid is wide else []
        if pick.item is None:
            gone = _nothing_next(pick, states, catalogue)
            w.line(*((name.ljust(wide.widths[0]), "bold"), "  ") if grid is wide else "  ", gone)
            render_passed(w, pick, under)
            continue
        for n, item in enumerate((pick.item, *pick.more)):
            link = item.link
            status = states.get(link.id, Status.UNREAD)
            lead = head if n == 0 or not head else [""]
            grid.row(
                [*lead, status_mark(status), (link.id, "cyan"), badge(link.difficulty, w.styled)],
                [*title_part(item, w), *check_mark(marks, link.id)],
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


def _tally_parts(tally: Tally, bar_width: int) -> list[Part]:
    if not tally.links:
        return [("no links yet", "dim")]
    if not tally.total:
        return [("all skipped", "dim")]
    extra = f"  ({tally.reading} reading)" if tally.reading else ""
    return [*bar(tally.fraction, bar_width), "  ", (f"{tally.read}/{tally.total}".ljust(7), "bold"),
            f"{tally.fraction:4.0%}", (extra, "cyan")]  # fmt: skip


def render_progress(w: Writer, summary: Summary, orphans: dict[str, Entry]) -> None:
    labels = [s.title for s, _ in summary.sections] + [d.value for d in summary.difficulties]
    width = max([_widest(labels), 7])
    tallies = [summary.overall, *(t for _, t in summary.sections), *summary.difficulties.values()]
    extra = max((len(f"  ({t.reading} reading)") for t in tallies if t.reading), default=0)
    after_bar = 2 + 7 + 4 + extra
    bar_width, stacked = BAR_WIDTH, False
    if w.width is not None:
        # Bars shrink before anything else; below 8 cells each label gets a line of its own.
        room = w.width - (2 + width + 2) - after_bar
        stacked = room < 8
        bar_width = (
            max(min(BAR_WIDTH, w.width - 4 - after_bar), 4) if stacked else min(room, BAR_WIDTH)
        )

    def tally_line(label: str, tally: Tally) -> None:
        if stacked:
            w.text(label, indent=2, hang=4)
            w.line("    ", *_tally_parts(tally, bar_width))
        else:
            pad = " " * (width - cells(safe(label)))
            w.line("  ", label, pad, "  ", *_tally_parts(tally, bar_width))

    within = summary.within
    w.line(((section_path(within) if within else "Overall"), "bold"))
    tally_line("all", summary.overall)
    if summary.overall.skipped:
        w.text((f"({summary.overall.skipped} skipped, left out of the totals)", "dim"), indent=2)
    w.line()
    w.line(("By topic" if within else "By section", "bold"))
    for section, tally in summary.sections:
        tally_line(section.title, tally)
    w.line()
    w.line(("By difficulty", "bold"))
    for difficulty, tally in summary.difficulties.items():
        tally_line(difficulty.value.capitalize(), tally)
    if orphans:
        w.line()
        w.text((f"Not in the current guide ({len(orphans)}): kept in your progress",
                "bold yellow"))  # fmt: skip
        grid = Grid(w, [_widest(orphans), _widest(e.status.value for e in orphans.values())],
                    lead=2, hang=4)  # fmt: skip
        for key, entry in orphans.items():
            grid.row([(key, "cyan"), entry.status.value], [entry.title or ""], entry.url)


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
        [16, _widest(agos), 1, _widest(x[1] for x in words), _widest(r.id for r in rows)],
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
        return ("↶", "bold yellow"), "undo", f"  ({', '.join(restored)})"
    if row.status is not None:
        return status_mark(row.status), row.status.value, ""
    if row.note is not None:
        note = note_line(row.note)  # a note of several lines stays on its row
        return ("✎", "cyan"), "note", f"  {note}" if note else "  (removed)"
    mark = {"added": "+", "removed": "-"}.get(row.link or "", "~")
    return (mark, "magenta"), row.link or "", "  (personal)"


def render_changes(w: Writer, changes: Iterable[Change]) -> None:
    changes = list(changes)

    def moved(c: Change) -> list[Part]:
        if c.changed:
            return [f"{c.before.value} → ", (c.after.value, "bold")]
        return [f"already {c.after.value}"]

    steps = [moved(c) for c in changes]
    grid = Grid(
        w,
        [1, _widest(c.id for c in changes), max((sum(cells(_norm(p)[0]) for p in s) for s in steps),
                                                default=0)],
        [1, 2, 2],
        min_text=16,
        hang=4,
    )  # fmt: skip
    for c, step in zip(changes, steps, strict=True):
        grid.row([status_mark(c.after), (c.id, "cyan"), step], [c.title])


# ---------------------------------------------------------------- guide updates

REPORT_LABELS = {
    "added": ("+ added", "green"),
    "returned": ("↺ back", "green"),
    "removed": ("- removed", "red"),
    "retitled": ("~ retitled", "yellow"),
    "moved": ("→ moved", "cyan"),
    "rebadged": ("★ re-badged", "magenta"),
    "url_changed": ("⇄ new URL", "blue"),
}


def render_report(w: Writer, report: Any, dry_run: bool, refused: bool = False) -> None:
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
    grid = Grid(w, [11, _widest(ids)], [1, 2], lead=2, hang=6)
    for kind, (label, style) in REPORT_LABELS.items():
        for c in getattr(report, kind):
            progress = f"  (you: {c.status.value})" if c.status is not Status.UNREAD else ""
            detail = c.title if c.before is None else f"{c.before}  →  {c.after}"
            grid.row([(label, style), (c.id, "cyan")], [detail, (progress, "bold")])
    for a in report.ambiguous:
        w.text("  ", ("? unsure", "bold yellow"), "    ",
               f"{a['new']!r} could continue {' or '.join(a['candidates'])}: "
               "kept apart (new id; old ones listed as removed)", hang=6)  # fmt: skip
    counts = ", ".join(
        f"{len(getattr(report, k))} {REPORT_LABELS[k][0].split(' ', 1)[1]}"
        for k in REPORT_LABELS
        if getattr(report, k)
    )
    if counts:
        w.line()
        w.text((counts + ".", "dim"))
    kept = [c for c in report.removed if c.status is not Status.UNREAD]
    if kept:
        w.text(
            (f"Your progress on {counted(len(kept), 'removed link')} stays in progress.json "
             "(`llmdive progress` lists it).", "dim")
        )  # fmt: skip
    if dry_run:
        w.line(("Refused: nothing was changed." if refused else "Dry run: nothing was changed.",
                "dim"))  # fmt: skip


def render_whatsnew(w: Writer, groups: Sequence[tuple[Topic, list[tuple[Item, str]]]]) -> None:
    if not groups:
        w.text(("Nothing new and unread. `llmdive guide update` fetches a newer guide.", "dim"))
        return
    items = [item for _, rows in groups for item, _ in rows]
    grid = Grid(w, [_widest(i.link.id for i in items), badge_width(w.styled), 10],
                drops=[0, 0, 1], lead=2, hang=6)  # fmt: skip
    for section, rows in groups:
        w.text((f"{section.title} ({len(rows)} new)", "bold"), hang=2)
        for item, added in rows:
            day = f"{local(datetime.fromisoformat(added)):%Y-%m-%d}"
            grid.row([(item.link.id, "cyan"), badge(item.link.difficulty, w.styled), (day, "dim")],
                     title_part(item, w), item.link.url)  # fmt: skip


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


PATH_FROM = {
    "--home": "--home",
    "--guide": "--guide",
    "default": "default",
    "home": "in the home",
    "bundled": "bundled with llmdive",
    "updated": "from `llmdive guide update`",
}


def render_paths(w: Writer, data: dict[str, str | None]) -> None:
    """`llmdive paths`: one line per place, with what chose it."""
    rows = [
        ("home", "home", "home_from"),
        ("progress", "progress", None),
        ("personal", "personal", None),
        ("catalogue", "catalogue", "catalogue_from"),
        ("cache", "cache", "cache_from"),
    ]
    for label, key, why in rows:
        chosen = data[why] if why else None
        note = f"  ({PATH_FROM.get(chosen, chosen)})" if chosen else ""
        w.line((f"{label:<11}", "dim"), data[key] or "", (note, "dim"))
        if key == "catalogue" and data["catalogue_source"]:
            w.line((f"{'  source':<11}", "dim"), data["catalogue_source"])


# ---------------------------------------------------------------- undo and marks by section


def render_undone(w: Writer, done: Undone | None) -> None:
    if done is None:
        w.line(("Nothing to undo: your record has no change left to take back.", "dim"))
        return
    links = len({r.id for r in done.restored})
    what = f"{links} links" if links > 1 else "1 link"
    w.line(
        ("Undid ", "bold"),
        f"the change of {local_time(datetime.fromisoformat(done.change_at), zone=True)} ({what}):",
    )
    rows: list[tuple[str, str]] = []
    for r in done.restored:
        if r.field == "status":
            rows.append((r.before or "", r.after or ""))
        elif r.field == "note":
            rows.append((f"note {note_line(r.before)!r}" if r.before else "no note",
                         f"note {note_line(r.after)!r}" if r.after else "no note"))  # fmt: skip
        else:
            rows.append((f"personal link {r.before}", r.after or ""))
    # Lined up across rows, like every other report.
    grid = Grid(w, [1, _widest(r.id for r in done.restored), _widest(b for b, _ in rows),
                    1, _widest(a for _, a in rows)],
                [1, 2, 1, 1, 2], lead=2, min_text=12, hang=4)  # fmt: skip
    for r, (before, after) in zip(done.restored, rows, strict=True):
        grid.row([("↶", "bold yellow"), (r.id, "cyan"), before, "→", (after, "bold")], [r.title])
    w.line(("`llmdive undo` again takes back the change before it; `llmdive history` shows both.",
            "dim"))  # fmt: skip


def render_edit(w: Writer, old: PersonalLink, new: PersonalLink) -> None:
    """What `edit` changed on a personal link, field by field."""
    pairs = [
        ("title", old.link.title, new.link.title),
        ("url", old.link.url, new.link.url),
        ("section", old.section, new.section),
        ("difficulty", old.link.difficulty.value, new.link.difficulty.value),
    ]
    changed = [(name, a, b) for name, a, b in pairs if a != b]
    w.line("edited " if changed else "unchanged ", (new.link.id, "cyan"), " (personal)")
    for name, a, b in changed:
        w.line(f"  {name:<11}", (a, "dim"), " → ", (b, "bold"))


def render_marked(w: Writer, changes: Sequence[Change], skipped: int = 0) -> None:
    """What a mark over a whole section changed; the links already so, counted, not listed."""
    render_changes(w, [c for c in changes if c.changed])
    same = [c for c in changes if not c.changed]
    if same:
        state = same[0].after.value
        w.line((f"{counted(len(same), 'other link')} there already {state}.", "dim"))
    if skipped:
        w.line((f"{counted(skipped, 'skipped link')} left alone (--include-skipped marks "
                f"{'it' if skipped == 1 else 'them'} too).", "dim"))  # fmt: skip
    if not changes and not skipped:
        w.line(("No links there.", "dim"))


# ---------------------------------------------------------------- link checks

CHECK_LABEL = {
    "ok": ("✓ ok", "green"),
    "redirected": ("↪ redirected", "yellow"),
    "dead": ("✗ dead", "bold red"),
    "unknown": ("? unknown", "dim"),
}


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
            w.line(("stale: last checked more than a week ago; `llmdive check-links` "
                    "checks again", "dim"))  # fmt: skip
            return


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


def render_passed(w: Writer, pick: NextPick, indent: int) -> None:
    """next's line naming the dead links it passed over for a section."""
    if pick.passed:
        ids = ", ".join(i.link.id for i in pick.passed)
        w.line(" " * indent, (f"(passed over dead: {ids}; `llmdive show ID` for an archived "
                              "copy)", "dim"))  # fmt: skip


def render_checks(w: Writer, items: Sequence[Item], outcomes: Sequence[Outcome]) -> None:
    """check-links: the tally, then every link that is not plainly ok."""
    counts = {word: 0 for word in CHECK_LABEL}
    for o in outcomes:
        counts[o.result.value] += 1
    tally = ", ".join(f"{n} {word}" for word, n in counts.items() if n)
    w.line((f"Checked {counted(len(outcomes), 'link')}: {tally or 'none'}.", "bold"))
    by_id = {o.id: o for o in outcomes}
    rows = [(item, by_id[item.link.id]) for item in items if item.link.id in by_id]
    rows = [(i, o) for i, o in rows if o.result.value != "ok"]
    order = {"dead": 0, "redirected": 1, "unknown": 2}  # what needs the reader most first
    rows.sort(key=lambda row: order[row[1].result.value])
    id_width = max((len(i.link.id) for i, _ in rows), default=0)
    for item, o in rows:
        label, style = CHECK_LABEL[o.result.value]
        if o.result.value == "redirected":
            what = f"{o.redirects[0]['status']} → {o.final_url}"
        else:
            what = o.detail
        w.line("  ", (label.ljust(13), style), (item.link.id.ljust(id_width), "cyan"), "  ",
               what, ("  " + item.link.url, "dim"))  # fmt: skip
    if any(o.gone for o in outcomes):
        w.line(("Dead links: `llmdive show ID` offers a Web Archive copy; `next` passes them "
                "over.", "dim"))  # fmt: skip
    if any(o.result.value == "dead" and not o.gone for o in outcomes):
        w.line(("A host that does not resolve: `next` passes it over once a check on another "
                "day confirms it.", "dim"))  # fmt: skip
    if counts["unknown"]:
        w.line(("Unknown is not dead: rate limits, refusals and outages pass; check again "
                "later.", "dim"))  # fmt: skip


class ProgressBar:
    """A bar and `done/total` on stderr while links are checked; only on a terminal."""

    WIDTH = 30

    def __init__(self, total: int, label: str, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.total, self.done, self.label = total, 0, label
        isatty = getattr(self.stream, "isatty", None)
        self.shown = total > 0 and bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"

    def __enter__(self) -> ProgressBar:
        self._draw()
        return self

    def advance(self, *_: object) -> None:
        self.done += 1
        self._draw()

    def _draw(self) -> None:
        if self.shown:
            filled = self.WIDTH * self.done // self.total
            bar = "█" * filled + "░" * (self.WIDTH - filled)
            self.stream.write(f"\r{self.label} {bar} {self.done}/{self.total}")
            self.stream.flush()

    def __exit__(self, *_: object) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")  # the bar leaves no trace
            self.stream.flush()


# ---------------------------------------------------------------- merges and sync


def render_merge_report(w: Writer, report: Any, dry_run: bool = False) -> None:
    """What a merge brought (or, dry, would bring) from another machine, link by link."""
    if not report.changed:
        w.line("nothing new: this record already holds all of it")
        return
    verb = "would change" if dry_run else "changed"
    rows: list[tuple[list[Part], str]] = []
    for c in report.links:
        what: list[Part] = [f"{c.before} → ", (c.after, "bold")] if c.before != c.after else []
        if c.note_changed:
            what.append(("  " if what else "") + ("note removed" if c.note is None else "new note"))
        rows.append((what or ["history only"],
                     f"+{c.new_events} event{'s' if c.new_events != 1 else ''}"))  # fmt: skip
    ids_titles = [(c.id, c.title) for c in report.links]
    for links, said, style in ((report.personal_added, "added", "green"),
                               (report.personal_edited, "edited", "yellow"),
                               (report.personal_removed, "removed", "red")):  # fmt: skip
        for p in links:
            rows.append(([(f"your link, {said} elsewhere", style)], ""))
            ids_titles.append((p["id"], p["title"]))
    # Lined up across rows, your own links' with the guide's, like every other report.
    more_w = _widest(e for _, e in rows)
    grid = Grid(w, [_widest(i for i, _ in ids_titles),
                    max((sum(cells(_norm(p)[0]) for p in m) for m, _ in rows), default=0),
                    more_w], gaps=[2, 2, 2 if more_w else 0],
                min_text=12, hang=4)  # fmt: skip
    for (link_id, title), (what, more) in zip(ids_titles, rows, strict=True):
        grid.row([(link_id, "cyan"), what, (more, "dim")], [title])
    for old, new in sorted(report.renamed.items()):
        w.line(("~ ", "yellow"), (old, "cyan"), f" is now {new} (the same link on both)")
    for key, at in sorted(report.clamped.items()):
        w.line(("~ ", "yellow"), (key, "cyan"), f": a change stamped {at}, over a year ahead "
               "of this clock, was taken as made now")  # fmt: skip
    n = (
        len(report.links)
        + len(report.personal_added)
        + len(report.personal_removed)
        + len(report.personal_edited)
    )
    w.line((f"{verb} {counted(n, 'link')}" + (" (dry run)" if dry_run else ""), "dim"))


def render_sync(w: Writer, result: Any) -> None:
    if result.set_up:
        w.line(("synced with ", "dim"), result.remote)
    if result.arrived.changed:
        w.line(("from elsewhere:", "bold"))
        render_merge_report(w, result.arrived)
    sent = "sent your changes" if result.sent else "nothing to send"
    came = "merged what arrived" if result.merged else "nothing arrived"
    w.line(f"{came}; {sent}")


def render_health(w: Writer, health: Any, merged: Sequence[Any] = ()) -> None:
    """`doctor`: what was merged (with --merge), then one line per fact about the home."""
    render_copies_merged(w, merged)
    marks = {"ok": ("✓", "green"), "warn": ("!", "yellow"), "error": ("✗", "red")}
    w.line(("home ", "dim"), str(health.home))
    for level, text in health.facts:
        w.line(marks[level], " ", text)
    if health.copies:
        w.line("merge them into your record (and remove them): llmdive doctor --merge")


def render_copies_merged(w: Writer, merged: Sequence[Any]) -> None:
    for m in merged:
        if m.error:
            w.line(("✗ ", "red"), f"{m.path.name}: left as it is: {m.error}")
        else:
            w.line(("✓ ", "green"), f"merged and removed {m.path.name}")
            render_merge_report(w, m.report)


# ---------------------------------------------------------------- search and open

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
    from llmdive.search import highlight

    if not hits:
        w.line((f"No link matches {query!r}.", "dim"))
        _empty_topics(w, topics, topic_words)
        return
    widths, gaps = _link_cols(w, [h.item for h in hits])
    kinds = _widest(url_kind(h.item.link.url) for h in hits)
    grid = Grid(w, [*widths, kinds], [*gaps, 2], drops=[0, 0, 0, 1], lead=2, hang=6)
    indent = 2 + widths[0] + gaps[0]  # under the id
    for hit in hits:
        item, link = hit.item, hit.item.link
        status = states.get(link.id, Status.UNREAD)
        title = _marked(highlight(link.title, hit.matched), link=link.url if w.styled else "")
        grid.row(
            [status_mark(status), (link.id, "cyan"), badge(link.difficulty, w.styled),
             (url_kind(link.url), "dim")],
            [*title, *([(" (personal)", "magenta")] if link.personal else []),
             *check_mark(marks, link.id)],
            link.url,
        )  # fmt: skip
        where = _marked(highlight(section_path(item.path), hit.matched), "dim")
        w.text(*where, indent=indent)
        if "url" in hit.fields and not w.urls:
            pieces = [(Whole(t), hit_) for t, hit_ in highlight(link.url, hit.matched)]
            w.text(*_marked(pieces, "dim"), indent=indent)
        if "note" in hit.fields:
            lines = [(note_line(t), m) for t, m in highlight(notes[link.id], hit.matched)]
            note = _marked(lines)
            w.text(("note: ", "dim"), *note, indent=indent, hang=indent + 6)
    _empty_topics(w, topics, topic_words)
    stale_hint(w, marks, (h.item.link.id for h in hits))


def _empty_topics(w: Writer, topics: Sequence[tuple[Topic, ...]], matched: Iterable[str]) -> None:
    from llmdive.search import highlight

    for path in topics:
        w.text(("topic ", "dim"), *_marked(highlight(section_path(path), matched)),
               (" (no links yet)", "dim"), indent=2, hang=4)  # fmt: skip


def render_opened(w: Writer, item: Item) -> None:
    """What `open` hands the browser: the title, then the whole URL on a line of its own."""
    w.line((item.link.title, "bold"))
    w.line(item.link.url)


def render_note(w: Writer, item: Item, note: str | None) -> None:
    """`note ID` with no text: the note, or that there is none."""
    if note is None:
        w.line(("no note on ", "dim"), (item.link.id, "cyan"),
               (f' (add one: llmdive note {item.link.id} "...")', "dim"))  # fmt: skip
        return
    for line in note.splitlines() or [""]:
        w.text(line)
