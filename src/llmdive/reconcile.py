"""Bringing another machine's record into this home: `progress merge`, `doctor`, git's driver.

The merging itself is merge.py's (pure data); this module reads the files, holds the
home lock, writes through storage, and finds the conflicted copies file-sync tools
leave beside progress.json. It never runs git.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import stat
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmdive.errors import LlmdiveError
from llmdive.merge import Doc, Report, fold_aliases, merge_progress, merge_records, report
from llmdive.models import at_key
from llmdive.paths import JOURNAL

if TYPE_CHECKING:
    from llmdive.catalogue import Catalogue

RECORD_FORMAT = "llmdive-record"
SYNCED = ("progress.json", "personal.json")
# Syncthing: progress.sync-conflict-20260101-101010-ABCDEFG.json; Dropbox, Nextcloud,
# ownCloud: progress (Laptop's conflicted copy 2026-01-01).json, progress (conflicted copy ...).
_CONFLICT_PATTERNS = ("{stem}.sync-conflict-*{ext}", "{stem} (*conflicted copy*){ext}")


# ---------------------------------------------------------------- reading records


def _personal_doc(data: bytes, path: Path) -> Doc:
    from llmdive.personal import _validate

    return _validate(data, path)


def parse_record(data: bytes, path: Path) -> Doc:
    """A record from a progress.json, a personal.json or a `progress export --format json`."""
    from llmdive.infile import parse_json
    from llmdive.progress import parse_progress

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
            "personal": _personal_doc(parts["personal"], path),
        }
    if isinstance(raw, dict) and isinstance(raw.get("links"), list):
        return {"personal": _personal_doc(data, path)}
    # Anything else is read as progress.json, whose errors name what is wrong.
    return {"progress": parse_progress(data, path).to_dict()}


def read_record(path: Path) -> Doc:
    from llmdive.infile import RECORD_MAX_BYTES, read_limited

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
    from llmdive.progress import _untouched

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
    from llmdive.progress import _untouched

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
    from llmdive.personal import load_personal, personal_document
    from llmdive.progress import load_progress

    return {
        "progress": load_progress(home).to_dict(),
        "personal": personal_document(load_personal(home)),
    }


def progress_bytes(doc: Doc) -> bytes:
    """progress.json as llmdive's own commands write it."""
    from llmdive.progress import json_bytes

    return json_bytes(doc)


def personal_bytes(doc: Doc) -> bytes:
    """personal.json as `add` writes it."""
    from llmdive.personal import PersonalLink, dump_personal

    return dump_personal([PersonalLink.from_dict(d) for d in doc["links"]]).encode()


def record_bytes(record: Doc) -> dict[str, tuple[bytes, bool]]:
    """The bytes llmdive writes for a record's two files, and whether they hold anything."""
    progress, personal = record["progress"], record["personal"]
    return {
        "progress.json": (progress_bytes(progress), bool(progress["links"])),
        "personal.json": (personal_bytes(personal), bool(personal["links"])),
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
    from llmdive.personal import _validate
    from llmdive.progress import _untouched, parse_progress

    out: dict[str, Doc] = {}
    try:
        if "progress.json" in files:
            out["progress.json"] = parse_progress(
                files["progress.json"], home / "progress.json"
            ).to_dict()
        if "personal.json" in files:
            out["personal.json"] = _validate(files["personal.json"], home / "personal.json")
    except LlmdiveError as exc:
        # The advice for a broken home file is wrong here: the home's file is fine.
        message = str(exc)
        for name in ("progress.json", "personal.json"):
            for advice in (_untouched(home / name),
                           "fix it or move it aside; llmdive has left it as it is"):  # fmt: skip
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
    from llmdive import cache, storage

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
            cache.write(name.removesuffix(".json"), home / name, cache.digest(written), doc)
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
    from llmdive.progress import locked

    with locked(home):
        return merge_held(home, other, dry_run, aliases, reserved)


def clamp_record(record: Doc, when: datetime | None = None) -> tuple[Doc, dict[str, str]]:
    """The record with every time beyond now + a year brought back to now (progress.clamp_times).

    A merged change stamped years ahead would come after everything this machine does,
    for good; it arrives as made now instead. Also: each link so changed, its old time.
    """
    from llmdive.progress import clamp_times
    from llmdive.progress import now as clock

    links = (record.get("progress") or {}).get("links") or {}
    base = when or clock()
    moved = clamp_times(
        (e["at"] for entry in links.values() for e in entry.get("events", ())), base
    )
    if not moved:
        return record, {}
    out: dict[str, str] = {}
    new_links: Doc = {}
    for key, entry in links.items():
        events = []
        for e in entry.get("events", ()):
            if e["at"] in moved or e.get("undo") in moved:
                if e["at"] in moved:
                    out[key] = max(out.get(key, e["at"]), e["at"], key=at_key)
                e = {**e, "at": moved.get(e["at"], e["at"])}
                if "undo" in e:
                    e["undo"] = moved.get(e["undo"], e["undo"])
            events.append(e)
        new_links[key] = {**entry, "events": events} if "events" in entry else entry
    progress = {**record["progress"], "links": new_links}
    return {**record, "progress": progress}, out


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


# ---------------------------------------------------------------- health


@dataclass
class Health:
    home: Path
    facts: list[tuple[str, str]] = field(default_factory=list)  # (ok | warn | error, text)
    copies: list[Path] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(level == "error" for level, _ in self.facts)

    def to_json(self) -> dict[str, Any]:
        return {
            "home": str(self.home),
            "facts": [{"level": level, "text": text} for level, text in self.facts],
            "conflicted_copies": [str(p) for p in self.copies],
        }


def health(home: Path) -> Health:
    """Cheap facts about the home: its files readable, sync set up, conflicted copies."""
    from llmdive.personal import load_personal
    from llmdive.progress import future_links, load_progress

    out = Health(home)
    if not home.is_dir():
        out.facts.append(("ok", f"no llmdive home yet at {home}: nothing recorded"))
        return out
    out.facts += _write_facts(home)
    special = _special_facts(home)
    out.facts += special
    if special and special[0][1].startswith(str(home / JOURNAL)):
        return out  # every file of the home is read through the journal: nothing more said
    try:
        progress = load_progress(home)
        n = len(progress)
        out.facts.append(("ok", f"progress.json: {n} link{'s' if n != 1 else ''} recorded"))
        for key, at in sorted(future_links(progress).items()):
            out.facts.append(
                ("warn", f"progress.json: {key} has a change stamped in the future ({at}); "
                 "later changes are ordered after it (a clock that runs fast, or a hand edit)")
            )  # fmt: skip
    except LlmdiveError as exc:
        out.facts.append(("error", str(exc)))
    try:
        n = len(load_personal(home))
        out.facts.append(("ok", f"personal.json: {n} link{'s' if n != 1 else ''} of your own"))
    except LlmdiveError as exc:
        out.facts.append(("error", str(exc)))
    out.facts += _guide_facts(home)
    out.facts += _checks_facts(home)
    remote = sync_remote(home)
    if remote is None:
        out.facts.append(("ok", "sync: not set up (llmdive sync --remote URL)"))
    else:
        from llmdive.sync import stale_lock

        lock = stale_lock(home)
        if lock is not None:
            out.facts.append(("error", f"sync: {lock}"))
        else:
            out.facts.append(("ok", f"sync: through git with {remote} (llmdive sync)"))
    out.copies = conflicted_copies(home)
    for path in out.copies:
        out.facts.append(("warn", f"conflicted copy left by a file-sync tool: {path.name}"))
    return out


def unknown_ids(home: Path, catalogue: Catalogue) -> list[tuple[str, str]]:
    """doctor's facts on ids in progress.json that name no link of the guide or of the
    reader (a misspelt id in a hand edit, a link a guide update dropped), with the link
    each most likely meant: a mark on such an id shows nowhere."""
    from llmdive.catalogue import closest_ids
    from llmdive.progress import load_progress, orphans
    from llmdive.slugs import url_key

    try:
        progress = load_progress(home)
    except LlmdiveError:
        return []  # health() reports the file itself
    facts: list[tuple[str, str]] = []
    for key, entry in orphans(catalogue, progress).items():
        same_url = catalogue.by_url.get(url_key(entry.url)) if entry.url else None
        near = [same_url.link.id] if same_url else closest_ids(catalogue, key)
        hint = f" (did you mean: {', '.join(near)}?)" if near else ""
        facts.append(
            ("warn", f"progress.json: {key!r} names no link{hint}: its {entry.status.value} "
                     f"mark shows nowhere (`llmdive history {key}` shows its changes)")
        )  # fmt: skip
    return facts


def _write_facts(home: Path) -> list[tuple[str, str]]:
    """A home (or a record file) llmdive cannot write: every mark would fail there."""
    from llmdive.personal import PERSONAL_FILE
    from llmdive.progress import PROGRESS_FILE

    facts: list[tuple[str, str]] = []
    for path in (home, home / PROGRESS_FILE, home / PERSONAL_FILE):
        try:
            mode = os.stat(path).st_mode
        except OSError:
            continue
        if not mode & stat.S_IWUSR or not os.access(path, os.W_OK):
            what = "folder" if path == home else "file"
            facts.append(
                (
                    "error",
                    f"{path}: a read-only {what} (mode {stat.S_IMODE(mode):04o}): llmdive "
                    "cannot record anything here; make it writable (chmod u+w)",
                )
            )
    return facts


def _special_facts(home: Path) -> list[tuple[str, str]]:
    """Files of the home that are FIFOs, devices or folders (or links to them): every
    command that reads one fails, so doctor names each."""
    from llmdive.infile import refuse_special
    from llmdive.linkmarks import CHECKS_FILE
    from llmdive.paths import ACTIVE_GUIDE
    from llmdive.update import META_FILE

    facts: list[tuple[str, str]] = []  # progress.json and personal.json: said by their readers
    for name in (JOURNAL, ACTIVE_GUIDE, META_FILE, CHECKS_FILE):
        try:
            refuse_special(home / name)
        except LlmdiveError as exc:
            facts.append(("error", str(exc)))
    return facts


def _checks_facts(home: Path) -> list[tuple[str, str]]:
    """linkcheck.json, when it is there: a damaged one is said with how to clear it."""
    from llmdive.infile import refuse_special
    from llmdive.linkmarks import checks_file, read_results

    path = checks_file(home)
    try:
        refuse_special(path)
    except LlmdiveError:
        return []  # said by _special_facts
    try:
        n = len(read_results(home))
    except LlmdiveError as exc:
        return [("error", f"{exc} (or `llmdive check-links --forget` clears it)")]
    if not n and not os.path.lexists(path):
        return []
    return [("ok", f"{path.name}: the checks of {n} link{'s' if n != 1 else ''} kept")]


def _guide_facts(home: Path) -> list[tuple[str, str]]:
    """The updated guide (guide.toml) and its record (guide-meta.json), when the home has them."""
    from llmdive.catalogue import load_catalogue
    from llmdive.paths import ACTIVE_GUIDE
    from llmdive.storage import exists
    from llmdive.update import META_FILE, read_meta
    from llmdive.workspace import RESET_HINT

    facts: list[tuple[str, str]] = []
    if exists(home / ACTIVE_GUIDE):
        try:
            n = len(load_catalogue(home / ACTIVE_GUIDE).items)
            facts.append(
                ("ok", f"{ACTIVE_GUIDE}: the updated guide, {n} link{'s' if n != 1 else ''}")
            )
        except LlmdiveError as exc:
            facts.append(("error", f"{exc}{RESET_HINT}"))
    if exists(home / META_FILE):
        try:
            n = len(read_meta(home).updates)
            facts.append(("ok", f"{META_FILE}: {n} guide update{'s' if n != 1 else ''} recorded"))
        except LlmdiveError as exc:
            facts.append(("error", f"{exc}"))
    return facts


def sync_remote(home: Path) -> str | None:
    """The remote `llmdive sync` uses, from the home's .git/config (no git run), redacted."""
    import configparser

    config = configparser.RawConfigParser(strict=False)
    try:
        config.read(home / ".git" / "config", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    section = 'remote "origin"'
    if not config.has_section(section) or not config.has_option(section, "url"):
        return None
    from llmdive.sync import redact_url  # never a credential on the screen

    return redact_url(config.get(section, "url"))


# ---------------------------------------------------------------- git's merge driver


def _read_json(path: Path) -> Any:
    from llmdive.infile import parse_json

    data = _read(path)
    return parse_json(data, path) if data.strip() else None


def _read(path: Path) -> bytes:
    from llmdive.infile import RECORD_MAX_BYTES, read_limited

    return read_limited(path, RECORD_MAX_BYTES)


def merge_driver(base: Path, ours: Path, theirs: Path, name: str) -> None:
    """git's merge driver: merge `theirs` into `ours` (the file git then takes as merged).

    progress.json: the union of both logs. personal.json: the union by URL, where a
    link present in `base` that one side removed and the other left as it was stays
    removed (git gives the common ancestor; `progress merge` has none).
    """
    from llmdive.storage import atomic_write

    if os.path.basename(name) == "personal.json":
        docs = [_personal_doc(d, p) if d.strip() else None
                for p, d in ((p, _read(p)) for p in (base, ours, theirs))]  # fmt: skip
        empty: Doc = {"version": 1, "links": []}
        mine, other = docs[1] or empty, docs[2] or empty
        merged = merge_records({"personal": mine}, {"personal": other})
        _drop_removed(merged["personal"], docs[0] or empty, mine, other)
        atomic_write(ours, personal_bytes(merged["personal"]))
        return
    from llmdive.progress import parse_progress

    sides = [
        parse_progress(d, p).to_dict() if d.strip() else {"links": {}}
        for p, d in ((p, _read(p)) for p in (ours, theirs))
    ]
    atomic_write(ours, progress_bytes(merge_progress(sides[0], sides[1])))


def _drop_removed(merged: Doc, base: Doc, ours: Doc, theirs: Doc) -> None:
    from llmdive.slugs import normalize_url

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
