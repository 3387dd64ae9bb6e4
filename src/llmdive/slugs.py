"""Turning titles and URLs into the short names people type.

Pure string functions with no third-party imports: shell completion and the
importer both use them.
"""

from __future__ import annotations

import unicodedata
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


def similarity(a: str, b: str) -> float:
    """How alike two titles are, 0..1, ignoring case, punctuation and ' | by ...' suffixes."""
    from difflib import SequenceMatcher

    def norm(s: str) -> str:
        return " ".join(slugify(s.split(" | ")[0]).split("-"))

    return SequenceMatcher(None, norm(a), norm(b)).ratio()
