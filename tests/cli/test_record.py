"""`llmdive progress`, the summary of the reader's record (cli/record.py)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import Invoke, ok


def test_progress_json_and_orphans(cli: Invoke, home: Path) -> None:
    ok(cli("mark-read", "lora", "illustrated-t"))
    ok(cli("skip", "dpo"))
    data = json.loads(ok(cli("progress", "--json")))
    # Every link counted, skipped apart: the counts add up to the total.
    assert data["overall"] == {"total": 29, "read": 2, "reading": 0, "unread": 26, "skipped": 1}
    assert data["sections"][2] == {
        "section": "FineTuning",
        "total": 4,
        "read": 1,
        "reading": 0,
        "unread": 2,
        "skipped": 1,
    }
    assert sum(s["total"] for s in data["sections"]) == 29
    assert data["difficulties"]["easy"] == {
        "total": 4,
        "read": 1,
        "reading": 0,
        "unread": 3,
        "skipped": 0,
    }
    assert data["orphans"] == []
    raw = json.loads((home / "progress.json").read_text())
    raw["links"]["retired-link"] = {"status": "read", "title": "Old one"}
    (home / "progress.json").write_text(json.dumps(raw))
    data = json.loads(ok(cli("progress", "--json")))
    assert data["orphans"] == [
        {
            "id": "retired-link",
            "title": "Old one",
            "url": None,
            "status": "read",
            "status_changed": None,
            "note": None,
        }
    ]
    human = ok(cli("progress"))
    assert "Not in the current guide (1): kept in your progress" in human
    assert "  FineTuning               ████████░░░░░░░░░░░░░░░░  1/3     33%" in human


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
