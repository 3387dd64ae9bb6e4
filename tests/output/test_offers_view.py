"""How offers look in toc and next, and in their --json: dimmed lines with the id to type."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema

from llmdive.find.offers import Candidate, Offer, OfferIndex, candidates, topic_offers
from llmdive.find.planner import NextPick
from llmdive.guide.catalogue import Catalogue
from llmdive.guide.importer import parse_readme
from llmdive.model.models import Progress
from llmdive.net.linkmarks import Marks
from llmdive.output import jsonout
from llmdive.output.terminal import Writer
from llmdive.output.views.browse import render_toc
from llmdive.output.views.reading import render_next
from tests.hostile import assert_inert

ROOT = Path(__file__).parent.parent.parent
COURSE = ROOT / "tests" / "fixtures" / "lists" / "mlabonne__llm-course.md"


def course_offers(catalogue: Catalogue) -> dict[int, list[Offer]]:
    course = parse_readme(COURSE.read_text()).guide
    sections = [("default", s) for s in catalogue.guide.sections]
    index = OfferIndex(candidates([*sections, *(("llm-course", s) for s in course.sections)]))
    return topic_offers(index, [("default", s) for s in catalogue.guide.sections])


def plain(render: Any, *args: Any, **kwargs: Any) -> list[str]:
    out = io.StringIO()
    render(Writer(out, styled=False, width=False), *args, **kwargs)
    return out.getvalue().splitlines()


def test_toc_shows_offers_under_an_empty_topic(catalogue: Catalogue) -> None:
    offers = course_offers(catalogue)
    lines = plain(render_toc, catalogue, {}, offers=offers)
    at = lines.index("  Attention  [attention]  no links yet: contribute one")
    assert lines[at + 1] == "      offered: Attention? Attention! (llm-course)  attention-attention"
    gptq = next(n for n, line in enumerate(lines) if line.strip().startswith("GPTQ  "))
    assert "GPTQ (llm-course)" in lines[gptq + 1] and "offered: " in lines[gptq + 1]
    # Without offers (one guide followed), toc is what it was.
    assert [x for x in lines if "offered: " not in x] == plain(render_toc, catalogue, {})
    # Each URL once in the whole toc: Quantization's offers are not repeated under GPTQ.
    titles = [x.split("offered: ")[1] for x in lines if "offered: " in x]
    assert len(titles) == len(set(titles))


def test_offers_are_styled_dim_and_inert(catalogue: Catalogue) -> None:
    hostile = Candidate("Attention \x1b[2J\x9b31m evil", "https://e.example/a", "evil\x07", ("A",))
    offers = {id(catalogue.find_topic("attention")[-1]): [Offer(hostile, 1.0, ("x",))]}
    out = io.StringIO()
    render_toc(Writer(out, styled=True, width=100), catalogue, {}, offers=offers)
    text = out.getvalue()
    assert_inert(text)
    assert "\\x1b[2J" in text and "(evil\\x07)" in text
    assert "\x1b[2moffered: " in text


def test_next_offers_for_a_section_with_nothing_left(catalogue: Catalogue) -> None:
    path = catalogue.find_topic("attention")
    offers = course_offers(catalogue)
    lines = plain(render_next, [NextPick(path, None)], {}, None, catalogue, offers=offers)
    assert lines[0].endswith("no links yet")
    assert lines[1].strip() == "offered: Attention? Attention! (llm-course)  attention-attention"


def schema(name: str) -> Any:
    return json.loads((ROOT / "schema" / f"{name}.json").read_text())


def test_the_json_carries_an_offers_array_that_fits_its_schema(catalogue: Catalogue) -> None:
    offers = course_offers(catalogue)
    tree = jsonout.toc_json(catalogue, {}, offers=offers)
    jsonschema.validate(tree, schema("toc"))
    model = next(s for s in tree if s["slug"] == "model-architecture")
    attention = next(t for t in model["topics"] if t["slug"] == "attention")
    assert attention["offers"][0] == {
        "id": "attention-attention",
        "title": "Attention? Attention!",
        "url": "https://lilianweng.github.io/posts/2018-06-24-attention/",
        "guide": "llm-course",
        "section": ["The LLM Scientist", "1. The LLM Architecture"],
        "score": attention["offers"][0]["score"],
        "why": ["attention in title"],
    }
    assert all(t["offers"] == [] for t in model["topics"] if t["links"])
    path = catalogue.find_topic("attention")
    links = jsonout.LinkJson(catalogue, Progress(), {})
    picks = jsonout.next_json(links, [NextPick(path, None)], Marks(), offers)
    jsonschema.validate(picks, schema("next"))
    assert picks[0]["offers"][0]["id"] == "attention-attention"
    assert jsonout.next_json(links, [NextPick(path, None)], Marks())[0]["offers"] == []
