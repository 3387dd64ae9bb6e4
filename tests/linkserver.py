"""A web server on 127.0.0.1 for the link checker's tests: one endpoint per kind of answer.

Never the internet: every URL the tests check points here, at a port nothing listens on,
at a socket that never answers, or at a name under .invalid (which never resolves).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# path -> (status, headers) for HEAD and GET alike; the special cases are in the handler.
ROUTES: dict[str, tuple[int, dict[str, str]]] = {
    "/ok": (200, {}),
    "/moved": (301, {"Location": "/ok"}),
    "/moved-308": (308, {"Location": "/ok"}),
    "/found": (302, {"Location": "/ok"}),
    "/see-other": (303, {"Location": "/ok"}),
    "/temporary": (307, {"Location": "/ok"}),
    "/missing": (404, {}),
    "/gone": (410, {}),
    "/moved-to-missing": (301, {"Location": "/missing"}),
    "/busy": (429, {"Retry-After": "1"}),
    "/busy-for-hours": (429, {"Retry-After": "7200"}),
    "/error": (500, {}),
    "/unavailable": (503, {}),
    "/forbidden": (403, {}),
    "/login": (401, {}),
    "/loop-a": (301, {"Location": "/loop-b"}),
    "/loop-b": (302, {"Location": "/loop-a"}),
    "/self": (301, {"Location": "/self"}),
    "/no-location": (301, {}),
}
for _n in range(12):  # a chain of 12 redirects: more than 10
    ROUTES[f"/chain-{_n}"] = (302, {"Location": f"/chain-{_n + 1}"})
ROUTES["/chain-12"] = (200, {})


class LinkServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: Counter[tuple[str, str]] = Counter()  # (method, path) -> requests
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: LinkServer

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet tests

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            self.server.hits[(self.command, path)] += 1
            hits = self.server.hits[("HEAD", path)] + self.server.hits[("GET", path)]
        if path == "/head-not-allowed":  # 405 to HEAD, 200 to GET
            status, headers = (405, {"Allow": "GET"}) if not body else (200, {})
        elif path == "/head-not-found":  # a server that answers HEAD wrongly
            status, headers = (404, {}) if not body else (200, {})
        elif path == "/flaky":  # 500 to the first request, 200 after
            status, headers = (500, {}) if hits == 1 else (200, {})
        elif path == "/evil":  # a Location with terminal controls in it
            status, headers = 301, {"Location": "/ok?\x1b[31mred"}
        else:
            status, headers = ROUTES.get(path, (404, {}))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        payload = b"hello\n" if status == 200 else b""
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body:
            self.wfile.write(payload)


@contextlib.contextmanager
def serving() -> Iterator[LinkServer]:
    server = LinkServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextlib.contextmanager
def silent_port() -> Iterator[str]:
    """A URL whose server accepts connections and then never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)  # the kernel completes connections; nobody ever reads or writes
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/never"
    finally:
        sock.close()


def refused_url() -> str:
    """A URL at a port nothing listens on (bound, then closed)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/refused"


def bounded(run: Callable[[], T], limit: float = 60.0) -> T:
    """Run `run` in a thread and fail if it has not ended within `limit` seconds."""
    box: list[Any] = []
    thread = threading.Thread(target=lambda: box.append(run()), daemon=True)
    thread.start()
    thread.join(limit)
    assert not thread.is_alive(), f"the check did not end within {limit} s"
    assert box, "the check raised"
    return box[0]  # type: ignore[no-any-return]


def write_guide(path: Path, sections: dict[str, list[tuple[str, str, str]]]) -> Path:
    """A catalogue file: section title -> [(id, url, difficulty)]."""
    from llmdive.guide.catalogue import dump_toml
    from llmdive.model.ids import slugify
    from llmdive.model.models import Guide, Link, Topic
    from llmdive.model.vocab import Difficulty

    guide = Guide(
        "Test guide",
        [
            Topic(
                slugify(title),
                title,
                links=[Link(i, f"Title of {i}", url, Difficulty(d)) for i, url, d in links],
            )
            for title, links in sections.items()
        ],
    )
    path.write_text(dump_toml(guide))
    return path


@contextlib.contextmanager
def trickling_port() -> Iterator[str]:
    """A URL whose server sends its headers a byte at a time, never ending them."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.1)
    stop = threading.Event()

    def trickle(conn: socket.socket) -> None:
        with conn:
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                while not stop.wait(0.05):
                    conn.sendall(b"X")
            except OSError:
                pass  # the client hung up

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            threading.Thread(target=trickle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/slow"
    finally:
        stop.set()
        thread.join(5)
        sock.close()
