"""Reading: mark-read, mark-unread, start, skip, note, next, history (cli/reading.py)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from llmdive.model.vocab import Status
from llmdive.record.progress import load_progress
from tests.helpers import LORA_URL, REPO, Invoke, ok, screen

SCHEMA = REPO / "schema"


def test_mark_read_prefixes_and_several_ids(cli: Invoke, home: Path) -> None:
    out = ok(cli("mark-read", "illustrated-t", "lora"))
    assert out.splitlines() == [
        "✓ illustrated-transformer  unread → read  Jay Alamar - Illustrated Transformer",
        "✓ lora-explained           unread → read  Umar Jamil: LoRA Explained",
    ]
    again = ok(cli("mark-read", "lora"))
    assert again == "✓ lora-explained  already read  Umar Jamil: LoRA Explained\n"
    links = load_progress(home).links
    assert {k: e.status for k, e in links.items()} == {
        "illustrated-transformer": Status.READ,
        "lora-explained": Status.READ,
    }


def test_an_unknown_id_writes_nothing(cli: Invoke, home: Path) -> None:
    result = cli("mark-read", "lora", "lora-explaned-typo", "dpo")
    assert result.exit_code == 1
    assert result.stderr == (
        "llmdive: error: no link with id 'lora-explaned-typo' (did you mean: lora-explained?); "
        "`llmdive list` shows every id\n"
    )
    assert not (home / "progress.json").exists()
    result = cli("skip", "illustrated")
    assert result.exit_code == 1
    assert "ambiguous" in result.stderr
    assert not (home / "progress.json").exists()


def test_start_skip_unread_and_history(cli: Invoke) -> None:
    ok(cli("start", "lora"))
    ok(cli("skip", "dpo"))
    ok(cli("mark-read", "lora"))
    ok(cli("mark-unread", "lora"))
    rows = json.loads(ok(cli("history", "--json")))
    assert [(r["id"], r["status"]) for r in rows] == [
        ("lora-explained", "unread"),
        ("lora-explained", "read"),
        ("dpo-explained", "skipped"),
        ("lora-explained", "reading"),
    ]
    assert rows[0]["at"].endswith("Z")
    assert "skipped  dpo-explained" in ok(cli("history"))


def test_notes_are_in_history(cli: Invoke) -> None:
    ok(cli("mark-read", "lora"))
    ok(cli("note", "lora", "rank matters"))
    ok(cli("note", "lora", ""))
    rows = json.loads(ok(cli("history", "--json")))
    assert [(r["status"], r["note"], r["undo"]) for r in rows] == [
        (None, "", None),
        (None, "rank matters", None),
        ("read", None, None),
    ]
    lines = ok(cli("history")).splitlines()
    assert lines[0].endswith(
        "just now  ✎ note  lora-explained  Umar Jamil: LoRA Explained  (removed)"
    )
    assert lines[1].endswith(
        "just now  ✎ note  lora-explained  Umar Jamil: LoRA Explained  rank matters"
    )


def test_next_json_and_section(cli: Invoke) -> None:
    ok(cli("start", "rlhf"))
    data = json.loads(ok(cli("next", "--json")))
    assert len(data) == 9
    fine = next(d for d in data if d["section"] == "FineTuning")
    assert fine["link"]["id"] == "rlhf-explained"
    assert fine["link"]["status"] == "reading"
    assert fine["link"]["section"] == ["FineTuning", "RLHF"]
    ok(cli("skip", "tweet"))
    assert next(d for d in json.loads(ok(cli("next", "--json"))) if d["section"] == "Misc") == {
        "section": "Misc",
        "link": None,
        "more": [],
        "passed_over": [],
        "offers": [],
    }
    only = json.loads(ok(cli("next", "--section", "model-a", "--json")))
    assert [(d["section"], d["link"]["id"]) for d in only] == [
        ("Model Architecture", "illustrated-transformer")
    ]
    human = ok(cli("next"))
    assert "Misc                     – all skipped" in human


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


def test_history_newest_n_and_since_a_date(cli: Invoke, home: Path) -> None:
    ok(cli("mark-read", "lora"))
    ok(cli("start", "dpo"))
    ok(cli("skip", "tweet"))
    newest = json.loads(ok(cli("history", "-n", "2", "--json")))
    assert [r["id"] for r in newest] == ["tweet-learn-ml-rt", "dpo-explained"]
    assert len(json.loads(ok(cli("history", "--since", "2000-01-01", "--json")))) == 3
    assert json.loads(ok(cli("history", "--since", "2999-01-01", "--json"))) == []
    assert ok(cli("history", "--since", "2999-01-01")) == "No change in that range.\n"
    assert len(json.loads(ok(cli("history", "--since", "yesterday", "--json")))) == 3
    assert len(json.loads(ok(cli("history", "--since", "3 days ago", "--json")))) == 3
    assert json.loads(ok(cli("history", "--since", "2h", "--json")))[0]["id"] == "tweet-learn-ml-rt"
    bad = cli("history", "--since", "someday")
    assert bad.exit_code == 2
    assert "'someday' is not a time: use a date (2026-03-01, local time), 'today'" in bad.stderr


def test_note_without_text_shows_the_note(cli: Invoke) -> None:
    assert ok(cli("note", "lora")) == (
        'no note on lora-explained (add one: llmdive note lora-explained "...")\n'
    )
    ok(cli("note", "https://youtu.be/PXWYUTMt-AU", "the rank part\nand alpha"))
    assert ok(cli("note", "lora")) == "the rank part\nand alpha\n"
    assert json.loads(ok(cli("note", "lora", "--json")))["note"] == "the rank part\nand alpha"
    # Shown, not changed: history has the one note event only.
    assert len(json.loads(ok(cli("history", "--json")))) == 1


def test_next_puts_every_url_at_one_indent(cli: Invoke) -> None:
    for width in (80, 120, 200):
        out = screen(cli, "next", width=width)
        indents = {len(x) - len(x.lstrip()) for x in out.splitlines() if "https://" in x}
        assert len(indents) == 1, (width, out)


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


def test_history_id_shows_one_links_changes(cli: Invoke) -> None:
    ok(cli("mark-read", "lora", "dpo"))
    ok(cli("note", "lora", "the rank part"))
    ok(cli("mark-unread", "dpo"))
    lines = ok(cli("history", "lora")).splitlines()
    assert len(lines) == 2 and all("lora-explained" in x for x in lines)
    assert "note" in lines[0] and "read" in lines[1]
    rows = json.loads(ok(cli("history", LORA_URL, "--json")))
    assert [(r["id"], r["status"], r["note"]) for r in rows] == [
        ("lora-explained", None, "the rank part"),
        ("lora-explained", "read", None),
    ]
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
