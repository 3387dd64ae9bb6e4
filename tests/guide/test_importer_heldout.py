"""Defects a QA pass found on lists outside the corpus (issue 17), each in a small README."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmdive.guide.readme import ParseResult, parse_readme
from tests.helpers import Invoke, ok


def parse(text: str, source: str = "T.md") -> ParseResult:
    return parse_readme(text, source=source)


def titles(result: ParseResult) -> list[str]:
    return [k.title for _, t in result.guide.walk() for k in t.links]


def outline(result: ParseResult) -> list[tuple[list[str], list[str]]]:
    return [
        ([p.title for p in path], [k.title for k in t.links]) for path, t in result.guide.walk()
    ]


# ---------------------------------------------------------------- 1. one cleaning for all


@pytest.mark.parametrize("junk", ["\u202e", "\u2067", "\u200b", "\ufeff", "\u2060"])
def test_titles_from_context_are_cleaned_like_link_text(junk: str) -> None:
    result = parse(
        "# G\n\n## S\n\n| Title | Links |\n|---|---|\n"
        f"| Row{junk}Title | [pdf](https://e.com/p) |\n\n"
        f"- Before{junk} text [paper](https://e.com/b)\n"
        f"- **Bold{junk} one** [pdf](https://e.com/c)\n"
        f"- [zero{junk}width](https://e.com/z)\n"
    )
    assert titles(result) == ["RowTitle", "Before text", "Bold one", "zerowidth"]


def test_section_names_descriptions_and_tips_lose_zero_width_characters() -> None:
    result = parse(
        "# G\n\n## Se\u200bction\n\nSome\ufeff text.\n\n> A\u200b tip\n\n- [A](https://e.com/a)\n"
    )
    (section,) = result.guide.sections
    assert (section.title, section.description, section.tip) == ("Section", "Some text.", "A tip")


def test_a_bidi_character_in_a_row_title_is_reported_once() -> None:
    result = parse(
        "# G\n\n## S\n\n| T | L |\n|---|---|\n| Row\u202eTitle | [pdf](https://e.com/p) |\n"
    )
    assert result.warnings == ["T.md:7: control or bidi characters removed from title 'RowTitle'"]


def test_a_title_with_a_zero_width_space_is_found_by_search(cli: Invoke, tmp_path: Path) -> None:
    readme = tmp_path / "z.md"
    readme.write_text("# Z\n\n## S\n\n- [zero\u200bwidth\ufeff](https://e.com/z)\n", "utf-8")
    ok(cli("guide", "update", "--from", str(readme), "--force"))
    assert "https://e.com/z" in ok(cli("search", "zerowidth"))


# ---------------------------------------------------------------- 2. paragraphs as titles

LONG = "This paper introduces a family of models that " + "do many things well, " * 12


def test_a_paper_rows_title_is_its_bold_phrase_without_numbering() -> None:
    result = parse(
        "# W\n\n## Week 1\n\n| **Paper** | **Links** |\n|---|---|\n"
        f"| 1) **Mercury** - {LONG} | [Paper](https://arxiv.org/abs/1), "
        "[Tweet](https://x.com/1) |\n"
        f"| 2) **MEM1** - {LONG} | [Paper](https://arxiv.org/abs/2) |\n"
    )
    assert titles(result) == ["Mercury", "MEM1"]
    (item, _) = next(iter(result.guide.walk()))[1].links
    assert [r.url for r in item.related] == ["https://x.com/1"]


def test_a_paper_rows_title_without_bold_is_its_first_phrase_and_bounded() -> None:
    result = parse(
        "# W\n\n## Week 1\n\n| Paper | Links |\n|---|---|\n"
        f"| 1) Ultra-Fast Diffusion Models  {LONG} | [Paper](https://arxiv.org/abs/1) |\n"
        f"| 2) Towards AI Search. {LONG} | [Paper](https://arxiv.org/abs/2) |\n"
        f"| {'word ' * 60} | [Paper](https://arxiv.org/abs/3) |\n"
    )
    first, second, third = titles(result)
    assert (first, second) == ("Ultra-Fast Diffusion Models", "Towards AI Search")
    assert len(third) <= 150 and third.startswith("word word") and third.endswith("…")


def test_no_title_from_the_text_before_a_link_is_a_paragraph() -> None:
    result = parse(f"# W\n\n## S\n\n- {'Long words ' * 40}[pdf](https://e.com/p)\n")
    (title,) = titles(result)
    assert len(title) <= 150


def test_link_only_lines_right_after_a_table_of_contents_are_not_items() -> None:
    result = parse(
        "# Papers of the Week\n\n## 2025\n\n- [Week 2](./#week-2)\n- [Week 1](./#week-1)\n\n"
        "[Follow us on Twitter](https://twitter.com/someone)\n\n"
        "[Join our Discord](https://discord.gg/xyz)\n\n"
        "## Week 2\n\n- [A](https://arxiv.org/abs/2)\n\n## Week 1\n\n- [B](https://arxiv.org/abs/1)\n"
    )
    assert outline(result) == [(["Week 2"], ["A"]), (["Week 1"], ["B"])]


# ---------------------------------------------------------------- 3. a lone wrapper heading


def test_a_lone_wrapper_heading_is_folded_into_its_subheadings() -> None:
    result = parse(
        "# Courses list\n\n## Courses\n\n### Algorithms\n\n- [6.006](https://ocw.mit.edu/6006)\n\n"
        "### Systems\n\n- [CS162](https://cs162.org)\n\n#### Deeper\n\n- [OSTEP](https://ostep.org)\n"
    )
    assert outline(result) == [
        (["Algorithms"], ["6.006"]),
        (["Systems"], ["CS162"]),
        (["Systems", "Deeper"], ["OSTEP"]),
    ]


def test_a_wrapper_with_links_of_its_own_or_one_subheading_stays() -> None:
    own = parse(
        "# L\n\n## All\n\n- [Top](https://e.com/t)\n\n### A\n\n- [a](https://e.com/a)\n\n"
        "### B\n\n- [b](https://e.com/b)\n"
    )
    assert [s.title for s in own.guide.sections] == ["All"]
    one = parse("# L\n\n## All\n\n### A\n\n- [a](https://e.com/a)\n")
    assert [s.title for s in one.guide.sections] == ["All"]


def test_next_offers_a_link_of_each_folded_section(cli: Invoke, tmp_path: Path) -> None:
    readme = tmp_path / "x.md"
    readme.write_text(
        "# Build your own X\n\n## Tutorials\n\n### Build your own `Database`\n\n"
        "- [DB one](https://e.com/db)\n\n### Build your own `Git`\n\n- [Git one](https://e.com/git)\n",
        "utf-8",
    )
    ok(cli("guide", "update", "--from", str(readme), "--force"))
    out = ok(cli("next"))  # one pick per section
    assert "DB one" in out and "Git one" in out


# ---------------------------------------------------------------- 4. the guide's title


def test_a_byte_order_mark_does_not_hide_the_h1() -> None:
    result = parse(
        "\ufeff# Awesome Deep Learning\n\n# Table of Contents\n\n## Books\n\n- [B](https://e.com/b)\n"
    )
    assert result.guide.title == "Awesome Deep Learning"


def test_a_table_of_contents_heading_never_titles_the_guide() -> None:
    for toc in ("Contents", "Table of Contents", "TOC"):
        result = parse(f"# {toc}\n\n# Books\n\n- [B](https://e.com/b)\n", source="lists/deep.md")
        assert result.guide.title == "deep", toc
        assert [s.title for s in result.guide.sections] == ["Books"]


def test_emoji_shortcodes_are_stripped_from_titles_and_sections_but_not_times() -> None:
    result = parse(
        "# :star: :bookmark: awesome-generative-ai-guide\n\n## :rocket: Courses\n\n"
        "- [:fire: Course at 10:30:00](https://e.com/c)\n- [a:b: c](https://e.com/d)\n"
    )
    assert result.guide.title == "awesome-generative-ai-guide"
    assert outline(result) == [(["Courses"], ["Course at 10:30:00", "a:b: c"])]


# ---------------------------------------------------------------- 5. alert markers


@pytest.mark.parametrize("kind", ["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION", "note"])
def test_github_alert_markers_are_not_kept_in_tips_or_descriptions(kind: str) -> None:
    result = parse(
        f"# L\n\n## S\n\n[!{kind}]\nRead the intro.\n\n"
        f"> [!{kind}]\n> If you're interested, see below.\n\n"
        "- [A](https://e.com/a)\n"
    )
    (section,) = result.guide.sections
    assert section.description == "Read the intro."
    assert section.tip == "If you're interested, see below."


# ---------------------------------------------------------------- 6. warnings


def test_a_line_with_control_and_bidi_characters_is_reported_once() -> None:
    result = parse("# G\n\n## S\n\n- [A\x1b\u202eB](https://e.com/a)\n")
    assert titles(result) == ["AB"]
    assert result.warnings == [
        "T.md:5: control characters removed from '- [A\\u202eB](https://e.com/a)'"
    ]


def test_a_file_of_html_list_tags_is_not_refused_for_marks_it_lacks() -> None:
    rows = "".join(f'<li><a href="https://e.com/{n}">Item {n}</a></li>\n' for n in range(35_000))
    result = parse(f"# L\n\n## S\n\n<ul>\n{rows}</ul>\n")
    assert len(titles(result)) == 35_000


def test_inline_tags_still_count_against_the_marks_limit() -> None:
    from llmdive.errors import LlmdiveError

    with pytest.raises(LlmdiveError, match="too large to import: 120,001 brackets"):
        parse("## S\n\nx " + "<b>" * 120_001 + "\n")
