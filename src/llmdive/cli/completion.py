"""Names for shell completion, answered from the catalogue cache on every Tab.

Only the cache is imported here: a cache hit neither parses TOML nor builds models.
"""

from __future__ import annotations

from pathlib import Path

from llmdive.errors import LlmdiveError
from llmdive.home import cache
from llmdive.home.infile import CATALOGUE_MAX_BYTES, RECORD_MAX_BYTES, read_limited
from llmdive.home.paths import PERSONAL_FILE


def names(path: Path, home: Path | None = None) -> tuple[list[str], list[tuple[str, str]]]:
    """Link ids, and (slug, title) of every heading, of the catalogue at `path` (`home`:
    the call's, whose cache is read; None: the environment's)."""
    try:
        # "ids" and "sections" are kept in the cache record by catalogue.load_catalogue.
        data = read_limited(path, CATALOGUE_MAX_BYTES)
        record = cache.read("catalogue", path, cache.digest(data), home=home)
        if record is not None:
            return list(record["ids"]), [(s[0], s[1]) for s in record["sections"]]
        from llmdive.guide.catalogue import load_catalogue  # start-up: a Tab reads the cache

        cat = load_catalogue(path, home=home)
        return list(cat.by_id), [(t.slug, t.title) for _, t in cat.topics]
    except (OSError, LlmdiveError, KeyError, TypeError, IndexError):
        return [], []


def personal_ids(home: Path) -> list[str]:
    """The ids of the reader's own links, from the cache of personal.json when it has it."""
    path = home / PERSONAL_FILE
    try:
        data = read_limited(path, RECORD_MAX_BYTES)
        record = cache.read("personal", path, cache.digest(data), home=home)
        if record is not None:
            return [str(d["id"]) for d in record["links"]]
        from llmdive.record.personal import load_personal  # start-up: a Tab reads the cache

        return [p.link.id for p in load_personal(home)]
    except (OSError, LlmdiveError, KeyError, TypeError):
        return []


def ids(path: Path, incomplete: str, home: Path | None = None) -> list[str]:
    """Link ids starting with `incomplete`: the catalogue's, then the reader's own."""
    found = [i for i in names(path, home)[0] if i.startswith(incomplete)]
    if home is not None:
        seen = set(found)
        found += [i for i in personal_ids(home) if i.startswith(incomplete) and i not in seen]
    return found


def sections(path: Path, incomplete: str, home: Path | None = None) -> list[str]:
    low = incomplete.lower()
    return [slug for slug, _ in names(path, home)[1] if slug.startswith(low)]
