"""The guard rails run with the tests: ruff's lint and format, mypy --strict over src and
tests, and vulture over src (no dead code), each from the current environment, with the
settings in pyproject.toml."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import REPO

CHECKED = ["src", "tests", "bench"]

TOOLS = {
    # --no-cache: a test writes nothing into the repository.
    "ruff check": ["ruff", "check", "--no-cache", *CHECKED],
    "ruff format": ["ruff", "format", "--check", "--no-cache", *CHECKED],
    # files (src and tests) and strict come from [tool.mypy]; no cache written either.
    "mypy": ["mypy", "--cache-dir", os.devnull],
    # Dead code: what vulture cannot see used is listed, each entry with why, in the
    # whitelist; Typer's commands are used through their decorators.
    "vulture": [
        "vulture",
        "src",
        "tests/vulture_whitelist.py",
        "--ignore-decorators",
        "@*.command,@*.callback",
    ],
}


@pytest.mark.parametrize("tool", list(TOOLS))
def test_the_repository_passes(tool: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *TOOLS[tool]],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"{tool} failed:\n{done.stdout}{done.stderr}"
