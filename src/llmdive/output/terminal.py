"""The terminal: the one door for text going out, and what it is written to.

Styled lines for a terminal, plain lines for a pipe (colour, width and hyperlink
detection), documents and warnings made safe, JSON text made safe, the progress bar
of a long check, and times as the reader reads them (local, "3 days ago").

Output is streamed line by line rather than laid out as a Rich Table: a table must
measure every cell before printing anything, which takes seconds at 10,000 rows.
Rich is imported only when the output goes to a terminal that wants colour.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import UTC, datetime
from typing import IO

from llmdive.model.text import BEYOND_C0, CONTROL_CLASS
from llmdive.model.text import safe as safe  # the one door for text going out
from llmdive.output.layout import Part, wrap

# In JSON, C0 controls are escaped by the encoder already; these are the rest.
_JSON_UNSAFE = f"[{BEYOND_C0}]"  # compiled at first use (model/text.py: CONTROL_CLASS)


def safe_lines(text: str) -> list[str]:
    """Text that may hold several lines (a note, an error), each line made safe."""
    return [safe(line) for line in text.split("\n")]


def has_controls(text: str, allow_newlines: bool = False) -> bool:
    """Does `text` hold anything `safe` would escape (newlines allowed if asked)?"""
    if allow_newlines:
        text = text.replace("\n", "")
    return re.search(CONTROL_CLASS, text) is not None


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
    return re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group()):04x}", text)


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


def emit_text(text: str, stream: IO[str] | None = None) -> None:
    """A document (Markdown, TOML) on stdout: its lines kept, anything in them made safe."""
    out = stream if stream is not None else sys.stdout
    # CRLF line ends (CSV) stay: a carriage return just before a newline moves nothing.
    lines = [safe(x[:-1]) + "\r" if x.endswith("\r") else safe(x) for x in text.split("\n")]
    out.write("\n".join(lines))


def warn(message: str) -> None:
    """A warning on stderr, one line per line of `message`, each made safe."""
    sys.stderr.write("".join(f"llmdive: warning: {line}\n" for line in safe_lines(message)))


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


# ---------------------------------------------------------------- times

_UNITS = (
    (60, "minute"),
    (3600, "hour"),
    (86400, "day"),
    (7 * 86400, "week"),
    (30 * 86400, "month"),
    (365 * 86400, "year"),
)


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
