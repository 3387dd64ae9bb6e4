from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from llmdive.home import paths
from tests.helpers import FIXTURES, Invoke, subprocess_env


def test_the_cache_follows_the_home_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMDIVE_CACHE_DIR", str(tmp_path / "c"))
    assert paths.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("LLMDIVE_CACHE_DIR")
    monkeypatch.setenv("LLMDIVE_HOME", str(tmp_path / "h"))
    assert paths.cache_dir() == tmp_path / "h" / "cache"
    monkeypatch.delenv("LLMDIVE_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert paths.cache_dir() == tmp_path / "xdg" / "llmdive"


def test_paths_says_where_everything_is(cli: Invoke, home: Path) -> None:
    result = cli("paths", "--json", env={"LLMDIVE_CACHE_DIR": None})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "home": str(home),
        "home_from": "$LLMDIVE_HOME",
        "progress": str(home / "progress.json"),
        "personal": str(home / "personal.json"),
        "catalogue": str(paths.bundled_guide()),
        "catalogue_from": "bundled",
        "catalogue_source": None,
        "cache": str(home / "cache"),
        "cache_from": "home",
    }
    human = cli("paths", env={"LLMDIVE_CACHE_DIR": None}).stdout
    assert human.splitlines() == [
        f"home       {home}  ($LLMDIVE_HOME)",
        f"progress   {home / 'progress.json'}",
        f"personal   {home / 'personal.json'}",
        f"catalogue  {paths.bundled_guide()}  (bundled with llmdive)",
        f"cache      {home / 'cache'}  (in the home)",
    ]


def test_paths_names_the_updated_catalogue_and_its_source(cli: Invoke, home: Path) -> None:
    v3 = FIXTURES / "guide-v3-additions.md"
    assert cli("guide", "update", "--from", str(v3)).exit_code == 0
    data = json.loads(cli("paths", "--json").stdout)
    assert (data["catalogue"], data["catalogue_from"], data["catalogue_source"]) == (
        str(home / "guide.toml"),
        "updated",
        str(v3),
    )
    assert f"  source   {v3}" in cli("paths").stdout.splitlines()
    other = home.parent / "other.toml"
    other.write_bytes(paths.bundled_guide().read_bytes())
    chosen = json.loads(cli("--guide", str(other), "paths", "--json").stdout)
    assert (chosen["catalogue"], chosen["catalogue_from"]) == (str(other), "--guide")
    env = json.loads(cli("paths", "--json", env={"LLMDIVE_GUIDE": str(other)}).stdout)
    assert env["catalogue_from"] == "$LLMDIVE_GUIDE"


def test_home_option_moves_the_cache_for_its_call_only(cli: Invoke, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    unset = {"LLMDIVE_CACHE_DIR": None}
    result = cli("--home", str(other), "mark-read", "lora", env=unset)
    assert result.exit_code == 0, result.output
    assert (other / "progress.json").exists()
    assert list((other / "cache").iterdir())
    data = json.loads(cli("--home", str(other), "paths", "--json", env=unset).stdout)
    assert (data["home_from"], data["cache"]) == ("--home", str(other / "cache"))
    # The option changed nothing for the calls after it.
    assert os.environ["LLMDIVE_HOME"] == str(tmp_path / "home")


class _Watched(dict[str, str]):
    """os.environ for a test: every write llmdive makes to it is noted."""

    def __init__(self, env: Mapping[str, str]) -> None:
        super().__init__(env)
        self.writes: list[str] = []

    def __setitem__(self, key: str, value: str) -> None:
        self.writes.append(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.writes.append(key)
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        self.writes.append(key)
        return super().pop(key, *default)


def test_home_and_urls_travel_in_the_workspace_never_in_the_environment(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--home and --urls reach the cache and the Writer through the Workspace: os.environ
    is never written, and the cache still goes to the home --home names."""
    monkeypatch.delenv("LLMDIVE_CACHE_DIR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    other = tmp_path / "elsewhere"
    env = _Watched(os.environ)
    before = dict(env)
    monkeypatch.setattr(os, "environ", env)
    marked = cli("--home", str(other), "mark-read", "lora")
    assert marked.exit_code == 0, marked.output
    shown = cli("--home", str(other), "next", "--urls")
    assert shown.exit_code == 0, shown.output
    found = cli("--home", str(other), "search", "attention")
    assert found.exit_code == 0, found.output
    assert (env.writes, dict(os.environ)) == ([], before)
    assert shown.stdout.count("https://jalammar.github.io/illustrated-transformer/") == 2
    kinds = {p.name.split("-")[0] for p in (other / "cache").iterdir()}
    assert {"catalogue", "progress", "postings"} <= kinds  # postings: search's index
    home = Path(before["LLMDIVE_HOME"])
    assert not (home / "cache").exists()  # $LLMDIVE_HOME's cache: not this call's
    assert not (tmp_path / "user" / ".cache").exists()  # nor the user cache dir


def test_the_cache_of_a_home_given_to_the_core_is_in_it_unless_it_is_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LLMDIVE_CACHE_DIR")
    monkeypatch.delenv("LLMDIVE_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert paths.cache_dir(tmp_path / "h") == tmp_path / "h" / "cache"
    assert paths.cache_dir(paths.home_dir()) == tmp_path / "xdg" / "llmdive"
    assert paths.cache_dir() == tmp_path / "xdg" / "llmdive"
    monkeypatch.setenv("LLMDIVE_HOME", str(tmp_path / "e"))
    assert paths.cache_dir(tmp_path / "h") == tmp_path / "h" / "cache"  # --home over it
    assert paths.cache_dir(paths.home_dir()) == tmp_path / "e" / "cache"
    monkeypatch.setenv("LLMDIVE_CACHE_DIR", str(tmp_path / "c"))
    assert paths.cache_dir(tmp_path / "h") == tmp_path / "c"


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir())


@pytest.mark.parametrize("via", ["env", "option"])
def test_nothing_is_written_outside_the_home(tmp_path: Path, via: str) -> None:
    """Only the home is named; HOME, the working folder and TMPDIR stay empty."""
    home, user, cwd, tmp = (tmp_path / n for n in ("home", "user", "cwd", "tmp"))
    for folder in (user, cwd, tmp):
        folder.mkdir()
    env = {
        k: v
        for k, v in subprocess_env().items()
        if not k.startswith(("LLMDIVE_", "XDG_")) and k not in ("HOME", "TMPDIR")
    }
    env.update(HOME=str(user), TMPDIR=str(tmp), PYTHONDONTWRITEBYTECODE="1")
    if via == "env":
        env["LLMDIVE_HOME"] = str(home)
    where = [] if via == "env" else ["--home", str(home)]
    v3 = FIXTURES / "guide-v3-additions.md"
    commands = [
        ["list"],
        ["next", "--json"],
        ["mark-read", "lora", "dpo"],
        ["start", "rlhf"],
        ["skip", "tweet"],
        ["note", "lora", "the rank part"],
        ["add", "https://example.com/mine", "-t", "Mine", "-s", "lora"],
        ["guide", "update", "--from", str(v3)],
        ["guide", "status"],
        ["whatsnew"],
        ["progress"],
        ["progress", "export", "--format", "json"],
        ["history"],
        ["show", "lora"],
        ["edit", "mine", "-t", "Mine, renamed"],
        ["remove", "mine"],
        ["undo"],
        ["guide", "reset"],
        ["paths"],
    ]
    for args in commands:
        proc = subprocess.run(
            [sys.executable, "-m", "llmdive", *where, *args],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, (args, proc.stderr)
    complete = {"_LLMDIVE_COMPLETE": "complete_bash", "COMP_CWORD": str(len(where) + 2)}
    complete["COMP_WORDS"] = " ".join(["llmdive", *where, "show", "lo"])
    proc = subprocess.run(
        [sys.executable, "-m", "llmdive"],
        env={**env, **complete},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "lora-explained" in proc.stdout.split()
    assert (files_under(user), files_under(cwd), files_under(tmp)) == ([], [], [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "home", "tmp", "user"]
    written = files_under(home)
    assert {"progress.json", "personal.json"} <= set(written)
    assert any(name.startswith("cache/") for name in written)


@pytest.mark.parametrize("value", ["", "   "])
@pytest.mark.parametrize("where", ["before", "after"])
def test_an_empty_home_option_is_a_usage_error_naming_it(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, where: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("LLMDIVE_HOME")
    monkeypatch.delenv("LLMDIVE_CACHE_DIR")
    args = ["--home", value, "next"] if where == "before" else ["next", "--home", value]
    result = cli(*args)
    assert result.exit_code == 2
    assert "Invalid value for '--home': needs a folder (an empty name is not one)" in (
        result.stderr
    )
    assert os.listdir(work) == []  # the current folder was not taken for a home


def test_an_empty_llmdive_home_means_unset_and_paths_says_so(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for value in ("", "  "):
        monkeypatch.setenv("LLMDIVE_HOME", value)
        data = json.loads(cli("paths", "--json").stdout)
        assert data["home_from"] == "default"
        assert data["home"] not in (str(tmp_path), value)
        assert paths.cache_dir() != Path(value) / "cache"
    monkeypatch.setenv("LLMDIVE_HOME", str(tmp_path / "h"))
    data = json.loads(cli("--home", str(tmp_path / "o"), "paths", "--json").stdout)
    assert (data["home"], data["home_from"]) == (str(tmp_path / "o"), "--home")
