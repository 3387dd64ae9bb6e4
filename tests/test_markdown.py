from __future__ import annotations

import pytest

from llmdive.catalogue import dump_toml, parse_guide
from llmdive.errors import LlmdiveError
from llmdive.markdown import export_markdown, parse_readme
from llmdive.models import Difficulty
from llmdive.paths import bundled_guide

from .conftest import GUIDE_README


def parse(text: str):
    return parse_readme(text, source="T.md")


def test_importing_the_guide_readme_gives_the_bundled_catalogue_exactly() -> None:
    result = parse_readme(GUIDE_README.read_text(encoding="utf-8"), source="README.md")
    assert result.warnings == []
    assert dump_toml(result.guide) == bundled_guide().read_text(encoding="utf-8")


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


def test_a_readme_without_sections_is_an_error() -> None:
    with pytest.raises(LlmdiveError, match="no sections found"):
        parse("# Title\n\n- [a](https://a.example)\n")


def test_export_then_import_gives_the_same_catalogue() -> None:
    guide = parse_guide(bundled_guide().read_bytes(), bundled_guide())
    again = parse(export_markdown(guide))
    assert again.warnings == []
    assert again.guide == guide


@pytest.mark.parametrize(
    "name",
    ["llm-deep-dive-README.md", "guide-v2-renamed.md", "guide-v3-additions.md", "malformed.md"],
)
def test_export_round_trips_every_fixture(name: str) -> None:
    from .conftest import FIXTURES

    guide = parse_readme((FIXTURES / name).read_text(encoding="utf-8")).guide
    again = parse(export_markdown(guide))
    assert again.warnings == []
    assert again.guide == guide


def test_export_uses_the_guides_own_format() -> None:
    guide = parse_guide(bundled_guide().read_bytes(), bundled_guide())
    text = export_markdown(guide)
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
    from .conftest import FIXTURES

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
        "malformed.md:13: link 'Relative link' skipped: 'docs/page.md' is not an http(s) URL",
    ]
