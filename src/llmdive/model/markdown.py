"""Text and URLs written into Markdown: the one escaper every export uses.

The guide's README export (guide/readme.py), the reader's links (record/personal.py,
through the README's own line writers) and the checklist of a record (record/export.py)
all write titles, notes and URLs with these functions, so that nothing from data can
open a link, an image, emphasis, code, raw HTML or an entity, nor start a block.
"""

from __future__ import annotations

import re

from llmdive.model.text import C0, DEL_C1, SEPARATORS, char_class

# Every character that could start Markdown syntax in running text (GitHub's `~` and
# `|` included). Each is written with a backslash, which CommonMark reads as the
# character itself: a title stays a title and an import gives it back unchanged.
_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~&#])")
_BLOCK_START = re.compile(r"^(?:[-+*>#=~|]|\d+[.)])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# What ends a line in a one-line field (the checklist's titles and notes).
_LINE_BREAKS = re.compile(char_class(C0, DEL_C1, SEPARATORS) + "+")


def escape_inline(text: str) -> str:
    """Text that Markdown shows as itself: no link, image, emphasis, HTML or entity in it."""
    return _SPECIAL.sub(r"\\\1", text)


def escape_line(line: str) -> str:
    """A line of prose that cannot start a list, quote, heading, rule or code block."""
    line = escape_inline(line.strip())
    match = _BLOCK_START.match(line)
    if match:
        end = match.end()
        line = f"{line[: end - 1]}\\{line[end - 1 :]}"
    return line


def one_line(text: str) -> str:
    """Text from data, safe in a Markdown line: one line, every markup character escaped."""
    return escape_inline(" ".join(_LINE_BREAKS.sub(" ", text).split()))


def destination(url: str) -> str:
    """A URL as a link destination that ends where the URL ends and decodes to the URL.

    For a README llmdive imports back: the URL must come back exactly as it was.
    """
    depth = 0
    balanced = True
    for ch in url:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        balanced = balanced and depth >= 0
    out = url if balanced and depth == 0 else url.replace("(", "\\(").replace(")", "\\)")
    if out.startswith("<"):
        out = "\\" + out
    return _ENTITY.sub(r"\\&", out)


def encoded_destination(url: str) -> str:
    """A URL as a link destination with anything but plain ASCII percent-encoded.

    For a file any Markdown renderer may read (the checklist): nothing in the URL can
    close or break the link, whatever the renderer makes of parentheses.
    """
    return "".join(
        c
        if c.isascii() and c.isprintable() and c not in " ()<>\\`"
        else "".join(f"%{b:02X}" for b in c.encode())
        for c in url
    )
