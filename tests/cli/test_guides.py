"""Following several guides from the command line: guide add/list/update/remove/rename,
--guide NAME, and browsing across guides (cli/guide.py, cli/browse.py, cli/bodies.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from llmdive.home.paths import GUIDES_FILE, PROGRESS_FILE
from llmdive.workspace import Workspace
from tests.helpers import FIXTURES, Invoke, ok

COURSE = FIXTURES / "lists" / "mlabonne__llm-course.md"
AWESOME = FIXTURES / "lists" / "Hannibal046__Awesome-LLM.md"
SHARED = "https://www.youtube.com/watch?v=kCc8FmEb1nY"  # in both lists


@pytest.fixture
def following(cli: Invoke, home: Path) -> Path:
    ok(cli("guide", "add", "llm-course", str(COURSE)))
    ok(cli("guide", "add", "awesome-llm", str(AWESOME)))
    return home


def _guide(row: dict[str, Any]) -> str:
    """The guide a link of `list --json` comes from (first in its section, when several)."""
    return str(row["section"][0])


def _listed(cli: Invoke, *args: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(ok(cli(*args, "list", "--json")))
    return data


def test_guide_add_alone_lists_the_directory(cli: Invoke) -> None:
    out = ok(cli("guide", "add"))
    assert "llm-course" in out
    assert "https://raw.githubusercontent.com/mlabonne/llm-course/HEAD/README.md" in out
    data = json.loads(ok(cli("guide", "add", "--json")))
    assert {
        "name": "awesome-llm",
        "about": data[1]["about"],
        "source": "https://raw.githubusercontent.com/Hannibal046/Awesome-LLM/HEAD/README.md",
    } == data[1]


def test_guide_add_says_what_it_follows_and_refuses_bad_names(cli: Invoke) -> None:
    result = cli("guide", "add", "llm-course", str(COURSE))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Following llm-course: ")
    for name, problem in (
        ("default", "llmdive: error: the guide name 'default' is reserved for the default guide\n"),
        (
            "Bad/Name",
            "llmdive: error: 'Bad/Name' cannot name a guide: use lowercase letters, "
            "digits and single hyphens, at most 40 characters (like llm-course)\n",
        ),
    ):
        result = cli("guide", "add", name, str(AWESOME))
        assert result.exit_code == 1
        assert result.stderr == problem
    result = cli("guide", "add", "not-in-the-directory")
    assert result.exit_code == 1
    assert "is not in the directory" in result.stderr


def test_mark_a_link_two_guides_share_and_see_it_read_in_both(cli: Invoke, following: Path) -> None:
    ok(cli("mark-read", SHARED))
    rows = [r for r in _listed(cli) if r["url"] == SHARED]
    assert sorted(_guide(r) for r in rows) == ["awesome-llm", "llm-course"]
    assert {r["status"] for r in rows} == {"read"}
    for row in rows:
        other = "awesome-llm" if _guide(row) == "llm-course" else "llm-course"
        assert f"read · also in {other}" in ok(cli("show", row["id"]))
    # progress overall counts the URL once; each guide counts it as read.
    summary = json.loads(ok(cli("progress", "--json")))
    total = len(_listed(cli))
    assert summary["overall"]["read"] == 1
    assert summary["overall"]["total"] < total
    listed = {g["name"]: g for g in json.loads(ok(cli("guide", "list", "--json")))}
    assert listed["llm-course"]["read"] == listed["awesome-llm"]["read"] == 1
    assert listed["default"]["read"] == 0
    record = json.loads((following / PROGRESS_FILE).read_text())
    assert len(record["links"]) == 1  # one entry for the one URL


def test_guide_narrows_by_name_and_output_names_the_guide(cli: Invoke, following: Path) -> None:
    only = _listed(cli, "--guide", "llm-course")
    course = {i.link.id for i in Workspace(home=following).guide_catalogue("llm-course").items}
    # One guide shown: nothing to tell apart, `section` is its headings alone.
    assert only and {r["id"] for r in only} <= course | {f"llm-course/{i}" for i in course}
    assert "llm-course" not in {r["section"][0] for r in only}
    both = _listed(cli, "--guide", "default", "--guide", "awesome-llm")
    assert {_guide(r) for r in both} == {"default", "awesome-llm"}
    toc = ok(cli("toc"))
    assert [line for line in toc.splitlines() if line.startswith("guide ")] == [
        "guide default",
        "guide llm-course",
        "guide awesome-llm",
    ]
    # toc --json: the guides at the top, each with its sections, counts adding up.
    tops = json.loads(ok(cli("toc", "--json")))
    assert [t["slug"] for t in tops] == ["default", "llm-course", "awesome-llm"]
    alone = json.loads(ok(cli("--guide", "default", "toc", "--json")))

    def unoffered(nodes: list[Any]) -> list[Any]:
        """The nodes without their offers: with the default guide alone, nothing is offered."""
        return [{**n, "offers": [], "topics": unoffered(n["topics"])} for n in nodes]

    assert unoffered(tops[0]["topics"]) == alone
    assert tops[0]["topics"] != alone  # the other guides offer links to its empty topics
    assert tops[0]["links"] == sum(s["links"] for s in alone)
    result = cli("--guide", "nope", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith("llmdive: error: no followed guide is named 'nope'")


def test_following_nothing_else_changes_no_output(cli: Invoke, home: Path) -> None:
    commands = (
        ["list"],
        ["toc"],
        ["next"],
        ["progress"],
        ["search", "attention"],
        ["list", "--json"],
        ["show", "lora-explained", "--json"],
    )
    (home / PROGRESS_FILE).write_bytes(
        (FIXTURES / "records" / "progress-written-by-0.1.0.json").read_bytes()
    )
    alone = {" ".join(c): ok(cli(*c)) for c in commands}
    ids = [r["id"] for r in json.loads(alone["list --json"])]
    assert ids == json.loads((FIXTURES / "records" / "bundled-ids.json").read_text())
    ok(cli("guide", "add", "llm-course", str(COURSE)))
    narrowed = {" ".join(c): ok(cli("--guide", "default", *c)) for c in commands}
    assert narrowed == alone
    ok(cli("guide", "remove", "llm-course"))
    assert json.loads((home / GUIDES_FILE).read_text())["guides"] == []
    assert {" ".join(c): ok(cli(*c)) for c in commands} == alone


def test_next_never_offers_one_url_twice(cli: Invoke, following: Path) -> None:
    picks = json.loads(ok(cli("next", "-n", "5", "--json")))
    urls = [
        link["url"]
        for pick in picks
        for link in (([pick["link"]] if pick.get("link") else []) + pick.get("more", []))
    ]
    assert urls and len(urls) == len(set(urls))


def test_remove_and_add_again_keeps_the_record(cli: Invoke, following: Path) -> None:
    row = next(r for r in _listed(cli) if _guide(r) == "awesome-llm" and r["url"] != SHARED)
    ok(cli("mark-read", row["id"]))
    ok(cli("guide", "remove", "awesome-llm"))
    assert all(_guide(r) != "awesome-llm" for r in _listed(cli))
    ok(cli("guide", "add", "awesome-llm", str(AWESOME)))
    again = next(r for r in _listed(cli) if r["id"] == row["id"])
    assert again["status"] == "read"
    result = cli("guide", "remove", "awesome-llm-x")
    assert result.exit_code == 1
    assert "no followed guide is named 'awesome-llm-x'" in result.stderr


def test_rename(cli: Invoke, following: Path) -> None:
    ok(cli("guide", "rename", "awesome-llm", "papers"))
    names = [g["name"] for g in json.loads(ok(cli("guide", "list", "--json")))]
    assert names == ["default", "llm-course", "papers"]
    assert any(_guide(r) == "papers" for r in _listed(cli))


def test_qualified_ids_complete_and_resolve(cli: Invoke, following: Path) -> None:
    from llmdive.cli import completion
    from llmdive.home.paths import bundled_guide

    qualified = [r["id"] for r in _listed(cli) if "/" in r["id"]]
    assert qualified and all(i.split("/")[0] in ("llm-course", "awesome-llm") for i in qualified)
    offered = completion.ids(bundled_guide(), "awesome-llm/", following, guides=True)
    assert set(qualified) >= set(offered) and offered
    assert ok(cli("show", qualified[0], "--json"))
    assert completion.guide_names(following) == ["llm-course", "awesome-llm"]


class _Upstream(ThreadingHTTPServer):
    body = b""
    etag = '"v1"'
    requests: list[dict[str, str]]


@pytest.fixture
def upstream() -> Iterator[_Upstream]:
    class Handler(BaseHTTPRequestHandler):
        server: _Upstream

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self.server.requests.append(dict(self.headers))
            if self.headers.get("If-None-Match") == self.server.etag:
                self.send_response(304)
                self.send_header("ETag", self.server.etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", self.server.etag)
            self.send_header("Content-Length", str(len(self.server.body)))
            self.end_headers()
            self.wfile.write(self.server.body)

        def log_message(self, *args: object) -> None:
            pass

    server = _Upstream(("127.0.0.1", 0), Handler)
    server.requests = []
    server.body = COURSE.read_bytes()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_guide_update_name_is_a_conditional_get_with_its_own_report(
    cli: Invoke, home: Path, upstream: _Upstream
) -> None:
    url = f"http://127.0.0.1:{upstream.server_address[1]}/README.md"
    ok(cli("guide", "add", "course", url))
    assert "If-None-Match" not in upstream.requests[-1]
    result = cli("guide", "update", "course")
    assert result.exit_code == 0, result.output
    assert upstream.requests[-1]["If-None-Match"] == '"v1"'
    assert result.stdout == f"The guide course is already up to date with {url}.\n"
    upstream.etag = '"v2"'
    upstream.body = COURSE.read_bytes() + b"\n## More\n\n- [A new post](https://new.example/post)\n"
    report = json.loads(ok(cli("guide", "update", "course", "--json")))
    assert [e["link"]["url"] for e in report["added"]] == ["https://new.example/post"]
    assert any(r["url"] == "https://new.example/post" for r in _listed(cli))
    result = cli("guide", "update", "--json")
    assert result.exit_code == 1
    assert result.stderr.startswith('{\n  "error": "with --json, name the guide to update')
    result = cli("guide", "update", "course", "--from", str(COURSE))
    assert result.exit_code == 1
    assert result.stderr.startswith("llmdive: error: --from reads the default guide;")
    news = json.loads(ok(cli("whatsnew", "--json")))
    assert [link["url"] for g in news for link in g["links"]] == ["https://new.example/post"]
    listed = json.loads(ok(cli("guide", "list", "--json")))
    assert listed[1]["source"] == url and listed[1]["updated"]


def test_sync_carries_the_guides_followed_not_their_content(
    cli: Invoke, tmp_path: Path, upstream: _Upstream
) -> None:
    from tests.helpers import git, on

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    url = f"http://127.0.0.1:{upstream.server_address[1]}/README.md"
    on(cli, laptop, "guide", "add", "course", url)
    on(cli, laptop, "guide", "add", "local", str(AWESOME))  # a file: means nothing elsewhere
    shared = next(r for r in _listed(cli, "--home", str(laptop)) if _guide(r) == "course")
    on(cli, laptop, "mark-read", shared["id"])
    on(cli, laptop, "sync", "--remote", str(remote))
    tree = git(laptop, "ls-tree", "--name-only", "HEAD").split()
    assert "guides.json" in tree and not [
        n for n in tree if n.startswith("guides.") and n != "guides.json"
    ]
    on(cli, desktop, "sync", "--remote", str(remote))
    followed = json.loads((desktop / GUIDES_FILE).read_text())["guides"]
    assert [(g["name"], g["source"]) for g in followed] == [("course", url)]
    listed = json.loads(on(cli, desktop, "guide", "list", "--json"))
    assert [g["name"] for g in listed] == ["default", "course"]
    assert listed[1]["links"] == 0  # not fetched yet
    on(cli, desktop, "guide", "update", "course")
    row = next(r for r in _listed(cli, "--home", str(desktop)) if r["url"] == shared["url"])
    assert row["status"] == "read"


def test_a_remote_guides_json_naming_a_path_is_refused(cli: Invoke, tmp_path: Path) -> None:
    from tests.helpers import git, on

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    on(cli, laptop, "mark-read", "lora")
    on(cli, laptop, "sync", "--remote", str(remote))
    bad = {
        "version": 1,
        "guides": [
            {
                "name": "../../etc/x",
                "source": "https://e.example/r.md",
                "added": "2026-01-01T00:00:00Z",
            }
        ],
    }
    (laptop / GUIDES_FILE).write_text(json.dumps(bad))
    git(laptop, "add", "-f", GUIDES_FILE)
    git(laptop, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "-m", "hostile")
    git(laptop, "push", "-q", str(remote), "HEAD:main")
    result = cli("--home", str(desktop), "sync", "--remote", str(remote))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "llmdive: error: origin/main:guides.json: not an llmdive guides list: guides[0].name"
    )
    assert "refused, nothing was merged" in result.stderr
    assert not (desktop / GUIDES_FILE).exists()
    assert not (desktop / "progress.json").exists()


def test_export_json_lists_the_guides_and_doctor_checks_them(cli: Invoke, following: Path) -> None:
    doc = json.loads(ok(cli("progress", "export", "--format", "json")))
    assert [(g["name"], g["source"]) for g in doc["guides"]] == [
        ("llm-course", str(COURSE.resolve())),
        ("awesome-llm", str(AWESOME.resolve())),
    ]
    assert "sections" not in json.dumps(doc["guides"])  # never their content
    out = ok(cli("doctor"))
    assert "guides.json: 2 guides followed besides the default one" in out
    assert "guide llm-course: 121 links" in out
    (following / "guides.llm-course.toml").write_text("not = [toml")
    result = cli("doctor")
    assert result.exit_code == 1
    assert "guides.llm-course.toml: not valid TOML" in result.stdout
    ok(cli("guide", "update", "llm-course"))  # fetched again from its source
    assert "guide llm-course: 121 links" in ok(cli("doctor"))


def test_a_hand_edited_guides_json_is_one_line(cli: Invoke, following: Path) -> None:
    (following / GUIDES_FILE).write_text('{"version": 1, "guides": [{"name": "x"}]}')
    result = cli("list")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(
        f"llmdive: error: {following / GUIDES_FILE}: not an llmdive guides list: guides[0]"
    )


def test_a_link_of_your_own_under_another_guides_topic(cli: Invoke, following: Path) -> None:
    papers = next(t for t in json.loads(ok(cli("toc", "--json"))) if t["slug"] == "awesome-llm")
    topic = next(s for s in papers["topics"] if s["slug"] == "milestone-papers")
    slug = topic["slug"]
    ok(cli("add", "https://mine.example/paper", "-t", "My paper", "-s", slug))
    mine = next(r for r in _listed(cli) if r["url"] == "https://mine.example/paper")
    assert mine["personal"] and mine["section"][:2] == ["awesome-llm", topic["title"]]


def test_history_of_a_shared_link_and_narrowed_by_guide(cli: Invoke, following: Path) -> None:
    ok(cli("mark-read", "lora-explained"))  # the LLM Deep Dive's alone
    rows = [r for r in _listed(cli) if r["url"] == SHARED]
    ok(cli("mark-read", rows[0]["id"]))
    for row in rows:  # either id names the one entry's history
        assert [h["status"] for h in json.loads(ok(cli("history", row["id"], "--json")))] == [
            "read"
        ]
    course = json.loads(ok(cli("--guide", "llm-course", "history", "--json")))
    assert [h["id"] for h in course] == [rows[0]["id"]]
    everything = json.loads(ok(cli("history", "--json")))
    assert {h["id"] for h in everything} == {rows[0]["id"], "lora-explained"}


def test_a_record_held_by_url_is_no_orphan_and_narrowing_loses_nothing(
    cli: Invoke, following: Path
) -> None:
    qualified = next(r for r in _listed(cli) if r["id"].startswith("awesome-llm/"))
    ok(cli("mark-read", qualified["id"]))
    ok(cli("mark-read", "lora-explained"))
    ok(cli("guide", "rename", "awesome-llm", "papers"))
    summary = json.loads(ok(cli("progress", "--json")))
    assert summary["orphans"] == []  # held by its URL under papers/...
    assert summary["overall"]["read"] == 2
    narrowed = json.loads(ok(cli("--guide", "llm-course", "progress", "--json")))
    assert narrowed["orphans"] == []


def test_a_guide_that_rates_nothing_says_unrated_nowhere_beside_one_that_rates(
    cli: Invoke,
) -> None:
    """awesome-nlp rates no link: its rows have no difficulty, the Deep Dive's keep theirs
    (its one Unrated link still says so)."""
    ok(cli("guide", "add", "nlp", str(FIXTURES / "lists" / "keon__awesome-nlp.md")))
    lines = ok(cli("list")).splitlines()
    nlp = lines.index(next(x for x in lines if x.startswith("nlp · ")))
    rows = [x for x in lines[nlp:] if x.startswith("  ") and "http" in x]
    assert rows and not [x for x in rows if "Unrated" in x]
    assert any("rotary-positional" in x and "Unrated" in x for x in lines[:nlp])
    assert any("illustrated-transformer " in x and "Easy" in x for x in lines[:nlp])
    shown = ok(cli("show", "acl-anthology"))
    assert "Unrated" not in shown
    assert "Unrated" in ok(cli("show", "rotary-positional"))


def _refusing_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens (a port bound, then let go)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/README.md"


def test_guide_update_of_every_guide_tries_each_and_fails_at_the_end(
    cli: Invoke, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = tmp_path / "course.md"
    readme.write_bytes(COURSE.read_bytes())
    ok(cli("guide", "add", "course", str(readme)))
    readme.write_bytes(
        COURSE.read_bytes() + b"\n## More\n\n- [A new post](https://new.example/p)\n"
    )
    monkeypatch.setenv("LLMDIVE_GUIDE_URL", _refusing_url())
    result = cli("guide", "update", "--timeout", "5")
    assert result.exit_code == 1
    assert any(r["url"] == "https://new.example/p" for r in _listed(cli))
    lines = result.stderr.splitlines()
    assert lines[0].startswith("llmdive: warning: the default guide was not updated: ")
    assert lines[-1] == "llmdive: error: not updated: default (see above)"
    assert "Traceback" not in result.output
    result = cli("guide", "update", "--timeout", "5")
    assert result.exit_code == 1
    assert "No link changed." in result.stdout


def test_a_url_two_guides_share_is_offered_and_counted_once(cli: Invoke, following: Path) -> None:
    from llmdive.tui.core import Snapshot

    shared = [r["id"] for r in _listed(cli) if r["url"] == SHARED]
    assert len(shared) == 2
    ok(cli("mark-read", shared[0]))
    path = json.loads(ok(cli("next", "--queue", "-n", "2000", "--json")))
    urls = [link["url"] for link in path["links"]]
    assert urls and len(urls) == len(set(urls))
    data = json.loads(ok(cli("progress", "--json")))
    overall = data["overall"]
    by_difficulty = data["difficulties"].values()
    assert sum(t["total"] for t in by_difficulty) == overall["total"]
    assert sum(t["read"] for t in by_difficulty) == overall["read"] == 1
    assert data["time"]["overall"]["links_left"] == overall["unread"] + overall["reading"]
    checklist = ok(cli("progress", "export"))
    assert f"\n1 of {overall['total']} links read" in checklist
    tally = Snapshot.load(Workspace(home=following)).tallies[()]
    assert (tally.links, tally.read) == (overall["total"], 1)


def test_name_slash_id_or_slug_resolves_within_that_guide_qualified_or_not(
    cli: Invoke, following: Path
) -> None:
    row = next(r for r in _listed(cli) if _guide(r) == "llm-course" and "/" not in r["id"])
    shown = json.loads(ok(cli("show", f"llm-course/{row['id']}", "--json")))
    assert shown["id"] == row["id"]
    ok(cli("add", "-s", "llm-course/tools", "https://mine.example/a", "-t", "Mine"))
    mine = next(r for r in _listed(cli) if r["url"] == "https://mine.example/a")
    assert _guide(mine) == "llm-course" and mine["section"][-1] == "Tools"
    result = cli("show", "llm-course/no-such-link")
    assert result.exit_code == 1
    assert result.stderr.startswith("llmdive: error: no link with id 'llm-course/no-such-link'")


@pytest.mark.parametrize(
    "garbage", ["garbage [[[\n= =\n", '[[sections]]\ntitle = 3\n[[sections.links]]\nid = "x"\n']
)
def test_one_broken_followed_guide_file_says_what_to_do_and_blocks_no_other(
    cli: Invoke, following: Path, garbage: str
) -> None:
    from llmdive.home.paths import followed_toml

    followed_toml(following, "awesome-llm").write_text(garbage)
    result = cli("next")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"llmdive: error: {followed_toml(following, 'awesome-llm')}: ")
    assert "`llmdive guide update awesome-llm`" in line
    assert "`llmdive guide remove awesome-llm`" in line
    assert ok(cli("--guide", "default", "next"))
    assert ok(cli("--guide", "llm-course", "next"))
    listed = cli("guide", "list", "--json")
    assert listed.exit_code == 0, listed.output
    assert [g["name"] for g in json.loads(listed.stdout)] == [
        "default",
        "llm-course",
        "awesome-llm",
    ]
    assert len(listed.stderr.splitlines()) == 1
    ok(cli("guide", "update", "awesome-llm"))
    assert ok(cli("next"))


def test_messages_of_guide_add_offline_the_default_guide_and_since(cli: Invoke) -> None:
    url = _refusing_url()
    result = cli("guide", "add", "gh", url, "--timeout", "5")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert "--from" not in line
    assert line.endswith(
        "check your connection, or give a README file or a local clone as SOURCE "
        "(`llmdive guide add NAME FILE`)"
    )
    for args, done in ((("remove", "default"), "removed"), (("rename", "default", "x"), "renamed")):
        result = cli("guide", *args)
        assert result.exit_code == 1
        assert result.stderr == (
            f"llmdive: error: the default guide cannot be {done}; nothing changed "
            "(`llmdive guide reset` goes back to the bundled one)\n"
        )
    result = cli("history", "--since", "garbage")
    assert result.exit_code == 2
    assert "Invalid value for --since: 'garbage' is not a time" in result.stderr


def test_a_followed_guides_update_json_carries_its_warnings_and_nothing_on_stderr(
    cli: Invoke, tmp_path: Path
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# T\n\n## A\n\n- [One](https://a.example/1)\n- [Local](docs/x.md)\n")
    ok(cli("guide", "add", "t", str(readme)))
    readme.write_text(readme.read_text() + "- [Two](https://a.example/2)\n")
    result = cli("guide", "update", "t", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert [w["count"] for w in data["warnings"]] == [1]
    assert [c["link"]["url"] for c in data["added"]] == ["https://a.example/2"]
