"""Merging two readers' records (progress.json and personal.json) without a conflict.

A record is a log of events per link, and events are values: merging two records
takes, per link, the union of both event histories (an event on both sides is kept
once), and derives the link's status, note and personal-link fields from that union
exactly as a single machine does (progress.replay: the latest event wins, events at
one instant in Event.order, so every machine picks the same one). Nothing either side
recorded is lost: a note overwritten by a newer one stays in the history as the older
event, and an older file's note or status without an event gets one (progress.backfill).

The merge is a join in the lattice sense: merge(a, b) == merge(b, a),
merge(a, merge(b, c)) == merge(merge(a, b), c) and merge(a, a) == a, for records as
llmdive writes them (stored fields say what the events say).

Personal links are unioned by normalised URL (urls.normalize_url), over what both
personal.json files list and what both logs' link events say (so that a link removed
on one machine still holds its id):

- the same URL under two ids is one link: the smaller id is kept, and the progress
  recorded for that URL moves to it;
- two different URLs under one id: the smaller normalised URL keeps the id; the other
  becomes `ID-XXXXXXXX` (eight hex digits of the CRC-32 of its normalised URL, so every
  machine renames it alike), and the progress recorded for its URL moves with it.

These rules look only at what survives every merge (ids and URLs, never a time a
removed link took with it), which is what makes the merge associative.
- a link's fields, and whether it was removed, are what its merged link events say
  (an edit or a removal on one machine wins over an older state on the other); a link
  no event speaks of (a file older than link events) keeps the fields of the claim
  whose id is kept.

An entry follows a personal link by the URL it recorded (every mark and note records
one). A personal link with an id of the guide (given as `reserved`: a record from a
machine with another guide, or a crafted one) is renamed `ID-XXXXXXXX` by its URL, as
a clash between two personal links is, and its progress moves with it.

Plain data in, plain data out (the validated JSON documents); no typer, rich or git.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from llmdive.model.models import Event, at_key
from llmdive.model.urls import normalize_url
from llmdive.record.events import Doc, canonical_json, instant, merge_entries, replay


def merge_progress(a: Mapping[str, Any], b: Mapping[str, Any]) -> Doc:
    """Two progress.json documents as one: every link of either, entries merged."""
    links_a, links_b = a.get("links", {}), b.get("links", {})
    links: Doc = {}
    for key in sorted(links_a.keys() | links_b.keys()):
        links[key] = merge_entries(links_a.get(key, {}), links_b.get(key, {}))
    return {"version": max(a.get("version", 1), b.get("version", 1)), "links": links}


# ---------------------------------------------------------------- personal links


def url_suffix(url: str) -> str:
    """Eight hex digits naming a normalised URL: the same on every machine."""
    return f"{zlib.crc32(url.encode()):08x}"


def _base_id(link_id: str, nurl: str) -> str:
    """The id a link claims, before any clash suffix its own URL gave it."""
    return link_id.removesuffix(f"-{url_suffix(nurl)}")


@dataclass
class _Claim:
    """One side's word that a personal link with these fields has this id."""

    link: Doc  # the link's fields, without its id
    link_id: str
    nurl: str = field(init=False)
    base: str = field(init=False)

    def __post_init__(self) -> None:
        self.nurl = normalize_url(self.link["url"])
        self.base = _base_id(self.link_id, self.nurl)

    @property
    def rank(self) -> tuple[str, datetime, str]:
        """The smallest id wins (and gives its fields when no event says otherwise)."""
        return (self.base, instant(self.link.get("added")), canonical_json(self.link))


def _claims(personal: Mapping[str, Any], progress: Mapping[str, Any]) -> list[_Claim]:
    """The personal links a side has, or had: its personal.json, and its link events."""
    out = [
        _Claim({k: v for k, v in link.items() if k != "id"}, link["id"])
        for link in personal.get("links", ())
    ]
    for key, entry in progress.get("links", {}).items():
        shown = [e["link"] for e in entry.get("events", ()) if e.get("link")]
        if shown:
            latest = max(
                (e for e in entry["events"] if e.get("link")),
                key=lambda e: at_key(e["at"]),
            )
            out.append(_Claim(dict(latest["link"]), key))
    return out


def _resolve_ids(
    winners: Iterable[_Claim], reserved: frozenset[str] = frozenset()
) -> dict[str, str]:
    """Each URL's final id: on a clash, the smallest URL keeps it, the others get a suffix.

    An id in `reserved` (the guide's ids) is no personal link's: every link claiming it
    gets the suffix of its URL, so that it, and the progress filed under it, stay apart
    from the guide link, under the same id on every machine.
    """
    by_base: dict[str, list[_Claim]] = {}
    for c in winners:
        by_base.setdefault(c.base, []).append(c)
    final: dict[str, str] = {}
    for base_id, group in by_base.items():
        group.sort(key=lambda c: c.nurl)
        for i, c in enumerate(group):
            keep = i == 0 and base_id not in reserved
            final[c.nurl] = base_id if keep else f"{base_id}-{url_suffix(c.nurl)}"
    if len(set(final.values())) < len(final) or not reserved.isdisjoint(final.values()):
        # Only a crafted record gets here (an id that is another link's id and suffix):
        # each further claim is suffixed again, in a fixed order, until every id is its own.
        used: set[str] = set()
        for nurl in sorted(final, key=lambda n: (final[n], n)):
            new = final[nurl]
            while new in used or new in reserved:
                new = f"{new}-{url_suffix(nurl)}"
            used.add(new)
            final[nurl] = new
    return final


def _rekey(progress: Mapping[str, Any], ids: Mapping[str, str]) -> Doc:
    """Each entry under the id of the personal link its recorded URL names, if any."""
    if not ids:
        return dict(progress)
    links: Doc = {}
    for key, entry in progress.get("links", {}).items():
        url = entry.get("url")
        new = (ids.get(normalize_url(url)) if url else None) or key
        links[new] = merge_entries(links[new], entry) if new in links else entry
    return {**progress, "links": links}


def fold_aliases(record: Mapping[str, Any], aliases: Mapping[str, str]) -> Doc:
    """`record` with progress kept under a link's old id (an alias) under its id.

    A record from a machine still on the old ids lands where this machine looks for it;
    an entry under both keys becomes one, as merge_entries merges two machines' entries.
    """
    progress = record.get("progress") or _NO_PROGRESS
    old = progress.get("links", {})
    if not aliases or not old.keys() & aliases.keys():
        return dict(record)
    links: Doc = {}
    for key in sorted(old, key=lambda k: k in aliases):  # ids first, then aliases
        entry = old[key]
        new = aliases.get(key, key)
        links[new] = merge_entries(links[new], entry) if new in links else entry
    return {**record, "progress": {**progress, "links": dict(sorted(links.items()))}}


# ---------------------------------------------------------------- whole records

_NO_PROGRESS: Doc = {"version": 1, "links": {}}
_NO_PERSONAL: Doc = {"version": 1, "links": []}


def merge_records(
    a: Mapping[str, Any], b: Mapping[str, Any], reserved: Collection[str] = frozenset()
) -> Doc:
    """Two records ({"progress": ..., "personal": ...}) as one.

    `reserved`: ids no personal link may have (the guide's ids and aliases): a personal
    link claiming one gets `ID-XXXXXXXX` (see _resolve_ids), with the progress of its URL.

    Personal links are unioned by normalised URL: the claims of both personal.json
    files and of both logs' link events (so a link one side removed still holds its
    id). Every mark and note records the link's URL in its entry: an entry whose URL
    is a personal link's is filed under that link's id after the merge; any other
    entry keeps its id. A personal link's fields, or its removal, are then what its
    merged events say; a link no event speaks of (an older file) keeps the fields of
    the first-added claim.
    """
    progress_a, progress_b = a.get("progress") or _NO_PROGRESS, b.get("progress") or _NO_PROGRESS
    personal_a, personal_b = a.get("personal") or _NO_PERSONAL, b.get("personal") or _NO_PERSONAL
    winners: dict[str, _Claim] = {}
    for claim in (*_claims(personal_a, progress_a), *_claims(personal_b, progress_b)):
        held = winners.get(claim.nurl)
        if held is None or claim.rank < held.rank:
            winners[claim.nurl] = claim
    ids = _resolve_ids(winners.values(), frozenset(reserved))
    progress = merge_progress(_rekey(progress_a, ids), _rekey(progress_b, ids))
    listed = {normalize_url(p["url"]) for p in (*personal_a["links"], *personal_b["links"])}
    links: list[Doc] = []
    for nurl, claim in winners.items():
        link_id = ids[nurl]
        entry = progress["links"].get(link_id)
        state = replay(Event.from_dict(e) for e in entry.get("events", ())) if entry else None
        fields = state.link if state is not None and state.link is not None else None
        if fields is None:
            if nurl not in listed:
                continue
            fields = claim.link
        if fields:  # {}: removed
            links.append({"id": link_id, **fields})
    links.sort(key=lambda d: (instant(d.get("added")), d["id"]))
    version = max(personal_a.get("version", 1), personal_b.get("version", 1))
    return {"progress": progress, "personal": {"version": version, "links": links}}


# ---------------------------------------------------------------- what changed


@dataclass(frozen=True)
class LinkChange:
    """What a merge changed for one link, as the reader sees it."""

    id: str
    title: str
    before: str
    after: str
    note: str | None  # the new note, when the note changed
    note_changed: bool
    new_events: int


@dataclass
class Report:
    links: list[LinkChange] = field(default_factory=list)
    personal_added: list[Doc] = field(default_factory=list)
    personal_removed: list[Doc] = field(default_factory=list)
    personal_edited: list[Doc] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    # Links whose incoming changes were stamped over a day ahead: their latest such time.
    clamped: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(
            self.links
            or self.personal_added
            or self.personal_removed
            or self.personal_edited
            or self.renamed
        )


def report(before: Mapping[str, Any], after: Mapping[str, Any]) -> Report:
    """What going from record `before` to record `after` changes, link by link."""
    old = (before.get("progress") or {}).get("links", {})
    new = (after.get("progress") or {}).get("links", {})
    out = Report()
    for key in sorted(new):
        a, b = old.get(key, {}), new[key]
        if a == b:
            continue
        events_before = {canonical_json(e) for e in a.get("events", ())}
        arrived = [e for e in b.get("events", ()) if canonical_json(e) not in events_before]
        same = a.get("status", "unread") == b.get("status", "unread") and a.get("note") == b.get(
            "note"
        )
        same = same and a.get("estimate") == b.get("estimate")
        if same and all(not e.keys() & {"status", "note", "estimate"} for e in arrived):
            continue  # only a personal link's own changes: reported below, link by link
        out.links.append(
            LinkChange(
                key,
                b.get("title") or key,
                a.get("status", "unread"),
                b.get("status", "unread"),
                b.get("note"),
                a.get("note") != b.get("note"),
                len(arrived),
            )
        )
    personal_old = {p["id"]: p for p in (before.get("personal") or {}).get("links", ())}
    personal_new = {p["id"]: p for p in (after.get("personal") or {}).get("links", ())}
    by_url = {normalize_url(p["url"]): k for k, p in personal_new.items()}
    for key, p in personal_old.items():
        new_id = by_url.get(normalize_url(p["url"]))
        if new_id is None:
            out.personal_removed.append(p)
            continue
        if new_id != key:
            out.renamed[key] = new_id
        elif {**p, "id": new_id} != personal_new[new_id]:
            out.personal_edited.append(personal_new[new_id])
    old_urls = {normalize_url(p["url"]) for p in personal_old.values()}
    out.personal_added = [
        p for p in personal_new.values() if normalize_url(p["url"]) not in old_urls
    ]
    return out
