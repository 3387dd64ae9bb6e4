"""A new reader's rough edges (issue 15): each as a reader meets it, fixed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from llmdive.net import linkmarks
from llmdive.net.linkmarks import Outcome, Verdict
from llmdive.output.layout import cells

from .conftest import REPO, Invoke
from .hostile import strip_ours

SCHEMA = REPO / "schema"
LORA_URL = "https://www.youtube.com/watch?v=PXWYUTMt-AU"


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def screen(cli: Invoke, *args: str, width: int) -> str:
    env = {"FORCE_COLOR": "1", "COLUMNS": str(width), "LLMDIVE_URLS": "1"}
    return strip_ours(ok(cli(*args, env=env)))


def record(home: Path) -> dict[str, Any]:
    return json.loads((home / "progress.json").read_text())  # type: ignore[no-any-return]


# ---------------------------------------------------------------- doctor


def test_doctor_names_an_id_of_no_link_with_the_closest_link(cli: Invoke, home: Path) -> None:
    ok(cli("mark-read", "dpo"))
    raw = record(home)
    at = "2026-12-01T10:00:00Z"
    raw["links"]["lora-explaned"] = {"status": "read", "changed": at,
                                     "events": [{"at": at, "status": "read"}]}  # fmt: skip
    (home / "progress.json").write_text(json.dumps(raw))
    out = ok(cli("doctor"))
    assert (
        "! progress.json: 'lora-explaned' names no link (did you mean: lora-explained?): its "
        "read mark shows nowhere (`llmdive history lora-explaned` shows its changes)\n"
    ) in out
    facts = json.loads(ok(cli("doctor", "--json")))["facts"]
    assert [f["level"] for f in facts if "lora-explaned" in f["text"]] == ["warn"]
    # The link it meant is the one with the same URL, when the record kept one.
    raw["links"]["old-id"] = {"status": "read", "url": LORA_URL, "title": "LoRA"}
    (home / "progress.json").write_text(json.dumps(raw))
    assert "'old-id' names no link (did you mean: lora-explained?)" in ok(cli("doctor"))
    # And `history ID` shows what that id holds.
    assert "lora-explaned" in ok(cli("history", "lora-explaned"))


def test_doctor_says_nothing_of_ids_when_every_id_names_a_link(cli: Invoke) -> None:
    ok(cli("mark-read", "dpo", "lora"))
    assert "names no link" not in ok(cli("doctor"))


# ---------------------------------------------------------------- layouts


def test_show_wraps_the_link_check_row_at_40_columns(cli: Invoke, home: Path) -> None:
    dead = Outcome("lora-explained", LORA_URL, Verdict.DEAD, 404, detail="404 Not Found",
                   checked="2026-12-02T10:00:00Z")  # fmt: skip
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


def test_next_puts_every_url_at_one_indent(cli: Invoke) -> None:
    for width in (80, 120, 200):
        out = screen(cli, "next", width=width)
        indents = {len(x) - len(x.lstrip()) for x in out.splitlines() if "https://" in x}
        assert len(indents) == 1, (width, out)


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


# ---------------------------------------------------------------- notes


def test_a_note_of_several_lines_shows_the_same_in_search_history_and_undo(
    cli: Invoke,
) -> None:
    ok(cli("note", "lora", "first line\nsecond line"))
    found = ok(cli("search", "second"))
    assert "note: first line ↵ second line" in found and "\\x0a" not in found
    assert "first line ↵ second line" in ok(cli("history"))
    ok(cli("note", "lora", "other"))
    undone = ok(cli("undo"))
    assert "note 'other' → note 'first line ↵ second line'" in " ".join(undone.split())


# ---------------------------------------------------------------- personal links


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
        ("ftp://x.example/a", "llmdive: error: cannot edit this link: 'ftp://x.example/a' is "
                              "not an http(s) URL\n"),
        (LORA_URL, f"llmdive: error: {LORA_URL} is already listed (the guide has it): "
                   "lora-explained in FineTuning › LoRA; `llmdive show lora-explained`\n"),
    ):  # fmt: skip
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


# ---------------------------------------------------------------- usage errors


@pytest.mark.parametrize(
    "args",
    [("list",), ("next",), ("mark-read",), ("progress",), ("check-links",), ("search", "lora"),
     ("add", "https://example.com/x", "-t", "X")],
)  # fmt: skip
def test_an_unknown_section_is_a_usage_error_like_an_unknown_difficulty(
    cli: Invoke, home: Path, args: tuple[str, ...]
) -> None:
    result = cli(*args, "--section", "fintuning")
    if result.exit_code == 2 and "No such option" in result.stderr:
        pytest.fail(f"{args[0]} takes no --section")
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--section' / '-s': no section 'fintuning' (did you mean: " \
           "finetuning?); `llmdive toc` shows every section" in result.stderr  # fmt: skip
    assert not (home / "progress.json").exists()


def test_an_unknown_section_lists_the_sections_and_is_json_with_json(cli: Invoke) -> None:
    result = cli("list", "--section", "zzzz")
    assert result.exit_code == 2
    assert "no section 'zzzz'; `llmdive toc` shows every section; the sections: " \
           "model-architecture, agentic-llms, methodology" in result.stderr  # fmt: skip
    result = cli("list", "--section", "zzzz", "--json")
    assert result.exit_code == 2
    assert "no section 'zzzz'" in json.loads(result.stderr)["error"]


# ---------------------------------------------------------------- bulk marks


def test_bulk_marks_leave_skipped_links_alone_unless_include_skipped(
    cli: Invoke, home: Path
) -> None:
    ok(cli("skip", "rlhf"))
    out = ok(cli("mark-read", "--section", "finetuning"))
    assert out.splitlines()[-1] == "1 skipped link left alone (--include-skipped marks it too)."
    states = {d["id"]: d["status"] for d in json.loads(ok(cli("list", "-s", "fine", "--json")))}
    assert states["rlhf-explained"] == "skipped"
    assert {s for i, s in states.items() if i != "rlhf-explained"} == {"read"}
    ok(cli("mark-unread", "--section", "finetuning"))
    assert json.loads(ok(cli("show", "rlhf", "--json")))["status"] == "skipped"
    # Named by its id, it is marked; and --include-skipped marks the section's too.
    ok(cli("start", "rlhf", "--section", "lora"))
    assert json.loads(ok(cli("show", "rlhf", "--json")))["status"] == "reading"
    ok(cli("skip", "rlhf"))
    ok(cli("mark-read", "--section", "finetuning", "--include-skipped"))
    assert json.loads(ok(cli("show", "rlhf", "--json")))["status"] == "read"


# ---------------------------------------------------------------- history ID


def test_history_id_shows_one_links_changes(cli: Invoke) -> None:
    ok(cli("mark-read", "lora", "dpo"))
    ok(cli("note", "lora", "the rank part"))
    ok(cli("mark-unread", "dpo"))
    lines = ok(cli("history", "lora")).splitlines()
    assert len(lines) == 2 and all("lora-explained" in x for x in lines)
    assert "note" in lines[0] and "read" in lines[1]
    rows = json.loads(ok(cli("history", LORA_URL, "--json")))
    assert [(r["id"], r["status"], r["note"]) for r in rows] == [
        ("lora-explained", None, "the rank part"), ("lora-explained", "read", None)]  # fmt: skip
    jsonschema.validate(rows, json.loads((SCHEMA / "history.json").read_text()))
    assert ok(cli("history", "rlhf")) == "No change on this link yet.\n"
    assert len(json.loads(ok(cli("history", "dpo", "-n", "1", "--json")))) == 1
    unknown = cli("history", "nosuch")
    assert unknown.exit_code == 1 and "no link with id 'nosuch'" in unknown.stderr


def test_history_id_finds_a_removed_personal_link(cli: Invoke) -> None:
    ok(cli("add", "https://example.com/mine", "-t", "Mine", "-s", "lora"))
    ok(cli("remove", "mine"))
    rows = json.loads(ok(cli("history", "mine", "--json")))
    assert [r["link"] for r in rows] == ["removed", "added"]


# ---------------------------------------------------------------- README and help


def test_the_readme_names_every_key_of_the_json_link_object(cli: Invoke) -> None:
    link = json.loads(ok(cli("show", "lora", "--json")))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    said = re.search(r"a link is always the\s+same object \(([^;]*);", readme)
    assert said, "README: the sentence naming the link object's keys"
    documented = set(re.findall(r"`(\w+)`", said.group(1)))
    assert documented == set(link), sorted(set(link) ^ documented)


def test_help_says_a_url_names_a_link_and_where_unrated_links_fall(cli: Invoke) -> None:
    assert "or the link's URL" in " ".join(ok(cli("show", "--help")).split())
    assert "or their URLs" in " ".join(ok(cli("mark-read", "--help")).split())
    helped = " ".join(ok(cli("next", "--help")).split())
    assert "then Medium and Unrated ones (in guide order), Hard last" in helped
    assert "--from FILE|URL" in ok(cli("guide", "update", "--help"))
