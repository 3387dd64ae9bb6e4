"""Turning titles into the short names people type (link and section ids) and comparing titles.

Pure string functions with no third-party imports: shell completion and the
importer both use them. What a URL is (its identity, kind, checks) is model/urls.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from difflib import SequenceMatcher

# Words dropped from generated link ids: they make ids longer without making them clearer.
_STOPWORDS = frozenset(
    "a an and at by for from in into is of on or the to with vs via your you how what why".split()  # noqa: SIM905
)
_MAX_ID_WORDS = 6
MAX_ID_CHARS = 24  # ids are typed and laid out in columns: a longer one became an alias


def slugify(text: str) -> str:
    """'Model Exporting (vLLM, Llama.cpp)' -> 'model-exporting-vllm-llama-cpp'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    # Its runs of letters and digits, one dash between two (found in C: every link's id
    # and every heading's slug is made here).
    return "-".join(_ALNUM_RUN.findall(ascii_text.lower()))


_ALNUM_RUN = re.compile("[a-z0-9]+")


_DECORATION = frozenset({"So", "Sm", "Sk", "Mn", "Cf", "Co"})


def strip_decoration(title: str) -> str:
    """Drop the emoji markers the guide puts before headings ('🟩 ', '◻️')."""
    i = 0
    while i < len(title) and (
        title[i].isspace()
        or (not title[i].isascii() and unicodedata.category(title[i]) in _DECORATION)
    ):
        i += 1
    return title[i:].strip()


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: '◻️LoRA' -> '️lora' (the variation selector stays)."""
    kept = (c for c in heading.strip().lower() if c in " -_" or unicodedata.category(c)[0] in "LMN")
    return "".join(kept).replace(" ", "-")


def _id_words(title: str) -> list[str]:
    # Medium-style suffixes (" | by Author | Site") are not part of what the link is about.
    title = title.split(" | ")[0]
    # A leading author ("Umar Jamil: ", "Jay Alamar - ") is dropped when it looks like a name.
    for sep in (": ", " - "):
        head, found, rest = title.partition(sep)
        words = head.split()
        if (
            found
            and len(slugify(rest).split("-")) >= 2
            and len(words) == 2
            and all(w[:1].isupper() for w in words)
        ):
            title = rest
            break
    words = slugify(title).split("-")
    kept = [w for w in words if w and w not in _STOPWORDS]
    return kept or [w for w in words if w]


def cut_slug(slug: str, limit: int) -> str:
    """`slug` cut to at most `limit` characters, at a dash when one is near the end."""
    if len(slug) <= limit:
        return slug
    head = slug[: limit + 1]
    dash = head.rfind("-")
    return (head[:dash] if dash >= limit // 2 else slug[:limit]).strip("-")


class IdPool(set[str]):
    """Ids already taken, with the next free number per base: numbering stays linear.

    A plain set works with `unique` too; an IdPool remembers, for each base, the
    number it reached, so that a thousand links titled alike cost a thousand steps,
    not half a million.
    """

    def __init__(self, ids: Iterable[str] = ()) -> None:
        super().__init__(ids)
        self.next_number: dict[str, int] = {}


def unique(base: str, taken: set[str], limit: int) -> str:
    """`base`, or `base-2`, `base-3` ... (cut to fit `limit`): the first not in `taken`."""
    if base not in taken:
        taken.add(base)
        return base
    counters = taken.next_number if isinstance(taken, IdPool) else {}
    n = counters.get(base, 2)
    while True:
        suffix = f"-{n}"
        candidate = f"{cut_slug(base, limit - len(suffix)) or 'x'}{suffix}"
        n += 1
        if candidate not in taken:
            break
    counters[base] = n
    taken.add(candidate)
    return candidate


def link_id(title: str, url: str, taken: set[str]) -> str:
    """A short, readable id for a link, unique against `taken` (which it is added to).

    The title's first words, cut at a word so as to fit MAX_ID_CHARS; on a clash, a
    later word of the title that still fits, then a number (the id still fits).
    """
    # Only the start of a title can make its id: slugifying a megabyte of it would not help.
    words = _id_words(title[:300]) or slugify(urlsplit(url[:300]).netloc).split("-") or ["link"]
    chosen: list[str] = []
    for word in words:
        if chosen and (
            len(chosen) >= _MAX_ID_WORDS or len("-".join([*chosen, word])) > MAX_ID_CHARS
        ):
            break
        chosen.append(word)
    candidate = cut_slug("-".join(chosen), MAX_ID_CHARS) or "link"
    # On a clash, first try a later word of the title that fits, then a number.
    for extra in words[len(chosen) :]:
        if candidate not in taken:
            break
        if len(longer := f"{candidate}-{extra}") <= MAX_ID_CHARS:
            candidate = longer
    return unique(candidate, taken, MAX_ID_CHARS)


def title_key(title: str) -> str:
    """A title as `key_similarity` compares it: lower-case words, no ' | by ...' suffix, cut."""
    # Cut: the ratio is quadratic in the length, and a title says what it is early on.
    return " ".join(slugify(title.split(" | ")[0][:300]).split("-"))[:200]


def key_similarity(a: str, b: str, floor: float = 0.0) -> float:
    """How alike two titles already made `title_key`s are, 0..1; any value under `floor`
    when difflib's upper bounds already show the ratio is under it (much cheaper)."""
    matcher = _matcher(b)
    matcher.set_seq1(a)
    if floor:
        bound = matcher.real_quick_ratio()
        if bound >= floor:
            bound = matcher.quick_ratio()
        if bound < floor:
            return bound
    return matcher.ratio()


@lru_cache(maxsize=4)
def _matcher(b: str) -> SequenceMatcher[str]:
    # What difflib learns about b is reused: one title is compared with many in a row.
    from difflib import SequenceMatcher

    return SequenceMatcher(None, "", b)
