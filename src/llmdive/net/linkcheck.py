"""Do the guide's links still lead somewhere? Check them over HTTP, concurrently.

Each URL is asked with HEAD, and with GET where HEAD is refused or unsupported (a 4xx
or a 501 to HEAD is never believed: some servers answer HEAD with 403, 404 or 405 and
GET with 200). Redirects are followed by hand, at most `max_redirects`, so that every
hop is seen: a loop is caught, and a permanent first hop (301/308) is reported with
where it ends. Each link gets one result:

- ok: a success, also through temporary redirects (302/303/307);
- redirected: a permanent redirect (301/308) to another URL, ending in a success;
- dead: 404 or 410 (to a GET), or a host that does not resolve;
- unknown: anything that may well be temporary or is not the link's fault: timeouts,
  401/403, 429, 5xx, TLS and connection errors, redirect loops. Never called dead.

429, 408, 5xx and timeouts are retried with a doubling backoff, honouring Retry-After
up to a cap. Checks run on a thread pool (a handful at a time, at most two per host),
each request with a hard deadline that a timer enforces by shutting its socket, and the
whole check with an overall deadline: links not checked by then are left unchecked (never
dead), as they are on Ctrl-C, which keeps the checks already finished. When no host could
be resolved or reached at all, the run says the machine looks offline (`Run.offline`); when
no name resolved to a public address (only loopback or private hosts answered), a host that
does not resolve is no evidence either (`Run.unconfirmed`).

The HTTP client is the standard library's http.client: checking needs no connection
pooling, cookies or bodies, only status lines and Location headers with redirects under
our control, which urllib's opener hides. Only `check-links` imports this module (it,
ssl and the thread pool cost start-up time); linkmarks.py keeps what it finds.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from llmdive import __version__
from llmdive.model.models import iso
from llmdive.model.text import C0, DEL_C1, char_class
from llmdive.model.urls import quote_location
from llmdive.model.vocab import counted
from llmdive.net.linkmarks import Outcome, Verdict

if TYPE_CHECKING:
    import socket

PERMANENT = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
GONE = frozenset({404, 410})


@dataclass(frozen=True)
class Settings:
    """How a check behaves; the defaults are what `llmdive check-links` uses."""

    timeout: float = 10.0  # seconds for one request: connect, TLS, status line and headers
    concurrency: int = 8
    per_host: int = 2
    retries: int = 2  # further tries after the first, for 429, 408, 5xx and timeouts
    backoff: float = 1.0  # seconds before the first retry, doubled before each next one
    retry_after_cap: float = 10.0  # a longer Retry-After is not waited for: left unknown
    max_redirects: int = 10
    deadline: float | None = None  # seconds for the whole check; None: default_deadline()
    user_agent: str = f"llmdive/{__version__} (link check)"
    # getaddrinfo(host, port) -> addresses; injectable so that tests need no DNS.
    resolve: Callable[[str, int], list[Any]] | None = None
    # Waits between tries (seconds); injectable so that tests can see them without waiting.
    sleep: Callable[[float], None] | None = None
    # Is this resolved address evidence that name lookups work (default: a global address;
    # a loopback, link-local or private one answers offline too)? Injectable for tests.
    public: Callable[[str], bool] | None = None
    # check-links --durations: GET each page, read at most `body` bytes of it (`pdf_body` of
    # a PDF), and measure(body, content type, whole body read) -> (seconds, how) or None.
    measure: Callable[[bytes, str | None, bool], tuple[int, str] | None] | None = None
    body: int = 2 * 2**20
    pdf_body: int = 16 * 2**20


# ---------------------------------------------------------------- one request


def resolve(host: str, port: int) -> list[Any]:
    """getaddrinfo, except that names under .invalid fail at once (RFC 6761, 6.4)."""
    import socket

    name = host.rstrip(".").lower()
    if name == "invalid" or name.endswith(".invalid"):
        raise socket.gaierror(socket.EAI_NONAME, "names under .invalid never resolve")
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def is_public(address: str) -> bool:
    """Is this a global address (not loopback, link-local, private or reserved)?"""
    import ipaddress

    try:
        return ipaddress.ip_address(address.split("%")[0]).is_global
    except ValueError:
        return False


def _is_literal(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return False
    return True


class _Watch:
    """The socket a worker is waiting on, and when it must give up: shut by the watchdog."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._deadline = 0.0
        self.expired = False
        self.reached = False  # a connection to some host was made: the network works
        self.named = False  # a name resolved to a public address: name lookups work
        self.stopped = threading.Event()  # set on Ctrl-C: workers stop waiting and trying

    def arm(self, sock: socket.socket, deadline: float) -> None:
        """Watch `sock` until `deadline`; after Ctrl-C, refuse to start waiting at all."""
        with self._lock:
            # Checked under the lock that `enforce` takes: a worker arming just after the
            # interrupt's sweep would otherwise wait out its whole timeout.
            if self.stopped.is_set():
                raise _Failure(Verdict.UNKNOWN, "interrupted")
            self._sock, self._deadline, self.expired = sock, deadline, False

    def disarm(self) -> None:
        with self._lock:
            self._sock = None

    def enforce(self, now: float, force: bool = False) -> None:
        import socket

        with self._lock:
            if self._sock is not None and (force or now >= self._deadline):
                self.expired = True
                with contextlib.suppress(OSError):  # already closed by its worker
                    self._sock.shutdown(socket.SHUT_RDWR)


@dataclass
class _Answer:
    status: int
    reason: str
    location: str | None
    retry_after: str | None
    measured: tuple[int, str] | None = None


class _Failure(Exception):
    """A request that got no HTTP answer; `verdict` says what that means for the link."""

    def __init__(
        self, verdict: Verdict, detail: str, retry: bool = False, garbled: bool = False
    ) -> None:
        super().__init__(detail)
        self.verdict, self.detail, self.retry = verdict, detail, retry
        self.garbled = garbled  # an answer that is not HTTP: some servers do that to HEAD


def _target(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and request target of an absolute http(s) URL, made ASCII."""
    from urllib.parse import quote, urlsplit

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _Failure(Verdict.UNKNOWN, f"malformed URL ({exc})") from None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in ("http", "https") or not host:
        raise _Failure(Verdict.UNKNOWN, "not an http(s) URL")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise _Failure(Verdict.DEAD, f"host {host!r} is not a valid name") from None
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return scheme, host, port or (443 if scheme == "https" else 80), path


def _request(method: str, url: str, s: Settings, watch: _Watch) -> _Answer:
    """One request, no redirect followed, no body read; a hard deadline of `s.timeout`."""
    import time

    scheme, host, port, path = _target(url)
    deadline = time.monotonic() + s.timeout
    # The watchdog: a socket timeout bounds each wait, this bounds the whole request (a
    # server sending a byte now and then would otherwise hold it forever).
    timer = threading.Timer(s.timeout, lambda: watch.enforce(time.monotonic()))
    timer.daemon = True
    timer.start()
    try:
        return _exchange(method, scheme, host, port, path, deadline, s, watch)
    finally:
        timer.cancel()


def _exchange(
    method: str,
    scheme: str,
    host: str,
    port: int,
    path: str,
    deadline: float,
    s: Settings,
    watch: _Watch,
) -> _Answer:
    import http.client
    import socket
    import ssl
    import time

    try:
        infos = (s.resolve or resolve)(host, port)
    except socket.gaierror as exc:
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)):
            raise _Failure(Verdict.DEAD, f"host {host} does not resolve") from None
        raise _Failure(Verdict.UNKNOWN, f"cannot look up {host} ({exc.strerror or exc})") from None
    public = s.public or is_public
    if not _is_literal(host) and any(public(str(info[4][0])) for info in infos):
        watch.named = True
    sock: socket.socket | None = None
    error: OSError | None = None
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        sock.settimeout(max(0.001, deadline - time.monotonic()))
        try:
            watch.arm(sock, deadline)
        except _Failure:
            sock.close()
            raise
        try:
            sock.connect(address)
            watch.reached = True
            break
        except OSError as exc:
            sock.close()
            sock, error = None, exc
    try:
        if sock is None:
            raise error or OSError(f"no address for {host}")
        conn: http.client.HTTPConnection
        if scheme == "https":
            context = ssl.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=host)
            watch.arm(sock, deadline)
            conn = http.client.HTTPSConnection(host, port, timeout=s.timeout, context=context)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=s.timeout)
        conn.sock = sock
        headers = {"User-Agent": s.user_agent, "Accept": "*/*", "Accept-Encoding": "identity"}
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        if watch.expired:  # cut off mid-headers: what was read is not the answer
            raise TimeoutError
        location = response.getheader("Location")
        answer = _Answer(
            response.status,
            _printable(response.reason),
            quote_location(location) if location is not None else None,
            response.getheader("Retry-After"),
        )
        if s.measure is not None and method == "GET" and 200 <= response.status < 300:
            answer.measured = _measure(response, s)
        conn.close()  # no more of the body is read: the status line is the answer
        return answer
    except (TimeoutError, ssl.SSLError, OSError, http.client.HTTPException, ValueError) as exc:
        raise _failure(exc, s.timeout, watch.expired) from None
    finally:
        watch.disarm()
        if sock is not None:
            sock.close()


def _measure(response: Any, s: Settings) -> tuple[int, str] | None:
    """s.measure of a bounded prefix of the body (under the request's deadline)."""
    assert s.measure is not None
    kind = response.getheader("Content-Type")
    limit = s.pdf_body if "pdf" in (kind or "").lower() else s.body
    chunks, size = [], 0
    while size < limit and (chunk := response.read(min(65536, limit - size))):
        chunks.append(chunk)
        size += len(chunk)
    return s.measure(b"".join(chunks), kind, size < limit or not response.read(1))


_ASCII_CONTROLS = re.compile(char_class(C0, DEL_C1))


def _printable(text: str) -> str:
    """A server's words with anything but printable ASCII left out."""
    return "".join(c for c in _ASCII_CONTROLS.sub("", text) if c.isascii())[:200]


def _failure(exc: BaseException, timeout: float, expired: bool) -> _Failure:
    import http.client
    import ssl

    if expired or isinstance(exc, TimeoutError):
        return _Failure(Verdict.UNKNOWN, f"no answer within {timeout:g} s", retry=True)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _Failure(Verdict.UNKNOWN, f"TLS certificate not trusted ({exc.verify_message})")
    if isinstance(exc, ssl.SSLError):
        return _Failure(Verdict.UNKNOWN, f"TLS error ({exc.reason or exc})")
    if isinstance(exc, ConnectionRefusedError):
        return _Failure(Verdict.UNKNOWN, "connection refused")
    if isinstance(exc, http.client.HTTPException | ValueError):
        detail = f"not a valid HTTP answer ({type(exc).__name__})"
        return _Failure(Verdict.UNKNOWN, detail, garbled=True)
    if isinstance(exc, OSError):
        return _Failure(Verdict.UNKNOWN, f"connection failed ({exc.strerror or exc})")
    return _Failure(Verdict.UNKNOWN, str(exc))


# ---------------------------------------------------------------- one link


@dataclass
class _Chain:
    """Where a URL led: the last answer (or the failure) and each redirect on the way."""

    url: str
    answer: _Answer | None = None
    failure: _Failure | None = None
    hops: list[dict[str, Any]] = field(default_factory=list)


def _follow(url: str, method: str, s: Settings, watch: _Watch) -> _Chain:
    from urllib.parse import urldefrag, urljoin

    chain = _Chain(url)
    seen = {url}
    while True:
        try:
            answer = _request(method, chain.url, s, watch)
        except _Failure as failure:
            chain.failure = failure
            return chain
        chain.answer = answer
        if answer.status not in REDIRECTS or not answer.location:
            return chain
        target = urldefrag(urljoin(chain.url, answer.location.strip()))[0]
        chain.hops.append({"status": answer.status, "url": target})
        if target in seen:
            chain.failure = _Failure(Verdict.UNKNOWN, f"redirect loop back to {target}")
            return chain
        if len(chain.hops) > s.max_redirects:
            chain.failure = _Failure(Verdict.UNKNOWN, f"more than {s.max_redirects} redirects")
            return chain
        seen.add(target)
        chain.url = target


def _wants_get(chain: _Chain) -> bool:
    """Is a HEAD answer not to be believed? Any 4xx but 408/429, a 501, or no valid answer."""
    if chain.failure is not None:
        return chain.answer is None and chain.failure.garbled
    assert chain.answer is not None
    status = chain.answer.status
    return (400 <= status < 500 and status not in (408, 429)) or status == 501


def _phrase(status: int, reason: str) -> str:
    from http import HTTPStatus

    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} {reason}".strip()


@dataclass
class _Probe:
    outcome: Outcome
    retry: bool = False
    retry_after: float | None = None


def _classify(link_id: str, url: str, chain: _Chain) -> _Probe:
    hops = chain.hops
    permanent = bool(hops) and hops[0]["status"] in PERMANENT
    out = Outcome(link_id, url, Verdict.UNKNOWN, permanent=permanent, redirects=hops)
    answer = chain.answer
    if answer is not None:
        out.status_code = answer.status
        out.final_url = chain.url if chain.failure is None else None
    if chain.failure is not None:
        out.result, out.detail = chain.failure.verdict, chain.failure.detail
        return _Probe(out, chain.failure.retry)
    assert answer is not None
    status = answer.status
    out.detail = _phrase(status, answer.reason)
    if 200 <= status < 300:
        out.result = Verdict.REDIRECTED if permanent and chain.url != url else Verdict.OK
    elif status in GONE:
        out.result = Verdict.DEAD
    if hops:
        kind = "permanent" if permanent else "temporary"
        out.detail += (
            f" after {counted(len(hops), 'redirect')}, the first {kind} ({hops[0]['status']})"
        )
    retry = status in (408, 429) or 500 <= status < 600
    return _Probe(out, retry, _retry_after(answer.retry_after) if retry else None)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def probe_url(link_id: str, url: str, s: Settings, watch: _Watch | None = None) -> Outcome:
    """Check one URL: HEAD, GET where HEAD is not to be believed, retries; one Outcome."""
    watch = watch or _Watch()
    attempt = 0
    while True:
        chain = _follow(url, "GET" if s.measure else "HEAD", s, watch)
        if s.measure is None and _wants_get(chain):
            chain = _follow(url, "GET", s, watch)
        probe = _classify(link_id, url, chain)
        probe.outcome.attempts = attempt + 1
        if not probe.retry or attempt >= s.retries:
            break
        wait = s.backoff * 2**attempt
        if probe.retry_after is not None:
            if probe.retry_after > s.retry_after_cap:
                probe.outcome.detail += (
                    f"; asked to retry after {probe.retry_after:.0f} s "
                    f"(more than {s.retry_after_cap:g} s: not waited for)"
                )
                break
            wait = max(wait, probe.retry_after)
        if s.sleep is not None:
            s.sleep(wait)
        elif watch.stopped.wait(wait):
            break  # Ctrl-C
        attempt += 1
    out = probe.outcome
    if chain.answer is not None and chain.failure is None:
        out.measured = chain.answer.measured
    if out.attempts > 1:
        out.detail += f" ({out.attempts} tries)"

    out.checked = iso(datetime.now(UTC))
    return out


# ---------------------------------------------------------------- many links


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def default_deadline(urls: int, s: Settings) -> float:
    """Seconds for a whole check of `urls` URLs: twice what one link may take with all its
    tries, plus one timeout per round of `s.concurrency` links (40 at --timeout 1: 17 s)."""
    one_link = s.timeout * (s.retries + 1) + s.backoff * float(2**s.retries - 1)
    rounds = -(-urls // max(1, s.concurrency))
    return 2 * one_link + s.timeout * rounds


@dataclass
class Run:
    """What a check found: the finished checks, and the links left unchecked."""

    outcomes: list[Outcome]  # one per id checked, in the order given
    unchecked: list[str] = field(default_factory=list)  # ids not checked, in the order given
    stopped: str = ""  # "deadline" or "interrupted" when the check was cut short
    deadline: float = 0.0  # the overall deadline it ran under, in seconds
    offline: bool = False  # checks finished, and none of them reached any host
    named: bool = False  # some name resolved to a public address: name lookups work

    def unconfirmed(self) -> list[Outcome]:
        """Hosts that did not resolve in a run where no name resolved to a public address:
        no evidence of anything (offline, or only local hosts answered), so not to be kept."""
        if self.named:
            return []
        return [o for o in self.outcomes if o.result is Verdict.DEAD and o.status_code is None]


def check(
    links: Sequence[tuple[str, str]],
    settings: Settings | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> Run:
    """Check (id, url) pairs concurrently: one Outcome per id checked, in the order given.

    A URL shared by several ids is checked once. `on_done` is called (in this thread) as
    each URL's check ends, once per id. At the overall deadline, or on Ctrl-C (here or in
    `on_done`), every request still waiting is cut off and its links are left unchecked.
    """
    import time
    from collections import deque
    from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

    s = settings or Settings()
    ids_by_url: dict[str, list[str]] = {}
    for link_id, url in links:
        ids_by_url.setdefault(url, []).append(link_id)
    queues: dict[str, deque[str]] = {}
    for url in ids_by_url:
        queues.setdefault(_host(url), deque()).append(url)
    busy: dict[str, int] = dict.fromkeys(queues, 0)
    done_by_url: dict[str, Outcome] = {}
    running: dict[Future[Outcome], tuple[str, _Watch]] = {}
    watches: list[_Watch] = []
    reached = named = False
    limit = s.deadline if s.deadline is not None else default_deadline(len(ids_by_url), s)
    end = time.monotonic() + limit
    stopped = ""
    pool = ThreadPoolExecutor(max_workers=max(1, s.concurrency), thread_name_prefix="linkcheck")
    try:
        while queues or running:
            if time.monotonic() >= end:
                stopped = "deadline"
                break
            for host in list(queues):
                while queues[host] and busy[host] < s.per_host and len(running) < s.concurrency:
                    url = queues[host].popleft()
                    watch = _Watch()
                    watches.append(watch)
                    future = pool.submit(probe_url, ids_by_url[url][0], url, s, watch)
                    running[future] = (url, watch)
                    busy[host] += 1
                if not queues[host]:
                    del queues[host]
            left = max(0.0, end - time.monotonic())
            finished, _ = wait(running, timeout=min(0.5, left), return_when=FIRST_COMPLETED)
            for future in finished:
                url, watch = running.pop(future)
                busy[_host(url)] -= 1
                outcome = done_by_url[url] = future.result()
                reached = reached or watch.reached
                named = named or watch.named
                if on_done is not None:
                    for link_id in ids_by_url[url]:
                        on_done(_for_id(outcome, link_id))
    except KeyboardInterrupt:
        stopped = "interrupted"
    except BaseException:
        _stop(watches, pool)
        raise
    if stopped:  # stop waiting, stop retrying, shut every socket: no check goes on
        _stop(watches, pool)
    else:
        pool.shutdown()
    return Run(
        [_for_id(done_by_url[url], i) for i, url in links if url in done_by_url],
        [i for i, url in links if url not in done_by_url],
        stopped,
        limit,
        offline=bool(done_by_url) and not reached,
        named=named,
    )


def _stop(watches: list[_Watch], pool: Any) -> None:
    for watch in watches:
        watch.stopped.set()
        watch.enforce(0.0, force=True)
    pool.shutdown(wait=False, cancel_futures=True)


def _for_id(outcome: Outcome, link_id: str) -> Outcome:
    if outcome.id == link_id:
        return outcome
    from dataclasses import replace

    return replace(outcome, id=link_id)
