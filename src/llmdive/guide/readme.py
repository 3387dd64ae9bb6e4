"""The guide's README <-> catalogue.

`parse_readme` reads a README in The LLM Deep Dive's format with markdown-it-py:
### headings are sections, ####/#####/###### headings are topics below them,
and every list line or paragraph line holding a link is a link, badged by the
shields.io image that follows it. `export_readme` writes a catalogue back in
that same format, so that parsing the export gives the catalogue back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from llmdive.errors import LlmdiveError
from llmdive.model.ids import (
    IdPool,
    cut_slug,
    github_anchor,
    link_id,
    slugify,
    strip_decoration,
    unique,
)
from llmdive.model.markdown import destination, escape_inline, escape_line
from llmdive.model.models import Difficulty, Guide, Link
from llmdive.model.text import BIDI, C0, DEL_C1, SURROGATES, char_class
from llmdive.model.urls import UrlError, normalize_url, shorten, strip_credentials

SECTION_LEVEL = 3
FOOTER_TITLE = "Add to the guide:"
FOOTER_TEXT = "Add links you find useful through pull requests."
BADGE_COLOURS = {Difficulty.EASY: "green", Difficulty.MEDIUM: "yellow", Difficulty.HARD: "red"}
_BADGE_WORDS = {d.value: d for d in BADGE_COLOURS}


@dataclass
class ParseResult:
    guide: Guide
    warnings: list[str] = field(default_factory=list)


class _H1Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.title = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inside = tag == "h1" and not self.title

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.title += data.strip()


def _plain_text(children: list[Token]) -> str:
    parts: list[str] = []
    for tok in children:
        if tok.type in ("text", "code_inline", "html_inline"):
            parts.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif tok.type == "image":
            parts.append(tok.content)
    return "".join(parts)


def _split_lines(children: list[Token]) -> list[list[Token]]:
    lines: list[list[Token]] = [[]]
    for tok in children:
        if tok.type in ("softbreak", "hardbreak"):
            lines.append([])
        else:
            lines[-1].append(tok)
    return lines


MAX_README_CHARS = 2 * 1024 * 1024
MAX_README_LINES = 60_000
# markdown-it-py spends tens of microseconds on each bracket or emphasis mark it cannot
# match; bounding their number bounds the time of any import to seconds.
MAX_MARKS = 120_000
MAX_SLUG_CHARS = 60
# Characters dropped from imported text: controls (but newlines and tabs in prose), DEL,
# C1 controls, bidi overrides and isolates, lone surrogates. A title holding one is junk
# or a trap, and the terminal would act on it.
_DROPPED = re.compile(char_class(C0, DEL_C1, BIDI, SURROGATES, keep="\t\n"))


# Controls in a line are removed before Markdown sees it: inside a link's text or URL they
# would stop the line parsing as a link. An ESC [ or ESC ] sequence goes whole, since its
# bracket would otherwise rewrite the line's brackets; any other control loses only itself.
_CONTROLS = re.compile(char_class(C0, DEL_C1, keep="\x00\t\n\r"))
_BRACKET_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@A-Z^-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?")


def _clean_lines(text: str, builder: _Builder) -> str:
    """`text` without control characters (tabs and line ends kept), a warning per line."""
    if not _CONTROLS.search(text):
        return text
    lines = text.split("\n")
    for number, raw in enumerate(lines, start=1):
        if _CONTROLS.search(raw):
            kept = _CONTROLS.sub("", _BRACKET_ESCAPES.sub("", raw))
            builder.warn(number, f"control characters removed from {shorten(kept.strip())!r}")
            lines[number - 1] = kept
    return "\n".join(lines)


def _clean(text: str) -> tuple[str, bool]:
    """`text` without the characters an import drops, and whether it held any."""
    if text.isascii() and text.isprintable():
        return text, False
    kept = _DROPPED.sub("", text)
    return kept, len(kept) != len(text)


def _too_large(text: str, source: str) -> str | None:
    size = len(text)
    if size > MAX_README_CHARS:
        limit = MAX_README_CHARS // 2**20
        return f"{size / 2**20:.1f} MiB of text (llmdive imports up to {limit} MiB)"
    lines = text.count("\n")
    if lines > MAX_README_LINES:
        return f"{lines:,} lines (llmdive imports up to {MAX_README_LINES:,})"
    marks = sum(text.count(c) for c in "[*_<")
    if marks > MAX_MARKS:
        return f"{marks:,} brackets and emphasis marks (llmdive imports up to {MAX_MARKS:,})"
    return None


class _Builder:
    """Collects headings and links in reading order; builds the Guide at the end."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.title = ""
        self.sections: list[dict[str, Any]] = []
        self.stack: list[tuple[int, dict[str, Any]]] = []  # (heading level, topic)
        self.slugs = IdPool()
        self.ids = IdPool()
        self.warnings: list[str] = []
        self.in_footer = False
        self.started = False  # past the first section: links outside one are reported
        self.section_urls: dict[str, int] = {}  # normalised URL -> line, in this section
        self.row_has_link: bool | None = None  # in a table row: has it given a link yet?

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(f"{self.source}:{line}: {message}")

    def clean(self, text: str, line: int, what: str) -> str:
        kept, changed = _clean(text)
        if changed:
            self.warn(line, f"control or bidi characters removed from {what} {shorten(kept)!r}")
        return kept

    def heading(self, level: int, raw_title: str, line: int) -> None:
        title = strip_decoration(self.clean(raw_title, line, "heading"))
        if level < SECTION_LEVEL:
            if level == 1 and not self.sections and not self.title:
                self.title = title
            self.stack = []
            return
        if level == SECTION_LEVEL:
            self.in_footer = slugify(title[:200]) == slugify(FOOTER_TITLE)
            self.stack = []
            self.section_urls = {}
            if self.in_footer:
                return
        elif not self.stack:
            return  # a heading before the first section: the guide's preamble
        if not title:
            self.warn(line, "heading without a title skipped")
            return
        self.started = True
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        parent = self.stack[-1][1] if self.stack else None
        topic: dict[str, Any] = {
            "slug": self._slug(title, parent),
            "title": title,
            "description": "",
            "tip": "",
            "links": [],
            "topics": [],
            "_line": line,
        }
        (parent["topics"] if parent else self.sections).append(topic)
        self.stack.append((level, topic))

    def _slug(self, title: str, parent: dict[str, Any] | None) -> str:
        base = cut_slug(slugify(title[:200]), MAX_SLUG_CHARS) or "topic"
        if base in self.slugs and parent:
            nested = cut_slug(f"{parent['slug']}-{base}", MAX_SLUG_CHARS)
            if nested not in self.slugs:
                self.slugs.add(nested)
                return nested
        return unique(base, self.slugs, MAX_SLUG_CHARS)

    @property
    def current(self) -> dict[str, Any] | None:
        return self.stack[-1][1] if self.stack and not self.in_footer else None

    def text(self, inline: Token, *, tip: bool, prose_allowed: bool = True) -> None:
        topic = self.current
        if not inline.children:
            return
        first_line = (inline.map[0] if inline.map else 0) + 1
        prose: list[str] = []
        for offset, line in enumerate(_split_lines(inline.children)):
            lineno = first_line + offset
            if any(t.type == "link_open" for t in line):
                if self.row_has_link:
                    self.warn(lineno, "further links in this table row skipped (its first is kept)")
                elif topic is not None:
                    self._links(topic, line, lineno)
                    if self.row_has_link is False:
                        self.row_has_link = True
                elif self.started and not self.in_footer:
                    self.warn(lineno, "links outside any ### section skipped")
            elif topic is not None and prose_allowed:
                words = self.clean(_plain_text(line), lineno, "text").strip()
                if words and words not in ("-", "*", "+"):
                    prose.append(words)
        if prose and topic is not None:
            key = "tip" if tip else "description"
            text = strip_decoration("\n".join(prose)) if tip else "\n".join(prose)
            topic[key] = f"{topic[key]}\n\n{text}" if topic[key] else text

    def _links(self, topic: dict[str, Any], line: list[Token], lineno: int) -> None:
        i = 0
        while i < len(line):
            tok = line[i]
            if tok.type != "link_open":
                i += 1
                continue
            href = str(tok.attrGet("href") or "")
            depth, j = 1, i + 1
            while j < len(line) and depth:
                depth += {"link_open": 1, "link_close": -1}.get(line[j].type, 0)
                j += 1
            title = self.clean(_plain_text(line[i + 1 : j - 1]), lineno, "title").strip()
            badge = next((t for t in line[j:] if t.type in ("image", "link_open")), None)
            i = j
            if href.startswith("#"):
                continue  # a table-of-contents anchor, not content
            if not href and not title:
                self.warn(lineno, "empty link skipped")
                continue
            try:
                url, had_credentials = strip_credentials(href)
            except UrlError as exc:
                self.warn(lineno, f"link {shorten(title)!r} skipped: {shorten(href)!r} {exc}")
                continue
            if had_credentials:
                self.warn(
                    lineno, f"user name and password removed from the URL of {shorten(title)!r}"
                )
            if not title:
                self.warn(lineno, f"link to {shorten(url)} skipped: it has no title")
                continue
            key = normalize_url(url)
            if key in self.section_urls:
                self.warn(
                    lineno,
                    f"link {shorten(title)!r} skipped: the same URL is already in this section "
                    f"(line {self.section_urls[key]})",
                )
                continue
            self.section_urls[key] = lineno
            difficulty = Difficulty.UNRATED
            if badge is not None and badge.type == "image":
                difficulty = self._badge(badge, title, lineno)
            topic["links"].append(
                {
                    "id": link_id(title, url, self.ids),
                    "title": title,
                    "url": url,
                    "difficulty": difficulty.value,
                }
            )

    def _badge(self, image: Token, title: str, lineno: int) -> Difficulty:
        alt = image.content.strip().lower()
        if alt in _BADGE_WORDS:
            return _BADGE_WORDS[alt]
        src = str(image.attrGet("src") or "").lower()
        for word, difficulty in _BADGE_WORDS.items():
            if f"difficulty-{word}" in src:
                return difficulty
        self.warn(
            lineno,
            f"unknown badge {shorten(image.content, 30)!r} on link {shorten(title)!r}: "
            "imported as unrated",
        )
        return Difficulty.UNRATED


def _drop_lines(topics: list[dict[str, Any]]) -> None:
    for topic in topics:
        topic.pop("_line", None)
        _drop_lines(topic["topics"])


def parse_readme(text: str, source: str = "README.md") -> ParseResult:
    """Parse a README in the guide's format into a catalogue; problems become warnings."""

    too_large = _too_large(text, source)
    if too_large:
        raise LlmdiveError(f"{shorten(source)}: too large to import: {too_large}")
    md = MarkdownIt("commonmark").enable("table")
    # Keep URLs exactly as written: the default percent-encoding and punycode pass changes
    # nothing for the guide's links and is a third of the parsing time at 10,000 links.
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    # Let every link through as a link, so that a javascript: or file: one is reported and
    # skipped by the importer instead of silently becoming section text.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    builder = _Builder(shorten(source))
    if "\x00" in text:
        # Markdown turns NUL into U+FFFD; it is dropped here instead, like other controls.
        for number, raw in enumerate(text.split("\n"), start=1):
            if "\x00" in raw:
                builder.warn(number, "NUL characters removed")
        text = text.replace("\x00", "")
    text = _clean_lines(text, builder)
    tokens = md.parse(text)
    quote_depth = 0
    table_depth = 0
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            line = (tok.map[0] if tok.map else 0) + 1
            builder.heading(int(tok.tag[1]), _plain_text(tokens[i + 1].children or []), line)
        elif tok.type == "blockquote_open":
            quote_depth += 1
        elif tok.type == "blockquote_close":
            quote_depth -= 1
        elif tok.type == "table_open":
            table_depth += 1
        elif tok.type == "table_close":
            table_depth -= 1
        elif tok.type == "tr_open":
            builder.row_has_link = False
        elif tok.type == "tr_close":
            builder.row_has_link = None
        elif tok.type == "inline" and tokens[i - 1].type != "heading_open":
            # In a table only the links count: cells of prose are not a section's text.
            builder.text(tok, tip=quote_depth > 0, prose_allowed=table_depth == 0)
        elif tok.type == "html_block" and not builder.title:
            finder = _H1Finder()
            finder.feed(tok.content)
            builder.title = _clean(finder.title)[0]
    if not builder.sections:
        raise LlmdiveError(
            f"{shorten(source)}: no sections found (a section is a '### ' heading); "
            "nothing was imported"
        )
    # start-up: pydantic loads only when a file must be validated
    from llmdive.model.inputs import validate_guide

    _drop_lines(builder.sections)
    data = {"title": builder.title or "The LLM Deep Dive", "sections": builder.sections}
    return ParseResult(Guide.from_dict(validate_guide(data, Path(source))), builder.warnings)


def _escape(text: str) -> str:
    """Imported-text cleaning, then the one Markdown escaper (model/markdown.py)."""
    return escape_inline(_clean(text)[0])


def _badge_markdown(difficulty: Difficulty) -> str:
    if difficulty not in BADGE_COLOURS:
        return ""
    word = difficulty.value.capitalize()
    colour = BADGE_COLOURS[difficulty]
    return f" ![{word}](https://img.shields.io/badge/difficulty-{word}-{colour})"


RELATED_SEP = " · "


def link_line(link: Link) -> str:
    """A link as the guide writes it: `- [title](url) ![Easy](badge)`, then its related
    links on the same line, each after a middle dot: `· [code](url2) · [pdf](url3)`."""
    line = f"- [{_escape(link.title)}]({destination(link.url)}){_badge_markdown(link.difficulty)}"
    return line + "".join(
        f"{RELATED_SEP}[{_escape(r.title)}]({destination(r.url)})" for r in link.related
    )


def heading_line(depth: int, title: str) -> str:
    """A heading as the guide writes it: `### 🟩 Section`, `#### ◻️Topic`, `##### Sub`."""
    if depth == 0:
        return f"### 🟩 {_escape(title)}"
    marker = "◻️" if depth == 1 else ""
    return f"{'#' * (SECTION_LEVEL + depth)} {marker}{_escape(title)}"


def _prose(text: str) -> list[str]:
    return [escape_line(_clean(line)[0]) if line.strip() else "" for line in text.split("\n")]


def export_readme(guide: Guide) -> str:
    """The catalogue as a README in the guide's own format, checked to import back as itself."""
    lines = [f"# {_escape(guide.title)}", "", "#### ◻️Table of contents"]
    for path, topic in guide.walk():
        depth = len(path) - 1
        marker = "🟩 " if depth == 0 else ("◻️" if depth == 1 else "")
        heading = f"{marker}{_clean(topic.title)[0]}"
        lines.append(f"{'  ' * depth}- [{_escape(heading)}](#{github_anchor(heading)})")
    lines += ["", f"[//]: # ({_escape(FOOTER_TEXT)})", ""]
    for path, topic in guide.walk():
        depth = len(path) - 1
        if depth == 0:
            lines.append("---")
        lines.append(heading_line(depth, topic.title))
        if topic.description:
            lines += [*_prose(topic.description), ""]
        if topic.tip:
            lines += [f"> 📝 {line}" if line else ">" for line in _prose(topic.tip)]
            lines.append("")
        lines.extend(link_line(link) for link in topic.links if not link.personal)
        if topic.links:
            lines.append("")
    lines += ["---", f"### 🟩 {FOOTER_TITLE}", FOOTER_TEXT, ""]
    text = "\n".join(lines)
    _check_export(guide, text)
    return text


_Outline = list[tuple[int, str, list[tuple[str, str, str, tuple[str, ...]]]]]


def _outline(guide: Guide, *, imported: bool) -> _Outline:
    """Headings and their links as an import sees them: what an export must give back
    (a link's related links by their URLs: an importer may tidy a related link's title)."""

    def title(text: str) -> str:
        return text if imported else strip_decoration(_clean(text)[0])

    return [
        (
            len(path),
            title(topic.title),
            [
                (title(k.title) if imported else _clean(k.title)[0].strip(), k.url,
                 k.difficulty.value, tuple(r.url for r in k.related))
                for k in topic.links
                if not k.personal
            ],
        )
        for path, topic in guide.walk()
    ]  # fmt: skip


def _check_export(guide: Guide, text: str) -> None:

    if not guide.sections:
        return
    try:
        again = parse_readme(text, source="export").guide
    except LlmdiveError as exc:
        problem = str(exc).splitlines()[0]
    else:
        expected, got = _outline(guide, imported=False), _outline(again, imported=True)
        if expected == got:
            return
        where = next((e for e, g in zip(expected, got, strict=False) if e != g), expected[-1])
        problem = f"under {shorten(where[1])!r}"
    raise LlmdiveError(
        f"the Markdown export does not import back as the catalogue ({problem}); "
        "nothing was written"
    )
