"""The runtime dataclasses (models.py) and the file schema (schema.py) describe the same data."""

from __future__ import annotations

import dataclasses

import pytest

from llmdive import models, schema


@pytest.mark.parametrize(
    ("model", "file_schema"),
    [
        (models.Link, schema.LinkSchema),
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
    assert progress.get("a").changed == "2026-01-02T03:04:05Z"  # normalised to Z
    assert progress.status("b") is models.Status.UNREAD
    assert progress.to_dict() == data
    assert models.Progress.from_dict(progress.to_dict()) == progress


def test_guide_round_trips_through_both_layers(catalogue) -> None:  # type: ignore[no-untyped-def]
    data = catalogue.guide.to_dict()
    assert schema.validate_guide(data, None) == data  # type: ignore[arg-type]
    assert models.Guide.from_dict(data) == catalogue.guide
