"""A call builds only the command it runs, and says exactly what the whole app says.

`main()` hands Typer the one command named on the command line (tests/test_startup.py
pins what each command loads); here every argv of a corpus is run through the whole app,
through `main(fast=False)` (Typer, one command built) and through `main()` (the fast path
of cli/fast.py where it takes the argv), each in a fresh home, and must give the same
stdout, stderr and exit code.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import subprocess_env

WHOLE_APP = 'from llmdive.cli import app; app(prog_name="llmdive")'
THROUGH_MAIN = "from llmdive.cli import main; main(fast=False)"
FAST = "from llmdive.cli import main; main()"

CORPUS = [
    ["next"],
    ["next", "--json"],
    ["next", "--bogus"],
    ["next", "extra"],
    ["--home", "{home}", "next"],
    ["next", "--home", "{home}"],
    ["--home={home}", "--urls", "next"],
    ["--guide", "{home}/missing.toml", "next"],
    ["--home"],
    ["--version"],
    ["--version", "next"],
    ["--urls", "--version"],
    ["--version", "--help"],
    ["--help"],
    ["next", "-h"],
    ["list", "--section", "finetuning"],
    ["list", "--section", "nope"],
    ["list", "--section"],
    ["search", "atention"],
    ["search"],
    ["mark-read", "lora"],
    ["mark-read", "no-such-link"],
    ["mark-read", "lora", "--json"],
    ["mark-read"],
    ["guide"],
    ["guide", "--help"],
    ["guide", "export", "--format", "nope"],
    ["progress"],
    ["progress", "export", "--format", "nope"],
    ["nex"],
    ["--", "next"],
    [],
]


def run(code: str, args: list[str], home: Path) -> tuple[int, str, str]:
    shutil.rmtree(home, ignore_errors=True)
    proc = subprocess.run(
        [sys.executable, "-c", code, *(a.replace("{home}", str(home)) for a in args)],
        env=subprocess_env(LLMDIVE_HOME=str(home), COLUMNS="100"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    # The moment of a change is the one thing two runs may not share.
    return proc.returncode, STAMP.sub("<time>", proc.stdout), STAMP.sub("<time>", proc.stderr)


STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


@pytest.mark.parametrize("args", CORPUS, ids=lambda a: " ".join(a) or "(none)")
def test_one_command_built_says_what_the_whole_app_says(args: list[str], tmp_path: Path) -> None:
    home = tmp_path / "home"
    whole = run(WHOLE_APP, args, home)
    assert run(THROUGH_MAIN, args, home) == whole
    assert run(FAST, args, home) == whole


@pytest.mark.parametrize(
    ("args", "code"), [(["next"], 0), (["next", "--bogus"], 2), (["mark-read", "no-such-link"], 1)]
)
def test_the_corpus_holds_each_exit_code(args: list[str], code: int, tmp_path: Path) -> None:
    assert args in CORPUS
    assert run(THROUGH_MAIN, args, tmp_path / "home")[0] == code
