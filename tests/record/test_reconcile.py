"""`progress merge`, conflicted copies and `doctor`, and git's merge driver."""

from __future__ import annotations

import json
from pathlib import Path

from llmdive.record import intake, mergedriver
from llmdive.record.personal import load_personal
from llmdive.record.progress import load_progress
from tests.helpers import GUIDE_README, Invoke

LORA, DPO = "lora-explained", "dpo-explained"


def on(cli: Invoke, home: Path, *args: str) -> str:
    result = cli("--home", str(home), *args)
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout


def test_progress_merge_brings_in_another_machines_file_once(cli: Invoke, tmp_path: Path) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    on(cli, here, "mark-read", "lora")
    on(cli, there, "skip", "lora")
    on(cli, there, "note", "dpo", "good one")
    out = on(cli, here, "progress", "merge", str(there / "progress.json"))
    assert out.splitlines() == [
        "dpo-explained   new note        +1 event  Umar Jamil: DPO Explained",
        "lora-explained  read → skipped  +1 event  Umar Jamil: LoRA Explained",
        "changed 2 links",
    ]
    progress = load_progress(here)
    assert progress.status(LORA).value == "skipped"
    assert [e.status.value for e in progress.links[LORA].events if e.status] == ["read", "skipped"]
    assert progress.links[DPO].note == "good one"
    before = (here / "progress.json").read_bytes()
    again = on(cli, here, "progress", "merge", str(there / "progress.json"))
    assert again == "nothing new: this record already holds all of it\n"
    assert (here / "progress.json").read_bytes() == before


def test_a_dry_run_reports_and_changes_nothing(cli: Invoke, tmp_path: Path) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    on(cli, here, "mark-read", "dpo")
    on(cli, there, "mark-read", "lora")
    before = (here / "progress.json").read_bytes()
    data = json.loads(
        on(cli, here, "progress", "merge", str(there / "progress.json"), "--dry-run", "--json")
    )
    assert (data["changed"], data["dry_run"]) == (True, True)
    assert [(c["id"], c["status_before"], c["status"]) for c in data["links"]] == [
        (LORA, "unread", "read")
    ]
    assert (here / "progress.json").read_bytes() == before


def test_an_export_carries_personal_links_too(cli: Invoke, tmp_path: Path) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    on(cli, there, "add", "https://example.com/mine", "-t", "Their find", "-s", "lora")
    on(cli, there, "mark-read", "their-find")
    export = tmp_path / "record.json"
    export.write_text(on(cli, there, "progress", "export", "--format", "json"))
    out = on(cli, here, "progress", "merge", str(export))
    assert "their-find your link, added elsewhere Their find" in " ".join(out.split())
    assert [p.link.id for p in load_personal(here)] == ["their-find"]
    assert load_progress(here).status("their-find").value == "read"
    assert "Their find" in on(cli, here, "list", "--section", "lora")


def test_a_broken_file_is_refused_and_the_record_untouched(cli: Invoke, tmp_path: Path) -> None:
    here = tmp_path / "here"
    on(cli, here, "mark-read", "lora")
    before = (here / "progress.json").read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1, "links": {"x": {"status": "devoured"}}}')
    result = cli("--home", str(here), "progress", "merge", str(bad))
    assert result.exit_code == 1
    assert result.stderr == (
        f"llmdive: error: {bad}: not an llmdive record or export (links.x.status: must be one "
        "of 'unread', 'reading', 'read' or 'skipped'); nothing was merged\n"
    )
    assert (here / "progress.json").read_bytes() == before


def test_hostile_text_from_another_machine_never_reaches_the_terminal_raw(
    cli: Invoke, tmp_path: Path
) -> None:
    here, other = tmp_path / "here", tmp_path / "other.json"
    hostile = "\x1b]0;owned\x07 \x1b[31mred"
    at = "2030-01-01T00:00:00Z"
    other.write_text(
        json.dumps(
            {
                "version": 1,
                "links": {
                    LORA: {
                        "note": hostile,
                        "noted": at,
                        "title": "\x1b[2J",
                        "url": "https://x.example/",
                        "events": [{"at": at, "note": hostile}],
                    }
                },
            }
        )
    )
    out = on(cli, here, "progress", "merge", str(other))
    assert "\x1b" not in out and "\x07" not in out
    assert load_progress(here).links[LORA].note == hostile


def test_conflicted_copies_are_found_offered_and_merged(cli: Invoke, tmp_path: Path) -> None:
    here = tmp_path / "here"
    on(cli, here, "mark-read", "lora")
    copy_text = (here / "progress.json").read_text()
    on(cli, here, "mark-unread", "lora")  # meanwhile, on this machine
    syncthing = here / "progress.sync-conflict-20300101-101010-ABCDEFG.json"
    dropbox = here / "progress (Laptop's conflicted copy 2030-01-01).json"
    syncthing.write_text(copy_text)
    dropbox.write_text(copy_text)
    (here / "notes.sync-conflict-20300101-101010-ABCDEFG.json").write_text("{}")  # not ours
    assert intake.conflicted_copies(here) == [dropbox, syncthing]
    out = on(cli, here, "doctor")
    assert f"conflicted copy left by a file-sync tool: {syncthing.name}" in out
    assert "llmdive doctor --merge" in out
    merged = on(cli, here, "doctor", "--merge")
    assert f"merged and removed {syncthing.name}" in merged
    assert not syncthing.exists() and not dropbox.exists()
    events = load_progress(here).links[LORA].events
    assert [e.status.value for e in events if e.status] == ["read", "unread"]  # both kept
    assert "conflicted copy" not in on(cli, here, "doctor")


def test_a_copy_that_cannot_be_read_is_left_where_it_is(cli: Invoke, tmp_path: Path) -> None:
    here = tmp_path / "here"
    on(cli, here, "mark-read", "lora")
    copy = here / "progress.sync-conflict-20300101-101010-ABCDEFG.json"
    copy.write_text("{not json")
    result = cli("--home", str(here), "doctor", "--merge")
    assert result.exit_code == 1
    assert f"{copy.name}: left as it is" in result.stdout
    assert copy.exists()


def test_doctor_reports_a_broken_record(cli: Invoke, tmp_path: Path) -> None:
    here = tmp_path / "here"
    here.mkdir()
    (here / "progress.json").write_text("{")
    result = cli("--home", str(here), "doctor", "--json")
    assert result.exit_code == 1  # a problem found is a failure, and the JSON is whole
    data = json.loads(result.stdout)
    assert [f["level"] for f in data["facts"]][0] == "error"
    assert "progress.json: not valid JSON" in data["facts"][0]["text"]


def test_doctor_exits_0_when_all_is_well_and_1_on_any_problem(cli: Invoke, tmp_path: Path) -> None:
    here = tmp_path / "here"
    on(cli, here, "mark-read", "lora")
    assert "✗" not in on(cli, here, "doctor")  # on() asserts exit 0
    (here / "personal.json").write_text('{"version": 1, "links": [')
    result = cli("--home", str(here), "doctor")
    assert result.exit_code == 1
    assert "✗ " in result.stdout and "personal.json: not valid JSON" in result.stdout


def test_doctor_checks_the_updated_guide_and_its_record(cli: Invoke, tmp_path: Path) -> None:
    here = tmp_path / "here"
    on(cli, here, "guide", "update", "--from", str(GUIDE_README))
    healthy = on(cli, here, "doctor")
    assert "✓ guide.toml: the updated guide, " in healthy
    assert "✓ guide-meta.json: 1 guide update recorded" in healthy
    (here / "guide.toml").write_text('{"x": [[[[')
    (here / "guide-meta.json").write_text("{")
    result = cli("--home", str(here), "doctor")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"✗ {here / 'guide.toml'}: not valid TOML: " in "\n".join(lines)
    bad_guide = next(line for line in lines if "guide.toml" in line)
    assert bad_guide.endswith(
        "(`llmdive guide reset` goes back to the bundled guide; your progress is kept)"
    )
    assert any(line.startswith(f"✗ {here / 'guide-meta.json'}: not valid JSON") for line in lines)


def _doc(path: Path, links: list[dict[str, str]]) -> Path:
    path.write_text(json.dumps({"version": 1, "links": links}))
    return path


def test_the_driver_keeps_a_removal_the_ancestor_shows(tmp_path: Path) -> None:
    def link(i: str) -> dict[str, str]:
        return {
            "id": i,
            "title": i.upper(),
            "url": f"https://{i}.example/",
            "difficulty": "easy",
            "section": "lora",
            "added": "2030-01-01T00:00:00Z",
        }

    base = _doc(tmp_path / "base", [link("kept"), link("gone")])
    ours = _doc(tmp_path / "ours", [link("kept")])  # removed here
    theirs = _doc(tmp_path / "theirs", [link("kept"), link("gone"), link("new")])
    mergedriver.merge_driver(base, ours, theirs, "personal.json")
    assert [p["id"] for p in json.loads(ours.read_text())["links"]] == ["kept", "new"]


def test_the_driver_merges_two_progress_files(cli: Invoke, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    on(cli, a, "mark-read", "lora")
    on(cli, b, "skip", "dpo")
    empty = tmp_path / "empty"
    empty.write_text("")
    mergedriver.merge_driver(empty, a / "progress.json", b / "progress.json", "progress.json")
    progress = load_progress(a)
    assert (progress.status(LORA).value, progress.status(DPO).value) == ("read", "skipped")


def test_a_record_from_a_machine_on_old_ids_lands_under_the_new_ids(
    cli: Invoke, tmp_path: Path
) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    on(cli, here, "mark-read", "merging-tokens")
    there.mkdir()
    old = "merging-tokens-accelerate-llm-inference"  # the id before ids were short
    (there / "progress.json").write_text(
        json.dumps(
            {
                "version": 1,
                "links": {
                    old: {
                        "status": "reading",
                        "changed": "2020-01-01T00:00:00Z",
                        "note": "from the old laptop",
                        "noted": "2020-01-01T00:00:00Z",
                        "events": [
                            {"at": "2020-01-01T00:00:00Z", "status": "reading"},
                            {"at": "2020-01-01T00:00:00Z", "note": "from the old laptop"},
                        ],
                    }
                },
            }
        )
    )
    out = on(cli, here, "progress", "merge", str(there / "progress.json"))
    assert "merging-tokens  new note  +2 events" in out and old not in out
    links = json.loads((here / "progress.json").read_text())["links"]
    assert list(links) == ["merging-tokens"]
    entry = links["merging-tokens"]
    assert (entry["status"], entry["note"]) == ("read", "from the old laptop")
    assert [e.get("status") for e in entry["events"]] == [None, "reading", "read"]


def test_doctor_names_a_link_stamped_far_in_the_future_and_later_marks_still_take_effect(
    cli: Invoke, tmp_path: Path
) -> None:
    here = tmp_path / "here"
    on(cli, here, "mark-read", "lora")
    data = json.loads((here / "progress.json").read_text())
    for event in data["links"][LORA]["events"]:
        event["at"] = "9999-11-28T03:37:00Z"
    data["links"][LORA]["changed"] = "9999-11-28T03:37:00Z"
    (here / "progress.json").write_text(json.dumps(data))
    result = cli("--home", str(here), "doctor")
    assert result.exit_code == 0, result.output  # a warning: nothing is blocked by it
    assert (
        f"! progress.json: {LORA} has a change stamped in the future (9999-11-28T03:37:00Z); "
        "later changes are ordered after it (a clock that runs fast, or a hand edit)"
    ) in " ".join(result.stdout.split())
    # The reader's change now takes effect, however far ahead the stamp already there is.
    assert "read → unread" in on(cli, here, "mark-unread", "lora")
    assert load_progress(here).status(LORA).value == "unread"
    on(cli, here, "mark-read", "dpo")
    undone = on(cli, here, "undo")
    assert "dpo" in undone and "lora" not in undone
    assert load_progress(here).status("dpo-explained").value == "unread"
    assert load_progress(here).status(LORA).value == "unread"


def test_merging_a_file_that_is_not_a_record_says_so_without_the_own_record_advice(
    cli: Invoke, tmp_path: Path
) -> None:
    here = tmp_path / "here"
    on(cli, here, "mark-read", "lora")
    before = (here / "progress.json").read_bytes()
    readme = tmp_path / "README.md"
    readme.write_text("# Not a record\n")
    result = cli("--home", str(here), "progress", "merge", str(readme))
    assert result.exit_code == 1
    assert result.stderr == (
        f"llmdive: error: {readme}: not an llmdive record or export (not valid JSON "
        "(Expecting value at line 1, column 1; truncated?)); nothing was merged\n"
    )
    assert "move it aside" not in result.stderr
    assert readme.read_text() == "# Not a record\n"
    assert (here / "progress.json").read_bytes() == before
