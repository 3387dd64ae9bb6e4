"""Times and durations that people type, and durations as llmdive writes them.

One parser of each, used by every option that takes one: `parse_when` (--since: ISO
dates and times, `yesterday`, `3 days ago`, `3d`, `2w`, `last monday`, in the local zone),
`parse_duration` (`45m`, `1h30m`, `90s`, `1.5h`), `parse_pace` (`5h/week`, `1h/day`).
Each raises ValueError with one line saying what it accepts.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

# A link's duration is data from outside (a page, a merged record): anything beyond this
# is not a reading or a video's length, and is refused.
MAX_DURATION = 24 * 3600
MAX_BUDGET = 7 * 24 * 3600

_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600}
# Patterns, not compiled ones: start-up compiles nothing (re caches them at first use).
_PART = r"(\d+(?:\.\d+)?|\.\d+)\s*(hr|h|min|m|sec|s)"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_AGO = r"(\d{1,5})\s*(d|day|days|w|week|weeks|h|hour|hours)(\s+ago)?"

DURATION_HELP = "write it like 45m, 1h30m, 90s or 1.5h"
WHEN_HELP = (
    "use a date (2026-03-01, local time), 'today', 'yesterday', '3 days ago', '3d', '2w' "
    "or 'last monday'"
)


def parse_duration(text: str, limit: int = MAX_DURATION) -> int:
    """Seconds in a typed duration, 0 < seconds <= `limit`: '45m', '1h30m', '90s', '1.5h'."""
    value = text.strip().lower().replace(" ", "")
    if not value or len(value) > 40:
        raise ValueError(f"{text[:40]!r} is not a duration: {DURATION_HELP}")
    total = 0.0
    at = 0
    for found in re.finditer(_PART, value, re.ASCII):
        if found.start() != at:
            break
        total += float(found.group(1)) * _UNITS[found.group(2)]
        at = found.end()
    if at != len(value) or at == 0:
        raise ValueError(f"{text[:40]!r} is not a duration: {DURATION_HELP}")
    seconds = round(total)
    if seconds <= 0:
        raise ValueError(f"{text[:40]!r} is no time at all: {DURATION_HELP}")
    if seconds > limit:
        raise ValueError(f"{text[:40]!r} is longer than {format_duration(limit)}")
    return seconds


def format_duration(seconds: float) -> str:
    """A duration as llmdive prints it: '45s', '12m', '1h', '1h 30m' (minutes rounded)."""
    if seconds < 60:
        return f"{max(0, round(seconds))}s"
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes}m"
    return f"{hours}h {minutes}m" if minutes else f"{hours}h"


def parse_pace(text: str) -> float:
    """Seconds of reading per week in a typed pace: '5h/week', '5h/w', '1h/day', '30m/d'."""
    amount, slash, per = text.strip().lower().partition("/")
    days = {"week": 7, "w": 7, "wk": 7, "day": 1, "d": 1}.get(per.strip())
    if not slash or days is None:
        raise ValueError(f"{text[:40]!r} is not a pace: write it like 5h/week or 30m/day")
    try:
        seconds = parse_duration(amount, MAX_BUDGET if days == 7 else MAX_DURATION)
    except ValueError as exc:
        raise ValueError(f"{text[:40]!r} is not a pace: {exc}") from None
    return seconds * 7 / days


def midnight(day: date, now: datetime) -> datetime:
    """The start of `day` in the zone of `now`."""
    return datetime.combine(day, time(), tzinfo=now.tzinfo)


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """The instant a typed time names, in the local zone (`now`: when it is typed).

    ISO dates are their midnight and ISO times are local unless they say their zone;
    'today', 'yesterday', 'N days ago' / 'Nd', 'N weeks ago' / 'Nw' are midnights that
    many days back; 'N hours ago' / 'Nh' that many hours back; 'last monday' (or
    'monday') the midnight of the latest Monday before today.
    """
    local = now is None
    now = now if now is not None else datetime.now().astimezone()
    value = " ".join(text.strip().lower().split())
    today = now.date()
    if value in ("today", "now"):
        return midnight(today, now) if value == "today" else now
    if value == "yesterday":
        return midnight(today - timedelta(days=1), now)
    day = value.removeprefix("last ")
    if day in _WEEKDAYS:
        back = (today.weekday() - _WEEKDAYS.index(day) - 1) % 7 + 1
        return midnight(today - timedelta(days=back), now)
    found = re.fullmatch(_AGO, value, re.ASCII)
    if found:
        count, unit = int(found.group(1)), found.group(2)[0]
        if unit == "h":
            return now - timedelta(hours=count)
        try:
            return midnight(today - timedelta(days=count * (7 if unit == "w" else 1)), now)
        except OverflowError:
            raise ValueError(f"{text[:40]!r} is too long ago") from None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a time: {WHEN_HELP}") from None
    if when.tzinfo:
        return when
    return when.astimezone() if local else when.replace(tzinfo=now.tzinfo)
