"""Reading a README from a file or over http(s): bounded in size and in total time.

A download has one deadline for everything (connecting, the headers, the body): a
server that sends a byte a second is cut off, not waited for. A URL is shown and
stored without its credentials or query values that look like tokens.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from llmdive.errors import LlmdiveError
from llmdive.home.infile import read_limited
from llmdive.model.urls import check_fetch_source, has_scheme, redact_url

if TYPE_CHECKING:
    import urllib.request

DEADLINE_S = 30.0
MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5


@dataclass
class Fetched:
    """A download: the text (None when the server says it has not changed) and validators."""

    text: str | None
    etag: str | None = None
    last_modified: str | None = None


def read_text(source: str, deadline: float = DEADLINE_S) -> str:
    """The text of a README: a local file, or an http(s) URL."""
    if has_scheme(source):
        text = fetch(source, deadline).text
        assert text is not None  # no validators were sent
        return text

    try:
        data = read_limited(Path(source).expanduser(), MAX_BYTES, source)
    except OSError as exc:
        raise LlmdiveError(f"cannot read {source}: {exc.strerror or exc}") from None
    return _decode(data, source)


def _decode(data: bytes, shown: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LlmdiveError(f"{shown}: not UTF-8 text (byte {exc.start})") from None


def fetch(
    url: str,
    deadline: float = DEADLINE_S,
    etag: str | None = None,
    last_modified: str | None = None,
    limit: int = MAX_BYTES,
) -> Fetched:
    """GET `url` within `deadline` seconds in all; with an ETag or a date, conditionally."""
    check_fetch_source(url)
    shown = redact_url(url)
    outcome: list[Fetched | BaseException] = []

    def work() -> None:
        try:
            outcome.append(
                _get(url, shown, time.monotonic() + deadline, etag, last_modified, limit)
            )
        except BaseException as exc:  # handed to the caller's thread
            outcome.append(exc)

    # The deadline is enforced from outside: a socket timeout alone restarts with each byte.
    worker = threading.Thread(target=work, daemon=True, name="llmdive-fetch")
    worker.start()
    worker.join(deadline)
    result = outcome[0] if outcome else TimeoutError()
    if isinstance(result, TimeoutError):  # the deadline, or a socket's timeout just before it
        raise LlmdiveError(
            f"cannot fetch {shown}: timed out (no whole answer within {deadline:g}s; "
            "--timeout SECONDS waits longer)"
        )
    if isinstance(result, BaseException):
        raise result
    return result


def _opener() -> urllib.request.OpenerDirector:
    import urllib.request

    class Redirects(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS

        def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
            if not newurl.lower().startswith(("http://", "https://")):
                raise LlmdiveError(f"redirected to {redact_url(newurl)}: not an http(s) URL")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return urllib.request.build_opener(Redirects)


def _credentials_to_header(url: str, headers: dict[str, str]) -> str:
    """user:password@ in a URL becomes HTTP Basic authentication, and leaves the URL."""
    from urllib.parse import unquote, urlsplit, urlunsplit

    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    import base64

    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode()
    headers["Authorization"] = f"Basic {token}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _get(
    url: str,
    shown: str,
    until: float,
    etag: str | None,
    last_modified: str | None,
    limit: int,
) -> Fetched:
    import http.client
    import urllib.error
    import urllib.request
    from urllib.parse import urlsplit

    headers = {"User-Agent": "llmdive", "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    url = _credentials_to_header(url, headers)
    request = urllib.request.Request(url, headers=headers)
    try:
        _resolvable(urlsplit(url).hostname)
        with _opener().open(request, timeout=max(until - time.monotonic(), 0.001)) as response:
            validators = (response.headers.get("ETag"), response.headers.get("Last-Modified"))
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise LlmdiveError(f"{shown}: larger than {limit // 2**20} MiB; not read")
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > until:
                    raise TimeoutError
                chunk = response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise LlmdiveError(f"{shown}: larger than {limit // 2**20} MiB; not read")
                chunks.append(chunk)
            if length and length.isdigit() and size < int(length):
                # urllib returns a body cut short as if it were whole: a README half read
                # would be taken for the guide with half its links gone.
                raise http.client.IncompleteRead(b"".join(chunks), int(length) - size)
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(
                None,
                exc.headers.get("ETag") or etag,
                exc.headers.get("Last-Modified") or last_modified,
            )
        raise LlmdiveError(f"cannot fetch {shown}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        if isinstance(getattr(exc, "reason", exc), TimeoutError):
            raise TimeoutError from None  # said with the deadline by `fetch`
        raise LlmdiveError(_unreachable(shown, exc)) from None
    return Fetched(_decode(b"".join(chunks), shown), *validators)


def _unreachable(shown: str, exc: BaseException) -> str:
    """A failed download in words: what went wrong with which host, and what to do."""
    import http.client
    import socket
    import ssl
    from urllib.parse import urlsplit

    reason = getattr(exc, "reason", None)
    cause = reason if isinstance(reason, BaseException) else exc
    try:
        host = urlsplit(shown).netloc or shown
    except ValueError:
        host = shown
    why: str | None = None
    if isinstance(cause, socket.gaierror):
        lost = cause.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None))
        why = "name not resolved" if lost else "name lookup failed"
    elif isinstance(cause, ConnectionRefusedError):
        why = "connection refused"
    elif isinstance(cause, (ConnectionResetError, BrokenPipeError)):
        why = "the server closed the connection"
    elif isinstance(cause, http.client.IncompleteRead):
        why = "the server closed the connection before the end of the README"
    elif isinstance(cause, ssl.SSLCertVerificationError):
        why = f"its certificate is not trusted: {cause.verify_message}"
    elif isinstance(cause, ssl.SSLError):
        why = "the secure connection failed"
    elif isinstance(cause, http.client.HTTPException):
        why = "the server's answer is not HTTP"
    elif isinstance(cause, OSError) and cause.strerror:
        why = cause.strerror.lower()
    if why is None:  # not the network: a URL urllib cannot use
        return f"cannot fetch {shown}: {reason or exc}"
    return f"cannot reach {host} ({why}): check your connection{FROM_HINT}"


FROM_HINT = ", or use --from FILE"  # `guide update` of the default guide; guide add has none


def _resolvable(host: str | None) -> None:
    """Names under .invalid never resolve (RFC 6761, 6.4): said at once, without asking DNS."""
    import socket

    name = (host or "").rstrip(".").lower()
    if name == "invalid" or name.endswith(".invalid"):
        raise socket.gaierror(socket.EAI_NONAME, "names under .invalid never resolve")
