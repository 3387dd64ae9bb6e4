"""URLs, in one place: what a link's URL may be, its identity, its kind, how it is shown.

Checked once, where a URL enters llmdive: the schema (files), `llmdive add` (the
command line), the importer (a README) and the browser all call `check_link_url`.
Accepted: http and https (any case), with a host, a valid port if one is given, and
no whitespace, control, format or bidi characters anywhere. A URL
holding credentials (`https://user:pass@host/`) is refused; the importer instead
keeps the link without them (`strip_credentials`) and warns.

Then: `normalize_url` (a link's identity, for merges and imports), `url_key` (a URL
pasted to look a link up), `url_kind` (video, paper, ...), `host_and_path` (the hand
split all of these share), `has_scheme`/`check_fetch_source` (what `guide update`
reads), `redact_url`/`redact_credentials` (a URL or a git message shown without its
secrets) and `quote_location` (a redirect's target, as a browser follows it).

Standard library only, and cheap to import: the importer calls this per link.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from llmdive.errors import LlmdiveError

MAX_URL_CHARS = 4096


class UrlError(ValueError):
    """Why a URL is refused, as a predicate: 'has no host'."""


def shorten(text: str, limit: int = 80) -> str:
    """`text` cut to `limit` characters, marked with an ellipsis: for quoting in messages."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bad_char(url: str) -> str | None:
    # Not printable: controls, format and bidi characters, surrogates, unassigned ones.
    if url.isprintable() and " " not in url and "\\" not in url:
        return None  # the usual case, decided in C
    for ch in url:
        if ch.isspace() or not ch.isprintable() or ch == "\\":
            return ch
    return None


_AUTHORITY_END = re.compile("[/?#]")
# An ASCII character a host may not hold (letters, digits and -._~ may; non-ASCII may):
# the refused ones listed, since a class spanning all of Unicode costs ~6 ms to compile
# on every start.
_HOST_REFUSED = re.compile(r"[\x00-\x2c/\x3a-\x40\x5b-\x5e\x60\x7b-\x7d\x7f]")


def _authority_end(rest: str) -> int:
    """Where the authority of `rest` (a URL after its '://') ends: its first / ? or #."""
    found = _AUTHORITY_END.search(rest)
    return found.start() if found else len(rest)


def host_and_path(url: str) -> tuple[str, str]:
    """(host in lower case, path) of an absolute URL, split by hand: no port, user, query.

    Called for every row of a listing: urlsplit costs a tenth of a second at 10,000 links.
    A text without '://' has neither.
    """
    rest = url.partition("://")[2]
    cut = _authority_end(rest)
    host = rest[:cut].rpartition("@")[2].partition(":")[0].lower()
    return host, rest[cut:].partition("?")[0].partition("#")[0]


def _split(url: str) -> tuple[str, str, str]:
    """(scheme, authority, rest) of an absolute URL, or UrlError."""
    scheme, sep, after = url.partition("://")
    if not sep:
        raise UrlError("is not an http(s) URL")
    if scheme.lower() not in ("http", "https"):
        raise UrlError("is not an http(s) URL")
    cut = _authority_end(after)
    return scheme, after[:cut], after[cut:]


def _check_host(host: str) -> None:
    if not host:
        raise UrlError("has no host")
    if host.startswith("["):
        import ipaddress

        if not host.endswith("]"):
            raise UrlError("has an invalid host")
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise UrlError("has an invalid IPv6 host") from None
        return
    labels = host.rstrip(".").split(".")
    if any(not label for label in labels):
        raise UrlError("has an invalid host")
    refused = _HOST_REFUSED.search(host)
    if refused:
        raise UrlError(f"has {refused.group()!r} in its host")


def _check_port(port: str) -> None:
    if not port.isascii() or not port.isdigit() or not 0 < int(port[:6]) <= 65535:
        raise UrlError(f"has port {shorten(port, 12)!r}; a port is a number from 1 to 65535")


# The usual URL: http(s), a host of letters, digits and - _ ~ in dot-separated labels, no
# user, port or bracketed host, then printable ASCII but spaces and backslashes. It passes
# every check of `_checked_authority`, which is left to the others (a test compares them).
_PLAIN_URL = re.compile(
    r"([hH][tT][tT][pP][sS]?)://[A-Za-z0-9_~-]+(?:\.[A-Za-z0-9_~-]+)*\.*(?:[/?#][!-\[\]-~]*)?"
)


# Remembered per URL (a refused one raises each time): an import checks each of its links
# as it finds it and again when the schema validates the result.
@lru_cache(maxsize=1 << 16)
def _authority(url: str) -> tuple[str, str | None, str]:
    """(scheme, userinfo or None, host[:port] and the rest) of `url`, checked but the userinfo."""
    plain = _PLAIN_URL.fullmatch(url) if len(url) <= MAX_URL_CHARS else None
    if plain is not None:
        scheme = plain.group(1)
        return scheme, None, url[len(scheme) + 3 :]
    return _checked_authority(url)


def _checked_authority(url: str) -> tuple[str, str | None, str]:
    """`_authority`, every check made one by one."""
    if len(url) > MAX_URL_CHARS:
        raise UrlError(f"is longer than {MAX_URL_CHARS} characters")
    bad = _bad_char(url)
    if bad is not None:
        what = "whitespace" if bad.isspace() else f"the character U+{ord(bad):04X}"
        raise UrlError(f"holds {what}")
    scheme, authority, rest = _split(url)
    userinfo, at, hostport = authority.rpartition("@")
    if hostport.startswith("["):
        end = hostport.find("]")
        host, after = (hostport[: end + 1], hostport[end + 1 :]) if end > 0 else (hostport, "")
        if after and not after.startswith(":"):
            raise UrlError("has an invalid host")
        port = after[1:]
    else:
        host, _, port = hostport.partition(":")
    _check_host(host)
    if port:  # an empty port ("host:/") means the default one
        _check_port(port)
    return scheme, (userinfo if at else None), hostport + rest


def check_link_url(url: str) -> str:
    """`url` if llmdive keeps it as a link's URL; else UrlError saying why."""
    _, userinfo, _ = _authority(url)
    if userinfo is not None:
        raise UrlError("holds a user name or password (user:password@)")
    return url


def strip_credentials(url: str) -> tuple[str, bool]:
    """`url` without its user:password@ part, and whether it had one; UrlError otherwise."""
    scheme, userinfo, rest = _authority(url)
    if userinfo is None:
        return url, False
    return check_link_url(f"{scheme}://{rest}"), True


_TRACKING_PREFIXES = ("utm_", "mc_")
_TRACKING_KEYS = frozenset({"fbclid", "gclid", "ref", "ref_src", "source", "si", "sk"})


# A URL with a host of letters, digits and . _ ~ - and a path of printable ASCII, no query
# or fragment: its identity is put together by hand (the same as urlsplit's, which a test
# compares, at a fifth of the cost: an import asks it of every link).
_PLAIN_IDENTITY = re.compile(r"[hH][tT][tT][pP][sS]?://([A-Za-z0-9._~-]+)(/[!-\"$-\x3e@-~]*)?")


@lru_cache(maxsize=1 << 16)
def normalize_url(url: str) -> str:
    """A URL's identity: scheme and host case, trailing slash and tracking parameters ignored."""
    plain = _PLAIN_IDENTITY.fullmatch(url)
    if plain is not None:
        host = plain.group(1).lower().removeprefix("www.")
        if host:
            return f"https://{host}{(plain.group(2) or '').rstrip('/')}"
    return _identity_by_parts(url)


def _identity_by_parts(url: str) -> str:
    """`normalize_url` of any URL, by urlsplit."""
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
_YOUTUBE_HOSTS = frozenset(
    {"youtube.com", "m.youtube.com", "music.youtube.com", "youtube-nocookie.com"}
)


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
    host, path = host_and_path(url)
    path = path.lower()
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


# The patterns below are texts: re compiles each at its first use and keeps it (re's
# cache), so that a start that never redacts a URL does not compile them (~1 ms).
# Reading a README: a source with a scheme is a URL (fetched), anything else a file.
_SCHEME = r"^([A-Za-z][A-Za-z0-9+.-]*)://"
# Query parameters whose values are secrets, whatever they look like.
_SECRET_NAMES = (
    r"(?i)(token|key|secret|sig|signature|password|passwd|pwd|auth|credential|session|"
    r"^x-amz-|^code$)"
)
# A value that looks like a token: long, and made of token characters with digits in it.
_TOKEN_VALUE = r"^(?=.*\d)[A-Za-z0-9_\-.~+/=%]{20,}$"


def has_scheme(source: str) -> bool:
    """Is `source` a URL (`scheme://...`) rather than a file name?"""
    return re.match(_SCHEME, source) is not None


def check_fetch_source(source: str) -> None:
    """Only http and https are fetched; anything else with a scheme is refused."""
    match = re.match(_SCHEME, source)
    if match and match.group(1).lower() not in ("http", "https"):
        raise LlmdiveError(
            f"{redact_url(source)}: only http:// and https:// URLs (or a local file) are read"
        )


def redact_url(url: str) -> str:
    """`url` without user:password@ and with token-like query values replaced by ***."""
    if not has_scheme(url):
        return url
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode(
                [
                    (k, "***" if re.search(_SECRET_NAMES, k) or re.match(_TOKEN_VALUE, v) else v)
                    for k, v in pairs
                ],
                safe="*",
            )
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except ValueError:
        return "(a URL llmdive cannot read)"


_URL_TOKEN = r"(?i)\b([a-z][a-z0-9+.-]*://)(\S+)"
_QUERY_PAIR = r"([?&])([^=&\s#]+)=([^&\s#']*)"
_PORT = r"^[^/]*:\d*/"


def _userinfo_end(rest: str) -> int:
    """Where the user:password@ of a URL's rest (after `scheme://`) ends; -1: it has none.

    By the last '@' of the authority, as git does, so that a password holding / # ? or @
    is taken out whole; an '@' further on in a path (host:8080/@user) is not one.
    """
    at = rest.rfind("@")
    while at != -1:
        before = rest[:at]
        if "/" not in before or (":" in before.split("/", 1)[0] and not re.match(_PORT, before)):
            return at
        at = rest.rfind("@", 0, at)
    return -1


def redact_credentials(text: str) -> str:
    """`text` (a remote, or what git said) with the credentials of any URL in it taken out.

    As git does: https://user:token@host/x.git -> https://host/x.git; a user name alone
    is kept only for ssh (git@host), where it is no secret; token-like query values
    become ***.
    """

    def query(m: re.Match[str]) -> str:
        name, value = m.group(2), m.group(3)
        if re.search(_SECRET_NAMES, name) or re.match(_TOKEN_VALUE, value):
            return f"{m.group(1)}{name}=***"
        return m.group(0)

    def strip(m: re.Match[str]) -> str:
        scheme, rest = m.group(1), m.group(2)
        end = _userinfo_end(rest)
        if end != -1:
            info = rest[:end]
            if not ("ssh" in scheme.lower() and ":" not in info):
                rest = rest[end + 1 :]
        return scheme + re.sub(_QUERY_PAIR, query, rest)

    return re.sub(_URL_TOKEN, strip, text)


def quote_location(url: str) -> str:
    """A redirect's Location as a browser would follow it: controls, spaces, non-ASCII %-encoded."""
    return quote(url.strip(), safe="".join(chr(c) for c in range(0x21, 0x7F)))
