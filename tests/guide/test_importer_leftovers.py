"""What a demanding reader still hit after issue 17's importer: links relative to the list's
repository, bold labels over nested bullets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmdive.guide.importer import group_warnings, parse_readme
from tests.helpers import Invoke, screen

RELATIVE = (
    "# L\n\n## Docs\n\n- [Guide](docs/intro.md) - the intro\n"
    "- [Next](./part%202/x.md#top) - more\n- [Root](/a/b.md) - at the top\n"
    "- [Contributing](CONTRIBUTING.md)\n- [Up and out](../../x.md)\n"
    "- [Web](https://example.com/w) ([code](src/w.py))\n"
)


def links(text: str, source: str) -> list[tuple[str, str, list[str]]]:
    guide = parse_readme(text, source).guide
    return [(k.title, k.url, [r.url for r in k.related]) for _, t in guide.walk() for k in t.links]


@pytest.mark.parametrize(
    ("source", "base", "folder"),
    [
        ("https://raw.githubusercontent.com/o/r/main/README.md", "o/r/blob/main", ""),
        ("https://raw.githubusercontent.com/o/r/refs/heads/main/README.md", "o/r/blob/main", ""),
        ("https://github.com/o/r/blob/dev/sub/README.md", "o/r/blob/dev", "sub/"),
    ],
)
def test_links_relative_to_a_github_repository_are_its_files(
    source: str, base: str, folder: str
) -> None:
    home = f"https://github.com/{base}/"
    assert links(RELATIVE, source) == [
        ("Guide", f"{home}{folder}docs/intro.md", []),
        ("Next", f"{home}{folder}part%202/x.md#top", []),
        ("Root", f"{home}a/b.md", []),
        ("Web", "https://example.com/w", [f"{home}{folder}src/w.py"]),
    ]
    warnings = parse_readme(RELATIVE, source).warnings
    assert [w.kind for w in warnings] == ["links to the repository's own files skipped"] * 2  # type: ignore[attr-defined]


def test_relative_links_of_a_file_with_no_repository_are_skipped_with_one_grouped_warning() -> None:
    text = RELATIVE + "- [More](more.md)\n- [Most](most.md)\n"
    result = parse_readme(text, "README.md")
    assert links(text, "README.md") == [("Web", "https://example.com/w", [])]
    assert group_warnings(result.warnings) == [
        "5 links relative to the repository skipped (import the README from its GitHub URL to "
        "keep them); the first 3 (--verbose shows all):",
        "  README.md:5: link 'Guide' skipped: 'docs/intro.md' is a file of the list's "
        "repository, which is not known",
        "  README.md:6: link 'Next' skipped: './part%202/x.md#top' is a file of the list's "
        "repository, which is not known",
        "  README.md:7: link 'Root' skipped: '/a/b.md' is a file of the list's repository, "
        "which is not known",
        "README.md:8: link 'Contributing' skipped: 'CONTRIBUTING.md' is about the repository "
        "(or outside it), not a reading item",
        "README.md:9: link 'Up and out' skipped: '../../x.md' is about the repository (or "
        "outside it), not a reading item",
    ]


def test_a_bullet_of_only_bold_text_over_nested_bullets_is_a_topic() -> None:
    text = (
        "# L\n\n## Tools\n\n- **Frameworks**\n  - [LangChain](https://langchain.com) - chains\n"
        "  - [LlamaIndex](https://llamaindex.ai) - indexes\n- **Vector DBs:**\n"
        "  - [Faiss](https://faiss.ai)\n- **BERT**\n  - [paper](https://arxiv.org/abs/1810.04805)\n"
        "  - [code](https://github.com/google-research/bert)\n"
        "- [Plain](https://plain.example) - an item\n"
    )
    guide = parse_readme(text, "T.md").guide
    assert [
        ([p.title for p in path], [(k.title, [r.title for r in k.related]) for k in t.links])
        for path, t in guide.walk()
    ] == [
        # a bold name over its paper's links stays that paper, with its code beside it
        (["Tools"], [("Plain", []), ("BERT", ["code"])]),
        (["Tools", "Frameworks"], [("LangChain", []), ("LlamaIndex", [])]),
        (["Tools", "Vector DBs"], [("Faiss", [])]),
    ]


def test_guide_update_json_carries_the_warnings_by_kind_and_prints_none(
    cli: Invoke, tmp_path: Path
) -> None:
    readme = tmp_path / "r.md"
    lines = "".join(f"- [Doc {n}](docs/{n}.md)\n" for n in range(5))
    readme.write_text(
        f"# L\n\n## A\n\n- [P](https://a.example/p)\n{lines}- [](https://a.example/e)\n"
    )
    result = cli("guide", "update", "--from", str(readme), "--force", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    warnings = json.loads(result.stdout)["warnings"]
    kinds = [(w["kind"], w["count"], len(w["lines"])) for w in warnings]
    assert kinds == [
        (
            "links relative to the repository skipped (import the README from its GitHub URL "
            "to keep them)",
            5,
            5,
        ),
        ("links without a title skipped", 1, 1),
    ]
    assert warnings[0]["lines"][0] == (
        f"{readme}:6: link 'Doc 0' skipped: 'docs/0.md' is a file of the list's repository, "
        "which is not known"
    )
    text = cli("guide", "update", "--from", str(readme), "--force", "--dry-run")
    assert "5 links relative to the repository skipped" in text.stderr


def test_the_export_of_an_imported_list_wears_only_what_it_has(cli: Invoke, tmp_path: Path) -> None:
    readme = tmp_path / "r.md"
    readme.write_text(
        "# Awesome Things\n\n## Tools\n\nUseful tools.\n\n### Editors\n\n"
        "- [Vim](https://www.vim.org) - an editor\n- [Emacs](https://www.gnu.org/software/emacs)\n\n"
        "## Papers\n\n- [Attention](https://arxiv.org/abs/1706.03762) [code](https://github.com/x/y)\n"
    )
    assert cli("guide", "update", "--from", str(readme), "--force").exit_code == 0
    text = cli("guide", "export").stdout
    assert text == (
        "# Awesome Things\n\n## Tools\n\nUseful tools.\n\n### Editors\n\n"
        "- [Vim](https://www.vim.org)\n- [Emacs](https://www.gnu.org/software/emacs)\n\n"
        "## Papers\n\n- [Attention](https://arxiv.org/abs/1706.03762) · [code](https://github.com/x/y)\n"
    )
    for decoration in ("🟩", "◻️", "Add to the guide", "Table of contents", "shields.io"):
        assert decoration not in text
    cli("guide", "reset")
    bundled = cli("guide", "export").stdout
    assert bundled.startswith("# The LLM Deep Dive") and "### 🟩 Add to the guide:" in bundled


UNRATED_LIST = (
    "# Awesome Things\n\n## Tools\n\n- [Vim](https://www.vim.org) - an editor\n"
    "- [Emacs](https://www.gnu.org/software/emacs)\n\n"
    "## Papers\n\n- [Attention](https://arxiv.org/abs/1706.03762) [code](https://github.com/x/y)\n"
)


@pytest.mark.parametrize("width", [60, 80])
@pytest.mark.parametrize("styled", [True, False])
def test_a_guide_that_rates_nothing_says_unrated_nowhere(
    cli: Invoke, tmp_path: Path, width: int, styled: bool
) -> None:
    readme = tmp_path / "r.md"
    readme.write_text(UNRATED_LIST)
    assert cli("guide", "update", "--from", str(readme), "--force").exit_code == 0
    for args in (["list"], ["next"], ["show", "vim"], ["search", "attention"]):
        if styled:
            out = screen(cli, *args, width=width)
        else:
            result = cli(*args, env={"COLUMNS": str(width)})
            assert result.exit_code == 0, result.output
            out = result.stdout
        assert "Unrated" not in out, (args, out)
        assert "vim" in out or "attention" in out
    rows = screen(cli, "list", width=width).splitlines()
    assert rows[1].split() == ["·", "vim", "article", "Vim"]
    # A guide that rates its links still shows every badge, Unrated ones too.
    cli("guide", "reset")
    assert cli("add", "https://example.com/mine", "-t", "Mine", "-s", "lora").exit_code == 0
    listed = screen(cli, "list", "--section", "lora", width=width)
    assert "Unrated" in listed and "Medium" in listed


def test_a_bold_line_over_headings_is_the_group_they_belong_to() -> None:
    text = (
        "# Awesome Python\n\n## Projects\n\n**AI & ML**\n\n### Deep Learning\n\n"
        "- [PyTorch](https://pytorch.org) - tensors\n\n### Vision\n\n- [OpenCV](https://opencv.org)\n\n"
        "**Web Development**\n\n### Web Frameworks\n\n- [Django](https://djangoproject.com)\n\n"
        "## Notes\n\n**This is said in bold, and is prose.**\n\n- [Blog](https://blog.example)\n"
    )
    guide = parse_readme(text, "T.md").guide
    assert [([p.title for p in path], [k.title for k in t.links]) for path, t in guide.walk()] == [
        (["AI & ML"], []),
        (["AI & ML", "Deep Learning"], ["PyTorch"]),
        (["AI & ML", "Vision"], ["OpenCV"]),
        (["Web Development"], []),
        (["Web Development", "Web Frameworks"], ["Django"]),
        (["Notes"], ["Blog"]),
    ]
    assert guide.sections[-1].description == "This is said in bold, and is prose."
