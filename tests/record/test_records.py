"""Records that cannot break a home: what a merge or sync brings, duplicate ids, skewed
clocks, and undo across a guide change."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmdive.errors import LlmdiveError
from llmdive.guide.catalogue import Catalogue
from llmdive.model.models import Progress, Status
from llmdive.model.urls import normalize_url
from llmdive.record import intake
from llmdive.record import progress as prog
from llmdive.record.merge import merge_records, url_suffix
from llmdive.record.personal import load_personal
from llmdive.record.progress import load_progress
from tests.helpers import FIXTURES, Invoke

LORA, DPO = "lora-explained", "dpo-explained"
MINE = "https://example.com/mine"
RENAMED = f"{LORA}-{url_suffix(normalize_url(MINE))}"


def on(cli: Invoke, home: Path, *args: str) -> str:
    result = cli("--home", str(home), *args)
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout


def _as_guide_id(doc: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """A record's personal link `old` under the id `new` (as a machine with another guide,
    or an attacker, could hold it)."""
    for link in doc["personal"]["links"]:
        if link["id"] == old:
            link["id"] = new
    links = doc["progress"]["links"]
    links[new] = links.pop(old)
    return doc


def _clashing_record(cli: Invoke, there: Path, tmp_path: Path) -> Path:
    """A record whose personal link, read, has the id of the guide's LoRA link."""
    on(cli, there, "add", MINE, "-t", "Mine", "-s", "lora")
    on(cli, there, "mark-read", "mine")
    on(cli, there, "note", "mine", "my own notes")
    doc = json.loads(on(cli, there, "progress", "export", "-f", "json"))
    path = tmp_path / "clash.json"
    path.write_text(json.dumps(_as_guide_id(doc, "mine", LORA)))
    return path


# ---------------------------------------------------------------- a guide id arriving


def test_a_merged_personal_link_with_a_guide_id_gets_its_own_id_with_its_progress(
    cli: Invoke, tmp_path: Path
) -> None:
    here, other = tmp_path / "here", tmp_path / "other"
    clash = _clashing_record(cli, tmp_path / "there", tmp_path)
    on(cli, here, "mark-unread", "dpo")
    on(cli, here, "skip", "lora")
    on(cli, here, "progress", "merge", str(clash))
    # Every command still works, the guide's link as it was, the reader's own link apart.
    assert "Mine" in on(cli, here, "list")
    assert [p.link.id for p in load_personal(here)] == [RENAMED]
    progress = load_progress(here)
    assert progress.status(LORA) is Status.SKIPPED
    assert progress.status(RENAMED) is Status.READ
    assert progress.value(RENAMED, "note") == "my own notes"
    assert RENAMED in on(cli, here, "show", RENAMED)
    # The same id on every machine, and merging the two homes changes nothing more.
    on(cli, other, "progress", "merge", str(clash))
    assert [p.link.id for p in load_personal(other)] == [RENAMED]
    before = (here / "personal.json").read_bytes()
    on(cli, here, "progress", "merge", str(other / "personal.json"))
    on(cli, here, "progress", "merge", str(other / "progress.json"))
    assert (here / "personal.json").read_bytes() == before
    assert load_progress(here).status(RENAMED) is Status.READ


def test_merge_mends_a_home_whose_own_personal_link_has_a_guide_id(
    cli: Invoke, tmp_path: Path
) -> None:
    here = tmp_path / "here"
    clash = json.loads(_clashing_record(cli, tmp_path / "there", tmp_path).read_text())
    here.mkdir(mode=0o700)
    (here / "personal.json").write_text(json.dumps(clash["personal"]))
    (here / "progress.json").write_text(json.dumps(clash["progress"]))
    broken = cli("--home", str(here), "list")
    assert broken.exit_code == 1 and "has the id of a guide link" in broken.stderr
    empty = tmp_path / "empty.json"
    empty.write_text('{"version": 1, "links": {}}')
    out = on(cli, here, "progress", "merge", str(empty))
    assert RENAMED in out
    assert load_progress(here).status(RENAMED) is Status.READ
    assert "Mine" in on(cli, here, "list")


def _git(where: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=where, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_a_remote_personal_link_with_a_guide_id_is_renamed_by_sync_not_pushed_back(
    cli: Invoke, tmp_path: Path
) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    clash = json.loads(_clashing_record(cli, tmp_path / "there", tmp_path).read_text())
    # The remote's record holds the clash (pushed by a machine with another guide).
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(remote), str(work)], check=True)
    (work / "personal.json").write_text(json.dumps(clash["personal"]))
    (work / "progress.json").write_text(json.dumps(clash["progress"]))
    _git(work, "checkout", "-q", "-b", "main")
    _git(work, "add", "-A")
    _git(work, "-c", "user.name=x", "-c", "user.email=x@example.com", "commit", "-qm", "clash")
    _git(work, "push", "-q", "origin", "main")
    here = tmp_path / "here"
    on(cli, here, "mark-read", "lora")
    on(cli, here, "sync", "--remote", str(remote))
    assert [p.link.id for p in load_personal(here)] == [RENAMED]
    assert load_progress(here).status(RENAMED) is Status.READ
    assert load_progress(here).status(LORA) is Status.READ
    assert "Mine" in on(cli, here, "list")
    pushed = json.loads(_git(remote, "show", "main:personal.json"))
    assert [p["id"] for p in pushed["links"]] == [RENAMED]


def test_a_merged_record_is_checked_as_a_whole_and_a_bad_one_changes_nothing(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700, exist_ok=True)
    link = {
        "title": "A",
        "url": MINE,
        "difficulty": "easy",
        "section": "lora",
        "added": "2026-01-01T00:00:00Z",
    }
    links = [{"id": "a", **link}, {"id": "a", **link, "url": MINE + "/2"}]
    twice = {"progress": {"version": 1, "links": {}}, "personal": {"version": 1, "links": links}}
    with pytest.raises(LlmdiveError, match="nothing was changed: .*two of your links have"):
        intake.write_record(home, twice)
    assert sorted(p.name for p in home.iterdir()) == []


# ---------------------------------------------------------------- duplicate ids on load


def test_two_personal_links_of_one_id_are_an_error_naming_both_and_nothing_is_lost(
    cli: Invoke, tmp_path: Path
) -> None:
    here = tmp_path / "here"
    on(cli, here, "add", MINE, "-t", "Mine", "-s", "lora")
    on(cli, here, "add", MINE + "/two", "-t", "Two", "-s", "lora")
    doc = json.loads((here / "personal.json").read_text())
    doc["links"][1]["id"] = doc["links"][0]["id"]
    (here / "personal.json").write_text(json.dumps(doc))
    before = (here / "personal.json").read_bytes()
    path = here / "personal.json"
    expected = (
        f"llmdive: error: {path}: two of your links have the id 'mine': links[0] ({MINE}) and "
        f"links[1] ({MINE}/two); give one of them another id: fix it or move it aside; "
        "llmdive has left it as it is"
    )
    for args in (["list"], ["remove", "mine"], ["undo"]):
        result = cli("--home", str(here), *args)
        assert result.exit_code == 1, result.output
        assert " ".join(result.stderr.split()) == expected
    assert (here / "personal.json").read_bytes() == before
    # A record holding such a file is not merged either.
    other = tmp_path / "other"
    result = cli("--home", str(other), "progress", "merge", str(path))
    assert result.exit_code == 1 and "two of your links have the id 'mine'" in result.stderr
    assert not (other / "personal.json").exists()


# ---------------------------------------------------------------- skewed clocks

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _record(progress: Progress) -> dict[str, Any]:
    return {"progress": progress.to_dict()}


def _merged(a: Progress, b: Progress) -> Progress:
    return Progress.from_dict(merge_records(_record(a), _record(b))["progress"])


def test_a_change_stamped_days_ahead_can_be_overridden_from_the_cli(
    cli: Invoke, tmp_path: Path
) -> None:
    here = tmp_path / "here"
    on(cli, here, "mark-read", "lora")
    data = json.loads((here / "progress.json").read_text())
    ahead = (datetime.now(UTC) + timedelta(days=3)).isoformat().replace("+00:00", "Z")
    data["links"][LORA]["events"][0]["at"] = data["links"][LORA]["changed"] = ahead
    (here / "progress.json").write_text(json.dumps(data))
    assert "read → unread" in on(cli, here, "mark-unread", "lora")
    assert load_progress(here).status(LORA) is Status.UNREAD
    assert "unread → read" in on(cli, here, "mark-read", "lora")
    assert load_progress(here).status(LORA) is Status.READ


def test_two_machines_with_clocks_days_apart_the_later_human_action_always_wins(
    catalogue: Catalogue,
) -> None:
    fast, slow = Progress(), Progress()  # the fast machine's clock runs 3 days ahead
    skew = timedelta(days=3)
    lora = catalogue.resolve_ids(["lora"])
    steps = [
        (fast, Status.READ),
        (slow, Status.UNREAD),
        (fast, Status.SKIPPED),
        (slow, Status.READING),
        (slow, Status.READ),
        (fast, Status.UNREAD),
    ]
    for minute, (machine, status) in enumerate(steps):
        other = slow if machine is fast else fast
        # Synced first: each action is made having seen every earlier one.
        merged = _merged(machine, other)
        clock = T0 + timedelta(minutes=minute) + (skew if machine is fast else timedelta())
        prog.set_status(merged, catalogue, lora, status, clock)
        assert merged.status(LORA) is status
        if machine is fast:
            fast = merged
        else:
            slow = merged
        # Merged back and forth, both machines agree on the later action.
        assert _merged(fast, slow).status(LORA) is status
        assert _merged(slow, fast).status(LORA) is status


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    offsets=st.lists(st.integers(-10 * 24 * 60, 10 * 24 * 60), min_size=2, max_size=2),
    actions=st.lists(
        st.tuples(st.integers(0, 1), st.sampled_from(list(Status)), st.booleans()),
        min_size=1,
        max_size=12,
    ),
)
def test_property_whatever_the_clocks_a_change_made_after_syncing_wins(
    catalogue: Catalogue,
    offsets: list[int],
    actions: list[tuple[int, Status, bool]],
) -> None:
    """Two machines, clocks up to ten days off either way; each action is taken after
    syncing with the other machine (or, when `synced` is False, on what it has), and the
    acting machine always sees its own action take effect."""
    machines = [Progress(), Progress()]
    lora = catalogue.resolve_ids(["lora"])
    last: Status | None = None
    for minute, (who, status, synced) in enumerate(actions):
        me = machines[who]
        if synced:
            me = _merged(me, machines[1 - who])
        clock = T0 + timedelta(minutes=minute + offsets[who])
        prog.set_status(me, catalogue, lora, status, clock)
        assert me.status(LORA) is status
        machines[who] = me
        last = status if synced else None
    if last is not None:  # the final action was taken having seen everything before it
        assert _merged(*machines).status(LORA) is last


# ---------------------------------------------------------------- undo and guide changes


def test_undo_after_guide_reset_never_reaches_past_it_to_an_older_mark(
    cli: Invoke, tmp_path: Path
) -> None:
    here = tmp_path / "here"
    on(cli, here, "guide", "update", "--from", str(FIXTURES / "guide-v3-additions.md"))
    on(cli, here, "mark-read", "annotated-transformer")  # only in the updated guide
    on(cli, here, "guide", "reset")
    result = cli("--home", str(here), "undo")
    assert result.exit_code == 1, result.output
    assert " ".join(result.stderr.split()).startswith(
        "llmdive: error: nothing to undo since `llmdive guide reset` at "
    )
    assert "not guide changes" in result.stderr
    assert "`llmdive guide update` brings an updated guide back" in result.stderr
    assert load_progress(here).status("annotated-transformer") is Status.READ
    # A change made after the reset is undone as ever; then undo stops again.
    on(cli, here, "mark-read", "dpo")
    assert "dpo" in on(cli, here, "undo")
    assert load_progress(here).status(DPO) is Status.UNREAD
    again = cli("--home", str(here), "undo")
    assert again.exit_code == 1 and "nothing to undo since" in again.stderr
    assert load_progress(here).status("annotated-transformer") is Status.READ


def test_undo_after_guide_update_is_refused_in_words_and_the_mark_before_stays(
    cli: Invoke, tmp_path: Path
) -> None:
    here = tmp_path / "here"
    on(cli, here, "mark-read", "lora")
    on(cli, here, "guide", "update", "--from", str(FIXTURES / "guide-v3-additions.md"))
    result = cli("--home", str(here), "undo")
    assert result.exit_code == 1, result.output
    assert "nothing to undo since a guide update (`llmdive guide update`)" in (
        " ".join(result.stderr.split())
    )
    assert load_progress(here).status(LORA) is Status.READ
    meta = json.loads((here / "guide-meta.json").read_text())
    assert meta["updates"][-1]["last_event"] == load_progress(here).links[LORA].changed


def test_a_guide_change_recorded_before_last_event_existed_still_bounds_undo(
    cli: Invoke, tmp_path: Path
) -> None:
    here = tmp_path / "here"
    on(cli, here, "mark-read", "lora")
    on(cli, here, "guide", "update", "--from", str(FIXTURES / "guide-v3-additions.md"))
    meta = json.loads((here / "guide-meta.json").read_text())
    del meta["updates"][-1]["last_event"]  # as an older llmdive wrote it
    (here / "guide-meta.json").write_text(json.dumps(meta))
    result = cli("--home", str(here), "undo")
    assert result.exit_code == 1 and "nothing to undo since" in result.stderr
    assert load_progress(here).status(LORA) is Status.READ
