"""The guide's README <-> catalogue.

`parse_readme` reads a README in The LLM Deep Dive's format with markdown-it-py:
### headings are sections, ####/#####/###### headings are topics below them,
and every list line or paragraph line holding a link is a link, badged by the
shields.io image that follows it. `export_markdown` writes a catalogue back in
that same format, so that parsing the export gives the catalogue back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from llmdive.models import Difficulty, Guide, Link
from llmdive.slugs import github_anchor, link_id, slugify, strip_decoration

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


class _Builder:
    """Collects headings and links in reading order; builds the Guide at the end."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.title = ""
        self.sections: list[dict[str, Any]] = []
        self.stack: list[tuple[int, dict[str, Any]]] = []  # (heading level, topic)
        self.slugs: set[str] = set()
        self.ids: set[str] = set()
        self.warnings: list[str] = []
        self.in_footer = False

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(f"{self.source}:{line}: {message}")

    def heading(self, level: int, raw_title: str, line: int) -> None:
        title = strip_decoration(raw_title)
        if level < SECTION_LEVEL:
            if level == 1 and not self.sections and not self.title:
                self.title = title
            self.stack = []
            return
        if level == SECTION_LEVEL:
            self.in_footer = slugify(title) == slugify(FOOTER_TITLE)
            self.stack = []
            if self.in_footer:
                return
        elif not self.stack:
            return  # a heading before the first section: the guide's preamble
        if not title:
            self.warn(line, "heading without a title skipped")
            return
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
        }
        (parent["topics"] if parent else self.sections).append(topic)
        self.stack.append((level, topic))

    def _slug(self, title: str, parent: dict[str, Any] | None) -> str:
        base = slugify(title) or "topic"
        candidate = base
        if candidate in self.slugs and parent:
            candidate = f"{parent['slug']}-{base}"
        n = 2
        while candidate in self.slugs:
            candidate, n = f"{base}-{n}", n + 1
        self.slugs.add(candidate)
        return candidate

    @property
    def current(self) -> dict[str, Any] | None:
        return self.stack[-1][1] if self.stack and not self.in_footer else None

    def text(self, inline: Token, *, tip: bool) -> None:
        topic = self.current
        if topic is None or not inline.children:
            return
        first_line = (inline.map[0] if inline.map else 0) + 1
        prose: list[str] = []
        for offset, line in enumerate(_split_lines(inline.children)):
            if any(t.type == "link_open" for t in line):
                self._links(topic, line, first_line + offset)
            else:
                words = _plain_text(line).strip()
                if words and words not in ("-", "*", "+"):
                    prose.append(words)
        if prose:
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
            title = _plain_text(line[i + 1 : j - 1]).strip()
            badge = next((t for t in line[j:] if t.type in ("image", "link_open")), None)
            i = j
            if href.startswith("#"):
                continue  # a table-of-contents anchor, not content
            if not href and not title:
                self.warn(lineno, "empty link skipped")
                continue
            if not href.lower().startswith(("http://", "https://")):
                self.warn(lineno, f"link {title!r} skipped: {href!r} is not an http(s) URL")
                continue
            if not title:
                self.warn(lineno, f"link to {href} skipped: it has no title")
                continue
            difficulty = Difficulty.UNRATED
            if badge is not None and badge.type == "image":
                difficulty = self._badge(badge, title, lineno)
            topic["links"].append(
                {
                    "id": link_id(title, href, self.ids),
                    "title": title,
                    "url": href,
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
        self.warn(lineno, f"unknown badge {image.content!r} on link {title!r}: imported as unrated")
        return Difficulty.UNRATED


def parse_readme(text: str, source: str = "README.md") -> ParseResult:
    """Parse a README in the guide's format into a catalogue; problems become warnings."""
    from llmdive.errors import LlmdiveError

    md = MarkdownIt("commonmark")
    # Keep URLs exactly as written: the default percent-encoding and punycode pass changes
    # nothing for the guide's links and is a third of the parsing time at 10,000 links.
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    tokens = md.parse(text)
    builder = _Builder(source)
    quote_depth = 0
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            line = (tok.map[0] if tok.map else 0) + 1
            builder.heading(int(tok.tag[1]), _plain_text(tokens[i + 1].children or []), line)
        elif tok.type == "blockquote_open":
            quote_depth += 1
        elif tok.type == "blockquote_close":
            quote_depth -= 1
        elif tok.type == "inline" and tokens[i - 1].type != "heading_open":
            builder.text(tok, tip=quote_depth > 0)
        elif tok.type == "html_block" and not builder.title:
            finder = _H1Finder()
            finder.feed(tok.content)
            builder.title = finder.title
    if not builder.sections:
        raise LlmdiveError(
            f"{source}: no sections found (a section is a '### ' heading); nothing was imported"
        )
    from llmdive.schema import validate_guide

    data = {"title": builder.title or "The LLM Deep Dive", "sections": builder.sections}
    return ParseResult(Guide.from_dict(validate_guide(data, Path(source))), builder.warnings)


def _escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in "\\[]*_`<>!#|":
            out.append("\\")
        out.append(ch)
    return "".join(out)


def _badge_markdown(difficulty: Difficulty) -> str:
    if difficulty not in BADGE_COLOURS:
        return ""
    word = difficulty.value.capitalize()
    colour = BADGE_COLOURS[difficulty]
    return f" ![{word}](https://img.shields.io/badge/difficulty-{word}-{colour})"


def link_line(link: Link) -> str:
    """A link as the guide writes it: `- [title](url) ![Easy](badge)`."""
    return f"- [{_escape(link.title)}]({link.url}){_badge_markdown(link.difficulty)}"


def heading_line(depth: int, title: str) -> str:
    """A heading as the guide writes it: `### 🟩 Section`, `#### ◻️Topic`, `##### Sub`."""
    if depth == 0:
        return f"### 🟩 {_escape(title)}"
    marker = "◻️" if depth == 1 else ""
    return f"{'#' * (SECTION_LEVEL + depth)} {marker}{_escape(title)}"


def export_markdown(guide: Guide) -> str:
    """The catalogue as a README in the guide's own format."""
    lines = [f"# {guide.title}", "", "#### ◻️Table of contents"]
    for path, topic in guide.walk():
        depth = len(path) - 1
        marker = "🟩 " if depth == 0 else ("◻️" if depth == 1 else "")
        heading = f"{marker}{topic.title}"
        lines.append(f"{'  ' * depth}- [{heading}](#{github_anchor(heading)})")
    lines += ["", f"[//]: # ({_escape(FOOTER_TEXT)})", ""]
    for path, topic in guide.walk():
        depth = len(path) - 1
        if depth == 0:
            lines.append("---")
        lines.append(heading_line(depth, topic.title))
        if topic.description:
            lines += [*topic.description.split("\n"), ""]
        if topic.tip:
            lines += [f"> 📝 {line}" if line else ">" for line in topic.tip.split("\n")]
            lines.append("")
        lines.extend(link_line(link) for link in topic.links if not link.personal)
        if topic.links:
            lines.append("")
    lines += ["---", f"### 🟩 {FOOTER_TITLE}", FOOTER_TEXT, ""]
    return "\n".join(lines)
