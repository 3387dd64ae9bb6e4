"""Merging two readers' records (progress.json and personal.json) without a conflict.

A record is a log of events per link, and events are values: merging two records
takes, per link, the union of both event histories (an event on both sides is kept
once), and derives the link's status and note from that union, exactly as a single
machine does (the latest event wins; events at the same instant are ordered by their
JSON text, so every machine picks the same one). Nothing either side recorded is lost:
a note overwritten by a newer one stays in the history as the older event.

The merge is a join in the lattice sense: merge(a, b) == merge(b, a),
merge(a, merge(b, c)) == merge(merge(a, b), c) and merge(a, a) == a, for records whose
stored fields say what their events say (which is how llmdive writes them; an older
file whose note has no event of its own gets one, at the note's time, on the way in).

Personal links are unioned by normalised URL (slugs.normalize_url):

- the same URL on both sides is one link; its newest version (by `edited`, else
  `added`) wins, id included, and progress recorded for that URL moves to that id;
- two different URLs under one id: the URL added first keeps the id (ties: the
  smaller normalised URL); the other becomes `ID-XXXXXXXX` (eight hex digits of the
  CRC-32 of its normalised URL, so every machine renames it alike), and the progress
  recorded for its URL moves with it;
- given the common ancestor (`base`, as git's merge driver has it), a link one side
  removed and the other left as it was stays removed; without one, removals are not
  known and the union keeps the link.

Plain data in, plain data out (the validated JSON documents); no typer, rich or git.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from llmdive.slugs import normalize_url

Doc = dict[str, Any]
_MIN_TIME = datetime(1, 1, 1, tzinfo=UTC)
_EPOCH_Z = "1970-01-01T00:00:00Z"


# ---------------------------------------------------------------- events and entries


def _when(at: str | None) -> datetime:
    if not at:
        return _MIN_TIME
    when = datetime.fromisoformat(at)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_key(event: Mapping[str, Any]) -> tuple[datetime, str]:
    """The one order of events on every machine: time, then the event's JSON text."""
    return (_when(event.get("at")), _text(event))


def implied_events(entry: Mapping[str, Any]) -> list[Doc]:
    """The entry's events, plus one for a stored status or note no event accounts for.

    Files written before notes were events hold a note with only its time (`noted`);
    a hand-edited file may hold a status with no event. Both become events here, so
    that a merge keeps them.
    """
    events: list[Doc] = [dict(e) for e in entry.get("events", ())]
    status, note = derive(events)
    stored_status = entry.get("status", "unread")
    if stored_status != status[0] and (entry.get("changed") or stored_status != "unread"):
        events.append({"at": entry.get("changed") or entry.get("noted") or _EPOCH_Z,
                       "status": stored_status})  # fmt: skip
    stored_note = entry.get("note")
    if stored_note and stored_note != note[0]:
        events.append({"at": entry.get("noted") or entry.get("changed") or _EPOCH_Z,
                       "note": stored_note})  # fmt: skip
    return events


State = tuple[tuple[str, str | None], tuple[str | None, str | None]]


def derive(events: Iterable[Mapping[str, Any]]) -> State:
    """((status, changed), (note, noted)) as the events say: the latest of each kind wins."""
    ordered = sorted(events, key=event_key)
    status: tuple[str, str | None] = ("unread", None)
    note: tuple[str | None, str | None] = (None, None)
    for e in ordered:
        if "status" in e:
            status = (e["status"], e["at"])
        if "note" in e:
            note = (e["note"], e["at"]) if e["note"] else (None, None)
    return status, note


def _latest(events: Iterable[Mapping[str, Any]]) -> datetime:
    return max((_when(e.get("at")) for e in events), default=_MIN_TIME)


def merge_entries(a: Mapping[str, Any], b: Mapping[str, Any]) -> Doc:
    """One link's entry from two: both histories, and the state their union says."""
    sides = [(a, implied_events(a)), (b, implied_events(b))]
    seen: dict[str, Doc] = {}
    for _, side_events in sides:
        for e in side_events:
            seen.setdefault(_text(e), e)
    events = sorted(seen.values(), key=event_key)
    (status, changed), (note, noted) = derive(events)
    # The link's title and URL as last recorded: from the side with the newest event.
    newest = max(
        sides, key=lambda s: (_latest(s[1]), s[0].get("title") or "", s[0].get("url") or "")
    )[0]
    out: Doc = {}
    if status != "unread":
        out["status"] = status
    if changed is not None:
        out["changed"] = changed
    for key in ("title", "url"):
        if newest.get(key) is not None:
            out[key] = newest[key]
    if note is not None:
        out["note"], out["noted"] = note, noted
    if events:
        out["events"] = events
    return out


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
    link: Doc
    nurl: str
    base: str

    @property
    def rank(self) -> tuple[datetime, str]:
        """Newest version wins: latest edit, else latest add; then the JSON text."""
        stamp = self.link.get("edited") or self.link.get("added")
        return (_when(stamp), _text({**self.link, "id": self.base}))


@dataclass
class PersonalMerge:
    doc: Doc
    ids: dict[str, str]  # normalised URL -> the link's id after the merge


def merge_personal(
    a: Mapping[str, Any], b: Mapping[str, Any], base: Mapping[str, Any] | None = None
) -> PersonalMerge:
    """Two personal.json documents as one, unioned by normalised URL (see the module doc)."""
    sides = (a.get("links", ()), b.get("links", ()))
    claims: list[list[_Claim]] = [
        [_Claim(dict(link), n, _base_id(link["id"], n)) for link in links
         for n in (normalize_url(link["url"]),)]
        for links in sides
    ]  # fmt: skip
    winners: dict[str, _Claim] = {}
    for claim in (*claims[0], *claims[1]):
        held = winners.get(claim.nurl)
        if held is None or claim.rank > held.rank:
            winners[claim.nurl] = claim
    if base is not None:
        _drop_removed(winners, claims, base)
    final = _resolve_ids(winners.values())
    links = sorted(({**c.link, "id": final[c.nurl]} for c in winners.values()),
                   key=lambda d: (_when(d.get("added")), d["id"]))  # fmt: skip
    version = max(a.get("version", 1), b.get("version", 1))
    return PersonalMerge({"version": version, "links": links}, final)


def _drop_removed(
    winners: dict[str, _Claim], claims: list[list[_Claim]], base: Mapping[str, Any]
) -> None:
    """A link in the ancestor that one side removed and the other did not change goes."""
    before = {normalize_url(link["url"]): link for link in base.get("links", ())}
    present = [{c.nurl: c.link for c in side} for side in claims]
    for nurl, old in before.items():
        kept = [side[nurl] for side in present if nurl in side]
        if len(kept) < 2 and all(_text(k) == _text(old) for k in kept):
            winners.pop(nurl, None)


def _resolve_ids(winners: Iterable[_Claim]) -> dict[str, str]:
    """Each URL's final id: on a clash, the URL added first keeps it, the others get a suffix."""
    by_base: dict[str, list[_Claim]] = {}
    for c in winners:
        by_base.setdefault(c.base, []).append(c)
    final: dict[str, str] = {}
    for base_id, group in by_base.items():
        group.sort(key=lambda c: (_when(c.link.get("added")), c.nurl))
        final[group[0].nurl] = base_id
        for c in group[1:]:
            final[c.nurl] = f"{base_id}-{url_suffix(c.nurl)}"
    return final


# ---------------------------------------------------------------- whole records


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


def merge_records(
    a: Mapping[str, Any], b: Mapping[str, Any], base: Mapping[str, Any] | None = None
) -> Doc:
    """Two records ({"progress": ..., "personal": ...}) as one.

    Every mark and note records the link's URL in its entry: an entry whose URL is a
    personal link's is filed under that link's id after the merge (which a same-URL
    pair or an id clash may have changed); any other entry keeps its id.
    """
    empty: Doc = {"version": 1, "links": []}
    personal = merge_personal(
        a.get("personal") or empty,
        b.get("personal") or empty,
        base.get("personal") or empty if base is not None else None,
    )
    progress = merge_progress(
        _rekey(a.get("progress") or {"version": 1, "links": {}}, personal.ids),
        _rekey(b.get("progress") or {"version": 1, "links": {}}, personal.ids),
    )
    return {"progress": progress, "personal": personal.doc}


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

    def to_json(self) -> Doc:
        return {"id": self.id, "title": self.title, "status_before": self.before,
                "status": self.after, "note_changed": self.note_changed, "note": self.note,
                "new_events": self.new_events}  # fmt: skip


@dataclass
class Report:
    links: list[LinkChange] = field(default_factory=list)
    personal_added: list[Doc] = field(default_factory=list)
    personal_removed: list[Doc] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.links or self.personal_added or self.personal_removed or self.renamed)

    def to_json(self) -> Doc:
        return {
            "changed": self.changed,
            "links": [c.to_json() for c in self.links],
            "personal_added": [{"id": p["id"], "title": p["title"], "url": p["url"]}
                               for p in self.personal_added],
            "personal_removed": [{"id": p["id"], "title": p["title"], "url": p["url"]}
                                 for p in self.personal_removed],
            "renamed": self.renamed,
        }  # fmt: skip


def report(before: Mapping[str, Any], after: Mapping[str, Any]) -> Report:
    """What going from record `before` to record `after` changes, link by link."""
    old = (before.get("progress") or {}).get("links", {})
    new = (after.get("progress") or {}).get("links", {})
    out = Report()
    for key in sorted(new):
        a, b = old.get(key, {}), new[key]
        if a == b:
            continue
        events_before = {_text(e) for e in a.get("events", ())}
        added = sum(1 for e in b.get("events", ()) if _text(e) not in events_before)
        out.links.append(
            LinkChange(
                key,
                b.get("title") or key,
                a.get("status", "unread"),
                b.get("status", "unread"),
                b.get("note"),
                a.get("note") != b.get("note"),
                added,
            )
        )
    personal_old = {p["id"]: p for p in (before.get("personal") or {}).get("links", ())}
    personal_new = {p["id"]: p for p in (after.get("personal") or {}).get("links", ())}
    by_url = {normalize_url(p["url"]): k for k, p in personal_new.items()}
    for key, p in personal_old.items():
        new_id = by_url.get(normalize_url(p["url"]))
        if new_id is not None and new_id != key:
            out.renamed[key] = new_id
        elif key not in personal_new:
            out.personal_removed.append(p)
    old_urls = {normalize_url(p["url"]) for p in personal_old.values()}
    out.personal_added = [p for p in personal_new.values()
                          if normalize_url(p["url"]) not in old_urls]  # fmt: skip
    return out
