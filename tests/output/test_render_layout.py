"""Layout at any width: ids and URLs whole, titles in full, columns lined up.

Each command is rendered at 40, 60, 80, 100, 120 and 200 columns on a (forced) colour
terminal with URLs shown, then read back as a person sees it (styles removed).
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from llmdive.output.layout import Grid, Part, Whole, cells, wrap
from llmdive.output.terminal import Writer, ago
from tests.helpers import FIXTURES, Invoke, run_in_pty
from tests.hostile import strip_ours

WIDTHS = [40, 60, 80, 100, 120, 200]


def screen(cli: Invoke, *args: str, width: int, urls: bool = True) -> str:
    env = {"FORCE_COLOR": "1", "COLUMNS": str(width), "LLMDIVE_URLS": "1" if urls else "0"}
    result = cli(*args, env=env)
    assert result.exit_code == 0, result.output
    return strip_ours(result.stdout)


def tokens(text: str) -> set[str]:
    return set(text.split())


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_fits(text: str, width: int, whole: set[str]) -> None:
    """Every line within the width, unless it overflows only by a value never cut."""
    for line in text.splitlines():
        if cells(line.rstrip()) <= width:
            continue
        words = line.split()
        assert words[-1] in whole and len(words) <= 2, f"{cells(line)} > {width}: {line!r}"


@pytest.fixture
def record(cli: Invoke) -> dict[str, list[str]]:
    """Some marks, a note and a guide update, so every command has something to show."""
    assert cli("guide", "update", "--from", str(FIXTURES / "guide-v3-additions.md")).exit_code == 0
    assert cli("mark-read", "lora", "illustrated-t").exit_code == 0
    assert cli("start", "dpo").exit_code == 0
    assert cli("skip", "tweet").exit_code == 0
    links = json.loads(cli("list", "--json").stdout)
    return {
        "ids": [x["id"] for x in links],
        "urls": [x["url"] for x in links],
        "titles": [x["title"] for x in links],
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_list_keeps_ids_urls_and_whole_titles_at_every_width(
    cli: Invoke, record: dict[str, list[str]], width: int
) -> None:
    out = screen(cli, "list", width=width)
    whole = set(record["ids"]) | set(record["urls"])
    assert_fits(out, width, whole)
    words = tokens(out)
    assert set(record["ids"]) <= words
    assert set(record["urls"]) <= words
    joined = flat(out)
    for title in record["titles"]:
        assert flat(title) in joined, title
    # Kind is the first column to go: when room is short, and before a title that would
    # fit without it wraps (titles of the guide are that long up to 120 columns); the
    # difficulty stays.
    assert ("video" in words) == (width >= 200)
    assert "Easy" in words


@pytest.mark.parametrize("width", WIDTHS)
def test_next_at_every_width(cli: Invoke, record: dict[str, list[str]], width: int) -> None:
    out = screen(cli, "next", width=width)
    picks = json.loads(cli("next", "--json").stdout)
    ids = {p["link"]["id"] for p in picks if p["link"]}
    urls = {p["link"]["url"] for p in picks if p["link"]}
    assert_fits(out, width, ids | urls)
    assert ids <= tokens(out) and urls <= tokens(out)
    joined = flat(out)
    for p in picks:
        assert flat(p["section"]) in joined
        if p["link"]:
            assert flat(p["link"]["title"]) in joined


@pytest.mark.parametrize("width", WIDTHS)
def test_show_prints_each_field_once(cli: Invoke, record: dict[str, list[str]], width: int) -> None:
    assert (
        cli("note", "lora", "re-read the rank section, and the part on alpha scaling").exit_code
        == 0
    )
    out = screen(cli, "show", "lora", width=width)
    url = "https://www.youtube.com/watch?v=PXWYUTMt-AU"
    assert_fits(out, width, {url, "lora-explained"})
    assert out.count(url) == 1
    assert out.count("Umar Jamil: LoRA Explained") == 1 or width < 40
    assert "re-read the rank section, and the part on alpha scaling" in flat(out)
    assert out.splitlines()[0].split()[0] == "lora-explained"


@pytest.mark.parametrize("width", WIDTHS)
def test_history_lines_up_and_fits(cli: Invoke, record: dict[str, list[str]], width: int) -> None:
    out = screen(cli, "history", width=width)
    ids = {"lora-explained", "illustrated-transformer", "dpo-explained", "tweet-learn-ml-rt"}
    assert_fits(out, width, ids)
    assert ids <= tokens(out)
    assert "just now" in out
    if width >= 100:  # one line a row: every id starts in the same column
        rows = [line for line in out.splitlines() if any(i in line for i in ids)]
        starts = {line.index(next(i for i in ids if i in line)) for line in rows}
        assert len(starts) == 1, out


@pytest.mark.parametrize("width", WIDTHS)
def test_whatsnew_lines_up_across_sections(
    cli: Invoke, record: dict[str, list[str]], width: int
) -> None:
    out = screen(cli, "whatsnew", width=width)
    rows = json.loads(cli("whatsnew", "--json").stdout)
    links = [x for group in rows for x in group["links"]]
    assert len({g["section"] for g in rows}) > 1, "the fixture adds to several sections"
    ids = {x["id"] for x in links}
    assert_fits(out, width, ids | {x["url"] for x in links})
    assert ids <= tokens(out)
    if width >= 120:
        starts = {
            line.index(x["title"]) for line in out.splitlines() for x in links if x["title"] in line
        }
        assert len(starts) == 1, out


@pytest.mark.parametrize("width", WIDTHS)
def test_progress_bars_shrink_and_labels_stay_whole(
    cli: Invoke, record: dict[str, list[str]], width: int
) -> None:
    out = screen(cli, "progress", width=width)
    assert_fits(out, width, set())
    assert "Model Architecture" in flat(out) and "MultiModal Transformers" in flat(out)
    bars = [len(m) for m in re.findall(r"[█░]+", out)]
    assert bars and len(set(bars)) == 1  # one bar width for the whole output
    assert bars[0] == (24 if width >= 80 else bars[0]) and bars[0] >= 4


@pytest.mark.parametrize("width", WIDTHS)
def test_toc_keeps_slugs_whole(cli: Invoke, record: dict[str, list[str]], width: int) -> None:
    out = screen(cli, "toc", width=width)
    slugs = [f"[{t['slug']}]" for t in _walk(json.loads(cli("toc", "--json").stdout))]
    assert_fits(out, width, set(slugs))
    assert set(slugs) <= tokens(out)


def _walk(nodes: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    return [x for n in nodes for x in [n, *_walk(n["topics"])]]


@pytest.mark.parametrize("width", WIDTHS)
def test_mark_read_report_lines_up(cli: Invoke, width: int) -> None:
    out = screen(cli, "mark-read", "lora", "illustrated-t", "dpo", width=width)
    lines = out.splitlines()
    assert_fits(out, width, {"illustrated-transformer"})
    if width >= 80:
        assert len({line.index("unread → read") for line in lines}) == 1, out
        assert (
            len({line.index("Umar") if "Umar" in line else line.index("Jay") for line in lines})
            == 1
        ), out


def test_piped_output_keeps_one_link_a_line_with_its_url(cli: Invoke) -> None:
    out = cli("list").stdout
    row = next(line for line in out.splitlines() if "illustrated-transformer" in line)
    assert row.endswith(
        "Jay Alamar - Illustrated Transformer  https://jalammar.github.io/illustrated-transformer/"
    )


def test_urls_hidden_on_a_terminal_that_renders_hyperlinks(cli: Invoke) -> None:
    out = cli("next", env={"FORCE_COLOR": "1", "COLUMNS": "120"}).stdout
    url = "https://jalammar.github.io/illustrated-transformer/"
    assert f"\x1b]8;;{url}\x1b\\" in out
    assert url not in strip_ours(out)


@pytest.mark.parametrize(
    "env",
    [
        {"TMUX": "/tmp/tmux-1/default,1,0"},
        {"TERM": "screen-256color"},
        {"TERM": "linux"},
        {"STY": "1234.pts-0"},
        {"LLMDIVE_URLS": "1"},
    ],
)
def test_urls_shown_where_hyperlinks_do_not_work(cli: Invoke, env: dict[str, str]) -> None:
    out = strip_ours(cli("next", env={"FORCE_COLOR": "1", **env}).stdout)
    assert "https://jalammar.github.io/illustrated-transformer/" in out


def test_a_terminal_that_announces_hyperlinks_hides_urls_in_tmux(cli: Invoke) -> None:
    env = {"FORCE_COLOR": "1", "TMUX": "x", "FORCE_HYPERLINK": "1"}
    assert "https://jalammar" not in strip_ours(cli("next", env=env).stdout)
    env = {"FORCE_COLOR": "1", "TMUX": "x", "LLMDIVE_URLS": "0"}
    assert "https://jalammar" not in strip_ours(cli("next", env=env).stdout)


# ---------------------------------------------------------------- the pieces


def _texts(lines: list[list[Part]]) -> list[str]:
    return ["".join(p if isinstance(p, str) else p[0] for p in line) for line in lines]


def test_wrap_breaks_at_spaces_and_never_inside_an_id_or_url() -> None:
    long = "https://example.com/" + "x" * 50
    lines = wrap(["short words then ", Whole(long), " and more"], 20)
    assert _texts(lines) == ["short words then", long, "and more"]
    assert wrap(["fits"], 20) == [[("fits", "", "")]]


def test_wrap_folds_a_plain_word_longer_than_a_line() -> None:
    word = "W" * 50
    assert _texts(wrap(["see ", word, " end"], 20)) == [
        "see " + "W" * 16,
        "W" * 20,
        "W" * 14 + " end",
    ]
    # Little room left on the line: the word starts on the next one; wide letters whole.
    assert _texts(wrap(["a long intro ", "日" * 12], 20)) == ["a long intro", "日" * 10, "日" * 2]
    assert _texts(wrap([word], 20, 10)) == ["W" * 20, "W" * 10, "W" * 10, "W" * 10]


def test_wide_characters_take_two_columns() -> None:
    assert cells("日本") == 4
    assert cells("e\u0301") == 1
    assert cells("abc") == 3


def test_grid_drops_low_value_columns_then_stacks() -> None:
    out = io.StringIO()
    w = Writer(out, styled=False, width=40)
    grid = Grid(w, [10, 8], drops=[0, 1], min_text=20)
    assert grid.keep == [True, False] and not grid.stacked
    narrow = Grid(Writer(io.StringIO(), styled=False, width=25), [10, 8], drops=[0, 1])
    assert narrow.stacked
    grid.row(["an-id", "kind"], ["A title long enough to wrap over two lines"], "https://e.com/x")
    assert out.getvalue() == (
        "an-id       A title long enough to wrap\n"
        "            over two lines\n"
        "            https://e.com/x\n"
    )


def test_relative_times() -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    cases = {
        timedelta(seconds=5): "just now",
        timedelta(minutes=1): "1 minute ago",
        timedelta(minutes=5): "5 minutes ago",
        timedelta(hours=3): "3 hours ago",
        timedelta(days=1, hours=2): "yesterday",
        timedelta(days=3): "3 days ago",
        timedelta(days=15): "2 weeks ago",
        timedelta(days=75): "2 months ago",
        timedelta(days=800): "2 years ago",
    }
    for delta, words in cases.items():
        assert ago(now - delta, now) == words


def test_times_are_local_with_the_zone_where_it_matters(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        home.mkdir(parents=True, exist_ok=True)
        at = "2026-01-05T10:00:00Z"
        (home / "progress.json").write_text(
            json.dumps(
                {
                    "version": 1,
                    "links": {
                        "lora-explained": {
                            "status": "read",
                            "changed": at,
                            "title": "Umar Jamil: LoRA Explained",
                            "events": [{"at": at, "status": "read"}],
                        }
                    },
                }
            )
        )
        show = cli("show", "lora").stdout
        assert "since 2026-01-05 15:30 IST (" in show
        history = cli("history").stdout
        assert history.startswith("2026-01-05 15:30  ")
        assert " ago " in history
        assert json.loads(cli("history", "--json").stdout)[0]["at"] == at  # JSON stays UTC
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize("width", [40, 80])
def test_without_colour_on_a_terminal_the_layout_still_fits(
    cli: Invoke, home: Path, width: int
) -> None:
    out = run_in_pty(home, ["next"], NO_COLOR="1", COLUMNS=str(width))
    assert "\x1b" not in out
    picks = [p["link"] for p in json.loads(cli("next", "--json").stdout) if p["link"]]
    ids, urls = {p["id"] for p in picks}, {p["url"] for p in picks}
    assert urls <= tokens(out)  # plain text: every URL printed, each whole
    assert ids <= tokens(out)
    assert_fits(out, width, ids | urls)


@pytest.mark.parametrize("width", WIDTHS)
def test_search_at_every_width(cli: Invoke, record: dict[str, list[str]], width: int) -> None:
    out = screen(cli, "search", "attention", width=width)
    hits = json.loads(cli("search", "attention", "--json").stdout)
    hits = hits.get("results", hits) if isinstance(hits, dict) else hits
    ids = {h["id"] for h in hits}
    urls = {h["url"] for h in hits}
    assert ids and ids <= tokens(out) and urls <= tokens(out)
    assert_fits(out, width, ids | urls)


@pytest.mark.parametrize("width", [40, 80])
def test_a_word_longer_than_the_terminal_is_folded_in_every_command(
    cli: Invoke, width: int
) -> None:
    title, note = "T" * 10_000, "N" * 3_000
    url = "https://example.com/" + "u" * 30
    added = cli("add", url, "-t", title, "-s", "lora", "--json")
    assert added.exit_code == 0, added.output
    link_id = json.loads(added.stdout)["changes"][0]["link"]["id"]
    assert cli("note", link_id, note).exit_code == 0
    links = json.loads(cli("list", "--json").stdout)
    whole = {x["id"] for x in links} | {x["url"] for x in links}
    for args in (["list"], ["search", "TTTT"], ["history"], ["show", link_id]):
        out = screen(cli, *args, width=width)
        assert_fits(out, width, whole)
        # Nothing lost: the folded pieces add back up to the whole title (and note).
        letters = "".join(out.split())
        assert "T" * 10_000 in letters, args
        if args[0] in ("history", "show"):
            assert "N" * 3_000 in letters, args
        assert link_id in tokens(out) and (args[0] == "history" or url in tokens(out))


def test_undo_lines_up_its_columns_across_rows(cli: Invoke) -> None:
    assert cli("mark-read", "lora-explained", "umar-jamil-quantization").exit_code == 0
    out = screen(cli, "undo", width=100)
    rows = [line for line in out.splitlines() if "↶" in line]
    assert len(rows) == 2
    assert len({line.index("read → unread") for line in rows}) == 1, rows
    assert len({line.index("Umar Jamil") for line in rows}) == 1, rows


def test_a_merge_report_lines_up_its_columns_across_rows() -> None:
    from llmdive.output.views.sync import render_merge_report
    from llmdive.record.merge import LinkChange, Report

    report = Report(
        links=[
            LinkChange("lora-explained", "LoRA", "unread", "read", None, False, 1),
            LinkChange("umar-jamil-quantization", "Quant", "read", "unread", "x", True, 12),
            LinkChange("dpo", "DPO", "read", "read", None, False, 2),
        ]
    )
    out = io.StringIO()
    render_merge_report(Writer(out, styled=False, width=100), report)
    rows = out.getvalue().splitlines()[:3]
    assert [r.split()[0] for r in rows] == ["lora-explained", "umar-jamil-quantization", "dpo"]
    assert "unread → read" in rows[0] and "new note" in rows[1] and "history only" in rows[2]
    assert len({r.index("+") for r in rows}) == 1, rows
    assert len({r.rindex(" ") for r in rows}) == 1, rows  # the titles, in one column


def test_list_puts_the_same_gap_after_every_kind(cli: Invoke) -> None:
    assert cli("add", "https://example.com/an-article", "-t", "Mine", "-s", "lora").exit_code == 0
    out = screen(cli, "list", width=200, urls=False)
    kind = re.compile(r"^  . \S+ +(?:Easy|Medium|Hard|Unrated) +([a-z]+)( +)(\S)")
    found = [m for line in out.splitlines() if (m := kind.search(line))]
    assert {m.group(1) for m in found} >= {"article", "video", "post"}
    assert len({m.start(3) for m in found}) == 1  # one title column
    assert {len(m.group(2)) for m in found if m.group(1) == "article"} == {2}


@pytest.mark.parametrize("width", WIDTHS)
def test_show_wraps_related_links_and_keeps_their_urls_whole(cli: Invoke, width: int) -> None:
    guide = str(FIXTURES / "related-guide.toml")
    out = screen(cli, "--guide", guide, "show", "attention", width=width)
    related = [
        ("code", "https://github.com/tensorflow/tensor2tensor"),
        ("[pdf]", "https://arxiv.org/pdf/1706.03762"),
        ("Yannic Kilcher's walkthrough", "https://www.youtube.com/watch?v=iDulhoQ2pro"),
    ]
    urls = {u for _, u in related}
    assert_fits(out, width, urls | {"https://arxiv.org/abs/1706.03762", "attention-paper"})
    words = tokens(out)
    assert urls <= words  # each URL whole, once
    assert all(out.count(u) == 1 for u in urls)
    joined = flat(out)
    for title, _ in related:
        assert flat(title) in joined
    # In guide order, each under the one before, and all below the label.
    starts = [out.index(u) for _, u in related]
    assert starts == sorted(starts)
    lines = out.splitlines()
    label = next(i for i, line in enumerate(lines) if line.startswith("  related  "))
    assert lines[label].split()[1] == "code"
