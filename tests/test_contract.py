"""The JSON contract: every command's --json output, errors included."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import typer

from llmdive.cli import app
from llmdive.model.vocab import Status
from llmdive.output import shapes
from llmdive.record.progress import load_progress
from tests.helpers import FIXTURES, REPO, Invoke, subprocess_env
from tests.linkserver import serving

SCHEMA = REPO / "schema"


def ok_json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_marks_with_json_print_the_changes_as_link_objects(cli: Invoke, home: Path) -> None:
    data = ok_json(cli("mark-read", "lora", "dpo", "--json"))
    changes = data["changes"]
    assert [
        (c["link"]["id"], c["field"], c["before"], c["after"], c["changed"]) for c in changes
    ] == [
        ("lora-explained", "status", "unread", "read", True),
        ("dpo-explained", "status", "unread", "read", True),
    ]
    stored = load_progress(home).get("lora-explained")
    assert stored is not None
    assert changes[0]["link"]["status"] == "read"
    assert changes[0]["link"]["status_changed"] == stored.changed
    again = ok_json(cli("mark-read", "lora", "--json"))["changes"][0]
    assert (again["before"], again["after"], again["changed"]) == ("read", "read", False)
    for command, status in (("start", "reading"), ("skip", "skipped"), ("mark-unread", "unread")):
        change = ok_json(cli(command, "lora", "--json"))["changes"][0]
        assert (change["after"], change["link"]["status"]) == (status, status)
    assert load_progress(home).status("lora-explained") is Status.UNREAD


def test_note_with_json_says_before_and_after(cli: Invoke) -> None:
    first = ok_json(cli("note", "lora", "the rank part", "--json"))["changes"][0]
    assert (first["field"], first["before"], first["after"]) == ("note", None, "the rank part")
    assert first["link"]["note"] == "the rank part"
    gone = ok_json(cli("note", "lora", "", "--json"))["changes"][0]
    assert (gone["before"], gone["after"], gone["changed"]) == ("the rank part", None, True)
    assert gone["link"]["note"] is None


def test_add_with_json_prints_the_new_link(cli: Invoke) -> None:
    url = "https://example.com/my-post"
    data = ok_json(cli("add", url, "-t", "My post", "-s", "lora", "-d", "easy", "--json"))
    change = data["changes"][0]
    assert (change["field"], change["before"], change["after"]) == ("link", None, "added")
    assert change["link"] == {
        "id": change["link"]["id"],
        "title": "My post",
        "url": url,
        "related": [],
        "difficulty": "easy",
        "section": ["FineTuning", "LoRA"],
        "kind": "article",
        "personal": True,
        "status": "unread",
        "status_changed": None,
        "note": None,
    }
    shown = ok_json(cli("show", change["link"]["id"], "--json"))
    assert shown == {**change["link"], "link_check": None}


def test_an_error_with_json_is_json_on_stderr_same_exit_code(cli: Invoke, home: Path) -> None:
    result = cli("mark-read", "lora", "nosuch", "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    error = json.loads(result.stderr)
    assert error == {"error": error["problems"][0], "problems": error["problems"]}
    assert error["error"].startswith("no link with id 'nosuch'")
    assert not (home / "progress.json").exists()
    usage = cli("list", "-d", "spicy", "--json")
    assert usage.exit_code == 2
    assert usage.stdout == ""
    assert "'spicy' is not one of" in json.loads(usage.stderr)["error"]
    # Without --json, errors stay one line of text.
    assert cli("show", "nosuch").stderr.startswith("llmdive: error: no link with id")
    # `--` ends the options: a note that reads "--json" is not a request for JSON.
    assert cli("note", "nosuch", "--", "--json").stderr.startswith("llmdive: error:")


def test_a_broken_progress_file_with_json_in_a_real_process(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "progress.json").write_text('{"version": 1, "links": {')
    proc = subprocess.run(
        [sys.executable, "-m", "llmdive", "progress", "--json"],
        env=subprocess_env(LLMDIVE_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "not valid JSON" in json.loads(proc.stderr)["error"]


# ---------------------------------------------------------------- the schema files


def test_the_schema_files_are_generated_from_the_shapes() -> None:
    committed = {p.name: p.read_text(encoding="utf-8") for p in SCHEMA.glob("*.json")}
    assert committed == shapes.files(), "run: python schema/make_schema.py"
    for text in committed.values():
        jsonschema.Draft202012Validator.check_schema(json.loads(text))


def schema_of(command: str) -> dict[str, Any]:
    name = next(n for n, (_, commands) in shapes.SHAPES.items() if command in commands)
    schema: dict[str, Any] = json.loads((SCHEMA / f"{name}.json").read_text(encoding="utf-8"))
    return schema


def json_commands() -> set[str]:
    """Every command that takes --json, as `name` or `group name`."""

    def walk(group: Any, prefix: str) -> Iterator[str]:
        for name, cmd in group.commands.items():
            # A group may take --json itself (`progress` is a group with a default).
            if any(p.name == "json_out" for p in cmd.params):
                yield prefix + name
            if hasattr(cmd, "commands"):
                yield from walk(cmd, f"{prefix}{name} ")

    return set(walk(typer.main.get_command(app), ""))


@pytest.fixture
def loopback_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback addresses taken for public ones: names resolving to them prove DNS works."""
    from llmdive.net import linkcheck

    monkeypatch.setattr(linkcheck, "is_public", lambda address: True)


def outputs(cli: Invoke, home: Path) -> Iterator[tuple[str, Any]]:
    """Each --json command run on a record with something of every kind in it."""

    def run(*args: str) -> Any:
        return ok_json(cli(*args, "--json"))

    def doctor(*args: str) -> Any:
        # doctor's JSON is whole either way; it exits 1 exactly when it reports a problem
        # (here the other machine's record holds a change stamped in the future).
        result = cli("doctor", *args, "--json")
        assert result.stderr == ""
        data = json.loads(result.stdout)
        problem = any(f["level"] == "error" for f in data["facts"]) or any(
            m["error"] for m in data["merged"]
        )
        assert result.exit_code == (1 if problem else 0), result.output
        return data

    yield "mark-read", run("mark-read", "lora", "illustrated-t", "tweet")
    yield "start", run("start", "rlhf")
    yield "skip", run("skip", "dpo")
    yield "mark-unread", run("mark-unread", "illustrated-t")
    yield "note", run("note", "lora", "the rank part")
    yield "note ID (no text)", run("note", "lora")
    yield "add", run("add", "https://example.com/mine", "-t", "Mine", "-s", "lora")
    yield "add", run("add", "https://example.com/gone", "-t", "Gone", "-s", "lora")
    yield "edit", run("edit", "gone", "-t", "Gone soon", "-d", "easy")
    yield "remove", run("remove", "gone")
    # Dead links without the internet: a 404 from 127.0.0.1; .invalid names never resolve.
    with serving() as server:  # a host that answers: a check reaching none looks offline
        # ... by a name resolving to an address taken for public (else no name lookup works)
        port = server.server_address[1]
        yield "add", run("add", f"http://localhost:{port}/missing", "-t", "Gone", "-s", "datasets")
        yield (
            "add",
            run("add", "https://nowhere.invalid/vanished", "-t", "Vanished", "-s", "datasets"),
        )
        yield "check-links", run("check-links", "--section", "datasets")
    yield "list", run("list")
    yield "show", run("show", "lora")
    yield "search", run("search", "umar lora")
    yield "next", run("next")
    yield "toc", run("toc")
    yield "history", run("history")
    yield "guide status", run("guide", "status")
    yield "paths", run("paths")
    yield "guide update", run("guide", "update", "--from", str(FIXTURES / "guide-v2-renamed.md"))
    yield "guide update", run("guide", "update", "--from", str(FIXTURES / "guide-v3-additions.md"))
    yield "whatsnew", run("whatsnew")
    yield "paths", run("paths")
    yield "guide update", run("guide", "update", "--from", str(FIXTURES / "guide-v3-additions.md"))
    yield "guide reset", run("guide", "reset", "--dry-run")
    raw = json.loads((home / "progress.json").read_text())
    raw["links"]["retired-link"] = {"status": "read", "title": "Old one"}
    (home / "progress.json").write_text(json.dumps(raw))
    yield "progress", run("progress")
    run("start", "dpo")  # undo never reaches past the guide updates above
    yield "undo", run("undo")
    other = home.parent / "other"
    other_progress = {
        "version": 1,
        "links": {
            "dpo-explained": {
                "status": "read",
                "changed": "2030-01-01T00:00:00Z",
                "title": "DPO",
                "url": "https://x.y/",
                "events": [{"at": "2030-01-01T00:00:00Z", "status": "read"}],
            }
        },
    }
    other.mkdir()
    (other / "progress.json").write_text(json.dumps(other_progress))
    yield "progress merge", run("progress", "merge", str(other / "progress.json"), "--dry-run")
    copy = home / "progress.sync-conflict-20300101-000000-ABCDEFG.json"
    copy.write_text(json.dumps(other_progress))
    yield "doctor", doctor()
    yield "doctor", doctor("--merge")
    subprocess.run(["git", "init", "-q", "--bare", str(other / "remote.git")], check=True)
    yield "sync", run("sync", "--remote", str(other / "remote.git"))
    # Following more guides: the directory, a guide followed, the list, links from several.
    yield "guide add (no name)", run("guide", "add")
    course = FIXTURES / "lists" / "mlabonne__llm-course.md"
    yield "guide add", run("guide", "add", "llm-course", str(course))
    yield "guide list", run("guide", "list")
    # Every status again (the merges above made dpo read): one skipped, one being read.
    run("skip", "rlhf-explained")
    run("start", "illustrated-transformer")
    yield "list", run("list")
    yield "guide update", run("guide", "update", "llm-course")


@pytest.mark.usefixtures("loopback_public")
def test_every_commands_json_output_follows_its_schema(cli: Invoke, home: Path) -> None:
    seen = set()
    for command, data in outputs(cli, home):
        jsonschema.validate(data, schema_of(command))
        seen.add(command)
    missing = json_commands() - seen
    assert not missing, (
        f"{sorted(missing)} take --json: add their shape to llmdive/output/shapes.py (SHAPES), "
        "run schema/make_schema.py, and run them in outputs() here"
    )


@pytest.mark.usefixtures("loopback_public")
def test_the_record_used_has_something_of_every_kind(cli: Invoke, home: Path) -> None:
    """The validation above means something only if nulls and non-nulls both occur."""
    data = dict(outputs(cli, home))
    links = data["list"]
    assert {d["status"] for d in links} == {"unread", "reading", "read", "skipped"}
    assert {d["personal"] for d in links} == {True, False}
    assert {d["note"] is None for d in links} == {True, False}
    assert {d["status_changed"] is None for d in links} == {True, False}
    assert {n["link"] is None for n in data["next"]} == {True, False}
    assert {d["link_check"] is None for d in links} == {True, False}
    assert any(n["passed_over"] for n in data["next"])
    assert data["progress"]["orphans"] and data["whatsnew"]


def test_errors_follow_the_error_schema(cli: Invoke) -> None:
    for args in (("show", "nosuch"), ("list", "-d", "spicy"), ("mark-read", "zzz", "lora")):
        result = cli(*args, "--json")
        assert result.exit_code in (1, 2) and result.stdout == ""
        jsonschema.validate(json.loads(result.stderr), schema_of("any command, on stderr"))


def test_a_wrong_output_is_caught(cli: Invoke) -> None:
    """The schemas are strict: a missing key or an extra one fails."""
    link = ok_json(cli("show", "lora", "--json"))
    jsonschema.validate(link, schema_of("show"))
    for broken in (
        {k: v for k, v in link.items() if k != "note"},
        {**link, "extra": 1},
        {**link, "status": "done"},
        {**link, "status_changed": "2026-01-01 10:00"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, schema_of("show"))


def test_related_links_follow_the_schema(cli: Invoke, home: Path) -> None:
    from llmdive.guide.catalogue import Catalogue, dump_toml, load_catalogue
    from llmdive.home.paths import bundled_guide
    from llmdive.model.models import Related

    guide = str(FIXTURES / "related-guide.toml")
    runs = [("show", ["show", "attention"]), ("list", ["list"]), ("search", ["search", "code"])]
    for command, args in [*runs, ("next", ["next"]), ("mark-read", ["mark-read", "flash"])]:
        data = ok_json(cli("--guide", guide, *args, "--json"))
        jsonschema.validate(data, schema_of(command))
    assert len(ok_json(cli("--guide", guide, "show", "attention", "--json"))["related"]) == 3
    # A guide update report with a link whose related links changed.
    edited = load_catalogue(bundled_guide()).guide
    Catalogue(edited).by_id["lora-explained"].link.related = (
        Related("paper", "https://arxiv.org/abs/2106.09685"),
    )
    (home / "guide.toml").write_text(dump_toml(edited), encoding="utf-8")
    report = ok_json(cli("guide", "reset", "--dry-run", "--json"))
    jsonschema.validate(report, schema_of("guide reset"))
    assert [e["link"]["id"] for e in report["related_changed"]] == ["lora-explained"]
