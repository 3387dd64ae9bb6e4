"""More from the commands readers use: next -n, progress --section, history -n/--since,
note ID (show), and the guide's advice in toc, list --section and next --section."""

from __future__ import annotations

import json

from .conftest import Invoke

TIP = (
    "Tip: Try to cover basics of Transformers, then understand the GPT architecture before "
    "diving deeper into other concepts"
)
DESCRIPTION = "This section talks about the key aspects of LLM architecture."


def ok(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return result.stdout


def test_next_n_lists_n_links_per_section_in_reading_order(cli: Invoke) -> None:
    ok(cli("start", "rlhf"))
    ok(cli("mark-read", "umar-jamil-quantization"))
    data = json.loads(ok(cli("next", "-n", "3", "--section", "finetuning", "--json")))
    assert [(d["link"]["id"], [m["id"] for m in d["more"]]) for d in data] == [
        ("rlhf-explained", ["lora-explained", "dpo-explained"])
    ]
    out = ok(cli("next", "-n", "2", "--section", "finetuning"))
    assert [line.split()[:3] for line in out.splitlines()] == [
        ["FineTuning", "▸", "rlhf-explained"],
        ["·", "lora-explained", "Medium"],
    ]
    everything = json.loads(ok(cli("next", "-n", "2", "--json")))
    assert [m["id"] for m in everything[0]["more"]] == ["umar-jamil-attention"]
    assert json.loads(ok(cli("next", "--json")))[0]["more"] == []
    assert cli("next", "-n", "0").exit_code == 2


def test_progress_section_counts_that_section_by_topic(cli: Invoke) -> None:
    ok(cli("mark-read", "cuda", "low-level"))
    data = json.loads(ok(cli("progress", "--section", "engineering", "--json")))
    assert data["within"] == ["Engineering"]
    assert data["overall"] == {"read": 2, "reading": 0, "skipped": 0, "unread": 5, "total": 7}
    assert [(s["section"], s["read"], s["total"]) for s in data["sections"]] == [
        ("Engineering", 1, 6),
        ("CuDA", 1, 1),
    ]
    assert data["orphans"] == []
    out = ok(cli("progress", "--section", "engineering")).splitlines()
    assert out[0] == "Engineering"
    assert "By topic" in out
    assert json.loads(ok(cli("progress", "--json")))["within"] is None


def test_history_newest_n_and_since_a_date(cli: Invoke, home) -> None:  # type: ignore[no-untyped-def]
    ok(cli("mark-read", "lora"))
    ok(cli("start", "dpo"))
    ok(cli("skip", "tweet"))
    newest = json.loads(ok(cli("history", "-n", "2", "--json")))
    assert [r["id"] for r in newest] == ["tweet-learn-ml-rt", "dpo-explained"]
    assert len(json.loads(ok(cli("history", "--since", "2000-01-01", "--json")))) == 3
    assert json.loads(ok(cli("history", "--since", "2999-01-01", "--json"))) == []
    assert ok(cli("history", "--since", "2999-01-01")) == "No change in that range.\n"
    bad = cli("history", "--since", "yesterday")
    assert bad.exit_code == 2
    assert "'yesterday' is not a date: use YYYY-MM-DD, or YYYY-MM-DD HH:MM" in bad.stderr


def test_note_without_text_shows_the_note(cli: Invoke) -> None:
    assert ok(cli("note", "lora")) == (
        'no note on lora-explained (add one: llmdive note lora-explained "...")\n'
    )
    ok(cli("note", "https://youtu.be/PXWYUTMt-AU", "the rank part\nand alpha"))
    assert ok(cli("note", "lora")) == "the rank part\nand alpha\n"
    assert json.loads(ok(cli("note", "lora", "--json")))["note"] == "the rank part\nand alpha"
    # Shown, not changed: history has the one note event only.
    assert len(json.loads(ok(cli("history", "--json")))) == 1


def test_toc_shows_descriptions_and_tips_and_can_hide_empty_topics(cli: Invoke) -> None:
    lines = ok(cli("toc")).splitlines()
    at = lines.index("Model Architecture  [model-architecture]  0/7 read")
    assert lines[at + 1 : at + 3] == [f"    {DESCRIPTION}", f"    {TIP}"]
    assert any("[tokenization]" in line for line in lines)
    shown = ok(cli("toc", "--hide-empty"))
    assert "[tokenization]" not in shown and "[datasets]" not in shown
    assert "[rotary-positional-encoding]" in shown and "[cuda]" in shown
    data = json.loads(ok(cli("toc", "--hide-empty", "--json")))
    assert data[0]["tip"] == TIP[len("Tip: ") :]
    assert [s["slug"] for s in data][:3] == ["model-architecture", "agentic-llms", "finetuning"]
    assert all(s["links"] for s in data)


def test_list_and_next_for_a_section_start_with_its_advice(cli: Invoke) -> None:
    listed = ok(cli("list", "--section", "model-architecture")).splitlines()
    assert listed[:3] == [DESCRIPTION, TIP, ""]
    nexts = ok(cli("next", "--section", "model-arch")).splitlines()
    assert nexts[:3] == [DESCRIPTION, TIP, ""]
    assert nexts[3].startswith("Model Architecture  · illustrated-transformer")
    # A topic shows its own words only (GPT Architecture has none).
    assert ok(cli("next", "--section", "gpt-architecture")).startswith("GPT Architecture  ")
    assert ok(cli("list", "--section", "lora")).splitlines()[0] == "FineTuning › LoRA"
    assert json.loads(ok(cli("list", "--section", "model-architecture", "--json")))[0]["id"]
