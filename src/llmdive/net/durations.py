"""How long each link takes: measured (durations.json), set by the reader, or unknown.

`llmdive check-links --durations` measures pages (net/pagetime.py reads their bodies) and
keeps what it found in durations.json, keyed by the page's identity (model/urls.py's
url_key: a YouTube video is its video id however it is linked, so a duration survives a
guide update that moves the link, and several guides naming one page share it). A
duration the reader sets (`llmdive estimate`) is an event of the record
(record/progress.py's set_estimate), so it travels with sync, merge and export; it wins
over a measured one. Every duration is data from outside: one beyond 0 < d <= a day
(model/timespec.py: MAX_DURATION) is refused where it enters, here and in the record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmdive.errors import LlmdiveError
from llmdive.home.infile import parse_json
from llmdive.home.lock import locked
from llmdive.home.paths import DURATIONS_FILE
from llmdive.home.statefile import read_state, save_state
from llmdive.model.timespec import MAX_DURATION
from llmdive.model.urls import url_key
from llmdive.model.vocab import Status

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Item
    from llmdive.model.models import Progress

HOWS = ("video", "article", "pdf")
SET, MEASURED = "set", "measured"


@dataclass(frozen=True, slots=True)
class Measured:
    """A page's duration as a check measured it: seconds, how (video, article, pdf), when."""

    seconds: int
    how: str
    checked: str

    def to_json(self) -> dict[str, Any]:
        return {"seconds": self.seconds, "how": self.how, "checked": self.checked}


def plausible(seconds: object) -> bool:
    """A duration llmdive believes: a whole number of seconds, 0 < d <= MAX_DURATION."""
    return type(seconds) is int and 0 < seconds <= MAX_DURATION


def durations_file(home: Path) -> Path:
    return home / DURATIONS_FILE


def load_measured(home: Path) -> dict[str, Measured]:
    """What checks measured, by url_key; {} when nothing was measured. A damaged file is an
    error naming it (check-links --durations replaces it)."""
    path = durations_file(home)
    data = read_state(path)
    if data is None:
        return {}
    try:
        return _parse(data, path)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LlmdiveError(
            f"{path}: not an llmdive durations file ({exc}); "
            "`llmdive check-links --durations` replaces it with fresh measures"
        ) from None


def _parse(data: bytes, path: Path) -> dict[str, Measured]:
    try:
        raw = parse_json(data, path)
    except LlmdiveError as exc:
        raise ValueError(str(exc).removeprefix(f"{path}: ")) from None
    if not isinstance(raw, dict) or raw.get("version") != 1 or set(raw) != {"version", "pages"}:
        raise ValueError("not a version 1 durations file")
    pages = raw["pages"]
    if not isinstance(pages, dict):
        raise ValueError("pages must be an object")
    out: dict[str, Measured] = {}
    for key, page in pages.items():
        if not isinstance(page, dict) or set(page) != {"seconds", "how", "checked"}:
            raise ValueError(f"pages.{key[:80]}: not a {{seconds, how, checked}} object")
        if not plausible(page["seconds"]):
            raise ValueError(f"pages.{key[:80]}.seconds: not between 1 and {MAX_DURATION}")
        if page["how"] not in HOWS or not isinstance(page["checked"], str):
            raise ValueError(f"pages.{key[:80]}: how must be one of {', '.join(HOWS)}")
        out[key] = Measured(page["seconds"], page["how"], page["checked"])
    return out


def save_measured(home: Path, found: Iterable[tuple[str, Measured]]) -> dict[str, Measured]:
    """Keep these (url, Measured) beside the earlier ones, under the home lock; all kept."""
    with locked(home):
        try:
            kept = load_measured(home)
        except LlmdiveError:
            kept = {}  # a damaged file of past measures is only replaced by fresh ones
        for url, measured in found:
            if plausible(measured.seconds) and measured.how in HOWS:
                kept[url_key(url)] = measured
        pages = {key: kept[key].to_json() for key in sorted(kept)}
        save_state(durations_file(home), {"version": 1, "pages": pages})
    return kept


class Timing:
    """Each link's duration and where it came from, and what reading it took.

    timing = Timing(progress, measured)
    timing.of(item)      # (2700, "set"), (1500, "measured") or (None, None)
    """

    __slots__ = ("measured", "progress")

    def __init__(self, progress: Progress, measured: Mapping[str, Measured] | None = None):
        self.progress = progress
        self.measured = measured or {}

    def of(self, item: Item) -> tuple[int | None, str | None]:
        seconds = self.progress.value(item.link.id, "estimate")
        if seconds is not None:
            return seconds, SET
        if self.measured:
            found = self.measured.get(url_key(item.link.url))
            if found is not None:
                return found.seconds, MEASURED
        return None, None

    def seconds(self, item: Item) -> int | None:
        return self.of(item)[0]

    def timed(self) -> set[str] | None:
        """The ids of the only links whose duration may be known: those the reader set one
        for (None while measured durations, found by URL, are kept: any link's may be)."""
        if self.measured:
            return None
        value, keys = self.progress.value, self.progress.keys()
        return {k for k in keys if value(k, "estimate") is not None}

    def took(self, item: Item) -> int | None:
        """Seconds from `start` to `mark-read` (record/progress.py's took)."""
        if self.progress.status(item.link.id) is not Status.READ:
            return None
        from llmdive.record.progress import took

        return took(self.progress, item.link.id)
