"""The patterns of real curated lists (issue 17's "Why"), each in a small hand-written README."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from llmdive.errors import LlmdiveError
from llmdive.guide.readme import ParseResult, parse_readme
from llmdive.model.models import Difficulty
from tests.helpers import Invoke, ok


def parse(text: str, source: str = "T.md") -> ParseResult:
    return parse_readme(text, source=source)


def outline(result: ParseResult) -> list[tuple[list[str], list[str]]]:
    """(heading path, link titles) of every topic."""
    return [
        ([p.title for p in path], [k.title for k in t.links]) for path, t in result.guide.walk()
    ]


def urls(result: ParseResult) -> list[str]:
    return [k.url for _, t in result.guide.walk() for k in t.links]


# ---------------------------------------------------------------- 1. structure


def test_links_under_level_two_headings_are_sections() -> None:
    result = parse(
        "# Awesome ML\n\n## Python\n\n- [scikit-learn](https://scikit-learn.org)\n"
        "- [PyTorch](https://pytorch.org)\n\n## R\n\n- [caret](https://topepo.github.io/caret)\n"
    )
    assert result.guide.title == "Awesome ML"
    assert outline(result) == [
        (["Python"], ["scikit-learn", "PyTorch"]),
        (["R"], ["caret"]),
    ]
    assert result.warnings == []


def test_level_four_topics_under_level_two_sections() -> None:
    result = parse(
        "# L\n\n## Papers\n\n#### Vision\n\n- [ViT](https://arxiv.org/abs/2010.11929)\n\n"
        "#### Language\n\n- [BERT](https://arxiv.org/abs/1810.04805)\n\n"
        "## Code\n\n- [timm](https://github.com/huggingface/pytorch-image-models)\n"
    )
    # (A second section: a lone `## Papers` wrapping every heading would be folded away.)
    assert outline(result) == [
        (["Papers"], []),
        (["Papers", "Vision"], ["ViT"]),
        (["Papers", "Language"], ["BERT"]),
        (["Code"], ["timm"]),
    ]


def test_level_three_and_six_and_links_before_the_first_level_three() -> None:
    result = parse(
        "# L\n\n## Start here\n\n- [Intro post](https://a.example/intro)\n\n### One\n\n"
        "###### Deep\n\n- [Deep post](https://a.example/deep)\n"
    )
    assert outline(result) == [
        (["Start here"], ["Intro post"]),
        (["Start here", "One"], []),
        (["Start here", "One", "Deep"], ["Deep post"]),
    ]


def test_a_list_without_headings_is_one_section_named_after_the_guide() -> None:
    result = parse("# My reading\n\n- [A](https://a.example/a)\n- [B](https://a.example/b)\n")
    assert outline(result) == [(["My reading"], ["A", "B"])]


def test_the_title_is_the_h1_without_badges_or_links() -> None:
    result = parse(
        "# Awesome LLM [![Awesome](https://awesome.re/badge.svg)](https://awesome.re)\n\n"
        "## Papers\n\n- [GPT-3](https://arxiv.org/abs/2005.14165)\n"
    )
    assert result.guide.title == "Awesome LLM"


def test_without_an_h1_the_title_is_the_first_heading_else_the_file_name() -> None:
    first = parse("## Reading\n\n- [A](https://a.example/a)\n")
    assert first.guide.title == "Reading"
    named = parse("- [A](https://a.example/a)\n", source="lists/papers-to-read.md")
    assert named.guide.title == "papers-to-read"
    assert "LLM Deep Dive" not in named.guide.title


def test_a_table_of_contents_is_never_items_and_is_not_a_parent() -> None:
    result = parse(
        "# L\n\n## Contents\n\n- [Attention](#attention)\n- [Serving](#serving)\n"
        "  - [Engines](#engines)\n\n### Attention\n\n- [FlashAttention](https://a.example/fa)\n\n"
        "### Serving\n\n- [vLLM](https://a.example/vllm)\n"
    )
    assert outline(result) == [(["Attention"], ["FlashAttention"]), (["Serving"], ["vLLM"])]


def test_empty_headings_are_folded_unless_the_guides_toc_lists_them() -> None:
    folded = parse(
        "# L\n\n## Papers\n\n- [A](https://a.example/a)\n\n## Coming soon\n\n"
        "Nothing yet.\n\n## License\n\nMIT\n"
    )
    assert [s.title for s in folded.guide.sections] == ["Papers"]
    listed = parse(
        "# L\n\n- [Papers](#papers)\n- [Coming soon](#coming-soon)\n- [License](#license)\n\n"
        "## Papers\n\n- [A](https://a.example/a)\n\n## Coming soon\n\n## License\n\nMIT\n"
    )
    assert [s.title for s in listed.guide.sections] == ["Papers", "Coming soon"]


# ---------------------------------------------------------------- 2. what an item is


def test_any_bullet_numbered_and_nested_items() -> None:
    result = parse(
        "## S\n\n* [Star](https://a.example/1)\n+ [Plus](https://a.example/2)\n"
        "1. [One](https://a.example/3)\n2) [Two](https://a.example/4)\n"
        "- **Group**\n  - [Nested](https://a.example/5)\n    - [Deeper](https://a.example/6)\n"
    )
    # A bullet of only bold text over nested bullets is a topic, holding them.
    assert outline(result) == [
        (["S"], ["Star", "Plus", "One", "Two"]),
        (["S", "Group"], ["Nested", "Deeper"]),
    ]


def test_prose_links_and_a_concept_bullets_tools_are_not_items() -> None:
    result = parse(
        "## Agents\n\nAgents are built with [LangGraph](https://a.example/langgraph) and "
        "[LlamaIndex](https://a.example/llamaindex) among others.\n\n"
        "* **Frameworks**: several libraries help here, such as [TRL](https://a.example/trl) "
        "and [verl](https://a.example/verl).\n\n"
        "* [LlamaIndex Agents](https://a.example/llamaindex): building agents step by step.\n"
    )
    assert outline(result) == [(["Agents"], ["LlamaIndex Agents"])]
    assert result.warnings == []
    assert "several libraries help here" in result.guide.sections[0].description


def test_a_table_row_is_one_item_with_its_other_links_related() -> None:
    result = parse(
        "## Papers\n\n| Title | Links |\n|---|---|\n"
        "| Attention Is All You Need | [[pdf]](https://arxiv.org/pdf/1706.03762) "
        "[[code]](https://github.com/tensorflow/tensor2tensor) |\n"
        "| [](https://a.example/empty) LoRA | [paper](https://arxiv.org/abs/2106.09685) |\n"
    )
    assert [(k.title, k.url) for k in result.guide.sections[0].links] == [
        ("Attention Is All You Need", "https://arxiv.org/pdf/1706.03762"),
        ("LoRA", "https://a.example/empty"),
    ]
    assert result.related["https://arxiv.org/pdf/1706.03762"] == (
        ("code", "https://github.com/tensorflow/tensor2tensor"),
    )
    assert [k.id for k in result.guide.sections[0].links] == ["attention-all-need", "lora"]


def test_a_logo_link_in_a_row_is_related_but_a_shield_is_not() -> None:
    result = parse(
        "## Notebooks\n\n| Notebook | Article | Colab |\n|---|---|---|\n"
        "| Fine-tune Llama 3 | [Article](https://a.example/ft) | "
        "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        "(https://colab.research.google.com/drive/1x) "
        "[![stars](https://img.shields.io/github/stars/a/b)]"
        "(https://img.shields.io/github/stars/a/b) |\n"
    )
    assert [k.title for k in result.guide.sections[0].links] == ["Fine-tune Llama 3"]
    assert result.related == {
        "https://a.example/ft": (("Open In Colab", "https://colab.research.google.com/drive/1x"),)
    }


def test_entries_written_as_headings_are_items_not_sections() -> None:
    result = parse(
        "# Agents\n\n## Frameworks\n\n### [Adala](https://github.com/HumanSignal/Adala)\n\n"
        "#### Category\n\nData labeling\n\n#### Links\n\n"
        "- [GitHub](https://github.com/HumanSignal/Adala)\n- [Web](https://humansignal.com)\n"
        "- [Discord](https://discord.gg/x)\n\n"
        "### [AgentGPT](https://agentgpt.reworkd.ai)\n\n#### Description\n\nIn the browser.\n"
    )
    assert outline(result) == [(["Frameworks"], ["Adala", "AgentGPT"])]
    assert result.related["https://github.com/HumanSignal/Adala"] == (
        ("Web", "https://humansignal.com"),
        ("Discord", "https://discord.gg/x"),
    )


def test_a_link_text_wrapped_over_lines_is_joined() -> None:
    result = parse("## S\n\n- [A long title that\n  wraps](https://a.example/w) - note\n")
    assert outline(result) == [(["S"], ["A long title that wraps"])]
    assert result.warnings == []


def test_html_links_in_details_p_and_ul_blocks_are_items() -> None:
    result = parse(
        "## S\n\n<details>\n<summary>Older</summary>\n<ul>\n"
        '<li><a href="https://a.example/1">First &amp; best</a> (2019)</li>\n'
        '<li><a href="https://a.example/2"><img src="https://img.shields.io/x.svg"></a> '
        '<a href="https://a.example/3">Second</a></li>\n</ul>\n</details>\n\n'
        '<p><a href="https://a.example/4">Third</a> · <a href="https://a.example/5">code</a></p>\n'
    )
    assert outline(result) == [(["S"], ["First & best", "Second", "Third"])]
    assert result.related["https://a.example/4"] == (("code", "https://a.example/5"),)


def test_a_bare_url_item_is_titled_from_its_url() -> None:
    result = parse("## S\n\n- https://www.example.com/papers/attention/\n")
    assert [(k.title, k.url) for k in result.guide.sections[0].links] == [
        ("example.com/papers/attention", "https://www.example.com/papers/attention/")
    ]


# ---------------------------------------------------------------- 3. titles


def test_badges_star_counts_back_to_top_links_and_anchors_leave_names_and_titles() -> None:
    result = parse(
        '## <a name="chains"></a>Chains [(©️back👆🏻)](#contents)\n\n'
        "- [Awesome LangChain ![Awesome](https://awesome.re/badge.svg)]"
        "(https://github.com/kyrolabs/awesome-langchain) "
        "![GitHub Repo stars](https://img.shields.io/github/stars/kyrolabs/awesome-langchain)\n"
    )
    section = result.guide.sections[0]
    assert section.title == "Chains"
    assert [k.title for k in section.links] == ["Awesome LangChain"]


def test_generic_link_texts_take_their_title_from_context() -> None:
    result = parse(
        "## Papers\n\n- Attention Is All You Need. Vaswani et al. [[pdf]](https://a.example/1)\n"
        "- Language Models are Few-Shot Learners [paper](https://a.example/2) "
        "[code](https://a.example/3)\n- [here](https://a.example/4) Scaling Laws\n\n"
        "### Direct Preference Optimization\n\n[pdf](https://a.example/5) | "
        "[GitHub](https://a.example/6)\n"
    )
    titles = [k.title for _, t in result.guide.walk() for k in t.links]
    assert titles == [
        "Attention Is All You Need",
        "Language Models are Few-Shot Learners",
        "Scaling Laws",
        "Direct Preference Optimization",
    ]
    ids = [k.id for _, t in result.guide.walk() for k in t.links]
    assert not any(i.startswith("pdf") for i in ids)


def test_descriptions_are_readable_text_with_real_line_breaks() -> None:
    result = parse(
        "## S\n\nFirst line of text ![badge](https://img.shields.io/x)\nsecond line.\n\n"
        "Another paragraph.\n\n- [A](https://a.example/a)\n"
    )
    assert result.guide.sections[0].description == (
        "First line of text\nsecond line.\n\nAnother paragraph."
    )


# ---------------------------------------------------------------- 4. difficulty


def test_difficulty_from_words_a_column_and_markers_never_guessed() -> None:
    result = parse(
        "## Courses\n\n- [Intro to ML](https://a.example/1) (Beginner)\n"
        "- [Deep RL](https://a.example/2) - Advanced\n"
        "- 🟡 [Transformers](https://a.example/3)\n"
        "- [Hard truths about data](https://a.example/4)\n\n"
        "| Course | Level |\n|---|---|\n| [CS229](https://a.example/5) | Intermediate |\n"
        "| [CS25](https://a.example/6) | Easy |\n| [CS336](https://a.example/7) | |\n"
    )
    levels = [(k.title, k.difficulty) for k in result.guide.sections[0].links]
    assert levels == [
        ("Intro to ML", Difficulty.EASY),
        ("Deep RL", Difficulty.HARD),
        ("Transformers", Difficulty.MEDIUM),
        ("Hard truths about data", Difficulty.UNRATED),
        ("CS229", Difficulty.MEDIUM),
        ("CS25", Difficulty.EASY),
        ("CS336", Difficulty.UNRATED),
    ]


# ---------------------------------------------------------------- 5. stable ids


LIST = "# Tools\n\n## Apps\n\n- [Langflow](https://github.com/langflow-ai/langflow)\n"


def test_the_same_readme_gives_the_same_ids_after_reset_and_reimport(
    cli: Invoke, tmp_path: Path
) -> None:
    readme = tmp_path / "tools.md"
    readme.write_text(LIST, encoding="utf-8")
    ids = []
    for _ in range(3):
        ok(cli("guide", "update", "--from", str(readme), "--force"))
        listing = ok(cli("list", "--json"))
        ids.append([d["id"] for d in __import__("json").loads(listing)])
        ok(cli("guide", "reset"))
    assert ids == [["langflow"]] * 3


# ---------------------------------------------------------------- 6. warnings


def test_warnings_are_grouped_by_kind_and_verbose_shows_all(cli: Invoke, tmp_path: Path) -> None:
    readme = tmp_path / "many.md"
    lines = [f"- [Note {n}](notes/{n}.md)" for n in range(40)]
    readme.write_text("# L\n\n## S\n\n- [Real](https://a.example/r)\n" + "\n".join(lines) + "\n")
    out = tmp_path / "g.toml"
    result = cli("guide", "import", str(readme), "-o", str(out))
    assert result.exit_code == 0, result.output
    err = result.stderr.splitlines()
    assert err[0] == (
        "llmdive: warning: 40 links relative to the repository skipped (import the README "
        "from its GitHub URL to keep them); the first 3 (--verbose shows all):"
    )
    assert len(err) == 5 and err[-1] == f"wrote {out}: 1 section, 1 link"
    verbose = cli("guide", "import", str(readme), "-o", str(tmp_path / "v.toml"), "--verbose")
    assert len(verbose.stderr.splitlines()) == 41


def test_the_summary_counts_items_sections_and_related_links(cli: Invoke, tmp_path: Path) -> None:
    readme = tmp_path / "r.md"
    readme.write_text(
        "# L\n\n## A\n\n- [P](https://a.example/p) [code](https://a.example/c)\n\n"
        "## B\n\n- [Q](https://a.example/q)\n"
    )
    out = tmp_path / "g.toml"
    result = cli("guide", "import", str(readme), "-o", str(out))
    assert result.stderr == f"wrote {out}: 2 sections, 2 links, 1 related link\n"
    update = cli("guide", "update", "--from", str(readme), "--force")
    assert update.exit_code == 0, update.output
    assert f"read {readme}: 2 sections, 2 links, 1 related link\n" in update.stderr
    quiet = cli("guide", "update", "--from", str(readme), "--json")
    assert quiet.exit_code == 0 and quiet.stderr == ""


# ---------------------------------------------------------------- 8. bounds


def test_pathological_nesting_and_rows_import_in_bounded_time() -> None:
    deep = "## S\n\n" + "".join("  " * n + f"- [T{n}](https://a.example/{n})\n" for n in range(400))
    wide = (
        "## W\n\n| a |\n|---|\n| "
        + " ".join(f"[l{n}](https://a.example/w{n})" for n in range(5000))
        + " |\n"
    )
    start = time.process_time()
    parse(deep)
    wide_result = parse(wide)
    assert time.process_time() - start < 20
    assert len(wide_result.related["https://a.example/w0"]) == 32


def test_hostile_html_and_long_lines_import_in_bounded_time() -> None:
    unclosed = "## S\n\n- " + '<a href="https://a.example/x">t ' * 30_000 + "\n"
    spaces = "## S\n\n- [A](https://a.example/a) - easy" + " " * 200_000 + "x\n"
    start = time.process_time()
    assert [k.title for k in parse(unclosed).guide.sections[0].links] == ["t"]
    assert parse(spaces).guide.sections[0].links[0].difficulty is Difficulty.UNRATED
    assert time.process_time() - start < 20


def test_a_readme_past_the_limits_is_still_refused() -> None:
    with pytest.raises(LlmdiveError, match="too large to import"):
        parse("## S\n" + "- [x](https://a.example/x)\n" * 90_000)
