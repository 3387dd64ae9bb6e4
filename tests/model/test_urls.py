"""URLs at the door: what a link's URL may be, wherever it comes in."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmdive.model.urls import (
    MAX_URL_CHARS,
    UrlError,
    check_link_url,
    shorten,
    strip_credentials,
)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "http://example.com/a?b=1#c",
        "HTTP://EXAMPLE.COM/X",
        "hTTpS://example.com:8443/x",
        "https://example.com:/x",
        "https://[::1]:8080/",
        "https://xn--bcher-kva.example/",
        "https://bücher.example/straße",
        "https://medium.com/@someone/a-post",
        "https://example.com/wiki/Foo_(bar)",
        "https://example.com./x",
    ],
)
def test_accepted(url: str) -> None:
    assert check_link_url(url) == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/x", "is not an http(s) URL"),
        ("javascript:alert(1)", "is not an http(s) URL"),
        ("mailto:a@b.c", "is not an http(s) URL"),
        ("docs/page.md", "is not an http(s) URL"),
        ("//example.com/x", "is not an http(s) URL"),
        ("https://", "has no host"),
        ("https:///path", "has no host"),
        ("https://:80/", "has no host"),
        ("https://a..b/", "has an invalid host"),
        ("https://[zz]/", "has an invalid IPv6 host"),
        ("https://[::1]x/", "has an invalid host"),
        ("https://exa<mple.com/", "has '<' in its host"),
        ("https://example.com:99999/", "has port '99999'; a port is a number from 1 to 65535"),
        ("https://example.com:0/", "has port '0'; a port is a number from 1 to 65535"),
        ("https://example.com:8o/", "has port '8o'; a port is a number from 1 to 65535"),
        ("https://user:pw@example.com/", "holds a user name or password (user:password@)"),
        ("https://@example.com/", "holds a user name or password (user:password@)"),
        ("https://exa mple.com/", "holds whitespace"),
        ("https://example.com/a b", "holds whitespace"),
        ("https://example.com/\t", "holds whitespace"),
        ("https://example.com/\x1b[2J", "holds the character U+001B"),
        ("https://example.com/\x7f", "holds the character U+007F"),
        ("https://example.com/\x85", "holds whitespace"),
        ("https://example.com/\x9b", "holds the character U+009B"),
        ("https://example.com/\x00", "holds the character U+0000"),
        ("https://exa\u202emple.com/", "holds the character U+202E"),
        ("https://example.com/\u200b", "holds the character U+200B"),
        ("https://example.com/\u00a0", "holds whitespace"),
        ("https://example.com/\ud800", "holds the character U+D800"),
        ("https://example.com\\@evil.example/", "holds the character U+005C"),
        (
            "https://example.com/" + "a" * MAX_URL_CHARS,
            f"is longer than {MAX_URL_CHARS} characters",
        ),
    ],
)
def test_refused_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(UrlError) as info:
        check_link_url(url)
    assert str(info.value) == reason


def test_credentials_can_be_removed_instead() -> None:
    assert strip_credentials("https://user:token@example.com/p?q=1") == (
        "https://example.com/p?q=1",
        True,
    )
    assert strip_credentials("HTTP://EXAMPLE.COM/X") == ("HTTP://EXAMPLE.COM/X", False)
    with pytest.raises(UrlError, match="has no host"):
        strip_credentials("https://user@/p")


def test_shorten_caps_quoted_text() -> None:
    assert shorten("abc", 5) == "abc"
    assert shorten("abcdefgh", 5) == "abcd…"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60).map(lambda rest: f"https://{rest}") | st.text(max_size=60))
def test_any_text_is_a_url_or_a_reason(url: str) -> None:
    """Only UrlError ever comes out; what is accepted is an http(s) URL with nothing hidden."""
    try:
        accepted = check_link_url(url)
    except UrlError:
        return
    assert accepted.lower().startswith(("http://", "https://"))
    assert all(ch.isprintable() and not ch.isspace() for ch in accepted)
    assert "@" not in accepted.partition("://")[2].split("/", 1)[0]


def test_a_host_refuses_exactly_the_ascii_that_is_not_a_letter_digit_or_unreserved() -> None:
    from llmdive.model import urls

    for code in [*range(0x80), 0xE9, 0x4E2D, 0x1F600]:
        ch = chr(code)
        allowed = not ch.isascii() or ch.isalnum() or ch in "-._~"
        assert (urls._HOST_REFUSED.search(ch) is None) == allowed, repr(ch)
