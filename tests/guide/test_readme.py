from __future__ import annotations

from pathlib import Path

import pytest

from llmdive.errors import LlmdiveError
from llmdive.guide.catalogue import dump_toml
from llmdive.guide.readme import ParseResult, export_readme, parse_readme
from llmdive.guide.validate import parse_guide
from llmdive.home.paths import bundled_guide
from llmdive.model.models import Difficulty, Guide, Link, Topic
from tests.helpers import FIXTURES, GUIDE_README


def parse(text: str) -> ParseResult:
    return parse_readme(text, source="T.md")


def test_importing_the_guide_readme_gives_the_bundled_catalogue_ids() -> None:
    """A first import gives the bundled links and ids; their old ids (aliases) are what
    importing onto the bundled file keeps (test_cli: it reproduces the file exactly)."""
    result = parse_readme(GUIDE_README.read_text(encoding="utf-8"), source="README.md")
    assert result.warnings == []
    bundled = parse_guide(bundled_guide().read_bytes(), bundled_guide())
    for _, topic in bundled.walk():
        for link in topic.links:
            link.aliases = ()
    assert result.guide == bundled
    ids = [k.id for _, t in result.guide.walk() for k in t.links]
    assert max(map(len, ids)) <= 24


def test_the_guide_has_every_section_in_order_and_29_links() -> None:
    guide = parse_readme(GUIDE_README.read_text(encoding="utf-8")).guide
    assert [s.title for s in guide.sections] == [
        "Model Architecture",
        "Agentic LLMs",
        "Methodology",
        "Datasets",
        "Pipeline",
        "FineTuning",
        "Quantization",
        "RL in LLM",
        "Coding",
        "Deployment",
        "Engineering",
        "Benchmarks",
        "Modifications",
        "Misc Algorithms",
        "Explainability",
        "MultiModal Transformers",
        "Adversarial methods",
        "Misc",
    ]
    links = [link for _, t in guide.walk() for link in t.links]
    assert len(links) == 29
    unrated = [link.title for link in links if link.difficulty is Difficulty.UNRATED]
    assert unrated == [
        "Rotary Positional Encoding Explained",
        "Agentic LLMs Deep Dive",
        "Whisper Model Explained",
    ]
    deep = [t.title for path, t in guide.walk() if len(path) == 4]
    assert deep == ["Rotational Positional Encoding", "Rotary Positional Encoding"]


def test_section_text_tip_and_a_link_before_its_description() -> None:
    guide = parse_readme(GUIDE_README.read_text(encoding="utf-8")).guide
    arch, agentic = guide.sections[0], guide.sections[1]
    assert arch.description == "This section talks about the key aspects of LLM architecture."
    assert arch.tip.startswith("Try to cover basics of Transformers")
    assert agentic.description == "This section talks about various aspects of the Agentic LLMs"
    assert [link.id for link in agentic.links] == ["agentic-llms-deep-dive"]


def test_titles_are_kept_exactly_as_written() -> None:
    guide = parse_readme(GUIDE_README.read_text(encoding="utf-8")).guide
    titles = {link.title for _, t in guide.walk() for link in t.links}
    assert "Reproducing GPT-2 (124M) in llm.c in 90 minutes for $20" in titles
    assert (
        "LLM Inference Optimizations — Continuous Batching (Dynamic Batching) and Selective "
        "Batching, Orca | by Don Moon | Byte-Sized AI | Medium"
    ) in titles


def test_constructs_of_hand_written_readmes() -> None:
    text = (
        "# G\n\n- [toc](#a)\n\n### 🟩 One\n"
        "-[no space](https://a.example/1) ![Easy](https://img.shields.io/badge/difficulty-Easy-green)\n"
        "- [nested [brackets] title](https://a.example/2)![Hard](https://img.shields.io/badge/difficulty-Hard-red)\n"
        "- \n"
        "-[]()\n"
        "<!-- - [commented](https://a.example/3) ![Easy](x) -->\n"
        "#### ◻️Sub\n"
        "- [weird badge](https://a.example/4) ![Spicy](https://img.shields.io/badge/difficulty-Spicy-blue)\n"
        "- [mail me](mailto:a@b.c)\n"
        "#### ◻️Sub\n"
        "- [again](https://a.example/5)"
    )
    result = parse(text.replace("\n", "\r\n"))
    one = result.guide.sections[0]
    assert [(link.title, link.difficulty) for link in one.links] == [
        ("no space", Difficulty.EASY),
        ("nested [brackets] title", Difficulty.HARD),
    ]
    assert [t.slug for t in one.topics] == ["sub", "one-sub"]
    assert [link.title for link in one.topics[0].links] == ["weird badge"]
    assert one.topics[0].links[0].difficulty is Difficulty.UNRATED
    assert result.warnings == [
        "T.md:9: empty link skipped",
        "T.md:12: unknown badge 'Spicy' on link 'weird badge': imported as unrated",
        "T.md:13: link 'mail me' skipped: 'mailto:a@b.c' is not an http(s) URL",
    ]


def test_a_readme_without_headings_or_items_is_an_error() -> None:
    with pytest.raises(LlmdiveError, match="T.md: no reading items found"):
        parse("# Title\n\nThis list began with [a mention](https://a.example) in prose.\n")


def test_export_then_import_gives_the_same_catalogue() -> None:
    guide = parse_guide(bundled_guide().read_bytes(), bundled_guide())
    again = parse(export_readme(guide))
    assert again.warnings == []
    # Markdown has no place for a link's old ids (aliases): all else comes back.
    for _, topic in guide.walk():
        for link in topic.links:
            link.aliases = ()
    assert again.guide == guide


@pytest.mark.parametrize(
    "name",
    ["llm-deep-dive-README.md", "guide-v2-renamed.md", "guide-v3-additions.md", "malformed.md"],
)
def test_export_round_trips_every_fixture(name: str) -> None:

    guide = parse_readme((FIXTURES / name).read_text(encoding="utf-8")).guide
    again = parse(export_readme(guide))
    assert again.warnings == []
    # Markdown has no place for a link's old ids (aliases): all else comes back.
    for _, topic in guide.walk():
        for link in topic.links:
            link.aliases = ()
    assert again.guide == guide


def test_export_uses_the_guides_own_format() -> None:
    guide = parse_guide(bundled_guide().read_bytes(), bundled_guide())
    text = export_readme(guide)
    assert "- [🟩 Model Architecture](#-model-architecture)" in text
    assert "  - [◻️Transformer Architecture](#️transformer-architecture)" in text
    assert "### 🟩 FineTuning\n#### ◻️Quantized FineTuning\n" in text
    assert (
        "- [Jay Alamar - Illustrated Transformer](https://jalammar.github.io/illustrated-transformer/)"
        " ![Easy](https://img.shields.io/badge/difficulty-Easy-green)\n"
    ) in text
    assert "![Medium](https://img.shields.io/badge/difficulty-Medium-yellow)" in text
    assert "![Hard](https://img.shields.io/badge/difficulty-Hard-red)" in text
    assert "- [Whisper Model Explained](https://www.notta.ai/en/blog/how-to-use-whisper)\n" in text


def test_hand_written_readme_with_crlf_and_no_final_newline() -> None:

    raw = (FIXTURES / "malformed.md").read_text(encoding="utf-8")
    result = parse_readme(raw.rstrip("\n").replace("\n", "\r\n"), source="malformed.md")
    first, second = result.guide.sections
    assert [(s.slug, s.title) for s in result.guide.sections] == [
        ("first", "First"),
        ("first-2", "First"),
    ]
    assert [(link.title, link.difficulty.value) for link in first.links] == [
        ("Under the section, before any topic", "easy"),
        ("No space after the dash", "hard"),
        ("Title with [nested [brackets]] inside", "medium"),
        ("Odd badge", "unrated"),
    ]
    assert [(t.slug, [k.title for k in t.links]) for t in first.topics] == [
        ("topic", ["In the topic"]),
        ("first-topic", ["In the second topic of the same name"]),
    ]
    assert [k.title for k in second.links] == ["A second section of the same name"]
    assert result.warnings == [
        "malformed.md:10: empty link skipped",
        "malformed.md:12: unknown badge 'Legendary' on link 'Odd badge': imported as unrated",
        "malformed.md:13: link 'Relative link' skipped: 'docs/page.md' is a file of the list's "
        "repository, which is not known",
    ]


# ---------------------------------------------------------------- hostile READMEs

HEAD = "# G\n\n### One\n"


def links_of(result: ParseResult) -> list[tuple[str, str]]:
    return [(k.title, k.url) for _, t in result.guide.walk() for k in t.links]


@pytest.mark.parametrize(
    "junk", ["\x01", "\x08", "\x1b", "\x7f", "\x85", "\x9b", "\u202e", "\u2066", "\ud800"]
)
def test_control_and_bidi_characters_are_cleaned_with_a_warning(junk: str, tmp_path: Path) -> None:
    text = f"{HEAD}Intro{junk} text\n\n#### Sub{junk}topic\n- [A{junk}B](https://a.example/1)\n"
    result = parse(text)
    (sub,) = result.guide.sections[0].topics
    assert result.guide.sections[0].description == "Intro text"
    assert sub.title == "Subtopic"
    assert links_of(result) == [("AB", "https://a.example/1")]
    if junk in "\u202e\u2066\ud800":  # not controls: cleaned from what they are in
        assert result.warnings == [
            "T.md:4: control or bidi characters removed from text 'Intro text'",
            "T.md:6: control or bidi characters removed from heading 'Subtopic'",
            "T.md:7: control or bidi characters removed from title 'AB'",
        ]
    else:  # controls: cleaned from the line before it is parsed
        assert result.warnings == [
            "T.md:4: control characters removed from 'Intro text'",
            "T.md:6: control characters removed from '#### Subtopic'",
            "T.md:7: control characters removed from '- [AB](https://a.example/1)'",
        ]
    # What the import keeps, llmdive writes and reads back.
    out = tmp_path / "g.toml"
    out.write_text(dump_toml(result.guide), encoding="utf-8")
    assert parse_guide(out.read_bytes(), out) == result.guide


def test_escape_sequences_in_a_links_text_or_url_leave_the_link_whole() -> None:
    text = (
        f"{HEAD}- [A \x1b[31mred\x1b[0m one](https://a.\x1b]8;;x\x07example/1)\n"
        "- [B](java\x1b[0mscript:alert(1))\n"
    )
    result = parse(text)
    assert links_of(result) == [("A red one", "https://a.example/1")]
    assert result.guide.sections[0].description == ""
    assert result.warnings == [
        "T.md:4: control characters removed from '- [A red one](https://a.example/1)'",
        "T.md:5: control characters removed from '- [B](javascript:alert(1))'",
        "T.md:5: link 'B' skipped: 'javascript:alert(1)' is not an http(s) URL",
    ]


def test_escape_sequences_lose_their_escape() -> None:
    result = parse(f"{HEAD}- [A\x1bcB\x9b2J](https://a.example/1)\n")
    assert links_of(result) == [("AcB2J", "https://a.example/1")]


def test_non_http_links_are_skipped_with_a_warning_not_turned_into_text() -> None:
    text = (
        f"{HEAD}- [run me](javascript:alert(1))\n- [file](file:///etc/passwd)\n"
        "- [data](data:text/html,hi)\n- [ok](https://a.example/1)\n"
    )
    result = parse(text)
    one = result.guide.sections[0]
    assert one.description == ""
    assert links_of(result) == [("ok", "https://a.example/1")]
    assert result.warnings == [
        "T.md:4: link 'run me' skipped: 'javascript:alert(1)' is not an http(s) URL",
        "T.md:5: link 'file' skipped: 'file:///etc/passwd' is not an http(s) URL",
        "T.md:6: link 'data' skipped: 'data:text/html,hi' is not an http(s) URL",
    ]


def test_urls_are_checked_at_the_door() -> None:
    text = (
        f"{HEAD}- [loud](HTTP://EXAMPLE.COM/X)\n- [secret](https://me:pw@b.example/x)\n"
        "- [port](https://c.example:123456/)\n- [nohost](https:///x)\n"
    )
    result = parse(text)
    assert links_of(result) == [("loud", "HTTP://EXAMPLE.COM/X"), ("secret", "https://b.example/x")]
    assert result.warnings == [
        "T.md:5: user name and password removed from the URL of 'secret'",
        "T.md:6: link 'port' skipped: 'https://c.example:123456/' has port '123456'; "
        "a port is a number from 1 to 65535",
        "T.md:7: link 'nohost' skipped: 'https:///x' has no host",
    ]


def test_a_duplicate_url_in_a_section_is_kept_once_naming_both_lines() -> None:
    text = (
        f"{HEAD}- [a](https://a.example/1)\n- [b](https://a.example/2)\n"
        "- [a again](https://A.example/1/?utm_source=x)\n### Two\n- [a](https://a.example/1)\n"
    )
    result = parse(text)
    assert links_of(result) == [
        ("a", "https://a.example/1"),
        ("b", "https://a.example/2"),
        ("a", "https://a.example/1"),  # another section may list it too
    ]
    assert result.warnings == [
        "T.md:6: link 'a again' skipped: the same URL is already in this section (line 4)"
    ]


def test_thousands_of_repeated_titles_get_numbered_ids_and_slugs() -> None:
    n = 3000
    text = "# G\n" + "".join(
        f"### Same\n#### Sub\n- [Same title](https://a.example/{i})\n" for i in range(n)
    )
    guide = parse(text).guide
    ids = [k.id for _, t in guide.walk() for k in t.links]
    slugs = [t.slug for _, t in guide.walk()]
    assert ids[:3] == ["same-title", "same-title-2", "same-title-3"]
    assert ids[-1] == f"same-title-{n}"
    assert len(set(ids)) == n
    assert slugs[:6] == ["same", "sub", "same-2", "same-2-sub", "same-3", "same-3-sub"]
    assert len(set(slugs)) == 2 * n


def test_over_long_headings_and_titles_are_shortened_into_ids_not_rejected() -> None:
    heading = "Very long heading " * 300
    title = "An endless title " * 2000
    result = parse(f"# G\n### {heading}\n- [{title}](https://a.example/x)\n")
    (section,) = result.guide.sections
    assert section.title == heading.strip()
    assert section.slug == "very-long-heading-very-long-heading-very-long-heading-very"
    assert len(section.slug) <= 60
    (link,) = section.links
    assert link.title == title.strip()
    assert link.id == "endless-title-endless"  # cut at a word, within 24 characters


def test_every_warning_line_is_capped() -> None:
    result = parse(f"{HEAD}- [{'t' * 10_000}](ftp://{'u' * 10_000})\n")
    (warning,) = result.warnings
    assert len(warning) < 250
    assert warning.startswith("T.md:4: link 'tttt")


def test_a_readme_too_large_to_import_is_refused_at_once() -> None:
    big = "- [x](https://a.example/x)\n" * (11 * 2**20 // 27)
    with pytest.raises(LlmdiveError) as info:
        parse("# G\n### S\n" + big)
    assert (
        str(info.value)
        == "T.md: too large to import: 11.0 MiB of text (llmdive imports up to 2 MiB)"
    )
    with pytest.raises(LlmdiveError) as info:
        parse("### S\n" + "[" * 200_000)
    assert str(info.value) == (
        "T.md: too large to import: 200,000 brackets and emphasis marks "
        "(llmdive imports up to 120,000)"
    )
    with pytest.raises(LlmdiveError, match="too large to import: 70,001 lines"):
        parse("### S\n" + "x\n" * 70_000)


def test_a_reading_list_in_a_near_format_imports_with_warnings() -> None:

    text = (FIXTURES / "near-format-reading-list.md").read_text(encoding="utf-8")
    result = parse_readme(text, source="near.md")
    guide = result.guide
    assert guide.title == "Awesome Efficient Transformers"
    assert [(p[-1].slug, [k.title for k in t.links]) for p, t in guide.walk()] == [
        (
            "attention",
            [
                "FlashAttention: Fast and Memory-Efficient Exact Attention",
                "FlashAttention-2",
                "Longformer",
                "Reformer",
                "Sparse Transformers",
            ],
        ),
        ("linear-attention", ["Transformers are RNNs", "Performer", "Linformer", "Nyströmformer"]),
        (
            "serving",
            [
                "vLLM: Easy, Fast, and Cheap LLM Serving",
                "Text Generation Inference",
                "Tracking link",
            ],
        ),
    ]
    assert {k.difficulty for _, t in guide.walk() for k in t.links} == {Difficulty.UNRATED}
    assert result.related == {
        "https://arxiv.org/abs/2006.04768": (
            ("code", "https://github.com/facebookresearch/linformer"),
        )
    }
    assert guide.sections[0].description == "Papers on attention itself."
    assert guide.sections[0].topics[0].description == ""
    assert result.warnings == [
        "near.md:29: link 'FlashAttention: Fast and Memory-Efficient Exact Attention (duplicate)'"
        " skipped: the same URL is already in this section (line 25)",
        "near.md:30: link 'Local notes' skipped: 'notes/attention.md' is a file of the list's "
        "repository, which is not known",
        "near.md:31: link 'Contact the author' skipped: 'mailto:someone@example.com' is not an "
        "http(s) URL",
        "near.md:54: user name and password removed from the URL of 'Tracking link'",
        "near.md:55: link 'Bad port' skipped: 'https://example.com:99999/x' has port '99999'; "
        "a port is a number from 1 to 65535",
        "near.md:56: link 'Script' skipped: 'javascript:alert(1)' is not an http(s) URL",
        "near.md:60: link 'MIT' skipped: 'LICENSE' is about the repository (or outside it), "
        "not a reading item",
    ]


# ---------------------------------------------------------------- export cannot inject


def hostile_guide(title: str, url: str = "https://a.example/x", description: str = "") -> Guide:
    link = Link("x", title, url, Difficulty.EASY)
    return Guide("G", [Topic("s", "S", description=description, links=[link])])


@pytest.mark.parametrize(
    "title",
    [
        "Evil](http://evil.example) [x",
        "[a](http://evil.example)",
        "![i](http://evil.example/i.png)",
        "<a href='http://evil.example'>x</a>",
        "<http://evil.example>",
        "&lt;b&gt; &amp; &#91;",
        "`code` *em* _u_ \\ # |",
        "ends with a backslash \\",
    ],
)
def test_a_title_cannot_inject_a_link_into_the_export(title: str) -> None:
    guide = hostile_guide(title)
    again = parse(export_readme(guide))
    assert links_of(again) == [(title, "https://a.example/x")]


def test_a_url_cannot_inject_markup_into_the_export() -> None:
    for url in [
        "https://a.example/x)](http://evil.example",
        "https://a.example/(a)",
        "https://a.example/?a=1&amp;b=2",
        "https://a.example/<x>",
    ]:
        again = parse(export_readme(hostile_guide("T", url)))
        assert links_of(again) == [("T", url)]


def test_descriptions_cannot_inject_links_or_headings() -> None:
    description = (
        "- [evil](http://evil.example)\n### Not a heading\n> not a tip\n1. not a list\n"
        "    not code\n<div>not html</div>\n---\n=== x"
    )
    guide = hostile_guide("T", description=description)
    again = parse(export_readme(guide))
    assert links_of(again) == [("T", "https://a.example/x")]
    assert [t.title for _, t in again.guide.walk()] == ["S"]
    assert again.guide.sections[0].description == "\n".join(
        line.strip() for line in description.split("\n")
    )


def test_nul_characters_are_removed_with_a_warning_naming_the_line() -> None:
    result = parse(f"{HEAD}Intro\x00 text\n- [A\x00B](https://a.example/1)\n")
    assert result.guide.sections[0].description == "Intro text"
    assert links_of(result) == [("AB", "https://a.example/1")]
    assert result.warnings == ["T.md:4: NUL characters removed", "T.md:5: NUL characters removed"]


# ---------------------------------------------------------------- properties

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

GUIDE_LINES = GUIDE_README.read_text(encoding="utf-8").split("\n")
HOSTILE = st.sampled_from(
    [
        "\x00",
        "\x1b[2J",
        "\x7f",
        "\x85",
        "\u202e",
        "\ud800",
        "[",
        "]",
        "(",
        ")",
        "](",
        "<",
        "`",
        "*",
        "_",
        "#",
        "\n",
        "\n### ",
        "\n- [",
        "&amp;",
        "\\",
        "https://",
        "javascript:",
        "|",
    ]
)


def imports_or_refuses(text: str) -> None:
    """The only outcomes: a catalogue that llmdive writes and reads back, or one LlmdiveError."""
    try:
        result = parse(text)
    except LlmdiveError as exc:
        assert str(exc).startswith("T.md: ")
        return
    written = dump_toml(result.guide)
    assert parse_guide(written.encode("utf-8"), bundled_guide()) == result.guide
    assert all(len(w) < 400 for w in result.warnings)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400) | st.lists(HOSTILE | st.text(max_size=8), max_size=60).map("".join))
def test_any_text_imports_or_is_refused(text: str) -> None:
    imports_or_refuses("### S\n" + text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(GUIDE_LINES) - 1),
            st.sampled_from(["delete", "duplicate", "insert", "swap"]),
            HOSTILE | st.text(max_size=6),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_mutations_of_the_guide_readme_import_or_are_refused(
    edits: list[tuple[int, str, str]],
) -> None:
    lines = list(GUIDE_LINES)
    for index, kind, junk in edits:
        i = min(index, len(lines) - 1)
        if kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "insert":
            pos = len(lines[i]) // 2
            lines[i] = lines[i][:pos] + junk + lines[i][pos:]
        elif kind == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
    imports_or_refuses("\n".join(lines))


TITLE_TEXT = (
    st.text(
        st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn"))
        | st.sampled_from(list("[]()<>!*_`#|&;\\")),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=150, deadline=None)
@given(TITLE_TEXT)
def test_any_title_survives_export_and_import_as_text(title: str) -> None:
    guide = hostile_guide(title)
    again = parse(export_readme(guide))
    assert links_of(again) == [(title, "https://a.example/x")]
