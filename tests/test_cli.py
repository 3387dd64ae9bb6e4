from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from llmdive import __version__
from llmdive.cli import app
from llmdive.model.vocab import Status
from llmdive.record.progress import load_progress

from .conftest import GUIDE_README, Invoke, subprocess_env

FINETUNING = [
    (
        "umar-jamil-quantization",
        "Umar Jamil: Quantization",
        "https://www.youtube.com/watch?v=0VdNflU08yA",
        ["FineTuning", "Quantized FineTuning"],
    ),
    (
        "lora-explained",
        "Umar Jamil: LoRA Explained",
        "https://www.youtube.com/watch?v=PXWYUTMt-AU",
        ["FineTuning", "LoRA"],
    ),
    (
        "dpo-explained",
        "Umar Jamil: DPO Explained",
        "https://www.youtube.com/watch?v=hvGa5Mba4c8",
        ["FineTuning", "DPO"],
    ),
    (
        "rlhf-explained",
        "Umar Jamil: RLHF Explained",
        "https://www.youtube.com/watch?v=qGyFrqc34yc",
        ["FineTuning", "RLHF"],
    ),
]


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def test_list_section_json_is_the_four_finetuning_links(cli: Invoke) -> None:
    data = json.loads(ok(cli("list", "--section", "finetuning", "--json")))
    assert data == [
        {
            "id": i,
            "title": t,
            "url": u,
            "difficulty": "medium",
            "section": s,
            "kind": "video",
            "personal": False,
            "status": "unread",
            "status_changed": None,
            "note": None,
            "link_check": None,
        }
        for i, t, u, s in FINETUNING
    ]


def test_list_human_output_is_plain_when_piped(cli: Invoke) -> None:
    out = ok(cli("list", "--section", "finetuning"))
    assert "\x1b" not in out
    assert out.splitlines()[:2] == [
        "FineTuning › Quantized FineTuning",
        "  · umar-jamil-quantization  Medium    video  Umar Jamil: Quantization  "
        "https://www.youtube.com/watch?v=0VdNflU08yA",
    ]
    assert sum(1 for line in out.splitlines() if line.startswith("  · ")) == 4


def test_list_in_colour_has_badges_and_hyperlinks(cli: Invoke) -> None:
    out = ok(cli("list", "-s", "lora", env={"FORCE_COLOR": "1"}))
    assert "\x1b[" in out
    assert "\x1b]8;" in out and "https://www.youtube.com/watch?v=PXWYUTMt-AU" in out
    assert " Medium " in out


def test_no_color_wins_over_force_color(cli: Invoke) -> None:
    out = ok(cli("list", "-s", "lora", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}))
    assert "\x1b" not in out


def test_list_filters_by_difficulty_and_status(cli: Invoke) -> None:
    data = json.loads(ok(cli("list", "-d", "easy", "-d", "HARD", "--json")))
    assert {d["difficulty"] for d in data} == {"easy", "hard"}
    assert len(data) == 9  # 4 easy, 5 hard
    ok(cli("mark-read", "lora", "dpo"))
    read = json.loads(ok(cli("list", "--status", "read", "--json")))
    assert [d["id"] for d in read] == ["lora-explained", "dpo-explained"]
    unread = json.loads(ok(cli("list", "--status", "unread", "-s", "fine", "--json")))
    assert [d["id"] for d in unread] == ["umar-jamil-quantization", "rlhf-explained"]


def test_unknown_section_is_a_usage_error_exit_2(cli: Invoke) -> None:
    result = cli("list", "--section", "finetunin")
    # A prefix of exactly one section is accepted...
    assert result.exit_code == 0
    result = cli("list", "--section", "fintuning")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--section' / '-s': no section 'fintuning' (did you mean: "
        "finetuning?); `llmdive toc` shows every section"
    )


def test_bad_difficulty_is_a_usage_error(cli: Invoke) -> None:
    result = cli("list", "-d", "spicy")
    assert result.exit_code == 2
    assert "'spicy' is not one of 'easy', 'medium', 'hard', 'unrated'" in result.stderr


def test_toc_shows_the_tree_with_empty_topics(cli: Invoke) -> None:
    lines = ok(cli("toc")).splitlines()
    assert lines[0] == "The LLM Deep Dive"
    assert "FineTuning  [finetuning]  0/4 read" in lines
    assert "    Tokenization  [tokenization]  no links yet: contribute one" in lines
    tree = json.loads(ok(cli("toc", "--json")))
    assert [s["title"] for s in tree][:2] == ["Model Architecture", "Agentic LLMs"]
    assert tree[0]["links"] == 7 and tree[0]["topics"][0]["links"] == 3
    assert tree[3] == {
        "slug": "datasets",
        "title": "Datasets",
        "description": None,
        "tip": None,
        "links": 0,
        "read": 0,
        "reading": 0,
        "unread": 0,
        "skipped": 0,
        "topics": [],
    }


def test_show_one_link(cli: Invoke) -> None:
    ok(cli("note", "lora", "re-read the rank part"))
    data = json.loads(ok(cli("show", "lora", "--json")))
    assert data == {
        "id": "lora-explained",
        "title": "Umar Jamil: LoRA Explained",
        "url": "https://www.youtube.com/watch?v=PXWYUTMt-AU",
        "difficulty": "medium",
        "section": ["FineTuning", "LoRA"],
        "kind": "video",
        "personal": False,
        "status": "unread",
        "status_changed": None,
        "note": "re-read the rank part",
        "link_check": None,
    }
    out = ok(cli("show", "lora"))
    assert "  section  FineTuning › LoRA" in out.splitlines()


def test_mark_read_prefixes_and_several_ids(cli: Invoke, home: Path) -> None:
    out = ok(cli("mark-read", "illustrated-t", "lora"))
    assert out.splitlines() == [
        "✓ illustrated-transformer  unread → read  Jay Alamar - Illustrated Transformer",
        "✓ lora-explained           unread → read  Umar Jamil: LoRA Explained",
    ]
    again = ok(cli("mark-read", "lora"))
    assert again == "✓ lora-explained  already read  Umar Jamil: LoRA Explained\n"
    links = load_progress(home).links
    assert {k: e.status for k, e in links.items()} == {
        "illustrated-transformer": Status.READ,
        "lora-explained": Status.READ,
    }


def test_an_unknown_id_writes_nothing(cli: Invoke, home: Path) -> None:
    result = cli("mark-read", "lora", "lora-explaned-typo", "dpo")
    assert result.exit_code == 1
    assert result.stderr == (
        "llmdive: error: no link with id 'lora-explaned-typo' (did you mean: lora-explained?); "
        "`llmdive list` shows every id\n"
    )
    assert not (home / "progress.json").exists()
    result = cli("skip", "illustrated")
    assert result.exit_code == 1
    assert "ambiguous" in result.stderr
    assert not (home / "progress.json").exists()


def test_start_skip_unread_and_history(cli: Invoke) -> None:
    ok(cli("start", "lora"))
    ok(cli("skip", "dpo"))
    ok(cli("mark-read", "lora"))
    ok(cli("mark-unread", "lora"))
    rows = json.loads(ok(cli("history", "--json")))
    assert [(r["id"], r["status"]) for r in rows] == [
        ("lora-explained", "unread"),
        ("lora-explained", "read"),
        ("dpo-explained", "skipped"),
        ("lora-explained", "reading"),
    ]
    assert rows[0]["at"].endswith("Z")
    assert "skipped  dpo-explained" in ok(cli("history"))


def test_notes_are_in_history(cli: Invoke) -> None:
    ok(cli("mark-read", "lora"))
    ok(cli("note", "lora", "rank matters"))
    ok(cli("note", "lora", ""))
    rows = json.loads(ok(cli("history", "--json")))
    assert [(r["status"], r["note"], r["undo"]) for r in rows] == [
        (None, "", None),
        (None, "rank matters", None),
        ("read", None, None),
    ]
    lines = ok(cli("history")).splitlines()
    assert lines[0].endswith(
        "just now  ✎ note  lora-explained  Umar Jamil: LoRA Explained  (removed)"
    )
    assert lines[1].endswith(
        "just now  ✎ note  lora-explained  Umar Jamil: LoRA Explained  rank matters"
    )


def test_next_json_and_section(cli: Invoke) -> None:
    ok(cli("start", "rlhf"))
    data = json.loads(ok(cli("next", "--json")))
    assert len(data) == 9
    fine = next(d for d in data if d["section"] == "FineTuning")
    assert fine["link"]["id"] == "rlhf-explained"
    assert fine["link"]["status"] == "reading"
    assert fine["link"]["section"] == ["FineTuning", "RLHF"]
    ok(cli("skip", "tweet"))
    assert next(d for d in json.loads(ok(cli("next", "--json"))) if d["section"] == "Misc") == {
        "section": "Misc",
        "link": None,
        "more": [],
        "passed_over": [],
    }
    only = json.loads(ok(cli("next", "--section", "model-a", "--json")))
    assert [(d["section"], d["link"]["id"]) for d in only] == [
        ("Model Architecture", "illustrated-transformer")
    ]
    human = ok(cli("next"))
    assert "Misc                     – all skipped" in human


def test_progress_json_and_orphans(cli: Invoke, home: Path) -> None:
    ok(cli("mark-read", "lora", "illustrated-t"))
    ok(cli("skip", "dpo"))
    data = json.loads(ok(cli("progress", "--json")))
    # Every link counted, skipped apart: the counts add up to the total.
    assert data["overall"] == {"total": 29, "read": 2, "reading": 0, "unread": 26, "skipped": 1}
    assert data["sections"][2] == {
        "section": "FineTuning",
        "total": 4,
        "read": 1,
        "reading": 0,
        "unread": 2,
        "skipped": 1,
    }
    assert sum(s["total"] for s in data["sections"]) == 29
    assert data["difficulties"]["easy"] == {
        "total": 4,
        "read": 1,
        "reading": 0,
        "unread": 3,
        "skipped": 0,
    }
    assert data["orphans"] == []
    raw = json.loads((home / "progress.json").read_text())
    raw["links"]["retired-link"] = {"status": "read", "title": "Old one"}
    (home / "progress.json").write_text(json.dumps(raw))
    data = json.loads(ok(cli("progress", "--json")))
    assert data["orphans"] == [
        {
            "id": "retired-link",
            "title": "Old one",
            "url": None,
            "status": "read",
            "status_changed": None,
            "note": None,
        }
    ]
    human = ok(cli("progress"))
    assert "Not in the current guide (1): kept in your progress" in human
    assert "  FineTuning               ████████░░░░░░░░░░░░░░░░  1/3     33%" in human


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


def test_a_broken_guide_is_reported_per_problem(cli: Invoke, tmp_path: Path) -> None:
    guide = tmp_path / "bad.toml"
    guide.write_text(
        'version = 1\n[[sections]]\nslug = "s"\ntitle = "S"\n'
        '[[sections.links]]\nid = "a"\ntitle = "A"\nurl = "https://a.example"\ndifficulty = "x"\n'
        '[[sections.links]]\nid = "a"\ntitle = ""\nurl = "https://b.example"\n'
    )
    result = cli("--guide", str(guide), "list")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"llmdive: error: {guide}: sections[0] (S).links[0] (a).difficulty: "
        "must be one of 'easy', 'medium', 'hard' or 'unrated'",
        f"llmdive: error: {guide}: sections[0] (S).links[1] (a).title: "
        "String should have at least 1 character",
    ]


def test_guide_import_writes_the_catalogue(cli: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "g.toml"
    result = cli("guide", "import", str(GUIDE_README), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {out}: 18 sections, 29 links\n"
    assert ok(cli("guide", "import", str(GUIDE_README))) == out.read_text()
    assert "aliases" not in out.read_text()  # a first import has no old ids


def test_guide_import_counts_in_the_singular_and_refuses_a_readme_without_links(
    cli: Invoke, tmp_path: Path
) -> None:
    one = tmp_path / "one.md"
    one.write_text(
        "# A list\n\n### Attention\n\n- [FlashAttention](https://arxiv.org/abs/2205.14135)\n"
    )
    out = tmp_path / "g.toml"
    result = cli("guide", "import", str(one), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {out}: 1 section, 1 link\n"
    result = cli("guide", "import", str(one), "--output", str(out))
    assert result.stderr == f"wrote {out}: 1 section, 1 link, 1 id kept\n"
    none = tmp_path / "none.md"
    none.write_text("# Notes\n\n### Attention\n\nNothing to read yet.\n")
    for args in (["-o", str(tmp_path / "empty.toml")], []):
        result = cli("guide", "import", str(none), *args)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            f"llmdive: error: {none} is evidently not a guide README: none of its ### sections "
            "has a link; nothing written\n"
        )
    assert not (tmp_path / "empty.toml").exists()


def test_data_guide_toml_is_the_import_onto_itself_byte_for_byte(
    cli: Invoke, tmp_path: Path
) -> None:
    """data/guide.toml is made (README: how) by importing the guide's README onto it."""
    from llmdive.home.paths import bundled_guide

    bundled = bundled_guide().read_text(encoding="utf-8")
    out = tmp_path / "guide.toml"
    out.write_text(bundled, encoding="utf-8")
    result = cli("guide", "import", str(GUIDE_README), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {out}: 18 sections, 29 links, 29 ids kept\n"
    assert out.read_text(encoding="utf-8") == bundled
    # Its ids fit 24 characters; the long ids they replaced are kept as aliases.
    assert 'id = "merging-tokens"' in bundled
    assert '"merging-tokens-accelerate-llm-inference"' in bundled


def test_importing_onto_a_file_with_long_ids_shortens_them_keeping_aliases(
    cli: Invoke, tmp_path: Path
) -> None:
    from llmdive.home.paths import bundled_guide

    old = bundled_guide().read_text(encoding="utf-8")
    # The file as it was before ids were short: the long id, no alias.
    old = old.replace('id = "merging-tokens"', 'id = "merging-tokens-accelerate-llm-inference"')
    old = old.replace('aliases = [\n    "merging-tokens-accelerate-llm-inference",\n]\n', "")
    out = tmp_path / "guide.toml"
    out.write_text(old, encoding="utf-8")
    assert cli("guide", "import", str(GUIDE_README), "--output", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == bundled_guide().read_text(encoding="utf-8")


def test_guide_import_of_a_readme_without_sections(cli: Invoke, tmp_path: Path) -> None:
    readme = tmp_path / "R.md"
    readme.write_text("# nothing here\n")
    out = tmp_path / "g.toml"
    result = cli("guide", "import", str(readme), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == (
        f"llmdive: error: {readme}: no sections found (a section is a '### ' heading); "
        "nothing was imported\n"
    )
    assert not out.exists()


def test_version(cli: Invoke) -> None:
    assert ok(cli("--version")) == f"llmdive {__version__}\n"


def _commands(group: object, prefix: str = "") -> list[tuple[str, object]]:
    out = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        out.append((prefix + name, cmd))
        if hasattr(cmd, "commands"):
            out += _commands(cmd, prefix + name + " ")
    return out


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


def _complete(home: Path, words: str) -> list[str]:
    env = subprocess_env(
        LLMDIVE_HOME=str(home),
        _LLMDIVE_COMPLETE="complete_bash",
        COMP_WORDS=words,
        COMP_CWORD=str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    )
    proc = subprocess.run(
        [sys.executable, "-c", "from llmdive.cli import main; main()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_shell_completion_of_ids_and_sections(home: Path) -> None:
    assert _complete(home, "llmdive mark-read lo") == [
        "lora-explained",
        "low-level-technicals",
    ]
    assert _complete(home, "llmdive list --section fine") == ["finetuning"]
    assert _complete(home, "llmdive show illustrated-g") == ["illustrated-gpt2"]


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


def test_edit_help_does_not_say_a_title_is_needed_to_add_a_link(cli: Invoke) -> None:
    out = " ".join(ok(cli("edit", "-h")).split())
    assert "--title" in out and "The link's title." in out
    assert "needed to add" not in out


def test_guide_export_markdown_and_toml(cli: Invoke, tmp_path: Path) -> None:
    from llmdive.guide.readme import parse_readme
    from llmdive.home.paths import bundled_guide

    md = ok(cli("guide", "export"))
    assert md.startswith("# The LLM Deep Dive\n")
    assert len([x for _, t in parse_readme(md).guide.walk() for x in t.links]) == 29
    assert ok(cli("guide", "export", "--format", "toml")) == bundled_guide().read_text()
    out = tmp_path / "README.md"
    ok(cli("guide", "export", "-o", str(out)))
    assert out.read_text() == md
    bad = cli("guide", "export", "--format", "pdf")
    assert bad.exit_code == 2
    assert "'pdf' is not one of 'markdown', 'toml'" in bad.stderr


def test_guide_import_keeps_the_ids_of_an_existing_output(cli: Invoke, tmp_path: Path) -> None:
    from llmdive.guide.catalogue import load_catalogue
    from llmdive.home.paths import bundled_guide

    from .conftest import FIXTURES

    out = tmp_path / "guide.toml"
    text = bundled_guide().read_text().replace('id = "lora-explained"', 'id = "my-lora"')
    out.write_text(text)
    result = cli("guide", "import", str(FIXTURES / "guide-v3-additions.md"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {out}: 18 sections, 32 links, 29 ids kept\n"
    ids = set(load_catalogue(out).by_id)
    assert {"my-lora", "annotated-transformer", "fineweb-datasets"} <= ids
    assert "lora-explained" not in ids


def test_guide_import_never_overwrites_a_broken_output(cli: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "guide.toml"
    out.write_text("this is = = not toml")
    result = cli("guide", "import", str(GUIDE_README), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"llmdive: error: {out}: not valid TOML")
    assert out.read_text() == "this is = = not toml"


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
