"""Names for shell completion, answered from the catalogue cache on every Tab.

Only the cache is imported here: a cache hit neither parses TOML nor builds models.
"""

from __future__ import annotations

from pathlib import Path

from llmdive.errors import LlmdiveError
from llmdive.home import cache
from llmdive.home.infile import CATALOGUE_MAX_BYTES, RECORD_MAX_BYTES, read_limited
from llmdive.home.paths import GUIDES_FILE, PERSONAL_FILE, followed_toml


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


def guide_names(home: Path) -> list[str]:
    """The names of the guides `home` follows (from the cache of guides.json when it has it)."""
    path = home / GUIDES_FILE
    try:
        data = read_limited(path, RECORD_MAX_BYTES)
        record = cache.read("guides", path, cache.digest(data), home=home)
        if record is not None:
            return [str(g["name"]) for g in record["guides"]]
        from llmdive.guide.followed import load_followed  # start-up: a Tab reads the cache

        return [g.name for g in load_followed(home)]
    except (OSError, LlmdiveError, KeyError, TypeError):
        return []


def followed_names(
    home: Path, default_ids: list[str], default_slugs: list[str]
) -> tuple[list[str], list[str]]:
    """The ids and heading slugs of every followed guide, qualified as guide/followed.py's
    combine() qualifies them (`llm-course/lora` where another guide has `lora`)."""
    ids, slugs = set(default_ids), set(default_slugs)
    out_ids: list[str] = []
    out_slugs: list[str] = []
    for name in guide_names(home):
        own_ids, own_slugs = names(followed_toml(home, name), home)
        qualified = [f"{name}/{i}" if i in ids else i for i in own_ids]
        headings = [f"{name}/{s}" if s in slugs else s for s, _ in own_slugs]
        ids.update(qualified)
        slugs.update(headings)
        out_ids += qualified
        out_slugs += headings
    return out_ids, out_slugs


def ids(path: Path, incomplete: str, home: Path | None = None, guides: bool = False) -> list[str]:
    """Link ids starting with `incomplete`: the catalogue's, then (`guides`) those of the
    guides followed, then the reader's own."""
    every, headings = names(path, home)
    found = [i for i in every if i.startswith(incomplete)]
    if guides and home is not None:
        others = followed_names(home, every, [s for s, _ in headings])[0]
        found += [i for i in others if i.startswith(incomplete)]
    if home is not None:
        seen = set(found)
        found += [i for i in personal_ids(home) if i.startswith(incomplete) and i not in seen]
    return found


def sections(
    path: Path, incomplete: str, home: Path | None = None, guides: bool = False
) -> list[str]:
    """Heading slugs starting with `incomplete`: the catalogue's, then (`guides`) those of
    the guides followed."""
    low = incomplete.lower()
    every, headings = names(path, home)
    slugs = [slug for slug, _ in headings]
    if guides and home is not None:
        slugs += followed_names(home, every, slugs)[1]
    return [slug for slug in slugs if slug.startswith(low)]
