"""One reader's progress: where it lives, reading and writing it safely, changing it.

progress.json is versioned, written atomically under an exclusive lock, and never
"repaired": a file llmdive cannot read is reported and left exactly as it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from llmdive.errors import LlmdiveError
from llmdive.models import Entry, Event, Progress, Status

if TYPE_CHECKING:
    from llmdive.catalogue import Catalogue, Item

PROGRESS_FILE = "progress.json"
SCHEMA_VERSION = 1
LOCK_TIMEOUT_S = 15.0
T = TypeVar("T")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def progress_file(home: Path) -> Path:
    return home / PROGRESS_FILE


def now() -> datetime:
    # Microseconds keep `history` in the order things happened, even within one second.
    return datetime.now(UTC)


def _untouched(path: Path) -> str:
    return f"fix it, or move it aside to start afresh; llmdive has left {path.name} as it is"


def parse_progress(data: bytes, path: Path) -> Progress:
    """Progress from the bytes of progress.json; anything unexpected is an error, never a guess."""
    from pydantic import ValidationError

    if not data.strip():
        raise LlmdiveError(
            f"{path}: the file is empty, so it holds no progress: {_untouched(path)}"
        )
    try:
        raw = json.loads(data)
    except UnicodeDecodeError:
        raise LlmdiveError(f"{path}: not UTF-8 text: {_untouched(path)}") from None
    except json.JSONDecodeError as exc:
        raise LlmdiveError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}; "
            f"truncated?): {_untouched(path)}"
        ) from None
    version = raw.get("version") if isinstance(raw, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise LlmdiveError(
            f"{path}: written by a newer llmdive (progress format {version}, this one reads "
            f"{SCHEMA_VERSION}): upgrade llmdive (pip install -U llmdive); the file is untouched"
        )
    try:
        return Progress.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        place = ".".join(str(p) for p in first["loc"]) or "top level"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise LlmdiveError(
            f"{path}: not an llmdive progress file: {place}: {first['msg']}{more}: "
            f"{_untouched(path)}"
        ) from None


def load_progress(home: Path) -> Progress:
    """The progress stored in `home`; no file yet means nothing read yet."""
    path = progress_file(home)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Progress()
    except OSError as exc:
        raise LlmdiveError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return parse_progress(data, path)


def dump_progress(progress: Progress) -> str:
    """JSON with sorted keys and one field a line, so that it diffs and merges well in git."""
    links = {
        key: entry.model_dump(mode="json", exclude_defaults=True)
        for key, entry in progress.links.items()
    }
    doc: dict[str, Any] = {"version": SCHEMA_VERSION, "links": links}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def save_progress(home: Path, progress: Progress) -> None:
    from llmdive.storage import atomic_write

    atomic_write(progress_file(home), dump_progress(progress))


@contextmanager
def _locked(home: Path) -> Iterator[None]:
    from filelock import FileLock, Timeout

    try:
        home.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(home / f"{PROGRESS_FILE}.lock"), timeout=LOCK_TIMEOUT_S)
        lock.acquire()
    except Timeout:
        raise LlmdiveError(
            f"{progress_file(home)} is locked by another llmdive for over {LOCK_TIMEOUT_S:.0f}s; "
            "try again"
        ) from None
    except OSError as exc:
        raise LlmdiveError(f"cannot write in {home}: {exc.strerror or exc}") from exc
    try:
        yield
    finally:
        lock.release()


def update_progress(home: Path, change: Callable[[Progress], T]) -> T:
    """Read-modify-write under the lock; the file is written only if `change` changed it."""
    with _locked(home):
        progress = load_progress(home)
        before = dump_progress(progress)
        result = change(progress)
        if dump_progress(progress) != before:
            save_progress(home, progress)
    return result


# ---------------------------------------------------------------- status changes


@dataclass(frozen=True)
class Change:
    id: str
    title: str
    before: Status
    after: Status

    @property
    def changed(self) -> bool:
        return self.before is not self.after


def set_status(
    progress: Progress,
    catalogue: Catalogue,
    items: Iterable[Item],
    status: Status,
    when: datetime | None = None,
) -> list[Change]:
    """Give each link `status`; a link already there is reported unchanged, not an error."""
    when = when or now()
    states = reading_states(catalogue, progress)
    changes = []
    for item in items:
        link = item.link
        before = states.get(link.id, Status.UNREAD)
        changes.append(Change(link.id, link.title, before, status))
        if before is status:
            continue
        entry = progress.links.setdefault(link.id, Entry())
        entry.status, entry.changed = status, when
        entry.title, entry.url = link.title, link.url
        entry.events.append(Event(at=when, status=status))
    return changes


def set_note(progress: Progress, item: Item, text: str, when: datetime | None = None) -> None:
    entry = progress.links.setdefault(item.link.id, Entry())
    entry.note = text or None
    entry.noted = (when or now()) if text else None
    entry.title, entry.url = item.link.title, item.link.url


def reading_states(catalogue: Catalogue, progress: Progress) -> dict[str, Status]:
    """Each catalogue link's status; links sharing a URL share the most recent one."""
    links = progress.links
    states = {key: links[key].status for key in catalogue.by_id.keys() & links.keys()}
    for ids in catalogue.shared_urls:
        entries = [links[i] for i in ids if i in links]
        if entries:
            latest = max(entries, key=lambda e: e.changed or _EPOCH)
            for i in ids:
                states[i] = latest.status
    return states


def orphans(catalogue: Catalogue, progress: Progress) -> dict[str, Entry]:
    """Entries for ids that are no longer in the catalogue: kept, and reported."""
    return {k: e for k, e in progress.links.items() if k not in catalogue.by_id}


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    id: str
    title: str
    status: Status


def history(progress: Progress) -> list[HistoryRow]:
    """Every status change, newest first."""
    rows = [
        HistoryRow(ev.at, key, entry.title or key, ev.status)
        for key, entry in progress.links.items()
        for ev in entry.events
    ]
    rows.sort(key=lambda r: r.at, reverse=True)
    return rows
