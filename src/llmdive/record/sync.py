"""`llmdive sync`: the llmdive home as a git repository, merged by llmdive itself.

Only progress.json and personal.json are synced. Each machine follows the guide itself;
the ids a guide update gives are stable, so a link another machine has and this one
does not yet is kept as it came (an orphan) until this one updates.

A remote brings a record and nothing else. llmdive never checks anything out: it reads
the remote's progress.json and personal.json as blobs (regular files only, bounded in
size), merges them through the same path as `progress merge`, writes the result
through storage, and builds its commits itself (hash-object, mktree, commit-tree,
update-ref). A journal, a guide, link results, a symlink, a .gitattributes or a hooks
folder in the remote's tree never lands in the home. git runs with the caller's GIT_*
variables cleared (but for the few that say who the user is and how they reach a
remote) and with llmdive's own settings: no hooks, no filters, no signing prompts.
The home must be a repository llmdive made (or no repository, inside none).

A sync, under the home lock:

1. commits local changes (under the user's git identity, or llmdive's own when none
   is configured);
2. fetches the remote; when it has commits this home lacks, merges the two records
   (never a text merge, never a conflict), and commits the result with both parents
   (or fast-forwards);
3. pushes; a push the remote rejects (someone pushed meanwhile) goes back to 2, a
   bounded number of times.

The same merge is registered as git's merge driver for the two files (in the home's
.git/config and .git/info/attributes), so a manual `git pull` there merges cleanly too.
git runs as a subprocess with a timeout, never through a shell (git.py, the only module
that runs it); only `llmdive sync` imports this module.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import sys
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from llmdive.errors import LlmdiveError
from llmdive.home.infile import RECORD_MAX_BYTES, read_limited, too_large
from llmdive.home.lock import locked
from llmdive.home.paths import (
    ACTIVE_GUIDE,
    CHECKS_FILE,
    GUIDES_FILE,
    META_FILE,
    PERSONAL_FILE,
    PROGRESS_FILE,
)
from llmdive.home.storage import atomic_write
from llmdive.model.urls import redact_credentials
from llmdive.record import intake
from llmdive.record.git import NETWORK_TIMEOUT_S, Git, git_message
from llmdive.record.merge import Report

if TYPE_CHECKING:
    from llmdive.guide.followed import Followed

BRANCH = "main"
REMOTE = "origin"
GITIGNORE = (
    "# Written by llmdive sync: only the reader's record is synced.\n"
    "/*\n!/.gitignore\n!/progress.json\n!/personal.json\n!/guides.json\n"
)
# guides.json: the names and sources of the guides followed, never their content.
OWN_FILES = (".gitignore", PROGRESS_FILE, PERSONAL_FILE, GUIDES_FILE)
RECORD_FILES = (PROGRESS_FILE, PERSONAL_FILE)
ATTRIBUTES = "progress.json merge=llmdive\npersonal.json merge=llmdive\n"
PUSH_ATTEMPTS = 3
MARKER = "llmdive.home"  # in .git/config: this repository is one llmdive made
RUNNING = "llmdive-sync"  # in .git while a sync runs git: left behind, a sync was killed
NEW_GIT_DIR = ".git.llmdive-new"  # a repository being made, renamed to .git when whole
# git's own lock files (a git killed while it held one leaves it, and git then refuses).
_GIT_LOCKS = ("index.lock", "HEAD.lock", "config.lock", "packed-refs.lock", "shallow.lock")
_FILE_MODES = ("100644", "100755")
_KINDS = {"120000": "a symbolic link", "160000": "a submodule", "040000": "a folder"}


@dataclass
class SyncResult:
    remote: str
    committed: bool = False  # local changes committed by this sync
    merged: bool = False  # commits from elsewhere merged (or fast-forwarded) in
    pushed: bool = False
    sent: bool = False  # the remote's record changed (not only a merge commit went up)
    arrived: Report = field(default_factory=Report)
    set_up: bool = False


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


def _is_ours(home: Path) -> bool:
    """The home's .git is a repository llmdive made (or set up, before it marked them)."""
    have = _local_config(home)
    return have.get(MARKER) == "true" or "merge.llmdive.driver" in have


def check_home(home: Path) -> None:
    """Refuse a home that is, or is inside, a git repository llmdive did not make."""
    dotgit = home / ".git"
    if os.path.lexists(dotgit):
        if dotgit.is_symlink() or not dotgit.is_dir() or not _is_ours(home):
            raise LlmdiveError(
                f"{home} is a git repository llmdive did not make: `llmdive sync` keeps a "
                "repository of its own in the llmdive home and never syncs another; give it "
                "a home of its own (--home or LLMDIVE_HOME); nothing was changed"
            )
        return
    for parent in home.absolute().parents:
        if os.path.lexists(parent / ".git"):
            raise LlmdiveError(
                f"{home} is inside the git repository {parent}: `llmdive sync` keeps a "
                "repository of its own and never one inside another; give it a home outside "
                f"{parent} (--home or LLMDIVE_HOME); nothing was changed"
            )


def _git_locks(dotgit: Path) -> list[Path]:
    locks = [dotgit / name for name in _GIT_LOCKS if os.path.lexists(dotgit / name)]
    if (dotgit / "refs").is_dir():
        locks += sorted((dotgit / "refs").rglob("*.lock"))
    return locks


def stale_lock(home: Path) -> str | None:
    """A git lock file in the home's repository that no killed sync explains (sync would
    stop on it), said with what to do; None when sync can go ahead."""
    dotgit = home / ".git"
    locks = _git_locks(dotgit)
    if not locks or os.path.lexists(dotgit / RUNNING):
        return None
    return (
        f"{locks[0]} exists: a git command is running in {home}, or one was stopped "
        f"halfway; when none is running, remove it (rm '{locks[0]}') and run "
        "`llmdive sync` again"
    )


@contextlib.contextmanager
def _running(home: Path) -> Iterator[None]:
    """Mark a sync as under way in .git; a mark left behind means one was killed.

    Under the home lock, git runs in the home only for llmdive (or for the reader by
    hand). A lock file git left while a killed sync's git held it is stale, and removed;
    one that no killed sync explains is reported with what to do.
    """

    dotgit = home / ".git"
    mark = dotgit / RUNNING
    locks = _git_locks(dotgit)
    stale = stale_lock(home)
    if stale is not None:
        raise LlmdiveError(f"{stale}; nothing was changed")
    for lock in locks:  # left by the git of a sync that was killed
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
    if dotgit.is_dir():
        atomic_write(mark, f"{os.getpid()}\n")
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            mark.unlink()


def _init(git: Git, home: Path) -> None:
    """Make the home's repository whole or not at all: made aside, then renamed to .git."""
    new = git.home / NEW_GIT_DIR
    if new.exists():
        shutil.rmtree(new)  # one a killed sync was making
    git.raw("init", "-q", "--bare", "--template=", f"--initial-branch={BRANCH}", str(new), where=[])
    inside = [f"--git-dir={new}"]
    for key, value in (("core.bare", "false"), (MARKER, "true")):
        git.raw("config", "--local", key, value, where=inside)
    os.rename(new, home / ".git")

    atomic_write(home / ".git" / RUNNING, f"{os.getpid()}\n")


def _configure(git: Git, home: Path, remote: str | None) -> bool:
    """Driver, attributes, .gitignore, remote and branch tracking, set where they differ.

    True when the remote was added or changed.
    """

    info = home / ".git" / "info" / "attributes"
    if not info.is_file() or info.read_bytes() != ATTRIBUTES.encode():
        atomic_write(info, ATTRIBUTES)
    ignore = home / ".gitignore"
    if ignore.is_symlink() or not ignore.is_file() or ignore.read_bytes() != GITIGNORE.encode():
        with contextlib.suppress(FileNotFoundError):
            if ignore.is_symlink():
                ignore.unlink()  # replaced, never written through
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
        MARKER: "true",
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


# ---------------------------------------------------------------- trees, built by hand


@dataclass(frozen=True)
class Entry:
    mode: str
    kind: str
    sha: str
    name: bytes


def _entries(git: Git, rev: str) -> dict[bytes, Entry]:
    """The top-level entries of a commit's tree, by name (bytes: git names are bytes)."""
    out: dict[bytes, Entry] = {}
    for item in git.raw("ls-tree", "-z", rev).stdout.split(b"\0"):
        if not item:
            continue
        meta, _, name = item.partition(b"\t")
        mode, kind, sha = meta.decode("ascii").split(" ")
        out[name] = Entry(mode, kind, sha, name)
    return out


def _foreign_kept(entry: Entry) -> bool:
    """Another file the repository holds (a README its host made): kept in its commits.

    Only a plain file whose name llmdive never uses; it is never checked out.
    """

    name = entry.name.decode("utf-8", "replace")
    return (
        entry.mode in _FILE_MODES
        and name not in OWN_FILES
        and not name.startswith(".")
        and name not in (ACTIVE_GUIDE, META_FILE, CHECKS_FILE, "cache")
        and not name.endswith(".lock")
    )


def _own_bytes(path: Path) -> bytes | None:
    """A file of the home's record as it is now; None when there is none."""

    if not os.path.lexists(path):
        return None
    if path.is_symlink() or not path.is_file():
        raise LlmdiveError(f"{path} is not a plain file: llmdive syncs only its own files")
    try:
        return read_limited(path, RECORD_MAX_BYTES)
    except OSError as exc:
        raise LlmdiveError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _tree(git: Git, home: Path, base: Mapping[bytes, Entry]) -> str:
    """The tree of `base`'s kept files with the home's own files as they are now."""
    entries = {n: e for n, e in base.items() if _foreign_kept(e)}
    for name in OWN_FILES:
        data = _own_bytes(home / name)
        if data is not None:
            sha = git.raw("hash-object", "-w", "--no-filters", "--stdin", data=data)
            key = name.encode()
            entries[key] = Entry("100644", "blob", sha.stdout.decode().strip(), key)
    listing = b"".join(
        f"{e.mode} {e.kind} {e.sha}\t".encode() + e.name + b"\0" for _, e in sorted(entries.items())
    )
    return git.raw("mktree", "-z", data=listing).stdout.decode().strip()


def _commit(git: Git, tree: str, parents: list[str], message: str, old: str | None) -> str:
    """A commit of `tree` on `parents`, made HEAD (only if HEAD is still `old`)."""
    git.use_own_identity_if_none()
    args = ["commit-tree", tree]
    for parent in parents:
        args += ["-p", parent]
    new = git.out(*args, "-m", message)
    git.run("update-ref", "-m", "llmdive sync", "HEAD", new, *([old] if old else []))
    return new


def _head(git: Git) -> str | None:
    proc = git.run("rev-parse", "--verify", "-q", "HEAD", check=False)
    return proc.stdout.strip() if proc.returncode == 0 else None


def _commit_local(git: Git, home: Path, message: str) -> bool:
    """Commit what changed here; False (and no commit) when nothing did."""
    head = _head(git)
    tree = _tree(git, home, _entries(git, head) if head else {})
    if head is not None and tree == git.out("rev-parse", f"{head}^{{tree}}"):
        return False
    _commit(git, tree, [head] if head else [], message, head)
    return True


def _mirror_index(git: Git, home: Path) -> None:
    """The index as HEAD has it, so that `git status` in the home is clean.

    The files llmdive never checks out (a README the remote holds) are marked
    skip-worktree: absent from the home, and not deleted by a commit made by hand.
    """
    if _head(git) is None:
        return
    git.run("read-tree", "HEAD")
    names = [n for n in git.raw("ls-files", "-z").stdout.split(b"\0") if n]
    foreign = b"".join(n + b"\0" for n in names if n.decode("utf-8", "replace") not in OWN_FILES)
    if foreign:
        git.raw("update-index", "--skip-worktree", "-z", "--stdin", data=foreign)
    git.run("update-index", "-q", "--refresh", check=False)


# ---------------------------------------------------------------- the remote


def _remote_ref() -> str:
    return f"refs/remotes/{REMOTE}/{BRANCH}"


def _fetch(git: Git, remote: str) -> None:
    proc = git.run(
        "fetch", "-q", "--no-recurse-submodules", REMOTE, timeout=NETWORK_TIMEOUT_S, check=False
    )
    if proc.returncode != 0:
        raise LlmdiveError(
            f"cannot reach {redact_credentials(remote)}: {git_message(proc.stderr)}; "
            "nothing is lost: "
            "local changes are committed here and a later `llmdive sync` sends them"
        )


def _heads(git: Git) -> tuple[str, str | None]:
    """This home's commit, and the remote's (None when it has no branch yet)."""
    proc = git.run("rev-parse", "HEAD", _remote_ref(), check=False)
    lines = proc.stdout.split()
    if proc.returncode == 0 and len(lines) == 2:
        return lines[0], lines[1]
    return git.out("rev-parse", "HEAD"), None


def remote_blob(git: Git, entry: Entry) -> bytes:
    """The bytes of a record file in the remote's tree: a plain file, bounded in size.

    The one place a remote's bytes are read (parsed after by intake.parse_record).
    """

    shown = f"{REMOTE}/{BRANCH}:{entry.name.decode('utf-8', 'replace')}"
    if entry.mode not in _FILE_MODES or entry.kind != "blob":
        kind = _KINDS.get(entry.mode, f"of mode {entry.mode}")
        raise LlmdiveError(
            f"{shown} is {kind}, not a file: refused, nothing was merged (your record is as it was)"
        )
    size = int(git.out("cat-file", "-s", entry.sha))
    if size > RECORD_MAX_BYTES:
        raise LlmdiveError(f"{too_large(shown, RECORD_MAX_BYTES)}: nothing was merged")
    return git.raw("cat-file", "blob", entry.sha).stdout[: RECORD_MAX_BYTES + 1]


def _merge_remote(
    git: Git,
    home: Path,
    head: str,
    theirs_rev: str,
    aliases: Mapping[str, str],
    reserved: Collection[str] = (),
) -> Report | None:
    """Bring the remote's commits in; what arrived, or None when there was nothing new."""
    if git.ok("merge-base", "--is-ancestor", theirs_rev, head):
        return None
    theirs_tree = _entries(git, theirs_rev)
    guides = _remote_guides(git, theirs_tree)  # validated before anything is written
    theirs: dict[str, object] = {}
    for name in RECORD_FILES:
        entry = theirs_tree.get(name.encode())
        if entry is not None:
            where = Path(f"{REMOTE}/{BRANCH}:{name}")
            theirs.update(intake.parse_remote_record(remote_blob(git, entry), where))
    # The same path as `progress merge`: the whole record validated, then written at once.
    arrived = intake.merge_held(home, theirs, aliases=aliases, reserved=reserved)
    if guides:
        _follow_too(home, guides)
    # The merged tree is theirs with this home's files in it: anything else the repository
    # holds (a README its host made, say) is kept in it, never deleted, never checked out.
    tree = _tree(git, home, theirs_tree)
    if git.ok("merge-base", "--is-ancestor", head, theirs_rev) and tree == git.out(
        "rev-parse", f"{theirs_rev}^{{tree}}"
    ):
        git.run("update-ref", "-m", "llmdive sync", "HEAD", theirs_rev, head)
    else:
        _commit(git, tree, [head, theirs_rev], "llmdive sync: merge reading records", head)
    return arrived


def _remote_guides(git: Git, tree: Mapping[bytes, Entry]) -> list[Followed]:
    """The guides the remote's guides.json follows, validated as strictly as a local one
    (names are slugs, so never a path); only those read from an http(s) URL: a file on
    another machine means nothing here, and a remote never makes this home read a file."""
    from llmdive.guide.followed import parse_followed
    from llmdive.model.urls import UrlError, check_fetch_source, has_scheme

    entry = tree.get(GUIDES_FILE.encode())
    if entry is None:
        return []
    where = Path(f"{REMOTE}/{BRANCH}:{GUIDES_FILE}")
    try:
        followed = parse_followed(remote_blob(git, entry), where)
    except LlmdiveError as exc:
        raise LlmdiveError(
            f"{str(exc).splitlines()[0]}; refused, nothing was merged (your record is as it was)"
        ) from None
    found = []
    for guide in followed:
        if not has_scheme(guide.source):
            continue
        try:
            check_fetch_source(guide.source)
        except (UrlError, LlmdiveError):
            continue
        found.append(guide)
    return found


def _follow_too(home: Path, theirs: list[Followed]) -> None:
    """Follow here the guides the other machine follows that this home does not (by name;
    one followed here under that name stays as it is). `guide update` then fetches them."""
    from llmdive.guide.followed import guides_bytes, load_followed

    mine = load_followed(home)
    names = {g.name for g in mine}
    new = [g for g in theirs if g.name not in names]
    if new:
        atomic_write(home / GUIDES_FILE, guides_bytes([*mine, *new]))


def _record_tree(git: Git, rev: str | None) -> dict[bytes, str]:
    """The record's blobs in a commit (name -> object id)."""
    if rev is None:
        return {}
    entries = _entries(git, rev)
    return {n.encode(): entries[n.encode()].sha for n in RECORD_FILES if n.encode() in entries}


def sync(
    home: Path,
    remote: str | None = None,
    aliases: Mapping[str, str] | None = None,
    reserved: Collection[str] = (),
) -> SyncResult:
    """Commit, fetch, merge, push: see the module doc. `remote` sets it up (or changes it)."""

    if remote is None and not is_set_up(home):
        raise LlmdiveError(
            f"{home} is not synced yet: set it up once with `llmdive sync --remote URL` "
            "(a private git repository: git@host:you/reading.git, https://..., or a path)"
        )
    check_home(home)
    git = Git(home)
    with locked(home):
        check_home(home)
        with _running(home):
            try:
                return _sync(git, home, remote, aliases or {}, reserved)
            finally:
                if is_set_up(home):
                    with contextlib.suppress(LlmdiveError):
                        _mirror_index(git, home)


def _sync(
    git: Git,
    home: Path,
    remote: str | None,
    aliases: Mapping[str, str],
    reserved: Collection[str],
) -> SyncResult:
    result = SyncResult(redact_credentials(remote or ""))
    if not is_set_up(home):
        _init(git, home)
        result.set_up = True
    result.set_up |= _configure(git, home, remote)
    url = _local_config(home).get(f"remote.{REMOTE}.url", "")
    result.remote = redact_credentials(url)
    result.committed = _commit_local(git, home, f"llmdive sync: reading record from {_host()}")
    push = None
    for _ in range(PUSH_ATTEMPTS):
        _fetch(git, url)
        head, theirs = _heads(git)
        if theirs == head:
            return result
        if theirs is not None:
            arrived = _merge_remote(git, home, head, theirs, aliases, reserved)
            if arrived is not None:
                result.merged = True
                _add_report(result.arrived, arrived)
                if git.out("rev-parse", "HEAD") == theirs:
                    return result  # a fast-forward: nothing to send
        had = _record_tree(git, theirs)
        push = git.run(
            "push",
            "-q",
            "--no-recurse-submodules",
            REMOTE,
            f"HEAD:refs/heads/{BRANCH}",
            timeout=NETWORK_TIMEOUT_S,
            check=False,
        )
        if push.returncode == 0:
            result.pushed = True
            # Sent: the remote's record now differs from what it held, not merely a commit.
            result.sent = _record_tree(git, "HEAD") != had
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
