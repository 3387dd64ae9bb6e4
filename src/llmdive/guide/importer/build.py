"""The guide built from what the walk collected, and the entry point `parse_readme`."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmdive.errors import LlmdiveError
from llmdive.guide.importer.builder import _Builder, _clean_lines, _Node, repo_base
from llmdive.guide.importer.walk import _HtmlUnits, _make_parser, _too_large, _walk
from llmdive.guide.importer.words import (
    _META_HEADINGS,
    MAX_SHOWN,
    MAX_SLUG_CHARS,
    _final,
    _text,
    _tidy,
    alt_title,
    banner_title,
)
from llmdive.model.ids import IdPool, cut_slug, link_id, slugify
from llmdive.model.ids import unique as unique_id
from llmdive.model.models import Guide
from llmdive.model.urls import normalize_url, shorten


@dataclass
class ParseResult:
    guide: Guide
    warnings: list[str] = field(default_factory=list)
    # Where each topic ("#" + its slug) and each link (its id) starts in the source: line
    # numbers from 1, for a patch to the README (guide/contribute.py).
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def related(self) -> dict[str, tuple[tuple[str, str], ...]]:
        """Per item URL, its related links as (title, url): what the import found."""
        return {
            k.url: tuple((r.title, r.url) for r in k.related)
            for _, t in self.guide.walk()
            for k in t.links
            if k.related
        }


def found(guide: Guide) -> tuple[int, int, int]:
    """(items, sections, related links) of a guide: what an import says it found."""
    links = [k for _, t in guide.walk() for k in t.links]
    return len(links), len(guide.sections), sum(len(k.related) for k in links)


def group_warnings(warnings: list[str], verbose: bool = False) -> list[str]:
    """Warnings grouped by kind: a kind seen more than MAX_SHOWN times is a count and its
    first lines, unless `verbose`."""
    groups: dict[str, list[str]] = {}
    for w in warnings:
        groups.setdefault(getattr(w, "kind", w), []).append(w)
    out: list[str] = []
    for kind, lines in groups.items():
        if verbose or len(lines) <= MAX_SHOWN:
            out.extend(lines)
            continue
        out.append(f"{len(lines):,} {kind}; the first {MAX_SHOWN} (--verbose shows all):")
        out.extend(f"  {line}" for line in lines[:MAX_SHOWN])
    return out


# ---------------------------------------------------------------- building the guide


def _keep(node: _Node, toc: set[str]) -> bool:
    """Fold away headings without items (and their empty subheadings), but those the
    guide's own table of contents lists."""
    node.children = [c for c in node.children if _keep(c, toc)]
    if node.level:
        # A heading that only names its one item (a paper as '### Title' and its links) is
        # that item, in the heading above.
        for child in [c for c in node.children if _names_its_item(c)]:
            node.items.append(child.items[0])
            node.children.remove(child)
    if node.footer:
        return False
    if node.items or node.children:
        return True
    return node.anchor in toc and not node.toc and slugify(node.title) not in _META_HEADINGS


def _names_its_item(node: _Node) -> bool:
    return not node.children and len(node.items) == 1 and node.items[0].title == node.title


def _has_items(node: _Node) -> bool:
    return bool(node.items) or any(_has_items(c) for c in node.children)


def _build(builder: _Builder, source: str) -> dict[str, Any]:
    root = builder.root
    # Checked before folding moves items between headings.
    first_is_section = builder.first_node is not None and _has_items(builder.first_node)
    if _has_items(root):
        _keep(root, builder.toc)
    sections = [c for c in root.children if not c.footer]
    while len(sections) == 1 and not sections[0].items and len(sections[0].children) >= 2:
        sections = sections[0].children  # one heading wrapping all the others ('## Courses')
    if root.items and not sections:
        # A list with no headings: its items are one section, named after the guide.
        only = _Node(2, builder.title or _name_of(source, builder.base), 0, "", items=root.items)
        sections = [only]
    slugs = IdPool()
    ids = IdPool()
    out = []
    for node in sections:
        seen: dict[str, int] = {}
        out.append(_topic(node, None, slugs, ids, seen, builder))
    # Without an H1, the first heading names the list; but where that heading is the first
    # of its sections (it holds items: llm-course's '## Notebooks'), the banner opening the
    # README names it better (its logo's alt text: 'LLM Course'), where it has one.
    first = builder.first_heading
    if builder.banner and first_is_section:
        first = builder.banner
    title = builder.title or first or builder.banner
    title = builder.clean(title, 1, "title", final=True) if title else ""
    return {"title": title or _name_of(source, builder.base), "sections": out}


def _name_of(source: str, base: tuple[str, str] | None = None) -> str:
    """The file's name, or the repository's for a README read from GitHub (not 'HEAD')."""
    if base is not None:
        return base[0].split("/")[4]
    name = Path(source.rstrip("/").split("?")[0]).name or source
    stem = name.rsplit(".", 1)[0] if "." in name else name
    if stem.lower() == "readme":
        parent = Path(source).parent.name
        return parent or "Reading list"
    return stem or "Reading list"


def _topic(
    node: _Node,
    parent: dict[str, Any] | None,
    slugs: IdPool,
    ids: IdPool,
    seen: dict[str, int],
    builder: _Builder,
) -> dict[str, Any]:
    node.title = builder.clean(node.title, node.line, "heading", final=True) or node.title
    base = cut_slug(slugify(node.title[:200]), MAX_SLUG_CHARS) or "topic"
    slug = ""
    if base in slugs and parent:
        nested = cut_slug(f"{parent['slug']}-{base}", MAX_SLUG_CHARS)
        if nested not in slugs:
            slugs.add(nested)
            slug = nested
    slug = slug or unique_id(base, slugs, MAX_SLUG_CHARS)
    builder.lines["#" + slug] = node.line
    links = []
    for item in node.items:
        key = normalize_url(item.url)
        if key in seen:
            builder.warn(
                item.line,
                f"link {shorten(item.title)!r} skipped: the same URL is already in this section "
                f"(line {seen[key]})",
                "links skipped: the same URL is already in the section",
            )
            continue
        seen[key] = item.line
        item.title = builder.clean(item.title, item.line, "title", final=True) or item.title
        ident = link_id(item.title, item.url, ids)
        builder.lines[ident] = item.line
        link: dict[str, Any] = {
            "id": ident,
            "title": item.title,
            "url": item.url,
            "difficulty": item.difficulty.value,
        }
        if item.related:
            link["related"] = [{"title": t, "url": u} for t, u in item.related]
        links.append(link)
    topic: dict[str, Any] = {
        "slug": slug,
        "title": node.title,
        "description": builder.clean(
            "\n\n".join(node.description), node.line, "text", final=True, prose=True
        ),
        "tip": builder.clean("\n\n".join(node.tip), node.line, "text", final=True, prose=True),
        "links": links,
        "topics": [],
    }
    topic["topics"] = [_topic(c, topic, slugs, ids, seen, builder) for c in node.children]
    return topic


def parse_readme(text: str, source: str = "README.md") -> ParseResult:
    """Parse a curated list's README into a catalogue; problems become warnings."""
    # An import makes hundreds of thousands of tokens, pieces and dicts that all live to its
    # end: the cycle collector, run over all of them again and again as they are made, was
    # a fifth of the time of a long list. What it would free is freed when it runs after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse_readme(text, source)
    finally:
        if collecting:
            gc.enable()


def _parse_readme(text: str, source: str) -> ParseResult:
    too_large = _too_large(text)
    if too_large:
        raise LlmdiveError(f"{shorten(source)}: too large to import: {too_large}")
    builder = _Builder(shorten(source), repo_base(source))
    text = text.removeprefix("\ufeff")  # a byte-order mark: not part of the first line
    if "\x00" in text:
        # Markdown turns NUL into U+FFFD; it is dropped here instead, like other controls.
        for number, raw in enumerate(text.split("\n"), start=1):
            if "\x00" in raw:
                builder.warn(number, "NUL characters removed", "lines had NUL characters removed")
        text = text.replace("\x00", "")
    text = _clean_lines(text, builder)
    tokens = _make_parser(text).parse(text)
    opening = True  # the HTML blocks before anything else: the README's banner
    for tok in tokens:
        if tok.type != "html_block":
            opening = False
        elif opening and not builder.banner:
            builder.banner = banner_title(tok.content)
        if tok.type == "html_block" and not builder.title and "<h1" in tok.content.lower():
            finder = _HtmlUnits()
            finder.feed(tok.content)
            finder.close()
            h1 = next((c for k, c in finder.units if k == "h1"), None)
            if h1:
                pieces = sum(h1, [])
                # Shortcodes go before the edges are tidied (':rocket:' would lose a colon).
                builder.title = _tidy(_final(_text(pieces))[0]) or _tidy(alt_title(pieces))
        if tok.type == "heading_open" and tok.tag == "h1" or builder.title:
            break
    _walk(tokens, builder)
    data = _build(builder, source)
    if not data["sections"]:
        raise LlmdiveError(
            f"{shorten(source)}: no reading items found (links in lists, tables or headings); "
            "nothing was imported"
        )
    # start-up: pydantic loads only when a file must be validated
    from llmdive.model.inputs import validate_guide

    guide = Guide.from_dict(validate_guide(data, Path(source)))
    warnings = sorted(builder.warnings, key=lambda w: getattr(w, "line", 0))
    return ParseResult(guide, warnings, builder.lines)
