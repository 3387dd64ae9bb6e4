"""What the last link check found, kept in the llmdive home, and shown as marks.

`llmdive check-links` (linkcheck.py) writes linkcheck.json here; `list`, `show` and `next`
read it to mark dead and redirected links, and `show` offers a dead link's Web Archive
capture from when llmdive first saw the link.

`next` passes a dead link over only on evidence that it is gone: a 404 or 410, or a host
that did not resolve on two checks on different (UTC) days, each in a run that reached
other hosts (a run that reaches none records nothing: the machine looks offline). A result
older than STALE_AFTER hides nothing: it is shown as stale until checked again.

This is the part the browsing commands load: no HTTP, no threads, and linkcheck.json is
only read when it exists.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from llmdive.errors import LlmdiveError
from llmdive.home import cache
from llmdive.home.infile import parse_json, refuse_special
from llmdive.home.lock import locked
from llmdive.home.paths import CHECKS_FILE, META_FILE
from llmdive.home.statefile import read_state, save_state
from llmdive.home.storage import read_bytes
from llmdive.record.personal import load_personal

STALE_AFTER = timedelta(days=7)
# The bundled catalogue (data/guide.toml) is a snapshot of the guide's README imported on
# this day: every bundled link was in the guide, as curated, by then. It is the date a
# bundled link's Web Archive snapshot is asked for (the archive answers with the capture
# nearest to it). Links that guide updates or `add` bring in carry their own dates.
BUNDLED_SINCE = date(2026, 11, 27)
ARCHIVE = "https://web.archive.org/web/{day:%Y%m%d}/{url}"


class Verdict(StrEnum):
    OK = "ok"
    REDIRECTED = "redirected"
    DEAD = "dead"
    UNKNOWN = "unknown"


@dataclass
class Outcome:
    """The result of checking one link."""

    id: str
    url: str
    result: Verdict
    status_code: int | None = None
    final_url: str | None = None
    permanent: bool = False  # the first hop was a permanent redirect
    detail: str = ""
    checked: str = ""  # UTC ISO 8601 with a Z
    redirects: list[dict[str, Any]] = field(default_factory=list)  # [{"status", "url"}] per hop
    attempts: int = 1
    # A host that does not resolve: the first check of this URL that found it so, in the
    # unbroken run of such checks up to this one (save_results keeps it); else None.
    unresolved_since: str | None = None
    # check-links --durations: (seconds, how) measured from the page's body; not kept here.
    measured: tuple[int, str] | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "result": self.result.value,
            "status_code": self.status_code,
            "final_url": self.final_url,
            "permanent": self.permanent,
            "redirects": self.redirects,
            "detail": self.detail,
            "attempts": self.attempts,
            "checked": self.checked,
            "unresolved_since": self.unresolved_since,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Outcome:
        """An Outcome from its stored form; ValueError naming the first key that is wrong."""

        def get(key: str, kinds: tuple[type, ...], default: Any = ...) -> Any:
            value = d.get(key, default)
            wrong = value is ... or not isinstance(value, kinds)
            if wrong or (isinstance(value, bool) and bool not in kinds):  # True is an int too
                raise ValueError(f"{key!r} is missing or of the wrong type")
            return value

        redirects = get("redirects", (list,), [])
        for hop in redirects:
            if not (
                isinstance(hop, dict)
                and isinstance(hop.get("status"), int)
                and isinstance(hop.get("url"), str)
            ):
                raise ValueError("'redirects' holds something other than {status, url}")
        out = cls(
            get("id", (str,)),
            get("url", (str,)),
            Verdict(get("result", (str,))),
            get("status_code", (int, type(None)), None),
            get("final_url", (str, type(None)), None),
            get("permanent", (bool,), False),
            get("detail", (str,), ""),
            get("checked", (str,)),
            redirects,
            get("attempts", (int,), 1),
            get("unresolved_since", (str, type(None)), None),
        )
        if out.checked_at.tzinfo is None:
            raise ValueError("'checked' has no time zone")
        since = out.unresolved_since
        if since is not None and datetime.fromisoformat(since).tzinfo is None:
            raise ValueError("'unresolved_since' has no time zone")
        if out.result is Verdict.REDIRECTED and not out.redirects:
            raise ValueError("a redirected link with no redirect")
        return out

    @property
    def checked_at(self) -> datetime:
        return datetime.fromisoformat(self.checked)

    def is_stale(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) - self.checked_at > STALE_AFTER

    @property
    def gone(self) -> bool:
        """Is there evidence that the link is gone (not just that this check failed)?"""
        return _gone(self.result.value, self.status_code, self.unresolved_since, self.checked)


def _gone(result: str, status_code: int | None, since: str | None, checked: str) -> bool:
    """Dead by an HTTP answer (404/410), or a host unresolved on two different UTC days."""
    if result != Verdict.DEAD:
        return False
    if status_code is not None:
        return True
    if since is None:
        return False
    day = datetime.fromisoformat(checked).astimezone(UTC).date()
    return datetime.fromisoformat(since).astimezone(UTC).date() < day


# ---------------------------------------------------------------- kept results


def checks_file(home: Path) -> Path:
    return home / CHECKS_FILE


def _read(home: Path) -> tuple[Path, bytes, str] | None:
    """linkcheck.json's path, bytes and cache key; None when links were never checked."""

    path = checks_file(home)
    data = read_state(path)
    return None if data is None else (path, data, cache.digest(data))


def _entries(home: Path) -> dict[str, dict[str, Any]]:
    """The stored entries by id, validated; from the cache when the file's bytes match."""

    read = _read(home)
    if read is None:
        return {}
    path, data, key = read
    record = cache.read("linkcheck", path, key, home=home)
    if record is not None and isinstance(record.get("links"), dict):
        return record["links"]  # type: ignore[no-any-return]

    try:
        try:
            raw = parse_json(data, path)
        except LlmdiveError as exc:
            raise ValueError(str(exc).removeprefix(f"{path}: ")) from None
        if not isinstance(raw, dict) or raw.get("version") != 1:
            raise ValueError("not a version 1 link-check file")
        links = raw["links"]
        if not isinstance(links, dict):
            raise ValueError("links must be an object")
        for link_id, entry in links.items():
            if not isinstance(entry, dict):
                raise ValueError(f"links.{link_id} is not an object")
            try:
                Outcome.from_json({**entry, "id": link_id})
            except ValueError as exc:
                raise ValueError(f"links.{link_id}: {exc}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LlmdiveError(
            f"{path}: not an llmdive link-check file ({exc}); `llmdive check-links` "
            "replaces it with fresh results"
        ) from None
    cache.write("linkcheck", path, key, {"links": links}, home=home)
    return links


_VERDICT = {v.value: v for v in Verdict}


def _outcome(link_id: str, d: dict[str, Any]) -> Outcome:
    """An Outcome from a validated entry (no checks: 10,000 are built for `list --json`)."""
    return Outcome(
        link_id,
        d["url"],
        _VERDICT[d["result"]],
        d.get("status_code"),
        d.get("final_url"),
        d.get("permanent", False),
        d.get("detail", ""),
        d["checked"],
        d.get("redirects", []),
        d.get("attempts", 1),
        d.get("unresolved_since"),
    )


def read_results(home: Path) -> dict[str, Outcome]:
    """The last check of each link, by id; nothing when links were never checked."""
    return {link_id: _outcome(link_id, d) for link_id, d in _entries(home).items()}


def save_results(home: Path, outcomes: Iterable[Outcome]) -> list[Outcome]:
    """Keep these results beside the earlier ones (under the home lock, atomically).

    Returns them as kept: a host that does not resolve carries since when it has not.
    """
    from dataclasses import replace

    with locked(home):
        try:
            kept = read_results(home)
        except LlmdiveError:
            kept = {}  # a damaged file of past checks is only replaced by fresh ones
        saved = []
        for o in outcomes:
            since = None
            if o.result is Verdict.DEAD and o.status_code is None:
                before = kept.get(o.id)
                same = before is not None and before.url == o.url
                since = (before.unresolved_since if same and before else None) or o.checked
            saved.append(replace(o, unresolved_since=since))
        kept.update((o.id, o) for o in saved)
        _write(home, kept)
    return saved


def _write(home: Path, kept: dict[str, Outcome]) -> None:

    links = {}
    for key in sorted(kept):
        entry = kept[key].to_json()
        del entry["id"]
        if entry["unresolved_since"] is None:
            del entry["unresolved_since"]
        links[key] = entry
    save_state(checks_file(home), {"version": 1, "links": links})


def forget_results(home: Path, ids: Collection[str] | None = None) -> int:
    """Forget the kept checks of these ids (of every link without ids); how many were kept.

    A damaged file of past checks is replaced by an empty one when every check is forgotten.
    """

    if _read(home) is None:
        return 0  # never checked: nothing to forget, and no home made for it
    with locked(home):
        try:
            kept = read_results(home)
        except LlmdiveError:
            if ids is not None:
                raise
            kept = {}
        gone = [i for i in kept if ids is None or i in ids]
        if gone or ids is None:
            _write(home, {i: o for i, o in kept.items() if i not in set(gone)})
    return len(gone)


def clear_damaged(home: Path) -> bool:
    """Remove a linkcheck.json that cannot be read (damaged, too deep, a FIFO, a device or
    a link to one; never a folder), as forgetting every check does; whether there was one."""
    path = checks_file(home)
    if not os.path.lexists(path):
        return False
    with locked(home):
        try:
            read_results(home)
            return False
        except LlmdiveError:
            if os.path.isdir(path) and not os.path.islink(path):
                raise
            os.unlink(path)  # the link itself, never what it points at
    return True


# ---------------------------------------------------------------- the Web Archive


def first_seen(
    link_id: str,
    personal_added: str | None,
    updates: Sequence[dict[str, Any]],
) -> date:
    """When llmdive first saw a link: added as a personal link, by a guide update, or bundled."""
    if personal_added:
        return datetime.fromisoformat(personal_added).astimezone(UTC).date()
    dates = [u["at"] for u in updates if link_id in u.get("added", ())]
    if dates:
        return datetime.fromisoformat(min(dates)).astimezone(UTC).date()
    return BUNDLED_SINCE


def archive_url(url: str, seen: date) -> str:
    """The Web Archive's capture of `url` nearest to `seen` (no request is made)."""
    return ARCHIVE.format(day=seen, url=url)


def _first_seen_records(home: Path) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """When each personal link was added, and each guide update's date and added ids.

    guide-meta.json is read leniently here, without its schema: a date for an archive
    link is a hint, and `guide status` is where a damaged record is reported.
    """

    added = {p.link.id: p.added for p in load_personal(home)}
    updates: list[dict[str, Any]] = []
    try:
        raw = parse_json(read_bytes(home / META_FILE), home / META_FILE)
        for update in raw.get("updates", []):
            at, ids = update.get("at"), update.get("added", [])
            if isinstance(at, str) and isinstance(ids, list):
                datetime.fromisoformat(at)
                updates.append({"at": at, "added": [i for i in ids if isinstance(i, str)]})
    except (OSError, ValueError, AttributeError, TypeError, LlmdiveError):
        pass
    return added, updates


class Marks:
    """What the browsing commands show of the kept checks: the result of each link checked
    at its current URL, a Web Archive link for each dead one, and a problem to warn about.

    Built from the summary of the checks (url, result, time and evidence of each); a link's
    full result is read only when asked for: `next` at 10,000 links needs a few.
    """

    def __init__(
        self,
        summary: dict[str, tuple[str, str, str, bool]] | None = None,
        problem: str = "",
        home: Path | None = None,
        now: datetime | None = None,
    ) -> None:
        self._summary = summary or {}
        self._home = home
        self._full: dict[str, dict[str, Any]] | None = None
        self._built: dict[str, Outcome] = {}
        self._cutoff = (now or datetime.now(UTC)) - STALE_AFTER
        self._seen: tuple[dict[str, str], list[dict[str, Any]]] | None = None
        self.problem = problem

    def get(self, link_id: str) -> Outcome | None:
        """The kept result of a link, or None when it was never checked at its URL."""
        outcome = self._built.get(link_id)
        if outcome is not None or link_id not in self._summary:
            return outcome
        if self._full is None:
            try:
                self._full = _entries(self._home) if self._home is not None else {}
            except LlmdiveError:
                self._full = {}  # changed since the summary was read: no details to give
        entry = self._full.get(link_id)
        # The file may have been rewritten meanwhile: only the check of the URL marked counts.
        if entry is None or entry.get("url") != self._summary[link_id][0]:
            return None
        outcome = self._built[link_id] = _outcome(link_id, entry)
        return outcome

    def result(self, link_id: str) -> str | None:
        """ "ok", "redirected", "dead" or "unknown" (None if never checked), cheaply."""
        kept = self._summary.get(link_id)
        return kept[1] if kept is not None else None

    def stale(self, link_id: str) -> bool:
        """Was the link last checked more than a week ago?"""
        kept = self._summary.get(link_id)
        return kept is not None and datetime.fromisoformat(kept[2]) < self._cutoff

    @property
    def dead(self) -> set[str]:
        return {i for i, kept in self._summary.items() if kept[1] == "dead"}

    @property
    def gone(self) -> set[str]:
        """The dead links `next` passes over: gone on evidence, by a check not yet stale."""
        cutoff = self._cutoff
        return {
            i
            for i, kept in self._summary.items()
            if kept[3] and datetime.fromisoformat(kept[2]) >= cutoff
        }

    def archive(self, link_id: str) -> str | None:
        """A dead link's Web Archive capture from when llmdive first saw it; else None."""
        kept = self._summary.get(link_id)
        if kept is None or kept[1] != "dead" or self._home is None:
            return None
        if self._seen is None:  # read only when a dead link is shown
            self._seen = _first_seen_records(self._home)
        added, updates = self._seen
        return archive_url(kept[0], first_seen(link_id, added.get(link_id), updates))


def _summary(home: Path) -> dict[str, tuple[str, str, str, bool]]:
    """Each checked id's (url, result, checked, gone): all that marks need, cached on its own.

    Kept as three parallel lists: at 10,000 links they load in a quarter of the time of
    the full results (which `show` and `list --json` read when they need them).
    """

    read = _read(home)
    if read is None:
        return {}
    path, _, key = read
    record = cache.read("linkcheck-marks", path, key, home=home)
    if record is not None:
        try:
            columns = zip(
                record["urls"], record["results"], record["checked"], record["gone"], strict=True
            )
            return dict(zip(record["ids"], columns, strict=True))
        except (KeyError, TypeError, ValueError):
            pass  # a damaged cache entry: rebuilt below
    entries = _entries(home)
    ids = list(entries)
    record = {
        "ids": ids,
        "urls": [entries[i]["url"] for i in ids],
        "results": [entries[i]["result"] for i in ids],
        "checked": [entries[i]["checked"] for i in ids],
        "gone": [
            _gone(e["result"], e.get("status_code"), e.get("unresolved_since"), e["checked"])
            for e in map(entries.__getitem__, ids)
        ],
    }
    cache.write("linkcheck-marks", path, key, record, home=home)
    columns = zip(record["urls"], record["results"], record["checked"], record["gone"], strict=True)
    return dict(zip(ids, columns, strict=True))


def marks(home: Path, links: Iterable[tuple[str, str]], now: datetime | None = None) -> Marks:
    """The Marks of these (id, url) pairs; a damaged results file is a problem, not an error.

    Reads only the summary of linkcheck.json (through the cache); the dates behind a dead
    link's archive capture are read when one is shown.
    """
    try:
        kept = _summary(home)
    except LlmdiveError as exc:
        return Marks(problem=str(exc))
    if not kept:
        return Marks()
    summary = {i: kept[i] for i, url in links if i in kept and kept[i][0] == url}
    return Marks(summary, home=home, now=now)


def health_facts(home: Path) -> list[tuple[str, str]]:
    """linkcheck.json, when it is there: a damaged one is said with how to clear it."""
    path = checks_file(home)
    try:
        refuse_special(path)
    except LlmdiveError:
        return []  # said by record.doctor
    try:
        n = len(read_results(home))
    except LlmdiveError as exc:
        return [("error", f"{exc} (or `llmdive check-links --forget` clears it)")]
    if not n and not os.path.lexists(path):
        return []
    return [("ok", f"{path.name}: the checks of {n} link{'s' if n != 1 else ''} kept")]
