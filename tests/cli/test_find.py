from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from llmdive.model.vocab import Status
from llmdive.record.progress import load_progress
from tests.helpers import LORA_URL, Invoke, ok, subprocess_env

# ---------------------------------------------------------------- search


def test_search_with_a_typo_finds_the_attention_link(cli: Invoke) -> None:
    assert ok(cli("search", "atention")).splitlines() == [
        "  · umar-jamil-attention  Easy      video  Umar Jamil: Attention  "
        "https://www.youtube.com/watch?v=bCz4OMemCcA&",
        "    Model Architecture › Transformer Architecture",
        "  topic Model Architecture › Attention (no links yet)",
        "  topic Engineering › Flash Attention 2 (no links yet)",
    ]


def test_search_json_is_list_json_plus_a_score_best_first(cli: Invoke) -> None:
    listed = {d["id"]: d for d in json.loads(ok(cli("list", "--json")))}
    found = json.loads(ok(cli("search", "karpathy", "--json")))
    assert [d["id"] for d in found] == [
        "tweet-learn-ml-rt",
        "reproducing-gpt-2-124m",
    ]
    assert [d["score"] for d in found] == [1.0, 0.6]
    for d in found:
        assert d["matched_related"] == []  # found by their own words
        assert {k: v for k, v in d.items() if k not in ("score", "matched_related")} == listed[
            d["id"]
        ]


def test_search_lists_the_umar_jamil_links_and_finds_quantisation(cli: Invoke) -> None:
    umar = json.loads(ok(cli("search", "umar", "--json")))
    assert [d["title"] for d in umar] == [
        "Umar Jamil: Attention",
        "Umar Jamil: Llama Explained",
        "Umar Jamil: Llama 2 from Scratch",
        "Umar Jamil: Quantization",
        "Umar Jamil: LoRA Explained",
        "Umar Jamil: DPO Explained",
        "Umar Jamil: RLHF Explained",
    ]
    quant = json.loads(ok(cli("search", "quantisation", "--json")))
    assert [d["title"] for d in quant] == ["Umar Jamil: Quantization"]


def test_search_filters_like_list(cli: Invoke) -> None:
    ok(cli("mark-read", "dpo", "lora"))
    found = json.loads(
        ok(cli("search", "umar", "--section", "finetuning", "--status", "unread", "--json"))
    )
    assert [d["id"] for d in found] == ["umar-jamil-quantization", "rlhf-explained"]
    hard = json.loads(ok(cli("search", "umar", "-d", "hard", "--json")))
    assert [d["id"] for d in hard] == ["llama-2-scratch"]


def test_search_finds_notes_and_shows_them(cli: Invoke) -> None:
    ok(cli("note", "dpo", "ask Zoë about the reward model"))
    out = ok(cli("search", "zoe"))
    assert out.splitlines() == [
        "  · dpo-explained  Medium    video  Umar Jamil: DPO Explained  "
        "https://www.youtube.com/watch?v=hvGa5Mba4c8",
        "    FineTuning › DPO",
        "    note: ask Zoë about the reward model",
    ]


def test_search_without_a_match_says_so_and_exits_0(cli: Invoke) -> None:
    assert ok(cli("search", "zzyzx")) == "No link matches 'zzyzx'.\n"
    assert json.loads(ok(cli("search", "zzyzx", "--json"))) == []


def test_search_highlights_the_matched_words_on_a_terminal(cli: Invoke) -> None:
    first = ok(cli("search", "quantisation", env={"FORCE_COLOR": "1"})).splitlines()[0]
    # Only the matched word is bold yellow; the rest of the title is not.
    assert "\x1b[1;33mQuantization\x1b[0m" in first
    assert "\x1b[1;33mUmar" not in first
    assert "\x1b" not in ok(cli("search", "quantisation"))


def test_search_takes_several_words_unquoted(cli: Invoke) -> None:
    assert ok(cli("search", "umar", "lora")) == ok(cli("search", "umar lora"))
    found = json.loads(ok(cli("search", "umar", "jamil", "lora", "--json")))
    assert [d["id"] for d in found] == ["lora-explained"]
    assert ok(cli("search", "flash", "attn")).splitlines() == [
        "No link matches 'flash attn'.",
        "  topic Engineering › Flash Attention 2 (no links yet)",
    ]


@pytest.mark.parametrize("query", ["rope", "RoPE", "rotary position embedding"])
def test_search_knows_acronyms_and_their_expansions(cli: Invoke, query: str) -> None:
    found = json.loads(ok(cli("search", *query.split(), "--json")))
    assert [d["title"] for d in found] == ["Rotary Positional Encoding Explained"]


def test_search_names_an_empty_topic_that_matches(cli: Invoke) -> None:
    assert ok(cli("search", "flash")).splitlines() == [
        "No link matches 'flash'.",
        "  topic Engineering › Flash Attention 2 (no links yet)",
    ]
    assert ok(cli("search", "mixture", "of", "experts")).splitlines() == [
        "No link matches 'mixture of experts'.",
        "  topic Modifications › MoE (no links yet)",
    ]
    # Within --section only; the JSON stays a list of links.
    assert ok(cli("search", "flash", "--section", "finetuning")) == "No link matches 'flash'.\n"
    assert json.loads(ok(cli("search", "flash", "--json"))) == []


def test_search_highlights_a_topic_s_matched_words_on_a_terminal(cli: Invoke) -> None:
    out = ok(cli("search", "flash", env={"FORCE_COLOR": "1"}))
    assert "\x1b[1;33mFlash\x1b[0m" in out


@pytest.mark.parametrize("blank", ["", "  ", ", ;", "-- --"])
def test_search_for_nothing_is_a_usage_error(cli: Invoke, blank: str) -> None:
    result = cli("search", "--", *blank.split("|"))
    assert result.exit_code == 2
    assert "nothing to search for: give a word or two" in result.stderr
    assert cli("search").exit_code == 2


# ---------------------------------------------------------------- a URL is an id


@pytest.mark.parametrize(
    "pasted",
    [LORA_URL, "http://youtu.be/PXWYUTMt-AU?si=abc", "youtube.com/watch?v=PXWYUTMt-AU&t=90s"],
)
def test_every_id_argument_takes_the_link_url(cli: Invoke, home: Path, pasted: str) -> None:
    ok(cli("start", pasted))
    assert load_progress(home).status("lora-explained") is Status.READING
    ok(cli("note", pasted, "rank matters"))
    shown = json.loads(ok(cli("show", pasted, "--json")))
    assert (shown["id"], shown["note"]) == ("lora-explained", "rank matters")
    ok(cli("mark-read", pasted, "dpo"))
    assert load_progress(home).status("lora-explained") is Status.READ
    ok(cli("skip", pasted))
    ok(cli("mark-unread", pasted))
    assert load_progress(home).status("lora-explained") is Status.UNREAD


def test_unknown_and_empty_ids_are_clear(cli: Invoke) -> None:
    result = cli("show", "loar")
    assert result.exit_code == 1
    assert result.stderr == (
        "llmdive: error: no link with id 'loar' (did you mean: lora-explained?); "
        "`llmdive list` shows every id\n"
    )
    result = cli("mark-read", "")
    assert result.exit_code == 1
    assert "ambiguous" not in result.stderr
    assert result.stderr.startswith("llmdive: error: no id given")


# ---------------------------------------------------------------- open


@pytest.fixture
def browser(tmp_path: Path) -> tuple[Path, Path]:
    """A $BROWSER that records the URL it is given: (script, record file)."""
    record = tmp_path / "opened.txt"
    script = tmp_path / "browser.sh"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> "{record}"\n', encoding="utf-8")
    script.chmod(0o755)
    return script, record


def run(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from llmdive.cli import main; main()", *args],
        env=subprocess_env(LLMDIVE_HOME=str(home), **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_open_hands_the_url_to_browser_prints_it_and_marks_nothing(
    home: Path, browser: tuple[Path, Path]
) -> None:
    script, record = browser
    proc = run(home, "open", "lora", BROWSER=str(script))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"Umar Jamil: LoRA Explained\n{LORA_URL}\n"
    assert record.read_text(encoding="utf-8") == f"{LORA_URL}\n"
    assert not (home / "progress.json").exists()


def test_open_start_marks_it_reading(home: Path, browser: tuple[Path, Path]) -> None:
    script, record = browser
    proc = run(home, "open", "youtu.be/PXWYUTMt-AU", "--start", BROWSER=str(script))
    assert proc.returncode == 0, proc.stderr
    assert record.read_text(encoding="utf-8") == f"{LORA_URL}\n"
    assert load_progress(home).status("lora-explained") is Status.READING
    assert "unread → reading" in proc.stdout


def test_a_browser_that_fails_is_reported_with_the_url_and_nothing_marked(home: Path) -> None:
    proc = run(home, "open", "lora", "--start", BROWSER="false")
    assert proc.returncode == 1
    assert proc.stdout == f"Umar Jamil: LoRA Explained\n{LORA_URL}\n"
    assert proc.stderr == (
        "llmdive: error: the browser command in $BROWSER (false) failed; open the URL "
        "above by hand; nothing was marked\n"
    )
    assert not (home / "progress.json").exists()


def test_browser_module_refuses_other_schemes() -> None:
    from llmdive.errors import LlmdiveError
    from llmdive.net.browser import checked_url

    assert checked_url("http://example.com/x") == "http://example.com/x"
    for bad in (
        "file:///etc/passwd",
        "javascript:alert(1)",
        "-https://x",
        "https://",
        "https://example.com/a b",
        "https://example.com/\x1b[31m",
        "ftp://example.com/",
    ):
        with pytest.raises(LlmdiveError, match="only http and https URLs are opened"):
            checked_url(bad)


def test_no_browser_at_all_is_reported(home: Path) -> None:
    env = subprocess_env(LLMDIVE_HOME=str(home), PATH="/nonexistent")
    for var in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(var, None)
    proc = subprocess.run(
        [sys.executable, "-c", "from llmdive.cli import main; main()", "open", "lora"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stdout == f"Umar Jamil: LoRA Explained\n{LORA_URL}\n"
    assert "no web browser could be started (set $BROWSER to one)" in proc.stderr


def test_search_says_which_related_link_matched(cli: Invoke) -> None:
    from tests.helpers import FIXTURES

    guide = str(FIXTURES / "related-guide.toml")
    out = ok(cli("--guide", guide, "search", "tensor2tensor"))
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["·", "attention-paper"]
    assert "    related: code  https://github.com/tensorflow/tensor2tensor" in lines
    data = json.loads(ok(cli("--guide", guide, "search", "slides", "--json")))
    assert [d["id"] for d in data] == ["flashattention"]
    assert data[0]["matched_related"] == [
        {"title": "slides", "url": "https://tridao.me/slides/flashattention.pdf"}
    ]
    assert data[0]["related"][1] == {
        "title": "slides",
        "url": "https://tridao.me/slides/flashattention.pdf",
    }
    # Matched through its own title: no related line.
    assert "related:" not in ok(cli("--guide", guide, "search", "flashattention"))
