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

import sys
import time
from pathlib import Path

# The corpus and its measure are the test suite's (tests/corpus.py): one definition of both.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.corpus import Case, cases, recall_precision, samples_missed  # noqa: E402

from llmdive.errors import LlmdiveError  # noqa: E402
from llmdive.guide.readme import parse_readme  # noqa: E402


def row(case: Case, totals: list[int]) -> tuple[str, ...]:
    keys = case.keys
    totals[0] += len(keys)
    start = time.perf_counter()
    try:
        text = case.fixture.read_text(encoding="utf-8")
        guide = parse_readme(text, source=str(case.fixture)).guide
    except LlmdiveError as error:
        why = str(error).replace(str(case.fixture), case.fixture.name).split(": ", 1)[-1]
        return (str(len(keys)), "-", "0.000", "-", "-", "-", f"refused: {why}"[:70])
    took = time.perf_counter() - start
    recall, precision, found_keys = recall_precision(case, guide)
    totals[1] += len(found_keys)
    totals[2] += len(found_keys & keys)
    samples = len(case.expected["sample"])
    found = f"{samples - len(samples_missed(case, guide))}/{samples}"
    verdict = "ok" if recall >= 0.95 and precision >= 0.95 else "below 0.95"
    return (
        str(len(keys)),
        str(len(found_keys)),
        f"{recall:.3f}",
        f"{precision:.3f}",
        found,
        f"{took:.2f}",
        verdict,
    )


def main(names: list[str]) -> None:
    header = ("list", "expected", "found", "recall", "precision", "samples", "seconds", "")
    rows = [header]
    totals = [0, 0, 0]  # expected, found, found and expected
    for case in cases():
        if names and case.name not in names:
            continue
        rows.append((case.name, *row(case, totals)))
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
