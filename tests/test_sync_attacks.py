"""`llmdive sync` against a remote an attacker controls, and in homes that are not its own.

The remote is a bare repository in tmp_path that the tests write to directly (git's
plumbing: any tree a hostile server could serve, symlinks and hooks folders included).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from llmdive.home.paths import bundled_guide
from llmdive.record.progress import load_progress

from .conftest import Invoke, subprocess_env
from .test_sync import DPO, LORA, git, on

SECRET = "s3cr3t-t0ken"


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(bare)], check=True)
    return bare


def blob(repo: Path, data: bytes) -> str:
    proc = subprocess.run(["git", "--git-dir", str(repo), "hash-object", "-w", "--stdin"],
                          input=data, capture_output=True, check=True)  # fmt: skip
    return proc.stdout.decode().strip()


def tree(repo: Path, entries: list[tuple[str, str, str, str]]) -> str:
    """entries: (mode, type, object id, name)."""
    listing = "".join(f"{m} {t} {sha}\t{name}\0" for m, t, sha, name in entries)
    proc = subprocess.run(["git", "--git-dir", str(repo), "mktree", "-z"],
                          input=listing.encode(), capture_output=True, check=True)  # fmt: skip
    return proc.stdout.decode().strip()


def plant(remote: Path, extra: list[tuple[str, str, str, str]], record: bool = True) -> None:
    """A commit on the remote's main: its record (as the last sync left it) plus `extra`."""
    parent = subprocess.run(["git", "--git-dir", str(remote), "rev-parse", "-q", "--verify",
                             "main"], capture_output=True, text=True).stdout.strip()  # fmt: skip
    entries: dict[str, tuple[str, str, str, str]] = {}
    if parent and record:
        for line in git(remote, "ls-tree", parent).splitlines():
            meta, name = line.split("\t")
            mode, kind, sha = meta.split()
            entries[name] = (mode, kind, sha, name)
    for entry in extra:
        entries[entry[3]] = entry
    top = tree(remote, list(entries.values()))
    me = ["-c", "user.name=Mallory", "-c", "user.email=m@example.com"]
    commit = git(remote, *me, "commit-tree", top, *(["-p", parent] if parent else []), "-m", "x")
    git(remote, "update-ref", "refs/heads/main", commit)


def snapshot(root: Path, *skip: Path) -> dict[str, tuple[int, bytes]]:
    """Every path under root (but the skipped folders): its mode and contents (or link)."""
    out: dict[str, tuple[int, bytes]] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if Path(folder, d) not in skip]
        for name in dirs + files:
            path = Path(folder, name)
            st = path.lstat()
            if path.is_symlink():
                data = os.readlink(path).encode()
            elif path.is_file():
                data = path.read_bytes()
            else:
                data = b""
            out[str(path)] = (st.st_mode, data)
    return out


def homes_synced(cli: Invoke, tmp_path: Path, remote: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "laptop", tmp_path / "desktop"
    on(cli, a, "mark-read", "lora")
    on(cli, a, "sync", "--remote", str(remote))
    on(cli, b, "skip", "dpo")
    on(cli, b, "sync", "--remote", str(remote))
    return a, b


def hostile_guide() -> bytes:
    text = bundled_guide().read_text(encoding="utf-8")
    assert "https://www.youtube.com/watch?v=PXWYUTMt-AU" in text
    return text.replace(
        "https://www.youtube.com/watch?v=PXWYUTMt-AU", "https://attacker.example/lora"
    ).encode()


PLANTS = ["journal", "guide", "linkcheck-symlink", "gitattributes", "hooks", "all"]


@pytest.mark.parametrize("what", PLANTS)
def test_a_remote_brings_a_record_and_nothing_else(
    cli: Invoke, tmp_path: Path, remote: Path, what: str
) -> None:
    a, b = homes_synced(cli, tmp_path, remote)
    victim = tmp_path / "victim.txt"
    victim.write_text("outside every home\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for llmdive\n")
    journal = {"version": 1, "changes": [{"path": str(victim), "real": str(victim),
                                          "temp": None}]}  # fmt: skip
    planted: dict[str, list[tuple[str, str, str, str]]] = {
        "journal": [("100644", "blob", blob(remote, json.dumps(journal).encode()),
                     ".llmdive-journal")],
        "guide": [("100644", "blob", blob(remote, hostile_guide()), "guide.toml")],
        "linkcheck-symlink": [("120000", "blob", blob(remote, str(secret).encode()),
                               "linkcheck.json")],
        "gitattributes": [("100644", "blob", blob(remote, b"* text eol=crlf\n"),
                           ".gitattributes")],
        "hooks": [("040000", "tree", tree(remote, [("100755", "blob",
                   blob(remote, f"#!/bin/sh\necho x > '{victim}'\n".encode()), "post-checkout")]),
                   "hooks")],
    }  # fmt: skip
    everything = [entry for entries in planted.values() for entry in entries]
    plant(remote, everything if what == "all" else planted[what])
    cache = tmp_path / "cache"  # llmdive's own cache (LLMDIVE_CACHE_DIR)
    outside = snapshot(tmp_path, b, remote, cache)
    on(cli, b, "sync")
    on(cli, b, "mark-read", "illustrated-gpt2")  # the next write command replays no planted journal
    on(cli, b, "sync")
    assert snapshot(tmp_path, b, remote, cache) == outside  # nothing outside the home touched
    assert victim.read_text() == "outside every home\n"
    for entry in everything if what == "all" else planted[what]:
        assert not os.path.lexists(b / entry[3])
    assert sorted(p.name for p in b.iterdir() if p.name != ".git") == [
        ".gitignore",
        "progress.json",
        "progress.json.lock",
    ]
    # The catalogue is the bundled one: an attacker's guide never replaces it.
    shown = json.loads(on(cli, b, "show", "lora", "--json"))
    assert shown["url"] == "https://www.youtube.com/watch?v=PXWYUTMt-AU"
    # The record did arrive, merged; and the commit this home pushed holds the record only.
    progress = load_progress(b)
    assert (progress.status(LORA).value, progress.status(DPO).value) == ("read", "skipped")
    assert git(b, "ls-tree", "--name-only", "HEAD").split() == [".gitignore", "progress.json"]
    assert git(b, "status", "--porcelain") == ""
    assert git(remote, "rev-parse", "main") == git(b, "rev-parse", "HEAD")


@pytest.mark.parametrize(
    ("mode", "kind", "said"),
    [("120000", "blob", "is a symbolic link, not a file"),
     ("160000", "commit", "is a submodule, not a file")],
)  # fmt: skip
def test_a_record_file_that_is_not_a_file_in_the_remote_is_refused_in_one_line(
    cli: Invoke, tmp_path: Path, remote: Path, mode: str, kind: str, said: str
) -> None:
    a, b = homes_synced(cli, tmp_path, remote)
    secret = tmp_path / "secret.json"
    secret.write_text('{"version": 1, "links": {}}')
    target = blob(remote, str(secret).encode()) if kind == "blob" else git(a, "rev-parse", "HEAD")
    plant(remote, [(mode, kind, target, "progress.json")])
    before = (b / "progress.json").read_bytes()
    result = cli("--home", str(b), "sync")
    assert result.exit_code == 1
    assert result.stderr == f"llmdive: error: origin/main:progress.json {said}: refused, " \
        "nothing was merged (your record is as it was)\n"  # fmt: skip
    assert (b / "progress.json").read_bytes() == before
    assert not (b / "progress.json").is_symlink()


def test_a_remote_record_over_the_size_bound_is_refused_unread(
    cli: Invoke, tmp_path: Path, remote: Path
) -> None:
    from llmdive.home.infile import RECORD_MAX_BYTES

    _, b = homes_synced(cli, tmp_path, remote)
    big = b'{"version": 1, "links": {}}' + b" " * RECORD_MAX_BYTES  # valid JSON, too large
    plant(remote, [("100644", "blob", blob(remote, big), "progress.json")])
    before = (b / "progress.json").read_bytes()
    result = cli("--home", str(b), "sync")
    assert result.exit_code == 1
    assert result.stderr == (
        "llmdive: error: origin/main:progress.json: larger than 32 MiB; not read: "
        "nothing was merged\n"
    )
    assert (b / "progress.json").read_bytes() == before


def project(tmp_path: Path) -> Path:
    """Someone's project: a repository with its own .gitignore, origin and files."""
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, "init", "-q", "--initial-branch=main")
    (repo / ".gitignore").write_text("*.pyc\n")
    (repo / "app.py").write_text("print('hi')\n")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=D", "-c", "user.email=d@example.com", "commit", "-qm", "app")
    git(repo, "remote", "add", "origin", "https://example.com/team/app.git")
    return repo


@pytest.mark.parametrize("inside", [False, True])
def test_a_home_that_is_or_is_inside_a_foreign_repository_is_refused(
    cli: Invoke, tmp_path: Path, remote: Path, inside: bool
) -> None:
    repo = project(tmp_path)
    home = repo / "notes" if inside else repo
    before = snapshot(repo)
    result = cli("--home", str(home), "sync", "--remote", str(remote))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    if inside:
        assert lines[0].startswith(f"llmdive: error: {home} is inside the git repository {repo}")
    else:
        assert lines[0].startswith(f"llmdive: error: {home} is a git repository llmdive did not")
    assert lines[0].endswith("nothing was changed")
    assert snapshot(repo) == before  # its files, .gitignore, config (origin) untouched
    assert git(repo, "remote", "get-url", "origin") == "https://example.com/team/app.git"
    assert git(remote, "for-each-ref") == ""  # nothing pushed


def test_git_variables_of_the_caller_never_reach_another_repository(
    cli: Invoke, tmp_path: Path, remote: Path
) -> None:
    repo = project(tmp_path)
    (repo / "draft.txt").write_text("not committed\n")
    before = snapshot(repo)
    home = tmp_path / "laptop"
    on(cli, home, "mark-read", "lora")
    env = {"GIT_DIR": str(repo / ".git"), "GIT_WORK_TREE": str(repo),
           "GIT_INDEX_FILE": str(repo / ".git" / "index")}  # fmt: skip
    result = cli("--home", str(home), "sync", "--remote", str(remote), env=env)
    assert result.exit_code == 0, result.stderr
    assert snapshot(repo) == before
    assert git(remote, "ls-tree", "--name-only", "main").split() == [".gitignore", "progress.json"]
    assert git(home, "ls-files").split() == [".gitignore", "progress.json"]


def fake_git(tmp_path: Path, home: Path) -> Path:
    """A git that, at the first command that takes the index, leaves index.lock and kills
    the llmdive that ran it (as a SIGKILL of llmdive and its git children would)."""
    real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "git"
    script.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do case "$a" in read-tree|add|reset)\n'
        f"  touch '{home}/.git/index.lock'; kill -9 $PPID; exit 1;; esac; done\n"
        f'exec {real.stdout.strip()} "$@"\n'
    )
    script.chmod(0o755)
    return bindir


def test_a_sync_killed_with_its_git_leaves_index_lock_and_the_next_sync_recovers(
    cli: Invoke, tmp_path: Path, remote: Path
) -> None:
    home = tmp_path / "laptop"
    on(cli, home, "sync", "--remote", str(remote))
    on(cli, home, "mark-read", "lora")
    bindir = fake_git(tmp_path, home)
    env = subprocess_env(PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}")
    killed = subprocess.run([sys.executable, "-m", "llmdive", "--home", str(home), "sync"],
                            env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    assert (home / ".git" / "index.lock").exists()
    on(cli, home, "mark-read", "dpo")
    on(cli, home, "sync")
    assert not (home / ".git" / "index.lock").exists()
    assert git(remote, "rev-parse", "main") == git(home, "rev-parse", "HEAD")
    assert git(home, "status", "--porcelain") == ""
    pushed = json.loads(git(remote, "show", "main:progress.json"))
    assert sorted(pushed["links"]) == [DPO, LORA]


def test_a_lock_no_killed_sync_explains_says_exactly_what_to_do(
    cli: Invoke, tmp_path: Path, remote: Path
) -> None:
    home = tmp_path / "laptop"
    on(cli, home, "sync", "--remote", str(remote))
    lock = home / ".git" / "index.lock"
    lock.touch()  # a git the reader runs by hand, or one killed outside llmdive
    result = cli("--home", str(home), "sync")
    assert result.exit_code == 1
    assert result.stderr == (
        f"llmdive: error: {lock} exists: a git command is running in {home}, or one was "
        f"stopped halfway; when none is running, remove it (rm '{lock}') and run "
        "`llmdive sync` again; nothing was changed\n"
    )
    lock.unlink()
    on(cli, home, "sync")


def with_password(tmp_path: Path, remote: Path) -> str:
    """A remote URL with a password in it, that git (told by the user's config) reaches."""
    url = f"https://reader:{SECRET}@git.example.invalid/reading.git"
    config = Path(os.environ["GIT_CONFIG_GLOBAL"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[url "{remote}"]\n\tinsteadOf = {url}\n')
    return url


def test_a_password_in_the_remote_url_is_never_printed(
    cli: Invoke, tmp_path: Path, remote: Path
) -> None:
    home = tmp_path / "laptop"
    url = with_password(tmp_path, remote)
    on(cli, home, "mark-read", "lora")
    shown = "https://git.example.invalid/reading.git"
    out = on(cli, home, "sync", "--remote", url)
    assert SECRET not in out and f"synced with {shown}" in out
    data = json.loads(on(cli, home, "sync", "--json"))
    assert data["remote"] == shown
    doctor = on(cli, home, "doctor")
    assert SECRET not in doctor and f"sync: through git with {shown}" in doctor
    assert SECRET not in on(cli, home, "doctor", "--json")
    # An error names the remote too: still without the password.
    Path(os.environ["GIT_CONFIG_GLOBAL"]).write_text("")
    failed = cli("--home", str(home), "sync")
    assert failed.exit_code == 1
    assert SECRET not in failed.stderr + failed.stdout
    assert failed.stderr.startswith(f"llmdive: error: cannot reach {shown}: ")


def test_redact_url_takes_credentials_out_as_git_does() -> None:
    from llmdive.record.git import redact_url

    assert redact_url("https://u:p@h.example/x.git") == "https://h.example/x.git"
    assert redact_url("https://token@h.example/x") == "https://h.example/x"
    assert redact_url("ssh://git@h.example/x") == "ssh://git@h.example/x"
    assert redact_url("ssh://git:pw@h.example/x") == "ssh://h.example/x"
    assert redact_url("git@h.example:you/x.git") == "git@h.example:you/x.git"
    assert redact_url("/srv/x.git") == "/srv/x.git"
    assert redact_url("unable to access 'https://u:p@h/x/': 403") == (
        "unable to access 'https://h/x/': 403"
    )


def test_a_gitignore_that_is_not_utf8_is_rewritten_not_a_traceback(
    cli: Invoke, tmp_path: Path, remote: Path
) -> None:
    home = tmp_path / "laptop"
    on(cli, home, "sync", "--remote", str(remote))
    (home / ".gitignore").write_bytes(b"\xff\xfe*\n")
    on(cli, home, "mark-read", "lora")
    assert "sent your changes" in on(cli, home, "sync")
    assert (home / ".gitignore").read_bytes().startswith(b"# Written by llmdive sync")


def test_a_machine_with_nothing_to_send_does_not_say_it_sent(
    cli: Invoke, tmp_path: Path, remote: Path
) -> None:
    a, b = tmp_path / "laptop", tmp_path / "desktop"
    on(cli, a, "mark-read", "lora")
    on(cli, a, "sync", "--remote", str(remote))
    out = on(cli, b, "sync", "--remote", str(remote))  # b has no record of its own
    assert out.splitlines()[-1] == "merged what arrived; nothing to send"
    data = json.loads(on(cli, b, "sync", "--json"))
    assert (data["merged"], data["sent"]) == (False, False)
    on(cli, b, "mark-read", "dpo")
    assert on(cli, b, "sync").splitlines()[-1] == "nothing arrived; sent your changes"


def test_a_relative_home_syncs_in_itself(
    cli: Invoke, tmp_path: Path, remote: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    on(cli, Path("laptop"), "mark-read", "lora")
    on(cli, Path("laptop"), "sync", "--remote", str(remote))
    assert git(tmp_path / "laptop", "ls-files").split() == [".gitignore", "progress.json"]
    assert not (tmp_path / "laptop" / "laptop").exists()


def test_hooks_in_the_home_repository_never_run(cli: Invoke, tmp_path: Path, remote: Path) -> None:
    home = tmp_path / "laptop"
    on(cli, home, "sync", "--remote", str(remote))
    ran = tmp_path / "hook-ran"
    hooks = home / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for name in ("pre-commit", "post-commit", "pre-push", "reference-transaction"):
        (hooks / name).write_text(f"#!/bin/sh\necho {name} >> '{ran}'\n")
        (hooks / name).chmod(0o755)
    on(cli, home, "mark-read", "lora")
    assert "sent your changes" in on(cli, home, "sync")
    assert not ran.exists()
