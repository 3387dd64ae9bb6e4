"""markdown-it's inline pass, with a short cut for the inline text most lists are made of.

A list item, a table cell or a heading is mostly plain words, `[text](url)` links and
`![alt](src)` images. For an inline text written only with those (no emphasis, code,
entities, escapes, HTML, reference links or brackets of any other use) the tokens are
built here with one regular expression a piece, exactly as markdown-it would build them
(tests/guide/test_importer_equivalence.py compares them on every list of the corpus and on
random text); any other text goes to markdown-it's own inline parser. Markdown-it's inline
pass, which tries every rule at every mark, was two thirds of the parse of a long list.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from markdown_it.common.utils import unescapeAll
from markdown_it.rules_core import StateCore, text_join
from markdown_it.token import Token

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# Text that no inline rule but `text` and `newline` can act on: no brackets, emphasis,
# backticks, entities, escapes or '<'; a '!' only when no '[' follows.
_PLAIN = r"(?:[^\[\]\\`*_&<!\n]|!(?!\[))"
# Any number of them, written as runs of one character class between the '!'s: the same
# strings, but scanned in C instead of trying the alternation at every character.
_PLAIN_RUN = r"[^\[\]\\`*_&<!\n]*(?:!(?!\[)[^\[\]\\`*_&<!\n]*)*"
# A destination as markdown-it reads it with nothing to unescape but entities: up to the
# ')' with no space, control, parenthesis, '<', '>' or backslash.
_DEST = r"[^\x00-\x20\x7f\\()<>]+"
_IMAGE = rf"!\[({_PLAIN_RUN})\]\(({_DEST})\)"


def _pieces(label_brackets: bool) -> re.Pattern[str]:
    # A link's text may hold images, and (`label_brackets`: where no reference is
    # defined, so that '[pdf]' can only be text) words in brackets: '[[pdf]](url)'.
    bracketed = rf"|\[{_PLAIN_RUN}\](?!\()" if label_brackets else ""
    label = rf"{_PLAIN_RUN}(?:(?:!\[{_PLAIN_RUN}\]\({_DEST}\){bracketed}){_PLAIN_RUN})*"
    return re.compile(
        rf"(?P<text>{_PLAIN}{_PLAIN_RUN})"
        rf"|!\[(?P<alt>{_PLAIN_RUN})\]\((?P<src>{_DEST})\)"
        rf"|\[(?P<label>{label})\]\((?P<href>{_DEST})\)"
        r"|(?P<newline>\n)"
    )


_PIECE = _pieces(label_brackets=False)
_PIECE_NO_REFERENCES = _pieces(label_brackets=True)
_INNER_IMAGE = re.compile(_IMAGE)


def _dest(raw: str) -> str:
    return unescapeAll(raw) if "&" in raw else raw


def _token(
    kind: str,
    tag: str,
    nesting: Literal[-1, 0, 1],
    level: int,
    content: str = "",
    attrs: dict[str, str | int | float] | None = None,
    children: list[Token] | None = None,
) -> Token:
    """Token(kind, tag, nesting, ...), all its fields set, without the dataclass's
    __init__ and __post_init__ (three times the cost, for tens of thousands of tokens)."""
    token = _new(Token)
    token.type, token.tag, token.nesting, token.level = kind, tag, nesting, level
    token.attrs, token.map, token.children, token.content = attrs or {}, None, children, content
    token.markup = token.info = ""
    token.meta, token.block, token.hidden = {}, False, False
    return token


_new = object.__new__


def _text(content: str, level: int) -> Token:
    return _token("text", "", 0, level, content)


def _image(alt: str, src: str, level: int) -> Token:
    children = [_text(alt, 0)] if alt else None
    return _token("image", "img", 0, level, alt, {"src": _dest(src), "alt": ""}, children)


def _label(label: str, out: list[Token]) -> None:
    """A link's text (words and images), as tokens one level inside it."""
    pos = 0
    for m in _INNER_IMAGE.finditer(label):
        if m.start() > pos:
            out.append(_text(label[pos : m.start()], 1))
        out.append(_image(m.group(1), m.group(2), 1))
        pos = m.end()
    if pos < len(label):
        out.append(_text(label[pos:], 1))


def plain_children(src: str, references: bool = True) -> list[Token] | None:
    """The inline tokens markdown-it would make of `src`, or None when `src` holds
    anything but plain text, line breaks, plain links and plain images (`references`:
    the document defines some)."""
    out: list[Token] = []
    pending = ""
    pos, end = 0, len(src)
    match = (_PIECE if references else _PIECE_NO_REFERENCES).match
    while pos < end:
        m = match(src, pos)
        if m is None:
            return None
        pos = m.end()
        kind = m.lastgroup
        if kind == "text":
            pending += m.group()
            continue
        if kind == "newline":
            # markdown-it's newline rule: two trailing spaces make a hard break, one goes;
            # the next line's leading spaces and tabs go too.
            brk = "softbreak"
            if pending.endswith("  "):
                pending, brk = pending.rstrip(" "), "hardbreak"
            elif pending.endswith(" "):
                pending = pending[:-1]
            if pending:
                out.append(_text(pending, 0))
                pending = ""
            out.append(_token(brk, "br", 0, 0))
            while pos < end and src[pos] in " \t":
                pos += 1
            continue
        if pending:
            out.append(_text(pending, 0))
            pending = ""
        if kind == "href":
            out.append(_token("link_open", "a", 1, 0, "", {"href": _dest(m.group("href"))}))
            _label(m.group("label"), out)
            out.append(_token("link_close", "a", -1, 0))
        else:
            out.append(_image(m.group("alt"), m.group("src"), 0))
    if pending:
        out.append(_text(pending, 0))
    return out


def inline(state: StateCore) -> None:
    """The core rule 'inline': each inline token's children, by the short cut when it can;
    then the core rule 'text_join', over the children markdown-it's parser made (on those
    of the short cut, which never holds `text_special` or two texts in a row, it does
    nothing: it ran over every token, a twentieth of the parse of a long list)."""
    md: MarkdownIt = state.md
    references = bool(state.env.get("references"))
    parsed: list[Token] = []
    for token in state.tokens:
        if token.type == "inline":
            children = plain_children(token.content, references)
            if children is None:
                children = []
                md.inline.parse(token.content, md, state.env, children)
                parsed.append(token)
            token.children = children
    if parsed:
        text_join(StateCore("", md, state.env, parsed))


def use_short_cut(md: MarkdownIt) -> None:
    """Make `md` build plain inline text by the short cut. The core rules between 'inline'
    and 'text_join' (linkify, replacements, smartquotes) are off in the commonmark preset:
    'text_join' runs inside `inline`, right after."""
    md.core.ruler.at("inline", inline)
    md.core.ruler.disable("text_join")
