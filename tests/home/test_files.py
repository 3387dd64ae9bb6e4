"""llmdive's own files: never an output, read within limits whatever they are, a home
made private and only when something is written (issue 15, points 3, 4 and 6)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from llmdive.errors import LlmdiveError
from llmdive.home import storage
from llmdive.home.infile import JSON_MAX_DEPTH, parse_json
from llmdive.home.lock import locked
from llmdive.home.paths import JOURNAL
from llmdive.net import linkmarks
from llmdive.record import intake, mergedriver
from tests.helpers import GUIDE_README, Invoke, ok, subprocess_env

DEEP = b"[" * 100_000 + b"]" * 100_000
LLMDIVE = [sys.executable, "-m", "llmdive"]
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
needs_dev_zero = pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")


def snapshot(home: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(home.iterdir()) if p.is_file()}


# ---------------------------------------------------------------- 3: never an output

HOME_FILES = [
    "progress.json",
    "personal.json",
    "guide.toml",
    "guide-meta.json",
    "linkcheck.json",
    JOURNAL,
    "progress.json.lock",
]
WRITERS = [
    ("guide", "export"),
    ("guide", "export", "-f", "toml"),
    ("progress", "export"),
    ("progress", "export", "-f", "json"),
    ("progress", "export", "-f", "csv"),
    ("guide", "import", str(GUIDE_README)),
]


@pytest.fixture
def full_home(cli: Invoke, home: Path) -> Path:
    """A home with a record, a personal link, an updated guide and link results."""
    ok(cli("mark-read", "lora"))
    ok(cli("add", "https://example.com/mine", "-t", "Mine", "-s", "dpo"))
    ok(cli("guide", "update", "--from", str(GUIDE_README), "--force"))
    (home / "linkcheck.json").write_text('{"version": 1, "links": {}}\n')
    return home


@pytest.mark.parametrize("command", WRITERS, ids=" ".join)
def test_no_command_writes_over_a_file_of_the_home(
    cli: Invoke, full_home: Path, command: tuple[str, ...]
) -> None:
    before = snapshot(full_home)
    for name in HOME_FILES:
        target = full_home / name
        result = cli(*command, "-o", str(target))
        assert result.exit_code == 1, (name, result.output)
        if target.exists():
            assert result.stderr == (
                f"llmdive: error: {target} is llmdive's own {name}: "
                "write the export somewhere else\n"
            )
        else:  # a file the home does not have yet is still the home's to create
            assert result.stderr == (
                f"llmdive: error: {target} is in llmdive's home {full_home}: "
                "write the export somewhere else\n"
            )
    assert snapshot(full_home) == before
    assert not (full_home / JOURNAL).exists()


def test_a_new_file_in_the_home_or_its_cache_is_refused_too(cli: Invoke, home: Path) -> None:
    ok(cli("mark-read", "lora"))
    for target in (home / "notes.md", home / "cache" / "x.md"):
        result = cli("progress", "export", "-o", str(target))
        assert result.exit_code == 1
        assert "write the export somewhere else" in result.stderr
        assert not target.exists()


def test_a_link_to_a_file_of_the_home_is_refused(
    cli: Invoke, full_home: Path, tmp_path: Path
) -> None:
    before = snapshot(full_home)
    sym = tmp_path / "looks-harmless.md"
    sym.symlink_to(full_home / "progress.json")
    result = cli("guide", "export", "-o", str(sym))
    assert result.exit_code == 1
    assert result.stderr == (
        f"llmdive: error: {sym} is llmdive's own progress.json: write the export somewhere else\n"
    )
    folder = tmp_path / "into-home"
    folder.symlink_to(full_home, target_is_directory=True)
    result = cli("progress", "export", "-o", str(folder / "guide.toml"))
    assert result.exit_code == 1
    hard = tmp_path / "hard.toml"
    os.link(full_home / "guide.toml", hard)
    result = cli("guide", "export", "-f", "toml", "-o", str(hard))
    assert result.exit_code == 1
    assert result.stderr == (
        f"llmdive: error: {hard} is llmdive's own guide.toml (a hard link to it): "
        "write the export somewhere else\n"
    )
    assert snapshot(full_home) == before


def test_dev_stdout_redirected_onto_the_record_is_refused(full_home: Path) -> None:
    before = snapshot(full_home)
    env = subprocess_env(LLMDIVE_HOME=str(full_home))
    with open(full_home / "progress.json", "ab") as record:  # `>>`: the shell keeps it
        out = subprocess.run(
            [*LLMDIVE, "guide", "export", "-o", "/dev/stdout"],
            env=env,
            stdout=record,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    assert out.returncode == 1
    assert b"is llmdive's own progress.json: write the export somewhere else" in out.stderr
    assert snapshot(full_home) == before


@pytest.mark.parametrize("device", ["/dev/stdout", "/dev/stderr"])
def test_guide_import_to_dev_stdout_through_a_pipe_writes_at_once(home: Path, device: str) -> None:
    """`guide import F -o /dev/stdout | cat`: the output is written, never read first."""
    env = subprocess_env(LLMDIVE_HOME=str(home))
    cmd = [*LLMDIVE, "guide", "import", str(GUIDE_README), "-o", device]
    # Both streams are pipes nobody writes to: reading either would wait forever.
    out = subprocess.run(cmd, env=env, capture_output=True, stdin=subprocess.PIPE, timeout=60)
    assert out.returncode == 0, out.stderr
    written = out.stdout if device == "/dev/stdout" else out.stderr
    assert written.startswith(b"# The LLM Deep Dive as an llmdive catalogue")
    assert b'id = "lora-explained"' in written
    assert f"wrote {device}: ".encode() in out.stderr


def test_guide_import_keeps_ids_from_a_catalogue_file_only(cli: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "g.toml"
    out.write_text("")  # an empty file (a shell's `>`) has no ids to keep: not an error
    ok(cli("guide", "import", str(GUIDE_README), "-o", str(out)))
    assert 'id = "lora-explained"' in out.read_text()


# ---------------------------------------------------------------- 4: one bounded JSON reader


def test_the_one_reader_limits_depth_size_and_type() -> None:
    shown = "x.json"
    fine = b"[" * JSON_MAX_DEPTH + b"]" * JSON_MAX_DEPTH
    assert parse_json(fine, shown) is not None
    over = b"[" * (JSON_MAX_DEPTH + 1) + b"]" * (JSON_MAX_DEPTH + 1)
    for data in (over, DEEP, b'{"a": ' * 100_000 + b"1" + b"}" * 100_000):
        with pytest.raises(LlmdiveError, match=r"^x.json: not usable JSON: nested too deeply$"):
            parse_json(data, shown)
    # Brackets in strings are text, however many: they never count as nesting.
    text = {"note": "[[[[" * 100 + "}}" * 10}
    assert parse_json(json.dumps(text).encode(), shown) == text
    deep_object = json.dumps(json.loads(over.decode()) + ["["]).encode()  # strings and depth
    with pytest.raises(LlmdiveError, match="nested too deeply"):
        parse_json(deep_object, shown)
    with pytest.raises(LlmdiveError, match=r"^x.json: larger than 10 bytes; not read: fix it$"):
        parse_json(b"[1, 2, 3, 4, 5]", shown, "fix it", limit=10)
    for constant in (b"NaN", b"Infinity", b"-Infinity"):
        with pytest.raises(LlmdiveError, match="is not a number JSON has"):
            parse_json(b"[" + constant + b"]", shown)
    with pytest.raises(LlmdiveError, match="^x.json: not usable JSON: the file must hold an obj"):
        parse_json(b"[]", shown, top=dict)
    with pytest.raises(LlmdiveError, match="appears twice in one object"):
        parse_json(b'{"a": 1, "a": 2}', shown)


def deep_nesting_everywhere(home: Path, name: str) -> None:
    home.mkdir(exist_ok=True)
    (home / name).write_bytes(DEEP)


@pytest.mark.parametrize(
    "name", ["progress.json", "personal.json", "guide-meta.json", "linkcheck.json"]
)
def test_deep_nesting_in_a_home_file_is_one_line(cli: Invoke, home: Path, name: str) -> None:
    deep_nesting_everywhere(home, name)
    command = ("guide", "status") if name == "guide-meta.json" else ("list", "-s", "lora")
    result = cli(*command)
    assert "Traceback" not in result.output
    assert result.stderr.startswith(f"llmdive: {'warning' if 'link' in name else 'error'}: ")
    assert f"{home / name}: " in result.stderr
    assert "not usable JSON: nested too deeply" in result.stderr
    assert result.stderr.count("\n") == 1
    if name == "linkcheck.json":  # link results are disposable: a warning, the list shown
        assert result.exit_code == 0
        assert "lora-explained" in result.stdout
    else:
        assert result.exit_code == 1
    assert (home / name).read_bytes() == DEEP


def test_deep_nesting_in_link_results_is_reported_by_the_core(home: Path) -> None:
    deep_nesting_everywhere(home, "linkcheck.json")
    with pytest.raises(LlmdiveError, match="not usable JSON: nested too deeply"):
        linkmarks.read_results(home)


def test_deep_nesting_in_a_file_to_merge_is_one_line(
    cli: Invoke, home: Path, tmp_path: Path
) -> None:
    ok(cli("mark-read", "lora"))
    before = snapshot(home)
    for data in (DEEP, b'{"format": "llmdive-record", "version": 1, "progress": ' + DEEP + b"}"):
        other = tmp_path / "other.json"
        other.write_bytes(data)
        result = cli("progress", "merge", str(other))
        assert result.exit_code == 1
        assert result.stderr.startswith(f"llmdive: error: {other}: ")
        assert "nested too deeply" in result.stderr
        assert result.stderr.count("\n") == 1
        assert snapshot(home) == before


def test_deep_nesting_in_a_remote_record_is_an_error_naming_it() -> None:
    shown = Path("origin/main:progress.json")
    with pytest.raises(LlmdiveError, match="^origin/main:progress.json: not usable JSON: nested"):
        intake.parse_record(DEEP, shown)


def test_deep_nesting_in_the_merge_drivers_sides_is_an_error(tmp_path: Path) -> None:
    base, ours, theirs = (tmp_path / n for n in ("base", "ours", "theirs"))
    for path in (base, ours):
        path.write_text('{"version": 1, "links": {}}\n')
    theirs.write_bytes(DEEP)
    with pytest.raises(LlmdiveError, match="nested too deeply"):
        mergedriver.merge_driver(base, ours, theirs, "progress.json")


def test_a_deeply_nested_journal_is_one_line_and_changes_nothing(cli: Invoke, home: Path) -> None:
    ok(cli("mark-read", "lora"))
    before = snapshot(home)
    (home / JOURNAL).write_bytes(DEEP)
    result = cli("mark-read", "dpo")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"llmdive: error: {home / JOURNAL}: an unfinished change llmdive cannot read"
    )
    assert result.stderr.count("\n") == 1
    (home / JOURNAL).unlink()
    assert snapshot(home) == before
    # Readers that look through a journal simply see the files as they are.
    (home / JOURNAL).write_bytes(DEEP)
    assert "lora-explained" in ok(cli("list", "--status", "read"))


@needs_dev_zero
@pytest.mark.parametrize("name", ["progress.json", "personal.json"])
def test_a_record_file_linked_to_dev_zero_is_refused(cli: Invoke, home: Path, name: str) -> None:
    (home / name).symlink_to("/dev/zero")
    for command in (("list",), ("mark-read", "lora"), ("progress", "export")):
        result = cli(*command)
        assert result.exit_code == 1
        assert result.stderr == (
            f"llmdive: error: {home / name} is a device, not a regular file: llmdive reads "
            "only regular files in its home; move it aside\n"
        )
    assert (home / name).is_symlink()


@needs_fifo
@pytest.mark.parametrize("name", ["progress.json", "personal.json", JOURNAL])
def test_a_fifo_in_the_home_is_refused_at_once(home: Path, name: str) -> None:
    os.mkfifo(home / name)
    env = subprocess_env(LLMDIVE_HOME=str(home))
    for command in (["list"], ["mark-read", "lora"]):
        # Nobody writes to the FIFO: opening it to read would wait forever.
        out = subprocess.run([*LLMDIVE, *command], env=env, capture_output=True, timeout=60)
        assert out.returncode == 1, out
        assert out.stderr.decode() == (
            f"llmdive: error: {home / name} is a FIFO (named pipe), not a regular file: "
            "llmdive reads only regular files in its home; move it aside\n"
        )
    assert stat.S_ISFIFO(os.lstat(home / name).st_mode)


@needs_fifo
def test_link_results_that_are_a_fifo_are_a_warning(cli: Invoke, home: Path) -> None:
    os.mkfifo(home / "linkcheck.json")
    result = cli("list", "-s", "lora")
    assert result.exit_code == 0
    assert "lora-explained" in result.stdout
    assert f"{home / 'linkcheck.json'} is a FIFO (named pipe)" in result.stderr


# ---------------------------------------------------------------- 6: the home


@pytest.mark.parametrize("how", ["--home", "LLMDIVE_HOME"])
def test_the_home_is_private_under_umask_000(tmp_path: Path, how: str) -> None:
    new = tmp_path / "fresh" / "home"
    extra = {"LLMDIVE_HOME": str(new)} if how == "LLMDIVE_HOME" else {}
    args = ["--home", str(new)] if how == "--home" else []
    env = subprocess_env(**extra)
    env.pop("LLMDIVE_CACHE_DIR")  # the cache goes in the home: made first, it made the home
    if how == "--home":
        env.pop("LLMDIVE_HOME")
    out = subprocess.run(
        [*LLMDIVE, *args, "mark-read", "lora"],
        env=env,
        capture_output=True,
        timeout=60,
        preexec_fn=lambda: os.umask(0),
    )
    assert out.returncode == 0, out.stderr
    for folder in (new.parent, new, new / "cache"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE((new / "progress.json").stat().st_mode) == 0o600
    assert out.stderr.decode() == (
        f"llmdive: note: created the llmdive home {new} (private to you)\n"
    )


def test_taking_the_lock_makes_the_home_private_whatever_the_umask(tmp_path: Path) -> None:
    new = tmp_path / "a" / "b"
    old = os.umask(0o277)  # mkdir(0o700) alone would give 0500: unwritable
    try:
        with locked(new):
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE(new.stat().st_mode) == 0o700
    assert stat.S_IMODE(new.parent.stat().st_mode) == 0o700


READ_COMMANDS = [
    ("list",),
    ("next",),
    ("show", "lora"),
    ("search", "lora"),
    ("progress", "export"),
    ("doctor",),
    ("history",),
    ("guide", "status"),
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_a_typo_home_is_reported_and_never_created(
    cli: Invoke, tmp_path: Path, command: tuple[str, ...]
) -> None:
    typo = tmp_path / "hoem"
    result = cli("--home", str(typo), *command)
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(
        f"llmdive: note: no llmdive home at {typo} (named by --home): nothing is recorded there\n"
    )
    assert not typo.exists()
    env_typo = tmp_path / "env-hoem"
    result = cli(*command, env={"LLMDIVE_HOME": str(env_typo), "LLMDIVE_CACHE_DIR": ""})
    assert result.exit_code == 0, result.output
    assert "(named by $LLMDIVE_HOME): nothing is recorded there\n" in result.stderr
    assert not env_typo.exists()


def test_a_first_run_with_the_default_home_shows_the_guide_and_creates_nothing(
    tmp_path: Path,
) -> None:
    env = subprocess_env()
    for var in ("LLMDIVE_HOME", "LLMDIVE_CACHE_DIR"):
        env.pop(var)
    user = Path(env["HOME"])
    env["XDG_DATA_HOME"] = str(user / "data")
    env["XDG_CACHE_HOME"] = str(user / "cache")
    out = subprocess.run([*LLMDIVE, "next"], env=env, capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert b"illustrated-transformer" in out.stdout
    assert out.stderr == b""
    assert not (user / "data").exists()
    marked = subprocess.run(
        [*LLMDIVE, "mark-read", "lora"], env=env, capture_output=True, timeout=60
    )
    assert marked.returncode == 0, marked.stderr
    made = user / "data" / "llmdive"
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    assert marked.stderr.decode() == (
        f"llmdive: note: created the llmdive home {made} (private to you)\n"
    )


def test_json_output_keeps_stderr_for_errors(cli: Invoke, tmp_path: Path) -> None:
    typo = tmp_path / "hoem"
    result = cli("--home", str(typo), "list", "--json")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert not typo.exists()


def test_doctor_reports_a_read_only_home(cli: Invoke, home: Path) -> None:
    ok(cli("mark-read", "lora"))
    home.chmod(0o555)
    try:
        result = cli("doctor")
    finally:
        home.chmod(0o700)
    assert result.exit_code == 1
    assert (
        f"✗ {home}: a read-only folder (mode 0555): llmdive cannot record anything here; "
        "make it writable (chmod u+w)"
    ) in result.stdout
    (home / "progress.json").chmod(0o444)
    result = cli("doctor", "--json")
    assert result.exit_code == 1
    facts = json.loads(result.stdout)["facts"]
    assert {
        "level": "error",
        "text": f"{home / 'progress.json'}: a read-only file (mode 0444): llmdive cannot record "
        "anything here; make it writable (chmod u+w)",
    } in facts


def test_storage_refuses_every_output_into_the_home(home: Path, tmp_path: Path) -> None:
    (home / "progress.json").write_text("{}")
    with pytest.raises(LlmdiveError, match="is llmdive's own progress.json"):
        storage.write_output(home / "progress.json", "x", home=home)
    with pytest.raises(LlmdiveError, match="is in llmdive's home"):
        storage.write_output(home, "x", home=home)
    storage.write_output(tmp_path / "elsewhere.md", "x", home=home)
    assert (tmp_path / "elsewhere.md").read_text() == "x"
    assert (home / "progress.json").read_text() == "{}"


@needs_fifo
def test_a_guide_in_the_home_that_is_a_fifo_is_refused_not_skipped(home: Path) -> None:
    os.mkfifo(home / "guide.toml")
    env = subprocess_env(LLMDIVE_HOME=str(home))
    out = subprocess.run([*LLMDIVE, "list"], env=env, capture_output=True, timeout=60)
    assert out.returncode == 1
    assert out.stderr.decode() == (
        f"llmdive: error: {home / 'guide.toml'} is a FIFO (named pipe), not a regular file: "
        "llmdive reads only regular files in its home; move it aside\n"
    )
    assert out.stdout == b""
