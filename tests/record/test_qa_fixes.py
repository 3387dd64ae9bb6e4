"""QA findings after issue 15 (fixa's share): each a test that failed before its fix."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from llmdive.errors import LlmdiveError
from llmdive.guide.catalogue import Catalogue
from llmdive.home.statefile import encode_state
from llmdive.model.models import Progress, Status
from llmdive.output.terminal import ago
from llmdive.record import events
from llmdive.record import progress as prog
from tests.helpers import Invoke, ok

END_OF_TIME = "9999-12-31T23:59:59.999999Z"


def _plant(home: Path, key: str, at: str, status: str = "unread") -> None:
    path = home / "progress.json"
    doc: Any = json.loads(path.read_text()) if path.exists() else {"version": 1, "links": {}}
    doc["links"].setdefault(key, {}).setdefault("events", []).append({"at": at, "status": status})
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize("stamp", [END_OF_TIME, "9999-12-31T23:59:59Z"])
def test_a_far_future_stamp_neither_blocks_nor_poisons_a_write(
    cli: Invoke, home: Path, stamp: str
) -> None:
    ok(cli("mark-read", "dpo"))
    _plant(home, "dpo-explained", stamp)
    out = ok(cli("mark-read", "llama-explained"))
    assert "llama-explained" in out
    entry = prog.load_progress(home).links["llama-explained"]
    assert entry.status is Status.READ
    assert entry.changed is not None and entry.changed < "2100"  # a sane time, not 9999-...
    # the planted change was brought back to now, before the change just made
    dpo = prog.load_progress(home).links["dpo-explained"]
    assert all(e.at < "2100" for e in dpo.events)
    assert ok(cli("undo")).count("llama-explained") >= 1
    assert prog.load_progress(home).links["llama-explained"].status is Status.UNREAD


def test_undo_with_an_end_of_time_stamp_takes_back_a_change(cli: Invoke, home: Path) -> None:
    ok(cli("mark-read", "dpo"))
    _plant(home, "dpo-explained", END_OF_TIME)
    result = cli("undo")
    assert result.exit_code == 0, result.output
    assert "end of time" not in result.output


def test_a_merge_brings_far_future_stamps_as_made_now(
    cli: Invoke, home: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.json"
    other.write_text(
        json.dumps(
            {
                "version": 1,
                "links": {"dpo-explained": {"events": [{"at": END_OF_TIME, "status": "read"}]}},
            }
        )
    )
    out = ok(cli("progress", "merge", str(other)))
    assert "dpo-explained: a change stamped 9999-12-31T23:59:59.999999Z" in out
    assert "taken as made now" in out
    entry = prog.load_progress(home).links["dpo-explained"]
    assert entry.status is Status.READ and all(e.at < "2100" for e in entry.events)
    ok(cli("mark-unread", "dpo"))
    assert prog.load_progress(home).links["dpo-explained"].status is Status.UNREAD


def test_new_stamp_stays_within_a_day_of_now() -> None:
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    progress = Progress.from_dict(
        {
            "version": 1,
            "links": {
                "a": {
                    "status": "read",
                    "changed": "2031-01-01T00:00:00Z",
                    "events": [{"at": "2031-01-01T00:00:00Z", "status": "read"}],
                }
            },
        }
    )
    stamp = events.new_stamp(progress, now)
    assert datetime.fromisoformat(stamp) - now < timedelta(seconds=1)
    assert progress.links["a"].status is Status.READ  # the change itself is kept
    # within a day ahead is skew, not a wrong time: still ordered after
    near = Progress.from_dict(
        {
            "version": 1,
            "links": {
                "a": {
                    "status": "read",
                    "changed": "2026-12-03T18:00:00Z",
                    "events": [{"at": "2026-12-03T18:00:00Z", "status": "read"}],
                }
            },
        }
    )
    assert events.new_stamp(near, now) == "2026-12-03T18:00:00.000001Z"


def test_a_future_time_is_not_just_now() -> None:
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    assert ago(datetime(2031, 1, 1, tzinfo=UTC), now) == "ahead of this clock"
    assert ago(now - timedelta(seconds=5), now) == "just now"


# ---------------------------------------------------------------- HIGH 2: a write past the limit


def test_a_write_that_would_pass_the_read_limit_is_refused_and_nothing_written(
    home: Path, catalogue: Catalogue
) -> None:
    progress = Progress()
    prog.set_note(progress, catalogue.resolve_id("lora"), "x" * 500)
    prog.save_record(home, progress, limit=2000)
    before = (home / "progress.json").read_bytes()
    prog.set_note(progress, catalogue.resolve_id("dpo"), "y" * 1000)
    with pytest.raises(LlmdiveError, match=r"^progress.json would grow past 2,000 bytes"):
        prog.save_record(home, progress, limit=2000)
    assert (home / "progress.json").read_bytes() == before


def test_a_note_that_would_lock_the_reader_out_is_refused(cli: Invoke, home: Path) -> None:
    from llmdive.home.infile import RECORD_MAX_BYTES

    def doc(pad: int) -> bytes:
        entry = {
            "status": "read",
            "changed": "2026-01-01T00:00:00Z",
            "note": "n" * pad,
            "noted": "2026-01-01T00:00:00Z",
            "events": [{"at": "2026-01-01T00:00:00Z", "note": "n" * pad, "status": "read"}],
        }
        return encode_state({"version": 1, "links": {"dpo-explained": entry}})

    pad = (RECORD_MAX_BYTES - 600 - len(doc(0))) // 2
    (home / "progress.json").write_bytes(doc(pad))
    before = (home / "progress.json").read_bytes()
    result = cli("note", "lora-explained", "z" * 1000)
    assert result.exit_code == 1
    assert "progress.json would grow past 32 MiB" in result.stderr
    assert (home / "progress.json").read_bytes() == before
    ok(cli("list"))  # the home is still readable


# ---------------------------------------------------------------- MEDIUM 5: passwords with / # ? @


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://u:SE/CRET@127.0.0.1:9/x.git", "https://127.0.0.1:9/x.git"),
        ("https://u:SE#CRET@h.example/x.git", "https://h.example/x.git"),
        ("https://u:SE?CRET@h.example/x.git", "https://h.example/x.git"),
        ("https://user:p@ss@h.example/x.git", "https://h.example/x.git"),
        ("https://h.example/x.git?access_token=abc", "https://h.example/x.git?access_token=***"),
        ("https://h.example:8080/@team/x.git", "https://h.example:8080/@team/x.git"),
        ("ssh://git@h.example/x", "ssh://git@h.example/x"),
        ("fatal: 'https://u:a/b@h/x/': 403", "fatal: 'https://h/x/': 403"),
    ],
)
def test_redaction_takes_out_any_password_whole(url: str, shown: str) -> None:
    from llmdive.model.urls import redact_credentials as redact_url

    assert redact_url(url) == shown


def test_doctor_never_shows_a_password_with_a_slash(cli: Invoke, home: Path) -> None:
    cli("sync", "--remote", "https://u:SE/CRET@127.0.0.1:9/x.git")
    for args in (("doctor",), ("doctor", "--json")):
        result = cli(*args)
        assert "CRET" not in result.output and "SE/" not in result.output


# ---------------------------------------------------------------- MEDIUM 7: a bad remote file


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("progress.json", b"[" * 100_000),
        (
            "personal.json",
            json.dumps(
                {
                    "version": 1,
                    "links": [
                        {
                            "id": "evil",
                            "title": "Evil",
                            "url": "javascript:alert(1)",
                            "added": "2026-01-01T00:00:00Z",
                        }
                    ],
                }
            ).encode(),
        ),
    ],
)
def test_a_bad_file_in_the_remote_is_said_to_be_the_remotes(
    cli: Invoke, tmp_path: Path, name: str, data: bytes
) -> None:
    from .test_sync_attacks import blob, homes_synced, plant

    remote = tmp_path / "remote.git"
    import subprocess

    subprocess.run(
        ["git", "init", "-q", "--bare", "--initial-branch=main", str(remote)], check=True
    )
    _, b = homes_synced(cli, tmp_path, remote)
    plant(remote, [("100644", "blob", blob(remote, data), name)])
    before = (b / "progress.json").read_bytes()
    result = cli("--home", str(b), "sync")
    assert result.exit_code == 1
    err = result.stderr
    assert err.startswith(f"llmdive: error: the remote's file is bad: origin/main:{name}")
    assert "nothing was changed here: fix the file in the remote" in err
    assert "move it aside" not in err and f"main:{name} as it is" not in err
    assert (b / "progress.json").read_bytes() == before


# ---------------------------------------------------------------- LOW


def test_undo_on_a_missing_home_creates_nothing(cli: Invoke, tmp_path: Path) -> None:
    missing = tmp_path / "nohome"
    result = cli("undo", env={"LLMDIVE_HOME": str(missing)})
    assert result.exit_code == 0, result.output
    assert "created" not in result.output
    assert not missing.exists()


def test_undo_after_a_guide_reset_shows_a_local_time_not_a_raw_stamp() -> None:
    from llmdive.record import undo

    at = "2026-12-03T12:04:52.459158Z"
    text = undo._past_guide_change({"source": "bundled", "at": at})
    local = datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M")
    assert f"since `llmdive guide reset` at {local}: " in text
    assert at not in text


def test_an_unreadable_merge_does_not_tell_you_to_move_your_own_file(
    cli: Invoke, home: Path, tmp_path: Path
) -> None:
    from llmdive.home.infile import RECORD_MAX_BYTES
    from llmdive.record import intake as reconcile

    big = b'{"version": 1, "links": {}}' + b" " * RECORD_MAX_BYTES
    with pytest.raises(LlmdiveError) as caught:
        reconcile.check_record(home, {"progress.json": big})
    assert "move it aside" not in str(caught.value)
    assert str(caught.value).endswith("not read (your own files are as they were)")
