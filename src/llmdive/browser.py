"""Opening a link in the reader's web browser (Python's webbrowser, so $BROWSER is honoured)."""

from __future__ import annotations

from llmdive.errors import LlmdiveError


def checked_url(url: str) -> str:
    """`url` if it is an http(s) URL a browser may be given; anything else is refused."""
    scheme, sep, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0]
    if (
        not sep
        or scheme.lower() not in ("http", "https")
        or not host
        or any(c.isspace() or not c.isprintable() for c in url)
    ):
        raise LlmdiveError(f"not opening {url!r}: only http and https URLs are opened")
    return url


def open_url(url: str) -> bool:
    """Hand an http(s) URL to the browser; False when no browser took it."""
    import webbrowser

    try:
        return webbrowser.open(checked_url(url), new=2)
    except webbrowser.Error:
        return False
