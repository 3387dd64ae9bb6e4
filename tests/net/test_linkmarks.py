"""Kept link checks: stored, read back, stale, and marked by list, show and next."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from llmdive.errors import LlmdiveError
from llmdive.net import linkmarks
from llmdive.net.linkmarks import Outcome, Verdict
from tests.helpers import Invoke
from tests.linkserver import LinkServer, bounded, serving, write_guide


@pytest.fixture
def server() -> Iterator[LinkServer]:
    with serving() as s:
        yield s


def test_results_are_kept_merged_and_read_back(home: Path) -> None:
    a = Outcome(
        "a",
        "https://a.example/",
        Verdict.DEAD,
        404,
        "https://a.example/",
        detail="404 Not Found",
        checked="2026-11-20T10:00:00Z",
    )
    b = Outcome(
        "b",
        "https://b.example/",
        Verdict.OK,
        200,
        "https://b.example/",
        checked="2026-11-20T10:00:00Z",
    )
    linkmarks.save_results(home, [a, b])
    b2 = Outcome("b", "https://b.example/", Verdict.UNKNOWN, 503, checked="2026-11-27T10:00:00Z")
    linkmarks.save_results(home, [b2])
    assert linkmarks.read_results(home) == {"a": a, "b": b2}


def test_a_result_applies_only_to_the_url_it_was_checked_at(home: Path) -> None:
    old = Outcome("a", "https://old.example/", Verdict.DEAD, 404, checked="2026-11-20T10:00:00Z")
    linkmarks.save_results(home, [old])
    same = linkmarks.marks(home, [("a", "https://old.example/")])
    assert (same.get("a"), same.dead, same.problem) == (old, {"a"}, "")
    moved = linkmarks.marks(home, [("a", "https://new.example/")])
    assert (moved.get("a"), moved.dead, moved.archive("a")) == (None, set(), None)


def test_a_damaged_results_file_is_a_warning_and_is_replaced_by_a_check(home: Path) -> None:
    home.mkdir(exist_ok=True)
    (home / "linkcheck.json").write_text('{"version": 1, "links": {"a": {"url": 3}}}')
    marks = linkmarks.marks(home, [("a", "https://a.example/")])
    assert (marks.get("a"), marks.dead) == (None, set())
    assert marks.problem.startswith(f"{home / 'linkcheck.json'}: not an llmdive link-check file")
    with pytest.raises(LlmdiveError):
        linkmarks.read_results(home)
    fresh = Outcome("a", "https://a.example/", Verdict.OK, 200, checked="2026-11-27T10:00:00Z")
    linkmarks.save_results(home, [fresh])
    assert linkmarks.read_results(home) == {"a": fresh}


def test_the_validated_results_are_cached_and_the_file_still_decides(home: Path) -> None:
    dead = Outcome("a", "https://a.example/", Verdict.DEAD, 404, checked="2026-11-27T10:00:00Z")
    linkmarks.save_results(home, [dead])
    assert linkmarks.read_results(home) == {"a": dead}  # validated, then cached
    text = (home / "linkcheck.json").read_text()
    (home / "linkcheck.json").write_text(text.replace('"dead"', '"gone"'))
    with pytest.raises(LlmdiveError, match="'gone' is not a valid Verdict"):
        linkmarks.read_results(home)  # changed bytes: the cache is not used


GOOD = {"url": "https://a.example/", "result": "dead", "checked": "2026-11-27T10:00:00Z"}


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({**GOOD, "url": 3}, "links.a: 'url' is missing or of the wrong type"),
        ({**GOOD, "result": "fine"}, "'fine' is not a valid Verdict"),
        ({**GOOD, "status_code": True}, "links.a: 'status_code' is missing or of the wrong type"),
        ({**GOOD, "detail": ["x"]}, "links.a: 'detail' is missing or of the wrong type"),
        ({**GOOD, "checked": "2026-11-27T10:00:00"}, "links.a: 'checked' has no time zone"),
        ({**GOOD, "checked": "yesterday"}, "Invalid isoformat string"),
        ({**GOOD, "redirects": [{"status": "301"}]}, "'redirects' holds something other"),
        ({**GOOD, "result": "redirected"}, "a redirected link with no redirect"),
        ("not an object", "links.a is not an object"),
    ],
)
def test_every_kind_of_bad_entry_is_named(home: Path, entry: object, problem: str) -> None:
    home.mkdir(exist_ok=True)
    (home / "linkcheck.json").write_text(json.dumps({"version": 1, "links": {"a": entry}}))
    with pytest.raises(LlmdiveError) as exc:
        linkmarks.read_results(home)
    assert problem in str(exc.value)
    (home / "linkcheck.json").write_text(json.dumps({"version": 1, "links": {"a": GOOD}}))
    assert linkmarks.read_results(home)["a"].result is Verdict.DEAD


def test_a_check_older_than_a_week_is_stale() -> None:
    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    out = Outcome("a", "u", Verdict.DEAD, checked="2026-11-21T11:59:00Z")
    assert out.is_stale(now)
    assert not Outcome("a", "u", Verdict.DEAD, checked="2026-11-21T12:01:00Z").is_stale(now)


# ---------------------------------------------------------------- the Web Archive


def test_first_seen_comes_from_personal_links_updates_or_the_bundled_snapshot() -> None:
    updates = [
        {"at": "2026-12-03T09:00:00Z", "added": ["new"], "removed": []},
        {"at": "2027-01-10T09:00:00Z", "added": ["new", "newer"], "removed": []},
    ]
    assert linkmarks.first_seen("mine", "2026-12-24T23:30:00Z", updates) == date(2026, 12, 24)
    assert linkmarks.first_seen("new", None, updates) == date(2026, 12, 3)  # the first time
    assert linkmarks.first_seen("newer", None, updates) == date(2027, 1, 10)
    assert linkmarks.first_seen("lora-explained", None, updates) == linkmarks.BUNDLED_SINCE


def test_archive_url() -> None:
    assert linkmarks.archive_url("https://a.example/p?q=1", date(2026, 11, 27)) == (
        "https://web.archive.org/web/20261127/https://a.example/p?q=1"
    )


# ---------------------------------------------------------------- marks, through the CLI


def test_list_show_and_next_mark_dead_and_redirected_links(
    cli: Invoke, server: LinkServer, tmp_path: Path, home: Path
) -> None:
    guide = write_guide(
        tmp_path / "g.toml",
        {
            "Web": [
                ("missing", server.base + "/missing", "easy"),
                ("moved", server.base + "/moved", "easy"),
                ("fine", server.base + "/ok", "medium"),
            ],
        },
    )
    env = {"LLMDIVE_GUIDE": str(guide)}
    assert bounded(lambda: cli("check-links", env=env)).exit_code == 0

    listed = cli("list", env=env).stdout.splitlines()
    assert listed[1].endswith(f"[dead]  {server.base}/missing")  # the URL always ends a line
    assert listed[2].endswith(f"[redirected]  {server.base}/moved")
    assert listed[3].endswith(f"{server.base}/ok")
    listed_json = json.loads(cli("list", "--json", env=env).stdout)
    assert [d["link_check"]["result"] for d in listed_json] == ["dead", "redirected", "ok"]

    nxt = cli("next", env=env).stdout.splitlines()
    assert nxt[0].startswith("Web  · moved ")  # the dead easy link is passed over ...
    assert nxt[1] == "     (passed over dead: missing; `llmdive show ID` for an archived copy)"
    pick = json.loads(cli("next", "--json", env=env).stdout)[0]
    assert pick["link"]["id"] == "moved"
    assert [d["id"] for d in pick["passed_over"]] == ["missing"]

    archive = f"https://web.archive.org/web/{linkmarks.BUNDLED_SINCE:%Y%m%d}/{server.base}/missing"
    shown = cli("show", "missing", env=env).stdout.splitlines()
    assert shown[-2].startswith("  link     ✗ dead: 404 Not Found  checked ")
    assert shown[-1] == f"  archive  {archive}"
    shown_json = json.loads(cli("show", "missing", "--json", env=env).stdout)["link_check"]
    assert (shown_json["result"], shown_json["archive"], shown_json["stale"]) == (
        "dead",
        archive,
        False,
    )
    moved = cli("show", "moved", env=env).stdout.splitlines()[-1]
    assert moved.startswith(f"  link     ↪ redirected (301) to {server.base}/ok  checked ")


def test_only_dead_links_left_is_not_done(cli: Invoke, server: LinkServer, tmp_path: Path) -> None:
    guide = write_guide(
        tmp_path / "g.toml", {"Web": [("missing", server.base + "/missing", "easy")]}
    )
    env = {"LLMDIVE_GUIDE": str(guide)}
    assert bounded(lambda: cli("check-links", env=env)).exit_code == 0
    assert cli("next", env=env).stdout.splitlines()[0] == "Web  only dead links left"


def test_old_checks_are_shown_as_stale(cli: Invoke, tmp_path: Path, home: Path) -> None:
    url = "https://example.org/old"
    guide = write_guide(tmp_path / "g.toml", {"Web": [("old", url, "easy")]})
    env = {"LLMDIVE_GUIDE": str(guide)}
    week_ago = datetime.now(UTC) - timedelta(days=8)
    from llmdive.model.models import iso

    old = Outcome("old", url, Verdict.DEAD, 404, url, detail="404 Not Found", checked=iso(week_ago))
    linkmarks.save_results(home, [old])
    out = cli("list", env=env).stdout.splitlines()
    assert out[1].endswith(f"[dead, stale]  {url}")
    assert out[-1] == "stale: last checked more than a week ago; `llmdive check-links` checks again"
    assert ", over a week ago: stale" in cli("show", "old", env=env).stdout
    assert json.loads(cli("show", "old", "--json", env=env).stdout)["link_check"]["stale"] is True


def test_a_damaged_results_file_warns_and_lists_anyway(cli: Invoke, home: Path) -> None:
    home.mkdir(exist_ok=True)
    (home / "linkcheck.json").write_text("{not json")
    result = cli("list", "-s", "lora")
    assert result.exit_code == 0
    assert "lora-explained" in result.stdout
    assert result.stderr.startswith(
        f"llmdive: warning: {home / 'linkcheck.json'}: not an llmdive link-check file"
    )


def test_the_archive_date_of_a_link_from_a_guide_update_or_add(
    cli: Invoke, home: Path, server: LinkServer, tmp_path: Path
) -> None:
    home.mkdir(exist_ok=True)
    (home / "guide-meta.json").write_text(
        json.dumps(
            {
                "version": 1,
                "source": "x",
                "updated": "2027-02-03T04:05:06Z",
                "updates": [
                    {
                        "at": "2027-02-03T04:05:06Z",
                        "source": "x",
                        "added": ["missing"],
                        "removed": [],
                    }
                ],
            }
        )
    )
    guide = write_guide(
        tmp_path / "g.toml", {"Web": [("missing", server.base + "/missing", "easy")]}
    )
    env = {"LLMDIVE_GUIDE": str(guide)}
    ok_add = cli("add", server.base + "/gone", "-t", "Mine", "-s", "web", env=env)
    assert ok_add.exit_code == 0, ok_add.output
    assert bounded(lambda: cli("check-links", env=env)).exit_code == 0
    shown = json.loads(cli("show", "missing", "--json", env=env).stdout)["link_check"]
    assert shown["archive"] == f"https://web.archive.org/web/20270203/{server.base}/missing"
    mine = next(d for d in json.loads(cli("list", "--json", env=env).stdout) if d["personal"])
    today = datetime.now(UTC)
    assert mine["link_check"]["archive"] in {
        f"https://web.archive.org/web/{day:%Y%m%d}/{server.base}/gone"
        for day in (today, today - timedelta(days=1))  # a test run across midnight
    }
