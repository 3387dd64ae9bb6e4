"""`llmdive list`, `toc` and `show` (cli/browse.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from llmdive.net import linkmarks
from llmdive.net.linkmarks import Outcome, Verdict
from llmdive.output.layout import cells
from tests.helpers import FIXTURES, LORA_URL, REPO, Invoke, ok, screen

FINETUNING = [
    (
        "umar-jamil-quantization",
        "Umar Jamil: Quantization",
        "https://www.youtube.com/watch?v=0VdNflU08yA",
        ["FineTuning", "Quantized FineTuning"],
    ),
    (
        "lora-explained",
        "Umar Jamil: LoRA Explained",
        "https://www.youtube.com/watch?v=PXWYUTMt-AU",
        ["FineTuning", "LoRA"],
    ),
    (
        "dpo-explained",
        "Umar Jamil: DPO Explained",
        "https://www.youtube.com/watch?v=hvGa5Mba4c8",
        ["FineTuning", "DPO"],
    ),
    (
        "rlhf-explained",
        "Umar Jamil: RLHF Explained",
        "https://www.youtube.com/watch?v=qGyFrqc34yc",
        ["FineTuning", "RLHF"],
    ),
]


TIP = (
    "Tip: Try to cover basics of Transformers, then understand the GPT architecture before "
    "diving deeper into other concepts"
)


DESCRIPTION = "This section talks about the key aspects of LLM architecture."


def test_list_section_json_is_the_four_finetuning_links(cli: Invoke) -> None:
    data = json.loads(ok(cli("list", "--section", "finetuning", "--json")))
    assert data == [
        {
            "id": i,
            "title": t,
            "url": u,
            "related": [],
            "difficulty": "medium",
            "section": s,
            "kind": "video",
            "personal": False,
            "status": "unread",
            "status_changed": None,
            "note": None,
            "duration_s": None,
            "duration_source": None,
            "took_s": None,
            "link_check": None,
        }
        for i, t, u, s in FINETUNING
    ]


def test_list_human_output_is_plain_when_piped(cli: Invoke) -> None:
    out = ok(cli("list", "--section", "finetuning"))
    assert "\x1b" not in out
    assert out.splitlines()[:2] == [
        "FineTuning › Quantized FineTuning",
        "  · umar-jamil-quantization  Medium    video  Umar Jamil: Quantization  "
        "https://www.youtube.com/watch?v=0VdNflU08yA",
    ]
    assert sum(1 for line in out.splitlines() if line.startswith("  · ")) == 4


def test_list_in_colour_has_badges_and_hyperlinks(cli: Invoke) -> None:
    out = ok(cli("list", "-s", "lora", env={"FORCE_COLOR": "1"}))
    assert "\x1b[" in out
    assert "\x1b]8;" in out and "https://www.youtube.com/watch?v=PXWYUTMt-AU" in out
    assert " Medium " in out


def test_no_color_wins_over_force_color(cli: Invoke) -> None:
    out = ok(cli("list", "-s", "lora", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}))
    assert "\x1b" not in out


def test_list_filters_by_difficulty_and_status(cli: Invoke) -> None:
    data = json.loads(ok(cli("list", "-d", "easy", "-d", "HARD", "--json")))
    assert {d["difficulty"] for d in data} == {"easy", "hard"}
    assert len(data) == 9  # 4 easy, 5 hard
    ok(cli("mark-read", "lora", "dpo"))
    read = json.loads(ok(cli("list", "--status", "read", "--json")))
    assert [d["id"] for d in read] == ["lora-explained", "dpo-explained"]
    unread = json.loads(ok(cli("list", "--status", "unread", "-s", "fine", "--json")))
    assert [d["id"] for d in unread] == ["umar-jamil-quantization", "rlhf-explained"]


def test_unknown_section_is_a_usage_error_exit_2(cli: Invoke) -> None:
    result = cli("list", "--section", "finetunin")
    # A prefix of exactly one section is accepted...
    assert result.exit_code == 0
    result = cli("list", "--section", "fintuning")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--section' / '-s': no section 'fintuning' (did you mean: "
        "finetuning?); `llmdive toc` shows every section"
    )


def test_bad_difficulty_is_a_usage_error(cli: Invoke) -> None:
    result = cli("list", "-d", "spicy")
    assert result.exit_code == 2
    assert "'spicy' is not one of 'easy', 'medium', 'hard', 'unrated'" in result.stderr


def test_toc_shows_the_tree_with_empty_topics(cli: Invoke) -> None:
    lines = ok(cli("toc")).splitlines()
    assert lines[0] == "The LLM Deep Dive"
    assert "FineTuning  [finetuning]  0/4 read" in lines
    assert "    Tokenization  [tokenization]  no links yet: contribute one" in lines
    tree = json.loads(ok(cli("toc", "--json")))
    assert [s["title"] for s in tree][:2] == ["Model Architecture", "Agentic LLMs"]
    assert tree[0]["links"] == 7 and tree[0]["topics"][0]["links"] == 3
    assert tree[3] == {
        "slug": "datasets",
        "title": "Datasets",
        "description": None,
        "tip": None,
        "links": 0,
        "read": 0,
        "reading": 0,
        "unread": 0,
        "skipped": 0,
        "offers": [],  # only the default guide followed: no other guide offers anything
        "topics": [],
    }


def test_show_one_link(cli: Invoke) -> None:
    ok(cli("note", "lora", "re-read the rank part"))
    data = json.loads(ok(cli("show", "lora", "--json")))
    assert data == {
        "id": "lora-explained",
        "title": "Umar Jamil: LoRA Explained",
        "url": "https://www.youtube.com/watch?v=PXWYUTMt-AU",
        "related": [],
        "difficulty": "medium",
        "section": ["FineTuning", "LoRA"],
        "kind": "video",
        "personal": False,
        "status": "unread",
        "status_changed": None,
        "note": "re-read the rank part",
        "duration_s": None,
        "duration_source": None,
        "took_s": None,
        "link_check": None,
    }
    out = ok(cli("show", "lora"))
    assert "  section  FineTuning › LoRA" in out.splitlines()


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


def test_show_wraps_the_link_check_row_at_40_columns(cli: Invoke, home: Path) -> None:
    dead = Outcome(
        "lora-explained",
        LORA_URL,
        Verdict.DEAD,
        404,
        detail="404 Not Found",
        checked="2026-12-02T10:00:00Z",
    )
    linkmarks.save_results(home, [dead])
    out = screen(cli, "show", "lora", width=40)
    lines = out.splitlines()
    archive = next(x for x in lines if "web.archive.org" in x).split()[-1]
    for line in lines:
        assert cells(line.rstrip()) <= 40 or line.split()[-1] in (archive, LORA_URL), line
    at = next(i for i, x in enumerate(lines) if x.startswith("  link     ✗ dead"))
    # Wrapped under its text, as the rows above it are.
    assert lines[at + 1].startswith(" " * 11 + "checked 2026-12-02")
    assert lines[at + 2] == f"  archive  {archive}"


def test_list_drops_kind_before_a_title_wraps(cli: Invoke) -> None:
    titles = [d["title"] for d in json.loads(ok(cli("list", "--json")))]
    out = screen(cli, "list", width=80)
    assert not re.search(r"\b(video|post|paper)\b  ", out)  # the kind column is gone
    rows = [x for x in out.splitlines() if x.startswith("  ") and x[2] in "·✓▸–"]
    at = rows[0].index(next(t for t in titles if t in rows[0]))
    for title in titles:
        if cells(title) <= 80 - at:  # every title that fits beside the columns is whole
            assert any(x.endswith(title) for x in rows), title
    assert "  video  " in screen(cli, "list", width=200)  # where all fit, the kind stays


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("next",),
        ("mark-read",),
        ("progress",),
        ("check-links",),
        ("search", "lora"),
        ("add", "https://example.com/x", "-t", "X"),
    ],
)
def test_an_unknown_section_is_a_usage_error_like_an_unknown_difficulty(
    cli: Invoke, home: Path, args: tuple[str, ...]
) -> None:
    result = cli(*args, "--section", "fintuning")
    if result.exit_code == 2 and "No such option" in result.stderr:
        pytest.fail(f"{args[0]} takes no --section")
    assert result.exit_code == 2, result.output
    assert (
        "Invalid value for '--section' / '-s': no section 'fintuning' (did you mean: "
        "finetuning?); `llmdive toc` shows every section" in result.stderr
    )
    assert not (home / "progress.json").exists()


def test_an_unknown_section_lists_the_sections_and_is_json_with_json(cli: Invoke) -> None:
    result = cli("list", "--section", "zzzz")
    assert result.exit_code == 2
    assert (
        "no section 'zzzz'; `llmdive toc` shows every section; the sections: "
        "model-architecture, agentic-llms, methodology" in result.stderr
    )
    result = cli("list", "--section", "zzzz", "--json")
    assert result.exit_code == 2
    assert "no section 'zzzz'" in json.loads(result.stderr)["error"]


def test_the_readme_names_every_key_of_the_json_link_object(cli: Invoke) -> None:
    link = json.loads(ok(cli("show", "lora", "--json")))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    said = re.search(r"a link is always the\s+same object \(([^;]*);", readme)
    assert said, "README: the sentence naming the link object's keys"
    documented = set(re.findall(r"`(\w+)`", said.group(1)))
    assert documented == set(link), sorted(set(link) ^ documented)


def test_show_lists_the_related_links_and_json_carries_them(cli: Invoke) -> None:
    guide = str(FIXTURES / "related-guide.toml")
    lines = ok(cli("--guide", guide, "show", "attention")).splitlines()
    at = lines.index("  url      https://arxiv.org/abs/1706.03762")
    assert lines[at + 1 : at + 5] == [
        "  related  code  https://github.com/tensorflow/tensor2tensor",
        "           [pdf]  https://arxiv.org/pdf/1706.03762",
        "           Yannic Kilcher's walkthrough  https://www.youtube.com/watch?v=iDulhoQ2pro",
        "  section  Transformers",
    ]
    data = json.loads(ok(cli("--guide", guide, "show", "attention", "--json")))
    assert data["related"] == [
        {"title": "code", "url": "https://github.com/tensorflow/tensor2tensor"},
        {"title": "[pdf]", "url": "https://arxiv.org/pdf/1706.03762"},
        {
            "title": "Yannic Kilcher's walkthrough",
            "url": "https://www.youtube.com/watch?v=iDulhoQ2pro",
        },
    ]
    listed = json.loads(ok(cli("--guide", guide, "list", "--json")))
    assert [len(x["related"]) for x in listed] == [3, 0, 2]
    # A link without any shows no related row.
    assert "related" not in ok(cli("--guide", guide, "show", "illustrated"))


def test_a_personal_link_has_no_related_links(cli: Invoke) -> None:
    guide = str(FIXTURES / "related-guide.toml")
    added = json.loads(
        ok(
            cli(
                "--guide",
                guide,
                "add",
                "https://example.com/mine",
                "-t",
                "Mine",
                "-s",
                "efficiency",
                "--json",
            )
        )
    )
    assert added["changes"][0]["link"]["related"] == []
    shown = json.loads(
        ok(cli("--guide", guide, "show", added["changes"][0]["link"]["id"], "--json"))
    )
    assert (shown["personal"], shown["related"]) == (True, [])


MULTI_PARAGRAPH = """\
version = 1
title = "A course"

[[sections]]
slug = "maths"
title = "Maths"
description = "Maths first.\\n\\nLinear algebra: vectors and matrices.\\nCalculus: derivatives."
tip = "Start with vectors.\\nThen matrices."

[[sections.links]]
id = "essence"
title = "The Essence of Linear Algebra"
url = "https://example.com/essence"
difficulty = "unrated"
"""


def test_a_description_of_several_paragraphs_keeps_its_line_breaks(
    cli: Invoke, tmp_path: Path
) -> None:
    """A real list's section intro has paragraphs: never shown as escaped newlines."""
    guide = tmp_path / "course.toml"
    guide.write_text(MULTI_PARAGRAPH, encoding="utf-8")
    toc = ok(cli("--guide", str(guide), "toc"))
    assert "\\x0a" not in toc
    # The table of contents: the first paragraph only.
    assert "    Maths first.\n" in toc
    assert "Calculus" not in toc
    assert "Tip: Start with vectors.\n" in toc and "Then matrices" not in toc
    listed = ok(cli("--guide", str(guide), "list", "--section", "maths"))
    assert "\\x0a" not in listed
    lines = listed.splitlines()
    assert lines[:5] == [
        "Maths first.",
        "Linear algebra: vectors and matrices.",
        "Calculus: derivatives.",
        "Tip: Start with vectors.",
        "     Then matrices.",
    ]
