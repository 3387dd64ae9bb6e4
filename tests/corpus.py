"""The corpus of real curated lists (tests/fixtures/lists) and how an import is held to it.

Shared by tests/guide/test_corpus.py (the bar: 95% recall and precision per list) and
bench/corpus.py (the table of recall and precision per list).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmdive.model.models import Guide, Link, Topic
from llmdive.model.urls import url_key

LISTS = Path(__file__).resolve().parent / "fixtures" / "lists"
BAR = 0.95
_SHORTCODE = re.compile(r":[a-z0-9_+-]+:")
_EDGES = re.compile(r"^[^\w(\[<]+|[^\w)\]>?!.]+$")


def fold(text: str) -> str:
    return " ".join(text.split())


def heading_key(text: str) -> str:
    """A heading as a reader names it: emoji, :shortcodes: and marks at its ends do not count."""
    return fold(_EDGES.sub("", _SHORTCODE.sub("", fold(text)))).casefold()


def title_key(text: str) -> str:
    """A title compared whitespace-folded, a trailing full stop or separator not counting."""
    return fold(text).rstrip(" .,;:-–—")


@dataclass(frozen=True)
class Case:
    """One list of the corpus: its README and what it is expected to hold."""

    name: str
    fixture: Path
    expected: dict[str, Any]

    @property
    def keys(self) -> set[str]:
        return {url_key(u) for u in self.expected["urls"]}


def cases() -> list[Case]:
    sources = tomllib.loads((LISTS / "SOURCES.toml").read_text(encoding="utf-8"))["list"]
    found = []
    for src in sources:
        fixture = (LISTS / src["fixture"]).resolve()
        name = fixture.stem.removesuffix("-README")
        expected = tomllib.loads((LISTS / f"{name}.expected.toml").read_text(encoding="utf-8"))
        found.append(Case(name, fixture, expected))
    return found


def walk(topics: list[Topic]) -> Iterator[Topic]:
    for topic in topics:
        yield topic
        yield from walk(topic.topics)


def items(guide: Guide) -> list[tuple[Topic, Link]]:
    """Every imported link with the heading (section or topic) it sits under."""
    return [(topic, link) for topic in walk(guide.sections) for link in topic.links]


def recall_precision(case: Case, guide: Guide) -> tuple[float, float, set[str]]:
    """Expected items found, found links that are expected items; and the keys found."""
    found = {url_key(link.url) for _, link in items(guide)}
    hits = found & case.keys
    return len(hits) / len(case.keys), len(hits) / len(found) if found else 0.0, found


def samples_missed(case: Case, guide: Guide) -> list[str]:
    """The hand-checked samples not found with their title under their section."""
    by_key: dict[str, list[tuple[Topic, Link]]] = {}
    for topic, link in items(guide):
        by_key.setdefault(url_key(link.url), []).append((topic, link))
    wrong = []
    for sample in case.expected["sample"]:
        titles = {title_key(sample["title"]), title_key(sample.get("title_alt", sample["title"]))}
        places = by_key.get(url_key(sample["url"]), [])
        if not any(
            title_key(link.title) in titles
            and heading_key(topic.title) == heading_key(sample["section"])
            for topic, link in places
        ):
            got = [(topic.title, link.title) for topic, link in places] or "not imported"
            want = f"{sample['section']!r} / {sample['title']!r}"
            wrong.append(f"line {sample['line']}: want {want}, got {got}")
    return wrong
