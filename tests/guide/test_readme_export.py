"""The README export of related links (guide/readme.py's export half: link_line)."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt

from llmdive.guide.readme import link_line
from llmdive.model.models import Difficulty, Link, Related
from tests.helpers import FIXTURES, Invoke, ok


def test_a_link_s_related_links_follow_it_on_its_line() -> None:
    link = Link(
        "attention-paper",
        "Attention Is All You Need",
        "https://arxiv.org/abs/1706.03762",
        Difficulty.HARD,
        related=(
            Related("code", "https://github.com/tensorflow/tensor2tensor"),
            Related("[pdf]", "https://arxiv.org/pdf/1706.03762"),
            Related("wiki", "https://en.wikipedia.org/wiki/Transformer_(deep_learning)"),
        ),
    )
    line = link_line(link)
    assert line == (
        "- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)"
        " ![Hard](https://img.shields.io/badge/difficulty-Hard-red)"
        " · [code](https://github.com/tensorflow/tensor2tensor)"
        " · [\\[pdf\\]](https://arxiv.org/pdf/1706.03762)"
        " · [wiki](https://en.wikipedia.org/wiki/Transformer_(deep_learning))"
    )
    # As Markdown: one list item, the link first, each related link a link of its own.
    tokens = MarkdownIt("commonmark").parse(line)
    (inline,) = [t for t in tokens if t.type == "inline"]
    children = inline.children or []
    hrefs = [c.attrs["href"] for c in children if c.type == "link_open"]
    assert hrefs == [link.url, *(r.url for r in link.related)]
    texts = [children[i + 1].content for i, c in enumerate(children) if c.type == "link_open"]
    assert texts == [link.title, "code", "[pdf]", "wiki"]
    # Without related links, the line is the guide's own, as before.
    bare = Link(link.id, link.title, link.url, Difficulty.HARD)
    assert link_line(bare) == line.split(" · ")[0]
    # The re-import half (parse_readme gives these back as related links) comes with the
    # importer's rewrite (issue 17): today's parser makes each link on a line an item.


def test_a_hostile_related_title_cannot_add_a_link_to_the_export_line() -> None:
    evil = "x](https://evil.example) [y](javascript:alert(1)) ![i](https://evil.example/i.png"
    link = Link("a", "A", "https://a.example/", related=(Related(evil, "https://a.example/r"),))
    tokens = MarkdownIt("commonmark").parse(link_line(link))
    (inline,) = [t for t in tokens if t.type == "inline"]
    children = inline.children or []
    assert [c.attrs["href"] for c in children if c.type == "link_open"] == [
        "https://a.example/",
        "https://a.example/r",
    ]
    assert not [c for c in children if c.type in ("image", "html_inline")]


def test_guide_export_toml_keeps_the_related_links(cli: Invoke, tmp_path: Path) -> None:
    from llmdive.guide.catalogue import load_catalogue

    guide = FIXTURES / "related-guide.toml"
    out = tmp_path / "again.toml"
    ok(cli("--guide", str(guide), "guide", "export", "--format", "toml", "-o", str(out)))
    again = load_catalogue(out)
    assert again.guide == load_catalogue(guide).guide
    assert [len(i.link.related) for i in again.items] == [3, 0, 2]


def test_related_links_round_trip_through_the_readme_export() -> None:
    """The re-import half: needs the importer of issue 17 (s3-importer), which reads the
    links after an item's first as its related links."""
    from llmdive.guide.catalogue import load_catalogue
    from llmdive.guide.readme import export_readme, parse_readme

    guide = load_catalogue(FIXTURES / "related-guide.toml").guide
    again = parse_readme(export_readme(guide)).guide
    got = [(k.title, k.url, [r.url for r in k.related]) for _, t in again.walk() for k in t.links]
    want = [(k.title, k.url, [r.url for r in k.related]) for _, t in guide.walk() for k in t.links]
    assert got == want
    titles = [[r.title for r in k.related] for _, t in again.walk() for k in t.links]
    assert titles == [["code", "pdf", "Yannic Kilcher's walkthrough"], [], ["code", "slides"]]
