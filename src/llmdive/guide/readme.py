"""The catalogue -> a README in The LLM Deep Dive's format, checked to import back as itself.

`export_readme` writes ### sections, ####/##### topics, a table of contents and a
shields.io badge per link; guide/importer/ reads it (and any curated list) back.
"""

from __future__ import annotations

from llmdive.errors import LlmdiveError
from llmdive.guide.importer import BADGE_COLOURS, FOOTER_TITLE, ParseResult, parse_readme
from llmdive.guide.importer.words import _clean
from llmdive.model.ids import github_anchor, strip_decoration
from llmdive.model.markdown import destination, escape_inline, escape_line
from llmdive.model.models import Difficulty, Guide, Link
from llmdive.model.urls import shorten

__all__ = ["ParseResult", "export_readme", "heading_line", "link_line", "parse_readme"]

SECTION_LEVEL = 3
FOOTER_TEXT = "Add links you find useful through pull requests."


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


def export_readme(guide: Guide, *, own_format: bool = True) -> str:
    """The catalogue as a README, checked to import back as itself: in The LLM Deep Dive's
    format (`own_format`: its section and topic markers, table of contents and footer), or
    as plain Markdown with only what the guide has (an imported list)."""
    text = _decorated(guide) if own_format else _plain(guide)
    _check_export(guide, text)
    return text


def _plain(guide: Guide) -> str:
    """`# Title`, `## Section`, `### Topic`...; a table of contents only when the guide keeps
    an empty topic (which only a table of contents keeps), badges only on rated links."""
    lines = [f"# {_escape(guide.title)}", ""]
    topics = list(guide.walk())
    if any(not t.links and not t.topics for _, t in topics):
        lines += ["## Contents", ""]
        for path, topic in topics:
            title = _clean(topic.title)[0]
            lines.append(f"{'  ' * (len(path) - 1)}- [{_escape(title)}](#{github_anchor(title)})")
        lines.append("")
    for path, topic in topics:
        lines += [f"{'#' * min(len(path) + 1, 6)} {_escape(topic.title)}", ""]
        if topic.description:
            lines += [*_prose(topic.description), ""]
        if topic.tip:
            lines += [f"> {line}" if line else ">" for line in _prose(topic.tip)]
            lines.append("")
        links = [link_line(link) for link in topic.links if not link.personal]
        if links:
            lines += [*links, ""]
    return "\n".join(lines)


def _decorated(guide: Guide) -> str:
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
    return "\n".join(lines)


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
                (
                    title(k.title) if imported else _clean(k.title)[0].strip(),
                    k.url,
                    k.difficulty.value,
                    tuple(r.url for r in k.related),
                )
                for k in topic.links
                if not k.personal
            ],
        )
        for path, topic in guide.walk()
    ]


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
