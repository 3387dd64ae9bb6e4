from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from llmdive.guide.catalogue import Catalogue, load_catalogue
from llmdive.model.markdown import one_line
from llmdive.model.models import Progress, Status
from llmdive.record import export as record
from llmdive.record import progress as prog
from tests.helpers import Invoke, links_in, ok

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def reading(catalogue: Catalogue) -> Progress:
    progress = Progress()
    for ids, status in (
        (["lora"], Status.READ),
        (["rlhf"], Status.READING),
        (["tweet"], Status.SKIPPED),
    ):
        prog.set_status(progress, catalogue, catalogue.resolve_ids(ids), status, T0)
    prog.set_note(progress, catalogue.resolve_id("lora"), "rank matters", T0)
    return progress


def test_markdown_is_a_checklist_by_section_with_dates_and_notes(catalogue: Catalogue) -> None:
    text = record.export_checklist(catalogue, reading(catalogue))
    lines = text.splitlines()
    assert lines[:3] == [
        "# My reading of The LLM Deep Dive",
        "",
        "1 of 28 links read, 1 being read (1 skipped).",
    ]
    assert "## FineTuning" in lines and "### LoRA" in lines
    lora = "- [x] [Umar Jamil: LoRA Explained](https://www.youtube.com/watch?v=PXWYUTMt-AU)"
    assert f"{lora} · read 2026-01-02 · note: rank matters" in lines
    assert any(
        x.startswith("- [ ] [") and x.endswith(" · reading since 2026-01-02") and "RLHF" in x
        for x in lines
    )
    tweet = catalogue.resolve_id("tweet").link
    skipped = f"- [ ] [{one_line(tweet.title)}]"
    assert any(x.startswith(skipped) and x.endswith(" · skipped 2026-01-02") for x in lines)
    # Every link of the guide, once, in guide order, and nothing else.
    assert [href for href, _ in links_in(text)] == [i.link.url for i in catalogue.items]
    assert sum(line.startswith("- [") for line in lines) == len(catalogue.items)


def test_markdown_titles_and_notes_cannot_inject_links_or_html(tmp_path: Path) -> None:
    hostile = (
        "[evil](https://evil.example) <img src=x onerror=alert(1)> ![i](https://i.example) *b*"
    )
    guide = tmp_path / "g.toml"
    guide.write_text(
        'version = 1\n[[sections]]\nslug = "a"\ntitle = "A <script>x</script> [h](https://h.example)"\n'
        f"[[sections.links]]\nid = \"one\"\ntitle = '{hostile}'\n"
        'url = "https://x.example/p_(1)?q=<a>"\n',
        encoding="utf-8",
    )
    cat = load_catalogue(guide)
    progress = Progress()
    prog.set_note(
        progress, cat.resolve_id("one"), "see [this](javascript:alert(1))\n# not a heading", T0
    )
    text = record.export_checklist(cat, progress)
    assert links_in(text) == [("https://x.example/p_%281%29?q=%3Ca%3E", hostile)]
    assert "\n# not a heading" not in text
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# My reading of The LLM Deep Dive",
        "## A \\<script\\>x\\</script\\> \\[h\\](https://h.example)",
    ]


def test_csv_is_one_row_per_link_and_safe_in_spreadsheets(catalogue: Catalogue) -> None:
    progress = reading(catalogue)
    prog.set_note(progress, catalogue.resolve_id("dpo"), '=HYPERLINK("https://evil.example")', T0)
    prog.set_note(progress, catalogue.resolve_id("rlhf"), "-2+3\nsecond line \x1b[31m", T0)
    rows = list(csv.reader(io.StringIO(record.export_csv(catalogue, progress))))
    assert rows[0] == list(record.CSV_COLUMNS)
    assert [r[0] for r in rows[1:]] == [i.link.id for i in catalogue.items]
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["lora-explained"] == [
        "lora-explained",
        "Umar Jamil: LoRA Explained",
        "https://www.youtube.com/watch?v=PXWYUTMt-AU",
        "FineTuning › LoRA",
        "medium",
        "read",
        "2026-01-02T03:04:05Z",
        "rank matters",
        "",
    ]
    assert by_id["dpo-explained"][7] == '\'=HYPERLINK("https://evil.example")'
    assert by_id["rlhf-explained"][7] == "'-2+3\nsecond line \\x1b[31m"
    assert by_id["illustrated-transformer"][5:] == ["unread", "", "", ""]


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cells_never_start_a_formula(cell: str) -> None:
    assert record.csv_cell(cell) == "'" + cell.replace("\r", "\\x0d")


def test_json_is_the_whole_record_as_stored(home: Path, catalogue: Catalogue) -> None:
    progress = reading(catalogue)
    prog.save_progress(home, progress)
    doc = json.loads(record.export("json", catalogue, progress, []))
    assert doc == {
        "format": "llmdive-record",
        "version": 1,
        "progress": json.loads((home / "progress.json").read_text()),
        "personal": {"version": 1, "links": []},
    }


def test_links_no_longer_in_the_guide_are_in_the_export(home: Path, catalogue: Catalogue) -> None:
    gone = {
        "status": "read",
        "changed": "2025-01-01T00:00:00Z",
        "title": "Gone",
        "url": "https://g.example",
    }
    progress = Progress.from_dict({"version": 1, "links": {"gone-link": gone}})
    text = record.export_checklist(catalogue, progress)
    assert text.endswith(
        "## Not in the current guide\n\n- [x] [Gone](https://g.example) · read 2025-01-01\n"
    )
    rows = list(csv.reader(io.StringIO(record.export_csv(catalogue, progress))))
    assert rows[-1] == [
        "gone-link",
        "Gone",
        "https://g.example",
        "",
        "",
        "read",
        "2025-01-01T00:00:00Z",
        "",
        "",
    ]


# ---------------------------------------------------------------- the command


def test_progress_export_prints_the_checklist(cli: Invoke) -> None:
    ok(cli("mark-read", "lora"))
    out = ok(cli("progress", "export"))
    assert out.startswith("# My reading of The LLM Deep Dive\n")
    assert (
        "- [x] [Umar Jamil: LoRA Explained](https://www.youtube.com/watch?v=PXWYUTMt-AU) · read "
        in out
    )
    assert (
        json.loads(ok(cli("progress", "export", "--format", "json")))["format"] == "llmdive-record"
    )
    assert ok(cli("progress", "export", "-f", "csv")).startswith("id,title,url,section,")


def test_progress_without_a_subcommand_is_still_the_summary(cli: Invoke) -> None:
    ok(cli("mark-read", "lora"))
    assert json.loads(ok(cli("progress", "--json")))["overall"]["read"] == 1
    assert ok(cli("progress")).startswith("Overall\n")


def test_progress_export_output_is_written_whole(cli: Invoke, tmp_path: Path, home: Path) -> None:
    ok(cli("mark-read", "lora"))
    target = tmp_path / "out" / "reading.csv"
    target.parent.mkdir()  # -o never creates a folder
    result = cli("progress", "export", "-f", "csv", "--output", str(target))
    assert ok(result) == ""
    assert result.stderr == f"wrote {target}\n"
    assert target.read_text() == ok(cli("progress", "export", "-f", "csv"))
    assert [p.name for p in target.parent.iterdir()] == ["reading.csv"]  # no temp file left


def test_progress_export_never_overwrites_the_record(cli: Invoke, home: Path) -> None:
    ok(cli("mark-read", "lora"))
    before = (home / "progress.json").read_bytes()
    result = cli("progress", "export", "-f", "json", "-o", str(home / "progress.json"))
    assert result.exit_code == 1
    assert "is llmdive's own progress.json: write the export somewhere else" in result.stderr
    assert (home / "progress.json").read_bytes() == before


def test_progress_export_refuses_an_unknown_format(cli: Invoke) -> None:
    result = cli("progress", "export", "--format", "pdf")
    assert result.exit_code == 2
    assert "'pdf' is not one of 'markdown', 'json', 'csv'" in result.stderr


def test_a_removed_personal_link_leaves_the_export_and_undo_brings_it_back(cli: Invoke) -> None:
    ok(cli("add", "https://example.com/mine", "-t", "Mine", "-s", "dpo"))
    ok(cli("mark-read", "mine"))
    ok(cli("remove", "mine"))
    out = ok(cli("progress", "export"))
    assert "Mine" not in out and "Not in the current guide" not in out
    assert "mine," not in ok(cli("progress", "export", "-f", "csv"))
    ok(cli("undo"))
    out = ok(cli("progress", "export"))
    assert "- [x] [Mine](https://example.com/mine) · read " in out
    assert out.index("### DPO") < out.index("[Mine]") < out.index("### RLHF")


def test_csv_writes_controls_with_the_terminal_s_escapes() -> None:
    from llmdive.output.terminal import safe

    # U+202E is one unambiguous \u202e (never \x202e, which reads as \x20 + "2e").
    assert record.csv_cell("\u202eRTL") == "\\u202eRTL" == safe("\u202eRTL")
    assert record.csv_cell("a\x1b[31m\x85\udc9f") == "a\\x1b[31m\\x85\\x9f"
    assert record.csv_cell("two\nlines\tand a tab") == "two\nlines\tand a tab"


# ---------------------------------------------------------------- related links


def related_catalogue() -> Catalogue:
    from tests.helpers import FIXTURES

    return load_catalogue(FIXTURES / "related-guide.toml")


def test_the_checklist_keeps_related_links_on_the_item_s_line() -> None:
    catalogue = related_catalogue()
    progress = Progress()
    prog.set_status(progress, catalogue, catalogue.resolve_ids(["attention"]), Status.READ, T0)
    text = record.export_checklist(catalogue, progress)
    (line,) = [x for x in text.splitlines() if "Attention Is All You Need" in x]
    assert line == (
        "- [x] [Attention Is All You Need](https://arxiv.org/abs/1706.03762)"
        " · [code](https://github.com/tensorflow/tensor2tensor)"
        " · [\\[pdf\\]](https://arxiv.org/pdf/1706.03762)"
        " · [Yannic Kilcher's walkthrough](https://www.youtube.com/watch?v=iDulhoQ2pro)"
        " · read 2026-01-02"
    )
    assert links_in(line) == [
        ("https://arxiv.org/abs/1706.03762", "Attention Is All You Need"),
        ("https://github.com/tensorflow/tensor2tensor", "code"),
        ("https://arxiv.org/pdf/1706.03762", "[pdf]"),
        ("https://www.youtube.com/watch?v=iDulhoQ2pro", "Yannic Kilcher's walkthrough"),
    ]
    # A link without related links keeps its line as before.
    assert (
        "- [ ] [The Illustrated Transformer](https://jalammar.github.io/illustrated-transformer/)\n"
        in text
    )


def test_a_hostile_related_title_is_text_in_the_checklist() -> None:
    from llmdive.model.models import Related

    catalogue = related_catalogue()
    link = catalogue.resolve_id("illustrated").link
    link.related = (
        Related(
            "x](https://evil.example) ![img](https://evil.example/i.png", "https://a.example/r"
        ),
    )
    text = record.export_checklist(catalogue, Progress())
    (line,) = [x for x in text.splitlines() if "Illustrated" in x]
    hrefs = [href for href, _ in links_in(line)]
    assert hrefs == ["https://jalammar.github.io/illustrated-transformer/", "https://a.example/r"]


def test_the_csv_has_a_related_column_one_link_a_line() -> None:
    catalogue = related_catalogue()
    rows = list(csv.reader(io.StringIO(record.export_csv(catalogue, Progress()))))
    assert rows[0][-1] == "related"
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["flashattention"][-1] == (
        "code https://github.com/Dao-AILab/flash-attention\n"
        "slides https://tridao.me/slides/flashattention.pdf"
    )
    assert by_id["illustrated-transformer"][-1] == ""
