"""Load, validate and look things up in a catalogue (a guide.toml file).

A validated catalogue is cached (cache.py) under a checksum of the file's bytes,
with what shell completion needs beside it, so that most commands neither parse
TOML nor import pydantic.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmdive.errors import LlmdiveError
from llmdive.guide.validate import parse_guide
from llmdive.home import cache
from llmdive.home.infile import CATALOGUE_MAX_BYTES
from llmdive.home.paths import GUIDE_ENV
from llmdive.home.storage import read_bytes
from llmdive.model.ids import slugify
from llmdive.model.models import Guide
from llmdive.model.urls import looks_like_url, normalize_url, url_key, url_kind
from llmdive.model.vocab import DEFAULT_GUIDE, Difficulty

if TYPE_CHECKING:
    from llmdive.guide.tomlwrite import dump_toml as dump_toml
    from llmdive.guide.tomlwrite import guide_document as guide_document
    from llmdive.guide.tomlwrite import toml_header as toml_header
    from llmdive.guide.tomlwrite import toml_text as toml_text
    from llmdive.model.models import Link, Topic

_WRITER = ("dump_toml", "guide_document", "toml_header", "toml_text")


def __getattr__(name: str) -> Any:
    # The TOML writer's names, from here as ever; start-up: imported when first asked
    # for (the reading commands never write a catalogue).
    if name in _WRITER:
        from llmdive.guide import tomlwrite

        return getattr(tomlwrite, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------- reading and validating


# Ends the error of a broken guide.toml in the home (the one `guide update` writes).
RESET_HINT = " (`llmdive guide reset` goes back to the bundled guide; your progress is kept)"


def _read_bytes(path: Path) -> bytes:

    try:
        return read_bytes(path, CATALOGUE_MAX_BYTES, regular=False)
    except FileNotFoundError:
        raise LlmdiveError(f"{path}: catalogue not found (check --guide or ${GUIDE_ENV})") from None
    except OSError as exc:
        raise LlmdiveError(f"{path}: cannot read catalogue: {exc.strerror or exc}") from exc


def shared_url_groups(guide: Guide) -> list[list[str]]:
    """Ids of links that point at the same (normalised) URL: they share one read state."""
    by_url: dict[str, list[str]] = {}
    for _, topic in guide.walk():
        for link in topic.links:
            by_url.setdefault(normalize_url(link.url), []).append(link.id)
    return [ids for ids in by_url.values() if len(ids) > 1]


def load_catalogue(
    path: Path, *, home: Path | None = None, suggester: Suggester | None = None
) -> Catalogue:
    """The validated catalogue at `path`, from the cache when it matches the file's bytes.

    `home`: the call's home, which says where the cache is (None: the environment's);
    `suggester`: what names the links a mistyped id meant (see Catalogue).
    """
    data = _read_bytes(path)
    key = cache.digest(data)
    # Freed only now: once the first block of megabytes is freed, malloc serves the next
    # ones from its heap, which it keeps (10 MiB of the peak memory at 100,000 links).
    del data
    catalogue = from_cache("catalogue", path, key, home=home, suggester=suggester)
    if catalogue is None:
        guide = parse_guide(_read_bytes(path), path)
        catalogue = Catalogue(guide, path, suggester=suggester)
        to_cache("catalogue", path, key, catalogue, home=home)
    catalogue.digest = key
    return catalogue


def file_digest(path: Path) -> str:
    """cache.digest of the file's bytes (unreadable: load_catalogue's error)."""
    return cache.digest(_read_bytes(path))


def from_cache(
    kind: str, path: Path, key: str, *, home: Path | None, suggester: Suggester | None = None
) -> Catalogue | None:
    """The catalogue kept as `kind` for `path` under `key` (to_cache); None: none, or damaged."""
    record = cache.read(kind, path, key, home=home)
    try:
        return None if record is None else _from_record(record, path, suggester)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None


def to_cache(kind: str, path: Path, key: str, catalogue: Catalogue, *, home: Path | None) -> None:
    """Keep `catalogue` (its sections' origins too) as `kind` for `path` under `key`."""
    cache.write(kind, path, key, _record(catalogue), home=home)


def remember(path: Path, data: bytes, guide: Guide, *, home: Path | None) -> None:
    """Cache `guide` as what the bytes `data` of `path` (just written, validated) hold, so
    that the next command's load_catalogue neither parses nor validates them again."""
    cache.write("catalogue", path, cache.digest(data), _record(Catalogue(guide, path)), home=home)


# The cache keeps a guide by column, not as nested dicts: a list per field of the links
# and one per field of the headings (in walk order), each unmarshalled in one go, and the
# models built straight from them. At 100,000 links a dict per link took several times
# as long to unmarshal and to build from, and twice the memory.
_DIFFICULTIES = {d.value: d for d in Difficulty}


def _record(catalogue: Catalogue) -> dict[str, Any]:
    """What the cache keeps: the validated guide by column, each link's kind (computed
    once, here), and the names completion.py offers ("ids", "sections")."""
    guide = catalogue.guide
    depths: list[int] = []
    counts: list[int] = []
    slugs: list[str] = []
    titles: list[str] = []
    texts: list[str] = []
    links: list[Link] = []
    for topic_path, topic in guide.walk():
        depths.append(len(topic_path))
        counts.append(len(topic.links))
        slugs.append(topic.slug)
        titles.append(topic.title)
        texts += (topic.description, topic.tip)
        links += topic.links
    ids = [k.id for k in links]
    # The items, in walk order, know their kinds and normalised URLs (a combined one's).
    items, normals = catalogue.items, catalogue.normal_urls
    if len(items) != len(links) or not all(map(operator.is_, (i.link for i in items), links)):
        items, normals = [Item(k, ()) for k in links], [normalize_url(k.url) for k in links]
    return {
        "title": guide.title,
        "version": guide.version,
        "origins": catalogue.origins,
        "topics": [depths, counts, slugs, titles, texts],
        "links": [
            ids,
            [k.title for k in links],
            [k.url for k in links],
            [k.difficulty.value for k in links],
            [i.kind for i in items],
            # normalize_url of each, "" where it is the URL itself: guides combined group
            # their shared URLs without parsing every URL again.
            ["" if n == k.url else n for k, n in zip(links, normals, strict=True)],
        ],
        # The few links with more than the columns say, by index.
        "extras": {
            n: [k.personal, list(k.aliases), [[r.title, r.url] for r in k.related]]
            for n, k in enumerate(links)
            if k.personal or k.aliases or k.related
        },
        "ids": ids,
        "sections": [[slug, title] for slug, title in zip(slugs, titles, strict=True)],
        "shared_urls": catalogue.shared_urls,
    }


def _from_record(record: dict[str, Any], path: Path, suggester: Suggester | None) -> Catalogue:
    """The catalogue a cache record holds: the models a parse builds, and their items."""
    from llmdive.model.models import Link, Related, Topic

    depths, counts, slugs, titles, texts = record["topics"]
    ids, link_titles, urls, levels, kinds, normal = record["links"]
    links = list(map(Link, ids, link_titles, urls, map(_DIFFICULTIES.__getitem__, levels)))
    for n, (personal, aliases, related) in record["extras"].items():
        links[n].personal = personal
        links[n].aliases = tuple(aliases)
        links[n].related = tuple(Related(title, url) for title, url in related)
    guide = Guide(record["title"], [], record["version"])
    origins: list[str] = list(record.get("origins", ()))
    items: list[Item] = []
    stack: list[Topic] = []
    start = 0
    for t, depth in enumerate(depths):
        topic = Topic(slugs[t], titles[t], texts[2 * t], texts[2 * t + 1])
        del stack[depth - 1 :]
        if not stack:  # a section: the guide it comes from
            origin = (origins[len(guide.sections) :] or [DEFAULT_GUIDE])[0]
        (stack[-1].topics if stack else guide.sections).append(topic)
        stack.append(topic)
        end = start + counts[t]
        topic.links = links[start:end]
        here, guides = [tuple(stack)] * counts[t], [origin] * counts[t]
        items += map(Item, topic.links, here, guides, kinds[start:end])
        start = end
    if start != len(links) or not len(kinds) == len(normal) == len(links):
        raise ValueError("a cached guide's headings do not hold its links")
    del origins[len(guide.sections) :]
    catalogue = Catalogue(guide, path, list(record["shared_urls"]), suggester, origins)
    catalogue.items = items
    catalogue.normal_urls = _Normal(normal, urls)
    return catalogue


class _Normal:
    """normalize_url of each link, from a cache entry's column (only asked for when
    guides are combined, so not made into a list of its own at every load)."""

    __slots__ = ("normal", "urls")

    def __init__(self, normal: list[str], urls: list[str]) -> None:
        self.normal = normal
        self.urls = urls

    def __iter__(self) -> Iterator[str]:
        return (n or u for n, u in zip(self.normal, self.urls, strict=True))


def shared_groups(catalogues: Iterable[Catalogue]) -> list[list[str]]:
    """Ids of links that point at the same (normalised) URL across these catalogues, in
    their order: what `shared_urls` of one catalogue holding all their sections gives."""
    by_url: dict[str, list[str]] = {}
    for catalogue in catalogues:
        for item, key in zip(catalogue.items, catalogue.normal_urls, strict=True):
            by_url.setdefault(key, []).append(item.link.id)
    return [ids for ids in by_url.values() if len(ids) > 1]


# ---------------------------------------------------------------- looking things up


class Item:
    """A link with the headings above it, from its top-level section down, and the name
    of the guide it comes from (`default`: the default guide)."""

    # A plain slotted class: one is made per link on every command, 100,000 at a time.
    __slots__ = ("_kind", "guide", "link", "path")

    def __init__(
        self, link: Link, path: tuple[Topic, ...], guide: str = DEFAULT_GUIDE, kind: str = ""
    ) -> None:
        self.link = link
        self.path = path
        self.guide = guide
        self._kind = kind

    @property
    def kind(self) -> str:
        """What the link points at (model.urls.url_kind), computed once per link."""
        if not self._kind:
            self._kind = url_kind(self.link.url)
        return self._kind

    def __repr__(self) -> str:
        return f"Item({self.link.id!r})"

    @property
    def section(self) -> Topic:
        return self.path[0]


def _within(path: tuple[Topic, ...], ancestor: tuple[Topic, ...]) -> bool:
    """Is `path` at or below `ancestor`? (Topics are compared by identity, not value.)"""
    n = len(ancestor)
    return len(path) >= n and path[n - 1] is ancestor[-1]


def _closest(query: str, names: Iterable[str]) -> list[str]:
    """Up to three names most like `query`, only those about as close as the best one."""
    from difflib import SequenceMatcher

    matcher = SequenceMatcher(b=query)
    rough = []
    for name in names:
        matcher.set_seq1(name)
        if matcher.real_quick_ratio() >= 0.6 and (quick := matcher.quick_ratio()) >= 0.6:
            rough.append((quick, name))
    # The exact ratio is slow; at 10,000 names only the roughly closest are worth it.
    rough.sort(key=lambda pair: -pair[0])
    scored = []
    for _, name in rough[:50]:
        matcher.set_seq1(name)
        if (score := matcher.ratio()) >= 0.6:
            scored.append((score, name))
    scored.sort(key=lambda pair: -pair[0])
    best = scored[0][0] if scored else 0.0
    return [name for score, name in scored[:3] if score >= best - 0.05]


def _suggest(names: list[str]) -> str:
    return f" (did you mean: {', '.join(names)}?)" if names else ""


# The links a mistyped id most likely meant, best first: finding is a layer above the
# guide, so whoever loads a catalogue passes its suggester in (workspace.py passes search's).
Suggester = Callable[[Sequence[Item], str], list[str]]


class Catalogue:
    """A validated guide with its links flattened in guide order, for lookups.

    `suggester` names the links a mistyped id meant; without one, the ids most like it.
    `origins`: the name of the guide each of `guide.sections` comes from, by index, when
    several guides are combined (guide/followed.py: combine); sections past its end, and
    every section without it, are the default guide's.
    """

    def __init__(
        self,
        guide: Guide,
        path: Path | None = None,
        shared_urls: list[list[str]] | None = None,
        suggester: Suggester | None = None,
        origins: Sequence[str] | None = None,
    ) -> None:
        self.guide = guide
        self.path = path
        self.suggester = suggester
        self.origins: list[str] = list(origins or ())
        self.digest = ""  # cache.digest of the bytes it was loaded from ("": not loaded)
        # items_under's index: (the items it indexes, their number, each heading's run).
        self._under: tuple[list[Item], int, dict[int, tuple[int, int]] | None] | None = None
        if shared_urls is not None:
            self.shared_urls = shared_urls

    def origin(self, index: int) -> str:
        """The guide that section number `index` comes from."""
        return self.origins[index] if index < len(self.origins) else DEFAULT_GUIDE

    @cached_property
    def guide_names(self) -> list[str]:
        """The guides this catalogue holds, in order (the default guide's name first)."""
        names = [self.origin(i) for i in range(len(self.guide.sections))] or [DEFAULT_GUIDE]
        return list(dict.fromkeys(names))

    @property
    def several(self) -> bool:
        """Does it hold more than one guide (so output says which guide a link is from)?"""
        return len(self.guide_names) > 1

    @cached_property
    def shared_urls(self) -> list[list[str]]:
        return shared_url_groups(self.guide)

    @cached_property
    def normal_urls(self) -> Iterable[str]:
        """normalize_url of each item's URL, in the order of `items`."""
        return [normalize_url(i.link.url) for i in self.items]

    @cached_property
    def shared_with(self) -> dict[str, list[str]]:
        """For each id whose URL is also another link's, the ids of all of them."""
        return {i: group for group in self.shared_urls for i in group}

    @cached_property
    def items(self) -> list[Item]:
        if not self.origins:
            return [Item(link, p) for p, topic in self.guide.walk() for link in topic.links]
        return [
            Item(link, p, self.origin(index))
            for index, section in enumerate(self.guide.sections)
            for p, topic in section.walk()
            for link in topic.links
        ]

    @cached_property
    def by_id(self) -> dict[str, Item]:
        return {item.link.id: item for item in self.items}

    @cached_property
    def aliases(self) -> dict[str, str]:
        """The guide links' old ids, each to the id the link has now."""
        by_id = self.by_id
        return {
            alias: item.link.id
            for item in self.items
            for alias in item.link.aliases
            if alias not in by_id and not item.link.personal
        }

    @cached_property
    def topics(self) -> list[tuple[tuple[Topic, ...], Topic]]:
        return list(self.guide.walk())

    @cached_property
    def by_url(self) -> dict[str, Item]:
        """Links by url_key(url); of links sharing a URL (and so a status), the first."""
        found: dict[str, Item] = {}
        for item in self.items:
            found.setdefault(url_key(item.link.url), item)
        return found

    def exact_id(self, query: str) -> Item | None:
        """The link whose id (or an id it had before) is `query`, as typed or in any case."""
        if query in self.by_id:
            return self.by_id[query]
        if query in self.aliases:
            return self.by_id[self.aliases[query]]
        q = query.strip().lower()
        if q in self.by_id:
            return self.by_id[q]
        if q in self.aliases:
            return self.by_id[self.aliases[q]]
        return None

    def resolve_id(self, query: str) -> Item:
        """A link by its id (or an id it had before), an unambiguous prefix of its id, or
        its URL as a browser shows it."""
        exact = self.exact_id(query)
        if exact is not None:
            return exact
        q = query.strip().lower()
        if not q:
            raise LlmdiveError(
                "no id given: name a link by its id, the start of its id, or its URL "
                "(`llmdive list` shows every id)"
            )
        if looks_like_url(q) and not self._qualified(q):
            found = self.by_url.get(url_key(query))
            if found is None:
                raise LlmdiveError(
                    f"no link with the URL {query.strip()!r}; `llmdive search WORDS` finds "
                    "links by their words, `llmdive add URL` adds one of your own"
                )
            return found
        within = self._in_guide(q)
        if within is not None:
            return within
        matches = [i for i in self.by_id if i.startswith(q)]
        if len(matches) == 1:
            return self.by_id[matches[0]]
        if matches:
            shown = ", ".join(matches[:5]) + (", ..." if len(matches) > 5 else "")
            raise LlmdiveError(f"id {query!r} is ambiguous: it starts {shown}")
        raise LlmdiveError(
            f"no link with id {query!r}{_suggest(self.closest_ids(q))}; "
            "`llmdive list` shows every id"
        )

    @cached_property
    def _section_guides(self) -> dict[int, str]:
        return {id(s): self.origin(i) for i, s in enumerate(self.guide.sections)}

    def section_guide(self, section: Topic) -> str:
        """The guide a top-level section comes from."""
        return self._section_guides.get(id(section), DEFAULT_GUIDE)

    def also_in(self, item: Item) -> list[str]:
        """The other guides that list `item`'s URL too, in order (one guide: none)."""
        if not self.origins:
            return []
        group = self.shared_with.get(item.link.id, ())
        others = {self.by_id[i].guide for i in group} - {item.guide}
        return [name for name in self.guide_names if name in others]

    def _split_guide(self, query: str) -> tuple[str, str] | None:
        """`NAME/rest` with NAME one of the guides held (several): (NAME, rest)."""
        head, sep, rest = query.partition("/")
        if not (self.origins and sep and rest and head in self.guide_names):
            return None
        return head, rest

    def _in_guide(self, query: str) -> Item | None:
        """`NAME/id` (or the start of one) within guide NAME, whether or not the link's id
        is qualified there (an id is qualified only when another guide has it too)."""
        split = self._split_guide(query)
        if split is None:
            return None
        name, rest = split
        own = {i.link.id.removeprefix(f"{name}/"): i for i in self.items if i.guide == name}
        if rest in own:
            return own[rest]
        matches = [k for k in own if k.startswith(rest)]
        return own[matches[0]] if len(matches) == 1 else None

    def _qualified(self, query: str) -> bool:
        """Does `query` start as a qualified id does (`llm-course/lo`), not as a URL?"""
        head = query.split("/", 1)[0]
        return bool(self.origins) and head != DEFAULT_GUIDE and head in self.guide_names

    def closest_ids(self, query: str) -> list[str]:
        """The ids most like `query` (a misspelt id), best first; maybe none."""
        found = self.suggester(self.items, query) if self.suggester is not None else []
        return found or _closest(query, self.by_id)

    def resolve_ids(self, queries: Iterable[str]) -> list[Item]:
        """Several ids at once; all are checked before anything is done with any of them."""
        found: list[Item] = []
        for query in queries:
            item = self.resolve_id(query)
            if all(item.link.id != f.link.id for f in found):
                found.append(item)
        return found

    def find_topic(self, query: str) -> tuple[Topic, ...]:
        """A section or topic by slug or title, any case, or an unambiguous prefix of either;
        `NAME/slug` within guide NAME (several guides), its slugs qualified there or not."""
        q = query.strip().lower()
        topics = self.topics
        cut = ""  # `NAME/` when looking within guide NAME
        split = self._split_guide(q)
        if split is not None and not any(q == t.slug for _, t in topics):
            cut = f"{split[0]}/"
            topics = [(p, t) for p, t in topics if self.section_guide(p[0]) == split[0]]
            q = split[1]
        qs = slugify(q)

        def slug(topic: Topic) -> str:
            return topic.slug.removeprefix(cut) if cut else topic.slug

        for path, topic in topics:
            if q in (slug(topic), topic.title.lower()) or (qs and qs == slug(topic)):
                return path
        matches = [
            (path, topic)
            for path, topic in topics
            if slug(topic).startswith(qs or q) or topic.title.lower().startswith(q)
        ]
        if len(matches) == 1:
            return matches[0][0]
        # A prefix matching a section and only headings inside it means that section.
        first = matches[0][0] if matches else ()
        if matches and all(_within(p, first) for p, _ in matches):
            return first
        if matches:
            shown = ", ".join(t.slug for _, t in matches[:5])
            raise LlmdiveError(f"section {query!r} is ambiguous: it matches {shown}")
        names = [t.slug for _, t in self.topics]
        raise LlmdiveError(
            f"no section {query!r}{_suggest(_closest(slugify(query) or query.lower(), names))}; "
            "`llmdive toc` shows every section"
        )

    def items_under(self, path: tuple[Topic, ...]) -> list[Item]:
        """The items at or below the heading `path`, in guide order.

        A heading's items are one run of `items` (its links, then its sub-topics'): the
        first call finds each heading's run in one pass over the headings, not the links.
        """
        items = self.items
        under = self._under
        if under is None or under[0] is not items or under[1] != len(items):
            under = self._under = (items, len(items), self._spans(len(items)))
        if (spans := under[2]) is None:  # links added to the guide after its items were made
            return [i for i in items if _within(i.path, path)]
        start, end = spans.get(id(path[-1]), (0, 0))
        return items[start:end]

    def _spans(self, count: int) -> dict[int, tuple[int, int]] | None:
        """Each heading's run of `items`, by id(topic); None: not `count` links now."""
        spans: dict[int, tuple[int, int]] = {}
        open_: list[tuple[int, int]] = []  # (id(topic), start) from the section down
        n = 0
        for path, topic in self.guide.walk():
            while len(open_) >= len(path):
                key, begun = open_.pop()
                spans[key] = (begun, n)
            open_.append((id(topic), n))
            n += len(topic.links)
        for key, begun in open_:
            spans[key] = (begun, n)
        return spans if n == count else None
