from __future__ import annotations

import json
from pathlib import Path

from .conftest import FIXTURES, Invoke

URL = "https://sebastianraschka.com/blog/2023/llm-finetuning-lora.html"


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def test_add_shows_everywhere_marked_personal(cli: Invoke, home: Path) -> None:
    out = ok(cli("add", URL, "--title", "Finetuning LLMs with LoRA", "-s", "lora", "-d", "easy"))
    assert out == "added finetuning-llms-lora (personal) under lora\n"
    links = json.loads(ok(cli("list", "-s", "lora", "--json")))
    assert [(d["id"], d.get("personal", False)) for d in links] == [
        ("lora-explained", False),
        ("finetuning-llms-lora", True),
    ]
    assert "Finetuning LLMs with LoRA (personal)" in ok(cli("list", "-s", "lora"))
    nxt = json.loads(ok(cli("next", "-s", "lora", "--json")))
    assert nxt[0]["link"]["id"] == "finetuning-llms-lora"  # easy comes first
    ok(cli("mark-read", "finetuning-llms"))
    assert json.loads(ok(cli("show", "finetuning-llms", "--json")))["status"] == "read"
    stored = json.loads((home / "personal.json").read_text())
    assert stored["version"] == 1
    assert stored["links"][0]["section"] == "lora"


def test_adding_a_url_the_guide_has_says_so(cli: Invoke, home: Path) -> None:
    result = cli("add", "https://www.youtube.com/watch?v=PXWYUTMt-AU", "-t", "Mine", "-s", "lora")
    assert result.exit_code == 1
    assert result.stderr == (
        "llmdive: error: https://www.youtube.com/watch?v=PXWYUTMt-AU is already listed (the guide "
        "has it): lora-explained in FineTuning › LoRA; `llmdive show lora-explained`\n"
    )
    assert not (home / "personal.json").exists()
    ok(cli("add", URL, "-t", "Mine", "-s", "lora"))
    again = cli("add", URL + "?utm_source=x", "-t", "Mine again", "-s", "dpo")
    assert again.exit_code == 1
    assert "(you added it already): mine" in again.stderr


def test_add_needs_a_real_url_a_title_and_a_section(cli: Invoke, home: Path) -> None:
    assert cli("add", URL, "-s", "lora").exit_code == 2
    result = cli("add", "ftp://x.example/a", "-t", "T", "-s", "lora")
    assert result.exit_code == 1
    assert result.stderr == (
        "llmdive: error: cannot add this link: a URL must start with http:// or https://\n"
    )
    result = cli("add", URL, "-t", "T", "-s", "nowhere-at-all")
    assert result.exit_code == 1
    assert "no section 'nowhere-at-all'" in result.stderr
    assert not (home / "personal.json").exists()


def test_personal_links_survive_guide_updates(cli: Invoke) -> None:
    ok(cli("add", URL, "-t", "Finetuning LLMs with LoRA", "-s", "lora"))
    ok(cli("mark-read", "finetuning"))
    ok(cli("guide", "update", "--from", str(FIXTURES / "guide-v3-additions.md")))
    data = json.loads(ok(cli("show", "finetuning", "--json")))
    assert (data["status"], data["personal"], data["section"]) == (
        "read",
        True,
        ["FineTuning", "LoRA"],
    )


def test_add_export_prints_markdown_for_a_pull_request(cli: Invoke) -> None:
    ok(cli("add", URL, "-t", "Finetuning LLMs [with] LoRA", "-s", "lora", "-d", "easy"))
    ok(cli("add", "https://example.com/rope", "-t", "RoPE, visually", "-s", "rotary"))
    assert ok(cli("add", "--export")) == (
        "### 🟩 Model Architecture\n"
        "#### ◻️Transformer Architecture\n"
        "##### Positional Encoding\n"
        "###### Rotary Positional Encoding\n"
        "- [RoPE, visually](https://example.com/rope)\n"
        "\n"
        "### 🟩 FineTuning\n"
        "#### ◻️LoRA\n"
        f"- [Finetuning LLMs \\[with\\] LoRA]({URL}) "
        "![Easy](https://img.shields.io/badge/difficulty-Easy-green)\n"
    )
    # The guide's own export leaves personal links out.
    assert URL not in ok(cli("guide", "export"))
