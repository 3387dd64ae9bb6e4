"""`llmdive doctor`: the health of the home — files readable and writable, ids the guide
no longer has, changes stamped in the future, the updated guide and its record, sync.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from llmdive.errors import LlmdiveError
from llmdive.guide.catalogue import RESET_HINT, load_catalogue
from llmdive.guide.meta import read_meta
from llmdive.home.infile import refuse_special
from llmdive.home.paths import (
    ACTIVE_GUIDE,
    CHECKS_FILE,
    JOURNAL,
    META_FILE,
    PERSONAL_FILE,
    PROGRESS_FILE,
)
from llmdive.home.storage import exists
from llmdive.model.urls import (
    redact_credentials,  # never a credential on the screen
    url_key,
)
from llmdive.record.events import future_links
from llmdive.record.intake import conflicted_copies
from llmdive.record.personal import load_personal
from llmdive.record.progress import load_progress, orphans

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Catalogue


@dataclass
class Health:
    home: Path
    facts: list[tuple[str, str]] = field(default_factory=list)  # (ok | warn | error, text)
    copies: list[Path] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(level == "error" for level, _ in self.facts)


def health(home: Path, link_facts: Callable[[Path], list[tuple[str, str]]] | None = None) -> Health:
    """Cheap facts about the home: its files readable, sync set up, conflicted copies.

    `link_facts`: the facts of the link results (net.linkmarks.health_facts), from the
    layer above that keeps them.
    """

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
                (
                    "warn",
                    f"progress.json: {key} has a change stamped in the future ({at}); "
                    "later changes are ordered after it (a clock that runs fast, or a hand edit)",
                )
            )
    except LlmdiveError as exc:
        out.facts.append(("error", str(exc)))
    try:
        n = len(load_personal(home))
        out.facts.append(("ok", f"personal.json: {n} link{'s' if n != 1 else ''} of your own"))
    except LlmdiveError as exc:
        out.facts.append(("error", str(exc)))
    out.facts += _guide_facts(home)
    out.facts += followed_facts(home)
    if link_facts is not None:
        out.facts += link_facts(home)
    remote = sync_remote(home)
    if remote is None:
        out.facts.append(("ok", "sync: not set up (llmdive sync --remote URL)"))
    else:
        # start-up: the sync engine loads only for a home that syncs (tests/test_startup.py)
        from llmdive.record.sync import stale_lock

        lock = stale_lock(home)
        if lock is not None:
            out.facts.append(("error", f"sync: {lock}"))
        else:
            out.facts.append(("ok", f"sync: through git with {remote} (llmdive sync)"))
    out.copies = conflicted_copies(home)
    for path in out.copies:
        out.facts.append(("warn", f"conflicted copy left by a file-sync tool: {path.name}"))
    return out


def followed_facts(home: Path) -> list[tuple[str, str]]:
    """doctor's facts on the guides followed: guides.json readable and valid, and each
    guide's catalogue and record readable (one not fetched yet is said, not an error)."""
    from llmdive.guide.followed import load_followed
    from llmdive.guide.meta import read_meta_file
    from llmdive.home.paths import GUIDES_FILE, followed_meta, followed_toml

    if not os.path.lexists(home / GUIDES_FILE):
        return []
    try:
        followed = load_followed(home)
    except LlmdiveError as exc:
        return [("error", str(exc))]
    facts = [
        (
            "ok",
            f"guides.json: {len(followed)} guide{'s' if len(followed) != 1 else ''} "
            "followed besides the default one",
        )
    ]
    for guide in followed:
        toml = followed_toml(home, guide.name)
        if not os.path.lexists(toml):
            facts.append(
                (
                    "warn",
                    f"guide {guide.name}: not fetched yet (`llmdive guide update "
                    f"{guide.name}` fetches it from {redact_credentials(guide.source)})",
                )
            )
            continue
        try:
            refuse_special(toml)
            n = len(load_catalogue(toml, home=home).items)
            read_meta_file(followed_meta(home, guide.name))
            facts.append(("ok", f"guide {guide.name}: {n} link{'s' if n != 1 else ''}"))
        except LlmdiveError as exc:
            facts.append(
                (
                    "error",
                    f"{str(exc).splitlines()[0]} (`llmdive guide update {guide.name}` "
                    "fetches it again)",
                )
            )
    return facts


def unknown_ids(home: Path, catalogue: Catalogue) -> list[tuple[str, str]]:
    """doctor's facts on ids in progress.json that name no link of the guide or of the
    reader (a misspelt id in a hand edit, a link a guide update dropped), with the link
    each most likely meant: a mark on such an id shows nowhere."""

    try:
        progress = load_progress(home)
    except LlmdiveError:
        return []  # health() reports the file itself
    facts: list[tuple[str, str]] = []
    for key, entry in orphans(catalogue, progress).items():
        same_url = catalogue.by_url.get(url_key(entry.url)) if entry.url else None
        near = [same_url.link.id] if same_url else catalogue.closest_ids(key)
        hint = f" (did you mean: {', '.join(near)}?)" if near else ""
        facts.append(
            (
                "warn",
                f"progress.json: {key!r} names no link{hint}: its {entry.status.value} "
                f"mark shows nowhere (`llmdive history {key}` shows its changes)",
            )
        )
    return facts


def _write_facts(home: Path) -> list[tuple[str, str]]:
    """A home (or a record file) llmdive cannot write: every mark would fail there."""

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
    facts: list[tuple[str, str]] = []  # progress.json and personal.json: said by their readers
    for name in (JOURNAL, ACTIVE_GUIDE, META_FILE, CHECKS_FILE):
        try:
            refuse_special(home / name)
        except LlmdiveError as exc:
            facts.append(("error", str(exc)))
    return facts


def _guide_facts(home: Path) -> list[tuple[str, str]]:
    """The updated guide (guide.toml) and its record (guide-meta.json), when the home has them."""

    facts: list[tuple[str, str]] = []
    if exists(home / ACTIVE_GUIDE):
        try:
            n = len(load_catalogue(home / ACTIVE_GUIDE, home=home).items)
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
    return redact_credentials(config.get(section, "url"))
