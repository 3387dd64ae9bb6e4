from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner, Result

from llmdive.cli import app
from llmdive.guide.catalogue import Catalogue, load_catalogue
from llmdive.home.paths import bundled_guide

# FIXTURES, GUIDE_README, REPO, subprocess_env: re-exported for test modules written before
# tests/helpers.py (other branches being merged); new tests import them from tests.helpers.
from tests.helpers import FIXTURES as FIXTURES
from tests.helpers import GUIDE_README as GUIDE_README
from tests.helpers import REPO as REPO
from tests.helpers import Invoke
from tests.helpers import subprocess_env as subprocess_env

# Properties are about behaviour, never time: on a shared machine an example may take a
# second (speed is bench/run.py's to measure), and Hypothesis's deadline would fail it.
settings.register_profile("llmdive", deadline=None)
settings.load_profile("llmdive")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the real home, cache or terminal settings."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)  # an existing home, as every reader after the first write has
    monkeypatch.setenv("LLMDIVE_HOME", str(home))
    monkeypatch.setenv("LLMDIVE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TERM", "xterm-256color")  # as if outside tmux/screen, wherever run
    for var in (
        "LLMDIVE_GUIDE",
        "NO_COLOR",
        "FORCE_COLOR",
        "XDG_DATA_HOME",
        "XDG_CACHE_HOME",
        "LLMDIVE_URLS",
        "FORCE_HYPERLINK",
        "TMUX",
        "STY",
    ):
        # set first, so that the variable is removed again after the test even if a
        # test set it
        monkeypatch.setenv(var, "")
        monkeypatch.delenv(var)
    # git (llmdive sync) never reads or writes the user's git configuration.
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "user" / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in [v for v in os.environ if v.startswith(("GIT_AUTHOR_", "GIT_COMMITTER_"))]:
        monkeypatch.delenv(var)
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "EMAIL"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def home(isolated: Path) -> Path:
    return isolated


@pytest.fixture
def catalogue() -> Catalogue:
    return load_catalogue(bundled_guide())


@pytest.fixture
def cli() -> Invoke:
    """Run llmdive in-process: cli("list", "--json") -> Result (stdout and stderr apart)."""
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, list(args), env=env, catch_exceptions=False)

    return invoke
