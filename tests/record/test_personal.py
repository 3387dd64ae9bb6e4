from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, Invoke, ok

URL = "https://sebastianraschka.com/blog/2023/llm-finetuning-lora.html"


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


def test_add_needs_a_real_url_and_a_section(cli: Invoke, home: Path) -> None:
    assert cli("add", URL, "-t", "T").exit_code == 2  # a title it can make from the URL
    result = cli("add", "ftp://x.example/a", "-t", "T", "-s", "lora")
    assert result.exit_code == 1
    assert result.stderr == (
        "llmdive: error: cannot add this link: 'ftp://x.example/a' is not an http(s) URL\n"
    )
    result = cli("add", URL, "-t", "T", "-s", "nowhere-at-all")
    assert result.exit_code == 2
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


def personal_json(home: Path) -> list[dict[str, str]]:
    links: list[dict[str, str]] = json.loads((home / "personal.json").read_text())["links"]
    return links


def test_remove_a_personal_link_and_undo_brings_it_back_exactly(cli: Invoke, home: Path) -> None:
    ok(cli("add", "https://example.com/first", "-t", "First", "-s", "lora", "-d", "easy"))
    ok(cli("add", URL, "-t", "Mine", "-s", "dpo", "-d", "hard"))
    ok(cli("mark-read", "mine"))
    ok(cli("note", "mine", "good one"))
    before = personal_json(home)
    assert ok(cli("remove", "mine")) == "removed mine (personal)  Mine\n"
    assert [p["id"] for p in personal_json(home)] == ["first"]
    assert "mine" not in {d["id"] for d in json.loads(ok(cli("list", "--json")))}
    # Its record stays, but it is not reported as a link the guide lost.
    assert json.loads(ok(cli("progress", "--json")))["orphans"] == []
    out = ok(cli("undo"))
    assert "  ↶ mine  personal link removed → restored  Mine" in out.splitlines()
    assert personal_json(home) == before  # same fields, same place in the file
    shown = json.loads(ok(cli("show", "mine", "--json")))
    assert (shown["status"], shown["note"], shown["section"]) == (
        "read",
        "good one",
        ["FineTuning", "DPO"],
    )
    rows = json.loads(ok(cli("history", "--json")))
    assert [(r["id"], r["link"], r["undo"] is not None) for r in rows[:2]] == [
        ("mine", "added", True),
        ("mine", "removed", False),
    ]


def test_undo_of_an_add_removes_the_link_and_keeps_the_add_in_history(
    cli: Invoke, home: Path
) -> None:
    ok(cli("add", URL, "-t", "Mine", "-s", "dpo"))
    ok(cli("undo"))
    assert personal_json(home) == []
    assert [(r["link"], r["undo"] is None) for r in json.loads(ok(cli("history", "--json")))] == [
        ("removed", False),
        ("added", True),
    ]
    assert ok(cli("undo")).startswith("Nothing to undo")


def test_undo_json_of_an_add_shows_the_link_it_removed(cli: Invoke, home: Path) -> None:
    ok(cli("add", URL, "-t", "Mine", "-s", "dpo", "-d", "easy"))
    [change] = json.loads(ok(cli("undo", "--json")))["changes"]
    assert (change["field"], change["before"], change["after"]) == ("link", "added", "removed")
    assert (change["link"]["id"], change["link"]["title"], change["link"]["personal"]) == (
        "mine",
        "Mine",
        True,
    )


def test_a_guide_link_cannot_be_removed_or_edited(cli: Invoke, home: Path) -> None:
    for args in (("remove", "lora"), ("edit", "lora", "-t", "Mine now")):
        result = cli(*args)
        assert result.exit_code == 1
        assert result.stderr == (
            "llmdive: error: lora-explained is a guide link, not one of yours: only links you "
            "added can be removed or edited; `llmdive skip lora-explained` leaves it out of next "
            "and progress\n"
        )
    assert not (home / "progress.json").exists()


def test_edit_a_personal_link_validated_like_add_and_undone(cli: Invoke, home: Path) -> None:
    ok(cli("add", URL, "-t", "Mine", "-s", "lora", "-d", "easy"))
    before = personal_json(home)
    out = ok(cli("edit", "mine", "--title", "Mine, renamed", "-s", "dpo", "-d", "hard"))
    assert out.splitlines() == [
        "edited mine (personal)",
        "  title      Mine → Mine, renamed",
        "  section    lora → dpo",
        "  difficulty easy → hard",
    ]
    shown = json.loads(ok(cli("show", "mine", "--json")))
    assert (shown["title"], shown["section"], shown["difficulty"]) == (
        "Mine, renamed",
        ["FineTuning", "DPO"],
        "hard",
    )
    assert personal_json(home)[0]["added"] == before[0]["added"]
    for args, message, code in (
        (("edit", "mine", "-s", "nowhere-at-all"), "no section 'nowhere-at-all'", 2),
        (("edit", "mine"), "nothing to change: give --title, --url, --section or --difficulty", 2),
    ):
        result = cli(*args)
        assert result.exit_code == code and message in result.stderr, result.stderr
    assert cli("edit", "mine", "-d", "spicy").exit_code == 2
    blank = cli("edit", "mine", "-t", "  ")
    assert blank.exit_code == 2 and "a title needs some text" in blank.stderr
    assert cli("edit", "mine", "-t", "two\nlines").exit_code == 2
    ok(cli("undo"))
    assert personal_json(home) == before


def test_completion_offers_personal_ids(cli: Invoke, home: Path) -> None:
    from llmdive.cli import completion
    from llmdive.home.paths import bundled_guide

    ok(cli("add", URL, "-t", "Finetuning LLMs with LoRA", "-s", "lora"))
    assert completion.ids(bundled_guide(), "fine", home) == ["finetuning-llms-lora"]
    assert "lora-explained" in completion.ids(bundled_guide(), "lo", home)


def test_a_failed_remove_or_undo_changes_neither_file(
    cli: Invoke, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    real_fsync = os.fsync  # the same function storage calls
    calls = []

    def fsync_then_fail(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the second file of the commit: the first is already staged
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    def fails_and_changes_nothing(*args: str) -> None:
        files = {name: (home / name).read_bytes() for name in ("progress.json", "personal.json")}
        calls.clear()
        with monkeypatch.context() as patch:
            patch.setattr("llmdive.home.storage.os.fsync", fsync_then_fail)
            result = cli(*args)
        assert result.exit_code == 1
        assert "No space left on device" in result.stderr
        assert {name: (home / name).read_bytes() for name in files} == files

    ok(cli("add", URL, "-t", "Mine", "-s", "dpo"))
    ok(cli("mark-read", "mine"))
    fails_and_changes_nothing("remove", "mine")
    assert json.loads(ok(cli("show", "mine", "--json")))["status"] == "read"
    ok(cli("remove", "mine"))
    fails_and_changes_nothing("undo")  # the undo of a removal writes both files
    ok(cli("undo"))
    assert json.loads(ok(cli("show", "mine", "--json")))["status"] == "read"


def test_add_checks_the_url_at_the_door(cli: Invoke, home: Path) -> None:
    for url, reason in [
        ("https://me:secret@example.com/x", "holds a user name or password (user:password@)"),
        ("https://example.com:70000/x", "has port '70000'; a port is a number from 1 to 65535"),
        ("https://exa mple.com/", "holds whitespace"),
        ("https://example.com/\x1b]52;c;aGk=\x07", "holds the character U+001B"),
    ]:
        result = cli("add", url, "-t", "T", "-s", "lora")
        assert result.exit_code == 1
        assert result.stderr == f"llmdive: error: cannot add this link: {url!r} {reason}\n"
    assert not (home / "personal.json").exists()
    ok(cli("add", "HTTP://EXAMPLE.COM/X", "-t", "Shouting", "-s", "lora"))
    assert json.loads(ok(cli("show", "shouting", "--json")))["url"] == "HTTP://EXAMPLE.COM/X"


def test_add_export_cannot_be_made_to_inject_a_link(cli: Invoke) -> None:
    from llmdive.guide.readme import parse_readme

    title = "Evil](http://evil.example) [x] ![img](http://evil.example/i.png) <b>&amp;"
    ok(cli("add", "https://example.com/a_(b", "-t", title, "-s", "lora"))
    exported = ok(cli("add", "--export"))
    links = [k for _, t in parse_readme(exported).guide.walk() for k in t.links]
    assert [(k.title, k.url) for k in links] == [(title, "https://example.com/a_(b")]


def test_add_export_with_json_is_a_usage_error(cli: Invoke) -> None:
    ok(cli("add", URL, "-t", "Mine", "-s", "lora"))
    result = cli("add", "--export", "--json")
    assert result.exit_code == 2
    assert "--export prints Markdown: it takes no --json" in result.stderr
    assert "- [Mine]" not in result.stdout and result.stdout == ""
