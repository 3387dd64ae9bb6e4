"""`llmdive progress import-checklist`: a ticked Markdown checklist read back into the record."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, GUIDE_README, REPO, Invoke, ok
from tests.hostile import HOSTILE, assert_inert

LISTS = FIXTURES / "lists"


def read_set(home: Path) -> set[str]:
    data = json.loads((home / "progress.json").read_text())
    return {k for k, v in data["links"].items() if v.get("status") == "read"}


def tick(text: str, urls: list[str]) -> str:
    """The README with the items linking `urls` ticked, as a reader does in a fork."""
    out = []
    for line in text.split("\n"):
        if any(f"]({u})" in line for u in urls):
            line = re.sub(r"^(\s*[-*+]\s*)(\[[ xX]\]\s+)?", r"\1[x] ", line, count=1)
        out.append(line)
    return "\n".join(out)


def test_an_export_imported_into_an_empty_home_gives_the_same_read_set(
    cli: Invoke, home: Path, tmp_path: Path
) -> None:
    ok(cli("mark-read", "lora", "illustrated-t", "dpo", "cuda"))
    ok(cli("start", "rlhf"))
    ok(cli("skip", "tweet"))
    exported = tmp_path / "reading.md"
    ok(cli("progress", "export", "-o", str(exported)))
    wanted = read_set(home)
    assert len(wanted) == 4
    other = tmp_path / "other"
    other.mkdir()
    result = cli("--home", str(other), "progress", "import-checklist", str(exported))
    assert result.exit_code == 0, result.output
    assert read_set(other) == wanted
    assert result.stdout.startswith("4 ticked: marked 4 read\n")
    # Once more: nothing new, nothing unmarked.
    again = cli("--home", str(other), "progress", "import-checklist", str(exported))
    assert ok(again).startswith("4 ticked: marked 0 read, 4 already read")
    assert read_set(other) == wanted


def test_a_fork_of_the_guides_readme_with_ticked_boxes_marks_those_links(
    cli: Invoke, home: Path, tmp_path: Path
) -> None:
    readme = GUIDE_README.read_text(encoding="utf-8")
    fork = tmp_path / "README.md"
    fork.write_text(
        tick(
            readme,
            [
                "https://www.youtube.com/watch?v=PXWYUTMt-AU",
                "https://jalammar.github.io/illustrated-gpt2/",
            ],
        )
    )
    data = json.loads(ok(cli("progress", "import-checklist", str(fork), "--json")))
    assert data["ticked"] == 2
    assert sorted(c["link"]["id"] for c in data["changes"]) == [
        "illustrated-gpt2",
        "lora-explained",
    ]
    assert read_set(home) == {"illustrated-gpt2", "lora-explained"}


def test_a_ticked_item_whose_url_changed_matches_by_its_title_within_its_section(
    cli: Invoke, home: Path, tmp_path: Path
) -> None:
    readme = GUIDE_README.read_text(encoding="utf-8")
    moved = readme.replace(
        "https://www.youtube.com/watch?v=PXWYUTMt-AU", "https://example.org/lora-rehosted"
    )
    moved += "\n- [x] [Something this guide never had](https://example.org/new)\n"
    fork = tmp_path / "fork.md"
    fork.write_text(tick(moved, ["https://example.org/lora-rehosted"]))
    result = cli("progress", "import-checklist", str(fork))
    assert result.exit_code == 0, result.output
    assert read_set(home) == {"lora-explained"}
    assert "matched no link of the guide" in result.stdout
    assert "Something this guide never had" in result.stdout


def test_a_real_checklist_list_ticked_in_a_fork(cli: Invoke, home: Path, tmp_path: Path) -> None:
    """coding-interview-university is a list of `- [ ]` boxes its readers tick in forks."""
    source = LISTS / "jwasham__coding-interview-university.md"
    guide = tmp_path / "ciu.toml"
    ok(cli("guide", "import", str(source), "-o", str(guide)))
    text = source.read_text(encoding="utf-8")
    urls = re.findall(r"^\s*- \[ \] \[[^\]]+\]\((https://[^)\s]+)\)", text, flags=re.M)[:40:8]
    assert len(urls) == 5
    fork = tmp_path / "README.md"
    fork.write_text(tick(text, urls))
    result = cli("--guide", str(guide), "progress", "import-checklist", str(fork), "--json")
    data = json.loads(ok(result))
    assert data["ticked"] == 5
    assert sorted(c["link"]["url"] for c in data["changes"]) == sorted(urls)
    assert len(read_set(home)) == 5


def test_it_is_one_change_that_one_undo_takes_back_and_never_unmarks(
    cli: Invoke, home: Path, tmp_path: Path
) -> None:
    ok(cli("mark-read", "dpo"))
    ok(cli("skip", "cuda"))
    fork = tmp_path / "fork.md"
    readme = GUIDE_README.read_text(encoding="utf-8")
    # cuda (skipped) and lora ticked; dpo is read but not ticked: it stays read.
    fork.write_text(
        tick(
            readme,
            [
                "https://www.youtube.com/watch?v=PXWYUTMt-AU",
                "https://www.youtube.com/watch?v=hfb_AIhDYnA",
            ],
        )
    )
    ok(cli("progress", "import-checklist", str(fork)))
    cuda = json.loads(ok(cli("show", "cuda", "--json")))["id"]
    assert read_set(home) == {"dpo-explained", "lora-explained", cuda}
    undone = ok(cli("undo"))
    assert "lora" in undone
    assert read_set(home) == {"dpo-explained"}
    status = json.loads(ok(cli("show", "cuda", "--json")))["status"]
    assert status == "skipped"


def test_dry_run_changes_nothing(cli: Invoke, home: Path, tmp_path: Path) -> None:
    ok(cli("mark-read", "dpo"))
    before = (home / "progress.json").read_bytes()
    fork = tmp_path / "fork.md"
    fork.write_text(tick(GUIDE_README.read_text(), ["https://www.youtube.com/watch?v=PXWYUTMt-AU"]))
    result = cli("progress", "import-checklist", str(fork), "--dry-run")
    assert ok(result).startswith("1 ticked: would mark 1 read")
    assert (home / "progress.json").read_bytes() == before


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("# Nothing\n\n- [ ] [A](https://a.example/)\n", "no ticked items"),
        ("\xff\xfe not text", "not UTF-8"),
    ],
)
def test_mistakes_are_one_line_and_exit_1(
    cli: Invoke, home: Path, tmp_path: Path, content: str, said: str
) -> None:
    f = tmp_path / "c.md"
    f.write_bytes(content.encode("latin-1"))
    result = cli("progress", "import-checklist", str(f))
    assert result.exit_code == 1
    assert said in result.stderr and result.stderr.count("\n") == 1
    assert not (home / "progress.json").exists()


def test_a_missing_file_and_a_huge_one_are_refused(cli: Invoke, tmp_path: Path) -> None:
    result = cli("progress", "import-checklist", str(tmp_path / "nope.md"))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    big = tmp_path / "big.md"
    big.write_text("- [x] [a](https://a.example/)\n" * 200_000)
    result = cli("progress", "import-checklist", str(big))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "larger than" in result.stderr


def test_hostile_ticked_items_are_shown_inert(cli: Invoke, tmp_path: Path) -> None:
    lines = ["# Mine", ""] + [
        f"- [x] {text} [x](https://example.org/{i})" for i, text in enumerate(HOSTILE)
    ]
    lines += [f"- [x] plain {text}" for text in HOSTILE]
    f = tmp_path / "c.md"
    f.write_text("\n".join(lines) + "\n")
    result = cli("progress", "import-checklist", str(f))
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout, "import-checklist")
    assert result.stdout.count("line ") >= len(HOSTILE)


def test_json_follows_its_schema(cli: Invoke, tmp_path: Path) -> None:
    import jsonschema

    fork = tmp_path / "fork.md"
    fork.write_text(
        tick(GUIDE_README.read_text(), ["https://www.youtube.com/watch?v=PXWYUTMt-AU"])
        + "\n- [x] nothing to link\n"
    )
    data = json.loads(ok(cli("progress", "import-checklist", str(fork), "--json")))
    jsonschema.validate(data, json.loads((REPO / "schema" / "checklist.json").read_text()))
    assert data["unmatched"] == [{"line": data["unmatched"][0]["line"], "text": "nothing to link"}]


def test_a_link_listed_twice_is_one_link_not_a_miss(
    cli: Invoke, home: Path, tmp_path: Path
) -> None:
    """An export lists a link two sections share under each; both copies are that link."""
    readme = GUIDE_README.read_text(encoding="utf-8")
    lora = "https://www.youtube.com/watch?v=PXWYUTMt-AU"
    fork = tmp_path / "fork.md"
    fork.write_text(tick(readme, [lora]) + f"\n## Again\n\n- [x] [LoRA once more]({lora})\n")
    data = json.loads(ok(cli("progress", "import-checklist", str(fork), "--json")))
    assert data["ticked"] == 2
    assert [c["link"]["id"] for c in data["changes"]] == ["lora-explained"]
    assert data["unmatched"] == []
