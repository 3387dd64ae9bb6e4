"""git run for `llmdive sync`: a subprocess with a timeout in the home's own repository,
never through a shell, with the caller's GIT_* settings cleared and llmdive's own; what
git says comes back as one line with any URL's credentials taken out.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from llmdive.errors import LlmdiveError
from llmdive.model.urls import redact_credentials

LOCAL_TIMEOUT_S = 30.0
NETWORK_TIMEOUT_S = 120.0
IDENTITY = ("llmdive", "llmdive@localhost")
# What of the caller's environment git keeps: who the user is and how they reach a
# remote. Every other GIT_* variable (GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE,
# GIT_CONFIG_PARAMETERS, ...) could point git at another repository or setting.
KEPT_ENV = (
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_NOSYSTEM",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_SSH_VARIANT",
    "GIT_ASKPASS",
    "GIT_TERMINAL_PROMPT",
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
)
# llmdive's own settings, over any file's: no hooks, no filters or line-ending changes,
# no fsmonitor, no signing (a prompt no one sees), no submodules, no background gc.
OWN_CONFIG = (
    f"core.hooksPath={os.devnull}",
    "core.fsmonitor=false",
    "core.autocrlf=false",
    "core.safecrlf=false",
    f"core.attributesFile={os.devnull}",
    "commit.gpgSign=false",
    "submodule.recurse=false",
    "fetch.recurseSubmodules=false",
    "push.recurseSubmodules=no",
    "gc.auto=0",
    "maintenance.auto=false",
    "core.quotePath=false",
    "protocol.ext.allow=never",
)


class Git:
    """git in the home's own repository, as a subprocess with a timeout, in a clean setting."""

    def __init__(self, home: Path) -> None:
        exe = shutil.which("git")
        if exe is None:
            raise LlmdiveError(
                "git is not installed (or not on PATH): `llmdive sync` needs it; "
                "your record is as it was"
            )
        self.exe = exe
        self.home = home.absolute()  # git runs in it: a relative path would be its own
        home = self.home
        self.identity: list[str] = []
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in KEPT_ENV
        }
        self.env["GIT_MERGE_AUTOEDIT"] = "no"
        self.where = [f"--git-dir={home / '.git'}", f"--work-tree={home}"]

    def raw(
        self,
        *args: str,
        timeout: float = LOCAL_TIMEOUT_S,
        check: bool = True,
        data: bytes | None = None,
        where: list[str] | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        config = [arg for pair in OWN_CONFIG for arg in ("-c", pair)]
        argv = [self.exe, *(self.where if where is None else where), *config, *self.identity, *args]
        try:
            stdin = None if data is not None else subprocess.DEVNULL
            proc = subprocess.run(
                argv,
                cwd=self.home,
                capture_output=True,
                timeout=timeout,
                env=self.env,
                input=data,
                stdin=stdin,
            )
        except subprocess.TimeoutExpired:
            raise LlmdiveError(
                f"git {args[0]} took over {timeout:.0f}s and was stopped: nothing is lost "
                "(local changes stay committed here; a later `llmdive sync` picks up)"
            ) from None
        except OSError as exc:
            raise LlmdiveError(f"cannot run git: {exc.strerror or exc}") from exc
        if check and proc.returncode != 0:
            said = proc.stderr.decode("utf-8", "replace")
            raise LlmdiveError(f"git {args[0]} failed: {git_message(said)}")
        return proc

    def run(
        self, *args: str, timeout: float = LOCAL_TIMEOUT_S, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        proc = self.raw(*args, timeout=timeout, check=check)
        return subprocess.CompletedProcess(
            proc.args,
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
        )

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


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/?#@\s]*)@")


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
        return redact_credentials("; ".join(dict.fromkeys(said)))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return redact_credentials(lines[-1]) if lines else "no message"
