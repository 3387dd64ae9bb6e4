"""Turning titles and URLs into the short names people type.

Pure string functions with no third-party imports: shell completion and the
importer both use them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    from difflib import SequenceMatcher

# Words dropped from generated link ids: they make ids longer without making them clearer.
_STOPWORDS = frozenset(
    "a an and at by for from in into is of on or the to with vs via your you how what why".split()  # noqa: SIM905
)  # fmt: skip
_MAX_ID_WORDS = 6
MAX_ID_CHARS = 24  # ids are typed and laid out in columns: a longer one became an alias


def slugify(text: str) -> str:
    """'Model Exporting (vLLM, Llama.cpp)' -> 'model-exporting-vllm-llama-cpp'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out: list[str] = []
    pending_dash = False
    for ch in ascii_text.lower():
        if ch.isalnum():
            if pending_dash and out:
                out.append("-")
            out.append(ch)
            pending_dash = False
        else:
            pending_dash = True
    return "".join(out)


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


_TRACKING_PREFIXES = ("utm_", "mc_")
_TRACKING_KEYS = frozenset({"fbclid", "gclid", "ref", "ref_src", "source", "si", "sk"})


@lru_cache(maxsize=1 << 16)
def normalize_url(url: str) -> str:
    """A URL's identity: scheme and host case, trailing slash and tracking parameters ignored."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _TRACKING_KEYS and not k.lower().startswith(_TRACKING_PREFIXES)
    ]
    return urlunsplit(("https", host, path, urlencode(query), ""))


# What a browser's address bar or a share button adds that does not change the page.
_LOOKUP_NOISE = frozenset({*_TRACKING_KEYS, "feature", "igshid", "mibextid"})
_YOUTUBE_HOSTS = frozenset({"youtube.com", "m.youtube.com", "music.youtube.com",
                            "youtube-nocookie.com"})  # fmt: skip


def url_key(url: str) -> str:
    """What identifies a page for looking a link up by a URL pasted from a browser.

    http or https, 'www.', a trailing slash, tracking parameters (utm_*, si, feature, ...)
    and the fragment do not count; a YouTube video is its video id, however it is linked
    (youtu.be/X, watch?v=X&t=42s, shorts/X, embed/X).
    """
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:
        return text
    path = parts.path.rstrip("/")
    query = parse_qsl(parts.query, keep_blank_values=True)
    if host == "youtu.be" and path.count("/") == 1:
        return f"youtube:{path[1:]}"
    if host in _YOUTUBE_HOSTS:
        video = dict(query).get("v") if path == "/watch" else None
        head, _, rest = path[1:].partition("/")
        if video is None and head in ("shorts", "embed", "live", "v") and rest:
            video = rest
        if video:
            return f"youtube:{video}"
    kept = sorted(
        (k, v)
        for k, v in query
        if k.lower() not in _LOOKUP_NOISE and not k.lower().startswith(_TRACKING_PREFIXES)
    )
    if host in ("x.com", "twitter.com", "mobile.twitter.com"):
        kept = []  # a post is its path; ?s=20&t=... only say how it was shared
    return f"{host}{unquote(path)}" + (f"?{urlencode(kept)}" if kept else "")


def looks_like_url(text: str) -> bool:
    """Ids are words and dashes: anything with a dot or a slash is taken for a URL."""
    return "/" in text or "." in text


_HOST_KINDS = {
    **dict.fromkeys(("youtube.com", "youtu.be", "vimeo.com"), "video"),
    **dict.fromkeys(
        ("arxiv.org", "openreview.net", "aclanthology.org", "proceedings.neurips.cc"), "paper"
    ),
    **dict.fromkeys(
        ("medium.com", "substack.com", "notion.site", "x.com", "twitter.com", "github.io"), "post"
    ),
    **dict.fromkeys(("github.com", "gitlab.com", "huggingface.co", "bitbucket.org"), "repo"),
}


def url_kind(url: str) -> str:
    """What a link points at, from its host and path: video, paper, repo, post or article."""
    # Called for every row of a listing, so this splits the (validated, absolute http)
    # URL by hand: urlsplit costs a tenth of a second at 10,000 links.
    rest = url.partition("://")[2]
    cut = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0),
              default=len(rest))  # fmt: skip
    host = rest[:cut].rpartition("@")[2].partition(":")[0].lower()
    path = rest[cut:].partition("?")[0].partition("#")[0].lower()
    labels = host.split(".")
    kind = next(
        (k for i in range(len(labels) - 1) if (k := _HOST_KINDS.get(".".join(labels[i:])))),
        None,
    )
    if kind in ("video", "paper"):
        return kind
    if path.endswith(".pdf"):
        return "paper"
    if kind == "post" or "/blog" in path or "/posts/" in path:
        return "post"
    return kind or "article"


def title_key(title: str) -> str:
    """A title as `similarity` compares it: lower-case words, no ' | by ...' suffix, cut."""
    # Cut: the ratio is quadratic in the length, and a title says what it is early on.
    return " ".join(slugify(title.split(" | ")[0][:300]).split("-"))[:200]


def similarity(a: str, b: str) -> float:
    """How alike two titles are, 0..1, ignoring case, punctuation and ' | by ...' suffixes."""
    return key_similarity(title_key(a), title_key(b))


def key_similarity(a: str, b: str, floor: float = 0.0) -> float:
    """`similarity` of two titles already made `title_key`s; any value under `floor`
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
