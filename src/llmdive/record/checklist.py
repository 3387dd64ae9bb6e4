"""A ticked Markdown checklist read back into the record: `progress import-checklist`.

The checklist is llmdive's own `progress export`, or a fork of a guide's README where the
reader ticked `- [x]` boxes. Its ticked items are imported as a README of their own (the
same importer, so titles, badges and related links are read as a guide's are) and matched
to the guide's links by the rules of a guide update (guide/update.py: the same URL
anywhere, then the same or a similar title within the section). The matched links are
marked read as one change (one `undo` takes it back); nothing is ever unmarked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from llmdive.errors import LlmdiveError
from llmdive.model.urls import normalize_url, shorten
from llmdive.model.vocab import Status
from llmdive.record.progress import Change, set_status, update_progress

if TYPE_CHECKING:
    from pathlib import Path

    from llmdive.guide.catalogue import Catalogue, Item

_BOX = re.compile(r"^\[([ xX])\][ \t]+")


@dataclass(frozen=True)
class Ticked:
    """One ticked item of the checklist: its text as written and its line in the file."""

    line: int
    text: str


@dataclass
class Reading:
    """What a checklist says was read, matched to the guide."""

    ticked: int = 0  # ticked items in the file
    matched: list[tuple[Ticked, Item]] = field(default_factory=list)
    unmatched: list[Ticked] = field(default_factory=list)
    ambiguous: list[dict[str, Any]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


def _ticked(text: str) -> tuple[list[str], dict[int, Ticked]]:
    """The checklist's headings and ticked items as a README of their own, and for each of
    its lines (from 1) that holds an item, the ticked item it came from."""
    # start-up: markdown_it loads only to read or write a README
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(text)
    out: list[str] = []
    items: dict[int, Ticked] = {}
    in_item = 0
    for i, tok in enumerate(tokens):
        if tok.type == "list_item_open":
            in_item += 1
        elif tok.type == "list_item_close":
            in_item -= 1
        elif tok.type == "heading_open" and not in_item:
            inline = tokens[i + 1]
            out += ["", f"{tok.markup} {inline.content}", ""]
        elif tok.type == "inline" and in_item and tokens[i - 1].type == "paragraph_open":
            box = _BOX.match(inline_text := tok.content)
            if box and box.group(1) in "xX":
                line = (tok.map[0] if tok.map else 0) + 1
                body = " ".join(inline_text[box.end() :].split())
                out.append(f"- {body}")
                items[len(out)] = Ticked(line, body)
    return out, items


def read_checklist(catalogue: Catalogue, text: str, source: str) -> Reading:
    """The guide's links a checklist ticks, and the ticked items that match none."""
    from llmdive.guide.catalogue import Catalogue as Built
    from llmdive.guide.importer import parse_readme
    from llmdive.guide.update import carry_ids

    lines, items = _ticked(text)
    reading = Reading(ticked=len(items))
    if not items:
        raise LlmdiveError(
            f"{shorten(source)}: no ticked items (`- [x] ...`) found: nothing was marked"
        )
    try:
        parsed = parse_readme("\n".join(lines) + "\n", source)
    except LlmdiveError:
        # Ticked lines, but none holding a link: nothing to match them on.
        reading.unmatched = list(items.values())
        return reading
    ticks = Built(parsed.guide)
    report = carry_ids(catalogue, ticks, {}, set(), source)
    new_ids = {c.id for c in report.added}
    found: dict[int, Item] = {}
    tick_urls = {  # the checklist's line of each item -> its URL, normalised
        parsed.lines[i.link.id]: normalize_url(i.link.url)
        for i in ticks.items
        if i.link.id in parsed.lines
    }
    for item in ticks.items:
        at = parsed.lines.get(item.link.id) if item.link.id not in new_ids else None
        if at in items and item.link.id in catalogue.by_id:
            found.setdefault(at, catalogue.by_id[item.link.id])
    # A link ticked twice (in two sections, or as a link and its alias) is marked once; a
    # ticked item whose URL is a link already matched (a link two guides share, listed under
    # each in an export) is that link, not a miss.
    seen: set[str] = set()
    urls = {normalize_url(hit.link.url) for hit in found.values()}
    for at, tick in items.items():
        hit = found.get(at)
        if hit is None and tick_urls.get(at) in urls:
            continue
        if hit is None:
            reading.unmatched.append(tick)
        elif hit.link.id not in seen:
            seen.add(hit.link.id)
            reading.matched.append((tick, hit))
    reading.ambiguous = report.ambiguous
    return reading


def import_checklist(
    home: Path, catalogue: Catalogue, text: str, source: str, dry_run: bool = False
) -> Reading:
    """Mark read what the checklist ticks (one change); with `dry_run`, only say what."""
    from llmdive.record.progress import load_progress, reading_state

    reading = read_checklist(catalogue, text, source)
    targets = [item for _, item in reading.matched]
    if dry_run:
        progress = load_progress(home)
        for item in targets:
            before = reading_state(catalogue, progress, item.link.id)
            reading.changes.append(Change(item.link.id, item.link.title, before, Status.READ))
        return reading
    reading.changes = update_progress(
        home, lambda p: set_status(p, catalogue, targets, Status.READ), catalogue.aliases
    )
    return reading
