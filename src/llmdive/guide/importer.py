"""Any curated reading list's README -> a catalogue, with markdown-it-py.

The guide's title is its H1; its sections and topics are the heading tree below,
whatever levels it uses. A reading item is the link a unit is about: the first
http(s) link of a list item, a table row, a heading written as a link, a line of
only links, or the same inside an HTML block; the unit's other links are its
related links. Links in running prose are not items, and a table of contents
(a list of `#anchor` links) is never imported. Headings that hold no items are
folded away, except those the guide's own table of contents lists.
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it import helpers as _md_helpers
from markdown_it.common.utils import unescapeAll
from markdown_it.helpers.parse_link_destination import _Result as _DestinationResult
from markdown_it.token import Token

from llmdive.errors import LlmdiveError
from llmdive.model.ids import IdPool, cut_slug, github_anchor, link_id, slugify, strip_decoration
from llmdive.model.ids import unique as unique_id
from llmdive.model.models import MAX_RELATED, MAX_RELATED_TITLE_CHARS, Difficulty, Guide
from llmdive.model.text import BIDI, C0, DEL_C1, SURROGATES, char_class
from llmdive.model.urls import UrlError, normalize_url, shorten, strip_credentials

FOOTER_TITLE = "Add to the guide:"
BADGE_COLOURS = {Difficulty.EASY: "green", Difficulty.MEDIUM: "yellow", Difficulty.HARD: "red"}
_BADGE_WORDS = {d.value: d for d in BADGE_COLOURS}

MAX_README_CHARS = 2 * 1024 * 1024
MAX_README_LINES = 60_000
# markdown-it-py spends tens of microseconds on each bracket or emphasis mark it cannot
# match; bounding their number bounds the time of any import to seconds.
MAX_MARKS = 120_000
MAX_SLUG_CHARS = 60
MAX_SHOWN = 3  # warnings of one kind shown without --verbose

# Characters dropped from imported text: controls (but newlines and tabs in prose), DEL,
# C1 controls, bidi overrides and isolates, lone surrogates. A title holding one is junk
# or a trap, and the terminal would act on it.
_DROPPED = re.compile(char_class(C0, DEL_C1, BIDI, SURROGATES, keep="\t\n"))
# Zero-width spaces, word joiners and byte-order marks: invisible, they only break search.
# (The zero-width joiner and non-joiner stay: emoji sequences and scripts need them.)
_ZERO_WIDTH = re.compile("[\u200b\u2060\ufeff]")
# GitHub emoji shortcodes (':star:'), whole tokens only: '10:30:00' is a time.
_SHORTCODE = re.compile(r"(?<![\w:]):[a-z0-9_+\-]+:(?![\w:])")
# GitHub alert markers opening a quote ('> [!NOTE]'): GitHub shows them as an icon.
_ALERT = re.compile(r"^[ \t]*\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*\n?", re.I | re.M)
MAX_CONTEXT_TITLE = 150  # a title taken from the text around a link is at most this long
# Controls in a line are removed before Markdown sees it: inside a link's text or URL they
# would stop the line parsing as a link. An ESC [ or ESC ] sequence goes whole, since its
# bracket would otherwise rewrite the line's brackets; any other control loses only itself.
_CONTROLS = re.compile(char_class(C0, DEL_C1, keep="\x00\t\n\r"))
_BRACKET_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@A-Z^-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?")

# Link texts that say what kind of thing a link is, not which: the item's title comes from
# its context instead (the row's title cell, the text before the link, the heading).
GENERIC = frozenset(
    """pdf paper here link article github code video slides blog website web site project
    demo homepage repo repository arxiv openreview html abs notebook colab youtube post docs
    documentation official source download this url tweet twitter discord huggingface hf
    model dataset data talk lecture recording podcast poster supplementary bibtex citation
    ppt zip weights checkpoint page more""".split()  # noqa: SIM905
) | {"paper link", "code link", "read more", "click here", "project page", "blog post",
     "full paper", "official code", "github repo", "web page", "source code", "pdf link",
     "arxiv paper", "official repo", "paper pdf"}  # fmt: skip
# Empty headings a table of contents lists that are about the repository, not the subject.
_META_HEADINGS = frozenset(
    """contents table-of-contents toc contributing contribute contributors contribution license
    licence acknowledgements acknowledgments acknowledgement citation cite star-history
    sponsors sponsor about footnotes todo changelog disclaimer how-to-contribute
    contributing-guidelines support contact authors maintainers credits""".split()  # noqa: SIM905
)
_TOC_HEADINGS = frozenset({"contents", "table-of-contents", "toc"})
_ENTRY_PARTS = frozenset({"links", "category", "description"})
_LEVEL_WORDS = {
    "easy": Difficulty.EASY, "beginner": Difficulty.EASY, "medium": Difficulty.MEDIUM,
    "intermediate": Difficulty.MEDIUM, "hard": Difficulty.HARD, "advanced": Difficulty.HARD,
}  # fmt: skip
_LEVEL_MARKS = {"🟢": Difficulty.EASY, "🟡": Difficulty.MEDIUM, "🟠": Difficulty.MEDIUM,
                "🔴": Difficulty.HARD}  # fmt: skip
_LEVEL_COLUMNS = frozenset({"difficulty", "level", "difficulty level", "lvl", "levels"})
_TITLE_COLUMNS = ("title", "name", "paper", "course", "book", "resource", "project", "topic")
_LEVEL_SUFFIX = re.compile(
    r"(?:[(\[]\s*(?:level\s*:?\s*)?(%s)\s*[)\]]|(?:^|[-–—|:•]\s*|\blevel\s*:?\s*)(%s)\s*\.?\s*$)"
    % (("|".join(_LEVEL_WORDS),) * 2),
    re.IGNORECASE,
)
_URL_AFTER = ("", " ", "\t", ":", "：")  # what a bare URL item's URL may follow
_BARE_URL = re.compile(r"https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"]", re.IGNORECASE)
_NUMBERING = re.compile(r"^\s*(?:\(?\d+[.)]|\d+\s*[-:])\s*")
_STAR_COUNT = re.compile(r"[⭐★🌟]\ufe0f?\s*[\d.,]+\s*[kKmM]?\b|\(\s*[\d.,]+\s*[kK]?\s*stars?\s*\)")
_EDGE_PUNCT = " \t\n-–—|:;,.•·*_~/\\>(){}[]\"'`：，、"


_NON_WORD = re.compile(r"[^\w]+")
_POINTERS = ("link to ", "link for ", "go to ", "visit ", "watch on ", "watch the ")


def is_generic(text: str) -> bool:
    """Does a link text say only what kind of link it is ('[pdf]', 'Paper', 'Link to Course')?"""
    if len(text) > 40:
        return False  # a generic text is a word or two, and a pointer a few
    words = " ".join(_NON_WORD.sub(" ", text.lower()).split())
    return not words or words in GENERIC or (words.startswith(_POINTERS) and len(words) < 30)


class Notice(str):
    """One warning line, with the kind it is grouped under (`guide import` without --verbose)."""

    kind: str
    line: int

    def __new__(cls, text: str, kind: str, line: int = 0) -> Notice:
        notice = super().__new__(cls, text)
        notice.kind, notice.line = kind, line
        return notice


@dataclass
class ParseResult:
    guide: Guide
    warnings: list[str] = field(default_factory=list)

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


# ---------------------------------------------------------------- pieces of a unit


@dataclass(slots=True)
class _Link:
    href: str
    text: str
    badge: bool = False  # its text is only an image (a shield, a logo)
    images: tuple[tuple[str, str], ...] = ()  # (src, alt) inside it


@dataclass(slots=True)
class _Image:
    src: str
    alt: str


class _Strong(str):
    """Text in bold: a paper list's title before its `[pdf]`."""


Piece = str | _Link | _Image


def _pieces(children: list[Token]) -> list[Piece]:
    """Inline tokens as text, links and images; HTML tags dropped but `<a href>` and `<img>`."""
    out: list[Piece] = []
    i, n = 0, len(children)
    while i < n:
        tok = children[i]
        kind = tok.type
        if kind == "text" or kind == "code_inline":
            out.append(tok.content)
        elif kind == "softbreak" or kind == "hardbreak":
            out.append("\n")
        elif kind == "image":
            out.append(_Image(str(tok.attrGet("src") or ""), tok.content))
        elif kind == "link_open":
            href = str(tok.attrGet("href") or "")
            depth, j = 1, i + 1
            while j < n and depth:
                depth += {"link_open": 1, "link_close": -1}.get(children[j].type, 0)
                j += 1
            inner = _pieces(children[i + 1 : j - 1])
            out.append(_link_of(href, inner))
            i = j
            continue
        elif kind == "html_inline":
            i = _html_inline(children, i, out)
            continue
        elif kind == "strong_open":
            j = i + 1
            while j < n and children[j].type in ("text", "code_inline"):
                j += 1
            if j < n and children[j].type == "strong_close" and j > i + 1:
                out.append(_Strong("".join(t.content for t in children[i + 1 : j])))
                i = j + 1
                continue
        i += 1
    return out


def _link_of(href: str, inner: list[Piece]) -> _Link:
    # A link text wrapped over lines is one title: each line end is a space.
    text = "".join(p for p in inner if isinstance(p, str)).replace("\n", " ").strip()
    images = tuple((p.src, p.alt) for p in inner if isinstance(p, _Image))
    return _Link(href, text, bool(images) and not text, images)


_A_OPEN = re.compile(r"<a\s[^>]*?href\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.I)
_IMG = re.compile(r"<img\s[^>]*?src\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.I)
_ALT = re.compile(r"alt\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.I)


def _html_inline(children: list[Token], i: int, out: list[Piece]) -> int:
    tag = children[i].content
    if m := _A_OPEN.match(tag):
        href = next(g for g in m.groups() if g is not None)
        j = i + 1
        # Up to its </a>; an <a> never closed ends at the next one (linear in hostile text).
        while j < len(children) and not (
            children[j].type == "html_inline"
            and (children[j].content[:3].lower() == "</a" or _A_OPEN.match(children[j].content))
        ):
            j += 1
        out.append(_link_of(_unescape(href), _pieces(children[i + 1 : j])))
        closed = j < len(children) and children[j].content[:3].lower() == "</a"
        return j + 1 if closed else j
    if m := _IMG.match(tag):
        alt = _ALT.search(tag)
        src = next(g for g in m.groups() if g is not None)
        out.append(_Image(_unescape(src), next((g for g in alt.groups() if g), "") if alt else ""))
    elif tag.lower().startswith("<br"):
        out.append("\n")
    return i + 1


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    import html

    return html.unescape(text)


def _text(pieces: list[Piece], *, links: bool = True) -> str:
    """The readable text of pieces: images dropped; links by their text (unless anchors)."""
    parts: list[str] = []
    for p in pieces:
        if isinstance(p, str):
            parts.append(p)
        elif links and isinstance(p, _Link) and not p.href.startswith("#"):
            parts.append(p.text)
    return "".join(parts)


def _tidy(text: str) -> str:
    """Text around links made a title: no star counts, edge punctuation, runs of spaces."""
    if "⭐" in text or "★" in text or "🌟" in text or "star" in text:
        text = _STAR_COUNT.sub("", text)
    text = " ".join(text.split())
    return strip_decoration(text.strip(_EDGE_PUNCT)).strip(_EDGE_PUNCT)


def _heading_title(pieces: list[Piece]) -> str:
    """A heading's name as written, but for its images, anchors and HTML tags; when any of
    those went, the separators they leave behind go too ('Name [(back)](#top)')."""
    text = _text(pieces)
    decorated = any(isinstance(p, _Image) or (isinstance(p, _Link) and p.href.startswith("#"))
                    for p in pieces)  # fmt: skip
    if decorated or "⭐" in text:
        return _tidy(text)
    return strip_decoration(text).strip()


def _level_of(text: str) -> Difficulty | None:
    for mark, level in _LEVEL_MARKS.items():
        if mark in text:
            others = {v for k, v in _LEVEL_MARKS.items() if k in text}
            return level if len(others) == 1 else None
    # A level is a word at the end (or in brackets near it): the last characters tell.
    m = _LEVEL_SUFFIX.search(text[-160:])
    if m:
        return _LEVEL_WORDS[(m.group(1) or m.group(2)).lower()]
    return None


# ---------------------------------------------------------------- the builder


@dataclass
class _Item:
    title: str
    url: str
    line: int
    difficulty: Difficulty = Difficulty.UNRATED
    related: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Node:
    level: int
    title: str
    line: int
    anchor: str
    description: list[str] = field(default_factory=list)
    tip: list[str] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)
    footer: bool = False
    toc: bool = False  # holds a table of contents: the headings after it are not its own


class _Builder:
    """Collects headings and units in reading order; builds the Guide at the end."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.title = ""
        self.titled = False  # the heading that is the title has been seen
        self.first_heading = ""
        self.untitled = False  # the first H1 names a table of contents, not the list
        self.root = _Node(0, "", 0, "")
        self.stack: list[_Node] = [self.root]
        self.entry: tuple[int, _Item] | None = None  # a heading written as a link, and its level
        self.toc: set[str] = set()  # anchors a table of contents lists
        self.warnings: list[str] = []
        self.cleaned: set[int] = set()  # lines already reported for removed characters
        self.in_prose = False  # the last unit was running text, not an item
        # Per nested list: the text of the bullet it hangs from when that bullet has no link
        # (a name for its first generic link), and the item that name went to.
        self.labels: list[list[Any]] = []
        self.last_item: _Item | None = None
        self.level_column: int | None = None
        self.title_column: int | None = None

    def warn(self, line: int, message: str, kind: str) -> None:
        self.warnings.append(Notice(f"{self.source}:{line}: {message}", kind, line))

    def clean(
        self, text: str, line: int, what: str, *, final: bool = False, prose: bool = False
    ) -> str:
        """`text` cleaned (`final`: the end's one cleaning, `_final`); one warning a line."""
        kept, changed = _final(text, prose=prose) if final else _clean(text)
        if changed and line not in self.cleaned:
            self.cleaned.add(line)
            self.warn(
                line,
                f"control or bidi characters removed from {what} {shorten(kept)!r}",
                "texts had control or bidi characters removed",
            )
        return kept

    @property
    def node(self) -> _Node:
        return self.stack[-1]

    # -------------------------------------------------------- headings

    def heading(self, level: int, pieces: list[Piece], line: int, html: bool = False) -> None:
        title = self.clean(_heading_title(pieces), line, "heading")
        anchor = github_anchor(_text(pieces))
        names_toc = slugify(title[:40]) in _TOC_HEADINGS  # never the guide's title
        if level == 1 and names_toc and not self.titled:
            # The first H1 is a table of contents: the list has no title heading, and the
            # H1s after it are its sections.
            self.titled = self.untitled = True
        if (
            level == 1
            and title
            and not names_toc
            and not self.untitled
            and (not self.title or (title == self.title and not self.titled))
        ):
            self.title, self.titled = title, True
            return
        if not self.first_heading and title and not html and not self.untitled:
            self.first_heading = title
        if self.entry is not None and (level > self.entry[0] or slugify(title) in _ENTRY_PARTS):
            return  # a part of an entry written as headings: its links are the entry's
        self.entry = None
        while len(self.stack) > 1 and (self.stack[-1].level >= level or self.stack[-1].toc):
            self.stack.pop()
        links = [p for p in pieces if isinstance(p, _Link) and not p.badge]
        if links and not _text(pieces, links=False).strip(_EDGE_PUNCT + " "):
            item = self.item([pieces], line, heading=True)
            if item is not None:
                self.entry = (level, item)
                return
        if not title:
            self.warn(line, "heading without a title skipped", "headings without a title skipped")
            title = ""
        node = _Node(level, title, line, anchor)
        node.footer = slugify(title[:200]) == slugify(FOOTER_TITLE) or self.node.footer
        if title:
            self.node.children.append(node)
        self.stack.append(node)

    # -------------------------------------------------------- units

    def unit(
        self, cells: list[list[Piece]], line: int, *, row: bool = False, lead: int = 3
    ) -> bool:
        """A list item, a table row, a line of only links: an item if it is about a link
        (`lead`: the most words of text before it that still make a label, not prose)."""
        if self.entry is not None:
            self._related(self.entry[1], [p for c in cells for p in c])
            return True
        self.in_prose = False
        label = self.labels[-1] if self.labels else None
        if label is not None and label[1] is not None and not row:
            links = (p for c in cells for p in c if isinstance(p, _Link) and not p.badge)
            first = next(links, None)
            if first is not None and is_generic(first.text):
                self._related(label[1], [p for c in cells for p in c])  # '  - [video](url)'
                return True
        item = self.item(cells, line, row=row, lead=lead)
        return item is not None

    def item(
        self,
        cells: list[list[Piece]],
        line: int,
        *,
        row: bool = False,
        heading: bool = False,
        lead: int = 3,
    ) -> _Item | None:
        chosen: tuple[int, int, _Link] | None = None  # cell, piece index, link
        url = ""
        first = next(
            ((c, k, p) for c, cell in enumerate(cells) for k, p in enumerate(cell)
             if isinstance(p, _Link) and not p.badge and not _is_badge_url(p.href)),
            None,
        )  # fmt: skip
        if first is not None:
            # The unit's first link decides: an anchor, a page of the list's own repository
            # or a mailto: first means the unit is not a reading item.
            url = self._usable(first[2], line) or ""
            if not url:
                return None
            chosen = first
        bare = False
        if chosen is None:
            found = None if row or heading else self._bare(cells, lead)
            if found is None:
                return None
            chosen, bare = found, True
            url = strip_credentials(found[2].href)[0]
        c, k, link = chosen
        cell = cells[c]
        raw_before = _text(cell[:k], links=False)
        before = _tidy(_NUMBERING.sub("", raw_before))
        title = self.clean(link.text, line, "title").strip()
        generic = is_generic(title)
        if lead == 0 and not row and not heading and _has_words(_text(cells[c], links=False)):
            self.in_prose = True  # a paragraph's line with words besides its links
            return None
        if (
            not row
            and not heading
            and before
            and _in_a_sentence(before, raw_before, cell, k, title, generic, lead)
        ):
            self.in_prose = True  # running text that mentions links
            return None
        if generic or not title:
            context = ""
            if row:
                context = self._title_cell(cells, c)
            label = self.labels[-1] if self.labels else None
            if not context and label is not None and label[0] and label[1] is None:
                context = label[0]  # '- Spanner:' then '  - [paper](url)'
            if not context and before and not heading:
                strong = next((p for p in cell[:k] if isinstance(p, _Strong) and _tidy(p)), "")
                context = _tidy(strong) or _first_sentence(before)
            if not context and not row and not heading:
                context = _first_sentence(_tidy(_text(cell[k + 1 :], links=False)))
            if not context and bare:
                context = _url_title(url)
            if not context and lead == 0 and not heading and self.node is not self.root:
                context = self.node.title  # a line of links under the heading they are about
            if context:
                title = _bounded(context)
            elif not title:
                self.warn(line, f"link to {shorten(url)} skipped: it has no title",
                          "links without a title skipped")  # fmt: skip
                return None
        item = _Item(title, url, line)
        self.last_item = item
        if self.labels and self.labels[-1][0] == title and self.labels[-1][1] is None:
            self.labels[-1][1] = item
        rest = [p for j, cl in enumerate(cells) for m, p in enumerate(cl) if (j, m) != (c, k)]
        self._related(item, rest)
        item.difficulty = self._difficulty(cells, c, k, title, line)
        self.node.items.append(item)
        return item

    def _usable(self, link: _Link, line: int) -> str | None:
        href = link.href.strip()
        if not href.lower().startswith(("http://", "https://")):
            return None
        try:
            url, had_credentials = strip_credentials(href)
        except UrlError:
            return None
        if had_credentials:
            self.warn(
                line,
                f"user name and password removed from the URL of {shorten(link.text)!r}",
                "URLs had a user name and password removed",
            )
        return url

    def skipped(self, cells: list[list[Piece]], line: int) -> None:
        """Report the links of a unit that can never be items (not http(s), bad URLs)."""
        for cell in cells:
            for p in cell:
                if not isinstance(p, _Link) or p.badge or p.href.startswith("#"):
                    continue
                href = p.href.strip()
                if not href and not p.text:
                    self.warn(line, "empty link skipped", "empty links skipped")
                    continue
                try:
                    strip_credentials(href)
                except UrlError as exc:
                    self.warn(line, f"link {shorten(p.text)!r} skipped: {shorten(href)!r} {exc}",
                              "links skipped: not a usable http(s) URL")  # fmt: skip

    def _bare(self, cells: list[list[Piece]], lead: int) -> tuple[int, int, _Link] | None:
        """A URL written out as the item (`- https://...`, `- Name: https://...`)."""
        for c, cell in enumerate(cells):
            for k, p in enumerate(cell):
                if isinstance(p, str) and "http" in p and (m := _BARE_URL.search(p)):
                    head = _text(cell[:k]) + p[: m.start()]
                    if head[-1:] not in _URL_AFTER or len(_tidy(head).split()) > lead:
                        return None
                    try:
                        strip_credentials(m.group(0))
                    except UrlError:
                        return None
                    # The text before the URL stays the text before the link.
                    cell = [*cell[:k], p[: m.start()], _Link(m.group(0), ""), p[m.end() :]]
                    cells[c] = cell
                    return c, k + 1, cell[k + 1]  # type: ignore[return-value]
        return None

    def _title_cell(self, cells: list[list[Piece]], skip: int) -> str:
        order = list(range(len(cells)))
        if self.title_column is not None and self.title_column < len(cells):
            order.insert(0, self.title_column)
        for c in order:
            if c == skip and self.title_column != c:
                continue
            text = _context_title(cells[c])
            if text and not is_generic(text) and not re.fullmatch(r"[\d\s.,/:-]+", text):
                return text
        return ""

    def _related(self, item: _Item, pieces: list[Piece]) -> None:
        if not any(isinstance(p, _Link) for p in pieces):
            return
        # Compared as written, but for case and a final slash: a cheap key, since a list
        # of papers has a related link or two on every row.
        seen = {_same(item.url), *(_same(u) for _, u in item.related)}
        for p in pieces:
            if len(item.related) >= MAX_RELATED:
                return
            if not isinstance(p, _Link) or p.href.startswith("#"):
                continue
            href = p.href.strip()
            if not href.lower().startswith(("http://", "https://")):
                continue
            if p.badge and _is_badge_url(href):
                continue  # a shield linking to its own service or image: decoration
            try:
                url = strip_credentials(href)[0]
            except UrlError:
                continue
            key = _same(url)
            if key in seen:
                continue
            seen.add(key)
            text = p.text or " ".join(alt for _, alt in p.images)  # a logo link: its alt text
            title = _tidy(_clean(text)[0]) or _url_title(url)
            item.related.append((shorten(title, MAX_RELATED_TITLE_CHARS), url))

    def _difficulty(
        self, cells: list[list[Piece]], c: int, k: int, title: str, line: int
    ) -> Difficulty:
        cell = cells[c]
        badge = next((p for p in cell[k + 1 :] if isinstance(p, (_Image, _Link))), None)
        if isinstance(badge, _Image):
            found = self._badge(badge, title, line)
            if found is not None:
                return found
        if self.level_column is not None and self.level_column < len(cells) and len(cells) > 1:
            found = _level_of(_text(cells[self.level_column]).strip())
            if found is None and (word := _text(cells[self.level_column]).strip().lower()):
                found = _LEVEL_WORDS.get(word)
            return found or Difficulty.UNRATED
        after = _text(cell[k + 1 :], links=False)
        before = _text(cell[:k], links=False)
        return _level_of(after) or _marks_only(before) or Difficulty.UNRATED

    def _badge(self, image: _Image, title: str, line: int) -> Difficulty | None:
        alt = image.alt.strip().lower()
        if alt in _BADGE_WORDS:
            return _BADGE_WORDS[alt]
        src = image.src.lower()
        if "difficulty-" not in src:
            return None
        for word, difficulty in _BADGE_WORDS.items():
            if f"difficulty-{word}" in src:
                return difficulty
        self.warn(line, f"unknown badge {shorten(image.alt, 30)!r} on link {shorten(title)!r}: "
                  "imported as unrated", "unknown difficulty badges")  # fmt: skip
        return Difficulty.UNRATED

    def prose(self, text: str, *, tip: bool) -> None:
        node = self.node
        if self.entry is not None or node is self.root:
            return
        (node.tip if tip else node.description).append(text)


_POINTER_WORDS = frozenset({"here", "this", "link", "this link", "click here"})


def _in_a_sentence(
    before: str, raw_before: str, cell: list[Piece], k: int, title: str, generic: bool, lead: int
) -> bool:
    """Is the link at `cell[k]` a mention inside running text rather than what its list
    item is about? A short label before it ('Paper:', 'Check out') keeps it an item,
    unless the sentence runs on after the link ('The [Hub](url) is a great place')."""
    words = len(before.split())
    label = words <= 8 and bool(_LABEL_END.search(raw_before))
    if generic:
        # '[pdf]' after a paper's title is an item; 'go [here]' ending a sentence is not.
        return title.lower().strip("[]() ") in _POINTER_WORDS and words > 6 and not label
    if label:
        return False
    if words > lead:
        return True
    after = next((p for p in cell[k + 1 :] if not isinstance(p, _Image)), "")
    return isinstance(after, str) and after.lstrip()[:1].islower()


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


_LABEL_END = re.compile(r"[:\-–—|]\s*$")


_SENTENCE_END = re.compile(r"(?<=\w\w)\. (?=[A-Z])")


def _first_sentence(text: str) -> str:
    """'Title. Authors. Venue' -> 'Title': the text before a link as its title."""
    m = _SENTENCE_END.search(text)
    head = text[: m.start()] if m else text
    return head if m and len(head.split()) >= 2 else text


_BADGE_HOSTS = ("img.shields.io", "shields.io/", "badgen.net", "star-history.com", "badge.fury.io")


_BADGE_URL = re.compile(
    "|".join(re.escape(h) for h in _BADGE_HOSTS) + r"|\.(?:svg|png|jpe?g|gif|webp)(?:[?#]|$)",
    re.IGNORECASE,
)


def _is_badge_url(href: str) -> bool:
    """A link to a badge service or an image file: decoration, never an item."""
    return _BADGE_URL.search(href) is not None


def _marks_only(text: str) -> Difficulty | None:
    found = {v for k, v in _LEVEL_MARKS.items() if k in text}
    return found.pop() if len(found) == 1 else None


def _same(url: str) -> str:
    return url.lower().rstrip("/")


def _url_title(url: str) -> str:
    """A title for a bare URL: its host and path, without the scheme."""
    rest = url.split("://", 1)[-1].removeprefix("www.").rstrip("/")
    return shorten(rest, 100)


# ---------------------------------------------------------------- HTML blocks


class _HtmlUnits(HTMLParser):
    """An HTML block as units (li, tr, p, dd, lines), headings and an h1."""

    BREAKS = frozenset({"li", "tr", "p", "div", "dd", "dt", "br", "details", "summary", "ul",
                        "ol", "table", "blockquote", "section", "center"})  # fmt: skip

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


# ---------------------------------------------------------------- the walk


def _clean_lines(text: str, builder: _Builder) -> str:
    """`text` without control characters (tabs and line ends kept), a warning per line."""
    if not _CONTROLS.search(text):
        return text
    lines = text.split("\n")
    for number, raw in enumerate(lines, start=1):
        if _CONTROLS.search(raw):
            kept = _CONTROLS.sub("", _BRACKET_ESCAPES.sub("", raw))
            builder.warn(number, f"control characters removed from {shorten(kept.strip())!r}",
                         "lines had control characters removed")  # fmt: skip
            builder.cleaned.add(number)
            lines[number - 1] = kept
    return "\n".join(lines)


def _clean(text: str) -> tuple[str, bool]:
    """`text` without the characters an import drops, and whether it held any."""
    if text.isascii() and text.isprintable():
        return text, False
    kept = _DROPPED.sub("", text)
    changed = len(kept) != len(text)
    if "\u200b" in kept or "\u2060" in kept or "\ufeff" in kept:
        kept = _ZERO_WIDTH.sub("", kept)  # invisible, but not a trap: no warning
    return kept, changed


def _final(text: str, *, prose: bool = False) -> tuple[str, bool]:
    """The one cleaning of every title, section name, description and tip, whatever it
    came from: `_clean`, then emoji shortcodes and (in `prose`) alert markers dropped.
    Returns the text and whether control or bidi characters were removed."""
    kept, changed = _clean(text)
    if ":" in kept and _SHORTCODE.search(kept):
        kept = _SHORTCODE.sub("", kept)
        kept = kept.strip() if prose else " ".join(kept.split())
    if prose and "[!" in kept:
        kept = _ALERT.sub("", kept).strip()
    return kept, changed


def _bounded(text: str, limit: int = MAX_CONTEXT_TITLE) -> str:
    """A title from context cut to `limit` characters at a word, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return head.rstrip(_EDGE_PUNCT) + "…"


_PHRASE_END = re.compile(r"\s{2,}|\s[-–—]\s|(?<=\w\w)[.:] (?=[A-Z])")


def _context_title(pieces: list[Piece]) -> str:
    """The title a cell or the text before a link gives: its leading bold phrase, else
    (when it is a paragraph) its first phrase or sentence; numbering ('1) ') dropped."""
    lead = [p for p in pieces if not (isinstance(p, str) and not p.strip())]
    if lead and isinstance(lead[0], str) and _NUMBERING.fullmatch(lead[0]):
        lead = lead[1:]
    if lead and isinstance(lead[0], _Strong) and _tidy(lead[0]):
        return _bounded(_tidy(lead[0]))
    raw = _NUMBERING.sub("", _text(pieces)).strip()
    text = _tidy(raw)
    if len(text) <= MAX_CONTEXT_TITLE:
        return text
    m = _PHRASE_END.search(raw)
    return _bounded(_tidy(raw[: m.start()]) if m else text)


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
    "entity": ("&",), "backticks": ("`",), "autolink": ("<",), "html_inline": ("<",),
    "escape": ("\\",), "emphasis": ("*", "_"), "image": ("![",), "table": ("|",),
    "fence": ("```", "~~~"), "blockquote": (">",), "html_block": ("<",),
}  # fmt: skip


def _make_parser(text: str = "") -> MarkdownIt:
    """markdown-it-py as the importer uses it; rules `text` cannot trigger left out."""
    md = _base_parser()
    unused = [rule for rule, marks in _TRIGGERS.items() if not any(m in text for m in marks)]
    if not _REFERENCE.search(text):
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
            builder.labels.append(list(_flush_item(builder, items[-1], nested=True)))
            items[-1] = ([], items[-1][1])
        elif kind in ("bullet_list_close", "ordered_list_close") and items and builder.labels:
            builder.labels.pop()
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
            else:
                _paragraph(builder, pieces, line, tip=quote > 0)
        elif kind == "html_block":
            _html_block(builder, tok.content, line)
        i += 1


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
    if _has_items(root):
        _keep(root, builder.toc)
    sections = [c for c in root.children if not c.footer]
    while len(sections) == 1 and not sections[0].items and len(sections[0].children) >= 2:
        sections = sections[0].children  # one heading wrapping all the others ('## Courses')
    if root.items and not sections:
        # A list with no headings: its items are one section, named after the guide.
        only = _Node(2, builder.title or _name_of(source), 0, "", items=root.items)
        sections = [only]
    slugs = IdPool()
    ids = IdPool()
    out = []
    for node in sections:
        seen: dict[str, int] = {}
        out.append(_topic(node, None, slugs, ids, seen, builder))
    title = builder.title or builder.first_heading
    title = builder.clean(title, 1, "title", final=True) if title else ""
    return {"title": title or _name_of(source), "sections": out}


def _name_of(source: str) -> str:
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
        link: dict[str, Any] = {
            "id": link_id(item.title, item.url, ids),
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
    builder = _Builder(shorten(source))
    text = text.removeprefix("\ufeff")  # a byte-order mark: not part of the first line
    if "\x00" in text:
        # Markdown turns NUL into U+FFFD; it is dropped here instead, like other controls.
        for number, raw in enumerate(text.split("\n"), start=1):
            if "\x00" in raw:
                builder.warn(number, "NUL characters removed", "lines had NUL characters removed")
        text = text.replace("\x00", "")
    text = _clean_lines(text, builder)
    tokens = _make_parser(text).parse(text)
    for tok in tokens:
        if tok.type == "html_block" and not builder.title and "<h1" in tok.content.lower():
            finder = _HtmlUnits()
            finder.feed(tok.content)
            finder.close()
            h1 = next((c for k, c in finder.units if k == "h1"), None)
            if h1:
                builder.title = _tidy(_clean(_text(sum(h1, [])))[0])
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
    return ParseResult(guide, warnings)
