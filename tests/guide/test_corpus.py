"""The importer measured against real curated lists (tests/fixtures/lists, issue 17).

Each list of the corpus is imported with the real importer and held to its expected items
(tests/fixtures/lists/*.expected.toml, made by the rule in tests/fixtures/lists/README.md):
at least 95% of the expected items found and at least 95% of what is imported real items,
by normalised URL; every hand-checked sample found with its title under its section; no
generic titles, no structural sections; the list's own title; and the list usable through
the CLI (`guide update --from ... --force`, then `toc`, `next`, `search`).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from llmdive.guide.readme import parse_readme
from llmdive.model.models import Guide
from llmdive.model.urls import url_key
from tests.corpus import (
    BAR,
    Case,
    cases,
    fold,
    heading_key,
    items,
    recall_precision,
    samples_missed,
    walk,
)
from tests.helpers import Invoke, ok

# Link texts that never say what an item is (issue 17, deliver 3).
GENERIC = {"pdf", "paper", "here", "link", "article", "github", "code", "video", "web"}
GENERIC |= {"website", "discord"}
STRUCTURAL = {"category", "description", "links", "table of contents"}


CASES = cases()
IDS = [c.name for c in CASES]


@cache
def imported(fixture: Path) -> Guide:
    text = fixture.read_text(encoding="utf-8")
    return parse_readme(text, source=str(fixture)).guide


def test_the_corpus_is_at_least_twelve_real_lists_plus_the_guide() -> None:
    assert len(CASES) >= 13
    for case in CASES:
        assert case.fixture.stat().st_size > 0
        assert case.expected["items"] == len(case.keys), case.name
        assert len(case.expected["sample"]) >= 10, case.name


def test_the_guide_expects_exactly_its_own_catalogue() -> None:
    # The rule of tests/fixtures/lists/README.md agrees with the guide's own format.
    case = next(c for c in CASES if c.name == "llm-deep-dive")
    bundled = Path(__file__).resolve().parents[2] / "data" / "guide.toml"
    urls = {link["url"] for link in _links_of_toml(tomllib.loads(bundled.read_text("utf-8")))}
    assert {url_key(u) for u in urls} == case.keys


def _links_of_toml(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for section in data.get("sections", []):
        yield from section.get("links", [])
        yield from _links_of_toml({"sections": section.get("topics", [])})


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_recall_and_precision_by_normalised_url(case: Case) -> None:
    recall, precision, found = recall_precision(case, imported(case.fixture))
    missing = sorted(case.keys - found)[:5]
    extra = sorted(found - case.keys)[:5]
    assert recall >= BAR and precision >= BAR, (
        f"{case.name}: recall {recall:.3f}, precision {precision:.3f}; "
        f"missing e.g. {missing}; not items e.g. {extra}"
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_sample_is_found_with_its_title_under_its_section(case: Case) -> None:
    wrong = samples_missed(case, imported(case.fixture))
    assert not wrong, f"{case.name}: " + "; ".join(wrong)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_no_item_is_titled_a_generic_word(case: Case) -> None:
    allowed = {t.casefold() for t in case.expected["generic_ok"]}
    generic = [
        (topic.title, link.title)
        for topic, link in items(imported(case.fixture))
        if (word := fold(link.title).strip("[]() ").casefold()) in GENERIC and word not in allowed
    ]
    assert not generic, f"{case.name}: {len(generic)} generic titles, e.g. {generic[:5]}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_no_section_or_topic_is_a_structural_word(case: Case) -> None:
    bad = [t.title for t in walk(imported(case.fixture).sections)]
    bad = [title for title in bad if heading_key(title) in STRUCTURAL]
    assert not bad, f"{case.name}: {len(bad)} sections like {bad[:5]}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_guide_is_titled_as_the_list_titles_itself(case: Case) -> None:
    title = imported(case.fixture).title
    assert heading_key(title) in {heading_key(t) for t in case.expected["titles"]}, title
    assert "](" not in title and "<" not in title.replace("<insert-technology-here>", "")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_list_is_usable_through_the_cli(case: Case, cli: Invoke, home: Path) -> None:
    ok(cli("guide", "update", "--from", str(case.fixture), "--force"))
    sample = case.expected["sample"]

    toc = fold(ok(cli("toc")))
    for section in {s["section"] for s in sample}:
        assert fold(section) in toc, f"{case.name}: section {section!r} not in toc"

    # What `next` offers first, one link per section, is what a reader sees: titled for what
    # they are, and mostly reading items (precision above holds the import to 95%).
    picks = [pick["link"] for pick in json.loads(ok(cli("next", "--json")))]
    assert picks, f"{case.name}: next offers nothing"
    items_offered = [link for link in picks if url_key(link["url"]) in case.keys]
    assert len(items_offered) * 2 >= len(picks), f"{case.name}: next offers {picks[:3]}"
    shown = fold(ok(cli("next")))
    for link in picks:
        title = fold(link["title"])
        assert title and title.strip("[]() ").casefold() not in GENERIC, link
        assert title[:30] in shown, f"{case.name}: {link['title']!r} not shown by next"

    # The rarest word of the sample titles finds its item.
    text = case.fixture.read_text(encoding="utf-8").casefold()
    words = [
        (text.count(w.casefold()), w, entry)
        for entry in sample
        for w in re.findall(r"[^\W\d_]{5,}", entry["title"])
    ]
    assert words, f"{case.name}: no sample title has a word to search for"
    _, word, entry = min(words, key=lambda t: t[0])
    found = json.loads(ok(cli("search", word, "--json")))
    assert any(url_key(hit["url"]) == url_key(entry["url"]) for hit in found), (
        f"{case.name}: search {word!r} misses {entry['url']}"
    )
    assert fold(entry["title"])[:30] in fold(ok(cli("search", word)))
