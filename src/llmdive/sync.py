"""`llmdive sync`: the llmdive home as a git repository, merged by llmdive itself.

Only progress.json and personal.json are tracked (the home's .gitignore lets nothing
else in: not the lock, temp files, the catalogue or the cache). Each machine follows
the guide itself; the ids a guide update gives are stable, so a link another machine
has and this one does not yet is kept as it came (an orphan) until this one updates.

A sync, under the home lock:

1. commits local changes (under the user's git identity, or llmdive's own when none
   is configured);
2. fetches the remote; when it has commits this home lacks, merges the two records
   with merge.merge_records (never a text merge, never a conflict), writes the result
   through storage, and commits it with both parents (or fast-forwards);
3. pushes; a push the remote rejects (someone pushed meanwhile) goes back to 2, a
   bounded number of times.

The same merge is registered as git's merge driver for the two files (in the home's
.git/config and .git/info/attributes), so a manual `git pull` there merges cleanly too.
git runs as a subprocess with a timeout, never through a shell; this is the only module
that runs it, and only `llmdive sync` imports it.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from llmdive.errors import LlmdiveError
from llmdive.merge import Report, fold_aliases, merge_records, report

BRANCH = "main"
REMOTE = "origin"
GITIGNORE = (
    "# Written by llmdive sync: only the reader's record is synced.\n"
    "/*\n!/.gitignore\n!/progress.json\n!/personal.json\n"
)
OWN_FILES = (".gitignore", "progress.json", "personal.json")
ATTRIBUTES = "progress.json merge=llmdive\npersonal.json merge=llmdive\n"
LOCAL_TIMEOUT_S = 30.0
NETWORK_TIMEOUT_S = 120.0
PUSH_ATTEMPTS = 3
IDENTITY = ("llmdive", "llmdive@localhost")


@dataclass
class SyncResult:
    remote: str
    committed: bool = False  # local changes committed by this sync
    merged: bool = False  # commits from elsewhere merged (or fast-forwarded) in
    pushed: bool = False
    arrived: Report = field(default_factory=Report)
    set_up: bool = False


class Git:
    """git in one repository, as a subprocess with a timeout."""

    def __init__(self, home: Path) -> None:
        exe = shutil.which("git")
        if exe is None:
            raise LlmdiveError(
                "git is not installed (or not on PATH): `llmdive sync` needs it; "
                "your record is as it was"
            )
        self.exe = exe
        self.home = home
        self.identity: list[str] = []

    def run(
        self, *args: str, timeout: float = LOCAL_TIMEOUT_S, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        argv = [self.exe, *self.identity, *args]
        env = {**os.environ, "GIT_MERGE_AUTOEDIT": "no"}
        try:
            proc = subprocess.run(argv, cwd=self.home, capture_output=True, text=True,
                                  timeout=timeout, env=env, stdin=subprocess.DEVNULL)  # fmt: skip
        except subprocess.TimeoutExpired:
            raise LlmdiveError(
                f"git {args[0]} took over {timeout:.0f}s and was stopped: nothing is lost "
                "(local changes stay committed here; a later `llmdive sync` picks up)"
            ) from None
        except OSError as exc:
            raise LlmdiveError(f"cannot run git: {exc.strerror or exc}") from exc
        if check and proc.returncode != 0:
            raise LlmdiveError(f"git {args[0]} failed: {git_message(proc.stderr)}")
        return proc

    def out(self, *args: str) -> str:
        return self.run(*args).stdout.strip()

    def ok(self, *args: str) -> bool:
        return self.run(*args, check=False).returncode == 0

    def use_own_identity_if_none(self) -> None:
        """Commit as the user when git knows who they are, else as llmdive."""
        found = self.run("config", "--get-regexp", r"^user\.(name|email)$", check=False)
        keys = {line.split(" ", 1)[0] for line in found.stdout.splitlines()}
        if keys != {"user.name", "user.email"}:
            name, email = IDENTITY
            self.identity = ["-c", f"user.name={name}", "-c", f"user.email={email}"]


def git_message(text: str) -> str:
    """What git said that matters, on one line: its reasons, without the advice after them.

    git follows the reason ("fatal: '/x.git' does not appear to be a git repository", or
    ssh's "Could not resolve hostname") with advice ("Please make sure you have the
    correct access rights / and the repository exists."): its last line alone says nothing.
    """
    said: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("Please make sure"):
            break
        if not line or line.lower().startswith("hint:"):
            continue
        for prefix in ("fatal:", "error:"):
            if line.lower().startswith(prefix):
                line = line[len(prefix) :].strip()
        if line:
            said.append(line.rstrip("."))
    if said:
        return "; ".join(dict.fromkeys(said))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def driver_command() -> str:
    """The merge driver git runs: this llmdive, through the Python it runs on."""
    return f"{shlex.quote(sys.executable)} -m llmdive progress merge-driver %O %A %B %P"


def is_set_up(home: Path) -> bool:
    return (home / ".git").is_dir()


def _local_config(home: Path) -> dict[str, str]:
    """The home's .git/config as git's `config --list` keys, read without running git."""
    import configparser

    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read(home / ".git" / "config", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return {}
    out = {}
    for section in parser.sections():
        head, _, sub = section.partition(" ")
        prefix = f"{head.lower()}.{sub.strip().strip(chr(34))}." if sub else f"{head.lower()}."
        for key, value in parser.items(section):
            out[prefix + key.lower()] = value
    return out


def _configure(git: Git, home: Path, remote: str | None) -> bool:
    """Driver, attributes, .gitignore, remote and branch tracking, set where they differ.

    True when the remote was added or changed.
    """
    from llmdive.storage import atomic_write

    info = home / ".git" / "info" / "attributes"
    if not info.is_file() or info.read_text(encoding="utf-8") != ATTRIBUTES:
        atomic_write(info, ATTRIBUTES)
    ignore = home / ".gitignore"
    if not ignore.is_file() or ignore.read_text(encoding="utf-8") != GITIGNORE:
        atomic_write(ignore, GITIGNORE)
    have = _local_config(home)
    changed = False
    if remote is not None and have.get(f"remote.{REMOTE}.url") != remote:
        if f"remote.{REMOTE}.url" in have:
            git.run("remote", "set-url", REMOTE, remote)
        else:
            git.run("remote", "add", REMOTE, remote)
        changed = True
    wanted = {
        "merge.llmdive.name": "llmdive: merge reading records",
        "merge.llmdive.driver": driver_command(),
        f"branch.{BRANCH}.remote": REMOTE,
        f"branch.{BRANCH}.merge": f"refs/heads/{BRANCH}",
        "pull.rebase": "false",
    }
    for key, value in wanted.items():
        if have.get(key) != value:
            git.run("config", "--local", key, value)
    return changed


def _commit_local(git: Git, message: str) -> bool:
    """Commit what changed here; False (and no commit) when nothing did."""
    if not git.out("status", "--porcelain", "--untracked-files=all"):
        return False
    git.run("add", "--all")  # .gitignore lets only the record in
    git.use_own_identity_if_none()
    git.run("commit", "-q", "--no-verify", "-m", message)
    return True


def _remote_ref() -> str:
    return f"refs/remotes/{REMOTE}/{BRANCH}"


def _fetch(git: Git, remote: str) -> None:
    proc = git.run("fetch", "-q", REMOTE, timeout=NETWORK_TIMEOUT_S, check=False)
    if proc.returncode != 0:
        raise LlmdiveError(
            f"cannot reach {remote}: {git_message(proc.stderr)}; nothing is lost: "
            "local changes are committed here and a later `llmdive sync` sends them"
        )


def _heads(git: Git) -> tuple[str, str | None]:
    """This home's commit, and the remote's (None when it has no branch yet)."""
    proc = git.run("rev-parse", "HEAD", _remote_ref(), check=False)
    lines = proc.stdout.split()
    if proc.returncode == 0 and len(lines) == 2:
        return lines[0], lines[1]
    return git.out("rev-parse", "HEAD"), None


def _show(git: Git, rev: str, name: str) -> bytes | None:
    """A file's bytes in a commit; None when the commit has no such file."""
    if not git.ok("cat-file", "-e", f"{rev}:{name}"):
        return None
    try:
        proc = subprocess.run([git.exe, "cat-file", "blob", f"{rev}:{name}"], cwd=git.home,
                              capture_output=True, timeout=LOCAL_TIMEOUT_S, check=True,
                              stdin=subprocess.DEVNULL)  # fmt: skip
    except (subprocess.SubprocessError, OSError) as exc:
        raise LlmdiveError(f"cannot read {name} from {REMOTE}/{BRANCH}: {exc}") from None
    return proc.stdout


def _merge_remote(
    git: Git, home: Path, head: str, theirs_rev: str, aliases: Mapping[str, str],
    reserved: Collection[str] = (),
) -> Report | None:  # fmt: skip
    """Bring the remote's commits in; what arrived, or None when there was nothing new."""
    from llmdive import reconcile

    if git.ok("merge-base", "--is-ancestor", theirs_rev, head):
        return None
    theirs: dict[str, object] = {}
    for name in ("progress.json", "personal.json"):
        data = _show(git, theirs_rev, name)
        if data is not None:
            theirs.update(reconcile.parse_record(data, Path(f"{REMOTE}/{BRANCH}:{name}")))
    ours = reconcile.home_record(home)
    # A personal link with a guide id gets its own; the whole is checked before it is written.
    merged = reconcile.merged_record(ours, theirs, aliases, reserved)
    reconcile.write_record(home, merged)
    # The merged tree is theirs with this home's files in it: anything else the repository
    # holds (a README its host made, say) is kept, never deleted by a merge.
    git.run("read-tree", theirs_rev)
    git.run("add", "--", *[n for n in OWN_FILES if (home / n).is_file()])
    tree = git.out("write-tree")
    if git.ok("merge-base", "--is-ancestor", head, theirs_rev) and tree == git.out(
        "rev-parse", f"{theirs_rev}^{{tree}}"
    ):
        new = theirs_rev  # a fast-forward: nothing here the remote lacks
    else:
        git.use_own_identity_if_none()
        new = git.out("commit-tree", tree, "-p", head, "-p", theirs_rev, "-m",
                      "llmdive sync: merge reading records")  # fmt: skip
    git.run("update-ref", "-m", "llmdive sync", "HEAD", new)
    git.run("reset", "-q")  # the index as the new commit has it
    names = git.run("ls-tree", "-z", "--name-only", new).stdout.split("\0")
    foreign = [n for n in names if n and n not in OWN_FILES and not (home / n).exists()]
    if foreign:
        git.run("checkout", "-q", new, "--", *foreign)
    return report(fold_aliases(merge_records(ours, {}), aliases), merged)


def sync(
    home: Path, remote: str | None = None, aliases: Mapping[str, str] | None = None,
    reserved: Collection[str] = (),
) -> SyncResult:  # fmt: skip
    """Commit, fetch, merge, push: see the module doc. `remote` sets it up (or changes it)."""
    from llmdive.progress import locked

    if remote is None and not is_set_up(home):
        raise LlmdiveError(
            f"{home} is not synced yet: set it up once with `llmdive sync --remote URL` "
            "(a private git repository: git@host:you/reading.git, https://..., or a path)"
        )
    git = Git(home)
    with locked(home):
        result = SyncResult(remote or "")
        if not is_set_up(home):
            git.run("init", "-q", f"--initial-branch={BRANCH}")
            result.set_up = True
        result.set_up |= _configure(git, home, remote)
        result.remote = _local_config(home).get(f"remote.{REMOTE}.url", "")
        result.committed = _commit_local(git, f"llmdive sync: reading record from {_host()}")
        push = None
        for _ in range(PUSH_ATTEMPTS):
            _fetch(git, result.remote)
            head, theirs = _heads(git)
            if theirs == head:
                return result
            if theirs is not None:
                arrived = _merge_remote(git, home, head, theirs, aliases or {}, reserved)
                if arrived is not None:
                    result.merged = True
                    _add_report(result.arrived, arrived)
                    if git.out("rev-parse", "HEAD") == theirs:
                        return result  # a fast-forward: nothing to send
            push = git.run("push", "-q", REMOTE, f"HEAD:refs/heads/{BRANCH}",
                           timeout=NETWORK_TIMEOUT_S, check=False)  # fmt: skip
            if push.returncode == 0:
                result.pushed = True
                git.run("update-ref", _remote_ref(), "HEAD", check=False)
                return result
            # Rejected (someone pushed meanwhile), or unreachable: fetching again tells.
        why = git_message(push.stderr) if push is not None else "no answer"
        raise LlmdiveError(
            f"{result.remote} kept rejecting the push ({why}); "
            "nothing is lost: your changes are committed here, run `llmdive sync` again"
        )


def _add_report(total: Report, more: Report) -> None:
    total.links.extend(more.links)
    total.personal_added.extend(more.personal_added)
    total.personal_removed.extend(more.personal_removed)
    total.personal_edited.extend(more.personal_edited)
    total.renamed.update(more.renamed)


def _host() -> str:
    import socket

    return socket.gethostname() or "this machine"
