"""The text of a unit: its pieces (links, images, bold), titles, badges, difficulty, cleaning."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.token import Token

from llmdive.model.ids import strip_decoration
from llmdive.model.models import Difficulty
from llmdive.model.text import BIDI, C0, DEL_C1, SURROGATES, char_class
from llmdive.model.urls import shorten

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
) | {
    "paper link",
    "code link",
    "read more",
    "click here",
    "project page",
    "blog post",
    "full paper",
    "official code",
    "github repo",
    "web page",
    "source code",
    "pdf link",
    "arxiv paper",
    "official repo",
    "paper pdf",
}


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
    "easy": Difficulty.EASY,
    "beginner": Difficulty.EASY,
    "medium": Difficulty.MEDIUM,
    "intermediate": Difficulty.MEDIUM,
    "hard": Difficulty.HARD,
    "advanced": Difficulty.HARD,
}


_LEVEL_MARKS = {
    "🟢": Difficulty.EASY,
    "🟡": Difficulty.MEDIUM,
    "🟠": Difficulty.MEDIUM,
    "🔴": Difficulty.HARD,
}


_LEVEL_COLUMNS = frozenset({"difficulty", "level", "difficulty level", "lvl", "levels"})


_TITLE_COLUMNS = ("title", "name", "paper", "course", "book", "resource", "project", "topic")


# The level words match in any ASCII case only ((?a:...)): a case-blind match also takes
# the dotless i, the long s and the Kelvin sign for i, s and k, and 'ıntermediate' is no
# key of _LEVEL_WORDS.
_LEVEL_SUFFIX = re.compile(
    r"(?:[(\[]\s*(?:level\s*:?\s*)?(%s)\s*[)\]]|(?:^|[-–—|:•]\s*|\blevel\s*:?\s*)(%s)\s*\.?\s*$)"
    % ((f"(?a:{'|'.join(_LEVEL_WORDS)})",) * 2),
    re.IGNORECASE,
)


_URL_AFTER = ("", " ", "\t", ":", "：")  # what a bare URL item's URL may follow


_BARE_URL = re.compile(r"https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"]", re.IGNORECASE)


# List numbering before a title ('1. ', '(2) ', '3 - ', '4: '): a number of at most three
# digits and its mark, then a space (or nothing). A number that is part of the title stays:
# '4-bit Quantization', '3.5 Turbo', '3D Gaussian', '2024: the year of agents'.
_NUMBERING = re.compile(r"^\s*(?:\(?\d{1,3}[.)](?!\d)|\d{1,3}\s*[-:–—](?=\s|$))\s*")


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
    decorated = any(
        isinstance(p, _Image) or (isinstance(p, _Link) and p.href.startswith("#")) for p in pieces
    )
    if decorated or "⭐" in text:
        return _tidy(text)
    return strip_decoration(text).strip()


# Alt texts that only say an image is one ('logo', 'Header image'): they name nothing.
_PICTURE_WORDS = frozenset(
    "logo image img banner badge header cover icon picture screenshot photo alt title".split()  # noqa: SIM905
)


def alt_title(pieces: list[Piece]) -> str:
    """The name a heading of only pictures (a logo as the H1) gives: the first alt text of
    its images that is not a badge's and says more than that it is a picture."""
    for p in pieces:
        found = [(p.src, p.alt)] if isinstance(p, _Image) else []
        if isinstance(p, _Link) and not _is_badge_url(p.href):
            found = list(p.images)
        for src, alt in found:
            title = _tidy(alt)
            words = set(_NON_WORD.sub(" ", title.lower()).split())
            shield = any(host in src.lower() for host in _BADGE_HOSTS)
            if title and not shield and not words <= _PICTURE_WORDS:
                return title
    return ""


_IMG_TAG = re.compile(r"<img\s[^>]*>", re.I)


def banner_title(html: str) -> str:
    """The name the banner opening a README gives (an HTML block's first image, a logo
    drawn with the list's name): its alt text, unless that only says it is a picture."""
    tag = _IMG_TAG.search(html)
    if tag is None:
        return ""
    src, alt = _IMG.match(tag.group()), _ALT.search(tag.group())
    if src is None or alt is None:
        return ""
    found = next(g for g in src.groups() if g is not None)
    return alt_title(
        [_Image(_unescape(found), _unescape(next(g for g in alt.groups() if g is not None)))]
    )


def _level_of(text: str) -> Difficulty | None:
    for mark, level in _LEVEL_MARKS.items():
        if mark in text:
            others = {v for k, v in _LEVEL_MARKS.items() if k in text}
            return level if len(others) == 1 else None
    # A level is a word at the end (or in brackets near it): the last characters tell.
    tail = text[-160:]
    # Without one of the words in its lower case (most texts), the pattern, tried at each
    # of 160 places, cannot match: the words it matches are ASCII letters in any case.
    lower = tail.lower()
    if not any(word in lower for word in _LEVEL_WORDS):
        return None
    m = _LEVEL_SUFFIX.search(tail)
    if m:
        return _LEVEL_WORDS[(m.group(1) or m.group(2)).lower()]
    return None


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


_IMAGE_FILE = re.compile(r"\.(?:svg|png|jpe?g|gif|webp)(?:[?#]|$)")


def _is_badge_url(href: str) -> bool:
    """A link to a badge service or an image file: decoration, never an item."""
    if href.isascii():
        # What the case-blind pattern finds, found in the lower case (the same for ASCII,
        # where no character folds to another) by substring searches in C.
        lower = href.lower()
        return any(host in lower for host in _BADGE_HOSTS) or bool(_IMAGE_FILE.search(lower))
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
