"""`llmdive sync`: two llmdive homes and a bare repository in tmp_path as the remote."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from llmdive.model.models import Event
from llmdive.record.personal import load_personal
from llmdive.record.progress import load_progress
from tests.helpers import DPO, FIXTURES, LORA, Invoke, git, on


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    return bare


@pytest.fixture
def homes(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "laptop", tmp_path / "desktop"


def events_of(home: Path, link_id: str) -> list[dict[str, object]]:
    entry = load_progress(home).get(link_id)
    assert entry is not None
    return [e.to_dict() for e in sorted(entry.events, key=Event.order)]


@pytest.mark.parametrize("first", [0, 1])
def test_two_homes_sync_to_the_same_record(
    cli: Invoke, homes: tuple[Path, Path], remote: Path, first: int
) -> None:
    a, b = homes
    on(cli, a, "mark-read", "lora")
    on(cli, b, "skip", "lora")  # later than a's read
    on(cli, b, "mark-read", "dpo")
    order = [homes[first], homes[1 - first]]
    for home in order:
        on(cli, home, "sync", "--remote", str(remote))
    for home in order:
        on(cli, home, "sync")
    assert (a / "progress.json").read_bytes() == (b / "progress.json").read_bytes()
    for home in homes:
        progress = load_progress(home)
        assert progress.status(LORA).value == "skipped"
        assert progress.status(DPO).value == "read"
        assert [e["status"] for e in events_of(home, LORA)] == ["read", "skipped"]
    # Synced again, nothing moves: no new commit anywhere.
    before = git(remote, "rev-parse", "main")
    for home in homes:
        heads = git(home, "rev-list", "--count", "HEAD")
        assert "nothing arrived; nothing to send" in on(cli, home, "sync")
        assert git(home, "rev-list", "--count", "HEAD") == heads
    assert git(remote, "rev-parse", "main") == before


def test_notes_edited_on_both_sides_keep_both_texts(
    cli: Invoke, homes: tuple[Path, Path], remote: Path
) -> None:
    a, b = homes
    on(cli, a, "note", "lora", "from the laptop")
    on(cli, b, "note", "lora", "from the desktop")  # newer: it wins
    on(cli, a, "sync", "--remote", str(remote))
    arrived = on(cli, b, "sync", "--remote", str(remote))
    on(cli, a, "sync")
    assert "lora-explained" in arrived
    for home in homes:
        entry = load_progress(home).get(LORA)
        assert entry is not None and entry.note == "from the desktop"
        assert [e.get("note") for e in events_of(home, LORA)] == [
            "from the laptop",
            "from the desktop",
        ]


def test_a_personal_link_added_on_each_side_reaches_both(
    cli: Invoke, homes: tuple[Path, Path], remote: Path
) -> None:
    a, b = homes
    on(cli, a, "add", "https://example.com/mine", "-t", "Laptop find", "-s", "lora")
    on(cli, b, "add", "https://example.org/other", "-t", "Desktop find", "-s", "dpo")
    on(cli, a, "sync", "--remote", str(remote))
    on(cli, b, "sync", "--remote", str(remote))
    on(cli, a, "sync")
    for home in homes:
        assert sorted(p.link.title for p in load_personal(home)) == ["Desktop find", "Laptop find"]
    assert (a / "personal.json").read_bytes() == (b / "personal.json").read_bytes()
    assert "Desktop find" in on(cli, a, "list", "--section", "dpo")


def test_setting_up_against_an_existing_history_merges_it(
    cli: Invoke, homes: tuple[Path, Path], remote: Path
) -> None:
    a, b = homes
    on(cli, a, "mark-read", "lora")
    on(cli, a, "sync", "--remote", str(remote))
    on(cli, b, "mark-read", "dpo")  # b has its own record before it is set up
    on(cli, b, "sync", "--remote", str(remote))
    progress = load_progress(b)
    assert (progress.status(LORA).value, progress.status(DPO).value) == ("read", "read")
    # The remote's history is kept: the laptop's commit is an ancestor of the desktop's.
    first = git(a, "rev-parse", "HEAD")
    assert (
        subprocess.run(["git", "merge-base", "--is-ancestor", first, "HEAD"], cwd=b).returncode == 0
    )


def test_a_manual_git_pull_merges_through_the_driver(
    cli: Invoke, homes: tuple[Path, Path], remote: Path
) -> None:
    a, b = homes
    on(cli, a, "sync", "--remote", str(remote))
    on(cli, b, "sync", "--remote", str(remote))
    on(cli, b, "skip", "lora")
    on(cli, b, "add", "https://example.org/other", "-t", "Desktop find", "-s", "dpo")
    on(cli, b, "sync")
    on(cli, a, "mark-read", "dpo")
    on(cli, a, "add", "https://example.com/mine", "-t", "Laptop find", "-s", "lora")
    me = ["-c", "user.name=Reader", "-c", "user.email=reader@example.com"]
    git(a, "add", "--all")
    git(a, *me, "commit", "-qm", "by hand")
    git(a, *me, "pull", "-q")  # a real text conflict without the driver: both changed both files
    assert "<<<<<<<" not in (a / "progress.json").read_text()
    progress = load_progress(a)
    assert (progress.status(LORA).value, progress.status(DPO).value) == ("skipped", "read")
    assert sorted(p.link.title for p in load_personal(a)) == ["Desktop find", "Laptop find"]
    assert git(a, "status", "--porcelain") == ""
    on(cli, a, "sync")  # and llmdive carries on from there
    on(cli, b, "sync")
    assert (a / "progress.json").read_bytes() == (b / "progress.json").read_bytes()


def test_a_push_rejected_because_someone_pushed_meanwhile_is_merged_and_pushed_again(
    cli: Invoke, homes: tuple[Path, Path], remote: Path, tmp_path: Path
) -> None:
    a, b = homes
    on(cli, a, "sync", "--remote", str(remote))
    on(cli, b, "sync", "--remote", str(remote))
    on(cli, b, "mark-read", "dpo")
    me = ["-c", "user.name=Reader", "-c", "user.email=reader@example.com"]
    git(b, "add", "--all")
    git(b, *me, "commit", "-qm", "the desktop's change")
    git(b, "push", "-q", "origin", "HEAD:refs/heads/pending")
    # The remote takes the desktop's commit while the laptop's push is on its way.
    ran = tmp_path / "hook-ran"
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        f'[ -e "{ran}" ] && exit 0\n'
        f'touch "{ran}"\n'
        "unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES\n"
        "git update-ref refs/heads/main refs/heads/pending\n"
    )
    hook.chmod(0o755)
    on(cli, a, "mark-read", "lora")
    out = on(cli, a, "sync")
    assert ran.exists()
    assert "dpo-explained" in out  # what arrived in the second round
    progress = load_progress(a)
    assert (progress.status(LORA).value, progress.status(DPO).value) == ("read", "read")
    assert git(remote, "rev-parse", "main") == git(a, "rev-parse", "HEAD")
    on(cli, b, "sync")
    assert (a / "progress.json").read_bytes() == (b / "progress.json").read_bytes()


def test_an_unreachable_remote_is_one_line_and_a_later_sync_picks_up(
    cli: Invoke, homes: tuple[Path, Path], remote: Path, tmp_path: Path
) -> None:
    a, _ = homes
    on(cli, a, "sync", "--remote", str(remote))
    on(cli, a, "mark-read", "lora")
    away = tmp_path / "away.git"
    remote.rename(away)
    result = cli("--home", str(a), "sync")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"llmdive: error: cannot reach {remote}")
    assert "nothing is lost" in lines[0]
    assert load_progress(a).status(LORA).value == "read"
    away.rename(remote)
    assert "sent your changes" in on(cli, a, "sync")
    assert git(remote, "rev-parse", "main") == git(a, "rev-parse", "HEAD")


def test_a_remote_that_does_not_exist_says_what_git_said(
    cli: Invoke, homes: tuple[Path, Path], tmp_path: Path
) -> None:
    a, _ = homes
    on(cli, a, "mark-read", "lora")
    before = (a / "progress.json").read_bytes()
    missing = tmp_path / "does-not-exist.git"
    result = cli("--home", str(a), "sync", "--remote", str(missing))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"llmdive: error: cannot reach {missing}: ")
    assert "does not appear to be a git repository" in lines[0]
    assert "Could not read from remote repository" in lines[0]
    assert "and the repository exists" not in lines[0]
    assert "nothing is lost" in lines[0]
    assert (a / "progress.json").read_bytes() == before
    assert not missing.exists()


def test_without_git_one_clear_line_and_nothing_changes(
    cli: Invoke, homes: tuple[Path, Path], remote: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _ = homes
    on(cli, a, "mark-read", "lora")
    before = (a / "progress.json").read_bytes()
    monkeypatch.setenv("PATH", str(a))  # no git there
    result = cli("--home", str(a), "sync", "--remote", str(remote))
    assert result.exit_code == 1
    assert result.stderr == (
        "llmdive: error: git is not installed (or not on PATH): `llmdive sync` needs it; "
        "your record is as it was\n"
    )
    assert (a / "progress.json").read_bytes() == before
    assert not (a / ".git").exists()


def test_sync_before_set_up_says_how(cli: Invoke, homes: tuple[Path, Path]) -> None:
    result = cli("--home", str(homes[0]), "sync")
    assert result.exit_code == 1
    assert "llmdive sync --remote URL" in result.stderr


def test_commits_under_llmdive_when_git_knows_no_identity(
    cli: Invoke, homes: tuple[Path, Path], remote: Path
) -> None:
    a, _ = homes
    assert not Path(os.environ["GIT_CONFIG_GLOBAL"]).exists()
    on(cli, a, "mark-read", "lora")
    on(cli, a, "sync", "--remote", str(remote))
    assert git(a, "log", "-1", "--format=%an <%ae>") == "llmdive <llmdive@localhost>"


def test_only_the_record_is_tracked(cli: Invoke, homes: tuple[Path, Path], remote: Path) -> None:
    a, _ = homes
    on(cli, a, "mark-read", "lora")
    on(cli, a, "add", "https://example.com/mine", "-t", "Mine", "-s", "lora")
    guide = FIXTURES / "guide-v2-renamed.md"
    on(cli, a, "guide", "update", "--from", str(guide))
    (a / "progress.sync-conflict-20300101-000000-ABCDEFG.json").write_text("{}")
    on(cli, a, "sync", "--remote", str(remote))
    assert git(a, "ls-files").split() == [".gitignore", "personal.json", "progress.json"]
    assert git(a, "status", "--porcelain") == ""
    config = git(a, "config", "--local", "--get", "merge.llmdive.driver")
    assert config.endswith("-m llmdive progress merge-driver %O %A %B %P")
    assert (a / ".git" / "info" / "attributes").read_text() == (
        "progress.json merge=llmdive\npersonal.json merge=llmdive\n"
    )
    assert git(a, "rev-parse", "--abbrev-ref", "main@{upstream}") == "origin/main"


def test_sync_json_says_what_arrived(cli: Invoke, homes: tuple[Path, Path], remote: Path) -> None:
    a, b = homes
    on(cli, a, "mark-read", "lora")
    on(cli, a, "sync", "--remote", str(remote))
    data = json.loads(on(cli, b, "sync", "--remote", str(remote), "--json"))
    assert (data["set_up"], data["merged"]) == (True, True)
    assert [(c["id"], c["status"], c["link"]["status"]) for c in data["arrived"]["links"]] == [
        (LORA, "read", "read")
    ]


def test_a_personal_link_edited_on_one_side_and_removed_on_the_other_follows_the_latest(
    cli: Invoke, homes: tuple[Path, Path], remote: Path
) -> None:
    a, b = homes
    on(cli, a, "add", "https://example.com/one", "-t", "One", "-s", "lora")
    on(cli, a, "add", "https://example.com/two", "-t", "Two", "-s", "lora")
    on(cli, a, "sync", "--remote", str(remote))
    on(cli, b, "sync", "--remote", str(remote))
    on(cli, b, "edit", "one", "--title", "One, better")
    on(cli, a, "remove", "two")
    on(cli, b, "sync")
    at_a = on(cli, a, "sync")
    at_b = on(cli, b, "sync")
    assert "one  your link, edited elsewhere  One, better" in at_a
    assert "two  your link, removed elsewhere  Two" in at_b
    for home in homes:
        assert [p.link.title for p in load_personal(home)] == ["One, better"]
    assert (a / "personal.json").read_bytes() == (b / "personal.json").read_bytes()
    assert (a / "progress.json").read_bytes() == (b / "progress.json").read_bytes()


def test_other_files_the_repository_holds_are_kept_and_never_checked_out(
    cli: Invoke, homes: tuple[Path, Path], remote: Path, tmp_path: Path
) -> None:
    # A repository made on a git host, with a README in it before llmdive ever synced.
    seed = tmp_path / "seed"
    seed.mkdir()
    git(seed, "init", "-q", "--initial-branch=main")
    (seed / "README.md").write_text("My reading record\n")
    git(seed, "add", "README.md")
    git(seed, "-c", "user.name=R", "-c", "user.email=r@example.com", "commit", "-qm", "init")
    git(seed, "push", "-q", str(remote), "main")
    a, b = homes
    on(cli, a, "mark-read", "lora")
    on(cli, a, "sync", "--remote", str(remote))
    on(cli, b, "sync", "--remote", str(remote))
    assert git(remote, "ls-tree", "--name-only", "main").split() == [
        ".gitignore",
        "README.md",
        "progress.json",
    ]
    # Kept in the repository, never checked out: a remote brings a record and nothing else.
    assert not (b / "README.md").exists()
    assert git(b, "show", "HEAD:README.md") == "My reading record"
    assert git(b, "status", "--porcelain") == ""
    on(cli, b, "mark-read", "dpo")
    on(cli, b, "sync")  # a commit of b's own keeps it too
    assert git(remote, "show", "main:README.md") == "My reading record"
    assert git(b, "status", "--porcelain") == ""
    assert load_progress(b).status(LORA).value == "read"


def test_git_message_keeps_the_reasons_and_drops_the_advice() -> None:
    from llmdive.record.git import git_message

    said = (
        "ssh: Could not resolve hostname nohost: Name or service not known\r\n"
        "fatal: Could not read from remote repository.\n\n"
        "Please make sure you have the correct access rights\n"
        "and the repository exists.\n"
    )
    assert git_message(said) == (
        "ssh: Could not resolve hostname nohost: Name or service not known; "
        "Could not read from remote repository"
    )
    assert git_message("hint: try this\nerror: failed to push some refs\n") == (
        "failed to push some refs"
    )
    assert git_message("") == "no message"


def test_the_sync_report_lines_up_your_links_with_the_guides(
    cli: Invoke, homes: tuple[Path, Path], remote: Path
) -> None:
    a, b = homes
    on(cli, a, "mark-read", "lora")
    on(cli, a, "add", "https://example.com/mine", "-t", "Laptop find", "-s", "lora")
    on(cli, a, "sync", "--remote", str(remote))
    out = on(cli, b, "sync", "--remote", str(remote)).splitlines()
    rows = out[out.index("from elsewhere:") + 1 : -2]
    assert [r.split()[0] for r in rows] == [LORA, "laptop-find"]
    lora, mine = rows
    assert lora.index("unread → read") == mine.index("your link, added elsewhere")
    assert lora.index("Umar Jamil: LoRA") == mine.index("Laptop find")
