"""The reader's own links: `add`, `edit`, `remove` (cli/personal.py)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import LORA_URL, Invoke, ok


def test_edit_help_does_not_say_a_title_is_needed_to_add_a_link(cli: Invoke) -> None:
    out = " ".join(ok(cli("edit", "-h")).split())
    assert "--title" in out and "The link's title." in out
    assert "needed to add" not in out


def test_edit_url_changes_the_url_checked_like_add(cli: Invoke, home: Path) -> None:
    ok(cli("add", "https://example.com/mine", "-t", "Mine", "-s", "lora"))
    ok(cli("mark-read", "mine"))
    assert ok(cli("edit", "mine", "--url", "https://example.org/moved")).splitlines() == [
        "edited mine (personal)",
        "  url        https://example.com/mine → https://example.org/moved",
    ]
    shown = json.loads(ok(cli("show", "mine", "--json")))
    assert (shown["url"], shown["status"]) == ("https://example.org/moved", "read")
    for url, message in (
        (
            "ftp://x.example/a",
            "llmdive: error: cannot edit this link: 'ftp://x.example/a' is not an http(s) URL\n",
        ),
        (
            LORA_URL,
            f"llmdive: error: {LORA_URL} is already listed (the guide has it): "
            "lora-explained in FineTuning › LoRA; `llmdive show lora-explained`\n",
        ),
    ):
        result = cli("edit", "mine", "--url", url)
        assert (result.exit_code, result.stderr) == (1, message)
    # Its own URL again (or a spelling of it) is no clash.
    ok(cli("edit", "mine", "--url", "https://example.org/moved/"))
    ok(cli("undo"))
    ok(cli("undo"))
    assert json.loads(ok(cli("show", "mine", "--json")))["url"] == "https://example.com/mine"


def test_add_without_a_title_takes_it_from_the_url_and_says_so(cli: Invoke) -> None:
    result = cli("add", "https://example.com/posts/lora-in-depth.html", "-s", "lora")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "no --title: titled 'Lora in depth' from its URL (`llmdive edit ID -t TITLE` changes it)\n"
    )
    assert result.stdout == "added lora-depth (personal) under lora\n"
    result = cli("add", "https://blog.example/", "-s", "lora", "--json")
    assert json.loads(result.stdout)["changes"][0]["link"]["title"] == "blog.example"
    result = cli("add", "https://arxiv.org/abs/2106.09685", "-s", "lora", "--json")
    assert json.loads(result.stdout)["changes"][0]["link"]["title"] == "arxiv.org 2106.09685"
    missing = cli("add", "https://example.com/x")
    assert missing.exit_code == 2
    assert "missing --section: a link needs a URL and --section" in missing.stderr
    helped = " ".join(ok(cli("add", "--help")).split())
    assert "A URL and --section are required; without --title, the title is made from" in helped
