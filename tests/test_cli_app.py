"""The whole program's edges (cli/app.py): pipes, exit codes, global options, help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Invoke, subprocess_env


def _big_home(tmp_path: Path, links: int = 3000) -> tuple[Path, Path]:
    """A catalogue and a progress file large enough that output outlasts a pipe's buffer."""
    lines = ["version = 1", 'title = "Big"']
    for s in range(10):
        lines += ["[[sections]]", f'slug = "s{s}"', f'title = "Section {s}"']
        for n in range(links // 10):
            lines += ["[[sections.links]]", f'id = "link-{s}-{n}"', f'title = "Reading {s} {n}"',
                      f'url = "https://example.com/{s}/{n}"', 'difficulty = "easy"']  # fmt: skip
    guide = tmp_path / "big.toml"
    guide.write_text("\n".join(lines) + "\n")
    home = tmp_path / "big-home"
    home.mkdir()
    stamp = "2026-01-01T00:00:00Z"
    entries = {
        f"link-{s}-{n}": {"status": "read", "changed": stamp, "title": f"Reading {s} {n}",
                          "events": [{"at": stamp, "status": "read"}]}
        for s in range(10) for n in range(links // 10)
    }  # fmt: skip
    (home / "progress.json").write_text(json.dumps({"version": 1, "links": entries}))
    return guide, home


@pytest.mark.parametrize("command", ["list", "history"])
def test_output_cut_short_by_the_reader_is_a_normal_end(tmp_path: Path, command: str) -> None:
    """`llmdive list | head -1`: exit 0, nothing on stderr, every time (20 real pipes)."""
    guide, home = _big_home(tmp_path)
    env = subprocess_env(LLMDIVE_HOME=str(home), LLMDIVE_GUIDE=str(guide))
    for run in range(20):
        proc = subprocess.Popen(
            [sys.executable, "-m", "llmdive", command],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )  # fmt: skip
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # what `head -1` does once it has its line
        err = proc.stderr.read()
        assert proc.wait(timeout=60) == 0, (run, err)
        assert err == b"", (run, err)
        assert first.strip(), run


def test_llmdive_alone_prints_the_help_on_stdout(cli: Invoke) -> None:
    result = cli()
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: llmdive [OPTIONS] COMMAND [ARGS]...")
    assert result.stderr == ""
    guide = cli("guide")
    assert guide.exit_code == 0
    assert guide.stdout.startswith("Usage: llmdive guide [OPTIONS] COMMAND [ARGS]...")


def test_global_options_also_work_after_the_command_name(cli: Invoke, tmp_path: Path) -> None:
    there = tmp_path / "elsewhere"
    assert cli("mark-read", "lora", "--home", str(there)).exit_code == 0
    assert (there / "progress.json").exists()
    assert cli("history", f"--home={there}", "--json").stdout.count('"lora-explained"') == 1
    assert cli("history", "--json").stdout == "[]\n"
    guide = tmp_path / "g.toml"
    guide.write_text(
        'version = 1\n[[sections]]\nslug = "only"\ntitle = "Only"\n[[sections.links]]\n'
        'id = "solo"\ntitle = "Solo"\nurl = "https://example.com/solo"\n'
    )
    assert json.loads(cli("list", "--json", "--guide", str(guide)).stdout)[0]["id"] == "solo"
    # After `--`, it is an argument like any other.
    result = cli("note", "lora", "--", "--home")
    assert result.exit_code == 0, result.output
    assert "--home" in cli("show", "lora").stdout


def test_urls_option_after_the_command_name_shows_urls_in_colour(cli: Invoke) -> None:
    plain = cli("next", env={"FORCE_COLOR": "1"}).stdout
    assert "https://jalammar.github.io/illustrated-transformer/" not in plain.replace(
        "\x1b]8;;https://jalammar.github.io/illustrated-transformer/\x1b\\", ""
    )
    shown = cli("next", "--urls", env={"FORCE_COLOR": "1"}).stdout
    assert shown.count("https://jalammar.github.io/illustrated-transformer/") == 2  # link + text


def test_a_usage_error_names_the_missing_option(cli: Invoke) -> None:
    result = cli("guide", "import")
    assert result.exit_code == 2
    assert "Missing argument 'README'" in result.stderr
