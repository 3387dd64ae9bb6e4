"""The reader's record, exported to share: a Markdown checklist, a CSV sheet, or JSON.

The JSON form is the whole record, exactly as stored, in one document that another
llmdive can read back (`progress merge`):

    {"format": "llmdive-record", "version": 1,
     "progress": <progress.json document>, "personal": <personal.json document>}

and, when guides besides the default one are followed, "guides": guides.json's list
(each guide's name, source and when it was added).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llmdive.errors import LlmdiveError
from llmdive.model.markdown import encoded_destination, one_line
from llmdive.model.models import at_key
from llmdive.model.text import safe
from llmdive.model.urls import UrlError, strip_credentials
from llmdive.model.vocab import Status
from llmdive.model.vocab import counted as plural
from llmdive.record.personal import personal_document
from llmdive.record.progress import orphans, reading_states

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Catalogue, Item
    from llmdive.guide.followed import Followed
    from llmdive.model.models import Entry, Progress, Related, Topic
    from llmdive.record.personal import PersonalLink

RECORD_FORMAT = "llmdive-record"
RECORD_VERSION = 1
FORMATS = ("markdown", "json", "csv")
CSV_COLUMNS = (
    "id",
    "title",
    "url",
    "section",
    "difficulty",
    "status",
    "changed",
    "note",
    "related",
)
SEP = " › "


def record_document(
    progress: Progress, personal: list[PersonalLink], followed: Sequence[Followed] = ()
) -> dict[str, Any]:
    """The whole record: progress.json and personal.json, as stored, in one document; and
    the guides followed besides the default one (names and sources, never their content),
    when there are some."""

    doc = {
        "format": RECORD_FORMAT,
        "version": RECORD_VERSION,
        "progress": progress.to_dict(),
        "personal": personal_document(personal),
    }
    if followed:
        doc["guides"] = [f.to_dict() for f in followed]
    return doc


def export(
    fmt: str,
    catalogue: Catalogue,
    progress: Progress,
    personal: list[PersonalLink],
    followed: Sequence[Followed] = (),
) -> str:
    """The record as `fmt` (markdown, json or csv)."""
    if fmt == "json":
        from llmdive.home.statefile import encode_state_text

        return encode_state_text(record_document(progress, personal, followed))
    if fmt == "csv":
        return export_csv(catalogue, progress)
    if fmt == "markdown":
        return export_checklist(catalogue, progress)
    raise LlmdiveError(f"unknown export format {fmt!r}: choose {', '.join(FORMATS)}")


# ---------------------------------------------------------------- rows


@dataclass(slots=True)
class _Row:
    """One link of the record, with what the reader did with it."""

    id: str
    title: str
    url: str
    section: list[str]
    difficulty: str
    personal: bool
    status: Status
    changed: str | None
    note: str | None
    related: tuple[Related, ...] = ()


def _rows(catalogue: Catalogue, progress: Progress) -> Iterator[tuple[Item | None, _Row]]:
    """Every link of the catalogue in guide order, then the record's links no longer in it."""

    states = reading_states(catalogue, progress)
    for item in catalogue.items:
        link = item.link
        key = link.id
        group = catalogue.shared_with.get(key, [key])
        changed = max(
            (c for i in group if (c := progress.value(i, "changed"))), key=_when, default=None
        )
        yield (
            item,
            _Row(
                key,
                link.title,
                link.url,
                [t.title for t in item.path],
                link.difficulty.value,
                link.personal,
                states.get(key, Status.UNREAD),
                changed,
                progress.value(key, "note"),
                link.related,
            ),
        )
    for key, entry in orphans(catalogue, progress).items():
        if _kept(entry):
            yield (
                None,
                _Row(
                    key,
                    entry.title or key,
                    entry.url or "",
                    [],
                    "",
                    False,
                    entry.status,
                    entry.changed,
                    entry.note,
                ),
            )


def _when(at: str) -> str:

    return at_key(at)


def _kept(entry: Entry) -> bool:
    """A link no longer in the guide worth listing: the reader did something with it."""
    return entry.status is not Status.UNREAD or bool(entry.note)


# ---------------------------------------------------------------- Markdown

_BOX = {Status.READ: "[x]"}
_WORD = {Status.READ: "read", Status.READING: "reading since", Status.SKIPPED: "skipped"}


def md_link(title: str, url: str) -> str:
    """`[title](url)` for an http(s) URL; anything else (javascript:, data:, none) is text.

    A record's links no longer in the guide keep the URL they had, from a file anyone may
    have written: only a URL llmdive would accept as a link's (`urls.check_link_url`) is a link,
    and one holding a user name or password is linked without them.
    """

    try:
        url = strip_credentials(url)[0]
    except UrlError:
        return one_line(title) + (f" (not a web link: {one_line(url)})" if url.strip() else "")
    return f"[{one_line(title)}]({encoded_destination(url)})"


def _md_line(row: _Row) -> str:
    parts = [f"- {_BOX.get(row.status, '[ ]')} {md_link(row.title, row.url)}"]
    # The link's related links stay on its line, written as the README export writes them.
    parts.extend(md_link(r.title, r.url) for r in row.related)
    if row.status is not Status.UNREAD:
        when = f" {row.changed[:10]}" if row.changed else ""
        parts.append(f"{_WORD[row.status]}{when}")
    if row.personal:
        parts.append("personal")
    if row.note:
        parts.append(f"note: {one_line(row.note)}")
    return " · ".join(parts)


def export_checklist(catalogue: Catalogue, progress: Progress) -> str:
    """A checklist by the guide's sections: [x] read, [ ] the rest, with dates and notes."""
    rows = list(_rows(catalogue, progress))
    # Several guides: a URL more than one lists is one link of the totals (as in `progress`).
    shared = catalogue.shared_with if catalogue.origins else {}
    seen: set[str] = set()
    once = []
    for item, r in rows:
        group = shared.get(item.link.id) if item is not None else None
        if group is None or group[0] not in seen:
            once.append(r)
        if group is not None:
            seen.add(group[0])
    counted = [r for r in once if r.status is not Status.SKIPPED]
    read = sum(r.status is Status.READ for r in counted)
    reading = sum(r.status is Status.READING for r in counted)
    skipped = len(once) - len(counted)
    title = one_line(catalogue.guide.title)
    out = [f"# My reading of {title}", ""]
    summary = f"{read} of {plural(len(counted), 'link')} read"
    if reading:
        summary += f", {reading} being read"
    if skipped:
        summary += f" ({skipped} skipped)"
    out += [summary + ".", ""]
    last: tuple[Topic, ...] = ()
    for item, row in rows:
        if item is None:
            continue
        path = item.path
        if not last or path[-1] is not last[-1]:
            # A heading for each level this link's path opens that the last link's did not.
            same = 0
            while same < min(len(path), len(last)) and path[same] is last[same]:
                same += 1
            for depth in range(same, len(path)):
                out += ["", f"{'#' * min(depth + 2, 6)} {one_line(path[depth].title)}", ""]
            last = path
        out.append(_md_line(row))
    gone = [row for item, row in rows if item is None]
    if gone:
        out += ["", "## Not in the current guide", ""]
        out += [_md_line(row) for row in gone]
    return "\n".join(_squeeze(out)).strip("\n") + "\n"


def _squeeze(lines: list[str]) -> Iterator[str]:
    """No two blank lines in a row."""
    blank = False
    for line in lines:
        if line == "" and blank:
            continue
        blank = line == ""
        yield line


# ---------------------------------------------------------------- CSV

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str | None) -> str:
    """A cell a spreadsheet shows as text: never a formula, never a control character.

    Line breaks and tabs stay (CSV quotes them); any other control is written as the
    terminal shows it (`model.text.safe`: `\\x1b`, `\\u202e`).
    """
    if not value:
        return ""
    text = "\n".join("\t".join(map(safe, line.split("\t"))) for line in value.split("\n"))
    return "'" + text if value.startswith(_FORMULA_START) else text


def export_csv(catalogue: Catalogue, progress: Progress) -> str:
    """One row per link: id, title, url, section path, difficulty, status, changed, note,
    and its related links (one `title url` a line)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for _, row in _rows(catalogue, progress):
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    row.id,
                    row.title,
                    row.url,
                    SEP.join(row.section),
                    row.difficulty,
                    row.status.value,
                    row.changed,
                    row.note,
                    "\n".join(f"{r.title} {r.url}" for r in row.related),
                )
            ]
        )
    return out.getvalue()
