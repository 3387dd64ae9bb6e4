"""The pace arithmetic (find/pace.py) and next --budget's plan (find/planner.py), as
properties over the bundled guide with random durations and statuses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from llmdive.find import pace
from llmdive.find.planner import fit_budget, queue
from llmdive.guide.catalogue import Item, load_catalogue
from llmdive.home.paths import bundled_guide
from llmdive.model.models import Entry, Event, Progress
from llmdive.model.vocab import Status

CAT = load_catalogue(bundled_guide())
IDS = [i.link.id for i in CAT.items]
durations = st.dictionaries(st.sampled_from(IDS), st.integers(min_value=1, max_value=86400))
statuses = st.dictionaries(st.sampled_from(IDS), st.sampled_from(list(Status)))


def seconds_of(known: dict[str, int]) -> pace.Seconds:
    return lambda item: known.get(item.link.id)


@settings(max_examples=200)
@given(durations, statuses, st.integers(min_value=1, max_value=7 * 86400))
def test_a_budget_plan_fits_and_keeps_the_paths_order(
    known: dict[str, int], states: dict[str, Status], budget: int
) -> None:
    path = queue(CAT, states)
    plan = fit_budget(path, seconds_of(known), budget)
    assert plan.planned == sum(known[i.link.id] for i in plan.links) <= budget
    where = {id(i): n for n, i in enumerate(path)}
    assert [where[id(i)] for i in plan.links] == sorted(where[id(i)] for i in plan.links)
    assert all(i.link.id not in known for i in plan.unknown)  # named, never counted
    assert all(known[i.link.id] > budget - plan.planned for i in plan.too_long)
    # It stays in one top-level section: later ones build on it.
    assert len({id(i.path[0]) for i in plan.links}) <= 1


@given(statuses)
def test_the_queue_is_every_link_left_once_transformers_before_gpt(
    states: dict[str, Status],
) -> None:
    path = queue(CAT, states)
    left = [i.link.id for i in CAT.items if states.get(i.link.id, Status.UNREAD)
            in (Status.UNREAD, Status.READING)]  # fmt: skip
    assert sorted(i.link.id for i in path) == sorted(left)
    reading = [i for i in path if states.get(i.link.id) is Status.READING]
    assert path[: len(reading)] == reading
    topics = [i.path[-1].title for i in path[len(reading) :]]
    if "Transformer Architecture" in topics and "GPT Architecture" in topics:
        assert topics.index("Transformer Architecture") < topics.index("GPT Architecture")


def test_the_bundled_path_starts_with_transformers_then_gpt() -> None:
    path = [i.link.id for i in queue(CAT, {})]
    assert path[:6] == [
        "illustrated-transformer",
        "umar-jamil-attention",
        "rotary-positional",
        "illustrated-gpt2",
        "reproducing-gpt-2-124m",
        "llama-explained",
    ]


def test_unknown_lengths_are_named_not_counted_as_nothing() -> None:
    path = queue(CAT, {})
    plan = fit_budget(path, seconds_of({"rotary-positional": 600}), 1800)
    assert [i.link.id for i in plan.links] == ["rotary-positional"]
    assert plan.planned == 600
    assert [i.link.id for i in plan.unknown] == ["illustrated-transformer", "umar-jamil-attention",
                                                 "illustrated-gpt2"]  # fmt: skip


@settings(max_examples=200)
@given(durations, statuses, st.floats(min_value=60, max_value=100 * 3600))
def test_finish_dates_follow_the_path_and_a_faster_pace_is_never_later(
    known: dict[str, int], states: dict[str, Status], rate: float
) -> None:
    today = date(2026, 12, 3)
    slow = pace.times(CAT, states, seconds_of(known))
    fast = pace.times(CAT, states, seconds_of(known))
    pace.finish_dates(slow, rate, today, "given")
    pace.finish_dates(fast, rate * 2, today, "given")
    o = slow.overall
    assert o.read == sum(known.get(i, 0) for i, s in states.items() if s is Status.READ)
    assert o.read + o.left == sum(
        known.get(i.link.id, 0)
        for i in CAT.items
        if states.get(i.link.id, Status.UNREAD) is not Status.SKIPPED
    )
    assert o.left == sum(t.left for _, t in slow.sections)
    dates = [t.finish for _, t in slow.sections if t.finish is not None]
    assert dates == sorted(dates)
    if o.left:
        assert o.finish == max(dates)
        assert o.finish == today + timedelta(days=-(-o.left // (rate / 7)))
    for (_, a), (_, b) in zip(slow.sections, fast.sections, strict=True):
        if a.finish is not None:
            assert b.finish is not None and b.finish <= a.finish


def test_no_pace_no_dates() -> None:
    out = pace.times(CAT, {}, seconds_of({"lora-explained": 1080}))
    pace.finish_dates(out, None, date(2026, 12, 3), None)
    assert out.overall.finish is None and out.overall.left == 1080
    assert out.overall.unknown_left == len(IDS) - 1


@given(st.integers(min_value=1, max_value=400), st.booleans())
def test_a_streak_counts_days_in_a_row_to_today_or_yesterday(n: int, today_too: bool) -> None:
    today = date(2026, 12, 3)
    end = today if today_too else today - timedelta(days=1)
    days = {end - timedelta(days=k): 1 for k in range(n)}
    days[end - timedelta(days=n + 1)] = 3  # a gap, then more: not part of the streak
    assert pace.streak(days, today) == n


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
       st.integers(min_value=1, max_value=60))  # fmt: skip
def test_the_calendar_is_weeks_of_seven_days_monday_first_ending_today(
    today: date, weeks: int
) -> None:
    columns = pace.calendar({}, today, weeks)
    assert len(columns) == weeks and all(len(c) == 7 for c in columns)
    days = [d for c in columns for d in c if d is not None]
    assert days[-1] == today and days[0].weekday() == 0
    assert all(b - a == timedelta(days=1) for a, b in zip(days, days[1:], strict=False))


def _read(at: str, start: str | None = None) -> Entry:
    events = [Event(start, status=Status.READING)] if start else []
    events.append(Event(at, status=Status.READ))
    return Entry(Status.READ, at, events=events)


def test_activity_and_a_pace_measured_from_four_weeks() -> None:
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    progress = Progress(
        {
            "lora-explained": _read("2026-12-02T10:00:00Z", "2026-12-02T09:30:00Z"),
            "illustrated-gpt2": _read("2026-12-01T10:00:00Z"),
            "dpo-explained": _read("2026-10-01T10:00:00Z"),  # before the four weeks
        }
    )
    known = seconds_of({"lora-explained": 1080, "dpo-explained": 2880})
    by_id: dict[str, Item] = CAT.by_id

    def took(item: Item) -> int | None:
        from llmdive.record.progress import took as took_

        return took_(progress, item.link.id)

    # 18m known, and 0 for the link of unknown length read without a start.
    assert pace.measured_pace(progress, by_id, known, took, now) == 1080 / 4
    act = pace.activity(progress, CAT, now - timedelta(days=7), known, took, now.date())
    assert [i.link.id for i in act.finished] == ["illustrated-gpt2", "lora-explained"]
    assert (act.spent, act.unknown) == (1080, 1)
    assert [(s.title, n) for s, n in act.sections] == [("Model Architecture", 1),
                                                       ("FineTuning", 1)]  # fmt: skip
    assert sum(act.days.values()) == 4  # three reads and one start, each on its day
    # Without a duration, what it took from start to read counts.
    assert pace.spent(CAT.by_id["lora-explained"], seconds_of({}), took) == 1800


@settings(max_examples=200)
@given(durations, statuses, st.sampled_from([None, "finetuning", "engineering"]))
def test_links_counted_by_heading_tally_as_counted_one_by_one(
    known: dict[str, int], states: dict[str, Status], section: str | None
) -> None:
    """`timed` (the only links with a duration) lets times count the rest by heading:
    the same tallies as asking every link (issue 18: progress at 100,000 links)."""
    from llmdive.find.planner import Tally, summarize

    within = CAT.find_topic(section) if section else None
    one_by_one = pace.times(CAT, states, seconds_of(known), within)
    by_heading = pace.times(CAT, states, seconds_of(known), within, set(known))
    assert by_heading.overall == one_by_one.overall
    assert [(id(s), t) for s, t in by_heading.sections] == [
        (id(s), t) for s, t in one_by_one.sections
    ]
    # summarize counts by heading too: the tallies of its links, one by one.
    summary = summarize(CAT, states, within)
    items = CAT.items_under(within) if within else CAT.items
    overall = Tally()
    for item in items:
        overall.add(states.get(item.link.id, Status.UNREAD))
    assert summary.overall == overall
    assert sum(t.links for _, t in summary.sections) == len(items)
