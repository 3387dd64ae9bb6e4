"""The link checker against a server on 127.0.0.1: every kind of answer, classified."""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest

from llmdive.net import linkcheck, linkmarks
from llmdive.net.linkcheck import Settings
from llmdive.net.linkmarks import Outcome, Verdict
from tests.helpers import Invoke
from tests.linkserver import (
    LinkServer,
    bounded,
    refused_url,
    serving,
    silent_port,
    trickling_port,
    write_guide,
)

T = TypeVar("T")
FAST = Settings(timeout=0.5, backoff=0.01, retries=2, sleep=lambda _: None)


@pytest.fixture
def server() -> Iterator[LinkServer]:
    with serving() as s:
        yield s


def one(url: str, settings: Settings = FAST) -> Outcome:
    return bounded(lambda: linkcheck.probe_url("x", url, settings))


# ---------------------------------------------------------------- each answer, classified


@pytest.mark.parametrize(
    ("path", "result", "status"),
    [
        ("/ok", Verdict.OK, 200),
        ("/found", Verdict.OK, 200),
        ("/see-other", Verdict.OK, 200),
        ("/temporary", Verdict.OK, 200),
        ("/moved", Verdict.REDIRECTED, 200),
        ("/moved-308", Verdict.REDIRECTED, 200),
        ("/missing", Verdict.DEAD, 404),
        ("/gone", Verdict.DEAD, 410),
        ("/moved-to-missing", Verdict.DEAD, 404),
        ("/busy", Verdict.UNKNOWN, 429),
        ("/error", Verdict.UNKNOWN, 500),
        ("/unavailable", Verdict.UNKNOWN, 503),
        ("/forbidden", Verdict.UNKNOWN, 403),
        ("/login", Verdict.UNKNOWN, 401),
        ("/flaky", Verdict.OK, 200),
        ("/head-not-allowed", Verdict.OK, 200),
        ("/head-not-found", Verdict.OK, 200),
        ("/no-location", Verdict.UNKNOWN, 301),
    ],
)
def test_each_answer_gets_its_result(
    server: LinkServer, path: str, result: Verdict, status: int
) -> None:
    out = one(server.base + path)
    assert (out.result, out.status_code) == (result, status), out.detail


def test_a_permanent_redirect_reports_where_it_ends(server: LinkServer) -> None:
    out = one(server.base + "/moved")
    assert out.final_url == server.base + "/ok"
    assert out.permanent
    assert out.redirects == [{"status": 301, "url": server.base + "/ok"}]
    assert out.detail == "200 OK after 1 redirect, the first permanent (301)"


def test_a_temporary_redirect_is_ok_and_still_reported(server: LinkServer) -> None:
    out = one(server.base + "/found")
    assert (out.result, out.permanent, out.final_url) == (Verdict.OK, False, server.base + "/ok")
    assert out.redirects == [{"status": 302, "url": server.base + "/ok"}]


def test_head_first_and_get_only_where_head_is_refused(server: LinkServer) -> None:
    one(server.base + "/ok")
    one(server.base + "/head-not-allowed")
    assert server.hits[("HEAD", "/ok")] == 1
    assert server.hits[("GET", "/ok")] == 0
    assert server.hits[("HEAD", "/head-not-allowed")] == 1
    assert server.hits[("GET", "/head-not-allowed")] == 1


def test_a_404_is_believed_only_from_a_get(server: LinkServer) -> None:
    out = one(server.base + "/missing")
    assert out.result is Verdict.DEAD
    assert server.hits[("GET", "/missing")] == 1
    assert out.detail == "404 Not Found"


def test_redirect_loops_are_caught(server: LinkServer) -> None:
    out = one(server.base + "/loop-a")
    assert out.result is Verdict.UNKNOWN
    assert out.detail == f"redirect loop back to {server.base}/loop-a"
    assert one(server.base + "/self").detail == f"redirect loop back to {server.base}/self"


def test_more_than_ten_redirects_is_unknown(server: LinkServer) -> None:
    out = one(server.base + "/chain-0")
    assert out.result is Verdict.UNKNOWN
    assert out.detail == "more than 10 redirects"
    assert len(out.redirects) == 11
    # Ten are followed: a chain of ten ends in a success.
    assert one(server.base + "/chain-2").result is Verdict.OK


def test_a_refused_connection_is_unknown_and_not_retried() -> None:
    out = one(refused_url())
    assert (out.result, out.detail, out.attempts) == (Verdict.UNKNOWN, "connection refused", 1)


def test_a_server_that_never_answers_times_out_and_is_retried() -> None:
    with silent_port() as url:
        out = one(url, Settings(timeout=0.3, retries=1, backoff=0.01))
    assert out.result is Verdict.UNKNOWN
    assert out.detail == "no answer within 0.3 s (2 tries)"
    assert out.status_code is None


def test_a_server_that_trickles_is_cut_off_at_the_deadline() -> None:
    """Each byte comes within the socket timeout: only the request's deadline stops it."""
    with trickling_port() as url:
        out = one(url, Settings(timeout=0.5, retries=0))
    assert (out.result, out.detail) == (Verdict.UNKNOWN, "no answer within 0.5 s")


def test_a_name_under_invalid_is_dead_without_asking_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: object, **kwargs: object) -> list[Any]:
        raise AssertionError("asked DNS")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    out = one("https://nowhere.invalid/page", Settings(timeout=0.5))
    assert (out.result, out.detail) == (Verdict.DEAD, "host nowhere.invalid does not resolve")
    with pytest.raises(socket.gaierror) as exc:
        linkcheck.resolve("x.INVALID.", 80)
    assert exc.value.errno == socket.EAI_NONAME


def test_an_injected_resolver_decides_what_resolves(server: LinkServer) -> None:
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[Any]:
        asked.append(host)
        if host == "gone.example":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if host == "offline.example":
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return socket.getaddrinfo("127.0.0.1", port, type=socket.SOCK_STREAM)

    port = server.server_address[1]
    settings = Settings(timeout=0.5, resolve=resolver)
    assert one(f"http://gone.example:{port}/ok", settings).result is Verdict.DEAD
    # Offline, every lookup fails "temporarily": never a reason to call a link dead.
    offline = one(f"http://offline.example:{port}/ok", settings)
    assert offline.result is Verdict.UNKNOWN
    assert offline.detail.startswith("cannot look up offline.example")
    assert one(f"http://fine.example:{port}/ok", settings).result is Verdict.OK
    assert asked == ["gone.example", "offline.example", "fine.example"]


# ---------------------------------------------------------------- retries


def test_429_500_and_408_are_retried_with_doubling_backoff(server: LinkServer) -> None:
    waits: list[float] = []
    settings = Settings(timeout=0.5, retries=3, backoff=0.25, sleep=waits.append)
    out = one(server.base + "/error", settings)
    assert (out.result, out.attempts) == (Verdict.UNKNOWN, 4)
    assert out.detail == "500 Internal Server Error (4 tries)"
    assert waits == [0.25, 0.5, 1.0]
    assert server.hits[("HEAD", "/error")] == 4


def test_500_then_200_is_ok_on_the_second_try(server: LinkServer) -> None:
    out = one(server.base + "/flaky")
    assert (out.result, out.attempts, out.detail) == (Verdict.OK, 2, "200 OK (2 tries)")


def test_retry_after_is_honoured(server: LinkServer) -> None:
    waits: list[float] = []
    settings = Settings(timeout=0.5, retries=2, backoff=0.1, sleep=waits.append)
    out = one(server.base + "/busy", settings)
    assert (out.result, out.status_code, out.attempts) == (Verdict.UNKNOWN, 429, 3)
    assert waits == [1.0, 1.0]  # Retry-After: 1, longer than the backoff


def test_a_retry_after_past_the_cap_is_not_waited_for(server: LinkServer) -> None:
    waits: list[float] = []
    settings = Settings(timeout=0.5, retries=2, retry_after_cap=30, sleep=waits.append)
    out = one(server.base + "/busy-for-hours", settings)
    assert waits == []
    assert out.result is Verdict.UNKNOWN
    assert out.detail == (
        "429 Too Many Requests; asked to retry after 7200 s (more than 30 s: not waited for)"
    )


def test_retry_after_as_an_http_date() -> None:
    later = datetime.now(UTC) + timedelta(seconds=120)
    seconds = linkcheck._retry_after(later.strftime("%a, %d %b %Y %H:%M:%S GMT"))
    assert seconds is not None and 100 < seconds <= 120
    assert linkcheck._retry_after("soon") is None
    assert linkcheck._retry_after("5") == 5.0


# ---------------------------------------------------------------- many at once


def test_check_runs_every_endpoint_concurrently_within_bounds(server: LinkServer) -> None:
    with silent_port() as never:
        links = [(p.strip("/"), server.base + p) for p in ("/ok", "/moved", "/missing", "/gone")]
        links += [("refused", refused_url()), ("never", never)]
        links += [("nowhere", "http://nowhere.invalid/"), ("gone-again", server.base + "/gone")]
        seen: list[str] = []
        results = bounded(
            lambda: linkcheck.check(links, FAST, lambda o: seen.append(o.id))
        ).outcomes
    assert [(o.id, o.result) for o in results] == [
        ("ok", Verdict.OK),
        ("moved", Verdict.REDIRECTED),
        ("missing", Verdict.DEAD),
        ("gone", Verdict.DEAD),
        ("refused", Verdict.UNKNOWN),
        ("never", Verdict.UNKNOWN),
        ("nowhere", Verdict.DEAD),
        ("gone-again", Verdict.DEAD),
    ]
    assert sorted(seen) == sorted(i for i, _ in links)
    # The same URL twice is asked once, and both ids get the answer.
    assert server.hits[("GET", "/gone")] == 1
    assert all(o.checked.endswith("Z") for o in results)


def test_at_most_two_requests_at_once_per_host(server: LinkServer) -> None:
    in_flight = peak = 0
    lock = threading.Lock()
    real = linkcheck._request

    def counting(method: str, url: str, s: Settings, watch: Any) -> Any:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            threading.Event().wait(0.05)  # hold the slot, so overlaps would show
            return real(method, url, s, watch)
        finally:
            with lock:
                in_flight -= 1

    links = [(f"l{n}", f"{server.base}/ok?n={n}") for n in range(8)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(linkcheck, "_request", counting)
        results = bounded(
            lambda: linkcheck.check(links, Settings(concurrency=8, per_host=2))
        ).outcomes
    assert {o.result for o in results} == {Verdict.OK}
    assert peak == 2


def test_tls_trouble_is_unknown(server: LinkServer) -> None:
    out = one(server.base.replace("http://", "https://") + "/ok")
    assert out.result is Verdict.UNKNOWN
    assert out.detail.startswith("TLS error")


# ---------------------------------------------------------------- through the command line

ENDPOINTS = {  # id -> (path on the test server, result)
    "fine": ("/ok", "ok"),
    "moved": ("/moved", "redirected"),
    "found": ("/found", "ok"),
    "missing": ("/missing", "dead"),
    "gone": ("/gone", "dead"),
    "busy": ("/busy", "unknown"),
    "broken": ("/error", "unknown"),
    "flaky": ("/flaky", "ok"),
    "head-refused": ("/head-not-allowed", "ok"),
    "looping": ("/loop-a", "unknown"),
}


@pytest.fixture
def served_guide(server: LinkServer, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A guide of every endpoint, with a refused, a silent and an unresolvable link too."""
    with silent_port() as never:
        urls = {i: server.base + p for i, (p, _) in ENDPOINTS.items()}
        urls.update(refused=refused_url(), silent=never, nowhere="http://nowhere.invalid/x")
        links = [(i, url, "easy") for i, url in urls.items()]
        guide = write_guide(tmp_path / "guide.toml", {"Web": links})
        yield {**urls, "guide": str(guide)}


def test_check_links_classifies_every_endpoint_in_json(
    cli: Invoke, served_guide: dict[str, str], server: LinkServer, home: Path
) -> None:
    env = {"LLMDIVE_GUIDE": served_guide["guide"]}
    added = cli("add", server.base + "/gone?mine", "-t", "Mine", "-s", "web", env=env)
    assert added.exit_code == 0, added.output
    result = bounded(
        lambda: cli("check-links", "--json", "--timeout", "0.5", "--retries", "1", env=env)
    )
    assert result.exit_code == 0, result.output
    # No progress bar when stderr is not a terminal. Only loopback hosts answered: a host
    # that does not resolve is no evidence then (the machine may be offline), not kept.
    assert result.stderr.startswith("llmdive: warning: 1 link on hosts that do not resolve")
    assert result.stderr.endswith(": nowhere\n")
    data = json.loads(result.stdout)
    got = {d["id"]: d["result"] for d in data}
    expected = {i: r for i, (_, r) in ENDPOINTS.items()}
    expected.update(refused="unknown", silent="unknown")
    mine = next(d["id"] for d in data if d["personal"])
    expected[mine] = "dead"
    assert got == expected
    by_id = {d["id"]: d for d in data}
    for d in data:
        assert {"id", "url", "result", "status_code", "final_url", "detail", "checked"} <= d.keys()
        assert {"title", "section", "status", "personal", "note"} <= d.keys()  # a link object
        assert datetime.fromisoformat(d["checked"]).tzinfo is not None
        assert d["checked"].endswith("Z")
    assert by_id["moved"]["final_url"] == server.base + "/ok"
    assert (by_id["moved"]["status_code"], by_id["moved"]["permanent"]) == (200, True)
    assert (by_id["found"]["final_url"], by_id["found"]["permanent"]) == (
        server.base + "/ok",
        False,
    )
    assert by_id["missing"]["status_code"] == 404
    assert by_id["gone"]["status_code"] == 410
    assert (by_id["busy"]["status_code"], by_id["busy"]["attempts"]) == (429, 2)
    assert (by_id["flaky"]["status_code"], by_id["flaky"]["attempts"]) == (200, 2)
    assert by_id["looping"]["detail"] == f"redirect loop back to {server.base}/loop-a"
    assert by_id["refused"]["detail"] == "connection refused"
    assert by_id["silent"]["detail"] == "no answer within 0.5 s (2 tries)"
    assert "nowhere" not in by_id
    # Kept in the home, one entry per link, at the URL checked.
    kept = linkmarks.read_results(home)
    assert {k: v.result.value for k, v in kept.items()} == expected


def test_check_links_human_output_and_section(
    cli: Invoke, served_guide: dict[str, str], server: LinkServer, tmp_path: Path
) -> None:
    refused = refused_url()
    guide = write_guide(
        tmp_path / "two.toml",
        {
            "Web": [
                ("refused", refused, "easy"),
                ("moved", server.base + "/moved", "easy"),
                ("missing", server.base + "/missing", "easy"),
            ],
            "Other": [("fine", server.base + "/ok", "easy")],
        },
    )
    env = {"LLMDIVE_GUIDE": str(guide)}
    result = bounded(lambda: cli("check-links", "--section", "web", env=env))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [  # what needs the reader most first
        "Checked 3 links: 1 redirected, 1 dead, 1 unknown.",
        f"  ✗ dead       missing  404 Not Found  {server.base}/missing",
        f"  ↪ redirected moved    301 → {server.base}/ok  {server.base}/moved",
        f"  ? unknown    refused  connection refused  {refused}",
        "Dead links: `llmdive show ID` offers a Web Archive copy; `next` passes them over.",
        "Unknown is not dead: rate limits, refusals and outages pass; check again later.",
    ]
    assert server.hits[("HEAD", "/ok")] == 1  # through /moved only: "Other" was not checked


def test_a_hostile_location_is_followed_as_a_browser_would_and_shown_safely(
    cli: Invoke, server: LinkServer, tmp_path: Path
) -> None:
    out = one(server.base + "/evil")
    assert out.result is Verdict.REDIRECTED
    assert out.final_url == server.base + "/ok?%1B[31mred"
    guide = write_guide(tmp_path / "g.toml", {"Web": [("evil", server.base + "/evil", "easy")]})
    result = bounded(lambda: cli("check-links", env={"LLMDIVE_GUIDE": str(guide)}))
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert f"301 → {server.base}/ok?%1B[31mred" in result.stdout


def test_ctrl_c_stops_every_request_at_once(server: LinkServer) -> None:
    """An interrupt shuts the sockets of requests still waiting: no thread lingers."""

    def interrupt(_: Outcome) -> None:
        raise KeyboardInterrupt

    def run() -> str:
        links = [("fine", server.base + "/ok"), ("silent", silent)]
        return linkcheck.check(links, Settings(timeout=60, retries=5), interrupt).stopped

    # Only this run's workers: another test's pool may still be winding down on a busy machine.
    earlier = set(threading.enumerate())
    with silent_port() as silent:
        assert bounded(run, limit=20) == "interrupted"
        for thread in set(threading.enumerate()) - earlier:
            if thread.name.startswith("linkcheck"):
                thread.join(20)
                assert not thread.is_alive(), "a check went on after Ctrl-C"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_is_drawn_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from llmdive.output.terminal import ProgressBar

    monkeypatch.setenv("TERM", "xterm")
    tty = _Terminal()
    with ProgressBar(2, "checking links", tty) as bar:
        bar.advance()
        bar.advance()
    frames = tty.getvalue().split("\r")[1:]
    assert frames[0] == "checking links " + "░" * 30 + " 0/2"
    assert frames[1] == "checking links " + "█" * 15 + "░" * 15 + " 1/2"
    assert frames[2] == "checking links " + "█" * 30 + " 2/2"
    assert frames[3] == "\x1b[K"  # and the line is cleared when done
    piped = io.StringIO()
    with ProgressBar(2, "checking links", piped) as bar:
        bar.advance()
    assert piped.getvalue() == ""
    monkeypatch.setenv("TERM", "dumb")
    dumb = _Terminal()
    with ProgressBar(2, "checking links", dumb) as bar:
        bar.advance()
    assert dumb.getvalue() == ""
