"""Bringing another machine's record into this home: `progress merge`, and the conflicted
copies file-sync tools leave beside progress.json (merged by `doctor --fix`).

The merging itself is merge.py's (pure data); this module reads the files, holds the
home lock and writes through storage. It never runs git (sync.py does; git's merge
driver is mergedriver.py, the home's health doctor.py).
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from llmdive.errors import LlmdiveError
from llmdive.home import cache, storage
from llmdive.home.infile import RECORD_MAX_BYTES, parse_json, read_limited
from llmdive.home.lock import locked
from llmdive.home.paths import PERSONAL_FILE, PROGRESS_FILE
from llmdive.home.statefile import encode_state
from llmdive.model.models import Progress
from llmdive.record.events import Doc, clamp_future
from llmdive.record.merge import Report, fold_aliases, merge_records, report
from llmdive.record.personal import (
    PersonalLink,
    _validate,
    dump_personal,
    load_personal,
    personal_document,
)
from llmdive.record.progress import _untouched, load_progress, parse_progress

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Catalogue

RECORD_FORMAT = "llmdive-record"
SYNCED = (PROGRESS_FILE, PERSONAL_FILE)
# Syncthing: progress.sync-conflict-20260101-101010-ABCDEFG.json; Dropbox, Nextcloud,
# ownCloud: progress (Laptop's conflicted copy 2026-01-01).json, progress (conflicted copy ...).
_CONFLICT_PATTERNS = ("{stem}.sync-conflict-*{ext}", "{stem} (*conflicted copy*){ext}")


# ---------------------------------------------------------------- reading records


def personal_doc(data: bytes, path: Path) -> Doc:

    return _validate(data, path)


def parse_record(data: bytes, path: Path) -> Doc:
    """A record from a progress.json, a personal.json or a `progress export --format json`."""

    try:
        raw = parse_json(data, path)
    except LlmdiveError:
        raw = None  # parse_progress names what is wrong
    if isinstance(raw, dict) and raw.get("format") == RECORD_FORMAT:
        if raw.get("version") != 1:
            raise LlmdiveError(
                f"{path}: a record of version {raw.get('version')!r}; this llmdive reads "
                "version 1: upgrade llmdive"
            )
        parts = {k: json.dumps(raw.get(k) or {}).encode() for k in ("progress", "personal")}
        return {
            "progress": parse_progress(parts["progress"], path).to_dict(),
            "personal": personal_doc(parts["personal"], path),
        }
    if isinstance(raw, dict) and isinstance(raw.get("links"), list):
        return {"personal": personal_doc(data, path)}
    # Anything else is read as progress.json, whose errors name what is wrong.
    return {"progress": parse_progress(data, path).to_dict()}


def read_record(path: Path) -> Doc:

    try:
        data = read_limited(path, RECORD_MAX_BYTES)
    except OSError as exc:
        raise LlmdiveError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        return parse_record(data, path)
    except LlmdiveError as exc:
        raise LlmdiveError(_not_a_record(str(exc), path)) from None


def parse_remote_record(data: bytes, where: Path) -> Doc:
    """parse_record for a file in a sync remote's tree (`origin/main:progress.json`).

    Its problem is said as the remote's: nothing here was changed, and the fix is there.
    """
    try:
        return parse_record(data, where)
    except LlmdiveError as exc:
        message = str(exc)
        for advice in (_untouched(where), "fix it or move it aside; llmdive has left it as it is"):
            message = message.removesuffix(": " + advice)
        raise LlmdiveError(
            f"the remote's file is bad: {message}; nothing was changed here: fix the file "
            "in the remote (from a clone of it), then sync again"
        ) from None


def _not_a_record(message: str, path: Path) -> str:
    """An input file's problem, without the advice meant for the reader's own files.

    The readers' messages end "move it aside to start afresh; llmdive has left it as it
    is": right for the home's progress.json, wrong for a file given to merge.
    """

    head = f"{path}: "
    for advice in (_untouched(path), "fix it or move it aside; llmdive has left it as it is"):
        if message.startswith(head) and message.endswith(": " + advice):
            detail = message[len(head) : -len(advice) - 2]
            for kind in ("not an llmdive progress file: ", "not an llmdive personal-links file: "):
                detail = detail.removeprefix(kind)
            return f"{path}: not an llmdive record or export ({detail}); nothing was merged"
    return message


def home_record(home: Path) -> Doc:
    """This home's record, as stored."""

    return {
        "progress": load_progress(home).to_dict(),
        "personal": personal_document(load_personal(home)),
    }


def progress_bytes(doc: Doc) -> bytes:
    """progress.json as llmdive's own commands write it."""

    return encode_state(doc)


def personal_bytes(doc: Doc) -> bytes:
    """personal.json as `add` writes it."""

    return dump_personal([PersonalLink.from_dict(d) for d in doc["links"]]).encode()


def record_bytes(record: Doc) -> dict[str, tuple[bytes, bool]]:
    """The bytes llmdive writes for a record's two files, and whether they hold anything."""
    progress, personal = record["progress"], record["personal"]
    return {
        PROGRESS_FILE: (progress_bytes(progress), bool(progress["links"])),
        PERSONAL_FILE: (personal_bytes(personal), bool(personal["links"])),
    }


def reserved_ids(catalogue: Catalogue) -> frozenset[str]:
    """The ids no personal link may have: the guide's links' ids and their old ids."""
    guide = [i.link.id for i in catalogue.items if not i.link.personal]
    return frozenset(guide) | frozenset(catalogue.aliases)


def merged_record(
    ours: Doc, theirs: Doc, aliases: Mapping[str, str], reserved: Collection[str] = ()
) -> Doc:
    """This home's record and another's as one, progress under the links' ids (see merge)."""
    return fold_aliases(merge_records(ours, theirs, frozenset(reserved)), aliases)


def check_record(home: Path, files: Mapping[str, bytes]) -> dict[str, Doc]:
    """Refuse a record that llmdive could not read back as a whole: nothing is written then.

    What a merge brings (another machine's file, a remote) is read back as the home's
    own commands will read it: each file valid, every personal id its own. `files`: the
    bytes of progress.json and/or personal.json; the validated documents, by name.
    """

    out: dict[str, Doc] = {}
    try:
        if PROGRESS_FILE in files:
            out[PROGRESS_FILE] = parse_progress(
                files[PROGRESS_FILE], home / PROGRESS_FILE
            ).to_dict()
        if PERSONAL_FILE in files:
            out[PERSONAL_FILE] = _validate(files[PERSONAL_FILE], home / PERSONAL_FILE)
    except LlmdiveError as exc:
        # The advice for a broken home file is wrong here: the home's file is fine.
        message = str(exc)
        for name in (PROGRESS_FILE, PERSONAL_FILE):
            for advice in (
                _untouched(home / name),
                "fix it or move it aside; llmdive has left it as it is",
            ):
                message = message.removesuffix(": " + advice)
        raise LlmdiveError(
            f"the merged record would not be readable, so nothing was changed: {message} "
            "(your own files are as they were)"
        ) from None
    return out


def write_record(home: Path, record: Doc) -> bool:
    """Write the files of `record` that differ from what the home holds; hold the lock.

    What changes is checked as a whole first (check_record): a bad record changes nothing.
    """

    changes: dict[Path, bytes | None] = {}
    for name, (data, holds) in record_bytes(record).items():
        path = home / name
        try:
            old: bytes | None = storage.read_bytes(path)
        except FileNotFoundError:
            old = None
        except OSError as exc:
            raise LlmdiveError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        if old is None and not holds:
            continue  # no file, and nothing to put in one
        if old != data:
            changes[path] = data
    checked = check_record(home, {p.name: d for p, d in changes.items() if d is not None})
    storage.write_all(changes)
    # Validated just now: the next command reads them from the cache, not validating again.
    for name, doc in checked.items():
        if (written := changes[home / name]) is not None:
            kind = name.removesuffix(".json")
            cache.write(kind, home / name, cache.digest(written), doc, home=home)
    return bool(changes)


# ---------------------------------------------------------------- progress merge


def merge_into_home(
    home: Path,
    other: Doc,
    dry_run: bool = False,
    aliases: Mapping[str, str] | None = None,
    reserved: Collection[str] = (),
) -> Report:
    """Merge another record into this home's, under the lock; what it changed (or would).

    Progress under a link's old id (`aliases`: old id -> id), from either side, ends
    under the link's id; a personal link with a guide id (`reserved`) gets its own.
    The merged record is checked as a whole before anything is written.
    """

    with locked(home):
        return merge_held(home, other, dry_run, aliases, reserved)


def clamp_record(record: Doc, when: datetime | None = None) -> tuple[Doc, dict[str, str]]:
    """The record with every time beyond now + a year brought back to now (events.clamp_future).

    A merged change stamped years ahead would come after everything this machine does,
    for good; it arrives as made now instead. Also: each link so changed, its old time.
    """
    if not record.get("progress"):
        return record, {}
    progress = Progress.from_dict(record["progress"])
    out = clamp_future(progress, when)
    if not out:
        return record, {}
    return {**record, "progress": progress.to_dict()}, out


def merge_held(
    home: Path,
    other: Doc,
    dry_run: bool = False,
    aliases: Mapping[str, str] | None = None,
    reserved: Collection[str] = (),
) -> Report:
    """merge_into_home for a caller that holds the home lock already (`llmdive sync`)."""
    aliases = aliases or {}
    current = home_record(home)
    other, clamped = clamp_record(other)
    merged = merged_record(current, other, aliases, reserved)
    # An older file's notes gaining events is not news from elsewhere: compare with the
    # home's own record as a merge would normalise it.
    rep = report(merged_record(current, {}, aliases), merged)
    rep.clamped = clamped
    if dry_run:
        check_record(home, {name: data for name, (data, _) in record_bytes(merged).items()})
    else:
        write_record(home, merged)
    return rep


# ---------------------------------------------------------------- conflicted copies


def conflicted_copies(home: Path) -> list[Path]:
    """Copies of progress.json or personal.json a file-sync tool left beside them."""
    try:
        names = sorted(os.listdir(home))
    except OSError:
        return []
    found = []
    for synced in SYNCED:
        stem, ext = os.path.splitext(synced)
        patterns = [p.format(stem=stem, ext=ext) for p in _CONFLICT_PATTERNS]
        found += [home / n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)]
    return found


@dataclass
class CopyMerge:
    path: Path
    report: Report | None = None
    error: str | None = None


def merge_copies(
    home: Path,
    copies: list[Path],
    dry_run: bool = False,
    aliases: Mapping[str, str] | None = None,
    reserved: Collection[str] = (),
) -> list[CopyMerge]:
    """Merge each conflicted copy into the record; a copy merged (and written) is removed.

    Its every event is then in the record, so removing it loses nothing; a copy that
    cannot be read is reported and left where it is.
    """
    out = []
    for path in copies:
        try:
            rep = merge_into_home(home, read_record(path), dry_run, aliases, reserved)
        except LlmdiveError as exc:
            out.append(CopyMerge(path, error=str(exc)))
            continue
        if not dry_run:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        out.append(CopyMerge(path, rep))
    return out
