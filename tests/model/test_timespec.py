"""The one parser of typed times, durations and paces (model/timespec.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmdive.model.timespec import (
    MAX_DURATION,
    format_duration,
    parse_duration,
    parse_pace,
    parse_when,
)

NOW = datetime(2026, 12, 3, 16, 30, tzinfo=timezone(timedelta(hours=2)))  # a Thursday


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("45m", 2700),
        ("1h30m", 5400),
        ("90s", 90),
        ("1.5h", 5400),
        (" 2h 5m ", 7500),
        ("1H", 3600),
        ("10min", 600),
        ("1hr", 3600),
        (".5h", 1800),
    ],
)
def test_durations_people_type(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "45", "m", "-5m", "5x", "1h-5m", "nan", "1e9s", "0m", "25h"])
def test_anything_else_is_refused_in_words(text: str) -> None:
    with pytest.raises(ValueError, match="duration|no time|longer than"):
        parse_duration(text)


@given(st.integers(min_value=1, max_value=MAX_DURATION))
def test_a_duration_written_in_seconds_reads_back(seconds: int) -> None:
    assert parse_duration(f"{seconds}s") == seconds


@given(st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59))
def test_hours_and_minutes_add_up(hours: int, minutes: int) -> None:
    text = f"{hours}h{minutes}m"
    if hours == minutes == 0:
        with pytest.raises(ValueError):
            parse_duration(text)
    else:
        assert parse_duration(text) == hours * 3600 + minutes * 60


@given(st.integers(min_value=60, max_value=MAX_DURATION))
def test_a_printed_duration_reads_back_within_half_a_minute(seconds: int) -> None:
    shown = format_duration(seconds).replace(" ", "")
    assert abs(parse_duration(shown) - seconds) <= 30


def test_paces_are_seconds_a_week() -> None:
    assert parse_pace("5h/week") == 5 * 3600
    assert parse_pace("30m/day") == 7 * 1800
    assert parse_pace("1h/d") == 7 * 3600
    for bad in ("5h", "5h/month", "x/week", "0h/week"):
        with pytest.raises(ValueError, match="is not a pace"):
            parse_pace(bad)


def test_relative_times_are_local_midnights() -> None:
    def day(text: str) -> date:
        when = parse_when(text, NOW)
        assert when.tzinfo == NOW.tzinfo
        assert when.time().hour == when.time().minute == 0
        return when.date()

    assert day("today") == date(2026, 12, 3)
    assert day("yesterday") == date(2026, 12, 2) == day("1 day ago") == day("1d")
    assert day("3 days ago") == date(2026, 11, 30) == day("3d") == day("3  DAYS  ago")
    assert day("2w") == date(2026, 11, 19) == day("2 weeks ago")
    assert day("last monday") == date(2026, 11, 30) == day("monday")
    assert day("last thursday") == date(2026, 11, 26)  # today is a Thursday: the one before
    assert parse_when("2h", NOW) == NOW - timedelta(hours=2)


def test_iso_times_local_unless_they_say_their_zone() -> None:
    assert parse_when("2026-03-01", NOW) == datetime(2026, 3, 1, tzinfo=NOW.tzinfo)
    assert parse_when("2026-03-01T14:30Z", NOW) == datetime(2026, 3, 1, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["someday", "last week", "3 fortnights ago", "", "99999999d"])
def test_other_times_are_refused_in_one_line(text: str) -> None:
    with pytest.raises(ValueError, match="is not a time|too long ago"):
        parse_when(text, NOW)


@given(st.integers(min_value=0, max_value=3000))
def test_n_days_ago_is_n_calendar_days_back(n: int) -> None:
    when = parse_when(f"{n}d", NOW)
    assert (NOW.date() - when.date()).days == n
    assert parse_when(f"{n} days ago", NOW) == when
    assert when <= NOW


@given(
    st.sampled_from(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
)
def test_last_weekday_is_within_the_week_before_today(name: str, today: date) -> None:
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    when = parse_when(f"last {name}", now).date()
    assert 1 <= (today - when).days <= 7
    assert when.strftime("%A").lower() == name
