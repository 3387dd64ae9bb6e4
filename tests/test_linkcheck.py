"""The link checker against a server on 127.0.0.1: every kind of answer, classified."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest

from llmdive import linkcheck
from llmdive.errors import LlmdiveError
from llmdive.linkcheck import Outcome, Settings, Verdict

from .linkserver import LinkServer, refused_url, serving, silent_port

T = TypeVar("T")
FAST = Settings(timeout=0.5, backoff=0.01, retries=2, sleep=lambda _: None)


def bounded(run: Callable[[], T], limit: float = 60.0) -> T:
    """Run `run` in a thread and fail if it has not ended within `limit` seconds."""
    box: list[Any] = []
    thread = threading.Thread(target=lambda: box.append(run()), daemon=True)
    thread.start()
    thread.join(limit)
    assert not thread.is_alive(), f"the check did not end within {limit} s"
    assert box, "the check raised"
    return box[0]  # type: ignore[no-any-return]


@pytest.fixture
def server() -> Iterator[LinkServer]:
    with serving() as s:
        yield s


def one(url: str, settings: Settings = FAST) -> Outcome:
    return bounded(lambda: linkcheck.check_url("x", url, settings))


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
    assert out.detail == "200 OK after 1 redirect(s), the first permanent (301)"


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
        results = bounded(lambda: linkcheck.check(links, FAST, lambda o: seen.append(o.id)))
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
        results = bounded(lambda: linkcheck.check(links, Settings(concurrency=8, per_host=2)))
    assert {o.result for o in results} == {Verdict.OK}
    assert peak == 2


# ---------------------------------------------------------------- kept results


def test_results_are_kept_merged_and_read_back(home: Path) -> None:
    a = Outcome("a", "https://a.example/", Verdict.DEAD, 404, "https://a.example/",
                detail="404 Not Found", checked="2026-11-20T10:00:00Z")  # fmt: skip
    b = Outcome("b", "https://b.example/", Verdict.OK, 200, "https://b.example/",
                checked="2026-11-20T10:00:00Z")  # fmt: skip
    linkcheck.save_results(home, [a, b])
    b2 = Outcome("b", "https://b.example/", Verdict.UNKNOWN, 503, checked="2026-11-27T10:00:00Z")
    linkcheck.save_results(home, [b2])
    assert linkcheck.read_results(home) == {"a": a, "b": b2}


def test_a_result_applies_only_to_the_url_it_was_checked_at(home: Path) -> None:
    old = Outcome("a", "https://old.example/", Verdict.DEAD, 404, checked="2026-11-20T10:00:00Z")
    linkcheck.save_results(home, [old])
    assert linkcheck.results_for(home, [("a", "https://old.example/")]) == ({"a": old}, "")
    assert linkcheck.results_for(home, [("a", "https://new.example/")]) == ({}, "")


def test_a_damaged_results_file_is_a_warning_and_is_replaced_by_a_check(home: Path) -> None:
    home.mkdir()
    (home / "linkcheck.json").write_text('{"version": 1, "links": {"a": {"url": 3}}}')
    marks, problem = linkcheck.results_for(home, [("a", "https://a.example/")])
    assert marks == {}
    assert problem.startswith(f"{home / 'linkcheck.json'}: not an llmdive link-check file")
    with pytest.raises(LlmdiveError):
        linkcheck.read_results(home)
    fresh = Outcome("a", "https://a.example/", Verdict.OK, 200, checked="2026-11-27T10:00:00Z")
    linkcheck.save_results(home, [fresh])
    assert linkcheck.read_results(home) == {"a": fresh}


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
    assert linkcheck.first_seen("mine", "2026-12-24T23:30:00Z", updates) == date(2026, 12, 24)
    assert linkcheck.first_seen("new", None, updates) == date(2026, 12, 3)  # the first time
    assert linkcheck.first_seen("newer", None, updates) == date(2027, 1, 10)
    assert linkcheck.first_seen("lora-explained", None, updates) == linkcheck.BUNDLED_SINCE


def test_archive_url() -> None:
    assert linkcheck.archive_url("https://a.example/p?q=1", date(2026, 11, 27)) == (
        "https://web.archive.org/web/20261127/https://a.example/p?q=1"
    )


def test_tls_trouble_is_unknown(server: LinkServer) -> None:
    out = one(server.base.replace("http://", "https://") + "/ok")
    assert out.result is Verdict.UNKNOWN
    assert out.detail.startswith("TLS error")
