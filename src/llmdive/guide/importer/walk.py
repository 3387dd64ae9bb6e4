"""The walk over markdown-it's tokens (and the HTML blocks among them): units to the builder."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it import helpers as _md_helpers
from markdown_it.common.utils import unescapeAll
from markdown_it.helpers.parse_link_destination import _Result as _DestinationResult
from markdown_it.token import Token

from llmdive.guide.importer.builder import _Builder, _Item, _Node
from llmdive.guide.importer.inline import use_short_cut
from llmdive.guide.importer.words import (
    _LEVEL_COLUMNS,
    _TITLE_COLUMNS,
    MAX_MARKS,
    MAX_README_CHARS,
    MAX_README_LINES,
    Piece,
    _has_words,
    _Image,
    _Link,
    _link_of,
    _pieces,
    _Strong,
    _text,
    _tidy,
)
from llmdive.model.ids import strip_decoration

# ---------------------------------------------------------------- HTML blocks


class _HtmlUnits(HTMLParser):
    """An HTML block as units (li, tr, p, dd, lines), headings and an h1."""

    BREAKS = frozenset(
        {
            "li",
            "tr",
            "p",
            "div",
            "dd",
            "dt",
            "br",
            "details",
            "summary",
            "ul",
            "ol",
            "table",
            "blockquote",
            "section",
            "center",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.units: list[tuple[str, list[list[Piece]]]] = []  # ("unit"|"hN"|"row", cells)
        self.cells: list[list[Piece]] = [[]]
        self.kind = "unit"
        self.link: tuple[str, list[Piece]] | None = None

    def _flush(self) -> None:
        if self.link is not None:
            self._end_link()
        if any(self.cells):
            self.units.append((self.kind, self.cells))
        self.cells = [[]]
        self.kind = "unit"

    def _end_link(self) -> None:
        assert self.link is not None
        href, inner = self.link
        self.link = None
        self.cells[-1].append(_link_of(href, inner))

    def _out(self) -> list[Piece]:
        return self.link[1] if self.link is not None else self.cells[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in self.BREAKS:
            self._flush()
            if tag == "tr":
                self.kind = "row"
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._flush()
            self.kind = tag
        elif tag in ("td", "th"):
            if self.link is not None:
                self._end_link()
            if any(self.cells):
                self.cells.append([])
            self.kind = "row"
        elif tag == "a" and values.get("href"):
            if self.link is not None:
                self._end_link()
            self.link = (values["href"] or "", [])
        elif tag == "img":
            self._out().append(_Image(values.get("src") or "", values.get("alt") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.link is not None:
            self._end_link()
        elif tag in self.BREAKS or tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._flush()

    def handle_data(self, data: str) -> None:
        self._out().append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _too_large(text: str) -> str | None:
    size = len(text)
    if size > MAX_README_CHARS:
        limit = MAX_README_CHARS // 2**20
        return f"{size / 2**20:.1f} MiB of text (llmdive imports up to {limit} MiB)"
    lines = text.count("\n")
    if lines > MAX_README_LINES:
        return f"{lines:,} lines (llmdive imports up to {MAX_README_LINES:,})"
    marks = sum(text.count(c) for c in "[*_<")
    if marks > MAX_MARKS:
        marks -= _block_html_tags(text)
    if marks > MAX_MARKS:
        return f"{marks:,} brackets and emphasis marks (llmdive imports up to {MAX_MARKS:,})"
    return None


# A line opening an HTML block (CommonMark's kind 6: a block-level tag), which runs to the
# next blank line and is never parsed as inline Markdown.
_HTML_BLOCK_START = re.compile(
    r"^[ \t]*</?(?:address|article|aside|base|basefont|blockquote|body|caption|center|col|"
    r"colgroup|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|"
    r"frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|"
    r"noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|"
    r"thead|title|tr|track|ul)(?=[\s/>]|$)",
    re.IGNORECASE | re.MULTILINE,
)


_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _block_html_tags(text: str) -> int:
    """How many '<' are in HTML blocks: markdown-it passes those blocks through whole, so
    their tags cost no inline parsing and do not count against MAX_MARKS."""
    count, pos = 0, 0
    while m := _HTML_BLOCK_START.search(text, pos):
        end = _BLANK_LINE.search(text, m.start())
        stop = end.start() if end else len(text)
        count += text.count("<", m.start(), stop)
        pos = stop + 1
    return count


def _split_lines(pieces: list[Piece]) -> list[list[Piece]]:
    lines: list[list[Piece]] = [[]]
    for p in pieces:
        if isinstance(p, str) and "\n" in p:
            first, *more = p.split("\n")
            if first:
                lines[-1].append(first)
            for part in more:
                lines.append([part] if part else [])
        else:
            lines[-1].append(p)
    return lines


def _toc_lists(tokens: list[Token]) -> dict[int, int]:
    """Outermost lists that are a table of contents (mostly #anchor links): start -> end."""
    out: dict[int, int] = {}
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            level, j = tok.level, i + 1
            anchors = others = 0
            while j < n and not (
                tokens[j].level == level and tokens[j].type.endswith("_list_close")
            ):
                if tokens[j].type == "inline":
                    for child in tokens[j].children or ():
                        if child.type == "link_open":
                            href = str(child.attrGet("href") or "")
                            if href.startswith(("#", "./#")):
                                anchors += 1
                            else:
                                others += 1
                j += 1
            if anchors >= 2 and anchors >= 2 * others:
                out[i] = j
            i = j + 1
            continue
        i += 1
    return out


# Where a reference definition could start: a line's '[label]:' after indentation, list
# markers or quote marks (a superset of what markdown-it accepts as one).
_REFERENCE = re.compile(r"^[ \t>*+\-\d.)]*\[[^\]\n]*(?:\n[^\]\n]*)?\]:", re.MULTILINE)


# Rules that can only fire on a character: a text without it parses the same without them,
# and a long list parses a third faster (each rule is tried at every position it could be).
_TRIGGERS = {
    "entity": ("&",),
    "backticks": ("`",),
    "autolink": ("<",),
    "html_inline": ("<",),
    "escape": ("\\",),
    "emphasis": ("*", "_"),
    "image": ("![",),
    "table": ("|",),
    "fence": ("```", "~~~"),
    "blockquote": (">",),
    "html_block": ("<",),
}


# Block rules that can only fire on a line ending in their marks (and spaces): a thematic
# break ('---', '* * *') and a setext heading's underline ('===', '---'). Tried at each
# line (the underline at every line of every paragraph), they go when no line ends so.
_LINE_END_TRIGGERS = {
    "hr": re.compile(r"[-*_][ \t]*$", re.MULTILINE),
    "lheading": re.compile(r"[-=][ \t]*$", re.MULTILINE),
}


def _make_parser(text: str = "", *, short_cut: bool = True) -> MarkdownIt:
    """markdown-it-py as the importer uses it; rules `text` cannot trigger left out, and
    plain inline text built by `inline`'s short cut (unless not `short_cut`)."""
    md = _base_parser()
    if short_cut:
        use_short_cut(md)
    unused = [rule for rule, marks in _TRIGGERS.items() if not any(m in text for m in marks)]
    # Lines as markdown-it splits them: a lone '\r' ends one too.
    lines = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    unused += [rule for rule, end in _LINE_END_TRIGGERS.items() if not end.search(lines)]
    if not _REFERENCE.search(lines):
        # No line can define a reference ('[label]: url'): the rule that tries every
        # paragraph starting with '[' as one (a tenth of the parse of a long list) can go.
        unused.append("reference")
    if text and unused:
        md.disable(unused)
    return md


# A link destination as markdown-it scans it, but in C: up to the first space, control,
# backslash or parenthesis. A destination holding a backslash or a '(' (escapes, nested
# parentheses), or one in <angle brackets>, is left to markdown-it's own loop, which
# scans every character in Python (a fifth of the parse of a long list).
_PLAIN_DESTINATION = re.compile(r"[^\x00-\x20\x7f\\()]*")


def _link_destination(string: str, pos: int, maximum: int) -> Any:
    """markdown-it's parseLinkDestination, the same result for every input, faster."""
    if pos >= maximum or string[pos] == "<":
        return _md_helpers.parseLinkDestination(string, pos, maximum)
    end = _PLAIN_DESTINATION.match(string, pos, maximum).end()  # type: ignore[union-attr]
    if end < maximum and string[end] in "\\(":
        return _md_helpers.parseLinkDestination(string, pos, maximum)
    result = _DestinationResult()
    if end > pos:  # it stops at a space, a control, a ')' or the end, as markdown-it's does
        result.str = unescapeAll(string[pos:end])
        result.pos = end
        result.ok = True
    return result


def _base_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable("table")
    md.helpers = SimpleNamespace(  # type: ignore[assignment]
        parseLinkLabel=_md_helpers.parseLinkLabel,
        parseLinkDestination=_link_destination,
        parseLinkTitle=_md_helpers.parseLinkTitle,
    )
    # Keep URLs exactly as written: the default percent-encoding and punycode pass changes
    # nothing for the guide's links and is a third of the parsing time at 10,000 links.
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    # Let every link through as a link, so that a javascript: or file: one is reported and
    # skipped by the importer instead of silently becoming section text.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def _walk(tokens: list[Token], builder: _Builder) -> None:
    tocs = _toc_lists(tokens)
    quote = 0
    table_head = False
    row: list[list[Piece]] | None = None
    row_line = 0
    header: list[str] = []
    items: list[tuple[list[Piece], int]] = []  # open list items: their pieces, first line
    topics: list[_Node | None] = []  # per nested list: the topic its bold bullet opened
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        kind = tok.type
        line = (tok.map[0] if tok.map else 0) + 1
        if i in tocs:
            end = tocs[i]
            for t in tokens[i:end]:
                children = (t.children or []) if t.type == "inline" else []
                builder.toc.update(
                    str(c.attrGet("href") or "").partition("#")[2]
                    for c in children
                    if c.type == "link_open"
                )
            builder.node.toc = True
            i = _after_toc(tokens, end + 1)
            continue
        if kind == "heading_open":
            inline = tokens[i + 1]
            builder.heading(int(tok.tag[1]), _pieces(inline.children or []), line)
            i += 3
            continue
        if kind == "list_item_open":
            if items:
                _flush_item(builder, items[-1])
                items[-1] = ([], items[-1][1])
            items.append(([], line))
        elif kind == "list_item_close":
            _flush_item(builder, items.pop())
        elif kind in ("bullet_list_open", "ordered_list_open") and items:
            # A bullet of only bold text over a nested list is a topic: the list is its.
            bold = _bold_label(items[-1][0])
            topics.append(builder.open_topic(bold, items[-1][1]) if bold else None)
            builder.labels.append(list(_flush_item(builder, items[-1], nested=True)))
            items[-1] = ([], items[-1][1])
        elif kind in ("bullet_list_close", "ordered_list_close") and items and builder.labels:
            builder.labels.pop()
            topic = topics.pop() if topics else None
            if topic is not None:
                builder.close_topic(topic)
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "thead_open":
            table_head, header = True, []
        elif kind == "thead_close":
            table_head = False
            lowered = [h.lower().strip() for h in header]
            builder.level_column = next(
                (c for c, h in enumerate(lowered) if h in _LEVEL_COLUMNS), None
            )
            builder.title_column = next(
                (c for name in _TITLE_COLUMNS for c, h in enumerate(lowered) if name in h), None
            )
        elif kind == "table_close":
            builder.level_column = builder.title_column = None
        elif kind == "tr_open":
            row, row_line = [], line
        elif kind == "tr_close":
            if row is not None and not table_head and not builder.unit(row, row_line, row=True):
                builder.skipped(row, row_line)
            row = None
        elif kind == "inline":
            pieces = _pieces(tok.children or [])
            if row is not None:
                if table_head:
                    header.append(_text(pieces))
                else:
                    row.append(pieces)
            elif items:
                items[-1][0].extend([*pieces, "\n"] if items[-1][0] else pieces)
            elif level := _group_label(tokens, i, pieces):
                # '**Web Development**' over '### Web Frameworks', '### Web APIs': a heading
                # one level above them, the group they belong to.
                builder.heading(level, pieces, line)
            else:
                _paragraph(builder, pieces, line, tip=quote > 0)
        elif kind == "html_block":
            _html_block(builder, tok.content, line)
        i += 1


def _bold_label(pieces: list[Piece]) -> str:
    """The text of a bullet written only in bold ('**Frameworks**', '**Tools:**'), or ''."""
    words = [p for p in pieces if not (isinstance(p, str) and not p.strip(" \t\n:："))]
    if len(words) != 1 or not isinstance(words[0], _Strong):
        return ""
    return _tidy(words[0])


def _group_label(tokens: list[Token], i: int, pieces: list[Piece]) -> int:
    """The level of the heading a paragraph of only bold text is (that of the heading right
    after it, less one), or 0: a paragraph, not a label over headings."""
    after = tokens[i + 2] if i + 2 < len(tokens) else None
    if after is None or after.type != "heading_open" or tokens[i - 1].type != "paragraph_open":
        return 0
    level = int(after.tag[1]) - 1
    label = _bold_label(pieces)
    return level if level >= 2 and label and len(label.split()) <= 8 else 0


def _after_toc(tokens: list[Token], i: int) -> int:
    """Past the paragraphs of only links right after a table of contents ('Follow us on
    Twitter'): promotion of the list itself, not reading items."""
    while (
        i + 2 < len(tokens)
        and tokens[i].type == "paragraph_open"
        and tokens[i + 1].type == "inline"
        and "\n" not in tokens[i + 1].content
        and _only_links(tokens[i + 1].children or [])
    ):
        i += 3
    return i


def _only_links(children: list[Token]) -> bool:
    depth = links = 0
    for child in children:
        if child.type == "link_open":
            depth, links = depth + 1, links + 1
        elif child.type == "link_close":
            depth -= 1
        elif not depth and child.type == "text" and _has_words(child.content):
            return False
    return links > 0


def _flush_item(
    builder: _Builder, item: tuple[list[Piece], int], nested: bool = False
) -> tuple[str | None, _Item | None]:
    """A list item's lines: the first, with any line that does not start with a link, is
    one unit; a line that starts with a link is a unit of its own (a lazy continuation).
    `nested`: a list follows; returned: the short text without links that labels it, or
    the item the list hangs from."""
    pieces, line = item
    if not pieces:
        return None, None
    if nested and not any(isinstance(p, _Link) for p in pieces):
        label = _tidy(builder.clean(_text(pieces), line, "text"))
        if label and len(label.split()) <= 12 and "http" not in label:
            return label, None
    builder.last_item = None
    groups: list[tuple[list[Piece], int]] = []
    for offset, part in enumerate(_split_lines(pieces)):
        if groups and not _starts_with_link(part):
            groups[-1][0].extend(["\n", *part])
        elif part or not groups:
            groups.append((list(part), line + offset))
    for group, here in groups:
        words = _line_unit(builder, group, here, lead=3)
        if words:
            builder.prose(" ".join(words.split()), tip=False)
    # A nested list under an item: its generic links ('[slides]', '[video]') are the item's.
    return None, builder.last_item if nested else None


def _starts_with_link(line: list[Piece]) -> bool:
    for p in line:
        if isinstance(p, _Link):
            return not p.badge
        if isinstance(p, str) and _tidy(p):
            return False
    return False


def _line_unit(builder: _Builder, part: list[Piece], here: int, *, lead: int) -> str:
    """One unit of text: an item, or the text it adds to the heading's prose ('' if none)."""
    has_link = any(isinstance(p, _Link) for p in part)
    bare = not has_link and any(isinstance(p, str) and "http" in p for p in part)
    if (has_link or bare) and builder.unit([part], here, lead=lead):
        return ""
    if has_link:
        builder.skipped([part], here)
        if not builder.in_prose:
            return ""  # only links that cannot be items: no text worth keeping
    words = builder.clean(_text(part), here, "text").strip()
    return words if words not in ("-", "*", "+") else ""


def _paragraph(builder: _Builder, pieces: list[Piece], line: int, *, tip: bool) -> None:
    prose: list[str] = []
    for offset, part in enumerate(_split_lines(pieces)):
        # A paragraph's line is an item when it starts with its link (or is a label and one).
        words = _line_unit(builder, part, line + offset, lead=0)
        if words:
            prose.append(words)
    if prose:
        text = "\n".join(prose)
        builder.prose(strip_decoration(text) if tip else text, tip=tip)


def _html_block(builder: _Builder, content: str, line: int) -> None:
    if "<" not in content or content.lstrip().startswith("<!--"):
        return
    parser = _HtmlUnits()
    try:
        parser.feed(content)
        parser.close()
    except (AssertionError, ValueError):  # html.parser on hostile input
        return
    for kind, cells in parser.units:
        if kind[0] == "h":
            pieces = cells[0] if len(cells) == 1 else sum(cells, [])
            builder.heading(int(kind[1]), pieces, line, html=True)
        elif kind == "row":
            builder.unit(cells, line, row=True)
        else:
            flat = [p for c in cells for p in c]
            if any(isinstance(p, _Link) for p in flat):
                builder.unit([flat], line)
