"""The importer's faster paths give exactly what the slower ones they replace give.

The importer parses with markdown-it-py, but scans a link's destination with a regular
expression (`_link_destination`) where markdown-it loops over every character in Python:
the tokens of every list of the corpus, of the seed README and of the bench's long lists
are compared with those of markdown-it's own helpers. The catalogue is written by
`toml_text`, which must give tomli-w's bytes for every document.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
import tomli_w
from markdown_it import helpers
from markdown_it.token import Token

from llmdive.guide import importer
from llmdive.guide.catalogue import guide_document, toml_text
from llmdive.guide.importer import walk
from tests.helpers import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
READMES = sorted([*FIXTURES.glob("*.md"), *(FIXTURES / "lists").glob("*__*.md")])


@cache
def bench() -> ModuleType:
    """bench/run.py, for the READMEs it builds."""
    spec = importlib.util.spec_from_file_location("llmdive_bench", ROOT / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("llmdive_bench", module)
    spec.loader.exec_module(module)
    return module


def tokens(text: str, *, stock: bool) -> list[Token]:
    md = walk._make_parser(text)
    if stock:
        md.helpers = helpers
    return md.parse(text)


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.stem)
def test_tokens_of_every_corpus_list_are_markdown_its_own(readme: Path) -> None:
    text = readme.read_text(encoding="utf-8")
    assert tokens(text, stock=False) == tokens(text, stock=True)


def test_tokens_of_the_bench_lists_are_markdown_its_own() -> None:
    for text in (bench().big_readme(links=2_000), bench().big_list(chars=300_000)):
        assert tokens(text, stock=False) == tokens(text, stock=True)


DESTINATIONS = [
    "https://example.com/a",
    "https://example.com/a b",
    "https://example.com/a)",
    "https://example.com/(a)",
    "https://example.com/((a)",
    "https://example.com/a\\)b",
    "https://example.com/a\\ b",
    "https://example.com/a\\",
    "https://example.com/&amp;x",
    "https://example.com/a\tb",
    "https://example.com/a\nb",
    "https://example.com/a\x7fb",
    "https://example.com/a\x00b",
    "https://example.com/é/ü",
    "<https://example.com/a b>",
    "<https://example.com/a",
    "<>",
    "",
    " x",
    ")",
    "(",
    "\\",
    "(" * 40 + ")" * 40,
    '"title"',
]


@pytest.mark.parametrize("dest", DESTINATIONS)
def test_a_destination_is_scanned_as_markdown_it_scans_it(dest: str) -> None:
    for text in (dest, f"{dest} 'title')", f"{dest})tail"):
        for pos in range(min(len(text), 3) + 1):
            for end in {len(text), max(pos, len(text) - 1)}:
                fast = walk._link_destination(text, pos, end)
                slow = helpers.parseLinkDestination(text, pos, end)
                assert (fast.ok, fast.pos, fast.str) == (slow.ok, slow.pos, slow.str), (text, pos)


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.stem)
def test_the_catalogue_of_every_corpus_list_is_written_as_tomli_w_writes_it(readme: Path) -> None:
    doc = guide_document(importer.parse_readme(readme.read_text(encoding="utf-8")).guide)
    assert toml_text(doc) == tomli_w.dumps(doc)


def test_the_catalogue_of_a_bench_list_is_written_as_tomli_w_writes_it() -> None:
    for text in (bench().big_readme(links=2_000), bench().big_list(chars=300_000)):
        doc = guide_document(importer.parse_readme(text).guide)
        assert toml_text(doc) == tomli_w.dumps(doc)


def test_any_strings_keys_and_arrays_are_written_as_tomli_w_writes_them() -> None:
    rng = random.Random(17)
    alphabet = [chr(i) for i in range(130)] + ["é", "\u2028", "\ud800", "💥", "\t", "\\"]
    for _ in range(2_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        key = rng.choice(["a", "b-c_D9", "", "a b", "é", text[:5]])
        doc = {
            key: text,
            "n": rng.randint(-5, 5),
            "yes": rng.random() < 0.5,
            "names": [text, text[:3]],
            "none": [],
            "related": [{"title": text, "url": "u" * rng.randint(0, 90)}],
            "inline": [{}, {"t": text}],
            "table": {"x": text, "deeper": {"y": [text]}},
            "arrays": [{"a": [1, 2]}, {"b": "c"}],
        }
        assert toml_text(doc) == tomli_w.dumps(doc), doc


def _slugify_by_characters(text: str) -> str:
    """slugify as it was written before (a loop over characters): the reference."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out: list[str] = []
    pending_dash = False
    for ch in ascii_text.lower():
        if ch.isalnum():
            if pending_dash and out:
                out.append("-")
            out.append(ch)
            pending_dash = False
        else:
            pending_dash = True
    return "".join(out)


def test_slugify_gives_what_the_loop_over_characters_gave() -> None:
    from llmdive.model.ids import slugify

    rng = random.Random(26)
    alphabet = [chr(i) for i in range(400)] + ["é", "Å", "ﬁ", "①", "²", "💥", "İ", "K"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        assert slugify(text) == _slugify_by_characters(text), text
