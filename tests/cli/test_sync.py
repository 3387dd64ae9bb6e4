"""`llmdive doctor` (cli/sync.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import LORA_URL, Invoke, ok


def record(home: Path) -> dict[str, Any]:
    return json.loads((home / "progress.json").read_text())  # type: ignore[no-any-return]


def test_doctor_names_an_id_of_no_link_with_the_closest_link(cli: Invoke, home: Path) -> None:
    ok(cli("mark-read", "dpo"))
    raw = record(home)
    at = "2026-12-01T10:00:00Z"
    raw["links"]["lora-explaned"] = {
        "status": "read",
        "changed": at,
        "events": [{"at": at, "status": "read"}],
    }
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
