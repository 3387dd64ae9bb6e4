"""What each kind of command loads: the startup path stays free of what it does not use.

Not a timing test (those belong to bench/); it checks which modules a real process has
imported by the time it exits.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import subprocess_env

PROBE = """
import json, sys
from llmdive.cli import main
sys.argv = ["llmdive", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
heavy = ("pydantic", "rich", "tomllib", "markdown_it", "filelock", "llmdive.model.inputs",
         "llmdive.output.shapes", "llmdive.net.linkcheck", "http.client", "ssl",
         "concurrent.futures", "llmdive.record.merge", "llmdive.record.intake",
         "llmdive.record.mergedriver", "llmdive.record.doctor", "llmdive.record.sync")
heavy += ("tomli_w",)  # the TOML writer: only commands that write a catalogue
sys.stderr.write(json.dumps(sorted(m for m in heavy if m in sys.modules)))
"""


def _probe(code: str, home: Path, args: list[str], env: dict[str, str]) -> list[str]:
    """The modules a probe reports loaded after a real `llmdive ARGS` process has run."""
    proc = subprocess.run(
        [sys.executable, "-c", code, json.dumps(args)],
        env=subprocess_env(LLMDIVE_HOME=str(home), **env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    found: list[str] = json.loads(proc.stderr.splitlines()[-1])
    return found


def loaded(home: Path, args: list[str], **env: str) -> list[str]:
    return _probe(PROBE, home, args, env)


TYPER_PROBE = """
import json, sys
from llmdive.cli import main
sys.argv = ["llmdive", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
found = sorted(m for m in sys.modules if m.split(".")[0] in ("typer", "click"))
sys.stderr.write(json.dumps(found))
"""


def typer_loaded(home: Path, args: list[str], **env: str) -> list[str]:
    return _probe(TYPER_PROBE, home, args, env)


def loaded_modules(home: Path, args: list[str], **env: str) -> list[str]:
    code = TYPER_PROBE.replace('m.split(".")[0] in ("typer", "click")', "True")
    return _probe(code, home, args, env)


def test_the_hot_commands_and_version_do_not_import_typer(home: Path) -> None:
    """cli/fast.py runs them; Typer (most of their start) is left unloaded."""
    for args in (
        ["next"],
        ["list", "--section", "finetuning"],
        ["search", "atention"],
        ["mark-read", "lora"],
        ["mark-read", "--section", "finetuning", "--json"],
        ["--home", str(home), "next", "--json", "-n", "2"],
        ["list", "-d", "easy", "--urls"],
        ["mark-read", "no-such-link"],  # an error, said the same way without it
        ["--version"],
    ):
        assert typer_loaded(home, args) == [], args
    # A Tab on their ids or sections too, in each shell Typer completes for.
    tab = {"_LLMDIVE_COMPLETE": "complete_bash", "COMP_WORDS": "llmdive mark-read lo"}
    assert typer_loaded(home, [], **tab, COMP_CWORD="2") == []
    words = "llmdive list --section fi"
    assert typer_loaded(home, [], **tab | {"COMP_WORDS": words}, COMP_CWORD="3") == []
    for shell in ("zsh", "fish"):
        tab = {"_LLMDIVE_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": words}
        assert typer_loaded(home, [], **tab, _TYPER_COMPLETE_FISH_ACTION="get-args") == []
    # ... nor the catalogue's code and models: the names come from the cache alone.
    tab = {"_LLMDIVE_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": "3"}
    modules = ("llmdive.guide.catalogue", "llmdive.model.models", "llmdive.record.progress")
    assert [m for m in modules if m in loaded_modules(home, [], **tab)] == []
    # Help and usage errors are Typer's: the fast path hands them over.
    assert "typer" in typer_loaded(home, ["next", "--help"])
    assert "typer" in typer_loaded(home, ["next", "--bogus"])


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["list", "--help"]])
def test_version_and_help_load_neither_pydantic_nor_rich(home: Path, args: list[str]) -> None:
    assert loaded(home, args) == []


def test_completion_answers_from_the_cache_alone(home: Path) -> None:
    complete = {
        "_LLMDIVE_COMPLETE": "complete_bash",
        "COMP_WORDS": "llmdive show lo",
        "COMP_CWORD": "2",
    }
    # The first Tab after an install parses the catalogue (and fills the cache) ...
    assert "pydantic" in loaded(home, [], **complete)
    # ... every later one reads the cache only.
    assert loaded(home, [], **complete) == []


def test_completion_of_personal_ids_answers_from_the_cache_too(home: Path) -> None:
    url = "https://example.com/finetuning-notes"
    loaded(home, ["add", url, "-t", "Finetuning notes", "-s", "lora"])
    complete = {
        "_LLMDIVE_COMPLETE": "complete_bash",
        "COMP_WORDS": "llmdive remove fine",
        "COMP_CWORD": "2",
    }
    loaded(home, [], **complete)
    assert loaded(home, [], **complete) == []


def test_reading_commands_skip_validation_once_cached(home: Path) -> None:
    assert loaded(home, ["mark-read", "lora"]) == [
        "llmdive.model.inputs",
        "pydantic",
        "tomllib",
    ]
    assert loaded(home, ["next"]) == []
    assert loaded(home, ["list", "--section", "finetuning", "--json"]) == []
    assert loaded(home, ["search", "atention"]) == []
    assert loaded(home, ["mark-read", "dpo"]) == []
    # The JSON shapes describe the output; building it needs none of them (nor pydantic).
    assert loaded(home, ["mark-read", "rlhf", "--json"]) == []
    assert loaded(home, ["mark-read", "--section", "finetuning"]) == []
    assert loaded(home, ["undo"]) == []
    assert loaded(home, ["history"]) == []
    assert loaded(home, ["progress", "export"]) == []


# What the hot commands' human output never needs: the JSON builders, the durations code
# while no link has a duration, the time parser, the TOML writer (only what writes a
# catalogue), orjson and what it loads (a small record is written without it).
SPARED = (
    "llmdive.output.jsonout",
    "llmdive.output.jsonreport",
    "llmdive.net.durations",
    "llmdive.model.timespec",
    "llmdive.guide.tomlwrite",
    "orjson",  # a mark writes the bundled guide's small record with the standard library
    "uuid",
    "platform",
)
HOT = (
    ["next"],
    ["list", "--section", "finetuning"],
    ["list"],
    ["search", "atention"],
    ["mark-read", "dpo"],
    ["mark-read", "--section", "finetuning"],
)


def test_the_hot_commands_load_only_what_their_output_needs(home: Path) -> None:
    loaded(home, ["mark-read", "lora"])
    for args in HOT:
        modules = loaded_modules(home, args)
        assert [m for m in SPARED if m in modules] == [], args
    # --json builds JSON (and says each link's duration: the durations code with it).
    assert "llmdive.output.jsonout" in loaded_modules(home, ["next", "--json"])
    assert "llmdive.output.jsonreport" in loaded_modules(home, ["mark-read", "dpo", "--json"])


def test_a_duration_to_show_brings_the_durations_code(home: Path, tmp_path: Path) -> None:
    """A link's time is on its row once it has one: set by the reader, or measured."""
    loaded(home, ["estimate", "lora", "45m"])
    for args in (["next", "--section", "lora"], ["list", "--section", "lora"]):
        assert "llmdive.net.durations" in loaded_modules(home, args), args
        out = subprocess.run(
            [sys.executable, "-m", "llmdive", *args],
            env=subprocess_env(LLMDIVE_HOME=str(home)),
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        assert "[45m set]" in out, args
    measured = tmp_path / "measured"
    measured.mkdir()
    pages = {"youtube:PXWYUTMt-AU": {"seconds": 1080, "how": "video", "checked": "2026-12-03"}}
    (measured / "durations.json").write_text(json.dumps({"version": 1, "pages": pages}))
    assert "llmdive.net.durations" in loaded_modules(measured, ["next", "--section", "lora"])


def test_colour_output_loads_rich_and_only_then(home: Path) -> None:
    loaded(home, ["next"])
    assert "rich" in loaded(home, ["next"], FORCE_COLOR="1")
    assert "rich" not in loaded(home, ["next"], NO_COLOR="1", FORCE_COLOR="1")


def test_only_check_links_loads_the_http_client(home: Path, tmp_path: Path) -> None:
    from tests.linkserver import serving

    guide = tmp_path / "guide.toml"
    with serving() as server:  # a 404 on 127.0.0.1: a check that reaches no host looks offline
        guide.write_text(
            'version = 1\ntitle = "T"\n\n[[sections]]\nslug = "web"\ntitle = "Web"\n\n'
            '[[sections.links]]\nid = "nowhere"\ntitle = "Nowhere"\n'
            f'url = "{server.base}/missing"\ndifficulty = "easy"\n'
        )
        env = {"LLMDIVE_GUIDE": str(guide)}
        checking = loaded(home, ["check-links", "--json"], **env)
    assert {"llmdive.net.linkcheck", "http.client", "ssl", "concurrent.futures"} <= set(checking)
    assert loaded(home, ["check-links", "--help"]) == []
    # With results kept (the link above is dead), browsing marks it without any of that.
    assert (home / "linkcheck.json").exists()
    for args in (["next"], ["list"], ["show", "nowhere", "--json"]):
        assert loaded(home, args, **env) == [], args


SYNC_CODE = {
    "llmdive.record.merge",
    "llmdive.record.intake",
    "llmdive.record.mergedriver",
    "llmdive.record.doctor",
    "llmdive.record.sync",
}


def test_only_sync_and_merges_load_the_merge_and_git_code(home: Path) -> None:
    for args in (
        ["mark-read", "lora"],
        ["next"],
        ["progress"],
        ["history"],
        ["show", "lora"],
        ["note", "lora", "x"],
        ["list", "--json"],
        ["progress", "export"],
    ):
        assert not SYNC_CODE & set(loaded(home, args)), args
    # `sync` (here refused: not set up) is the one command that loads the git code.
    assert "llmdive.record.sync" in loaded(home, ["sync"])
    assert "llmdive.record.sync" not in loaded(home, ["doctor"])


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ("llmdive list --section fi", "3", ["finetuning"]),
        ("llmdive show lora-e", "2", ["lora-explained"]),
        ("llmdive li", "1", ["list"]),
        ("llmdive guide export --format m", "4", ["markdown"]),
        ("llmdive --home elsewhere show lora-e", "4", ["lora-explained"]),
    ],
)
def test_a_tab_after_a_command_completes_as_with_the_whole_app(
    home: Path, words: str, cword: str, expected: list[str]
) -> None:
    """Only the command being completed is built; what is offered stays the same."""
    env = subprocess_env(
        LLMDIVE_HOME=str(home),
        _LLMDIVE_COMPLETE="complete_bash",
        COMP_WORDS=words,
        COMP_CWORD=cword,
    )
    proc = subprocess.run(
        [sys.executable, "-c", "from llmdive.cli import main; main()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.split() == expected, proc.stderr


BUILT = """
import json, sys
import typer.main
from llmdive.cli import main
built = []
build = typer.main.get_command_from_info
typer.main.get_command_from_info = lambda *a, **kw: built.append(a) or build(*a, **kw)
fast = json.loads(sys.argv[2])
sys.argv = ["llmdive", *json.loads(sys.argv[1])]
try:
    main(fast=fast)
except SystemExit:
    pass
sys.stderr.write(str(len(built)))
"""


def built(home: Path, args: list[str], fast: bool = False) -> int:
    """How many commands Typer builds for `args` (through Typer unless `fast`)."""
    proc = subprocess.run(
        [sys.executable, "-c", BUILT, json.dumps(args), json.dumps(fast)],
        env=subprocess_env(LLMDIVE_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return int(proc.stderr.splitlines()[-1])


def test_a_call_builds_the_command_it_runs_and_no_other(home: Path) -> None:
    """Typer builds each command's parameters on every start: only the one called is built."""
    assert built(home, ["next"]) == 1
    assert built(home, ["--home", str(home), "mark-read", "lora"]) == 1
    assert built(home, ["--version"]) == 0
    assert built(home, ["guide", "export", "--help"]) == 9  # the nine of its group
    assert built(home, ["--help"]) > 20  # the list of every command
    assert built(home, ["nex"]) > 20  # "did you mean" weighs every name
    # The fast path (cli/fast.py) builds none at all, and hands help over to Typer.
    assert built(home, ["next"], fast=True) == 0
    assert built(home, ["guide", "export", "--help"], fast=True) == 9


def test_only_tui_imports_textual(home: Path) -> None:
    """Textual (and the reader over it) is loaded by `llmdive tui` alone: never by the
    hot commands, a mark, help, or the Typer path of any other command."""
    for args in (
        ["next"],
        ["list"],
        ["list", "--section", "finetuning", "--json"],
        ["mark-read", "lora"],
        ["search", "lora"],
        ["history"],
        ["progress"],
        ["tui", "--help"],
        ["--help"],
    ):
        modules = loaded_modules(home, args)
        found = [m for m in modules if m.split(".")[0] == "textual" or m.startswith("llmdive.tui")]
        assert found == [], args
