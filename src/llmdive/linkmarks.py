"""What the last link check found, kept in the llmdive home, and shown as marks.

`llmdive check-links` (linkcheck.py) writes linkcheck.json here; `list`, `show` and `next`
read it to mark dead and redirected links, `next` passes dead links over, and `show`
offers a dead link's Web Archive capture from when llmdive first saw the link.

This is the part the browsing commands load: no HTTP, no threads, and linkcheck.json is
only read when it exists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from llmdive.errors import LlmdiveError

CHECKS_FILE = "linkcheck.json"
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
            if not (isinstance(hop, dict) and isinstance(hop.get("status"), int)
                    and isinstance(hop.get("url"), str)):  # fmt: skip
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
        )
        if out.checked_at.tzinfo is None:
            raise ValueError("'checked' has no time zone")
        if out.result is Verdict.REDIRECTED and not out.redirects:
            raise ValueError("a redirected link with no redirect")
        return out

    @property
    def checked_at(self) -> datetime:
        return datetime.fromisoformat(self.checked)

    def is_stale(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) - self.checked_at > STALE_AFTER


# ---------------------------------------------------------------- kept results


def checks_file(home: Path) -> Path:
    return home / CHECKS_FILE


def read_results(home: Path) -> dict[str, Outcome]:
    """The last check of each link, by id; nothing when links were never checked."""
    from llmdive.storage import read_bytes

    path = checks_file(home)
    try:
        data = read_bytes(path)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise LlmdiveError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        raw = json.loads(data)
        if not isinstance(raw, dict) or raw.get("version") != 1:
            raise ValueError("not a version 1 link-check file")
        links = raw["links"]
        if not isinstance(links, dict):
            raise ValueError("links must be an object")
        out = {}
        for key, entry in links.items():
            if not isinstance(entry, dict):
                raise ValueError(f"links.{key} is not an object")
            try:
                out[key] = Outcome.from_json({**entry, "id": key})
            except ValueError as exc:
                raise ValueError(f"links.{key}: {exc}") from None
        return out
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LlmdiveError(
            f"{path}: not an llmdive link-check file ({exc}); `llmdive check-links` "
            "replaces it with fresh results"
        ) from None


def save_results(home: Path, outcomes: Iterable[Outcome]) -> None:
    """Keep these results beside the earlier ones (under the home lock, atomically)."""
    from llmdive.progress import locked
    from llmdive.storage import atomic_write

    with locked(home):
        try:
            kept = read_results(home)
        except LlmdiveError:
            kept = {}  # a damaged file of past checks is only replaced by fresh ones
        kept.update((o.id, o) for o in outcomes)
        links = {}
        for key in sorted(kept):
            entry = kept[key].to_json()
            del entry["id"]
            links[key] = entry
        text = json.dumps({"version": 1, "links": links}, indent=2, ensure_ascii=False)
        atomic_write(checks_file(home), text + "\n")


def results_for(home: Path, links: Iterable[tuple[str, str]]) -> tuple[dict[str, Outcome], str]:
    """The kept result of each (id, url) that was checked at that URL, and a problem if any.

    For the browsing commands: a damaged results file is a warning, never a failure.
    """
    try:
        kept = read_results(home)
    except LlmdiveError as exc:
        return {}, str(exc)
    if not kept:
        return {}, ""
    return {i: kept[i] for i, url in links if i in kept and kept[i].url == url}, ""


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
    from llmdive.personal import load_personal
    from llmdive.storage import read_bytes
    from llmdive.update import META_FILE

    added = {p.link.id: p.added for p in load_personal(home)}
    updates: list[dict[str, Any]] = []
    try:
        raw = json.loads(read_bytes(home / META_FILE))
        for update in raw.get("updates", []):
            at, ids = update.get("at"), update.get("added", [])
            if isinstance(at, str) and isinstance(ids, list):
                datetime.fromisoformat(at)
                updates.append({"at": at, "added": [i for i in ids if isinstance(i, str)]})
    except (OSError, ValueError, AttributeError, TypeError):
        pass
    return added, updates


@dataclass
class Marks:
    """What the browsing commands show of the kept checks: a result per link checked at
    its current URL, a Web Archive link for each dead one, and a problem to warn about."""

    results: dict[str, Outcome] = field(default_factory=dict)
    archives: dict[str, str] = field(default_factory=dict)
    problem: str = ""

    @property
    def dead(self) -> set[str]:
        return {i for i, o in self.results.items() if o.result is Verdict.DEAD}


def marks(home: Path, links: Iterable[tuple[str, str]]) -> Marks:
    """The Marks of these (id, url) pairs; reads only linkcheck.json unless a link is dead."""
    results, problem = results_for(home, links)
    out = Marks(results, {}, problem)
    dead = [o for o in results.values() if o.result is Verdict.DEAD]
    if dead:
        added, updates = _first_seen_records(home)
        for o in dead:
            out.archives[o.id] = archive_url(o.url, first_seen(o.id, added.get(o.id), updates))
    return out
