from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from llmdive.guide.catalogue import Catalogue
from llmdive.model.models import Progress, Status
from llmdive.record import events, undo
from llmdive.record import progress as prog
from tests.helpers import Invoke, ok

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def statuses_and_notes(progress: Progress) -> dict[str, tuple[Status, str | None]]:
    return {
        k: (e.status, e.note)
        for k, e in progress.links.items()
        if e.status is not Status.UNREAD or e.note
    }


def test_undo_walks_back_one_change_at_a_time(catalogue: Catalogue) -> None:
    progress = Progress()
    lora, dpo = catalogue.resolve_ids(["lora", "dpo"])
    prog.set_status(progress, catalogue, [lora], Status.READING, at(1))
    prog.set_status(progress, catalogue, [lora, dpo], Status.READ, at(2))
    prog.set_note(progress, lora, "rank", at(3))
    prog.set_note(progress, lora, "rank matters", at(4))
    states: list[tuple[str, object]] = []
    while (done := undo.undo_last(progress, [], at(10 + len(states)))) is not None:
        states.append((done.change_at, statuses_and_notes(progress)))
    assert states == [
        (
            "2026-01-02T03:04:09Z",
            {"lora-explained": (Status.READ, "rank"), "dpo-explained": (Status.READ, None)},
        ),
        (
            "2026-01-02T03:04:08Z",
            {"lora-explained": (Status.READ, None), "dpo-explained": (Status.READ, None)},
        ),
        ("2026-01-02T03:04:07Z", {"lora-explained": (Status.READING, None)}),
        ("2026-01-02T03:04:06Z", {}),
    ]
    # Nothing was erased: four changes, four undos, each naming what it took back.
    events = progress.links["lora-explained"].events
    assert [e.undo for e in events] == [None] * 4 + [
        "2026-01-02T03:04:09Z",
        "2026-01-02T03:04:08Z",
        "2026-01-02T03:04:07Z",
        "2026-01-02T03:04:06Z",
    ]
    assert progress.links["lora-explained"].changed is None


def test_undo_restores_the_times_too(catalogue: Catalogue) -> None:
    progress = Progress()
    lora = catalogue.resolve_id("lora")
    prog.set_status(progress, catalogue, [lora], Status.READ, at(1))
    prog.set_note(progress, lora, "first", at(2))
    before = progress.links["lora-explained"].to_dict()
    prog.set_status(progress, catalogue, [lora], Status.SKIPPED, at(3))
    prog.set_note(progress, lora, "", at(4))
    undo.undo_last(progress, [], at(5))
    undo.undo_last(progress, [], at(6))
    after = progress.links["lora-explained"].to_dict()
    assert {k: v for k, v in after.items() if k != "events"} == {
        k: v for k, v in before.items() if k != "events"
    }
    assert after["changed"] == "2026-01-02T03:04:06Z"  # read since then, as before


def test_undo_after_undo_goes_further_back_not_forward(catalogue: Catalogue) -> None:
    progress = Progress()
    lora = catalogue.resolve_id("lora")
    prog.set_status(progress, catalogue, [lora], Status.READ, at(1))
    prog.set_status(progress, catalogue, [lora], Status.SKIPPED, at(2))
    undo.undo_last(progress, [], at(3))  # back to read
    prog.set_status(progress, catalogue, [lora], Status.READING, at(4))
    first = undo.undo_last(progress, [], at(5))
    assert first is not None and first.change_at == "2026-01-02T03:04:09Z"
    assert progress.status("lora-explained") is Status.READ
    second = undo.undo_last(progress, [], at(6))
    assert second is not None and second.change_at == "2026-01-02T03:04:06Z"
    assert progress.status("lora-explained") is Status.UNREAD
    assert undo.undo_last(progress, [], at(7)) is None


def test_undo_of_a_file_from_before_events_keeps_its_old_note(
    home: Path, catalogue: Catalogue
) -> None:
    home.mkdir(exist_ok=True)
    old = {
        "status": "read",
        "changed": "2025-01-01T00:00:00Z",
        "note": "kept",
        "noted": "2025-01-01T00:00:00Z",
    }
    (home / "progress.json").write_text(
        json.dumps({"version": 1, "links": {"lora-explained": old}})
    )
    item = catalogue.resolve_id("lora")
    prog.update_progress(home, lambda p: prog.set_note(p, item, "new"))
    undo.undo(home)
    entry = prog.load_progress(home).links["lora-explained"]
    assert (entry.status, entry.note, entry.noted) == (Status.READ, "kept", "2025-01-01T00:00:00Z")


def test_undo_with_nothing_to_undo_changes_nothing(home: Path) -> None:
    assert undo.undo(home) is None
    assert not (home / "progress.json").exists()


# ---------------------------------------------------------------- the command


def test_mark_a_section_read_then_undo_leaves_the_record_as_it_was(cli: Invoke, home: Path) -> None:
    ok(cli("mark-read", "lora"))
    ok(cli("skip", "dpo"))
    ok(cli("note", "rlhf", "later"))
    before = json.loads((home / "progress.json").read_text())["links"]
    out = ok(cli("mark-read", "--section", "finetuning", "--include-skipped"))
    assert out.splitlines() == [
        "✓ umar-jamil-quantization  unread → read   Umar Jamil: Quantization",
        "✓ dpo-explained            skipped → read  Umar Jamil: DPO Explained",
        "✓ rlhf-explained           unread → read   Umar Jamil: RLHF Explained",
        "1 other link there already read.",
    ]
    out = ok(cli("undo"))
    assert "(3 links):" in out.splitlines()[0]
    row = "  ↶ dpo-explained            read → skipped  Umar Jamil: DPO Explained"
    assert row in out.splitlines()
    after = json.loads((home / "progress.json").read_text())["links"]
    fields = ("status", "note", "changed", "noted")
    assert {
        k: {f: e.get(f) for f in fields}
        for k, e in after.items()
        if e.get("status") or e.get("note")
    } == {k: {f: e.get(f) for f in fields} for k, e in before.items()}
    rows = json.loads(ok(cli("history", "--json")))
    assert [(r["id"], r["status"], r["undo"] is not None) for r in rows[:6]] == [
        ("umar-jamil-quantization", "unread", True),
        ("rlhf-explained", "unread", True),
        ("dpo-explained", "skipped", True),
        ("umar-jamil-quantization", "read", False),
        ("rlhf-explained", "read", False),
        ("dpo-explained", "read", False),
    ]
    assert rows[0]["undo"] == rows[3]["at"]
    fine = next(
        s
        for s in json.loads(ok(cli("progress", "--json")))["sections"]
        if s["section"] == "FineTuning"
    )
    assert (fine["read"], fine["skipped"]) == (1, 1)
    nxt = json.loads(ok(cli("next", "--section", "finetuning", "--json")))
    assert nxt[0]["link"]["id"] == "umar-jamil-quantization"


def test_undo_json_says_what_it_restored(cli: Invoke) -> None:
    ok(cli("note", "lora", "first"))
    ok(cli("note", "lora", "second"))
    data = json.loads(ok(cli("undo", "--json")))
    assert data["undone"] < data["at"]
    [change] = data["changes"]
    assert (change["field"], change["before"], change["after"]) == ("note", "second", "first")
    assert change["link"]["id"] == "lora-explained" and change["link"]["note"] == "first"
    ok(cli("undo"))
    assert json.loads(ok(cli("undo", "--json"))) == {"undone": None, "at": None, "changes": []}
    assert ok(cli("undo")) == "Nothing to undo: your record has no change left to take back.\n"


def test_start_skip_and_mark_unread_take_a_section(cli: Invoke, home: Path) -> None:
    ok(cli("start", "--section", "lora"))
    assert prog.load_progress(home).status("lora-explained") is Status.READING
    ok(cli("skip", "-s", "finetuning"))
    assert {k for k, e in prog.load_progress(home).links.items() if e.status is Status.SKIPPED} == {
        "umar-jamil-quantization",
        "lora-explained",
        "dpo-explained",
        "rlhf-explained",
    }
    ok(cli("mark-unread", "--section", "finetuning", "--include-skipped"))
    assert all(e.status is Status.UNREAD for e in prog.load_progress(home).links.values())
    ok(cli("undo"))
    assert prog.load_progress(home).status("dpo-explained") is Status.SKIPPED


@pytest.mark.parametrize("command", ["mark-read", "mark-unread", "start", "skip"])
def test_marks_need_ids_or_a_section(cli: Invoke, home: Path, command: str) -> None:
    result = cli(command)
    assert result.exit_code == 2  # a usage error, like `show` with no id
    assert "Usage: llmdive " + command in result.stderr
    assert "name the links: give one or more IDs, or --section SECTION" in result.stderr
    assert not (home / "progress.json").exists()
    result = cli("mark-read", "--section", "nosuch")
    assert result.exit_code == 2  # an unknown section is a usage error too
    assert not (home / "progress.json").exists()


def _from_elsewhere(at: str) -> Progress:
    # dpo was marked on a machine whose clock runs ahead, and merged in.
    entry = {"status": "read", "changed": at, "events": [{"at": at, "status": "read"}]}
    return Progress.from_dict({"version": 1, "links": {"dpo-explained": entry}})


def test_a_new_change_is_the_one_undone_even_after_events_from_a_clock_a_little_ahead(
    catalogue: Catalogue,
) -> None:
    progress = _from_elsewhere("2026-01-02T05:00:00Z")  # two hours ahead of T0: skew
    prog.set_status(progress, catalogue, catalogue.resolve_ids(["lora"]), Status.READ, at(0))
    assert progress.links["lora-explained"].changed == "2026-01-02T05:00:00.000001Z"
    done = undo.undo_last(progress, [], at(1))
    assert done is not None and [r.id for r in done.restored] == ["lora-explained"]
    assert (progress.status("lora-explained"), progress.status("dpo-explained")) == (
        Status.UNREAD,
        Status.READ,
    )


def test_a_change_after_one_stamped_far_ahead_takes_effect_and_is_undone_first(
    catalogue: Catalogue,
) -> None:
    # dpo was marked read on a machine whose clock ran years ahead, and merged in: the
    # reader's mark-unread now still takes effect, at a sane time (a stamp over a day
    # ahead is first brought back to now: the clock's drift is bounded), and undo takes
    # back the reader's own latest change first.
    progress = _from_elsewhere("9999-01-01T00:00:00Z")
    dpo, attention = catalogue.resolve_ids(["dpo", "umar-jamil-attention"])
    changes = prog.set_status(progress, catalogue, [dpo], Status.UNREAD, at(0))
    assert [(c.before, c.after) for c in changes] == [(Status.READ, Status.UNREAD)]
    assert progress.status("dpo-explained") is Status.UNREAD
    prog.set_note(progress, attention, "heads", at(5))
    assert progress.links[attention.link.id].noted == "2026-01-02T03:04:10Z"
    assert events.new_stamp(progress, at(9)) == "2026-01-02T03:04:14Z"
    first = undo.undo_last(progress, [], at(10))
    assert first is not None and [(r.id, r.field) for r in first.restored] == [
        (attention.link.id, "note")
    ]
    second = undo.undo_last(progress, [], at(11))
    assert second is not None and [r.id for r in second.restored] == ["dpo-explained"]
    assert progress.status("dpo-explained") is Status.READ
    # the far-future change was taken as made now: nothing is left for doctor to name.
    assert events.future_links(progress, at(12)) == {}


def test_a_change_after_one_stamped_at_the_end_of_time_takes_effect(
    catalogue: Catalogue,
) -> None:
    progress = _from_elsewhere("9999-12-31T23:59:59.999999Z")
    prog.set_status(progress, catalogue, catalogue.resolve_ids(["lora"]), Status.READ, at(0))
    assert progress.links["lora-explained"].changed == "2026-01-02T03:04:05.000001Z"
    assert progress.status("dpo-explained") is Status.READ
