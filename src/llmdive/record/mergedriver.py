"""git's merge driver for progress.json and personal.json (set up by `llmdive sync`)."""

from __future__ import annotations

import os
from pathlib import Path

from llmdive.home.infile import RECORD_MAX_BYTES, read_limited
from llmdive.home.paths import PERSONAL_FILE
from llmdive.home.storage import atomic_write
from llmdive.model.urls import normalize_url
from llmdive.record.events import Doc
from llmdive.record.intake import personal_bytes, personal_doc, progress_bytes
from llmdive.record.merge import merge_progress, merge_records
from llmdive.record.progress import parse_progress


def _read(path: Path) -> bytes:

    return read_limited(path, RECORD_MAX_BYTES)


def merge_driver(base: Path, ours: Path, theirs: Path, name: str) -> None:
    """git's merge driver: merge `theirs` into `ours` (the file git then takes as merged).

    progress.json: the union of both logs. personal.json: the union by URL, where a
    link present in `base` that one side removed and the other left as it was stays
    removed (git gives the common ancestor; `progress merge` has none).
    """

    if os.path.basename(name) == PERSONAL_FILE:
        docs = [
            personal_doc(d, p) if d.strip() else None
            for p, d in ((p, _read(p)) for p in (base, ours, theirs))
        ]
        empty: Doc = {"version": 1, "links": []}
        mine, other = docs[1] or empty, docs[2] or empty
        merged = merge_records({"personal": mine}, {"personal": other})
        _drop_removed(merged["personal"], docs[0] or empty, mine, other)
        atomic_write(ours, personal_bytes(merged["personal"]))
        return

    sides = [
        parse_progress(d, p).to_dict() if d.strip() else {"links": {}}
        for p, d in ((p, _read(p)) for p in (ours, theirs))
    ]
    atomic_write(ours, progress_bytes(merge_progress(sides[0], sides[1])))


def _drop_removed(merged: Doc, base: Doc, ours: Doc, theirs: Doc) -> None:

    def by_url(doc: Doc) -> dict[str, Doc]:
        return {normalize_url(p["url"]): p for p in doc["links"]}

    before, mine, other = by_url(base), by_url(ours), by_url(theirs)
    gone = {
        url
        for url, link in before.items()
        if (url not in mine and other.get(url, link) == link)
        or (url not in other and mine.get(url, link) == link)
    }
    merged["links"] = [p for p in merged["links"] if normalize_url(p["url"]) not in gone]
