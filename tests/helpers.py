"""What several test modules share: paths of the repository and its fixtures, the in-process
CLI's type, a subprocess environment, and small helpers. Import from here:
`from tests.helpers import Invoke, ok`."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import Result

from tests.hostile import strip_ours

FIXTURES = Path(__file__).parent / "fixtures"
GUIDE_README = FIXTURES / "llm-deep-dive-README.md"
REPO = Path(__file__).resolve().parents[1]

Invoke = Callable[..., Result]

LORA_URL = "https://www.youtube.com/watch?v=PXWYUTMt-AU"


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for running `llmdive` as a real process inside the test's sandbox."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(extra)
    return env


def ok(result: Result) -> str:
    """The stdout of a command that must have succeeded (its output in the failure)."""
    assert result.exit_code == 0, result.output
    return result.stdout


def links_in(markdown: str) -> list[tuple[str, str]]:
    """(href, text) of every link a CommonMark renderer would make of `markdown`."""
    found = []
    for token in MarkdownIt("commonmark").parse(markdown):
        children = token.children or []
        for i, child in enumerate(children):
            if child.type == "link_open":
                inside = children[i + 1 :]
                inside = inside[: [c.type for c in inside].index("link_close")]
                text = "".join(c.content for c in inside if c.type == "text")
                found.append((str(child.attrs["href"]), text))
            assert child.type not in ("image", "html_inline"), child
        assert token.type != "html_block", token
    return found


def run_in_pty(home: Path, args: list[str], **extra: str) -> str:
    """Output of `llmdive ARGS` run on a pseudo-terminal, as a person at a terminal sees it."""
    main, sub = pty.openpty()
    env = subprocess_env(LLMDIVE_HOME=str(home), COLUMNS="100", TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    env.update(extra)
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmdive", *args],
        stdin=sub,
        stdout=sub,
        stderr=sub,
        env=env,
        close_fds=True,
    )
    os.close(sub)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


STEPS = ("write", "fsync", "replace", "unlink")


def failing_at(
    monkeypatch: pytest.MonkeyPatch, n: int, fail: Callable[[], BaseException]
) -> list[str]:
    """Make the n-th write/fsync/replace/unlink storage performs raise; the steps seen."""
    seen: list[str] = []
    for name in STEPS:
        real = getattr(os, name)

        def step(*args: object, _real: Callable[..., object] = real, _name: str = name) -> object:
            seen.append(_name)
            if len(seen) == n:
                raise fail()
            return _real(*args)

        monkeypatch.setattr(f"llmdive.home.storage.os.{name}", step)
    return seen


def git(where: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=where, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def on(cli: Invoke, home: Path, *args: str) -> str:
    result = cli("--home", str(home), *args)
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout


LORA, DPO = "lora-explained", "dpo-explained"


def screen(cli: Invoke, *args: str, width: int) -> str:
    env = {"FORCE_COLOR": "1", "COLUMNS": str(width), "LLMDIVE_URLS": "1"}
    return strip_ours(ok(cli(*args, env=env)))
