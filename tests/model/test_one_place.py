"""One place per concept: the control set, the Markdown escaper, URL checks (model/)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from llmdive.errors import LlmdiveError
from llmdive.model import markdown
from llmdive.model.text import BEYOND_C0, C0, CONTROLS, DEL_C1, char_class, safe
from llmdive.net.browser import checked_url


def test_char_class_is_the_parts_less_what_is_kept() -> None:
    assert char_class(C0, DEL_C1, keep="\t\n") == r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"
    whole = re.compile(char_class(C0, BEYOND_C0))
    for code in range(0x10000):
        assert bool(whole.match(chr(code))) == bool(CONTROLS.match(chr(code))), hex(code)


def test_safe_escapes_every_control_of_the_set() -> None:
    assert safe("a\x1b[31m\u202eb\u2028") == "a\\x1b[31m\\u202eb\\u2028"


@given(st.text(max_size=40))
def test_escaped_text_renders_as_itself(text: str) -> None:
    line = markdown.one_line(text)
    tokens = MarkdownIt("commonmark").parseInline(line)[0].children or []
    shown = "".join(t.content for t in tokens if t.type in ("text", "softbreak"))
    assert all(t.type in ("text", "softbreak") for t in tokens), tokens
    assert shown == " ".join(re.sub(f"[{C0}{DEL_C1}\u2028\u2029]+", " ", text).split())


def test_a_line_of_prose_cannot_start_a_block() -> None:
    assert markdown.escape_line("# not a heading") == "\\# not a heading"
    assert markdown.escape_line("1. not a list") == "1\\. not a list"
    assert markdown.escape_line("> not a quote") == "\\> not a quote"


def test_destinations_end_where_the_url_ends() -> None:
    assert markdown.destination("https://x.example/p_(1)") == "https://x.example/p_(1)"
    assert markdown.destination("https://x.example/p)") == "https://x.example/p\\)"
    assert markdown.encoded_destination("https://x.example/p_(1) é") == (
        "https://x.example/p_%281%29%20%C3%A9"
    )


@pytest.mark.parametrize(
    "url", ["https://user:pw@example.com/", "https://example.com:99999/", "https://exa mple.com/"]
)
def test_the_browser_uses_the_door_check(url: str) -> None:
    with pytest.raises(LlmdiveError, match="only http and https URLs are opened"):
        checked_url(url)
