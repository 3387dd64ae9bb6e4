"""The JSON contract: every command's --json output, errors included."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from llmdive.progress import load_progress
from llmdive.vocab import Status

from .conftest import Invoke, subprocess_env


def ok_json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_marks_with_json_print_the_changes_as_link_objects(cli: Invoke, home: Path) -> None:
    data = ok_json(cli("mark-read", "lora", "dpo", "--json"))
    changes = data["changes"]
    assert [(c["link"]["id"], c["field"], c["before"], c["after"], c["changed"])
            for c in changes] == [
        ("lora-explained", "status", "unread", "read", True),
        ("dpo-explained", "status", "unread", "read", True),
    ]  # fmt: skip
    stored = load_progress(home).get("lora-explained")
    assert stored is not None
    assert changes[0]["link"]["status"] == "read"
    assert changes[0]["link"]["status_changed"] == stored.changed
    again = ok_json(cli("mark-read", "lora", "--json"))["changes"][0]
    assert (again["before"], again["after"], again["changed"]) == ("read", "read", False)
    for command, status in (("start", "reading"), ("skip", "skipped"), ("mark-unread", "unread")):
        change = ok_json(cli(command, "lora", "--json"))["changes"][0]
        assert (change["after"], change["link"]["status"]) == (status, status)
    assert load_progress(home).status("lora-explained") is Status.UNREAD


def test_note_with_json_says_before_and_after(cli: Invoke) -> None:
    first = ok_json(cli("note", "lora", "the rank part", "--json"))["changes"][0]
    assert (first["field"], first["before"], first["after"]) == ("note", None, "the rank part")
    assert first["link"]["note"] == "the rank part"
    gone = ok_json(cli("note", "lora", "", "--json"))["changes"][0]
    assert (gone["before"], gone["after"], gone["changed"]) == ("the rank part", None, True)
    assert gone["link"]["note"] is None


def test_add_with_json_prints_the_new_link(cli: Invoke) -> None:
    url = "https://example.com/my-post"
    data = ok_json(cli("add", url, "-t", "My post", "-s", "lora", "-d", "easy", "--json"))
    change = data["changes"][0]
    assert (change["field"], change["before"], change["after"]) == ("link", None, "added")
    assert change["link"] == {
        "id": change["link"]["id"],
        "title": "My post",
        "url": url,
        "difficulty": "easy",
        "section": ["FineTuning", "LoRA"],
        "kind": "article",
        "personal": True,
        "status": "unread",
        "status_changed": None,
        "note": None,
    }
    shown = ok_json(cli("show", change["link"]["id"], "--json"))
    assert shown == change["link"]


def test_an_error_with_json_is_json_on_stderr_same_exit_code(cli: Invoke, home: Path) -> None:
    result = cli("mark-read", "lora", "nosuch", "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    error = json.loads(result.stderr)
    assert error == {"error": error["problems"][0], "problems": error["problems"]}
    assert error["error"].startswith("no link with id 'nosuch'")
    assert not (home / "progress.json").exists()
    usage = cli("list", "-d", "spicy", "--json")
    assert usage.exit_code == 2
    assert usage.stdout == ""
    assert "'spicy' is not one of" in json.loads(usage.stderr)["error"]
    # Without --json, errors stay one line of text.
    assert cli("show", "nosuch").stderr.startswith("llmdive: error: no link with id")
    # `--` ends the options: a note that reads "--json" is not a request for JSON.
    assert cli("note", "nosuch", "--", "--json").stderr.startswith("llmdive: error:")


def test_a_broken_progress_file_with_json_in_a_real_process(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "progress.json").write_text('{"version": 1, "links": {')
    proc = subprocess.run(
        [sys.executable, "-m", "llmdive", "progress", "--json"],
        env=subprocess_env(LLMDIVE_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "not valid JSON" in json.loads(proc.stderr)["error"]
