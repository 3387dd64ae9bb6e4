"""The fast path (cli/fast.py) says and writes exactly what the Typer app does.

Every argv of a corpus runs twice as a real process, `main()` (the fast path where it takes
the argv) and `main(fast=False)` (always Typer), each on a fresh copy of the same home: the
stdout, stderr, exit code and the files left in the home must be the same, and the path
each took is checked too (the fast one must not have imported Typer). Then the one
declaration of the parameters (cli/params.py) is held to the Click commands Typer builds.
"""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer.main
from typer._click.core import Command, Context
from typer.core import TyperArgument, TyperGroup, TyperOption

from llmdive.cli import app, params
from llmdive.home.paths import bundled_guide
from tests.helpers import subprocess_env

CODE = """
import atexit, os, sys
def taken():
    with open(os.environ["LLMDIVE_TEST_TAKEN"], "w") as f:
        f.write("typer" if "typer" in sys.modules else "fast")
atexit.register(taken)
from llmdive.cli import main
main(fast={fast})
"""

F, T = "fast", "typer"  # the path an argv is expected to take through main()

# In a home that does not exist yet (the first write creates it and says so).
EMPTY_HOME = [
    (["next"], F),
    (["next", "--json"], F),
    (["next", "-n", "3"], F),
    (["next", "-n", "0"], T),
    (["next", "-n", "x"], T),
    (["next", "-n=3"], T),
    (["next", "-n"], T),
    (["next", "--section", "finetuning"], F),
    (["next", "--section=finetuning", "-n", "2", "--json"], F),
    (["next", "-s", "fine", "--include-dead"], F),
    (["next", "--section", "nope"], T),
    (["next", "--section", "nope", "--json"], T),
    (["next", "--section"], T),
    (["next", "--section", "--json"], T),
    (["next", "--bogus"], T),
    (["next", "extra"], T),
    (["next", "--"], F),
    (["next", "--", "extra"], T),
    (["next", "--json=1"], T),
    (["next", "--budget", "30m"], F),
    (["next", "--budget=1h30m", "--json"], F),
    (["next", "-b", "45m", "--section", "finetuning"], F),
    (["next", "--queue"], F),
    (["next", "-q", "-n", "20", "--json"], F),
    (["next", "--budget", "30x"], T),
    (["next", "--budget", "0m"], T),
    (["next", "--budget"], T),
    (["--home", "{home}", "next"], F),
    (["next", "--home", "{home}"], F),
    (["--home={other}", "--urls", "next"], F),
    (["next", "--urls", "--home={other}"], F),
    (["--guide", "{guide}", "next", "-n", "2"], F),
    (["next", "--guide={guide}"], F),
    (["--guide", "{home}/missing.toml", "next"], F),
    (["--guide", "{home}/missing.toml", "next", "--json"], F),
    (["--guide", "{dir}", "next"], T),
    (["--home", "{file}", "next"], T),
    (["--home", "", "next"], T),
    (["--home"], T),
    (["next", "--home"], T),
    (["--version"], F),
    (["--urls", "--version"], F),
    (["--version", "--home", "{home}"], F),
    (["--version", "next"], T),
    (["--version", "--help"], T),
    (["--version=1"], T),
    (["--help"], T),
    (["next", "-h"], T),
    (["nex"], T),
    (["--", "next"], T),
    ([], T),
    (["list"], F),
    (["list", "--json"], F),
    (["list", "--section", "finetuning"], F),
    (["list", "-s", "finetuning", "-d", "easy"], F),
    (["list", "-d", "EASY", "-d", "medium", "--status", "unread"], F),
    (["list", "--difficulty=hard", "--json"], F),
    (["list", "--status", "read"], F),
    (["list", "--status", "bogus"], T),
    (["list", "-d"], T),
    (["list", "--section", "nope"], T),
    (["list", "extra"], T),
    (["search", "atention"], F),
    (["search", "flash", "attn", "--json"], F),
    (["search", "-s", "finetuning", "lora", "-d", "medium"], F),
    (["search", "--", "--json"], F),
    (["search", "nothing-like-this-anywhere"], F),
    (["search", ""], T),
    (["search", "!!!"], T),
    (["search"], T),
    (["search", "lora", "--section=nope"], T),
    (["search", "lora", "--bogus"], T),
    (["mark-read", "lora"], F),
    (["mark-read", "lora", "dpo", "--json"], F),
    (["mark-read", "no-such-link"], F),
    (["mark-read", "no-such-link", "--json"], F),
    (["mark-read"], T),
    (["mark-read", "--json"], T),
    (["mark-read", "--section", "finetuning"], F),
    (["mark-read", "-s", "lora", "--include-skipped", "--json"], F),
    (["mark-read", "--section", "nope"], T),
    (["mark-read", "--", "lora"], F),
    (["mark-read", "lora", "--home", "{other}"], F),
    (["--urls", "mark-read", "rlhf"], F),
    (["--guide", "{home}/missing.toml", "mark-read", "lora"], F),
    (["mark-read", "-x"], T),
]

# In a home with a record: marks, a note, one of the reader's own links, a skipped link.
READ_HOME = [
    (["next"], F),
    (["next", "--json", "-n", "2"], F),
    (["list", "--status", "read"], F),
    (["list", "--status", "skipped", "--json"], F),
    (["list", "-s", "lora"], F),
    (["search", "hi"], F),
    (["search", "my", "x", "--json"], F),
    (["mark-read", "lora"], F),
    (["mark-read", "my-x", "--json"], F),
    (["mark-read", "--section", "finetuning"], F),
    (["mark-read", "--section", "finetuning", "--include-skipped"], F),
    (["mark-read", "lor"], F),
    (["--home", "{home}", "next", "--section", "finetuning"], F),
    (["show", "lora"], T),
]

# In a home whose progress.json is broken: one line naming the file, exit 1.
BROKEN_HOME = [
    (["next"], F),
    (["next", "--json"], F),
    (["list"], F),
    (["search", "lora"], F),
    (["mark-read", "lora"], F),
    (["mark-read", "lora", "--json"], F),
]

CORPUS = (
    [(args, taken, "empty") for args, taken in EMPTY_HOME]
    + [(args, taken, "read") for args, taken in READ_HOME]
    + [(args, taken, "broken") for args, taken in BROKEN_HOME]
)

STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def _template(kind: str, where: Path) -> Path:
    """A home of this kind, made once per test with the Typer app in-process."""
    from typer.testing import CliRunner

    home = where / f"template-{kind}"
    if kind == "empty" or home.exists():
        return home
    home.mkdir(mode=0o700)
    if kind == "broken":
        (home / "progress.json").write_text("{")
        return home
    runner = CliRunner()
    for args in (
        ["mark-read", "lora"],
        ["note", "lora", "hi there"],
        ["add", "https://example.com/x", "-t", "My x", "-s", "lora"],
        ["start", "dpo"],
        ["skip", "rlhf"],
    ):
        result = runner.invoke(app, ["--home", str(home), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    shutil.rmtree(home / "cache", ignore_errors=True)
    return home


def _files(*folders: Path) -> dict[str, tuple[int, str]]:
    """Every file left in these folders (the cache aside): mode and text, stamps masked."""
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.exists() else []:
            rel = path.relative_to(folder.parent)
            if path.is_file() and rel.parts[1:2] != ("cache",):
                text = STAMP.sub("<time>", path.read_text(errors="replace"))
                found[str(rel)] = (stat.S_IMODE(path.stat().st_mode), text)
    return found


def _run(fast: bool, args: list[str], kind: str, tmp: Path) -> tuple[object, ...]:
    work = tmp / ("fast" if fast else "typer")
    home, other, folder = work / "home", work / "other", work / "folder"
    folder.mkdir(parents=True)
    (work / "a-file").write_text("not a folder")
    template = _template(kind, tmp)
    if template.exists():
        shutil.copytree(template, home)
    spots = {
        "{home}": str(home),
        "{other}": str(other),
        "{file}": str(work / "a-file"),
        "{dir}": str(folder),
        "{guide}": str(bundled_guide()),
    }

    def fill(arg: str) -> str:
        for spot, value in spots.items():
            arg = arg.replace(spot, value)
        return arg

    taken = work / "taken"
    proc = subprocess.run(
        [sys.executable, "-c", CODE.format(fast=fast), *map(fill, args)],
        env=subprocess_env(LLMDIVE_HOME=str(home), COLUMNS="100", LLMDIVE_TEST_TAKEN=str(taken)),
        capture_output=True,
        text=True,
        timeout=60,
    )

    def same(text: str) -> str:  # the moment of a change, and where each run's home is
        return STAMP.sub("<time>", text).replace(str(work), "<work>")

    said = (proc.returncode, same(proc.stdout), same(proc.stderr))
    return said, _files(home, other), taken.read_text()


@pytest.mark.parametrize(
    ("args", "taken", "kind"),
    CORPUS,
    ids=[f"{kind}: {' '.join(args) or '(none)'}" for args, _, kind in CORPUS],
)
def test_the_fast_path_says_and_writes_what_typer_does(
    args: list[str], taken: str, kind: str, tmp_path: Path
) -> None:
    fast = _run(True, args, kind, tmp_path)
    typer_ = _run(False, args, kind, tmp_path)
    assert fast[:2] == typer_[:2]
    assert (fast[2], typer_[2]) == (taken, "typer")


def test_the_corpus_holds_successes_errors_and_usage_errors(tmp_path: Path) -> None:
    """Not only the easy cases: each exit code, and each kind of home, on the fast path."""
    assert len(CORPUS) >= 60
    codes = {}
    for args in (["next"], ["mark-read", "no-such-link"], ["next", "--bogus"]):
        said = _run(True, args, "empty", tmp_path / "-".join(args))[0]
        assert isinstance(said, tuple)
        codes[args[-1]] = said[0]
    assert codes == {"next": 0, "no-such-link": 1, "--bogus": 2}
    assert {kind for _, taken, kind in CORPUS if taken == F} == {"empty", "read", "broken"}


# ---------------------------------------------------------------- one declaration


def _click_command(name: str) -> Command:
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    command = group.get_command(Context(group), name)
    assert command is not None
    return command


def _declared_as_click(p: params.Param) -> dict[str, object]:
    return {
        "name": p.name,
        "opts": list(p.flags) if p.flags else [p.name],
        "is_option": not p.is_argument,
        "is_flag": p.flag,
        "multiple": p.multiple and not p.is_argument,
        "nargs": -1 if p.multiple and p.is_argument else 1,
        "required": p.required,
        "default": p.default,
        "help": p.help,
        "metavar": p.metavar,
        "choices": list(p.choice_values),
        "min": p.minimum,
    }


def _built(param: object) -> dict[str, object]:
    assert isinstance(param, TyperOption | TyperArgument)
    kind = param.type
    choices = getattr(kind, "choices", None)
    return {
        "name": param.name,
        "opts": param.opts + param.secondary_opts,
        "is_option": isinstance(param, TyperOption),
        "is_flag": isinstance(param, TyperOption) and param.is_flag,
        "multiple": param.multiple,
        "nargs": param.nargs,
        "required": param.required,
        "default": None if param.default in ((), []) else param.default,
        "help": getattr(param, "help", None),
        "metavar": param.metavar,
        "choices": [str(c) for c in choices] if choices is not None else [],
        "min": getattr(kind, "min", None),
    }


@pytest.mark.parametrize("name", sorted(params.COMMANDS))
def test_typer_builds_exactly_the_declared_parameters(name: str) -> None:
    built = [_built(p) for p in _click_command(name).params if p.name != "help"]
    assert built == [_declared_as_click(p) for p in params.COMMANDS[name]]


def test_the_root_command_has_exactly_the_declared_global_options() -> None:
    root = typer.main.get_command(app)
    typer_own = ("help", "install_completion", "show_completion")
    built = [_built(p) for p in root.params if p.name not in typer_own]
    assert built == [_declared_as_click(p) for p in params.GLOBAL]


def test_the_other_mark_commands_share_the_declaration_of_mark_read() -> None:
    read = [_built(p) for p in _click_command("mark-read").params]
    assert [_built(p) for p in _click_command("mark-unread").params] == read
    assert [_built(p) for p in _click_command("start").params] == read


# ---------------------------------------------------------------- completion

B, Z, FI, FA = "bash", "zsh", "fish get-args", "fish is-args"

COMPLETIONS = [
    (B, "llmdive mark-read lo", F),
    (B, "llmdive mark-read ", F),
    (B, "llmdive mark-read lora dp", F),
    (B, "llmdive mark-read --json lo", F),
    (B, "llmdive mark-read --section fi lo", F),
    (B, "llmdive mark-read my", F),
    (B, "llmdive mark-read zz", F),
    (B, "llmdive --home {home} mark-read my", F),
    (B, "llmdive --urls mark-read lo", F),
    (B, "llmdive list --section fi", F),
    (B, "llmdive list -d easy -s ", F),
    (B, "llmdive next -s f", F),
    (B, "llmdive search atention --section m", F),
    (B, "llmdive mark-read --section lo", F),
    (B, "llmdive list --section zz", F),
    (B, "llmdive show lo", T),
    (B, "llmdive li", T),
    (B, "llmdive ", T),
    (B, "llmdive mark-read --s", T),
    (B, "llmdive list --section=fi", T),
    (B, "llmdive list --section -s fi", T),
    (B, "llmdive list fi", T),
    (B, "llmdive --version mark-read lo", T),
    (B, "llmdive mark-read --home {home} lo", T),
    (B, "llmdive mark-read -- lo", T),
    (Z, "llmdive mark-read lo", F),
    (Z, "llmdive list --section ", F),
    (Z, "llmdive mark-read zz", F),
    (Z, "llmdive show lo", T),
    (FI, "llmdive mark-read lo", F),
    (FI, "llmdive list -s zz", F),
    (FI, "llmdive next --section ", F),
    (FA, "llmdive mark-read lo", F),
    (FA, "llmdive mark-read zz", F),
    (FI, "llmdive show lo", T),
]


def _complete(fast: bool, shell: str, line: str, tmp: Path) -> tuple[object, ...]:
    work = tmp / ("fast" if fast else "typer")
    work.mkdir()
    home = work / "home"
    shutil.copytree(_template("read", tmp), home)
    line = line.replace("{home}", str(home))
    env = {"LLMDIVE_HOME": str(home), "LLMDIVE_TEST_TAKEN": str(work / "taken")}
    if shell == B:
        words = line.split()
        env |= {"COMP_WORDS": line, "COMP_CWORD": str(len(words) - (0 if line[-1] == " " else 1))}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": line}
    if shell.startswith("fish"):
        env["_TYPER_COMPLETE_FISH_ACTION"] = shell.split()[1]
    proc = subprocess.run(
        [sys.executable, "-c", CODE.format(fast=fast)],
        env=subprocess_env(_LLMDIVE_COMPLETE=f"complete_{shell.split()[0]}", **env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    said = (proc.returncode, proc.stdout, proc.stderr.replace(str(work), "<work>"))
    return said, (work / "taken").read_text()


@pytest.mark.parametrize(("shell", "line", "taken"), COMPLETIONS, ids=lambda v: str(v))
def test_a_tab_on_the_fast_path_answers_what_typer_answers(
    shell: str, line: str, taken: str, tmp_path: Path
) -> None:
    fast = _complete(True, shell, line, tmp_path)
    typer_ = _complete(False, shell, line, tmp_path)
    assert fast[0] == typer_[0]
    assert (fast[1], typer_[1]) == (taken, "typer")


def test_the_completion_corpus_offers_names_and_none(tmp_path: Path) -> None:
    """Not only empty answers: ids, personal ids and sections, in each shell's form."""
    for n in range(3):
        (tmp_path / str(n)).mkdir()
    said = [
        _complete(True, s, w, tmp_path / str(n))[0]
        for n, (s, w) in enumerate(
            [
                (B, "llmdive mark-read lora-e"),
                (B, "llmdive mark-read my"),
                (Z, "llmdive list -s fi"),
            ]
        )
    ]
    assert said == [
        (0, "lora-explained\n", ""),
        (0, "my-x\n", ""),
        (0, "_arguments '*: :((\"finetuning\"))'\n", ""),
    ]


HOLD_THE_LOCK = """
import sys
from llmdive.home.lock import locked
from pathlib import Path
with locked(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""


def _interrupted(fast: bool, tmp: Path) -> tuple[int, str, str]:
    """mark-read waiting for the home's lock, then Ctrl-C: what it says and its exit code."""
    import signal

    work = tmp / ("fast" if fast else "typer")
    home = work / "home"
    shutil.copytree(_template("read", tmp), home)
    env = subprocess_env(LLMDIVE_HOME=str(home), LLMDIVE_TEST_TAKEN=str(work / "taken"))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        waiting = subprocess.Popen(
            [sys.executable, "-c", CODE.format(fast=fast), "mark-read", "lora"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        time.sleep(1.5)  # started, and waiting for the lock
        waiting.send_signal(signal.SIGINT)
        out, err = waiting.communicate(timeout=60)
    finally:
        holder.communicate("", timeout=30)
    return waiting.returncode, out, err.replace(str(work), "<work>")


def test_ctrl_c_on_the_fast_path_ends_as_it_does_under_typer(tmp_path: Path) -> None:
    fast = _interrupted(True, tmp_path)
    assert fast == _interrupted(False, tmp_path)
    assert fast[0] == 130
