from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmdive.errors import LlmdiveError
from llmdive.guide.catalogue import Catalogue, load_catalogue
from llmdive.home import statefile
from llmdive.model.models import Event, Progress, Status
from llmdive.record import events
from llmdive.record import progress as prog
from llmdive.record.undo import undo_last
from tests.helpers import Invoke, subprocess_env

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def mark(home: Path, catalogue: Catalogue, ids: list[str], status: Status) -> list[prog.Change]:
    items = catalogue.resolve_ids(ids)
    return prog.update_progress(home, lambda p: prog.set_status(p, catalogue, items, status))


def test_missing_file_is_empty_progress(home: Path) -> None:
    fresh = home.parent / "fresh-home"
    assert prog.load_progress(fresh) == Progress()
    assert not fresh.exists()


def test_file_format_is_versioned_sorted_and_indented(home: Path, catalogue: Catalogue) -> None:
    items = catalogue.resolve_ids(["lora-explained"])
    prog.update_progress(home, lambda p: prog.set_status(p, catalogue, items, Status.READ, T0))
    text = (home / "progress.json").read_text(encoding="utf-8")
    assert json.loads(text) == {
        "version": 1,
        "links": {
            "lora-explained": {
                "status": "read",
                "changed": "2026-01-02T03:04:05Z",
                "events": [{"at": "2026-01-02T03:04:05Z", "status": "read"}],
                "title": "Umar Jamil: LoRA Explained",
                "url": "https://www.youtube.com/watch?v=PXWYUTMt-AU",
            }
        },
    }
    assert text.startswith('{\n  "links": {\n    "lora-explained": {\n      "changed"')
    assert text.endswith("\n")


def test_status_changes_and_unread_keeps_history(home: Path, catalogue: Catalogue) -> None:
    changes = mark(home, catalogue, ["lora", "dpo"], Status.READ)
    assert [(c.id, c.before, c.after, c.changed) for c in changes] == [
        ("lora-explained", Status.UNREAD, Status.READ, True),
        ("dpo-explained", Status.UNREAD, Status.READ, True),
    ]
    again = mark(home, catalogue, ["lora"], Status.READ)
    assert again[0].changed is False
    mark(home, catalogue, ["lora"], Status.UNREAD)
    stored = prog.load_progress(home).links["lora-explained"]
    assert stored.status is Status.UNREAD
    assert [e.status for e in stored.events] == [Status.READ, Status.UNREAD]
    assert [(r.id, r.status) for r in prog.history(prog.load_progress(home))] == [
        ("lora-explained", Status.UNREAD),
        ("lora-explained", Status.READ),  # marked in one command with dpo: same time
        ("dpo-explained", Status.READ),
    ]


def test_notes_are_kept_beside_status(home: Path, catalogue: Catalogue) -> None:
    item = catalogue.resolve_id("lora")
    prog.update_progress(home, lambda p: prog.set_note(p, item, "rank matters", T0))
    mark(home, catalogue, ["lora"], Status.READ)
    entry = prog.load_progress(home).links["lora-explained"]
    assert (entry.note, entry.noted, entry.status) == (
        "rank matters",
        "2026-01-02T03:04:05Z",
        Status.READ,
    )


def test_a_note_is_an_event_and_removing_it_is_one_too(home: Path, catalogue: Catalogue) -> None:
    item = catalogue.resolve_id("lora")
    prog.update_progress(home, lambda p: prog.set_note(p, item, "rank", T0))
    assert prog.update_progress(home, lambda p: prog.set_note(p, item, "rank")) is False
    prog.update_progress(home, lambda p: prog.set_note(p, item, "", T0 + timedelta(seconds=1)))
    entry = prog.load_progress(home).links["lora-explained"]
    assert (entry.note, entry.noted, entry.status) == (None, None, Status.UNREAD)
    assert [(e.at, e.note, e.status) for e in entry.events] == [
        ("2026-01-02T03:04:05Z", "rank", None),
        ("2026-01-02T03:04:06Z", "", None),
    ]
    rows = prog.history(prog.load_progress(home))
    assert [(r.id, r.status, r.note) for r in rows] == [
        ("lora-explained", None, ""),
        ("lora-explained", None, "rank"),
    ]


def test_a_file_from_before_note_events_reads_unchanged_and_keeps_its_note(
    home: Path, catalogue: Catalogue
) -> None:
    home.mkdir(exist_ok=True)
    old = {
        "status": "read",
        "changed": "2025-01-01T00:00:00Z",
        "note": "old note",
        "noted": "2025-01-02T00:00:00Z",
        "title": "Umar Jamil: LoRA Explained",
        "events": [{"at": "2025-01-01T00:00:00Z", "status": "read"}],
    }
    text = json.dumps({"version": 1, "links": {"lora-explained": old}}, indent=2, sort_keys=True)
    (home / "progress.json").write_text(text + "\n")
    loaded = prog.load_progress(home)
    assert loaded.links["lora-explained"].to_dict() == old
    prog.save_progress(home, loaded)  # written again as it was read, byte for byte
    assert (home / "progress.json").read_text() == text + "\n"
    mark(home, catalogue, ["lora"], Status.SKIPPED)
    entry = prog.load_progress(home).links["lora-explained"]
    # The old note gets the event that made it, at its own time: the events say what the file said.
    assert [(e.at, e.status, e.note) for e in entry.events] == [
        ("2025-01-02T00:00:00Z", None, "old note"),
        ("2025-01-01T00:00:00Z", Status.READ, None),
        (entry.changed, Status.SKIPPED, None),
    ]
    assert (entry.status, entry.note, entry.noted) == (
        Status.SKIPPED,
        "old note",
        "2025-01-02T00:00:00Z",
    )


def test_replay_latest_event_wins_and_an_undo_restores_what_was_before() -> None:
    read = Event("2026-01-01T00:00:00Z", Status.READ)
    noted = Event("2026-01-02T00:00:00Z", note="n")
    skipped = Event("2026-01-03T00:00:00Z", Status.SKIPPED)
    undo = Event("2026-01-04T00:00:00Z", Status.READ, undo="2026-01-03T00:00:00Z")
    state = events.replay([undo, skipped, read, noted])  # stored order does not matter
    assert state == events.Settled(Status.READ, "2026-01-01T00:00:00Z", "n", "2026-01-02T00:00:00Z")
    cleared = Event("2026-01-05T00:00:00Z", note="")
    assert events.replay([read, noted, cleared]).note is None
    restored = Event("2026-01-06T00:00:00Z", note="n", undo="2026-01-05T00:00:00Z")
    assert events.replay([read, noted, cleared, restored]).noted == "2026-01-02T00:00:00Z"
    # Two machines' events at one instant: the same answer in any order.
    a, b = Event("2026-01-07T00:00:00Z", Status.READ), Event("2026-01-07T00:00:00Z", Status.SKIPPED)
    assert events.replay([a, b]) == events.replay([b, a])


def test_a_new_change_is_never_older_than_the_events_it_follows(
    home: Path, catalogue: Catalogue
) -> None:
    items = catalogue.resolve_ids(["lora"])
    prog.update_progress(home, lambda p: prog.set_status(p, catalogue, items, Status.READ, T0))
    earlier = T0 - timedelta(days=1)  # a clock set back
    prog.update_progress(
        home, lambda p: prog.set_status(p, catalogue, items, Status.SKIPPED, earlier)
    )
    entry = prog.load_progress(home).links["lora-explained"]
    assert entry.status is Status.SKIPPED
    assert entry.changed == "2026-01-02T03:04:05.000001Z"


def test_same_url_in_two_places_shares_one_state(tmp_path: Path, home: Path) -> None:
    guide = tmp_path / "g.toml"
    guide.write_text(
        'version = 1\n[[sections]]\nslug = "a"\ntitle = "A"\n'
        '[[sections.links]]\nid = "one"\ntitle = "One"\nurl = "https://x.example/p"\n'
        '[[sections]]\nslug = "b"\ntitle = "B"\n'
        '[[sections.links]]\nid = "again"\ntitle = "Again"\nurl = "http://X.example/p/"\n',
        encoding="utf-8",
    )
    cat = load_catalogue(guide)
    mark(home, cat, ["one"], Status.READ)
    states = prog.reading_states(cat, prog.load_progress(home))
    assert states == {"one": Status.READ, "again": Status.READ}
    mark(home, cat, ["again"], Status.SKIPPED)
    states = prog.reading_states(cat, prog.load_progress(home))
    assert states == {"one": Status.SKIPPED, "again": Status.SKIPPED}


def test_entries_no_longer_in_the_guide_are_kept_and_reported(
    home: Path, catalogue: Catalogue
) -> None:
    home.mkdir(exist_ok=True)
    old = {"status": "read", "changed": "2025-01-01T00:00:00Z", "title": "Gone"}
    (home / "progress.json").write_text(json.dumps({"version": 1, "links": {"gone-link": old}}))
    mark(home, catalogue, ["lora"], Status.READ)
    stored = prog.load_progress(home)
    assert set(stored.links) == {"gone-link", "lora-explained"}
    assert list(prog.orphans(catalogue, stored)) == ["gone-link"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty, so it holds no progress"),
        (b'{"version": 1, "links": {"a": {"status": "re', "not valid JSON (Unterminated string"),
        (b"\xff\xfe not text", "not UTF-8 text (byte 0)"),
        (b"[1, 2, 3]", "not an llmdive progress file: the top level must be an object:"),
        (
            b'{"version": 1, "links": {"a": {"status": "done"}}}',
            "not an llmdive progress file: links.a.status: must be one of 'unread', 'reading'",
        ),
        (
            b'{"version": 1, "links": {}, "extra": true}',
            "not an llmdive progress file: extra: unknown key (a typo?)",
        ),
        (b'{"version": 2, "links": {}}', "written by a newer llmdive (progress format 2"),
    ],
)
def test_bad_files_are_reported_and_left_byte_for_byte(
    home: Path, catalogue: Catalogue, content: bytes, message: str
) -> None:
    home.mkdir(exist_ok=True)
    path = home / "progress.json"
    path.write_bytes(content)
    with pytest.raises(LlmdiveError) as info:
        mark(home, catalogue, ["lora"], Status.READ)
    text = str(info.value)
    assert text.startswith(f"{path}: ")
    assert message in text
    assert "\n" not in text
    assert path.read_bytes() == content


def test_a_failed_write_leaves_the_previous_file_intact(
    home: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    mark(home, catalogue, ["lora"], Status.READ)
    before = (home / "progress.json").read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("llmdive.home.storage.os.replace", broken_replace)
    with pytest.raises(LlmdiveError, match="No space left on device"):
        mark(home, catalogue, ["dpo"], Status.READ)
    assert (home / "progress.json").read_bytes() == before
    assert sorted(p.name for p in home.iterdir()) == ["progress.json", "progress.json.lock"]


def test_a_crash_mid_write_leaves_the_previous_file_intact(
    home: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    mark(home, catalogue, ["lora"], Status.READ)
    before = (home / "progress.json").read_bytes()

    def broken_fsync(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("llmdive.home.storage.os.fsync", broken_fsync)
    with pytest.raises(KeyboardInterrupt):
        mark(home, catalogue, ["dpo"], Status.READ)
    assert (home / "progress.json").read_bytes() == before
    assert not [p for p in home.iterdir() if p.name.endswith(".tmp")]


def test_an_unwritable_home_is_a_clear_error(tmp_path: Path, catalogue: Catalogue) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(LlmdiveError, match=f"cannot write in {blocker / 'home'}"):
        mark(blocker / "home", catalogue, ["lora"], Status.READ)


def test_twenty_concurrent_processes_all_land(home: Path, catalogue: Catalogue) -> None:
    ids = [item.link.id for item in catalogue.items][:24]
    env = subprocess_env(LLMDIVE_HOME=str(home))
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "llmdive", "mark-read", link_id],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for link_id in ids
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    stored = prog.load_progress(home)
    assert sorted(k for k, e in stored.links.items() if e.status is Status.READ) == sorted(ids)


STATUSES = st.sampled_from(list(Status))


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.integers(0, 28),
            STATUSES,
            st.integers(0, 10**6),
            st.sampled_from(["-", "undo"]) | st.text(max_size=20),
        ),
        min_size=0,
        max_size=25,
    )
)
def test_any_sequence_of_changes_saves_and_reloads_unchanged(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[int, Status, int, str]]
) -> None:
    home = tmp_path_factory.mktemp("prop")
    cat = load_catalogue(_bundled())
    progress = Progress()
    for index, status, seconds, text in steps:
        item = cat.items[index]
        when = T0 + timedelta(seconds=seconds, microseconds=seconds % 997)
        prog.set_status(progress, cat, [item], status, when)
        if text == "undo":
            undo_last(progress, [], when)
        elif text:
            prog.set_note(progress, item, "" if text == "-" else text, when)
    prog.save_progress(home, progress)
    assert prog.load_progress(home) == progress
    written = (home / "progress.json").read_text()
    prog.save_progress(home, prog.load_progress(home))
    assert (home / "progress.json").read_text() == written
    standard = json.dumps(progress.to_dict(), indent=2, sort_keys=True, ensure_ascii=False)
    assert written == standard + "\n"


def _bundled() -> Path:
    from llmdive.home.paths import bundled_guide

    return bundled_guide()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_pretty_json_is_the_standard_librarys_text(value: object) -> None:
    standard = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert statefile.encode_state_text(value) == standard
    assert statefile.encode_state(value) == standard.encode()
    # Both encoders, whichever a document's size picks (statefile.SMALL_STATE).
    assert statefile.encode_with_orjson(value) == standard.encode()
    assert statefile.encode_with_json(value) == standard.encode()


def test_escapes_are_the_standard_librarys() -> None:
    """Controls escaped, every other character (U+2028, DEL, emoji) written as UTF-8."""
    for text in ("\x00\x1f\n\t\b\f\r\x7f", "a\u2028b\u2029", "é✓😀", '</script> \\ "'):
        value: dict[str, object] = {"k": text, "z": [1, {}, [], None, True]}
        standard = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        assert statefile.encode_state(value) == standard.encode()
        assert statefile.encode_with_orjson(value) == standard.encode()
        assert statefile.encode_with_json(value) == standard.encode()


def test_text_that_is_not_unicode_is_kept_escaped() -> None:
    value = {"note": "\ud800 é", "title": "ok"}
    data = statefile.encode_state(value)
    assert data == b'{\n  "note": "\\ud800 \\u00e9",\n  "title": "ok"\n}\n'
    assert json.loads(data) == value
    assert statefile.encode_with_orjson(value) == statefile.encode_with_json(value) == data


def test_a_large_record_is_written_by_orjson_in_the_same_bytes() -> None:
    many = {"version": 1, "links": {f"l{i}": {"note": f"é {i}"} for i in range(150)}}
    data = statefile.encode_state(many)
    assert data == (json.dumps(many, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def test_progress_edited_by_hand_is_read_from_the_file_not_the_cache(
    home: Path, catalogue: Catalogue
) -> None:
    mark(home, catalogue, ["lora"], Status.READ)
    path = home / "progress.json"
    assert prog.load_progress(home).status("lora-explained") is Status.READ  # cached now
    stat = path.stat()
    entry_status = '      "status": "read",\n      "title"'
    text = path.read_text()
    assert entry_status in text
    path.write_text(text.replace(entry_status, entry_status.replace("read", "reading")))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the old mtime
    assert prog.load_progress(home).status("lora-explained") is Status.READING
    path.write_text(text.replace(entry_status, entry_status.replace("read", "finished")))
    with pytest.raises(LlmdiveError, match="not an llmdive progress file"):
        prog.load_progress(home)


def test_a_corrupt_progress_cache_is_ignored(
    home: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    mark(home, catalogue, ["lora", "dpo"], Status.READ)
    for cache_file in (tmp_path / "cache").glob("progress-*.marshal"):
        cache_file.write_bytes(b"\x00not marshal")
    assert prog.load_progress(home).status("dpo-explained") is Status.READ


def test_parse_since_takes_dates_and_times_local_unless_zoned() -> None:
    from datetime import UTC, datetime

    from llmdive.model.timespec import parse_when as parse_since

    day = parse_since("2026-03-01")
    assert day == datetime(2026, 3, 1).astimezone()
    assert parse_since("2026-03-01T14:30Z") == datetime(2026, 3, 1, 14, 30, tzinfo=UTC)
    assert parse_since(" 2026-03-01 14:30 ") == datetime(2026, 3, 1, 14, 30).astimezone()
    with pytest.raises(ValueError):
        parse_since("last week")


def test_recent_keeps_the_newest_rows_from_a_time_on() -> None:
    from datetime import UTC, datetime

    from llmdive.record.progress import HistoryRow, recent

    rows = [
        HistoryRow(datetime(2026, 3, d, tzinfo=UTC), f"id{d}", "t", Status.READ) for d in (9, 5, 2)
    ]
    assert [r.id for r in recent(rows, 2)] == ["id9", "id5"]
    assert [r.id for r in recent(rows, since=datetime(2026, 3, 5, tzinfo=UTC))] == ["id9", "id5"]
    assert [r.id for r in recent(rows, 1, datetime(2026, 3, 1, tzinfo=UTC))] == ["id9"]
    assert recent(rows, since=datetime(2026, 4, 1, tzinfo=UTC)) == []


# ---------------------------------------------------------------- old ids (aliases)

OLD_TOKENS, NEW_TOKENS = "merging-tokens-accelerate-llm-inference", "merging-tokens"
OLD_SAE, NEW_SAE = "sparse-autoencoders-explained", "sparse-autoencoders"


def _old_progress(home: Path, extra: dict[str, object] | None = None) -> None:
    """A progress.json written before ids were short: keyed by the old, long ids."""
    links: dict[str, object] = {
        OLD_TOKENS: {
            "status": "read",
            "changed": "2026-01-02T10:00:00Z",
            "title": "Merging tokens to accelerate LLM inference with SLERP",
            "url": "https://medium.com/towards-data-science/merging-tokens-to-accelerate-llm-inference-with-slerp-38a32bf7f194",
            "events": [
                {"at": "2026-01-01T09:00:00Z", "status": "reading"},
                {"at": "2026-01-02T10:00:00Z", "status": "read"},
            ],
        },
        OLD_SAE: {
            "status": "reading",
            "changed": "2026-01-03T08:00:00Z",
            "note": "read the appendix",
            "noted": "2026-01-03T08:30:00Z",
            "events": [
                {"at": "2026-01-03T08:00:00Z", "status": "reading"},
                {"at": "2026-01-03T08:30:00Z", "note": "read the appendix"},
            ],
        },
        **(extra or {}),
    }
    home.mkdir(parents=True, exist_ok=True)
    (home / "progress.json").write_text(json.dumps({"version": 1, "links": links}))


def _json(cli: Invoke, *args: str) -> Any:
    result = cli(*args)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


def test_progress_under_old_ids_counts_for_the_links_new_ids(cli: Invoke, home: Path) -> None:
    picks = [p["link"]["id"] for p in _json(cli, "next", "--json") if p["link"]]
    assert "introduction-model" in picks  # nothing read yet: the Model Merging pick
    skipped = {
        "status": "skipped",
        "changed": "2026-01-01T08:00:00Z",
        "events": [{"at": "2026-01-01T08:00:00Z", "status": "skipped"}],
    }
    _old_progress(home, {"introduction-model-merging-llms": skipped})
    before = (home / "progress.json").read_bytes()
    by_id = {d["id"]: d for d in _json(cli, "list", "--json")}
    assert (by_id[NEW_TOKENS]["status"], by_id[NEW_TOKENS]["status_changed"]) == (
        "read",
        "2026-01-02T10:00:00Z",
    )
    assert (by_id[NEW_SAE]["status"], by_id[NEW_SAE]["note"]) == ("reading", "read the appendix")
    assert OLD_TOKENS not in by_id and OLD_SAE not in by_id
    rows = _json(cli, "history", "--json")
    assert [(r["id"], r["status"], r["note"]) for r in rows] == [
        (NEW_SAE, None, "read the appendix"),
        (NEW_SAE, "reading", None),
        (NEW_TOKENS, "read", None),
        (NEW_TOKENS, "reading", None),
        ("introduction-model", "skipped", None),
    ]
    summary = _json(cli, "progress", "--json")
    assert summary["orphans"] == []
    picks = [p["link"]["id"] for p in _json(cli, "next", "--json") if p["link"]]
    assert "introduction-model" not in picks and NEW_TOKENS not in picks  # skipped, read
    exported = _json(cli, "progress", "export", "--format", "json")
    assert {NEW_TOKENS, NEW_SAE} <= exported["progress"]["links"].keys()
    assert not {OLD_TOKENS, OLD_SAE} & exported["progress"]["links"].keys()
    # Reading changes nothing on disk: the entries move at the next write.
    assert (home / "progress.json").read_bytes() == before


def test_an_old_id_names_its_link_and_shows_the_new_id(cli: Invoke, home: Path) -> None:
    _old_progress(home)
    shown = _json(cli, "show", OLD_TOKENS, "--json")
    assert (shown["id"], shown["status"]) == (NEW_TOKENS, "read")
    out = cli("show", OLD_SAE)
    assert out.exit_code == 0 and NEW_SAE in out.stdout and OLD_SAE not in out.stdout
    assert "read the appendix" in out.stdout
    # Completion offers the ids links have now, never an old one.
    from llmdive.cli.completion import ids
    from llmdive.home.paths import bundled_guide

    offered = ids(bundled_guide(), "")
    assert NEW_TOKENS in offered and OLD_TOKENS not in offered


def test_the_next_write_moves_old_entries_to_the_new_ids_losing_nothing(
    cli: Invoke, home: Path
) -> None:
    # The same link under both keys: both histories are kept, merged.
    _old_progress(
        home,
        {
            NEW_SAE: {
                "status": "read",
                "changed": "2026-01-04T12:00:00Z",
                "events": [{"at": "2026-01-04T12:00:00Z", "status": "read"}],
            }
        },
    )
    assert cli("mark-read", "lora-explained").exit_code == 0
    links = json.loads((home / "progress.json").read_text())["links"]
    assert sorted(links) == ["lora-explained", NEW_TOKENS, NEW_SAE]
    assert links[NEW_TOKENS]["events"] == [
        {"at": "2026-01-01T09:00:00Z", "status": "reading"},
        {"at": "2026-01-02T10:00:00Z", "status": "read"},
    ]
    assert links[NEW_TOKENS]["status"] == "read"
    assert links[NEW_SAE]["events"] == [
        {"at": "2026-01-03T08:00:00Z", "status": "reading"},
        {"at": "2026-01-03T08:30:00Z", "note": "read the appendix"},
        {"at": "2026-01-04T12:00:00Z", "status": "read"},
    ]
    assert (links[NEW_SAE]["status"], links[NEW_SAE]["note"]) == ("read", "read the appendix")


def test_undo_on_a_home_with_old_ids_takes_back_the_last_change(cli: Invoke, home: Path) -> None:
    _old_progress(home)
    assert cli("undo").exit_code == 0  # the note of 08:30, recorded under the old id
    links = json.loads((home / "progress.json").read_text())["links"]
    assert OLD_SAE not in links and OLD_TOKENS not in links
    assert "note" not in links[NEW_SAE] and links[NEW_SAE]["status"] == "reading"
    assert [e.get("undo") for e in links[NEW_SAE]["events"]] == [
        None,
        None,
        "2026-01-03T08:30:00Z",
    ]


def test_fold_aliases_merges_and_marks_dirty() -> None:
    p = Progress.from_dict(
        {
            "version": 1,
            "links": {
                "old": {
                    "status": "read",
                    "changed": "2026-01-01T00:00:00Z",
                    "events": [{"at": "2026-01-01T00:00:00Z", "status": "read"}],
                },
                "keep": {
                    "status": "skipped",
                    "changed": "2026-01-01T00:00:00Z",
                    "events": [{"at": "2026-01-01T00:00:00Z", "status": "skipped"}],
                },
            },
        }
    )
    assert prog.fold_aliases(p, {"nothing-here": "x"}) == [] and not p.dirty
    assert prog.fold_aliases(p, {"old": "new"}) == ["old"]
    assert p.dirty and p.keys() == {"new", "keep"}
    assert p.status("new") is Status.READ
