"""What a link's URL may be: checked once, where a URL enters llmdive.

The schema (files), `llmdive add` (the command line) and the importer (a README) all
call `check_url`. Accepted: http and https (any case), with a host, a valid port if
one is given, and no whitespace, control, format or bidi characters anywhere. A URL
holding credentials (`https://user:pass@host/`) is refused; the importer instead
keeps the link without them (`strip_credentials`) and warns.

Standard library only, and cheap to import: the importer calls this per link.
"""

from __future__ import annotations

MAX_URL_CHARS = 4096
_HOST_PUNCTUATION = frozenset("-._~")


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


def _split(url: str) -> tuple[str, str, str]:
    """(scheme, authority, rest) of an absolute URL, or UrlError."""
    scheme, sep, after = url.partition("://")
    if not sep:
        raise UrlError("is not an http(s) URL")
    if scheme.lower() not in ("http", "https"):
        raise UrlError("is not an http(s) URL")
    cut = min((i for i in (after.find("/"), after.find("?"), after.find("#")) if i >= 0),
              default=len(after))  # fmt: skip
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
    for ch in host:
        if ch.isascii() and not (ch.isalnum() or ch in _HOST_PUNCTUATION):
            raise UrlError(f"has {ch!r} in its host")


def _check_port(port: str) -> None:
    if not port.isascii() or not port.isdigit() or not 0 < int(port[:6]) <= 65535:
        raise UrlError(f"has port {shorten(port, 12)!r}; a port is a number from 1 to 65535")


def _authority(url: str) -> tuple[str, str | None, str]:
    """(scheme, userinfo or None, host[:port] and the rest) of `url`, checked but the userinfo."""
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


def check_url(url: str) -> str:
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
    return check_url(f"{scheme}://{rest}"), True


def is_http(url: str) -> bool:
    """Does `url` start with http:// or https://, in any case (a link, not an anchor)?"""
    return url[:8].lower().startswith(("http://", "https://"))
