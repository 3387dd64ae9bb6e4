"""The merge of two records: a join that never conflicts and never loses an event."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from llmdive import merge
from llmdive.merge import merge_entries, merge_personal, merge_progress, merge_records

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


@st.composite
def entries(draw: st.DrawFn, url: str | None = None) -> dict[str, Any]:
    """An entry as llmdive writes it: its stored fields are what its events say."""
    evs = sorted(draw(st.lists(events, max_size=4, unique_by=text)), key=merge.event_key)
    (status, changed), (note, noted) = merge.derive(evs)
    entry: dict[str, Any] = {"events": evs} if evs else {}
    if status != "unread":
        entry["status"] = status
    if changed:
        entry["changed"] = changed
    if note:
        entry["note"], entry["noted"] = note, noted
    title = draw(st.none() | st.sampled_from(["title one", "title two"]))
    if title is not None:
        entry["title"] = title
    # Every mark and note records the link's URL (a given link's, whichever machine).
    if url is not None or draw(st.booleans()):
        entry["url"] = url or draw(st.sampled_from(["url one", "url two"]))
    return entry


URLS = ["https://one.example/x", "https://www.one.example/x/", "https://two.example/y",
        "https://three.example/z?utm_source=feed"]  # fmt: skip
GUIDE = {k: f"https://guide.example/{k}" for k in ("a", "b", "c")}
progress_docs = st.builds(
    lambda links: {"version": 1, "links": links},
    st.fixed_dictionaries({}, optional={k: entries(u) for k, u in GUIDE.items()}),
)


@st.composite
def personal_docs(draw: st.DrawFn) -> dict[str, Any]:
    """One machine's personal.json: ids and (normalised) URLs unique, as `add` keeps them."""
    links = []
    ids: set[str] = set()
    urls: set[str] = set()
    for _ in range(draw(st.integers(0, 3))):
        link_id = draw(st.sampled_from(["p1", "p2", "p3"]))
        url = draw(st.sampled_from(URLS))
        nurl = merge.normalize_url(url)
        if link_id in ids or nurl in urls:
            continue
        ids.add(link_id)
        urls.add(nurl)
        title, added = draw(st.sampled_from(["T1", "T2"])), draw(st.sampled_from(TIMES))
        link = {"id": link_id, "title": title, "url": url, "difficulty": "easy",
                "section": "lora", "added": added}  # fmt: skip
        if draw(st.booleans()):
            link["edited"] = draw(st.sampled_from(TIMES))
        links.append(link)
    return {"version": 1, "links": links}


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """One machine's record: guide links' entries, and entries for its own links."""
    progress = draw(progress_docs)
    personal = draw(personal_docs())
    for p in personal["links"]:
        if draw(st.booleans()):
            progress["links"][p["id"]] = draw(entries(p["url"]))
    return {"progress": progress, "personal": personal}


def all_events(record: dict[str, Any]) -> set[str]:
    return {
        text(e)
        for entry in record["progress"]["links"].values()
        for e in merge.implied_events(entry)
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


@settings(max_examples=500)
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
    assert all_events(a) | all_events(b) <= all_events(merged)
    # ... and nothing is invented.
    assert all_events(merged) == all_events(a) | all_events(b)


@given(progress_docs, progress_docs)
def test_without_personal_links_every_link_keeps_its_id_and_events(a: Any, b: Any) -> None:
    merged = merge_progress(a, b)
    assert merged["links"].keys() == a["links"].keys() | b["links"].keys()
    for key, entry in merged["links"].items():
        for side in (a, b):
            for e in merge.implied_events(side["links"].get(key, {})):
                assert e in entry["events"]


@given(records(), records())
def test_the_merged_state_is_what_the_merged_events_say(a: Any, b: Any) -> None:
    for entry in merge_records(a, b)["progress"]["links"].values():
        (status, changed), (note, noted) = merge.derive(entry.get("events", ()))
        assert entry.get("status", "unread") == status
        assert entry.get("changed") == changed
        assert entry.get("note") == note


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
    old = {"status": "read", "changed": "2026-01-01T10:00:00Z", "note": "kept",
           "noted": "2026-01-02T10:00:00Z",
           "events": [{"at": "2026-01-01T10:00:00Z", "status": "read"}]}  # fmt: skip
    newer = entry({"at": "2026-01-01T09:00:00Z", "note": "older text"})
    merged = merge_entries(old, newer)
    assert merged["note"] == "kept"
    assert {"at": "2026-01-02T10:00:00Z", "note": "kept"} in merged["events"]
    assert {"at": "2026-01-01T09:00:00Z", "note": "older text"} in merged["events"]


def test_a_removed_note_stays_removed_when_it_was_removed_last() -> None:
    a = entry({"at": "2026-01-01T10:00:00Z", "note": "draft"},
              {"at": "2026-01-02T10:00:00Z", "note": ""})  # fmt: skip
    merged = merge_entries(a, entry({"at": "2026-01-01T10:00:00Z", "note": "draft"}))
    assert "note" not in merged
    assert len(merged["events"]) == 2


def test_an_undo_is_an_event_like_any_other() -> None:
    a = entry({"at": "2026-01-01T10:00:00Z", "status": "read"},
              {"at": "2026-01-01T11:00:00Z", "undo": "2026-01-01T10:00:00Z",
               "status": "unread"})  # fmt: skip
    b = entry({"at": "2026-01-01T10:00:00Z", "status": "read"})
    merged = merge_entries(a, b)
    assert "status" not in merged
    assert len(merged["events"]) == 2


def link(link_id: str, url: str, added: str, **more: str) -> dict[str, Any]:
    return {"id": link_id, "title": more.pop("title", "T"), "url": url, "difficulty": "easy",
            "section": "lora", "added": added, **more}  # fmt: skip


def personal(*links: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "links": list(links)}


def test_personal_links_from_both_sides_are_unioned() -> None:
    a = personal(link("mine", "https://a.example/", TIMES[0]))
    b = personal(link("theirs", "https://b.example/", TIMES[1]))
    assert [p["id"] for p in merge_personal(a, b).doc["links"]] == ["mine", "theirs"]


def test_one_url_under_two_ids_is_one_link_and_its_progress_follows_it() -> None:
    a = {"personal": personal(link("post", "https://a.example/post", TIMES[0])),
         "progress": {"version": 1, "links": {"post": entry(
             {"at": TIMES[0], "status": "read"}, url="https://a.example/post")}}}  # fmt: skip
    b = {"personal": personal(link("post-2", "https://www.a.example/post/", TIMES[2],
                                   title="Newer")),
         "progress": {"version": 1, "links": {"post-2": entry(
             {"at": TIMES[2], "note": "good"}, url="https://www.a.example/post/")}}}  # fmt: skip
    merged = merge_records(a, b)
    assert [(p["id"], p["title"]) for p in merged["personal"]["links"]] == [("post-2", "Newer")]
    assert list(merged["progress"]["links"]) == ["post-2"]
    got = merged["progress"]["links"]["post-2"]
    assert (got["status"], got["note"]) == ("read", "good")


def test_one_id_for_two_urls_renames_the_later_one_alike_everywhere() -> None:
    a = {"personal": personal(link("post", "https://a.example/", TIMES[0])),
         "progress": {"version": 1, "links": {"post": entry(
             {"at": TIMES[0], "status": "read"}, url="https://a.example/")}}}  # fmt: skip
    b = {"personal": personal(link("post", "https://b.example/", TIMES[1])),
         "progress": {"version": 1, "links": {"post": entry(
             {"at": TIMES[1], "status": "skipped"}, url="https://b.example/")}}}  # fmt: skip
    merged = merge_records(a, b)
    suffix = merge.url_suffix("https://b.example")
    assert [p["id"] for p in merged["personal"]["links"]] == ["post", f"post-{suffix}"]
    assert merged["progress"]["links"]["post"]["status"] == "read"
    assert merged["progress"]["links"][f"post-{suffix}"]["status"] == "skipped"
    # Merging again, or the other way round, gives the same record.
    assert merge_records(merged, b) == merged == merge_records(b, a)


def test_with_a_base_a_link_removed_on_one_side_stays_removed() -> None:
    kept = link("kept", "https://k.example/", TIMES[0])
    gone = link("gone", "https://g.example/", TIMES[0])
    base = personal(kept, gone)
    ours = personal(kept)  # removed here
    theirs = personal(kept, gone, link("new", "https://n.example/", TIMES[1]))
    ids = [p["id"] for p in merge_personal(ours, theirs, base).doc["links"]]
    assert ids == ["kept", "new"]
    # Without the base, nothing says it was removed: the union keeps it.
    assert len(merge_personal(ours, theirs).doc["links"]) == 3


def test_with_a_base_a_link_edited_on_the_other_side_survives_its_removal() -> None:
    gone = link("gone", "https://g.example/", TIMES[0])
    edited = {**gone, "title": "Better", "edited": TIMES[1]}
    doc = merge_personal(personal(), personal(edited), personal(gone)).doc
    assert [p["title"] for p in doc["links"]] == ["Better"]


def test_the_report_says_what_arrived() -> None:
    before = {"progress": {"version": 1, "links": {"x": entry(
        {"at": TIMES[0], "status": "read"}, title="X")}}, "personal": personal()}  # fmt: skip
    other = {"progress": {"version": 1, "links": {"x": entry(
        {"at": TIMES[1], "status": "skipped"}, title="X")}},
        "personal": personal(link("p", "https://p.example/", TIMES[0]))}  # fmt: skip
    after = merge_records(before, other)
    rep = merge.report(before, after)
    assert [(c.id, c.before, c.after, c.new_events) for c in rep.links] == [
        ("x", "read", "skipped", 1)
    ]
    assert [p["id"] for p in rep.personal_added] == ["p"]
    assert not merge.report(after, merge_records(after, other)).changed
