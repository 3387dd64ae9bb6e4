"""The catalogue itself: `guide import`, `guide export` (cli/guide.py)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import FIXTURES, GUIDE_README, Invoke, ok


def test_a_broken_guide_is_reported_per_problem(cli: Invoke, tmp_path: Path) -> None:
    guide = tmp_path / "bad.toml"
    guide.write_text(
        'version = 1\n[[sections]]\nslug = "s"\ntitle = "S"\n'
        '[[sections.links]]\nid = "a"\ntitle = "A"\nurl = "https://a.example"\ndifficulty = "x"\n'
        '[[sections.links]]\nid = "a"\ntitle = ""\nurl = "https://b.example"\n'
    )
    result = cli("--guide", str(guide), "list")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"llmdive: error: {guide}: sections[0] (S).links[0] (a).difficulty: "
        "must be one of 'easy', 'medium', 'hard' or 'unrated'",
        f"llmdive: error: {guide}: sections[0] (S).links[1] (a).title: "
        "String should have at least 1 character",
    ]


def test_guide_import_writes_the_catalogue(cli: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "g.toml"
    result = cli("guide", "import", str(GUIDE_README), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {out}: 18 sections, 29 links\n"
    assert ok(cli("guide", "import", str(GUIDE_README))) == out.read_text()
    assert "aliases" not in out.read_text()  # a first import has no old ids


def test_guide_import_counts_in_the_singular_and_refuses_a_readme_without_links(
    cli: Invoke, tmp_path: Path
) -> None:
    one = tmp_path / "one.md"
    one.write_text(
        "# A list\n\n### Attention\n\n- [FlashAttention](https://arxiv.org/abs/2205.14135)\n"
    )
    out = tmp_path / "g.toml"
    result = cli("guide", "import", str(one), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {out}: 1 section, 1 link\n"
    result = cli("guide", "import", str(one), "--output", str(out))
    assert result.stderr == f"wrote {out}: 1 section, 1 link, 1 id kept\n"
    none = tmp_path / "none.md"
    none.write_text("# Notes\n\n### Attention\n\nNothing to read yet.\n")
    for args in (["-o", str(tmp_path / "empty.toml")], []):
        result = cli("guide", "import", str(none), *args)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            f"llmdive: error: {none} is evidently not a reading list: it has no links in lists, "
            "tables or headings; nothing written\n"
        )
    assert not (tmp_path / "empty.toml").exists()


def test_data_guide_toml_is_the_import_onto_itself_byte_for_byte(
    cli: Invoke, tmp_path: Path
) -> None:
    """data/guide.toml is made (README: how) by importing the guide's README onto it."""
    from llmdive.home.paths import bundled_guide

    bundled = bundled_guide().read_text(encoding="utf-8")
    out = tmp_path / "guide.toml"
    out.write_text(bundled, encoding="utf-8")
    result = cli("guide", "import", str(GUIDE_README), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {out}: 18 sections, 29 links, 29 ids kept\n"
    assert out.read_text(encoding="utf-8") == bundled
    # Its ids fit 24 characters; the long ids they replaced are kept as aliases.
    assert 'id = "merging-tokens"' in bundled
    assert '"merging-tokens-accelerate-llm-inference"' in bundled


def test_importing_onto_a_file_with_long_ids_shortens_them_keeping_aliases(
    cli: Invoke, tmp_path: Path
) -> None:
    from llmdive.home.paths import bundled_guide

    old = bundled_guide().read_text(encoding="utf-8")
    # The file as it was before ids were short: the long id, no alias.
    old = old.replace('id = "merging-tokens"', 'id = "merging-tokens-accelerate-llm-inference"')
    old = old.replace('aliases = [\n    "merging-tokens-accelerate-llm-inference",\n]\n', "")
    out = tmp_path / "guide.toml"
    out.write_text(old, encoding="utf-8")
    assert cli("guide", "import", str(GUIDE_README), "--output", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == bundled_guide().read_text(encoding="utf-8")


def test_guide_import_of_a_readme_without_sections(cli: Invoke, tmp_path: Path) -> None:
    readme = tmp_path / "R.md"
    readme.write_text("# nothing here\n")
    out = tmp_path / "g.toml"
    result = cli("guide", "import", str(readme), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == (
        f"llmdive: error: {readme}: no reading items found (links in lists, tables or "
        "headings); nothing was imported\n"
    )
    assert not out.exists()


def test_guide_export_markdown_and_toml(cli: Invoke, tmp_path: Path) -> None:
    from llmdive.guide.readme import parse_readme
    from llmdive.home.paths import bundled_guide

    md = ok(cli("guide", "export"))
    assert md.startswith("# The LLM Deep Dive\n")
    assert len([x for _, t in parse_readme(md).guide.walk() for x in t.links]) == 29
    assert ok(cli("guide", "export", "--format", "toml")) == bundled_guide().read_text()
    out = tmp_path / "README.md"
    ok(cli("guide", "export", "-o", str(out)))
    assert out.read_text() == md
    bad = cli("guide", "export", "--format", "pdf")
    assert bad.exit_code == 2
    assert "'pdf' is not one of 'markdown', 'toml'" in bad.stderr


def test_guide_import_keeps_the_ids_of_an_existing_output(cli: Invoke, tmp_path: Path) -> None:
    from llmdive.guide.catalogue import load_catalogue
    from llmdive.home.paths import bundled_guide

    out = tmp_path / "guide.toml"
    text = bundled_guide().read_text().replace('id = "lora-explained"', 'id = "my-lora"')
    out.write_text(text)
    result = cli("guide", "import", str(FIXTURES / "guide-v3-additions.md"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {out}: 18 sections, 32 links, 29 ids kept\n"
    ids = set(load_catalogue(out).by_id)
    assert {"my-lora", "annotated-transformer", "fineweb-datasets"} <= ids
    assert "lora-explained" not in ids


def test_guide_import_never_overwrites_a_broken_output(cli: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "guide.toml"
    out.write_text("this is = = not toml")
    result = cli("guide", "import", str(GUIDE_README), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"llmdive: error: {out}: not valid TOML")
    assert out.read_text() == "this is = = not toml"
