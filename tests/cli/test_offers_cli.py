"""`show` of a heading, and offers from the other followed guides in toc, next and show."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import Invoke


def test_show_names_a_heading_by_slug_or_title(cli: Invoke) -> None:
    result = cli("show", "attention")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Model Architecture › Attention  [attention]",
        "  no links yet: contribute one",
    ]
    section = cli("show", "Model Architecture")
    assert section.exit_code == 0, section.output
    assert section.output.splitlines()[0] == "Model Architecture  [model-architecture]"
    assert "  0/7 read  llmdive list --section model-architecture" in section.output.splitlines()
    data = json.loads(cli("show", "quantization", "--json").output)
    assert data == {
        "slug": "quantization",
        "title": "Quantization",
        "section": ["Quantization"],
        "description": None,
        "tip": None,
        "links": 0,
        "read": 0,
        "offers": [],
    }


def test_a_link_id_comes_before_a_heading_and_unknown_names_still_fail(cli: Invoke) -> None:
    # "lora" is a link's id and a topic's slug: the link is shown, as before.
    assert cli("show", "lora").output.startswith("lora-explained")
    result = cli("show", "nosuch")
    assert result.exit_code == 1
    assert result.stderr.startswith("llmdive: error: no link with id 'nosuch'")


LISTS = Path(__file__).parent.parent / "fixtures" / "lists"


def follow_two_lists(cli: Invoke) -> None:
    for name, file in [
        ("llm-course", "mlabonne__llm-course.md"),
        ("awesome-llm", "Hannibal046__Awesome-LLM.md"),
    ]:
        result = cli("guide", "add", name, str(LISTS / file))
        assert result.exit_code == 0, result.output


def test_following_two_real_lists_fills_the_deep_dive_s_empty_topics(cli: Invoke) -> None:
    follow_two_lists(cli)
    lines = cli("toc").output.splitlines()
    at = lines.index("  Attention  [attention]  no links yet: contribute one")
    assert lines[at + 1 : at + 3] == [
        "      offered: Attention? Attention! (llm-course)  attention-attention",
        "      offered: Attention Is All You Need (awesome-llm)  attention-all-need",
    ]
    offered = [line.strip() for line in lines if "offered: " in line]
    assert any("GPTQ (llm-course)" in line for line in offered)
    assert any("Create MoEs with MergeKit (llm-course)" in line for line in offered)
    # The id offered is one the reader can type.
    shown = cli("show", "attention-attention")
    assert shown.exit_code == 0, shown.output
    assert "lilianweng.github.io/posts/2018-06-24-attention" in shown.output

    show = cli("show", "attention").output.splitlines()
    assert show[2] == "  offered: Attention? Attention! (llm-course)  attention-attention"
    gone = cli("next", "--section", "kv-cache").output
    assert "no links yet" in gone and "offered: GPU Inference (llm-course)  gpu-inference" in gone


def test_offers_in_json_and_never_a_link_the_topic_s_guide_has(cli: Invoke) -> None:
    follow_two_lists(cli)
    tree = json.loads(cli("toc", "--json").output)

    def walk(nodes: list[Any]) -> list[Any]:
        return [m for n in nodes for m in (n, *walk(n["topics"]))]

    nodes = walk(tree)
    attention = next(n for n in nodes if n["slug"] == "attention")
    assert [o["guide"] for o in attention["offers"][:2]] == ["llm-course", "awesome-llm"]
    # Each URL once in the whole toc; a topic with links left to read is offered nothing.
    urls = [o["url"] for n in nodes for o in n["offers"]]
    assert len(urls) == len(set(urls)) > 20
    assert all(n["offers"] == [] for n in nodes if n["unread"] + n["reading"])
    topic = json.loads(cli("show", "gptq", "--json").output)
    assert topic["offers"] and all("GPTQ" in o["title"] for o in topic["offers"][:2])
    picks = json.loads(cli("next", "--section", "kv-cache", "--json").output)
    assert picks[0]["link"] is None and picks[0]["offers"][0]["id"] == "gpu-inference"


def test_a_topic_read_through_is_offered_more_from_the_others(cli: Invoke) -> None:
    follow_two_lists(cli)
    assert "offered: " not in cli("show", "lora").output  # a link: LoRA Explained
    topic = json.loads(cli("show", "FineTuning", "--json").output)
    assert topic["offers"] == []  # four links left to read there
    assert cli("mark-read", "lora-explained").exit_code == 0
    lines = cli("toc").output.splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("  LoRA  [lora]"))
    assert "offered: LoRA insights (llm-course)" in lines[at + 1]


def test_a_heading_named_exactly_wins_over_the_start_of_a_link_s_id(cli: Invoke) -> None:
    # llm-course has 'quantization-gguf-llama', the only id starting 'quantization', and a
    # heading 'Quantization' as the Deep Dive has: the heading is shown, the default
    # guide's, with the other guide's headings of that name to type.
    result = cli("guide", "add", "llm-course", str(LISTS / "mlabonne__llm-course.md"))
    assert result.exit_code == 0, result.output
    for query in ("quantization", "Quantization"):
        lines = cli("show", query).output.splitlines()
        assert lines[:2] == ["Quantization  [quantization]", "  no links yet: contribute one"]
        assert lines[-2:] == [
            "  also in llm-course  llmdive show llm-course/quantization",
            "  also in llm-course  llmdive show 7-quantization",
        ]
        assert all("offered: " in line for line in lines[2:-2]), lines
    other = cli("show", "llm-course/quantization").output.splitlines()
    assert other == [
        "Notebooks › Quantization  [llm-course/quantization]",
        "  0/4 read  llmdive list --section llm-course/quantization",
    ]
    # 'attention-attention' is the only id starting 'attention': the topic comes first.
    assert cli("show", "attention").output.startswith("Model Architecture › Attention  [")
    # An exact id still wins over everything, and the start of an id names a link as before.
    assert cli("show", "quantization-gguf-llama").output.startswith("quantization-gguf-llama\n")
    assert cli("show", "quantization-gg").output.startswith("quantization-gguf-llama\n")
    json_out = json.loads(cli("show", "quantization", "--json").output)
    assert (json_out["slug"], json_out["links"]) == ("quantization", 0)
