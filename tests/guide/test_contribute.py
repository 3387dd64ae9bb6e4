"""`llmdive contribute`: a reader's links as a minimal patch to the guide's README."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from llmdive.errors import LlmdiveError
from llmdive.guide.contribute import Offered, check_round_trip, contribution
from llmdive.guide.importer import parse_readme
from llmdive.home.paths import bundled_readme
from llmdive.model.models import Guide, Link
from llmdive.model.vocab import Difficulty
from tests.helpers import FIXTURES, GUIDE_README, REPO, Invoke, links_in, ok
from tests.hostile import HOSTILE, assert_inert

LISTS = FIXTURES / "lists"
FLASH = "https://arxiv.org/abs/2307.08691"
FLASH_TITLE = "FlashAttention-2: Faster Attention with Better Parallelism"
KV = "https://huggingface.co/blog/kv-cache-explained"


def mine(key: str, title: str, url: str, level: Difficulty = Difficulty.UNRATED) -> Link:
    return Link(key, title, url, level, personal=True)


def links_of(guide: Guide) -> dict[str, tuple[str, str, str]]:
    return {k.id: (k.title, k.url, t.slug) for _, t in guide.walk() for k in t.links}


def git_apply(readme: Path, patch: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "apply", *extra, "-"],
        input=patch,
        cwd=readme.parent,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_bundled_readme_is_the_one_the_bundled_catalogue_was_imported_from() -> None:
    from llmdive.guide.catalogue import load_catalogue
    from llmdive.home.paths import bundled_guide

    text = bundled_readme().read_text(encoding="utf-8")
    assert text == GUIDE_README.read_text(encoding="utf-8")
    # The same links, ids and topics: a patch made on it is a patch of the bundled guide.
    assert links_of(parse_readme(text).guide) == links_of(load_catalogue(bundled_guide()).guide)


def test_links_for_empty_topics_are_added_under_their_headings_in_the_guides_style(
    tmp_path: Path,
) -> None:
    text = GUIDE_README.read_text(encoding="utf-8")
    result = contribution(
        text,
        [
            Offered(mine("flash", FLASH_TITLE, FLASH, Difficulty.HARD), "flash-attention-2"),
            Offered(mine("kv", "KV caching explained", KV, Difficulty.EASY), "kv-cache"),
        ],
    )
    added = [
        line[1:] for line in result.patch.splitlines() if line.startswith("+") and line[1:2] != "+"
    ]
    assert added == [
        f"- [{FLASH_TITLE}]({FLASH}) ![Hard](https://img.shields.io/badge/difficulty-Hard-red)",
        f"- [KV caching explained]({KV}) ![Easy](https://img.shields.io/badge/difficulty-Easy-green)",
    ]
    assert not [x for x in result.patch.splitlines() if x.startswith("-") and x[1:2] != "-"]
    lines = result.after.splitlines()
    assert lines[lines.index("#### ◻️Flash Attention 2") + 1] == added[0]
    assert lines[lines.index("#### ◻️KV Cache") + 1] == added[1]
    # git takes it, on the README it was made from, and it gives exactly `after`.
    readme = tmp_path / "README.md"
    shutil.copyfile(GUIDE_README, readme)
    assert git_apply(readme, result.patch, "--check").returncode == 0
    assert git_apply(readme, result.patch).returncode == 0
    assert readme.read_text(encoding="utf-8") == result.after
    # Re-imported: every link of the guide with its id, plus the two in their topics.
    before, after = links_of(parse_readme(text).guide), links_of(parse_readme(result.after).guide)
    assert {k: v for k, v in after.items() if k in before} == before
    assert sorted((t, u, s) for k, (t, u, s) in after.items() if k not in before) == [
        (FLASH_TITLE, FLASH, "flash-attention-2"),
        ("KV caching explained", KV, "kv-cache"),
    ]
    assert result.description.splitlines()[0] == "Add 2 links to Flash Attention 2 and KV Cache"
    assert "under Engineering › Flash Attention 2 (Hard)" in result.description


def test_a_link_goes_at_the_end_of_its_topics_list_written_like_its_neighbours() -> None:
    text = GUIDE_README.read_text(encoding="utf-8")
    # Rotary Positional Encoding's links are written "-[" (no space): so is the new one.
    result = contribution(
        text,
        [
            Offered(
                mine("r", "RoPE, visually", "https://example.org/rope"),
                "rotary-positional-encoding",
            )
        ],
    )
    (placed,) = result.placed
    assert placed.text == "-[RoPE, visually](https://example.org/rope)"
    after = result.after.splitlines()
    before = text.splitlines()
    assert after[placed.line - 2] == before[placed.line - 2]  # the topic's last link, before it
    assert after[: placed.line - 1] + after[placed.line :] == before
    # LoRA's links carry a Medium badge: a Medium link gets the badge, an unrated one none.
    result = contribution(
        text,
        [
            Offered(mine("a", "A", "https://example.org/a", Difficulty.MEDIUM), "lora"),
            Offered(mine("b", "B", "https://example.org/b"), "lora"),
        ],
    )
    assert [p.text for p in result.placed] == [
        "- [A](https://example.org/a) ![Medium](https://img.shields.io/badge/difficulty-Medium-yellow)",
        "- [B](https://example.org/b)",
    ]


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in LISTS.glob("*.md") if p.name != "README.md"),
)
def test_real_lists_take_a_patch_that_reimports_to_their_links_plus_ours(
    name: str, tmp_path: Path
) -> None:
    text = (LISTS / name).read_text(encoding="utf-8")
    guide = parse_readme(text, name).guide
    with_links = [t for _, t in guide.walk() if t.links]
    offered = [
        Offered(mine("p1", "First [new] *post*", "https://example.org/new-1"), with_links[0].slug),
        Offered(
            mine("p2", "Second post", "https://example.org/new-2", Difficulty.EASY),
            with_links[len(with_links) // 2].slug,
        ),
    ]
    result = contribution(text, offered)
    check_round_trip(result)  # raises if any other link or id moved
    readme = tmp_path / "README.md"
    readme.write_bytes((LISTS / name).read_bytes())
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    applied = git_apply(readme, result.patch, "--check")
    assert applied.returncode == 0, applied.stderr
    body = [x for x in result.patch.splitlines()[2:] if x[:1] in "+-"]
    # Only additions: the two links (and a blank line before an entry written as a heading).
    assert all(x.startswith("+") for x in body)
    assert len([x for x in body if x[1:].strip()]) == 2


def test_a_numbered_list_goes_on_counting_and_a_checklist_item_gets_an_empty_box() -> None:
    text = "# L\n\n## A\n\n1. [One](https://a.example/1)\n2. [Two](https://a.example/2)\n"
    result = contribution(text, [Offered(mine("n", "New", "https://a.example/3"), "a")])
    assert result.placed[0].text == "3. [New](https://a.example/3)"
    text = "# L\n\n## A\n\n- [ ] [One](https://a.example/1)\n- [x] [Two](https://a.example/2)\n"
    result = contribution(text, [Offered(mine("n", "New", "https://a.example/3"), "a")])
    assert result.placed[0].text == "- [ ] [New](https://a.example/3)"


def test_a_link_the_guide_already_has_by_its_normalised_url_is_not_contributed() -> None:
    text = GUIDE_README.read_text(encoding="utf-8")
    lora = "https://youtube.com/watch?v=PXWYUTMt-AU&utm_source=x"  # the guide's, written otherwise
    result = contribution(
        text,
        [
            Offered(mine("dup", "LoRA again", lora), "lora"),
            Offered(mine("twice", "Twice", "https://example.org/t"), "lora"),
            Offered(mine("twice-2", "Twice again", "https://example.org/t/"), "dpo"),
        ],
    )
    assert [k.id for k in result.already] == ["dup", "twice-2"]
    assert [p.link.id for p in result.placed] == ["twice"]


def test_a_file_without_a_final_newline_still_takes_the_patch(tmp_path: Path) -> None:
    text = "# L\n\n## A\n\n- [One](https://a.example/1)"
    result = contribution(text, [Offered(mine("n", "New", "https://a.example/2"), "a")])
    assert (
        result.after
        == "# L\n\n## A\n\n- [One](https://a.example/1)\n- [New](https://a.example/2)\n"
    )
    assert "\\ No newline at end of file" in result.patch
    readme = tmp_path / "README.md"
    readme.write_text(text, encoding="utf-8")
    assert git_apply(readme, result.patch).returncode == 0
    assert readme.read_text(encoding="utf-8") == result.after


def test_crlf_readmes_keep_their_line_ends(tmp_path: Path) -> None:
    text = "# L\r\n\r\n## A\r\n\r\n- [One](https://a.example/1)\r\n\r\n## B\r\n"
    result = contribution(text, [Offered(mine("n", "New", "https://a.example/2"), "a")])
    assert "- [New](https://a.example/2)\r\n\r\n## B" in result.after
    readme = tmp_path / "README.md"
    readme.write_bytes(text.encode())
    assert git_apply(readme, result.patch).returncode == 0
    assert readme.read_bytes() == result.after.encode()


@pytest.mark.parametrize("title", HOSTILE + ["](javascript:alert(1)) [x", "<script>x</script>"])
def test_hostile_titles_cannot_break_the_markdown_or_add_links(title: str) -> None:
    text = GUIDE_README.read_text(encoding="utf-8")
    url = "https://example.org/x?a=(1)&b=<2>"
    result = contribution(text, [Offered(mine("h", title, url), "kv-cache")])
    check_round_trip(result)
    (placed,) = result.placed
    # The new line is one link, to the URL given, whatever its title holds.
    from markdown_it import MarkdownIt

    assert [href for href, _ in links_in(placed.text)] == [MarkdownIt().normalizeLink(url)]
    assert "\n" not in placed.text and "\r" not in placed.text


def test_an_unknown_topic_says_what_to_do() -> None:
    text = GUIDE_README.read_text(encoding="utf-8")
    with pytest.raises(LlmdiveError, match="update the guide"):
        contribution(text, [Offered(mine("n", "N", "https://a.example/"), "no-such-topic")])


# ---------------------------------------------------------------- the command


def add(cli: Invoke, url: str, title: str, section: str, level: str = "unrated") -> None:
    ok(cli("add", url, "-t", title, "-s", section, "-d", level))


def test_contribute_prints_the_patch_and_the_pull_request_on_stderr(
    cli: Invoke, tmp_path: Path
) -> None:
    add(cli, FLASH, FLASH_TITLE, "flash-attention-2", "hard")
    add(cli, KV, "KV caching explained", "kv-cache", "easy")
    result = cli("contribute")
    patch = ok(result)
    assert patch.startswith("--- a/README.md\n+++ b/README.md\n@@ ")
    assert "Pull request:" in result.stderr and "(Hard)" in result.stderr
    readme = tmp_path / "clone" / "README.md"
    readme.parent.mkdir()
    shutil.copyfile(GUIDE_README, readme)
    assert git_apply(readme, patch, "--check").returncode == 0
    # One of them by id; -o writes exactly the patch.
    out = tmp_path / "one.patch"
    ok(cli("contribute", "kv-caching", "-o", str(out)))
    assert "KV caching" in out.read_text() and FLASH not in out.read_text()
    # --apply into the clone.
    result = cli("contribute", "--apply", str(readme.parent))
    assert result.exit_code == 0, result.output
    assert f"patched {readme}" in result.stderr
    patched = links_of(parse_readme(readme.read_text()).guide).values()
    assert (FLASH_TITLE, FLASH, "flash-attention-2") in patched
    assert ("KV caching explained", KV, "kv-cache") in patched
    # The clone's README is now another one: applying again is refused, nothing written.
    again = readme.read_text()
    result = cli("contribute", "--apply", str(readme.parent))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "is not the README this patch is for" in result.stderr
    assert readme.read_text() == again


def test_contribute_json_follows_its_schema(cli: Invoke) -> None:
    import jsonschema

    add(cli, KV, "KV caching explained", "kv-cache", "easy")
    data = json.loads(ok(cli("contribute", "--json")))
    schema = json.loads((REPO / "schema" / "contribute.json").read_text())
    jsonschema.validate(data, schema)
    assert data["added"][0]["section"] == ["Engineering", "KV Cache"]
    assert data["patch"].startswith("--- a/README.md")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((), "you have no links of your own to contribute"),
        (("lora",), "is the guide's own link"),
        (("no-such-id",), "no-such-id"),
    ],
)
def test_contribute_mistakes_are_one_line_and_exit_1(
    cli: Invoke, args: tuple[str, ...], said: str
) -> None:
    if args:
        add(cli, KV, "KV caching explained", "kv-cache")
    result = cli("contribute", *args)
    assert result.exit_code == 1
    assert said in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_a_catalogue_file_needs_the_readme_it_came_from(cli: Invoke, tmp_path: Path) -> None:
    guide = tmp_path / "g.toml"
    shutil.copyfile(REPO / "data/guide.toml", guide)
    add(cli, KV, "KV caching explained", "kv-cache")
    result = cli("--guide", str(guide), "contribute")
    assert result.exit_code == 1 and "--readme FILE" in result.stderr
    assert ok(cli("--guide", str(guide), "contribute", "--readme", str(GUIDE_README)))


def test_an_updated_guide_is_patched_as_it_was_fetched_and_reset_forgets_it(
    cli: Invoke, home: Path
) -> None:
    v2 = FIXTURES / "guide-v3-additions.md"
    ok(cli("guide", "update", "--from", str(v2)))
    assert (home / "guide-readme.md").read_bytes() == v2.read_bytes()
    add(cli, KV, "KV caching explained", "kv-cache")
    patch = ok(cli("contribute"))
    assert patch and "+- [KV caching explained]" in patch
    ok(cli("guide", "reset"))
    assert not (home / "guide-readme.md").exists()


def test_hostile_titles_reach_the_terminal_inert(cli: Invoke, home: Path) -> None:
    # personal.json is a file anyone may have edited: its titles hold anything.
    personal = [
        {
            "id": f"mine-{i}",
            "title": f"mine {text}",
            "url": f"https://example.org/{i}",
            "difficulty": "unrated",
            "section": "kv-cache",
            "added": "2026-01-02T00:00:00Z",
        }
        for i, text in enumerate(HOSTILE)
    ]
    (home / "personal.json").write_text(json.dumps({"version": 1, "links": personal}))
    result = cli("contribute")
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout, "contribute stdout")
    assert_inert(result.stderr, "contribute stderr")
    added = [x[1:] for x in result.stdout.splitlines() if x.startswith("+") and x[1:2] != "+"]
    assert len(added) == len(HOSTILE)
    for line in added:  # each one link, to its own URL
        assert [h for h, _ in links_in(line)][0].startswith("https://example.org/")


def test_a_followed_guides_links_are_contributed_against_its_own_readme(
    cli: Invoke, home: Path, tmp_path: Path
) -> None:
    source = LISTS / "mlabonne__llm-course.md"
    ok(cli("guide", "add", "llm-course", str(source)))
    assert (home / "guides.llm-course.md").read_bytes() == source.read_bytes()
    # Quantization: a topic the default guide has too, so its slug is qualified here.
    toc = json.loads(ok(cli("--guide", "llm-course", "toc", "--json")))
    slug = next(t["slug"] for t in toc[0]["topics"] if t["title"] == "Quantization")
    assert slug == "llm-course/quantization"
    add(cli, "https://example.org/a-course-post", "A course post", slug, "easy")
    add(cli, KV, "KV caching explained", "kv-cache")
    # One patch is for one README: links under two guides' topics are named one guide at a time.
    result = cli("contribute")
    assert result.exit_code == 1 and "several guides" in result.stderr
    patch = ok(cli("--guide", "llm-course", "contribute"))
    readme = tmp_path / "README.md"
    readme.write_bytes(source.read_bytes())
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    assert git_apply(readme, patch, "--check").returncode == 0
    assert "+" in patch and "A course post" in patch and "KV caching" not in patch
    assert "KV caching" in ok(cli("--guide", "default", "contribute"))
    # The kept README goes with the guide: renamed with it, removed with it.
    ok(cli("guide", "rename", "llm-course", "course"))
    assert (home / "guides.course.md").exists() and not (home / "guides.llm-course.md").exists()
    ok(cli("guide", "remove", "course"))
    assert not (home / "guides.course.md").exists()


def test_a_row_for_a_table_goes_after_its_last_row() -> None:
    """The topic's last link is not in the table's last row: the new row still ends the table."""
    text = (
        "# L\n\n## Tools\n\n| Tool | Link |\n| --- | --- |\n"
        "| One | [One](https://a.example/1) |\n| Two | no link yet |\n\nAfter.\n"
    )
    result = contribution(text, [Offered(mine("n", "New", "https://a.example/3"), "tools")])
    lines = result.after.split("\n")
    assert lines[7:9] == ["| Two | no link yet |", "|  | [New](https://a.example/3) |"]
