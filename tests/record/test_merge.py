"""The merge of two records: a join that never conflicts and never loses an event."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from llmdive.model.models import Event
from llmdive.model.urls import normalize_url
from llmdive.record import merge
from llmdive.record.events import implied_events, merge_entries, replay
from llmdive.record.merge import merge_progress, merge_records

TIMES = [f"2026-01-0{d}T10:00:00{frac}Z" for d in (1, 2) for frac in ("", ".5")]
STATUSES = ["read", "reading", "skipped", "unread"]
NOTES = ["", "short", "a longer note", "naïve ✓ \x1b[31m"]


def text(doc: Any) -> str:
    return json.dumps(doc, sort_keys=True)


# ---------------------------------------------------------------- strategies

events = st.builds(
    lambda at, status, note, undo: {
        "at": at,
        **({"status": status} if status else {}),
        **({"note": note} if note is not None else {}),
        **({"undo": undo} if undo and (status or note is not None) else {}),
    },
    st.sampled_from(TIMES),
    st.none() | st.sampled_from(STATUSES),
    st.none() | st.sampled_from(NOTES),
    st.none() | st.sampled_from(TIMES),
).filter(lambda e: len(e) > 1)


def settled(evs: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """An entry as llmdive writes it: its stored fields are what its events say."""
    evs = sorted({text(e): e for e in evs}.values(), key=lambda e: Event.from_dict(e).order())
    state = replay(Event.from_dict(e) for e in evs)
    entry: dict[str, Any] = {"events": evs} if evs else {}
    if state.status.value != "unread":
        entry["status"] = state.status.value
    if state.changed:
        entry["changed"] = state.changed
    if state.note:
        entry["note"], entry["noted"] = state.note, state.noted
    entry.update((k, v) for k, v in fields.items() if v is not None)
    return entry


@st.composite
def entries(draw: st.DrawFn, url: str | None = None) -> dict[str, Any]:
    evs = draw(st.lists(events, max_size=4))
    title = draw(st.none() | st.sampled_from(["title one", "title two"]))
    # Every mark and note records the link's URL (a given link's, whichever machine).
    if url is None and draw(st.booleans()):
        url = draw(st.sampled_from(["url one", "url two"]))
    return settled(evs, title=title, url=url)


URLS = [
    "https://one.example/x",
    "https://www.one.example/x/",
    "https://two.example/y",
    "https://three.example/z?utm_source=feed",
]
GUIDE = {k: f"https://guide.example/{k}" for k in ("a", "b", "c")}
progress_docs = st.builds(
    lambda links: {"version": 1, "links": links},
    st.fixed_dictionaries({}, optional={k: entries(u) for k, u in GUIDE.items()}),
)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """One machine's record: guide links' entries, and its own links (with or without
    link events, edited or removed), ids and URLs unique on the machine as `add` keeps them."""
    progress = draw(progress_docs)
    personal: list[dict[str, Any]] = []
    ids: set[str] = set()
    urls: set[str] = set()
    for _ in range(draw(st.integers(0, 3))):
        link_id = draw(st.sampled_from(["p1", "p2", "p3"]))
        url = draw(st.sampled_from(URLS))
        nurl = normalize_url(url)
        if link_id in ids or nurl in urls:
            continue
        ids.add(link_id)
        urls.add(nurl)
        title, added = draw(st.sampled_from(["T1", "T2"])), draw(st.sampled_from(TIMES[:2]))
        fields = {
            "title": title,
            "url": url,
            "difficulty": "easy",
            "section": "lora",
            "added": added,
        }
        evs: list[dict[str, Any]] = []
        if draw(st.booleans()):  # written by an llmdive that logs link events
            evs.append({"at": added, "link": dict(fields)})
            later = TIMES[2:]
            if draw(st.booleans()):
                fields = {**fields, "title": draw(st.sampled_from(["T3", "T4"]))}
                evs.append({"at": draw(st.sampled_from(later)), "link": dict(fields)})
            if draw(st.booleans()):
                evs.append({"at": draw(st.sampled_from(later)), "link": {}})
            evs += draw(st.lists(events, max_size=2))
        if bool(evs) or draw(st.booleans()):
            progress["links"][link_id] = settled(evs, title=title, url=url)
        last_link = [
            e["link"] for e in sorted(evs, key=lambda e: Event.from_dict(e).order()) if "link" in e
        ]
        if not last_link or last_link[-1]:
            personal.append({"id": link_id, **(last_link[-1] if last_link else fields)})
    return {"progress": progress, "personal": {"version": 1, "links": personal}}


def all_events(record: dict[str, Any]) -> set[str]:
    return {
        text(e.to_dict())
        for entry in record["progress"]["links"].values()
        for e in implied_events(entry)
    }


# ---------------------------------------------------------------- properties


@settings(max_examples=300)
@given(entries(), entries())
def test_entry_merge_is_commutative(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert merge_entries(a, b) == merge_entries(b, a)


@settings(max_examples=300)
@given(entries(), entries(), entries())
def test_entry_merge_is_associative(a: Any, b: Any, c: Any) -> None:
    assert merge_entries(a, merge_entries(b, c)) == merge_entries(merge_entries(a, b), c)


@given(entries())
def test_entry_merge_is_idempotent(a: dict[str, Any]) -> None:
    assert merge_entries(a, a) == a


@settings(max_examples=300)
@given(records(), records())
def test_record_merge_is_commutative(a: Any, b: Any) -> None:
    assert text(merge_records(a, b)) == text(merge_records(b, a))


@settings(max_examples=250)
@given(records(), records(), records())
def test_record_merge_is_associative(a: Any, b: Any, c: Any) -> None:
    left = merge_records(a, merge_records(b, c))
    right = merge_records(merge_records(a, b), c)
    assert text(left) == text(right)


@given(records())
def test_record_merge_is_idempotent(a: Any) -> None:
    once = merge_records(a, a)
    assert merge_records(once, once) == once
    # A record's progress as llmdive writes it comes back unchanged.
    assert merge_progress(a["progress"], a["progress"]) == a["progress"]


@settings(max_examples=300)
@given(records(), records())
def test_no_event_from_either_side_is_lost(a: Any, b: Any) -> None:
    merged = merge_records(a, b)
    # ... and nothing is invented.
    assert all_events(merged) == all_events(a) | all_events(b)


@given(progress_docs, progress_docs)
def test_without_personal_links_every_link_keeps_its_id_and_events(a: Any, b: Any) -> None:
    merged = merge_progress(a, b)
    assert merged["links"].keys() == a["links"].keys() | b["links"].keys()
    for key, entry in merged["links"].items():
        for side in (a, b):
            for e in implied_events(side["links"].get(key, {})):
                assert e.to_dict() in entry["events"]


@given(records(), records())
def test_the_merged_state_is_what_the_merged_events_say(a: Any, b: Any) -> None:
    merged = merge_records(a, b)
    for entry in merged["progress"]["links"].values():
        state = replay(Event.from_dict(e) for e in entry.get("events", ()))
        assert entry.get("status", "unread") == state.status.value
        assert (entry.get("changed"), entry.get("noted")) == (state.changed, state.noted)
        assert entry.get("note") == state.note
    for link in merged["personal"]["links"]:
        state = replay(
            Event.from_dict(e)
            for e in merged["progress"]["links"].get(link["id"], {}).get("events", ())
        )
        if state.link is not None:
            assert {k: v for k, v in link.items() if k != "id"} == state.link


# ---------------------------------------------------------------- examples


def entry(*evs: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return merge_entries({"events": list(evs), **fields}, {})


def test_the_latest_status_wins_and_both_histories_are_kept() -> None:
    a = entry({"at": "2026-01-01T10:00:00Z", "status": "read"})
    b = entry({"at": "2026-01-02T10:00:00Z", "status": "skipped"})
    merged = merge_entries(a, b)
    assert merged["status"] == "skipped"
    assert merged["changed"] == "2026-01-02T10:00:00Z"
    assert [e["status"] for e in merged["events"]] == ["read", "skipped"]


def test_times_compare_as_times_not_text() -> None:
    # "10:00:00.5Z" sorts before "10:00:00Z" as text, but it is later.
    a = entry({"at": "2026-01-01T10:00:00Z", "status": "read"})
    b = entry({"at": "2026-01-01T10:00:00.500000Z", "status": "skipped"})
    assert merge_entries(a, b)["status"] == "skipped"


def test_the_newest_note_wins_and_the_older_stays_in_the_history() -> None:
    a = entry({"at": "2026-01-01T10:00:00Z", "note": "from the laptop"})
    b = entry({"at": "2026-01-03T10:00:00Z", "note": "from the desktop"})
    merged = merge_entries(a, b)
    assert (merged["note"], merged["noted"]) == ("from the desktop", "2026-01-03T10:00:00Z")
    assert [e["note"] for e in merged["events"]] == ["from the laptop", "from the desktop"]


def test_a_note_from_a_file_older_than_note_events_becomes_an_event() -> None:
    old = {
        "status": "read",
        "changed": "2026-01-01T10:00:00Z",
        "note": "kept",
        "noted": "2026-01-02T10:00:00Z",
        "events": [{"at": "2026-01-01T10:00:00Z", "status": "read"}],
    }
    newer = entry({"at": "2026-01-01T09:00:00Z", "note": "older text"})
    merged = merge_entries(old, newer)
    assert merged["note"] == "kept"
    assert {"at": "2026-01-02T10:00:00Z", "note": "kept"} in merged["events"]
    assert {"at": "2026-01-01T09:00:00Z", "note": "older text"} in merged["events"]


def test_a_removed_note_stays_removed_when_it_was_removed_last() -> None:
    a = entry(
        {"at": "2026-01-01T10:00:00Z", "note": "draft"}, {"at": "2026-01-02T10:00:00Z", "note": ""}
    )
    merged = merge_entries(a, entry({"at": "2026-01-01T10:00:00Z", "note": "draft"}))
    assert "note" not in merged
    assert len(merged["events"]) == 2


def test_an_undo_is_an_event_like_any_other() -> None:
    a = entry(
        {"at": "2026-01-01T10:00:00Z", "status": "read"},
        {"at": "2026-01-01T11:00:00Z", "undo": "2026-01-01T10:00:00Z", "status": "unread"},
    )
    b = entry({"at": "2026-01-01T10:00:00Z", "status": "read"})
    merged = merge_entries(a, b)
    assert "status" not in merged
    assert len(merged["events"]) == 2


def link(link_id: str, url: str, added: str, **more: str) -> dict[str, Any]:
    return {
        "id": link_id,
        "title": more.pop("title", "T"),
        "url": url,
        "difficulty": "easy",
        "section": "lora",
        "added": added,
        **more,
    }


def personal(*links: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "links": list(links)}


def test_personal_links_from_both_sides_are_unioned() -> None:
    a = {"personal": personal(link("mine", "https://a.example/", TIMES[0]))}
    b = {"personal": personal(link("theirs", "https://b.example/", TIMES[1]))}
    assert [p["id"] for p in merge_records(a, b)["personal"]["links"]] == ["mine", "theirs"]


def test_one_url_under_two_ids_is_one_link_and_its_progress_follows_it() -> None:
    a = {
        "personal": personal(link("post", "https://a.example/post", TIMES[0])),
        "progress": {
            "version": 1,
            "links": {
                "post": entry({"at": TIMES[0], "status": "read"}, url="https://a.example/post")
            },
        },
    }
    b = {
        "personal": personal(
            link("post-2", "https://www.a.example/post/", TIMES[2], title="Newer")
        ),
        "progress": {
            "version": 1,
            "links": {
                "post-2": entry({"at": TIMES[2], "note": "good"}, url="https://www.a.example/post/")
            },
        },
    }
    merged = merge_records(a, b)
    # The smaller id is kept.
    assert [(p["id"], p["title"]) for p in merged["personal"]["links"]] == [("post", "T")]
    assert list(merged["progress"]["links"]) == ["post"]
    got = merged["progress"]["links"]["post"]
    assert (got["status"], got["note"]) == ("read", "good")


def test_one_id_for_two_urls_renames_the_later_one_alike_everywhere() -> None:
    a = {
        "personal": personal(link("post", "https://a.example/", TIMES[0])),
        "progress": {
            "version": 1,
            "links": {"post": entry({"at": TIMES[0], "status": "read"}, url="https://a.example/")},
        },
    }
    b = {
        "personal": personal(link("post", "https://b.example/", TIMES[1])),
        "progress": {
            "version": 1,
            "links": {
                "post": entry({"at": TIMES[1], "status": "skipped"}, url="https://b.example/")
            },
        },
    }
    merged = merge_records(a, b)
    suffix = merge.url_suffix("https://b.example")
    assert [p["id"] for p in merged["personal"]["links"]] == ["post", f"post-{suffix}"]
    assert merged["progress"]["links"]["post"]["status"] == "read"
    assert merged["progress"]["links"][f"post-{suffix}"]["status"] == "skipped"
    # Merging again, or the other way round, gives the same record.
    assert merge_records(merged, b) == merged == merge_records(b, a)


def test_a_link_removed_on_one_side_stays_removed_and_keeps_its_history() -> None:
    fields = {
        "title": "T",
        "url": "https://g.example/",
        "difficulty": "easy",
        "section": "lora",
        "added": TIMES[0],
    }
    added = {"at": TIMES[0], "link": fields}
    ours = {
        "personal": personal(),
        "progress": {
            "version": 1,
            "links": {"gone": settled([added, {"at": TIMES[2], "link": {}}], url=fields["url"])},
        },
    }
    theirs = {
        "personal": personal({"id": "gone", **fields}),
        "progress": {"version": 1, "links": {"gone": settled([added], url=fields["url"])}},
    }
    merged = merge_records(ours, theirs)
    assert merged["personal"]["links"] == []
    assert len(merged["progress"]["links"]["gone"]["events"]) == 2
    # An edit made after the removal, on the other machine, brings it back edited.
    edited = {**fields, "title": "Better"}
    theirs["progress"]["links"]["gone"] = settled(
        [added, {"at": TIMES[3], "link": edited}], url=fields["url"]
    )
    theirs["personal"] = personal({"id": "gone", **edited})
    assert merge_records(ours, theirs)["personal"]["links"] == [{"id": "gone", **edited}]


def test_the_report_says_what_arrived() -> None:
    before = {
        "progress": {
            "version": 1,
            "links": {"x": entry({"at": TIMES[0], "status": "read"}, title="X")},
        },
        "personal": personal(),
    }
    other = {
        "progress": {
            "version": 1,
            "links": {"x": entry({"at": TIMES[1], "status": "skipped"}, title="X")},
        },
        "personal": personal(link("p", "https://p.example/", TIMES[0])),
    }
    after = merge_records(before, other)
    rep = merge.report(before, after)
    assert [(c.id, c.before, c.after, c.new_events) for c in rep.links] == [
        ("x", "read", "skipped", 1)
    ]
    assert [p["id"] for p in rep.personal_added] == ["p"]
    assert not merge.report(after, merge_records(after, other)).changed
