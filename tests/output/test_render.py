"""The door for text going out: nothing from data reaches the terminal as a control."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from llmdive.output import terminal
from llmdive.output.jsonout import emit_json
from llmdive.output.layout import Part
from llmdive.output.terminal import Writer, safe
from tests.helpers import Invoke, run_in_pty
from tests.hostile import (
    HOSTILE,
    MARKUP,
    assert_inert,
    hostile_home,
    hostile_ids,
    hostile_readme,
    strip_ours,
)


def test_safe_shows_every_control_as_an_escape() -> None:
    assert safe("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert safe("bell\x07 del\x7f nul\x00") == "bell\\x07 del\\x7f nul\\x00"
    assert safe("c1 \x9b2J") == "c1 \\x9b2J"
    assert safe("bidi \u202eexe\u202c") == "bidi \\u202eexe\\u202c"
    assert safe("sep \u2028") == "sep \\u2028"
    assert safe("tab\tnewline\n") == "tab\\x09newline\\x0a"
    # A byte that was not UTF-8 (a file name, kept by surrogateescape) shows as that byte.
    assert safe("name-\udcff.md") == "name-\\xff.md"


def test_safe_keeps_ordinary_text_and_markup_as_it_is() -> None:
    for text in (
        "Umar Jamil: LoRA › Q&A",
        "日本語のタイトル",
        "[vLLM] [bold]x[/bold]",
        "a\u00a0b",
        "emoji 🤖 and zero\u200dwidth joiner",
    ):
        assert safe(text) == text


@pytest.mark.parametrize("text", HOSTILE)
def test_no_hostile_string_survives_safe(text: str) -> None:
    assert_inert(safe(text))


def json_text(data: object) -> str:
    out = io.StringIO()
    emit_json(data, out)
    return out.getvalue().removesuffix("\n")


def test_json_escapes_c1_bidi_and_del_and_stays_valid_json() -> None:
    data = {"t": "c1 \x9b2J del \x7f bidi \u202e esc \x1b[2J sep \u2028", "s": "lone \udcff"}
    text = json_text(data)
    assert_inert(text)
    assert "\\u009b" in text and "\\u202e" in text and "\\u007f" in text and "\\u001b" in text
    assert json.loads(text) == data
    assert json_text({"t": "日本語 › [vLLM]"}) == '{\n  "t": "日本語 › [vLLM]"\n}'


def _written(styled: bool, *parts: Part, urls: bool | None = None) -> str:
    out = io.StringIO()
    w = Writer(out, styled=styled)
    if urls is not None:
        w.urls = urls
    w.line(*parts)
    return out.getvalue()


@pytest.mark.parametrize("styled", [False, True])
def test_writer_makes_every_part_safe(styled: bool) -> None:
    for text in HOSTILE:
        out = _written(styled, (text, "bold", "https://example.com/\x1b]0;x\x07"), " ", text)
        assert_inert(out, text)
        assert safe(text) in out


def test_writer_keeps_markup_brackets_in_colour() -> None:
    out = _written(True, (MARKUP, "bold"))
    assert MARKUP in out
    assert "[bold]" in out


def test_a_hyperlink_target_is_printable_ascii() -> None:
    out = _written(True, ("t", "", "https://example.com/ü \x1b[2J\u202e"))
    assert "\x1b]8;;https://example.com/%C3%BC%20%1B[2J%E2%80%AE\x1b\\" in out


def test_warnings_are_made_safe(capsys: pytest.CaptureFixture[str]) -> None:
    terminal.warn("line 3: title \x1b]0;pwned\x07\nsecond \u202e")
    err = capsys.readouterr().err
    assert err == (
        "llmdive: warning: line 3: title \\x1b]0;pwned\\x07\nllmdive: warning: second \\u202e\n"
    )


# ---------------------------------------------------------------- every command


def _commands(tmp: Path) -> list[list[str]]:
    ids = hostile_ids()
    readme = tmp / "hostile-README.md"
    readme.write_text(hostile_readme(), encoding="utf-8")
    bad_name = str(tmp / "no \x1b]0;pwned\x07 file\udcff.md")
    commands = [
        ["list"],
        ["list", "--json"],
        ["list", "--section", "topic-1"],
        ["toc"],
        ["toc", "--json"],
        ["next"],
        ["next", "--json"],
        ["progress"],
        ["progress", "--json"],
        ["history"],
        ["history", "--json"],
        ["whatsnew"],
        ["whatsnew", "--json"],
        ["guide", "status"],
        ["guide", "status", "--json"],
        ["guide", "export"],
        ["guide", "export", "--format", "toml"],
        ["add", "--export"],
        ["progress", "export"],
        ["progress", "export", "-f", "csv"],
        ["progress", "export", "-f", "json"],
        ["show", "mine-1"],
        ["show", "hostile-4", "--json"],
        # Found through their related links, whose titles are hostile.
        ["search", "code"],
        ["search", "pwned", "board"],
        ["search", "code", "--json"],
        *(["show", i] for i in ids),
        ["mark-read", *ids[:5]],
        ["start", *ids[5:9]],
        ["skip", ids[9]],
        ["mark-unread", ids[0]],
        ["note", ids[2], "a plain note"],
        ["note", ids[2], ""],
        ["guide", "update", "--from", str(readme), "--dry-run"],
        ["guide", "update", "--from", str(readme), "--dry-run", "--json"],
        ["guide", "import", str(readme)],
        ["guide", "import", bad_name],
        ["guide", "update", "--from", bad_name],
        # Errors that quote what was typed.
        ["list", "--\x1b[2Jbad"],
        ["list", "--difficulty", "\x1b]0;pwned\x07"],
        ["\x1b[2Jcmd"],
        ["--home", str(tmp / "home\x1b]0;x\x07"), "mark-read", "nope"],
        *(["show", h] for h in HOSTILE),
        *(["list", "--section", h] for h in HOSTILE),
        *(["note", ids[1], h] for h in HOSTILE),
        *(["add", "https://example.net/x", "--title", h, "--section", "topic-0"] for h in HOSTILE),
    ]
    return commands


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"FORCE_COLOR": "1"},
        {"FORCE_COLOR": "1", "LLMDIVE_URLS": "1"},
        {"NO_COLOR": "1"},
        {"FORCE_COLOR": "1", "COLUMNS": "40"},
    ],
    ids=["piped", "colour", "colour-urls", "no-colour", "colour-40"],
)
def test_no_command_lets_a_control_through(
    cli: Invoke, home: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    hostile_home(home)
    for args in _commands(tmp_path):
        result = cli(*args, env=env)
        where = f"{args!r} exit {result.exit_code}"
        assert result.exit_code in (0, 1, 2), where
        assert_inert(result.stdout, where + " stdout")
        assert_inert(result.stderr, where + " stderr")
        if ("--json" in args or args[-1] == "json") and result.exit_code == 0:
            json.loads(result.stdout)
    # The sweep did reach the data: the titles were shown, escaped.
    # Wrapped lines joined; at 40 columns a long word is folded, so compare without spaces.
    shown = "".join(strip_ours(cli("list", env=env).stdout).split())
    for text in HOSTILE:
        assert "".join(safe(text).split()) in shown, text


def test_a_hostile_url_in_the_catalogue_is_shown_safely_or_refused_safely(
    cli: Invoke, tmp_path: Path
) -> None:
    from tests.hostile import hostile_guide

    guide = tmp_path / "urls.toml"
    guide.write_text(hostile_guide(url="https://example.com/{i}/\x1b]52;c;eA==\x07\u202e"))
    for env in ({}, {"FORCE_COLOR": "1"}):
        for args in (["list"], ["next"], ["show", "hostile-1"], ["list", "--json"]):
            result = cli("--guide", str(guide), *args, env=env)
            assert result.exit_code in (0, 1), result.output
            assert_inert(result.stdout, repr(args))
            assert_inert(result.stderr, repr(args))


def test_a_broken_progress_file_quoting_hostile_text_is_reported_safely(
    cli: Invoke, home: Path
) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "progress.json").write_text('{"version": 1, "links": {"x\\u001b]0;t\\u0007": 3}}')
    result = cli("progress")
    assert result.exit_code == 1
    assert result.stderr.startswith("llmdive: error: ")
    assert_inert(result.stderr)


def test_notes_and_titles_with_controls_are_refused_at_the_door(cli: Invoke, home: Path) -> None:
    for text in ("bell \x07", "esc \x1b[2J", "bidi \u202e", "c1 \x9b", "tab\there"):
        result = cli("note", "lora", text)
        assert result.exit_code == 2, text
        assert "control characters are not allowed in a note (newlines are)" in result.stderr
        result = cli("add", "https://example.net/p", "--title", text, "-s", "lora")
        assert result.exit_code == 2, text
        assert "control characters (newlines too) are not allowed in a title" in result.stderr
    assert not (home / "progress.json").exists()
    assert not (home / "personal.json").exists()


def test_a_note_may_hold_several_lines_shown_one_by_one(cli: Invoke) -> None:
    assert cli("note", "lora", "first line\nsecond [line]").exit_code == 0
    out = cli("show", "lora").stdout
    assert "  note     first line\n           second [line]\n" in out
    assert cli("show", "lora", "--json").stdout.count("first line\\nsecond [line]") == 1


def test_on_a_real_terminal_nothing_raw_arrives(home: Path) -> None:
    """Through a pseudo-terminal, as a person would run it (styled, hyperlinks)."""
    hostile_home(home)
    for args in (["list"], ["next"], ["show", "hostile-1"], ["history"], ["show", "\x1b]0;x\x07"]):
        out = run_in_pty(home, args)
        assert_inert(out, repr(args))
        assert "\x1b[" in out or "error" in out  # it really was styled (or the error)


@pytest.mark.parametrize("env", [{}, {"FORCE_COLOR": "1", "LLMDIVE_URLS": "1", "COLUMNS": "40"}])
def test_a_hostile_related_title_is_shown_escaped(
    cli: Invoke, home: Path, env: dict[str, str]
) -> None:
    hostile_home(home)
    for i, text in enumerate(HOSTILE):
        out = cli("show", f"hostile-{i}", env=env).stdout
        assert_inert(out, f"show hostile-{i}")
        assert "".join(safe("code " + text).split()) in "".join(strip_ours(out).split()), text
        assert f"https://example.com/{i}/code" in out
    found = cli("search", "code", "pwned", "window", env=env)
    assert found.exit_code == 0, found.output
    assert_inert(found.stdout, "search")
    assert "related:" in found.stdout
    assert "".join(safe("code " + HOSTILE[1]).split()) in "".join(strip_ours(found.stdout).split())
