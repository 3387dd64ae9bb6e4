from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

from llmdive.find.planner import summarize
from llmdive.guide.catalogue import Catalogue
from llmdive.model.models import Guide, Link, Progress, Topic
from llmdive.model.vocab import Difficulty, Status
from llmdive.output import jsonout, jsonreport
from llmdive.record import progress as prog

LINK_KEYS = [
    "id",
    "title",
    "url",
    "related",
    "difficulty",
    "section",
    "kind",
    "personal",
    "status",
    "status_changed",
    "note",
    "duration_s",
    "duration_source",
    "took_s",
]
T1 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_an_untouched_link_has_every_key_null_when_unset(catalogue: Catalogue) -> None:
    data = jsonout.LinkJson(catalogue, Progress())(catalogue.resolve_id("lora"))
    assert list(data) == LINK_KEYS
    assert data == {
        "id": "lora-explained",
        "title": "Umar Jamil: LoRA Explained",
        "url": "https://www.youtube.com/watch?v=PXWYUTMt-AU",
        "related": [],
        "difficulty": "medium",
        "section": ["FineTuning", "LoRA"],
        "kind": "video",
        "personal": False,
        "status": "unread",
        "status_changed": None,
        "note": None,
        "duration_s": None,
        "duration_source": None,
        "took_s": None,
    }


def test_status_its_time_and_the_note_come_from_progress(catalogue: Catalogue) -> None:
    item = catalogue.resolve_id("lora")
    p = Progress()
    prog.set_status(p, catalogue, [item], Status.READ, when=T1)
    prog.set_note(p, item, "the rank part", when=T2)
    # A command adds its own keys to the link object (search: its score).
    data = {**jsonout.LinkJson(catalogue, p)(item), "score": 0.5}
    assert (data["status"], data["status_changed"], data["note"]) == (
        "read",
        "2026-03-01T12:00:00Z",
        "the rank part",
    )
    # A command's own keys come after the shared ones.
    assert list(data) == [*LINK_KEYS, "score"]
    # The same from the stored form (as read from a file), without building the entry.
    stored = Progress.from_dict(p.to_dict())
    assert {**jsonout.LinkJson(catalogue, stored)(item), "score": 0.5} == data


def test_links_sharing_a_url_share_the_status_and_its_time() -> None:
    guide = Guide(
        sections=[
            Topic("a", "A", links=[Link("x", "X", "https://example.com/1")]),
            Topic("b", "B", links=[Link("y", "Y", "https://example.com/1", Difficulty.EASY)]),
        ]
    )
    cat = Catalogue(guide)
    p = Progress()
    prog.set_status(p, cat, [cat.by_id["x"]], Status.READING, when=T1)
    prog.set_status(p, cat, [cat.by_id["y"]], Status.READ, when=T2)
    links = jsonout.LinkJson(cat, p)
    for key in ("x", "y"):
        data = links(cat.by_id[key])
        assert (data["status"], data["status_changed"]) == ("read", "2026-03-02T12:00:00Z")


def test_progress_totals_add_up(catalogue: Catalogue) -> None:
    states = {
        "lora-explained": Status.READ,
        "dpo-explained": Status.SKIPPED,
        "rlhf-explained": Status.READING,
    }
    data = jsonout.progress_json(summarize(catalogue, states), {})
    assert data["overall"] == {"total": 29, "read": 1, "reading": 1, "unread": 26, "skipped": 1}
    for tally in [data["overall"], *data["sections"], *data["difficulties"].values()]:
        parts = tally["read"] + tally["reading"] + tally["unread"] + tally["skipped"]
        assert parts == tally["total"]
    assert sum(s["total"] for s in data["sections"]) == len(catalogue.items)
    assert sum(d["total"] for d in data["difficulties"].values()) == len(catalogue.items)


def test_toc_counts_add_up(catalogue: Catalogue) -> None:
    states = {
        "lora-explained": Status.READ,
        "dpo-explained": Status.SKIPPED,
        "rlhf-explained": Status.READING,
    }
    tree = jsonout.toc_json(catalogue, states)
    fine = next(s for s in tree if s["slug"] == "finetuning")
    assert {k: fine[k] for k in ("links", "read", "reading", "unread", "skipped")} == {
        "links": 4,
        "read": 1,
        "reading": 1,
        "unread": 1,
        "skipped": 1,
    }

    def walk(nodes: Any) -> list[Any]:
        return [m for n in nodes for m in (n, *walk(n["topics"]))]

    for node in walk(tree):
        parts = [node[k] for k in ("read", "reading", "unread", "skipped")]
        assert sum(parts) == node["links"]
    assert sum(s["links"] for s in tree) == len(catalogue.items)


def test_a_change_says_what_changed() -> None:
    link: Any = {"id": "x"}  # any link object: change_json only nests it
    assert jsonreport.change_json(link, "status", "unread", "read") == {
        "link": link,
        "field": "status",
        "before": "unread",
        "after": "read",
        "changed": True,
    }
    assert jsonreport.change_json(link, "note", None, None)["changed"] is False


def test_errors_and_text_out() -> None:
    assert jsonout.error_json(["first", "second"]) == {
        "error": "first",
        "problems": ["first", "second"],
    }
    out = io.StringIO()
    jsonout.emit_json({"title": "Ünïcode ✓"}, out)
    assert out.getvalue() == '{\n  "title": "Ünïcode ✓"\n}\n'
    assert json.loads(out.getvalue()) == {"title": "Ünïcode ✓"}
    # The standard library's text, key order kept.
    value: dict[str, object] = {"z": [1, None, True, {}, []], "a": '\x00\t "q" ✓ é'}
    out = io.StringIO()
    jsonout.emit_json(value, out)
    assert out.getvalue() == json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    # Text that is not Unicode (a lone surrogate from a file) is escaped, not a crash.
    out = io.StringIO()
    jsonout.emit_json({"note": "\ud800"}, out)
    assert json.loads(out.getvalue()) == {"note": "\ud800"}
