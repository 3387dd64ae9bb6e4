"""Following guides besides the default one: `guide add`, `update NAME`, `remove`, `rename`.

Each change is one commit (storage.write_all) of guides.json with the guide's catalogue
(guides.NAME.toml) and record (guides.NAME.json), under the home's lock. The record of
what the reader read is never touched: a guide removed leaves its entries in
progress.json, and they count again when it is followed again (by id, else by URL).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from llmdive.errors import LlmdiveError
from llmdive.guide import fetch
from llmdive.guide.catalogue import dump_toml, guide_document, remember
from llmdive.guide.followed import (
    Followed,
    check_name,
    guides_bytes,
    load_followed,
    load_guide,
    resolve_source,
)
from llmdive.guide.meta import Meta, read_meta_file
from llmdive.guide.update import Plan, guard, plan
from llmdive.guide.validate import consistency_problems
from llmdive.home.lock import locked
from llmdive.home.paths import GUIDES_FILE, followed_meta, followed_readme, followed_toml
from llmdive.home.storage import write_all
from llmdive.model.models import iso
from llmdive.model.urls import has_scheme
from llmdive.model.vocab import Status, counted
from llmdive.record.events import now

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Catalogue
    from llmdive.guide.fetch import Fetched
    from llmdive.model.models import Guide


@dataclass
class Read:
    """A guide's README as read from its source (text None: the server says unchanged)."""

    source: str
    text: str | None
    fetched: Fetched | None = None


def read_source(source: str, meta: Meta | None, timeout: float | None) -> Read:
    """The README at `source` (a URL or a file), bounded (guide/fetch.py); a URL that was
    downloaded before is asked for conditionally, with the validators `meta` kept."""
    deadline = fetch.DEADLINE_S if timeout is None else timeout
    if not has_scheme(source):
        return Read(source, fetch.read_text(source, deadline))
    same = meta is not None and meta.url == source
    try:
        got = fetch.fetch(
            source,
            deadline,
            etag=meta.etag if same and meta is not None else None,
            last_modified=meta.last_modified if same and meta is not None else None,
        )
    except LlmdiveError as exc:
        said = str(exc)
        if not said.endswith(fetch.FROM_HINT):
            raise
        # A followed guide has no --from: its SOURCE is what `guide add` is given.
        raise LlmdiveError(
            said.removesuffix(fetch.FROM_HINT)
            + ", or give a README file or a local clone as SOURCE (`llmdive guide add NAME FILE`)"
        ) from None
    return Read(source, got.text, got)


def _links(guide: Guide) -> int:
    return sum(len(t.links) for _, t in guide.walk())


def _files(
    home: Path, name: str, guide: Guide, meta: Meta, readme: str
) -> dict[Path, bytes | None]:
    """A guide's catalogue and record, as bytes checked to read back (and cached), and the
    README it was imported from (`contribute` makes its patches against it)."""
    from llmdive.model.inputs import validate_guide
    from llmdive.model.models import Guide

    # dump_toml checks that the text reads back as the guide's document; that document
    # is validated as a read of the file would validate it (without parsing it again: a
    # list of 10,000 links takes seconds), and cached as the file's content.
    toml = dump_toml(guide).encode()
    path = followed_toml(home, name)
    written = Guide.from_dict(validate_guide(guide_document(guide), path))
    problems = consistency_problems(written)
    if problems:
        raise LlmdiveError(f"{path}: {problems[0]}; nothing was written")
    remember(path, toml, written, home=home)
    return {
        path: toml,
        followed_meta(home, name): meta.to_bytes(),
        followed_readme(home, name): readme.encode(),
    }


def _meta(read: Read, when: str) -> Meta:
    """A followed guide's first record: where it came from (its links are not news)."""
    meta = Meta(source=read.source, updated=when)
    if read.fetched is not None:
        meta.url = read.source
        meta.etag, meta.last_modified = read.fetched.etag, read.fetched.last_modified
    return meta


def _refuse_default(name: str, done: str) -> None:
    from llmdive.model.vocab import DEFAULT_GUIDE

    if name == DEFAULT_GUIDE:
        raise LlmdiveError(
            f"the default guide cannot be {done}; nothing changed "
            "(`llmdive guide reset` goes back to the bundled one)"
        )


def _followed_or_refuse(followed: list[Followed], name: str) -> Followed:
    for guide in followed:
        if guide.name == name:
            return guide
    known = ", ".join(g.name for g in followed) or "none"
    raise LlmdiveError(f"no followed guide is named {name!r} (followed: {known})")


def add(home: Path, name: str, source: str, timeout: float | None = None) -> tuple[Plan, Followed]:
    """Follow the guide at `source` as `name`: download, import, write, as one commit."""
    check_name(name)
    where = resolve_source(source)
    if any(g.name == name for g in load_followed(home)):
        raise LlmdiveError(
            f"the guide {name!r} is already followed: `llmdive guide update {name}` reads it "
            f"again, `llmdive guide remove {name}` stops following it"
        )
    read = read_source(where, None, timeout)
    assert read.text is not None  # no validators were sent
    imported = plan(read.text, where, None)
    refused = guard(imported, 0)
    if refused:
        raise LlmdiveError(f"{refused}; nothing was followed")
    when = iso(now())
    followed_guide = Followed(name, where, when)
    with locked(home):
        followed = load_followed(home)
        if any(g.name == name for g in followed):
            raise LlmdiveError(f"the guide {name!r} was followed meanwhile; nothing changed")
        files = _files(home, name, imported.guide, _meta(read, when), read.text)
        files[home / GUIDES_FILE] = guides_bytes([*followed, followed_guide])
        write_all(files)
    return imported, followed_guide


@dataclass
class Updated:
    """What `guide update NAME` did to one followed guide."""

    name: str
    source: str
    plan: Plan | None = None  # None: the server said the guide has not changed
    applied: bool = False


def update(
    home: Path, name: str, dry_run: bool, force: bool, timeout: float | None = None
) -> Updated:
    """Read the followed guide `name` again from its source, carrying its ids over."""
    from llmdive.guide.update import carry_ids

    guide = _followed_or_refuse(load_followed(home), name)
    meta_path = followed_meta(home, name)
    meta = read_meta_file(meta_path)
    have = followed_toml(home, name).is_file()
    read = read_source(guide.source, meta if have else None, timeout)
    if read.text is None:
        return Updated(name, guide.source)
    old = None
    if have:
        try:
            old = load_guide(home, name)
        except LlmdiveError:
            old = None  # a broken copy (`doctor` says so) is replaced by a fresh one
    new = plan(read.text, guide.source, None)
    if old is not None:
        from llmdive.guide.catalogue import Catalogue

        new.report = carry_ids(
            old, Catalogue(new.guide), {}, set(), guide.source, None, meta.known_ids()
        )
        new.refused = guard(new, len(old.items))
    else:
        new.refused = guard(new, 0)
    done = Updated(name, guide.source, new)
    if dry_run or (new.refused and not force):
        return done
    when = iso(now())
    added = [c.id for c in new.report.added] if old is not None else []
    meta.updated, meta.source = when, guide.source
    if new.report.changed or old is None:
        meta.updates.append(
            {
                "at": when,
                "source": guide.source,
                "added": added,
                "removed": [c.id for c in new.report.removed],
            }
        )
    fresh = _meta(read, when)
    meta.url, meta.etag, meta.last_modified = fresh.url, fresh.etag, fresh.last_modified
    with locked(home):
        _followed_or_refuse(load_followed(home), name)
        write_all(_files(home, name, new.guide, meta, read.text))
    done.applied = True
    return done


def remove(home: Path, name: str) -> Followed:
    """Stop following `name`: its links leave every view; what was read stays recorded."""
    _refuse_default(name, "removed")
    with locked(home):
        followed = load_followed(home)
        gone = _followed_or_refuse(followed, name)
        write_all(
            {
                home / GUIDES_FILE: guides_bytes([g for g in followed if g.name != name]),
                followed_toml(home, name): None,
                followed_meta(home, name): None,
                followed_readme(home, name): None,
            }
        )
    return gone


def rename(home: Path, old: str, new: str) -> Followed:
    """Call the followed guide `old` `new` from now on (its files move with it)."""
    _refuse_default(old, "renamed")
    check_name(new)
    with locked(home):
        followed = load_followed(home)
        was = _followed_or_refuse(followed, old)
        if any(g.name == new for g in followed):
            raise LlmdiveError(f"a followed guide is already named {new!r}; nothing changed")
        renamed = Followed(new, was.source, was.added)
        files: dict[Path, bytes | None] = {
            home / GUIDES_FILE: guides_bytes([renamed if g.name == old else g for g in followed])
        }
        for path_of in (followed_toml, followed_meta, followed_readme):
            source = path_of(home, old)
            if source.is_file():
                from llmdive.home.statefile import read_state

                files[path_of(home, new)] = read_state(source)
            files[source] = None
        write_all(files)
    return renamed


def described(plan_: Plan) -> str:
    """'12 sections, 340 links': what an import found."""
    sections = len(plan_.guide.sections)
    return f"{counted(sections, 'section')}, {counted(_links(plan_.guide), 'link')}"


@dataclass
class Row:
    """One guide of `guide list`: its name, size, the reader's progress, origin, freshness."""

    name: str
    title: str
    links: int
    read: int
    source: str
    updated: str | None


def rows(
    home: Path,
    catalogue: Catalogue,
    states: dict[str, Status],
    followed: list[Followed],
    titles: dict[str, str],
) -> list[Row]:
    """The default guide, then each followed one (`titles`: each one's title), with what
    the reader read of it (a link read in another guide counts as read in this one too)."""
    from llmdive.guide.meta import read_meta
    from llmdive.model.vocab import DEFAULT_GUIDE

    counts: dict[str, tuple[int, int]] = {}
    for item in catalogue.items:
        if item.link.personal:
            continue
        links, read = counts.get(item.guide, (0, 0))
        counts[item.guide] = (links + 1, read + (states.get(item.link.id) is Status.READ))
    meta = read_meta(home)
    out = [
        Row(
            DEFAULT_GUIDE,
            catalogue.guide.title,
            *counts.get(DEFAULT_GUIDE, (0, 0)),
            meta.source,
            meta.updated,
        )
    ]
    for guide in followed:
        try:
            updated = read_meta_file(followed_meta(home, guide.name)).updated
        except LlmdiveError:
            updated = None  # `doctor` names the broken file
        out.append(
            Row(
                guide.name,
                titles.get(guide.name, ""),
                *counts.get(guide.name, (0, 0)),
                guide.source,
                updated,
            )
        )
    return out
