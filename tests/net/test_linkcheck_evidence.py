"""Offline is not dead: what a link check may conclude, how long it counts, and how it ends.

Offline is simulated without the internet: names under .invalid never resolve and a closed
port on 127.0.0.1 refuses; "other hosts do resolve" is a live server on 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from llmdive.errors import LlmdiveError
from llmdive.model.models import iso
from llmdive.net import linkcheck, linkmarks
from llmdive.net.linkcheck import Settings
from llmdive.net.linkmarks import Outcome, Verdict
from tests.helpers import Invoke
from tests.linkserver import LinkServer, bounded, refused_url, serving, silent_port, write_guide

NOWHERE = "http://nowhere.invalid/paper"
NOW = datetime(2026, 12, 3, 10, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[LinkServer]:
    with serving() as s:
        yield s


def unresolved(link_id: str, at: datetime, url: str = NOWHERE) -> Outcome:
    host = url.split("/")[2]
    return Outcome(
        link_id, url, Verdict.DEAD, detail=f"host {host} does not resolve", checked=iso(at)
    )


def gone_ids(home: Path, links: list[tuple[str, str]], now: datetime) -> set[str]:
    return linkmarks.marks(home, links, now=now).gone


# ---------------------------------------------------------------- offline


def test_a_run_that_reaches_no_host_looks_offline(server: LinkServer) -> None:
    links = [("nowhere", NOWHERE), ("refused", refused_url())]
    assert bounded(lambda: linkcheck.check(links, Settings(timeout=2))).offline
    links.append(("fine", server.base + "/ok"))
    run = bounded(lambda: linkcheck.check(links, Settings(timeout=2)))
    assert not run.offline
    assert [o.result for o in run.outcomes] == [Verdict.DEAD, Verdict.UNKNOWN, Verdict.OK]


def test_offline_check_links_records_nothing_and_exits_1(
    cli: Invoke, tmp_path: Path, home: Path
) -> None:
    guide = write_guide(
        tmp_path / "g.toml",
        {
            "Web": [
                ("paper", NOWHERE, "easy"),
                ("video", "https://videos.invalid/watch", "easy"),
                ("closed", refused_url(), "medium"),
            ]
        },
    )
    env = {"LLMDIVE_GUIDE": str(guide)}
    earlier = Outcome("closed", "https://x.example/", Verdict.OK, 200, checked=iso(NOW))
    linkmarks.save_results(home, [earlier])
    before = (home / "linkcheck.json").read_bytes()
    result = bounded(lambda: cli("check-links", "--timeout", "2", env=env))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "llmdive: error: no host could be resolved or reached (3 links): this machine looks "
        "offline (or every host checked is down); nothing was recorded\n"
    )
    assert (home / "linkcheck.json").read_bytes() == before
    assert cli("next", env=env).stdout.startswith("Web  · paper ")  # nothing passed over


# ---------------------------------------------------------------- evidence that a link is gone


def test_404_and_410_pass_over_at_once(home: Path) -> None:
    links = [("missing", "https://a.example/m"), ("gone", "https://a.example/g")]
    linkmarks.save_results(
        home,
        [
            Outcome("missing", links[0][1], Verdict.DEAD, 404, checked=iso(NOW)),
            Outcome("gone", links[1][1], Verdict.DEAD, 410, checked=iso(NOW)),
        ],
    )
    assert gone_ids(home, links, NOW) == {"missing", "gone"}


def test_an_unresolved_host_passes_over_only_once_confirmed_on_another_day(home: Path) -> None:
    links = [("paper", NOWHERE)]
    linkmarks.save_results(home, [unresolved("paper", NOW)])
    assert gone_ids(home, links, NOW) == set()
    linkmarks.save_results(home, [unresolved("paper", NOW + timedelta(hours=12))])
    assert gone_ids(home, links, NOW + timedelta(hours=12)) == set()  # the same UTC day
    [kept] = linkmarks.save_results(home, [unresolved("paper", NOW + timedelta(days=1))])
    assert kept.unresolved_since == iso(NOW)
    assert gone_ids(home, links, NOW + timedelta(days=1)) == {"paper"}
    assert linkmarks.read_results(home)["paper"].gone


def test_an_answer_or_a_new_url_starts_the_unresolved_count_again(home: Path) -> None:
    links = [("paper", NOWHERE)]
    linkmarks.save_results(home, [unresolved("paper", NOW)])
    linkmarks.save_results(
        home, [Outcome("paper", NOWHERE, Verdict.UNKNOWN, 503, checked=iso(NOW))]
    )
    linkmarks.save_results(home, [unresolved("paper", NOW + timedelta(days=1))])
    assert gone_ids(home, links, NOW + timedelta(days=1)) == set()
    other = "http://elsewhere.invalid/paper"
    linkmarks.save_results(home, [unresolved("paper", NOW + timedelta(days=2), other)])
    assert gone_ids(home, [("paper", other)], NOW + timedelta(days=2)) == set()


def test_a_hand_written_unresolved_since_is_validated(home: Path) -> None:
    home.mkdir(exist_ok=True)
    entry = {
        "url": NOWHERE,
        "result": "dead",
        "checked": iso(NOW),
        "unresolved_since": "2026-12-01T10:00:00",
    }
    (home / "linkcheck.json").write_text(json.dumps({"version": 1, "links": {"paper": entry}}))
    with pytest.raises(LlmdiveError, match="'unresolved_since' has no time zone"):
        linkmarks.read_results(home)


def test_next_offers_an_unresolved_host_until_a_second_day_confirms_it(
    cli: Invoke, server: LinkServer, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Other names resolve": localhost, its loopback address taken for a public one here.
    monkeypatch.setattr(linkcheck, "is_public", lambda address: True)
    fine = f"http://localhost:{server.server_address[1]}/ok"
    guide = write_guide(
        tmp_path / "g.toml",
        {
            "Web": [
                ("paper", NOWHERE, "easy"),
                ("fine", fine, "medium"),
            ]
        },
    )
    env = {"LLMDIVE_GUIDE": str(guide)}
    checked = bounded(lambda: cli("check-links", env=env))
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.splitlines()[-1] == (
        "A host that does not resolve: `next` passes it over once a check on another day "
        "confirms it."
    )
    assert cli("next", env=env).stdout.startswith("Web  · paper ")  # one check is not enough
    # Had a check yesterday found it too (while other hosts answered), it is passed over.
    assert cli("check-links", "--forget", "paper", env=env).exit_code == 0
    linkmarks.save_results(home, [unresolved("paper", datetime.now(UTC) - timedelta(days=1))])
    assert bounded(lambda: cli("check-links", env=env)).exit_code == 0
    nxt = cli("next", env=env).stdout.splitlines()
    assert nxt[0].startswith("Web  · fine ")
    assert nxt[1].startswith("     (passed over dead: paper;")


# ---------------------------------------------------------------- stale results, --include-dead


def test_a_stale_result_hides_nothing(home: Path) -> None:
    links = [("missing", "https://a.example/m")]
    linkmarks.save_results(
        home, [Outcome("missing", links[0][1], Verdict.DEAD, 404, checked=iso(NOW))]
    )
    assert gone_ids(home, links, NOW + linkmarks.STALE_AFTER) == {"missing"}
    assert gone_ids(home, links, NOW + linkmarks.STALE_AFTER + timedelta(seconds=1)) == set()


def test_next_offers_a_link_whose_dead_result_is_stale(
    cli: Invoke, tmp_path: Path, home: Path
) -> None:
    url = "https://example.org/old"
    guide = write_guide(tmp_path / "g.toml", {"Web": [("old", url, "easy")]})
    old = datetime.now(UTC) - linkmarks.STALE_AFTER - timedelta(hours=1)
    linkmarks.save_results(home, [Outcome("old", url, Verdict.DEAD, 404, checked=iso(old))])
    nxt = cli("next", env={"LLMDIVE_GUIDE": str(guide)}).stdout.splitlines()
    assert nxt[0].startswith("Web  · old ")
    assert not any("passed over" in line for line in nxt)


def test_next_include_dead_offers_gone_links_too(cli: Invoke, tmp_path: Path, home: Path) -> None:
    url = "https://example.org/missing"
    guide = write_guide(tmp_path / "g.toml", {"Web": [("missing", url, "easy")]})
    env = {"LLMDIVE_GUIDE": str(guide)}
    now = iso(datetime.now(UTC))
    linkmarks.save_results(home, [Outcome("missing", url, Verdict.DEAD, 404, checked=now)])
    assert cli("next", env=env).stdout.splitlines()[0] == "Web  only dead links left"
    assert cli("next", "--include-dead", env=env).stdout.startswith("Web  · missing ")
    pick = json.loads(cli("next", "--include-dead", "--json", env=env).stdout)[0]
    assert (pick["link"]["id"], pick["passed_over"]) == ("missing", [])
    assert pick["link"]["link_check"]["result"] == "dead"  # still marked


# ---------------------------------------------------------------- --forget


def test_check_links_forget_clears_every_result_or_those_named(
    cli: Invoke, tmp_path: Path, home: Path
) -> None:
    links = {"a": "https://a.example/", "b": "https://b.example/", "c": "https://c.example/"}
    guide = write_guide(
        tmp_path / "g.toml",
        {
            "One": [("a", links["a"], "easy"), ("b", links["b"], "easy")],
            "Two": [("c", links["c"], "easy")],
        },
    )
    env = {"LLMDIVE_GUIDE": str(guide)}
    at = iso(datetime.now(UTC))

    def check_all() -> None:
        outcomes = [Outcome(i, u, Verdict.DEAD, 404, checked=at) for i, u in links.items()]
        linkmarks.save_results(
            home, [*outcomes, Outcome("old", "https://o/", Verdict.OK, checked=at)]
        )

    check_all()
    one = cli("check-links", "--forget", "a", env=env)
    assert (one.exit_code, one.stdout) == (0, "Forgot the kept checks of 1 link.\n")
    assert set(linkmarks.read_results(home)) == {"b", "c", "old"}
    two = cli("check-links", "--forget", "--section", "two", env=env)
    assert (two.exit_code, two.stdout) == (0, "Forgot the kept checks of 1 link.\n")
    assert set(linkmarks.read_results(home)) == {"b", "old"}
    assert cli("next", "-s", "one", env=env).stdout.startswith("One  · a ")
    check_all()
    every = cli("check-links", "--forget", env=env)
    assert (every.exit_code, every.stdout) == (0, "Forgot the kept checks of 4 links.\n")
    assert linkmarks.read_results(home) == {}
    again = cli("check-links", "--forget", env=env)
    assert (again.exit_code, again.stdout) == (0, "No kept checks to forget.\n")


def test_forget_replaces_a_damaged_results_file(cli: Invoke, home: Path) -> None:
    home.mkdir(exist_ok=True)
    (home / "linkcheck.json").write_text("[" * 50 + "]" * 50)
    result = cli("check-links", "--forget")
    assert result.exit_code == 0, result.output
    assert linkmarks.read_results(home) == {}


def test_forget_with_json_or_ids_and_a_section_is_a_usage_error(cli: Invoke) -> None:
    assert cli("check-links", "--forget", "--json").exit_code == 2
    assert cli("check-links", "lora-explained", "--section", "finetuning").exit_code == 2


# ---------------------------------------------------------------- the overall deadline


def test_the_default_deadline_comes_from_timeout_tries_and_links_per_worker() -> None:
    s = Settings(timeout=1, retries=2, backoff=1, concurrency=8)
    assert linkcheck.default_deadline(40, s) == 2 * (3 + 3) + 5  # 40 links at --timeout 1
    assert linkcheck.default_deadline(1, Settings()) == 2 * (30 + 3) + 10


def test_links_still_hanging_at_the_deadline_are_left_unchecked(server: LinkServer) -> None:
    earlier = set(threading.enumerate())
    with silent_port() as silent:
        links = [("fine", server.base + "/ok")]
        links += [(f"hang{n}", f"{silent}?{n}") for n in range(6)]
        s = Settings(timeout=60, retries=5, deadline=1.5)
        run = bounded(lambda: linkcheck.check(links, s), limit=30)
        for thread in set(threading.enumerate()) - earlier:
            if thread.name.startswith("linkcheck"):
                thread.join(20)
                assert not thread.is_alive(), "a check went on after the deadline"
    assert [(o.id, o.result) for o in run.outcomes] == [("fine", Verdict.OK)]
    assert (run.stopped, run.unchecked) == ("deadline", [f"hang{n}" for n in range(6)])


def test_check_links_deadline_keeps_what_finished_and_says_what_was_not_checked(
    cli: Invoke, server: LinkServer, tmp_path: Path, home: Path
) -> None:
    with silent_port() as silent:
        guide = write_guide(
            tmp_path / "g.toml",
            {
                "Web": [
                    ("fine", server.base + "/ok", "easy"),
                    ("hang-a", silent + "?a", "easy"),
                    ("hang-b", silent + "?b", "easy"),
                ]
            },
        )
        env = {"LLMDIVE_GUIDE": str(guide)}
        result = bounded(
            lambda: cli("check-links", "--json", "--timeout", "60", "--deadline", "1.5", env=env)
        )
    assert result.exit_code == 0, result.output
    assert [d["id"] for d in json.loads(result.stdout)] == ["fine"]
    assert result.stderr == (
        "llmdive: warning: 2 links not checked within the 1.5 s deadline (not marked dead): "
        "hang-a, hang-b; `--deadline SECONDS` gives more time\n"
    )
    assert {i: o.result for i, o in linkmarks.read_results(home).items()} == {"fine": Verdict.OK}


# ---------------------------------------------------------------- Ctrl-C


def test_ctrl_c_keeps_the_checks_already_finished(server: LinkServer) -> None:
    def interrupt(_: Outcome) -> None:
        raise KeyboardInterrupt

    with silent_port() as silent:
        links = [("fine", server.base + "/ok"), ("silent", silent)]
        run = bounded(lambda: linkcheck.check(links, Settings(timeout=60), interrupt), limit=20)
    assert [o.id for o in run.outcomes] == ["fine"]
    assert (run.stopped, run.unchecked) == ("interrupted", ["silent"])


def test_check_links_ctrl_c_saves_finished_checks_and_says_how_many(
    cli: Invoke, server: LinkServer, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmdive.output import terminal

    def interrupted(self: terminal.ProgressBar, *_: object) -> None:
        raise KeyboardInterrupt  # as Ctrl-C arrives while the first result is counted

    monkeypatch.setattr(terminal.ProgressBar, "advance", interrupted)
    with silent_port() as silent:
        guide = write_guide(
            tmp_path / "g.toml",
            {
                "Web": [
                    ("fine", server.base + "/ok", "easy"),
                    ("silent", silent, "easy"),
                ]
            },
        )
        env = {"LLMDIVE_GUIDE": str(guide)}
        result = bounded(lambda: cli("check-links", "--timeout", "60", env=env), limit=30)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "Checked 1 link: 1 ok."
    assert result.stderr == (
        "llmdive: error: interrupted: kept the 1 finished check; 1 link not checked\n"
    )
    assert {i: o.result for i, o in linkmarks.read_results(home).items()} == {"fine": Verdict.OK}
