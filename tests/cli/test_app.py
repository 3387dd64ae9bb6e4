"""The whole program's edges (cli/app.py): pipes, exit codes, global options, help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from llmdive import __version__
from llmdive.cli import app
from llmdive.model.vocab import Status
from llmdive.record.progress import load_progress
from tests.helpers import Invoke, ok, subprocess_env


def _big_home(tmp_path: Path, links: int = 3000) -> tuple[Path, Path]:
    """A catalogue and a progress file large enough that output outlasts a pipe's buffer."""
    lines = ["version = 1", 'title = "Big"']
    for s in range(10):
        lines += ["[[sections]]", f'slug = "s{s}"', f'title = "Section {s}"']
        for n in range(links // 10):
            lines += [
                "[[sections.links]]",
                f'id = "link-{s}-{n}"',
                f'title = "Reading {s} {n}"',
                f'url = "https://example.com/{s}/{n}"',
                'difficulty = "easy"',
            ]
    guide = tmp_path / "big.toml"
    guide.write_text("\n".join(lines) + "\n")
    home = tmp_path / "big-home"
    home.mkdir(exist_ok=True)
    stamp = "2026-01-01T00:00:00Z"
    entries = {
        f"link-{s}-{n}": {
            "status": "read",
            "changed": stamp,
            "title": f"Reading {s} {n}",
            "events": [{"at": stamp, "status": "read"}],
        }
        for s in range(10)
        for n in range(links // 10)
    }
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
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
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


# ---------------------------------------------------------------- help


def test_the_command_list_shows_every_summary_whole(cli: Invoke) -> None:
    out = cli("--help", env={"COLUMNS": "80"}).stdout
    assert "..." not in out.split("Commands:")[1]
    joined = " ".join(out.split())
    assert (
        "skip Skip links: `next` passes them over and progress leaves them out of the totals."
    ) in joined
    guide = " ".join(cli("guide", "--help").stdout.split())
    assert (
        "update Follow the guide: import a newer README, keeping every id and all your "
        "progress." in guide
    )


def test_usage_lines_name_their_arguments(cli: Invoke) -> None:
    def usage(*args: str) -> str:
        return cli(*args, "--help").stdout.splitlines()[0]

    assert usage("mark-read") == "Usage: llmdive mark-read [OPTIONS] [ID]..."
    assert usage("note") == "Usage: llmdive note [OPTIONS] {ID} [TEXT]"
    assert usage("add") == "Usage: llmdive add [OPTIONS] [URL]"
    assert usage("guide", "import") == "Usage: llmdive guide import [OPTIONS] {README}"


@pytest.mark.parametrize(
    ("args", "choices"),
    [(("guide", "export"), "<markdown|toml>"), (("progress", "export"), "<markdown|json|csv>")],
)
def test_closed_sets_are_listed_and_taken_in_any_case(
    cli: Invoke, args: tuple[str, ...], choices: str
) -> None:
    assert f"--format {choices}" in cli(*args, "--help").stdout
    upper = cli(*args, "--format", choices.strip("<>").split("|")[-1].upper())
    assert upper.exit_code == 0, upper.output
    wrong = cli(*args, "--format", "xml")
    assert wrong.exit_code == 2
    assert "'xml' is not one of" in wrong.stderr


def test_add_says_which_option_is_missing(cli: Invoke) -> None:
    result = cli("add", "https://example.net/post", "--title", "A post")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: missing --section: a link needs a URL and --section (or use --export)\n"
    )


# ---------------------------------------------------------------- messages that tell the truth


def test_a_topic_without_links_says_no_links_yet(cli: Invoke) -> None:
    listed = cli("list", "--section", "tokenization")
    assert listed.exit_code == 0
    assert listed.stdout.startswith("No links yet under Tokenization: `llmdive add URL --section")
    nxt = cli("next", "--section", "tokenization").stdout
    assert nxt.splitlines()[0].endswith("no links yet")
    assert "done" not in nxt


def test_a_section_with_every_link_skipped_says_so(cli: Invoke) -> None:
    assert cli("skip", "tweet").exit_code == 0
    misc = cli("next", "--section", "misc").stdout.splitlines()[0]
    assert misc.endswith("– all skipped")
    assert cli("mark-read", "tweet").exit_code == 0
    assert cli("next", "--section", "misc").stdout.splitlines()[0].endswith("✓ done")


def test_note_messages_say_what_happened(cli: Invoke) -> None:
    assert cli("note", "lora", "").stdout == "no note to remove: lora-explained\n"
    assert cli("note", "lora", "first").stdout == "noted: lora-explained\n"
    assert cli("note", "lora", "second").stdout == "note replaced: lora-explained\n"
    assert cli("note", "lora", "").stdout == "note removed: lora-explained\n"
    blank = cli("note", "lora", "   \n ")
    assert blank.exit_code == 2
    assert 'a note needs some text (an empty string, "", removes it)' in blank.stderr


def test_a_progress_file_with_conflict_markers_is_an_unresolved_merge(
    cli: Invoke, home: Path
) -> None:
    home.mkdir(parents=True, exist_ok=True)
    text = (
        '{\n  "links": {\n<<<<<<< HEAD\n    "lora-explained": {"status": "read"}\n=======\n'
        '    "dpo-explained": {"status": "read"}\n>>>>>>> other\n  },\n  "version": 1\n}\n'
    )
    (home / "progress.json").write_text(text)
    result = cli("progress")
    assert result.exit_code == 1
    assert result.stderr == (
        f"llmdive: error: {home / 'progress.json'}: an unresolved merge conflict (git's conflict "
        "marker at line 3): resolve it (`llmdive progress merge` merges two records), then run "
        "llmdive again; the file is untouched\n"
    )
    assert (home / "progress.json").read_text() == text


def test_a_newer_format_does_not_assume_pip(cli: Invoke, home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "progress.json").write_text('{"version": 2, "links": {}}')
    err = cli("history").stderr
    assert "upgrade llmdive the way you installed it" in err
    assert "pip" not in err


def _commands(group: object, prefix: str = "") -> list[tuple[str, object]]:
    out = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        out.append((prefix + name, cmd))
        if hasattr(cmd, "commands"):
            out += _commands(cmd, prefix + name + " ")
    return out


def test_a_broken_progress_file_is_one_line_and_untouched(cli: Invoke, home: Path) -> None:
    home.mkdir(exist_ok=True)
    (home / "progress.json").write_text('{"version": 1, "links": {')
    for args in (("next",), ("mark-read", "lora")):
        result = cli(*args)
        assert result.exit_code == 1
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith(f"llmdive: error: {home / 'progress.json'}: not valid JSON")
        assert "Traceback" not in result.output
    assert (home / "progress.json").read_text() == '{"version": 1, "links": {'


def test_home_option_and_guide_option(cli: Invoke, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    ok(cli("--home", str(other), "mark-read", "lora"))
    assert load_progress(other).links["lora-explained"].status is Status.READ
    guide = tmp_path / "mine.toml"
    guide.write_text(
        'version = 1\n[[sections]]\nslug = "mine"\ntitle = "Mine"\n'
        '[[sections.links]]\nid = "only"\ntitle = "Only"\nurl = "https://a.example"\n'
    )
    assert [d["id"] for d in json.loads(ok(cli("--guide", str(guide), "list", "--json")))] == [
        "only"
    ]
    from_env = json.loads(ok(cli("list", "--json", env={"LLMDIVE_GUIDE": str(guide)})))
    assert [d["id"] for d in from_env] == ["only"]


def test_version(cli: Invoke) -> None:
    assert ok(cli("--version")) == f"llmdive {__version__}\n"


def test_every_command_has_help_text() -> None:
    root = typer.main.get_command(app)
    commands = _commands(root)
    assert {"list", "toc", "show", "next", "progress", "history", "mark-read", "guide import"} <= {
        name for name, _ in commands
    }
    for name, cmd in commands:
        assert cmd.help or cmd.short_help, f"{name} has no help"  # type: ignore[attr-defined]
        for param in cmd.params:  # type: ignore[attr-defined]
            if param.name != "help":
                assert getattr(param, "help", None), f"{name} {param.name} has no help"


def test_python_dash_m(home: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "llmdive", "--version"],
        capture_output=True,
        text=True,
        env=subprocess_env(LLMDIVE_HOME=str(home)),
        timeout=60,
    )
    assert proc.stdout == f"llmdive {__version__}\n"


@pytest.mark.parametrize("args", [("--help",), ("list", "--help"), ("guide", "--help")])
def test_help_is_plain_text(cli: Invoke, args: tuple[str, ...]) -> None:
    out = ok(cli(*args))
    assert out.startswith(" ".join(["Usage: llmdive", *args[:-1]]) + " [OPTIONS]")
    assert "\x1b" not in out


def test_an_unexpected_os_error_is_one_line_not_a_traceback(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmdive import workspace

    def denied(self: object) -> None:
        raise PermissionError(13, "Permission denied", "/somewhere/guide.toml")

    monkeypatch.setattr(workspace.Workspace, "catalogue", property(denied))
    result = cli("next")
    assert result.exit_code == 1
    assert result.stderr == "llmdive: error: /somewhere/guide.toml: Permission denied\n"


def test_help_says_a_url_names_a_link_and_where_unrated_links_fall(cli: Invoke) -> None:
    assert "or the link's URL" in " ".join(ok(cli("show", "--help")).split())
    assert "or their URLs" in " ".join(ok(cli("mark-read", "--help")).split())
    helped = " ".join(ok(cli("next", "--help")).split())
    assert "then Medium and Unrated ones (in guide order), Hard last" in helped
    assert "--from FILE|URL" in ok(cli("guide", "update", "--help"))


def _llmdive(args: list[str], home: Path, stdout: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "llmdive", *args],
        env=subprocess_env(LLMDIVE_HOME=str(home)),
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "args", [["--version"], ["--help"], ["next"], ["list"], ["toc"], ["guide", "--help"]]
)
def test_a_full_stdout_is_one_error_line_never_a_traceback(home: Path, args: list[str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        done = _llmdive(args, home, full)
    assert done.returncode == 1
    assert done.stderr == "llmdive: error: No space left on device\n"


@pytest.mark.parametrize("args", [["list"], ["--version"], ["mark-read", "lora"]])
def test_a_closed_stdout_does_nothing_and_says_so(home: Path, args: list[str]) -> None:
    # `llmdive mark-read lora >&-`: not even the mark is made, since it could not be confirmed.
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; os.close(1); os.execv(sys.argv[1], sys.argv[1:])",
            sys.executable,
            "-m",
            "llmdive",
            *args,
        ],
        env=subprocess_env(LLMDIVE_HOME=str(home)),
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("llmdive: error: standard output is closed")
    assert "Traceback" not in done.stderr
    assert not home.exists() or not (home / "progress.json").exists()
