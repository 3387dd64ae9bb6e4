"""The runtime dataclasses (models.py) and the file schema (schema.py) describe the same data."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from llmdive.guide.catalogue import Catalogue
from llmdive.model import inputs as schema
from llmdive.model import models


@pytest.mark.parametrize(
    ("model", "file_schema"),
    [
        (models.Link, schema.LinkSchema),
        (models.Related, schema.RelatedSchema),
        (models.Topic, schema.TopicSchema),
        (models.Guide, schema.GuideSchema),
        (models.Event, schema.EventSchema),
        (models.Entry, schema.EntrySchema),
    ],
)
def test_every_field_is_in_both_layers(model: type, file_schema: type) -> None:
    fields = {f.name for f in dataclasses.fields(model)}
    assert fields == set(file_schema.model_fields)  # type: ignore[attr-defined]


def test_progress_round_trips_through_both_layers() -> None:
    raw = {
        "version": 1,
        "links": {
            "a": {
                "status": "read",
                "changed": "2026-01-02T03:04:05+00:00",
                "title": "A",
                "url": "https://a.example",
                "note": "n",
                "noted": "2026-01-02T03:04:06Z",
                "events": [{"at": "2026-01-02T03:04:05Z", "status": "read"}],
            },
            "b": {},
        },
    }
    data = schema.validate_progress(raw)
    progress = models.Progress.from_dict(data)
    entry = progress.get("a")
    assert entry is not None
    assert entry.changed == "2026-01-02T03:04:05Z"  # normalised to Z
    assert progress.status("b") is models.Status.UNREAD
    assert progress.to_dict() == data
    assert models.Progress.from_dict(progress.to_dict()) == progress


def test_guide_round_trips_through_both_layers(catalogue: Catalogue) -> None:
    data = catalogue.guide.to_dict()
    assert schema.validate_guide(data, None) == data  # type: ignore[arg-type]
    assert models.Guide.from_dict(data) == catalogue.guide


def test_related_links_round_trip_through_both_layers() -> None:
    link = {
        "id": "attention",
        "title": "Attention Is All You Need",
        "url": "https://arxiv.org/abs/1706.03762",
        "difficulty": "hard",
        "personal": False,
        "aliases": [],
        "related": [
            {"title": "code", "url": "https://github.com/tensorflow/tensor2tensor"},
            {"title": "pdf", "url": "https://arxiv.org/pdf/1706.03762"},
        ],
    }
    section = {"slug": "s", "title": "S", "description": "", "tip": "", "topics": []}
    data = {"version": 1, "title": "T", "sections": [{**section, "links": [link]}]}
    assert schema.validate_guide(data, None) == data  # type: ignore[arg-type]
    guide = models.Guide.from_dict(data)
    (loaded,) = guide.sections[0].links
    assert loaded.related == (
        models.Related("code", "https://github.com/tensorflow/tensor2tensor"),
        models.Related("pdf", "https://arxiv.org/pdf/1706.03762"),
    )
    assert guide.to_dict() == data
    # Without any, a link stores none and reads back with none.
    bare = models.Link.from_dict({**link, "related": []})
    assert bare.related == () and "related" not in bare.to_dict()
    assert models.Link.from_dict({k: v for k, v in link.items() if k != "related"}).related == ()


def test_a_related_link_is_a_value() -> None:
    one = models.Related("code", "https://a.example/code")
    assert one == models.Related("code", "https://a.example/code")
    assert hash(one) == hash(models.Related("code", "https://a.example/code"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.title = "pdf"  # type: ignore[misc]
    assert not hasattr(one, "__dict__")  # slotted


def test_events_carry_status_note_undo_and_link() -> None:
    link = {
        "title": "Mine",
        "url": "https://m.example/p",
        "difficulty": "easy",
        "section": "lora",
        "added": "2026-01-01T00:00:00Z",
    }
    raw = {
        "version": 1,
        "links": {
            "a": {
                "note": "n",
                "noted": "2026-01-02T03:04:06Z",
                "events": [
                    {"at": "2026-01-02T03:04:05Z", "status": "read"},
                    {"at": "2026-01-02T03:04:06Z", "note": "n"},
                    {"at": "2026-01-02T03:04:07Z", "note": ""},
                    {"at": "2026-01-02T03:04:08Z", "undo": "2026-01-02T03:04:07Z", "note": "n"},
                    {"at": "2026-01-02T03:04:09Z", "link": link},
                    {"at": "2026-01-02T03:04:10Z", "link": {}},
                ],
            }
        },
    }
    data = schema.validate_progress(raw)
    assert data == raw  # nothing dropped, nothing added (a removal's `{}` included)
    progress = models.Progress.from_dict(data)
    entry = progress.get("a")
    assert entry is not None
    events = entry.events
    assert events[0] == models.Event("2026-01-02T03:04:05Z", models.Status.READ)
    assert events[2].note == "" and events[2].status is None
    assert events[3].undo == "2026-01-02T03:04:07Z"
    assert events[4].link == link and events[5].link == {}
    assert progress.to_dict() == data


@pytest.mark.parametrize(
    "event",
    [
        {"at": "2026-01-02T03:04:05Z"},  # changes nothing
        {"at": "2026-01-02T03:04:05Z", "undo": "2026-01-02T03:04:04Z"},  # restores nothing
        {"at": "2026-01-02T03:04:05Z", "status": "read", "by": "me"},
        {"at": "2026-01-02T03:04:05Z", "link": {"title": "No URL"}},
    ],
)
def test_events_that_say_nothing_or_too_much_are_refused(event: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        schema.validate_progress({"version": 1, "links": {"a": {"events": [event]}}})


def test_at_key_orders_instants_not_spellings() -> None:
    spellings = ["2026-01-02T03:04:05Z", "2026-01-02T05:04:05+02:00", "2026-01-02T03:04:05.000000Z"]
    assert len({models.at_key(s) for s in spellings}) == 1
    later = "2026-01-02T03:04:05.000001Z"
    assert models.at_key(later) > models.at_key("2026-01-02T03:04:05Z")
    assert later < "2026-01-02T03:04:05Z"  # why: the strings themselves misorder them
