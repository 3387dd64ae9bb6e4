"""Load, validate and look things up in a catalogue (a guide.toml file).

A validated catalogue is cached (cache.py) under a checksum of the file's bytes,
with what shell completion needs beside it, so that most commands neither parse
TOML nor import pydantic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmdive.errors import LlmdiveError
from llmdive.guide.tomlwrite import dump_toml as dump_toml
from llmdive.guide.tomlwrite import guide_document as guide_document
from llmdive.guide.tomlwrite import toml_header as toml_header
from llmdive.guide.tomlwrite import toml_text as toml_text
from llmdive.home import cache
from llmdive.home.infile import CATALOGUE_MAX_BYTES
from llmdive.home.paths import GUIDE_ENV
from llmdive.home.storage import read_bytes
from llmdive.model.ids import slugify
from llmdive.model.models import Guide
from llmdive.model.urls import looks_like_url, normalize_url, url_key, url_kind
from llmdive.model.vocab import DEFAULT_GUIDE, Difficulty

if TYPE_CHECKING:
    from llmdive.model.models import Link, Topic


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


def consistency_problems(guide: Guide) -> list[str]:
    """What a schema cannot see: duplicate ids, aliases and slugs, a URL twice in a section.

    An alias (an id a link had before) may be no link's id and no other link's alias.
    """
    problems: list[str] = []
    ids: dict[str, str] = {}
    aliases: dict[str, str] = {}  # an old id a link keeps answering to
    slugs: dict[str, str] = {}
    for s_index, section in enumerate(guide.sections):
        urls: dict[str, str] = {}
        for path, topic in section.walk():
            where = " > ".join(t.title for t in path)
            if topic.slug in slugs:
                problems.append(f"duplicate slug {topic.slug!r}: {slugs[topic.slug]} and {where}")
            slugs.setdefault(topic.slug, where)
            for index, link in enumerate(topic.links):
                place = f"{where}, links[{index}]"
                if link.id in ids:
                    problems.append(f"duplicate link id {link.id!r}: {ids[link.id]} and {place}")
                ids.setdefault(link.id, place)
                for alias in link.aliases:
                    if alias == link.id:
                        problems.append(f"alias {alias!r} of {place} is its own id")
                        continue
                    if alias in aliases:
                        problems.append(f"duplicate alias {alias!r}: {aliases[alias]} and {place}")
                    aliases.setdefault(alias, place)
                key = normalize_url(link.url)
                if key in urls:
                    problems.append(
                        f"duplicate URL {link.url} in section {section.title!r} "
                        f"(sections[{s_index}]): {urls[key]} and {place}"
                    )
                urls.setdefault(key, place)
    for alias in sorted(aliases.keys() & ids.keys()):
        problems.append(f"alias {alias!r} of {aliases[alias]} is the id of {ids[alias]}")
    return problems


def parse_guide(data: bytes, path: Path) -> Guide:
    """Parse and validate catalogue bytes; every problem is reported, one line each."""
    import tomllib

    # start-up: pydantic loads only when a file must be validated
    from llmdive.model.inputs import validate_guide

    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise LlmdiveError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LlmdiveError(f"{path}: not valid TOML: {exc}") from exc
    except ValueError:  # an integer of thousands of digits
        raise LlmdiveError(
            f"{path}: not usable TOML: it holds a number thousands of digits long"
        ) from None
    except RecursionError:
        raise LlmdiveError(f"{path}: not usable TOML: nested too deeply") from None
    guide = Guide.from_dict(validate_guide(raw, path))
    problems = consistency_problems(guide)
    if problems:
        lines = [f"{path}: {p}" for p in problems[:20]]
        if len(problems) > 20:
            lines.append(f"{path}: and {len(problems) - 20} more problems")
        raise LlmdiveError("\n".join(lines))
    return guide


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
    record = cache.read("catalogue", path, key, home=home)
    # Freed only now: once the first block of megabytes is freed, malloc serves the next
    # ones from its heap, which it keeps (10 MiB of the peak memory at 100,000 links).
    del data
    if record is not None:
        try:
            catalogue = _from_record(record, path, suggester)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            pass  # a damaged cache entry is rebuilt below
        else:
            catalogue.digest = key
            return catalogue
    guide = parse_guide(_read_bytes(path), path)
    catalogue = Catalogue(guide, path, suggester=suggester)
    cache.write("catalogue", path, key, _record(catalogue), home=home)
    catalogue.digest = key
    return catalogue


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
    return {
        "title": guide.title,
        "version": guide.version,
        "topics": [depths, counts, slugs, titles, texts],
        "links": [
            ids,
            [k.title for k in links],
            [k.url for k in links],
            [k.difficulty.value for k in links],
            [url_kind(k.url) for k in links],
            # normalize_url of each, "" where it is the URL itself: guides combined group
            # their shared URLs without parsing every URL again.
            ["" if (n := normalize_url(k.url)) == k.url else n for k in links],
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
    items: list[Item] = []
    stack: list[Topic] = []
    start = 0
    for t, depth in enumerate(depths):
        topic = Topic(slugs[t], titles[t], texts[2 * t], texts[2 * t + 1])
        del stack[depth - 1 :]
        (stack[-1].topics if stack else guide.sections).append(topic)
        stack.append(topic)
        end = start + counts[t]
        topic.links = links[start:end]
        here, guides = [tuple(stack)] * counts[t], [DEFAULT_GUIDE] * counts[t]
        items += map(Item, topic.links, here, guides, kinds[start:end])
        start = end
    if start != len(links) or not len(kinds) == len(normal) == len(links):
        raise ValueError("a cached guide's headings do not hold its links")
    catalogue = Catalogue(guide, path, shared_urls=list(record["shared_urls"]), suggester=suggester)
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
        # The identity of the file's bytes when loaded from one (load_catalogue), for
        # what is cached about its links (search's index); None for any other catalogue.
        self.digest: str | None = None
        # items_under's index: (the items it indexes, their number, by (depth, id(topic))).
        self._under: tuple[list[Item] | None, int, dict[tuple[int, int], list[Item]]] | None = None
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

    def resolve_id(self, query: str) -> Item:
        """A link by its id (or an id it had before), an unambiguous prefix of its id, or
        its URL as a browser shows it."""
        if query in self.by_id:
            return self.by_id[query]
        if query in self.aliases:
            return self.by_id[self.aliases[query]]
        q = query.strip().lower()
        if not q:
            raise LlmdiveError(
                "no id given: name a link by its id, the start of its id, or its URL "
                "(`llmdive list` shows every id)"
            )
        if q in self.by_id:
            return self.by_id[q]
        if q in self.aliases:
            return self.by_id[self.aliases[q]]
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

        The first call scans the items; from the second on (`next` asks once per finished
        section), the items of every heading are found in an index of them built in one
        pass, so a call costs its own items, not the whole catalogue's.
        """
        items = self.items
        under = self._under
        if under is not None and under[0] is items and under[1] == len(items):
            return list(under[2].get((len(path) - 1, id(path[-1])), ()))
        if under is None:
            self._under = (None, 0, {})  # asked once: the next call indexes
            return [i for i in items if _within(i.path, path)]
        index: dict[tuple[int, int], list[Item]] = {}
        for item in items:
            for depth, topic in enumerate(item.path):
                index.setdefault((depth, id(topic)), []).append(item)
        self._under = (items, len(items), index)
        return list(index.get((len(path) - 1, id(path[-1])), ()))
