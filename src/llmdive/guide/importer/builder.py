"""The builder: headings and items collected in reading order, warnings grouped by kind."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from llmdive.guide.importer.words import (
    _BADGE_WORDS,
    _BARE_URL,
    _BRACKET_ESCAPES,
    _CONTROLS,
    _EDGE_PUNCT,
    _ENTRY_PARTS,
    _LEVEL_WORDS,
    _NUMBERING,
    _TOC_HEADINGS,
    _URL_AFTER,
    FOOTER_TITLE,
    Piece,
    _bounded,
    _clean,
    _context_title,
    _final,
    _first_sentence,
    _has_words,
    _heading_title,
    _Image,
    _in_a_sentence,
    _is_badge_url,
    _level_of,
    _Link,
    _marks_only,
    _same,
    _Strong,
    _text,
    _tidy,
    _url_title,
    alt_title,
    is_generic,
)
from llmdive.model.ids import github_anchor, slugify
from llmdive.model.models import MAX_RELATED, MAX_RELATED_TITLE_CHARS, Difficulty
from llmdive.model.urls import UrlError, shorten, strip_credentials


class Notice(str):
    """One warning line, with the kind it is grouped under (`guide import` without --verbose)."""

    kind: str
    line: int

    def __new__(cls, text: str, kind: str, line: int = 0) -> Notice:
        notice = super().__new__(cls, text)
        notice.kind, notice.line = kind, line
        return notice


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


# Where a README on GitHub was read from: a raw file or a page of the repository.
_GITHUB_SOURCE = re.compile(
    r"https?://(?:raw\.githubusercontent\.com/(?P<o1>[\w.-]+)/(?P<r1>[\w.-]+)/(?:refs/heads/)?"
    r"|(?:www\.)?github\.com/(?P<o2>[\w.-]+)/(?P<r2>[\w.-]+)/(?:blob|raw)/)"
    r"(?P<rest>[^?#\s]+)",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# Files of a repository about the repository, not its subject: never reading items.
_REPO_FILES = re.compile(
    r"(?:^|/)(?:contributing|license|licence|code_of_conduct|changelog|security|authors)"
    r"(?:\.\w+)?$|^\.github/",
    re.IGNORECASE,
)


def repo_base(source: str) -> tuple[str, str] | None:
    """(https://github.com/OWNER/REPO/blob/BRANCH, the README's folder) of a README read
    from GitHub (raw or blob URL), or None: what its relative links are relative to."""
    m = _GITHUB_SOURCE.match(source.strip())
    if m is None:
        return None
    owner, repo = m.group("o1") or m.group("o2"), m.group("r1") or m.group("r2")
    branch, _, path = m.group("rest").partition("/")
    folder = posixpath.dirname(path)
    return f"https://github.com/{owner}/{repo}/blob/{branch}", folder


def is_relative(href: str) -> bool:
    """A link to a file of the list's own repository ('docs/intro.md', './x', '/a/b')."""
    return bool(href) and not href.startswith(("#", "//", "?")) and not _SCHEME.match(href)


def in_repo(href: str, base: tuple[str, str]) -> str | None:
    """A relative link as the URL of its file on GitHub, or None (outside the repository,
    or a file about the repository: its licence, how to contribute)."""
    path, hash_, fragment = href.strip().partition("#")
    path = path.partition("?")[0].replace(" ", "%20")
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(base[1], path)
    clean = posixpath.normpath(joined) if joined else ""
    if not clean or clean == "." or clean.startswith("..") or _REPO_FILES.search(clean):
        return None
    return f"{base[0]}/{clean}" + (hash_ + fragment if fragment else "")


class _Builder:
    """Collects headings and units in reading order; builds the Guide at the end."""

    def __init__(self, source: str, base: tuple[str, str] | None = None) -> None:
        self.source = source
        self.base = base  # repo_base of the source: relative links are resolved against it
        self.title = ""
        self.titled = False  # the heading that is the title has been seen
        self.first_heading = ""
        self.first_seen = False  # a heading that could name the list has been seen
        self.first_node: _Node | None = None  # that heading's node
        self.banner = ""  # the name the banner opening the README gives (its logo's alt)
        self.untitled = False  # the first H1 names a table of contents, not the list
        self.root = _Node(0, "", 0, "")
        self.stack: list[_Node] = [self.root]
        self.entry: tuple[int, _Item] | None = None  # a heading written as a link, and its level
        self.toc: set[str] = set()  # anchors a table of contents lists
        self.warnings: list[str] = []
        self.cleaned: set[int] = set()  # lines already reported for removed characters
        self.in_prose = False  # the last unit was running text, not an item
        self.lines: dict[str, int] = {}  # the source line of each topic ("#" + slug) and link
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
        if not title and level == 1 and not self.titled:
            title = self.clean(alt_title(pieces), line, "heading")  # a logo as the H1
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
        # Else the first heading names the list, but a table of contents' ('Contents') or an
        # HTML heading holding a link (a sponsor's banner): then the file or repository does.
        sponsor = html and any(isinstance(p, _Link) and not p.badge for p in pieces)
        if not self.first_seen and title and not self.untitled and not sponsor:
            self.first_seen = True
            self.first_heading = "" if names_toc else title
            first = not names_toc
        else:
            first = False
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
            # It closes the headings above at its level, and what follows it stays in the
            # tree (under its parent): a logo H1 says nothing about the sections below it.
            self.warn(line, "heading without a title skipped", "headings without a title skipped")
            return
        node = _Node(level, title, line, anchor)
        if first:
            self.first_node = node
        node.footer = slugify(title[:200]) == slugify(FOOTER_TITLE) or self.node.footer
        if title:
            self.node.children.append(node)
        self.stack.append(node)

    def open_topic(self, title: str, line: int) -> _Node | None:
        """A topic named by a bold bullet, holding the items of the list under it."""
        title = self.clean(title, line, "heading")
        if not title or self.entry is not None:
            return None
        node = _Node(self.node.level + 1, title, line, github_anchor(title))
        node.footer = self.node.footer
        self.node.children.append(node)
        self.stack.append(node)
        return node

    def close_topic(self, node: _Node) -> None:
        if self.stack[-1] is node:
            self.stack.pop()

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
            (
                (c, k, p)
                for c, cell in enumerate(cells)
                for k, p in enumerate(cell)
                if isinstance(p, _Link) and not p.badge and not _is_badge_url(p.href)
            ),
            None,
        )
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
                self.warn(
                    line,
                    f"link to {shorten(url)} skipped: it has no title",
                    "links without a title skipped",
                )
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

    def _absolute(self, href: str) -> str:
        """`href`, or the URL of the repository's file a relative one names ('' if none)."""
        href = href.strip()
        if href.lower().startswith(("http://", "https://")):
            return href
        if self.base is not None and is_relative(href):
            return in_repo(href, self.base) or ""
        return ""

    def _usable(self, link: _Link, line: int) -> str | None:
        href = self._absolute(link.href)
        if not href:
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
                if is_relative(href):
                    self._skipped_relative(p, href, line)
                    continue
                try:
                    strip_credentials(href)
                except UrlError as exc:
                    self.warn(
                        line,
                        f"link {shorten(p.text)!r} skipped: {shorten(href)!r} {exc}",
                        "links skipped: not a usable http(s) URL",
                    )

    def _skipped_relative(self, link: _Link, href: str, line: int) -> None:
        about_repo = in_repo(href, self.base or ("", "")) is None  # its licence, '../x'
        if self.base is None and not about_repo:
            self.warn(
                line,
                f"link {shorten(link.text)!r} skipped: {shorten(href)!r} is a file of the "
                "list's repository, which is not known",
                "links relative to the repository skipped (import the README from its "
                "GitHub URL to keep them)",
            )
        elif about_repo:
            self.warn(
                line,
                f"link {shorten(link.text)!r} skipped: {shorten(href)!r} is about the "
                "repository (or outside it), not a reading item",
                "links to the repository's own files skipped",
            )

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
            href = self._absolute(p.href)
            if not href:
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
        self.warn(
            line,
            f"unknown badge {shorten(image.alt, 30)!r} on link {shorten(title)!r}: "
            "imported as unrated",
            "unknown difficulty badges",
        )
        return Difficulty.UNRATED

    def prose(self, text: str, *, tip: bool) -> None:
        node = self.node
        if self.entry is not None or node is self.root:
            return
        (node.tip if tip else node.description).append(text)


# ---------------------------------------------------------------- the walk


def _clean_lines(text: str, builder: _Builder) -> str:
    """`text` without control characters (tabs and line ends kept), a warning per line."""
    if not _CONTROLS.search(text):
        return text
    lines = text.split("\n")
    for number, raw in enumerate(lines, start=1):
        if _CONTROLS.search(raw):
            kept = _CONTROLS.sub("", _BRACKET_ESCAPES.sub("", raw))
            builder.warn(
                number,
                f"control characters removed from {shorten(kept.strip())!r}",
                "lines had control characters removed",
            )
            builder.cleaned.add(number)
            lines[number - 1] = kept
    return "\n".join(lines)
