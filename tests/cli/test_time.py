"""Time and pace from the command line: estimate, next --budget / --queue, progress's time,
pace and activity, and durations travelling with the record (guide update, merge, export)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from llmdive.model.models import iso
from tests.helpers import FIXTURES, Invoke, ok, on
from tests.hostile import strip_ours

# What check-links --durations would have measured of the bundled guide's pages.
MEASURED = {
    "jalammar.github.io/illustrated-transformer": (1420, "article"),
    "youtube:bCz4OMemCcA": (3483, "video"),
    "medium.com/@ngiengkianyew/understanding-rotary-positional-encoding-40635a4d078e": (
        640,
        "article",
    ),
    "jalammar.github.io/illustrated-gpt2": (1860, "article"),
    "youtube:Mn_9W1nCFLo": (4207, "video"),
    "youtube:PXWYUTMt-AU": (1080, "video"),
}


def measured(home: Path) -> None:
    pages = {
        k: {"seconds": s, "how": h, "checked": "2026-12-03T10:00:00Z"}
        for k, (s, h) in MEASURED.items()
    }
    home.mkdir(parents=True, exist_ok=True)
    (home / "durations.json").write_text(json.dumps({"version": 1, "pages": pages}))


def link(cli: Invoke, home: Path, link_id: str) -> dict[str, object]:
    return json.loads(on(cli, home, "show", link_id, "--json"))  # type: ignore[no-any-return]


def test_estimate_sets_shows_clears_and_is_undone(cli: Invoke, home: Path) -> None:
    assert on(cli, home, "estimate", "lora", "45m") == "lora-explained: 45m set\n"
    assert on(cli, home, "estimate", "lora", "1h30m") == "lora-explained: 1h 30m set (was 45m)\n"
    shown = link(cli, home, "lora")
    assert (shown["duration_s"], shown["duration_source"], shown["took_s"]) == (5400, "set", None)
    assert on(cli, home, "estimate", "lora") == "lora-explained: 1h 30m (set by you)\n"
    assert "[1h 30m set]" in on(cli, home, "list", "--section", "lora")
    history = json.loads(on(cli, home, "history", "--json"))
    assert [(r["id"], r["estimate_s"]) for r in history] == [
        ("lora-explained", 5400),
        ("lora-explained", 2700),
    ]
    assert "⏱ estimate  lora-explained  Umar Jamil: LoRA Explained  1h 30m" in on(
        cli, home, "history"
    )
    on(cli, home, "undo")
    assert link(cli, home, "lora")["duration_s"] == 2700
    assert on(cli, home, "estimate", "lora", "--clear") == (
        "lora-explained: estimate cleared (was 45m)\n"
    )
    assert link(cli, home, "lora")["duration_s"] is None
    assert on(cli, home, "estimate", "lora", "--clear") == "lora-explained: no estimate set\n"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["lora", "25h"], "'25h' is longer than 24h"),
        (["lora", "soon"], "'soon' is not a duration: write it like 45m, 1h30m, 90s or 1.5h"),
        (["lora", "45m", "--clear"], "give a DURATION or --clear, not both"),
    ],
)
def test_estimate_refuses_in_words(cli: Invoke, args: list[str], said: str) -> None:
    result = cli("estimate", *args)
    assert result.exit_code == 2
    assert said in result.stderr


def test_next_budget_gives_what_fits_in_the_paths_order(cli: Invoke, home: Path) -> None:
    measured(home)
    on(cli, home, "start", "illustrated-transformer")
    on(cli, home, "mark-read", "illustrated-transformer")
    on(cli, home, "start", "umar-jamil-attention")
    on(cli, home, "estimate", "reproducing", "45m")
    out = on(cli, home, "next", "--budget", "30m")
    rot = "https://medium.com/@ngiengkianyew/understanding-rotary-positional-encoding-40635a4d078e"
    assert out.splitlines() == [
        "Within 30m, in the learning path's order: 11m planned",
        f"  · rotary-positional     Unrated   Rotary Positional Encoding Explained  [11m]  {rot}",
        "Longer than the time left, passed over: umar-jamil-attention (58m), illustrated-gpt2 "
        "(31m)",
        "Length unknown, not counted: llama-2-scratch",
        "  `llmdive check-links --durations` measures lengths; `llmdive estimate ID 45m` sets one.",
    ]
    plan = json.loads(on(cli, home, "next", "--budget", "1h30m", "--json"))
    assert [(x["id"], x["duration_s"], x["duration_source"]) for x in plan["links"]] == [
        ("umar-jamil-attention", 3483, "measured"),  # being read: first
        ("rotary-positional", 640, "measured"),
    ]
    assert (plan["budget_s"], plan["planned_s"]) == (5400, 4123)
    assert [x["id"] for x in plan["too_long"]] == ["illustrated-gpt2", "reproducing-gpt-2-124m"]
    # Within a section; links of unknown length are named, never counted as no time.
    fine = json.loads(on(cli, home, "next", "--budget", "20m", "--section", "fine", "--json"))
    assert [x["id"] for x in fine["links"]] == ["lora-explained"]
    assert [x["id"] for x in fine["unknown"]] == [
        "umar-jamil-quantization",
        "dpo-explained",
        "rlhf-explained",
    ]


def test_next_queue_is_one_path_across_sections(cli: Invoke, home: Path) -> None:
    on(cli, home, "mark-read", "illustrated-transformer")
    queue = json.loads(on(cli, home, "next", "--queue", "--json"))
    ids = [x["id"] for x in queue["links"]]
    assert ids[:4] == [
        "umar-jamil-attention",
        "rotary-positional",
        "illustrated-gpt2",
        "reproducing-gpt-2-124m",
    ]
    assert (len(ids), queue["links_left"], queue["budget_s"]) == (15, 28, None)
    assert len(json.loads(on(cli, home, "next", "-q", "-n", "40", "--json"))["links"]) == 28
    text = on(cli, home, "next", "--queue")
    assert text.startswith("The reading list as one path: 28 links to go, the first 15 here\n")
    assert cli("next", "--budget", "8d").exit_code == 2


def _record(home: Path, events: dict[str, list[dict[str, object]]]) -> None:
    links = {}
    for key, evs in events.items():
        last = max((e for e in evs if "status" in e), key=lambda e: str(e["at"]))
        links[key] = {"status": last["status"], "changed": last["at"], "events": evs}
    home.mkdir(parents=True, exist_ok=True)
    (home / "progress.json").write_text(json.dumps({"version": 1, "links": links}))


def test_took_is_the_time_from_start_to_read(cli: Invoke, home: Path) -> None:
    now = datetime.now().astimezone()
    start, end = now - timedelta(hours=2), now - timedelta(hours=1, minutes=25)
    _record(
        home,
        {
            "lora-explained": [
                {"at": iso(start), "status": "reading"},
                {"at": iso(end), "status": "read"},
            ],
            "dpo-explained": [{"at": iso(end), "status": "read"}],
        },
    )
    assert link(cli, home, "lora")["took_s"] == 35 * 60
    assert link(cli, home, "dpo")["took_s"] is None  # read without a start
    assert "took 35m from start to read" in on(cli, home, "show", "lora")


def test_progress_time_pace_and_finish_dates(cli: Invoke, home: Path) -> None:
    measured(home)
    assert "Time, from the durations known" in on(cli, home, "progress")
    data = json.loads(on(cli, home, "progress", "--pace", "1h/day", "--json"))
    time = data["time"]
    assert (time["pace_s_per_week"], time["pace_from"]) == (7 * 3600, "given")
    o = time["overall"]
    assert (o["read_s"], o["left_s"]) == (0, sum(s for s, _ in MEASURED.values()))
    assert o["unknown_left"] == 29 - len(MEASURED)
    arch = time["sections"][0]
    assert (arch["section"], arch["left_s"]) == ("Model Architecture", 1420 + 3483 + 640 + 1860
                                                  + 4207)  # fmt: skip
    today = datetime.now().astimezone().date()
    assert arch["finish"] == (today + timedelta(days=4)).isoformat()  # 3h 14m at 1h a day
    assert o["finish"] == (today + timedelta(days=4)).isoformat()  # + 18m of FineTuning
    refused = cli("progress", "--pace", "fast")
    assert refused.exit_code == 2
    assert "'fast' is not a pace: write it like 5h/week or 30m/day" in refused.stderr
    assert "No pace yet" in on(cli, home, "progress")


def test_progress_week_says_what_was_done(cli: Invoke, home: Path) -> None:
    measured(home)
    now = datetime.now().astimezone()
    _record(
        home,
        {
            "lora-explained": [{"at": iso(now - timedelta(minutes=5)), "status": "read"}],
            "illustrated-gpt2": [{"at": iso(now - timedelta(days=1)), "status": "read"}],
            "dpo-explained": [{"at": iso(now - timedelta(days=2)), "status": "read"}],
            "rlhf-explained": [{"at": iso(now - timedelta(days=40)), "status": "read"}],
        },
    )
    data = json.loads(on(cli, home, "progress", "--since", "3d", "--json"))["activity"]
    assert [x["id"] for x in data["finished"]] == [
        "dpo-explained",
        "illustrated-gpt2",
        "lora-explained",
    ]
    assert (data["spent_s"], data["unknown"], data["streak"]) == (1860 + 1080, 1, 3)
    assert data["sections"] == [
        {"section": "Model Architecture", "finished": 1},
        {"section": "FineTuning", "finished": 2},
    ]
    # The pace of the last four weeks: the 49m known of the links read in them.
    assert json.loads(on(cli, home, "progress", "--json"))["time"]["pace_from"] == "measured"
    piped = on(cli, home, "progress", "--week")
    assert "\x1b" not in piped
    assert piped.splitlines()[-1] == "      marks a day: · none  ░ 1  ▒ 2-3  █ 4+"
    for width in (60, 120):
        env = {"FORCE_COLOR": "1", "COLUMNS": str(width)}
        text = strip_ours(ok(cli("--home", str(home), "progress", "--week", env=env)))
        calendar = text[text.index("  Mon ") :].splitlines()
        assert all(len(line) <= width for line in text.splitlines()), text
        assert len(calendar) == 8  # seven weekdays and the legend
        # three days of one mark each (the 40-day-old one is there too), and the legend
        assert "".join(calendar[:7]).count("░") == 4
    # At 40 columns the calendar fits, and so does its legend, wrapped to the terminal.
    env = {"FORCE_COLOR": "1", "COLUMNS": "40"}
    narrow = strip_ours(ok(cli("--home", str(home), "progress", "--week", env=env)))
    assert all(len(line) <= 40 for line in narrow.splitlines()), narrow
    assert "marks a day: · none  ░ 1  ▒ 2-3  █ 4+" in narrow
    weekly = json.loads(on(cli, home, "progress", "--week", "--json"))["activity"]
    monday = now.date() - timedelta(days=now.weekday())
    assert weekly["since"] == iso(datetime.combine(monday, datetime.min.time(), now.tzinfo))
    assert cli("progress", "--week", "--since", "3d").exit_code == 2


def test_durations_survive_a_guide_update_and_travel_with_the_record(
    cli: Invoke, tmp_path: Path
) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    measured(here)
    on(cli, here, "estimate", "lora", "20m")
    # guide-v2 links the Illustrated Transformer with a tracking parameter, and renames.
    on(cli, here, "guide", "update", "--from", str(FIXTURES / "guide-v2-renamed.md"))
    assert link(cli, here, "lora")["duration_s"] == 1200
    assert link(cli, here, "illustrated-transformer")["duration_s"] == 1420
    export = tmp_path / "record.json"
    export.write_text(on(cli, here, "progress", "export", "-f", "json"))
    on(cli, there, "progress", "merge", str(export))
    shown = link(cli, there, "lora")
    assert (shown["duration_s"], shown["duration_source"]) == (1200, "set")


@pytest.mark.parametrize("hostile", [-5, 10**12, "45", True, 1.5, None])
def test_a_merged_record_with_a_hostile_duration_is_refused(
    cli: Invoke, home: Path, tmp_path: Path, hostile: object
) -> None:
    on(cli, home, "estimate", "lora", "20m")
    before = (home / "progress.json").read_bytes()
    event = {"at": "2026-01-01T00:00:00Z", "estimate": hostile}
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"version": 1, "links": {"dpo-explained": {"events": [event]}}}))
    result = cli("progress", "merge", str(other))
    assert result.exit_code == 1
    assert "events[0]" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert (home / "progress.json").read_bytes() == before


def test_a_pace_kept_with_config_gives_finish_dates(cli: Invoke, home: Path) -> None:
    measured(home)
    assert on(cli, home, "config", "pace", "5h/week") == "pace = 5h/week\n"
    assert on(cli, home, "config") == "pace = 5h/week\nwpm = (not set)\n"
    time = json.loads(on(cli, home, "progress", "--json"))["time"]
    assert (time["pace_s_per_week"], time["pace_from"]) == (5 * 3600, "config")
    assert time["overall"]["finish"] is not None
    given = json.loads(on(cli, home, "progress", "--pace", "1h/day", "--json"))["time"]
    assert given["pace_from"] == "given"  # --pace wins
    for args, said in (
        (["pace", "fast"], "'fast' is not a pace"),
        (["speed", "1"], "no setting 'speed': the settings are pace, wpm"),
        (["wpm", "5"], "wpm is words a minute, 50 to 2000, not '5'"),
    ):
        result = cli("--home", str(home), "config", *args)
        assert result.exit_code == 2 and said in result.stderr, result.stderr
    (home / "config.json").write_text('{"version": 1, "pace": "lots"}')
    broken = cli("--home", str(home), "progress")
    assert broken.exit_code == 1
    assert broken.stderr == (
        f"llmdive: error: {home / 'config.json'}: 'lots' is not a pace: write it like 5h/week "
        "or 30m/day; fix it, or `llmdive config KEY --unset`; the file is untouched\n"
    )
    assert (home / "config.json").read_text() == '{"version": 1, "pace": "lots"}'
