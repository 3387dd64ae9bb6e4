"""How faithfully the README importer reads the corpus of real curated lists, per list.

    .venv/bin/python bench/corpus.py [NAME ...]

For every list of tests/fixtures/lists/SOURCES.toml (and the LLM Deep Dive) it imports the
README with llmdive's importer and compares the links found with the expected reading
items (tests/fixtures/lists/*.expected.toml) by normalised URL (llmdive.model.urls.url_key):
items expected and found, recall (expected items found), precision (found links that are
expected items), the hand-checked samples found with their title under their section,
and the seconds the import took. A list the importer refuses shows its error. The table
is what tests/guide/test_corpus.py holds to 95% recall and precision on every list.
"""

from __future__ import annotations

import re
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from llmdive.errors import LlmdiveError
from llmdive.guide.readme import parse_readme
from llmdive.model.models import Link, Topic
from llmdive.model.urls import url_key

LISTS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "lists"
_SHORTCODE = re.compile(r":[a-z0-9_+-]+:")
_EDGES = re.compile(r"^[^\w(\[<]+|[^\w)\]>?!.]+$")


def fold(text: str) -> str:
    return " ".join(text.split())


def heading_key(text: str) -> str:
    return fold(_EDGES.sub("", _SHORTCODE.sub("", fold(text)))).casefold()


def title_key(text: str) -> str:
    return fold(text).rstrip(" .,;:-–—")


def walk(topics: list[Topic]) -> Iterator[Topic]:
    for topic in topics:
        yield topic
        yield from walk(topic.topics)


def samples_found(expected: dict[str, Any], found: list[tuple[Topic, Link]]) -> int:
    by_key: dict[str, list[tuple[Topic, Link]]] = {}
    for topic, link in found:
        by_key.setdefault(url_key(link.url), []).append((topic, link))
    hits = 0
    for sample in expected["sample"]:
        titles = {title_key(sample["title"]), title_key(sample.get("title_alt", sample["title"]))}
        hits += any(
            title_key(link.title) in titles
            and heading_key(topic.title) == heading_key(sample["section"])
            for topic, link in by_key.get(url_key(sample["url"]), [])
        )
    return hits


def row(fixture: Path, expected: dict[str, Any], totals: list[int]) -> tuple[str, ...]:
    keys = {url_key(u) for u in expected["urls"]}
    totals[0] += len(keys)
    start = time.perf_counter()
    try:
        guide = parse_readme(fixture.read_text(encoding="utf-8"), source=str(fixture)).guide
    except LlmdiveError as error:
        why = str(error).replace(str(fixture), fixture.name).split(": ", 1)[-1]
        return (str(len(keys)), "-", "0.000", "-", "-", "-", f"refused: {why}"[:70])
    took = time.perf_counter() - start
    found = [(topic, link) for topic in walk(guide.sections) for link in topic.links]
    found_keys = {url_key(link.url) for _, link in found}
    hits = len(found_keys & keys)
    totals[1] += len(found_keys)
    totals[2] += hits
    recall = hits / len(keys)
    precision = hits / len(found_keys) if found_keys else 0.0
    samples = f"{samples_found(expected, found)}/{len(expected['sample'])}"
    verdict = "ok" if recall >= 0.95 and precision >= 0.95 else "below 0.95"
    return (
        str(len(keys)),
        str(len(found_keys)),
        f"{recall:.3f}",
        f"{precision:.3f}",
        samples,
        f"{took:.2f}",
        verdict,
    )


def main(names: list[str]) -> None:
    sources = tomllib.loads((LISTS / "SOURCES.toml").read_text(encoding="utf-8"))["list"]
    header = ("list", "expected", "found", "recall", "precision", "samples", "seconds", "")
    rows = [header]
    totals = [0, 0, 0]  # expected, found, found and expected
    for src in sources:
        fixture = (LISTS / src["fixture"]).resolve()
        name = fixture.stem.removesuffix("-README")
        if names and name not in names:
            continue
        expected = tomllib.loads((LISTS / f"{name}.expected.toml").read_text(encoding="utf-8"))
        rows.append((name, *row(fixture, expected, totals)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
    for r in rows:
        cells = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:-1], widths[1:], strict=True)
        ]
        print("  ".join([*cells, r[-1]]).rstrip())
    passing = sum(r[-1] == "ok" for r in rows[1:])
    expected_n, found_n, hits = totals
    print(
        f"\nall lists: {hits} of {expected_n} expected items found "
        f"(recall {hits / max(expected_n, 1):.3f}), {hits} of {found_n} links found are items "
        f"(precision {hits / max(found_n, 1):.3f}); "
        f"{passing} of {len(rows) - 1} lists at >= 0.95 recall and precision"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
