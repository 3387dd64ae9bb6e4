"""The catalogue and progress one command works on, loaded only when first needed.

The Workspace is the context object of a call: the run-time options (--guide, --home,
--urls) travel in it, never through os.environ. Its `catalogue` is every guide the reader
follows combined (guide/followed.py), narrowed to `guides` when names are given; with
--guide PATH (or $LLMDIVE_GUIDE) it is that catalogue file alone, as before.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from llmdive.errors import LlmdiveError
from llmdive.home.infile import refuse_special
from llmdive.home.paths import (
    ACTIVE_GUIDE,
    DURATIONS_FILE,
    GUIDE_ENV,
    GUIDES_FILE,
    JOURNAL,
    bundled_guide,
    followed_toml,
    home_dir,
)
from llmdive.home.storage import exists

# start-up: the catalogue, personal links and progress are imported where first loaded, so
# that a Tab (cli/fast.py: complete), which needs only the guide's path and the home,
# loads none of them (tests/test_startup.py).

if TYPE_CHECKING:
    from collections.abc import Sequence

    from llmdive.guide.catalogue import Catalogue, Item
    from llmdive.guide.followed import Followed
    from llmdive.model.models import Progress
    from llmdive.model.vocab import Status
    from llmdive.net.durations import Measured, Timing


def guide_path(explicit: Path | None, home: Path) -> Path:
    """The catalogue to use: --guide, else $LLMDIVE_GUIDE, else the updated one, else bundled."""
    if explicit is not None:
        return explicit.expanduser()
    env = os.environ.get(GUIDE_ENV)
    if env:
        return Path(env).expanduser()
    active = home / ACTIVE_GUIDE
    if not os.path.exists(home / JOURNAL):
        # Anything there (a FIFO, a device) is the home's guide: refused when read, not skipped.
        return active if os.path.exists(active) else bundled_guide()
    # A commit is under way: as it will leave the file.
    return active if exists(active) else bundled_guide()


def _may_be_there(home: Path, name: str) -> bool:
    """Might reading the home's file `name` find something? Anything at its path (read,
    and refused there if it must be), or an unfinished commit that may leave it: one stat
    where no file means no import and no parse."""
    for path in (home / name, home / JOURNAL):
        try:
            os.stat(path)
        except FileNotFoundError:
            continue
        except OSError:
            return True  # read, to say why it cannot be
        return True
    return False


def suggest_ids(items: Sequence[Item], query: str) -> list[str]:
    """The catalogue's suggester (guide/ cannot import find/, above it): search's ranking."""
    from llmdive.find.search import suggest  # start-up: only for an id that names no link

    return suggest(items, query)


class Workspace:
    """One call's home, guide and record. `urls`: --urls (print URLs even where titles are
    clickable); $LLMDIVE_URLS, which the Writer reads, still decides without it. `guides`:
    the names --guide NAME gave (`default` is the default guide): the catalogue holds those
    guides only."""

    def __init__(
        self,
        guide: Path | None = None,
        home: Path | None = None,
        urls: bool = False,
        guides: Sequence[str] = (),
    ) -> None:
        self._guide = guide
        self._home = home
        self.urls = urls
        self.guide_names = tuple(dict.fromkeys(guides))
        # `lenient`: a followed guide whose file is broken is left out (its error in
        # `broken`) rather than stopping the command: `guide list` still lists them all.
        self.lenient = False
        self.broken: dict[str, str] = {}

    @property
    def home_option(self) -> Path | None:
        """The folder --home named, if it did."""
        return self._home

    @property
    def guide_option(self) -> Path | None:
        """The catalogue --guide named, if it did."""
        return self._guide

    @cached_property
    def home(self) -> Path:
        return home_dir(self._home)

    @property
    def guide_chosen(self) -> bool:
        """Was the catalogue named by --guide or $LLMDIVE_GUIDE (not bundled or updated)?"""
        return self._guide is not None or bool(os.environ.get(GUIDE_ENV))

    @cached_property
    def guide_path(self) -> Path:
        return guide_path(self._guide, self.home)

    @cached_property
    def base_catalogue(self) -> Catalogue:
        """The catalogue file alone, as the guide has it."""
        return self._load()

    def _load(self) -> Catalogue:
        """The catalogue file; a broken updated guide's error says how to go back."""
        from llmdive.guide.catalogue import RESET_HINT, load_catalogue

        if self.guide_path == self.home / ACTIVE_GUIDE:
            refuse_special(self.guide_path)  # a FIFO or a device: `guide reset` cannot help
        try:
            return load_catalogue(self.guide_path, home=self.home, suggester=suggest_ids)
        except LlmdiveError as exc:
            if self.guide_path != self.home / ACTIVE_GUIDE:
                raise
            raise LlmdiveError(f"{exc}{RESET_HINT}") from None

    @cached_property
    def followed(self) -> list[Followed]:
        """The guides followed besides the default one, in order ([]: none, or --guide
        PATH / $LLMDIVE_GUIDE, which name one catalogue file alone)."""
        if self.guide_chosen or not os.path.exists(self.home / GUIDES_FILE):
            return []
        from llmdive.guide.followed import load_followed

        return load_followed(self.home)

    def guide_catalogue(self, name: str) -> Catalogue:
        """One followed guide's own catalogue (`default`: the default guide), ids unqualified."""
        from llmdive.guide.followed import load_guide
        from llmdive.model.vocab import DEFAULT_GUIDE

        if name == DEFAULT_GUIDE:
            return self._load()
        self._check_followed([name])
        return load_guide(self.home, name, suggest_ids)

    def _check_followed(self, names: Sequence[str]) -> None:
        from llmdive.model.vocab import DEFAULT_GUIDE

        known = {f.name for f in self.followed} | {DEFAULT_GUIDE}
        for name in names:
            if name not in known:
                shown = ", ".join(sorted(known))
                raise LlmdiveError(
                    f"no followed guide is named {name!r} (followed: {shown}); "
                    "`llmdive guide list` shows them, `llmdive guide add` follows one"
                )

    def _combined(self, fresh: bool) -> Catalogue:
        """Every followed guide in one catalogue; `fresh`: load the default guide again (a
        catalogue given personal links is changed in place: base_catalogue stays whole)."""
        if self.guide_names:
            self._check_followed(self.guide_names)
        default = self._load() if fresh else self.base_catalogue
        if not self.followed:
            return default
        from llmdive.guide import followed as guides
        from llmdive.record.personal import load_personal

        # A guide followed by sync but not fetched yet (`guide update`) has no links yet.
        names = [f.name for f in self.followed if os.path.exists(followed_toml(self.home, f.name))]
        # The reader's own links keep their ids: a followed guide's clashing one is qualified.
        mine = [p.link.id for p in load_personal(self.home)]
        # What combine gave for these very files before, whole from the cache.
        digests = guides.part_digests(self.home, names)
        if digests is not None:
            key = guides.combined_key(self.home, default, digests, mine)
            hit = guides.cached_combined(self.home, key, default.path, suggest_ids)
            if hit is not None:
                return hit
        parts = []
        for index, name in enumerate(names):
            try:
                parts.append((name, guides.load_guide(self.home, name, suggest_ids)))
            except LlmdiveError as exc:
                # A broken guide not asked for stops no command narrowed to others (after
                # every guide asked for: their ids, qualified by the guides before, stay).
                later = set(names[index:])
                if not (self.lenient or (self.guide_names and later.isdisjoint(self.guide_names))):
                    raise
                self.broken[name] = str(exc)
        # Under the digests of the bytes loaded (a file changed since part_digests is kept
        # under its new bytes); never with a broken guide left out.
        key = guides.combined_key(self.home, default, [(n, c.digest) for n, c in parts], mine)
        combined = guides.combine(default, parts, suggest_ids, reserved=mine)
        if not self.broken:
            guides.remember_combined(self.home, key, combined)
            combined.digest = key  # what toc's offers are kept under (find/tocoffers.py)
        return combined

    def _narrowed(self, catalogue: Catalogue) -> Catalogue:
        if not self.guide_names or not self.followed:
            return catalogue
        from llmdive.guide.followed import narrow

        return narrow(catalogue, self.guide_names)

    @cached_property
    def guides_catalogue(self) -> Catalogue:
        """Every followed guide combined (narrowed by --guide NAME), without personal links."""
        return self._narrowed(self._combined(fresh=False))

    @cached_property
    def catalogue(self) -> Catalogue:
        """Every followed guide combined (narrowed by --guide NAME), with the reader's
        personal links in place."""
        from llmdive.record.personal import load_personal, personal_file, with_personal_links

        personal = load_personal(self.home)
        if not personal:
            return self.guides_catalogue
        # with_personal_links() adds to the guide it is given: a fresh load keeps
        # base_catalogue the guide's.
        combined = self._combined(fresh=True)
        return self._narrowed(with_personal_links(combined, personal, personal_file(self.home)))

    @cached_property
    def progress(self) -> Progress:
        from llmdive.record.progress import fold_aliases, load_progress

        progress = load_progress(self.home)
        # Entries under a link's old id count as the link's (moved for good at a write).
        if len(progress) and self.catalogue.aliases:
            fold_aliases(progress, self.catalogue.aliases)
        return progress

    @cached_property
    def measured(self) -> dict[str, Measured]:
        """What check-links --durations measured, by page (net/durations.py)."""
        if not _may_be_there(self.home, DURATIONS_FILE):
            return {}  # start-up: no file to read, nothing to import
        from llmdive.net.durations import load_measured

        return load_measured(self.home)

    @cached_property
    def timing(self) -> Timing:
        """Each link's duration: set by the reader, else measured, else unknown."""
        from llmdive.net.durations import Timing

        return Timing(self.progress, self.measured)

    @cached_property
    def shown_timing(self) -> Timing | None:
        """`timing` for rows that show a link's duration where it is known (next, list):
        None where no link can have one (nothing measured, no estimate in the record),
        which the rows show as a Timing that knows nothing would, and net/durations.py
        is left unimported."""
        if not self.measured and not self.progress.holds("estimate"):
            return None
        return self.timing

    @cached_property
    def states(self) -> dict[str, Status]:
        from llmdive.record.progress import reading_states

        return reading_states(self.catalogue, self.progress)
