"""Turning titles and URLs into the short names people type.

Pure string functions with no third-party imports: shell completion and the
importer both use them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Words dropped from generated link ids: they make ids longer without making them clearer.
_STOPWORDS = frozenset(
    "a an and at by for from in into is of on or the to with vs via your you how what why".split()  # noqa: SIM905
)  # fmt: skip
_MAX_ID_WORDS = 6
_MAX_ID_CHARS = 40


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


def link_id(title: str, url: str, taken: set[str]) -> str:
    """A short, readable id for a link, unique against `taken` (which it is added to)."""
    words = _id_words(title) or slugify(urlsplit(url).netloc).split("-") or ["link"]
    chosen: list[str] = []
    for word in words:
        if chosen and (
            len(chosen) >= _MAX_ID_WORDS or len("-".join([*chosen, word])) > _MAX_ID_CHARS
        ):
            break
        chosen.append(word)
    candidate = "-".join(chosen)[:_MAX_ID_CHARS].strip("-") or "link"
    # On a clash, first try more of the title, then a number.
    for extra in words[len(chosen) :]:
        if candidate not in taken:
            break
        candidate = f"{candidate}-{extra}"
    base, n = candidate, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


_TRACKING_PREFIXES = ("utm_", "mc_")
_TRACKING_KEYS = frozenset({"fbclid", "gclid", "ref", "ref_src", "source", "si", "sk"})


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


_VIDEO_HOSTS = ("youtube.com", "youtu.be", "vimeo.com")
_PAPER_HOSTS = ("arxiv.org", "openreview.net", "aclanthology.org", "proceedings.neurips.cc")
_REPO_HOSTS = ("github.com", "gitlab.com", "huggingface.co", "bitbucket.org")
_POST_HOSTS = ("medium.com", "substack.com", "notion.site", "x.com", "twitter.com", "github.io")


def _host_is(host: str, names: Iterable[str]) -> bool:
    return any(host == n or host.endswith("." + n) for n in names)


def url_kind(url: str) -> str:
    """What a link points at, from its host and path: video, paper, repo, post or article."""
    parts = urlsplit(url)
    host = parts.netloc.lower().split(":")[0]
    path = parts.path.lower()
    if _host_is(host, _VIDEO_HOSTS):
        return "video"
    if _host_is(host, _PAPER_HOSTS) or path.endswith(".pdf"):
        return "paper"
    if "/blog" in path or "/posts/" in path or _host_is(host, _POST_HOSTS):
        return "post"
    if _host_is(host, _REPO_HOSTS):
        return "repo"
    return "article"


def similarity(a: str, b: str) -> float:
    """How alike two titles are, 0..1, ignoring case, punctuation and ' | by ...' suffixes."""
    from difflib import SequenceMatcher

    def norm(s: str) -> str:
        return " ".join(slugify(s.split(" | ")[0]).split("-"))

    return SequenceMatcher(None, norm(a), norm(b)).ratio()
