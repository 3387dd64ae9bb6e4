"""The guides a reader follows besides the default one: guides.json, their catalogues, and
the one catalogue that combines them all.

guides.json (home/paths.py: GUIDES_FILE) lists each followed guide's name and source, in
the order they were added; guides/NAME.toml is its catalogue and guides/NAME.json its
record (guide/meta.py's Meta: where it came from, its last download, its updates). A
guide's ids are its importer's; in the combined catalogue, an id or a topic slug another
guide already has (the default guide first, then the followed ones in their order) is
qualified with the guide's name (`llm-course/lora`), so that every id names one link.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmdive.errors import LlmdiveError
from llmdive.guide.catalogue import (
    Catalogue,
    Item,
    Suggester,
    file_digest,
    from_cache,
    load_catalogue,
    shared_groups,
    to_cache,
)
from llmdive.home import cache
from llmdive.home.infile import parse_json
from llmdive.home.paths import GUIDES_FILE, followed_toml
from llmdive.home.statefile import encode_state, read_state
from llmdive.model.models import Guide
from llmdive.model.vocab import DEFAULT_GUIDE, RESERVED_GUIDE_NAMES, counted

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from llmdive.model.models import Topic

GUIDES_UNTOUCHED = "fix it (`llmdive doctor` checks it); llmdive has left it as it is"
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_NAME_CHARS = 40  # model/inputs.py: MAX_GUIDE_NAME_CHARS


@dataclass(frozen=True)
class Followed:
    """One followed guide: its name, where it is read from (a URL or a file), when added."""

    name: str
    source: str
    added: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "source": self.source, "added": self.added}


# A short directory of well-known LLM reading lists: name, one line, source (no content).
DIRECTORY: tuple[tuple[str, str, str], ...] = (
    ("llm-course", "Course to get into LLMs, with roadmaps and notebooks", "mlabonne/llm-course"),
    ("awesome-llm", "Curated papers, frameworks and tools about LLMs", "Hannibal046/Awesome-LLM"),
    ("llm-datasets", "Curated datasets and tools for LLM post-training", "mlabonne/llm-datasets"),
    ("awesome-nlp", "Curated resources for natural language processing", "keon/awesome-nlp"),
    ("applied-ml", "Papers and posts on machine learning in production", "eugeneyan/applied-ml"),
    ("ml-youtube-courses", "Machine learning courses on YouTube", "dair-ai/ML-YouTube-Courses"),
    ("awesome-ai-agents", "AI autonomous agents, open and closed", "e2b-dev/awesome-ai-agents"),
    ("awesome-langchain", "Tools and projects around LangChain", "kyrolabs/awesome-langchain"),
    (
        "awesome-chinese-llm",
        "Open Chinese LLMs: models, applications, datasets, tutorials",
        "HqWu-HITCS/Awesome-Chinese-LLM",
    ),
    (
        "deep-learning-papers",
        "The most cited deep learning papers",
        "terryum/awesome-deep-learning-papers",
    ),
)

_REPO = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")


def github_readme(repo: str) -> str:
    """The README of a GitHub repository `owner/repo`, as raw text."""
    return f"https://raw.githubusercontent.com/{repo}/HEAD/README.md"


def directory_source(name: str) -> str | None:
    """The source URL of a guide of the directory, by its name; None: not in it."""
    for known, _, repo in DIRECTORY:
        if known == name:
            return github_readme(repo)
    return None


def check_name(name: str) -> str:
    """A followed guide's name: a short slug, not the default guide's; else one clear line."""
    if name in RESERVED_GUIDE_NAMES:
        raise LlmdiveError(f"the guide name {name!r} is reserved for the default guide")
    if len(name) > MAX_NAME_CHARS or not _NAME.fullmatch(name):
        raise LlmdiveError(
            f"{name!r} cannot name a guide: use lowercase letters, digits and single hyphens, "
            f"at most {MAX_NAME_CHARS} characters (like llm-course)"
        )
    return name


def resolve_source(source: str) -> str:
    """Where a guide given as SOURCE is read from: an http(s) URL as given; a local clone (a
    folder) as its README; a file as its absolute path; `owner/repo` as its GitHub README."""
    from llmdive.model.urls import has_scheme

    text = source.strip()
    if not text:
        raise LlmdiveError("no source given: a URL, a README file, a folder or owner/repo")
    if has_scheme(text):
        from llmdive.model.urls import check_fetch_source, redact_url

        check_fetch_source(text)
        return redact_url(text)
    path = Path(text).expanduser()
    if path.is_dir():
        for name in sorted(os.listdir(path)):
            if name.lower() in ("readme.md", "readme.markdown", "readme"):
                return str((path / name).resolve())
        raise LlmdiveError(f"{text}: a folder without a README.md")
    if path.exists():
        return str(path.resolve())
    if _REPO.fullmatch(text):
        return github_readme(text)
    raise LlmdiveError(f"{text}: no such file, and not a URL or owner/repo")


# ---------------------------------------------------------------- guides.json


def load_followed(home: Path) -> list[Followed]:
    """The guides `home` follows besides the default one ([]: none), from guides.json,
    validated (from the cache when its bytes were validated before)."""
    path = home / GUIDES_FILE
    data = read_state(path)
    if data is None:
        return []
    key = cache.digest(data)
    record = cache.read("guides", path, key, home=home)
    if record is not None:
        try:
            return [Followed(g["name"], g["source"], g["added"]) for g in record["guides"]]
        except (KeyError, TypeError):
            pass  # a damaged cache entry: read the file itself
    followed = parse_followed(data, path)
    cache.write("guides", path, key, guides_document(followed), home=home)
    return followed


def parse_followed(data: bytes, path: Path) -> list[Followed]:
    """guides.json's bytes, validated strictly (it is hand-editable and synced): one line."""
    # start-up: pydantic loads only when the file must be validated
    from pydantic import ValidationError

    from llmdive.model.inputs import GuidesSchema, first_problem

    raw = parse_json(data, path, GUIDES_UNTOUCHED)
    version = raw.get("version") if isinstance(raw, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and 1 < version < 1000:
        raise LlmdiveError(
            f"{path}: written by a newer llmdive (guides format {version}, this one reads 1): "
            "upgrade llmdive the way you installed it; the file is untouched"
        )
    try:
        shape = GuidesSchema.model_validate(raw)
    except ValidationError as exc:
        raise LlmdiveError(
            f"{path}: not an llmdive guides list: {first_problem(raw, exc)}: {GUIDES_UNTOUCHED}"
        ) from None
    return [Followed(g.name, g.source, g.added) for g in shape.guides]


def guides_document(followed: Sequence[Followed]) -> dict[str, Any]:
    """guides.json's content."""
    return {"version": 1, "guides": [f.to_dict() for f in followed]}


def guides_bytes(followed: Sequence[Followed]) -> bytes:
    """guides.json's bytes (statefile.encode_state, as every state file)."""
    return encode_state(guides_document(followed))


# ---------------------------------------------------------------- the combined catalogue


def load_guide(home: Path, name: str, suggester: Suggester | None = None) -> Catalogue:
    """The followed guide `name`'s own catalogue (its ids unqualified), through the cache."""
    path = followed_toml(home, name)
    if not path.is_file():
        raise LlmdiveError(
            f"the guide {name!r} is followed but not downloaded yet: "
            f"`llmdive guide update {name}` fetches it"
        )
    try:
        return load_catalogue(path, home=home, suggester=suggester)
    except LlmdiveError as exc:
        # One line (a file with several problems too), saying the two ways out.
        lines = str(exc).splitlines() or ["unreadable"]
        more = f" (and {counted(len(lines) - 1, 'more problem')})" if len(lines) > 1 else ""
        raise LlmdiveError(
            f"{lines[0].removesuffix('.')}{more}; `llmdive guide update {name}` reads it "
            f"again from its source, `llmdive guide remove {name}` stops following it"
        ) from None


def combine(
    default: Catalogue | None,
    parts: Sequence[tuple[str, Catalogue]],
    suggester: Suggester | None = None,
    reserved: Iterable[str] = (),
) -> Catalogue:
    """One catalogue of the default guide's sections, then each followed guide's, each
    item knowing its guide (Item.guide). An id, alias or topic slug a guide before it
    already has (or an id in `reserved`: the reader's own links') is qualified with the
    guide's name (`llm-course/lora`). The parts' links and topics are changed in place:
    pass catalogues loaded for this alone."""
    sections: list[Topic] = []
    origins: list[str] = []
    ids: set[str] = set(reserved)
    slugs: set[str] = set()
    if default is not None:
        sections += default.guide.sections
        origins += [DEFAULT_GUIDE] * len(default.guide.sections)
        ids.update(default.by_id, default.aliases)
        slugs.update(t.slug for _, t in default.topics)
    for name, part in parts:
        own_ids: set[str] = set()
        own_slugs: set[str] = set()
        for _, topic in part.topics:
            if topic.slug in slugs:
                topic.slug = f"{name}/{topic.slug}"
            own_slugs.add(topic.slug)
        for item in part.items:
            link = item.link
            if link.id in ids:
                link.id = f"{name}/{link.id}"
                link.aliases = tuple(f"{name}/{a}" for a in link.aliases)
            else:
                link.aliases = tuple(a for a in link.aliases if a not in ids)
            own_ids.add(link.id)
            own_ids.update(link.aliases)
        ids |= own_ids
        slugs |= own_slugs
        sections += part.guide.sections
        origins += [name] * len(part.guide.sections)
    title = default.guide.title if default is not None else Guide().title
    path = default.path if default is not None else None
    combined = Catalogue(Guide(title, sections), path, suggester=suggester, origins=origins)
    # The parts' items (their kinds known) and normalised URLs (from the cache) are the
    # whole's, each item told its guide.
    items = list(default.items) if default is not None else []
    normals = list(default.normal_urls) if default is not None else []
    for name, part in parts:
        items += [Item(i.link, i.path, name, i.kind) for i in part.items]
        normals += part.normal_urls
    combined.items = items
    combined.normal_urls = normals
    combined.shared_urls = shared_groups([combined])
    return combined


# ---------------------------------------------------------------- the combined catalogue, cached

_COMBINED = "combined"


def combined_key(
    home: Path, default: Catalogue | None, parts: Sequence[tuple[str, str]], reserved: Iterable[str]
) -> str:
    """What `combine` gives depends on, as one cache key: the default guide's file and
    bytes, each part's name (guides.json's order) and bytes (`parts`: (name, digest)), and
    the reader's ids that `reserved` qualifies against."""
    what = [
        str(default.path) if default is not None else "",
        default.digest if default is not None else "",
        str(home),
    ]
    for name, digest in parts:
        what += (name, digest)
    what.append("")  # the reader's ids follow
    what += sorted(set(reserved))
    return cache.digest("\n".join(what).encode("utf-8", "surrogateescape"))


def part_digests(home: Path, names: Sequence[str]) -> list[tuple[str, str]] | None:
    """(name, cache.digest of its catalogue's bytes) of each followed guide; None: one
    cannot be read (loading it says why)."""
    try:
        return [(name, file_digest(followed_toml(home, name))) for name in names]
    except LlmdiveError:
        return None


def cached_combined(
    home: Path, key: str, path: Path | None, suggester: Suggester | None = None
) -> Catalogue | None:
    """The combined catalogue kept under `key` (remember_combined), or None; `path`: the
    default guide's file, as combine gives it."""
    found = from_cache(_COMBINED, home / GUIDES_FILE, key, home=home, suggester=suggester)
    if found is not None:
        found.path, found.digest = path, key
    return found


def remember_combined(home: Path, key: str, combined: Catalogue) -> None:
    """Keep what `combine` gave under `key`, so that the next command loads it whole."""
    to_cache(_COMBINED, home / GUIDES_FILE, key, combined, home=home)


def narrow(catalogue: Catalogue, names: Sequence[str]) -> Catalogue:
    """The combined catalogue's sections of the guides `names` only (ids stay as combined)."""
    keep = set(names)
    chosen = [
        (section, catalogue.origin(i))
        for i, section in enumerate(catalogue.guide.sections)
        if catalogue.origin(i) in keep
    ]
    guide = Guide(catalogue.guide.title, [s for s, _ in chosen], catalogue.guide.version)
    return Catalogue(
        guide, catalogue.path, suggester=catalogue.suggester, origins=[o for _, o in chosen]
    )
