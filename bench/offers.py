"""Benchmark the offers to the LLM Deep Dive's empty topics against ~2,400 candidate links.

    python bench/offers.py [--rounds N]

The candidates are four real lists of the importer's corpus (mlabonne/llm-course,
Hannibal046/Awesome-LLM, keon/awesome-nlp, josephmisiti/awesome-machine-learning) and
the Deep Dive itself. Each round builds the index once (`OfferIndex`) and asks it for
every empty topic of the Deep Dive, as `toc` does, then reads the index back from the
cache (`OfferIndex.kept`: every `toc` after the first). The CPU time of each (median over
the rounds) is printed, with the budget of the offers: all empty topics at most 50 ms,
well under the 100 ms the issue allows (an index read per topic, not a scan of every
link). Standard library only, plus llmdive (installed in the running Python). Exit 1 over budget.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from llmdive.find.offers import OfferIndex, candidates, empty_topics
from llmdive.guide.catalogue import parse_guide
from llmdive.guide.importer import parse_readme
from llmdive.home.paths import bundled_guide
from llmdive.model.models import Guide

LISTS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "lists"
CORPUS = {
    "llm-course": "mlabonne__llm-course.md",
    "awesome-llm": "Hannibal046__Awesome-LLM.md",
    "awesome-nlp": "keon__awesome-nlp.md",
    "awesome-ml": "josephmisiti__awesome-machine-learning.md",
}
OFFERS_BUDGET_MS = 50.0


def guides() -> dict[str, Guide]:
    path = bundled_guide()
    out = {"default": parse_guide(path.read_bytes(), path)}
    for name, file in CORPUS.items():
        out[name] = parse_readme((LISTS / file).read_text(encoding="utf-8")).guide
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    followed = guides()
    empty = empty_topics(followed["default"].sections)
    builds: list[float] = []
    asks: list[float] = []
    kept: list[float] = []
    home = Path(tempfile.mkdtemp(prefix="llmdive-bench-offers-"))
    found = candidates((n, s) for n, g in followed.items() for s in g.sections)
    OfferIndex.kept(found, home / "guide.toml", home)  # the cache filled, as a first toc does
    offered = 0
    size = 0
    for _ in range(rounds):
        start = time.process_time()
        index = OfferIndex(candidates((n, s) for n, g in followed.items() for s in g.sections))
        built = time.process_time()
        got = [index.offers(p[-1].title, [t.title for t in p[:-1]], guide="default") for p in empty]
        asked = time.process_time()
        OfferIndex.kept(found, home / "guide.toml", home)
        kept.append((time.process_time() - asked) * 1000)
        builds.append((built - start) * 1000)
        asks.append((asked - built) * 1000)
        offered = sum(1 for o in got if o)
        size = len(index.candidates)
    build, ask = statistics.median(builds), statistics.median(asks)
    print(f"{size} candidates from {len(followed)} guides, {len(empty)} empty topics")
    print(f"index built once:          {build:7.1f} ms CPU (median of {rounds})")
    print(f"index from the cache:      {statistics.median(kept):7.1f} ms CPU")
    shutil.rmtree(home, ignore_errors=True)
    print(f"offers for all empty ones: {ask:7.1f} ms CPU   budget {OFFERS_BUDGET_MS:.0f} ms")
    print(f"empty topics offered links: {offered} of {len(empty)}")
    if ask > OFFERS_BUDGET_MS:
        print("over budget", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
