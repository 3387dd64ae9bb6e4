"""A catalogue's words kept in the cache with the links holding each (find/index.py): a
search through them finds exactly what a search over the links' texts finds, reads them
back instead of splitting the fields again, and builds them again when they are damaged."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmdive.find import index, search
from llmdive.guide.catalogue import Catalogue, Item, load_catalogue
from llmdive.home import cache
from llmdive.home.paths import bundled_guide
from tests.helpers import FIXTURES

QUERIES = [
    "atention",
    "attention",
    "flash attn",
    "rope",
    "kv cache",
    "lora finetuning",
    "transformer",
    "gpt 2",
    "a",
    "of",
    "youtube",
    "github",
    "illustrated",
    "tensor2tensor",
    "Ünïcode",
    "mixture of experts",
    "quantization llm",
    "caching",
    "no such words at all",
]


def hits(found: list[search.Hit]) -> list[tuple[str, float, frozenset[str], tuple[str, ...]]]:
    return [(h.item.link.id, h.score, h.matched, h.fields) for h in found]


def both(
    catalogue: Catalogue,
    query: str,
    items: list[Item] | None = None,
    notes: dict[str, str] | None = None,
) -> None:
    """The same hits with and without the index (and the index was used)."""
    chosen = catalogue.items if items is None else items
    plain = search.search(chosen, query, notes)
    path = catalogue.path
    assert path is not None
    indexed = search.search(chosen, query, notes, cache_as=path, catalogue=catalogue)
    assert hits(indexed) == hits(plain), query
    assert [h.item for h in indexed] == [h.item for h in plain]  # the same objects


@pytest.mark.parametrize("guide", [bundled_guide(), FIXTURES / "related-guide.toml"])
def test_a_search_through_the_index_finds_what_a_search_of_the_texts_finds(guide: Path) -> None:
    catalogue = load_catalogue(guide)
    assert catalogue.digest is not None
    some = catalogue.items[::3]
    notes = {catalogue.items[1].link.id: "Read twice: attention and caching, ÜBER fast"}
    for query in QUERIES:
        both(catalogue, query)
        both(catalogue, query, items=some)  # a selection (--section, -d, --status)
        both(catalogue, query, notes=notes)


def test_a_guide_with_accents_and_odd_characters_searches_the_same(tmp_path: Path) -> None:
    guide = tmp_path / "guide.toml"
    links = [
        ("cafe", "Café crème: the Ünïcode way", "https://example.com/caf%C3%A9?x=1#y"),
        ("tabs", "Tabs\tand_underscores-and.dots", "https://www.example.com/a_b/c-d"),
        ("chinese", "中文 大模型 LLM", "https://example.cn/zh"),
        ("strasse", "Straße naïve résumé", "http://example.de/strasse"),
    ]
    body = "".join(
        f'[[sections.links]]\nid = "{i}"\ntitle = "{t}"\nurl = "{u}"\n' for i, t, u in links
    )
    guide.write_text(
        f'version = 1\n[[sections]]\nslug = "s"\ntitle = "Séction Ä"\n{body}', encoding="utf-8"
    )
    catalogue = load_catalogue(guide)
    for query in ["cafe", "creme", "unicode", "underscores", "dots", "中文", "strasse", "naive",
                  "www", "https", "example", "section", "a", "resume", "caf"]:  # fmt: skip
        both(catalogue, query)


def test_the_index_is_read_back_from_the_cache_not_built_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalogue = load_catalogue(bundled_guide())
    assert catalogue.path is not None
    first = search.search(catalogue.items, "lora", cache_as=catalogue.path, catalogue=catalogue)

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("built again")

    # Neither the index nor the links' texts are built: the words come from the cache.
    monkeypatch.setattr(index, "_record", refused)
    monkeypatch.setattr(search, "item_fields", refused)
    again = load_catalogue(bundled_guide())
    found = search.search(again.items, "lora", cache_as=catalogue.path, catalogue=again)
    assert [h.item.link.id for h in found] == [h.item.link.id for h in first]
    assert found


def test_a_damaged_index_is_built_again(monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = load_catalogue(bundled_guide())
    assert catalogue.path is not None
    expected = hits(search.search(catalogue.items, "attention"))
    real_read = cache.read

    def damaged(kind: str, *args: object, **kwargs: object) -> object:
        record = real_read(kind, *args, **kwargs)  # type: ignore[arg-type]
        if kind == "postings" and record is not None:
            record["links"] += 1  # an index of other links
        return record

    search.search(catalogue.items, "attention", cache_as=catalogue.path, catalogue=catalogue)
    monkeypatch.setattr(cache, "read", damaged)
    found = search.search(
        catalogue.items, "attention", cache_as=catalogue.path, catalogue=catalogue
    )
    assert hits(found) == expected


def test_a_catalogue_not_loaded_from_a_file_searches_its_texts() -> None:
    catalogue = load_catalogue(bundled_guide())
    combined = Catalogue(catalogue.guide, catalogue.path)  # as guides combined are made
    assert not combined.digest
    assert index.load_index(combined, bundled_guide(), None) is None
    assert catalogue.path is not None
    found = search.search(combined.items, "atention", cache_as=catalogue.path, catalogue=combined)
    assert hits(found) == hits(search.search(combined.items, "atention"))
    assert found
