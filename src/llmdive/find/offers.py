"""Links of the other followed guides offered to a topic that has none: matched, never moved.

A topic is matched on its name, and a little on its place (the headings above it). Both
sides are cut into terms the same way: CamelCase split ("FlashAttention" -> flash
attention, and the whole word kept), versions dropped ("Flash Attention 2", "GPT2"),
words folded and cut to one stem (`search.words`, `search.stem`), acronyms and what they
stand for one term (`glossary.py`, longest form first: "KV Cache" and "key-value cache",
"MoE" and "Mixture-of-Experts"). Heading filler ("Setup", "Advanced", "Misc", "LLM")
says nothing about which link is meant: a topic made only of it is offered nothing.

A candidate link is found where each term is, weighted by the field: its title counts
most, then the words of its own topic, then those of the headings above it, then a
lead phrase of its topic's description ("Flash Attention: ..."), then its URL; the rest
of the description least. A topic's score is the share of its terms' weight found
(rarer terms weigh more: inverse document frequency over the candidates), the best of
its alternatives ("Model Exporting (vLLM, Llama.cpp)" is three, "Static/Dynamic
Quantization" two); its place and how much of the title the topic explains add a little.
Only links at `THRESHOLD` or above are offered (precision over recall), at most `limit`,
each URL once (`url_key`), none of the topic's own guide, and at most two found only
through their topic's description.

The index is built once over every candidate; each topic then reads a few postings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from llmdive.find.search import stem, words
from llmdive.home import cache as home_cache
from llmdive.model.models import Topic
from llmdive.model.urls import url_key
from llmdive.model.vocab import Status

# How much a term found in a field counts (the best field of each term is kept).
FIELD_WEIGHTS = {
    "title": 1.0,
    "topic": 0.8,  # the candidate's own topic
    "place": 0.6,  # the headings above it
    "lead": 0.6,  # "Flash Attention: ..." opening a paragraph of its topic's description
    "url": 0.4,
    "description": 0.2,
}
FIELD_NAMES = {
    "title": "title",
    "topic": "its topic",
    "place": "its section",
    "lead": "its topic's description",
    "url": "its URL",
    "description": "its topic's description",
}
# A word found only as a part of a CamelCase word ("Law" of "LawBench") says less.
PART = 0.8
# Another word of the same family ("quantize" for "quantization"): a shared start of seven
# letters or more, at most two letters left over on the shorter word.
FAMILY = 0.8
_FAMILY_START = 7
# A name's words found in different fields of a link count for this share of their weight.
APART = 0.7
THRESHOLD = 0.6
LIMIT = 4
# At most this many offers found only through their topic's description: it names what a
# topic covers, not what each of its links is about.
MAX_BY_DESCRIPTION = 2

# Heading words that say nothing about which link is meant, in an LLM reading list.
_FILLER = frozenset(
    """a an and at by for from in into is of on or the to with vs via
    advanced basic basics fundamental fundamentals
    intro introduction overview misc miscellaneous other others general setup set up
    getting started start guide guides tutorial tutorials course courses resource resources
    tool tools note notes tip tips example examples project projects paper papers method
    methods methodology algorithm algorithms concept concepts technique techniques part
    chapter section topic topics awesome list lists reading more further extra bonus
    new trends various""".split()  # noqa: SIM905
)
# Words every link of an LLM list may hold: a name needs them ("RL in LLM": both), but a
# name of nothing else ("Large Language Models") is offered nothing.
_WEAK = ("llm", "llms", "ml", "ai", "model", "models", "language", "large")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
_VERSION = re.compile(r"(?<=[A-Za-z])(?=\d)")
_SYMBOLS = re.compile(r"[^\w\s]+")
_LEAD = re.compile(r"^\s*([^:\n]{2,60}):", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A link that may be offered: what it is, where it sits in its guide, and the guide."""

    title: str
    url: str
    guide: str
    path: tuple[str, ...] = ()  # its section and topic names, from the top
    description: str = ""  # of its topic
    id: str = ""  # what the reader types to name it


@dataclass(frozen=True, slots=True)
class Offer:
    """A candidate offered to a topic, how well it matched (0..1+), and why, in words."""

    candidate: Candidate
    score: float
    why: tuple[str, ...]


@cache
def _glossary() -> tuple[dict[tuple[str, ...], int], dict[str, int]]:
    """The glossary's forms by their stemmed words, each to its line's number; and for each
    word that starts a form, the longest form it starts."""
    from llmdive.find.glossary import TERMS  # only when offers are asked for

    index: dict[tuple[str, ...], int] = {}
    starts: dict[str, int] = {}
    for number, line in enumerate(TERMS):
        for text in line.split("|"):
            form = tuple(_stem(w) for w in words(_plain(text)) if not w.isdigit())
            if form:
                index.setdefault(form, number)
                starts[form[0]] = max(starts.get(form[0], 0), len(form))
    return index, starts


_stem = cache(stem)


def _plain(text: str) -> str:
    """Versions cut off their word ("GPT2" -> "GPT 2"), so that they drop as numbers do."""
    return _VERSION.sub(" ", text)


def _tokens(text: str) -> tuple[list[str], list[str], set[str]]:
    """A text's stemmed words with CamelCase split; the whole words that were split; and
    the words found only as a part of one ("law" of "LawBench")."""
    if not text.isascii():
        text = _SYMBOLS.sub(" ", text)  # emoji and the like: folding them one by one is slow
    split = _CAMEL.sub(" ", text)
    tokens = [_stem(w) for w in words(_plain(split)) if not w.isdigit() and len(w) > 1]
    if split == text:
        return tokens, [], set()
    unsplit = [_stem(w) for w in words(_plain(text)) if not w.isdigit() and len(w) > 1]
    wholes = [w for w in unsplit if w not in tokens]
    return tokens, wholes, set(tokens).difference(unsplit)


def _keys(tokens: list[str]) -> list[str]:
    """Every key of a token run: each word, and each glossary form in it (as "g<number>")."""
    index, starts = _glossary()
    out = list(tokens)
    for at, token in enumerate(tokens):
        longest = starts.get(token)
        if longest is None:
            continue
        for size in range(1, min(longest, len(tokens) - at) + 1):
            number = index.get(tuple(tokens[at : at + size]))
            if number is not None:
                out.append(f"g{number}")
    return out


def _terms(text: str) -> list[tuple[str, str]]:
    """A name's terms, glossary forms longest first, filler dropped: (key, as written)."""
    index, starts = _glossary()
    split = _CAMEL.sub(" ", text)
    raw = [w for w in words(_plain(split)) if not w.isdigit() and len(w) > 1]
    tokens = [_stem(w) for w in raw]
    out: list[tuple[str, str]] = []
    at = 0
    while at < len(tokens):
        for size in range(min(starts.get(tokens[at], 0), len(tokens) - at), 0, -1):
            number = index.get(tuple(tokens[at : at + size]))
            if number is not None and not (size == 1 and raw[at] in _FILLER):
                out.append((f"g{number}", " ".join(raw[at : at + size])))
                at += size
                break
        else:
            if raw[at] not in _FILLER:
                out.append((tokens[at], raw[at]))
            at += 1
    return list(dict.fromkeys(out))


@cache
def _weak() -> frozenset[str]:
    return frozenset(key for w in _WEAK for key, _ in _terms(w))


def alternatives(name: str) -> list[str]:
    """The ways a heading names its subject: "Model Exporting (vLLM, Llama.cpp)" -> the
    name, "vLLM", "Llama.cpp"; "Static/Dynamic Quantization" -> "Static Quantization",
    "Dynamic Quantization"; "JAX / XLA" and "A → B" -> each side."""
    main, _, inside = name.partition("(")
    parts = [p for p in re.split(r"\s+/\s+|→|->|\s+&\s+", main) if p.strip()]
    out: list[str] = []
    for part in parts or [main]:
        slashed = re.search(r"(\w+)/(\w+)", part)
        if slashed:
            for word in slashed.groups():
                out.append(part[: slashed.start()] + word + part[slashed.end() :])
        else:
            out.append(part)
    out.extend(p for p in re.split(r"[,;]", inside.rstrip(") ")) if p.strip())
    return [p.strip() for p in out if p.strip()]


def _own_fields(candidate: Candidate) -> Iterator[tuple[str, str]]:
    """The fields of a link itself: its title and its URL's words."""
    yield "title", candidate.title
    host_path = candidate.url.partition("://")[2].partition("?")[0]
    yield "url", host_path.replace("_", " ").replace("-", " ")


def _topic_fields(candidate: Candidate) -> Iterator[tuple[str, str]]:
    """The fields a link shares with the other links of its topic."""
    if candidate.path:
        yield "topic", candidate.path[-1]
        yield "place", " ".join(candidate.path[:-1])
    if candidate.description:
        yield "lead", " ".join(_LEAD.findall(candidate.description))
        yield "description", candidate.description


Postings = dict[int, tuple[float, str]]


def _post(postings: dict[str, Postings], number: int, field: str, text: str) -> list[str]:
    """Index one field's text under `number`; its words (stemmed, CamelCase split)."""
    tokens, wholes, parts = _tokens(text)
    weight = FIELD_WEIGHTS[field]
    found = dict.fromkeys(_keys(wholes), weight) if wholes else {}
    for key in _keys(tokens):
        if key not in found:
            found[key] = weight * PART if key in parts else weight
    for key, value in found.items():
        posting = postings.get(key)
        if posting is None:
            postings[key] = {number: (value, field)}
            continue
        old = posting.get(number)
        if old is None or value > old[0]:
            posting[number] = (value, field)
    return tokens


class OfferIndex:
    """Every candidate's terms by field, built once; `offers` reads it per topic.

    `OfferIndex(candidates(sections)).offers("KV Cache", ["Engineering"], guide="default")`
    -> the best links of the other guides for that topic.
    """

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        self.candidates = list(candidates)
        # Each URL's identity, found when first needed: most candidates are never offered.
        self._url_keys: dict[int, str] = {}
        self._urls_of: dict[str, set[str]] = {}
        # key -> {candidate: (weight, field)}, the best field of each; the fields a topic's
        # links share are indexed once per topic: key -> {group: ...}, a group's candidates.
        self._own: dict[str, Postings] = {}
        self._shared: dict[str, Postings] = {}
        self._groups: list[list[int]] = []
        group_of: dict[tuple[str, tuple[str, ...], str], int] = {}
        # The words of each title, for how much of it a topic explains.
        self._titles: list[set[str]] = []
        for number, candidate in enumerate(self.candidates):
            fields = _own_fields(candidate)
            self._titles.append(set(_post(self._own, number, *next(fields))))
            for field, text in fields:
                _post(self._own, number, field, text)
            where = (candidate.guide, candidate.path, candidate.description)
            group = group_of.get(where)
            if group is None:
                group = group_of[where] = len(self._groups)
                self._groups.append([])
                for field, text in _topic_fields(candidate):
                    _post(self._shared, group, field, text)
            self._groups[group].append(number)
        self._family: dict[str, list[str]] = {}
        for key in {*self._own, *self._shared}:
            if len(key) >= _FAMILY_START and key.isalpha():
                self._family.setdefault(key[:_FAMILY_START], []).append(key)
        total = len(self.candidates) + 1
        self._idf: dict[str, float] = {}
        for key in {*self._own, *self._shared}:
            held = len(self._own.get(key, ()))
            held += sum(len(self._groups[g]) for g in self._shared.get(key, ()))
            self._idf[key] = math.log(total / (min(held, total - 1) + 1)) + 1.0
        self._unseen = math.log(total) + 1.0

    @classmethod
    def kept(cls, found: Sequence[Candidate], where: Path, home: Path | None) -> OfferIndex:
        """The index of these candidates, from the cache (of `home`; None: the
        environment's) when it holds one made for exactly them, else built and kept there
        for the next command. `where`: the file the cache entry is named after."""
        key = home_cache.digest(_identity(found))
        record = home_cache.read("offers", where, key, home=home)
        if record is not None and set(record) == set(_KEPT):
            index = cls.__new__(cls)
            index.candidates = list(found)
            index._url_keys, index._urls_of = {}, {}
            for name in _KEPT:
                setattr(index, name, record[name])
            return index
        index = cls(found)
        home_cache.write("offers", where, key, {n: getattr(index, n) for n in _KEPT}, home=home)
        return index

    def _key(self, number: int) -> str:
        key = self._url_keys.get(number)
        if key is None:
            key = self._url_keys[number] = url_key(self.candidates[number].url)
        return key

    def _urls(self, guide: str) -> set[str]:
        """The identities of the URLs a guide holds: none of them is offered to it."""
        found = self._urls_of.get(guide)
        if found is None:
            numbers = [n for n, c in enumerate(self.candidates) if c.guide == guide]
            found = self._urls_of[guide] = {self._key(n) for n in numbers}
        return found

    def _found(self, key: str) -> Postings:
        """Where one key is found, by candidate, with the best weight and its field."""
        out = dict(self._own.get(key, {}))
        for group, (weight, field) in self._shared.get(key, {}).items():
            for number in self._groups[group]:
                if weight > out.get(number, (0.0, ""))[0]:
                    out[number] = (weight, field)
        return out

    def _postings(self, key: str) -> Postings:
        """Where a term is found: its own key, and the words of its family (weighed less)."""
        out = self._found(key)
        if len(key) < _FAMILY_START or not key.isalpha():
            return out
        for other in self._family.get(key[:_FAMILY_START], ()):
            if other == key or min(len(other), len(key)) - _common(other, key) > 2:
                continue
            for number, (weight, field) in self._found(other).items():
                if weight * FAMILY > out.get(number, (0.0, ""))[0]:
                    out[number] = (weight * FAMILY, field)
        return out

    def _cover(
        self, terms: list[tuple[str, str]], every: bool = True
    ) -> dict[int, tuple[float, list[str]]]:
        """Each candidate holding a term (`every` term): the weighted share found, and why."""
        if not terms:
            return {}
        weights = [self._idf.get(key, self._unseen) for key, _ in terms]
        whole = sum(weights)
        out: dict[int, tuple[float, list[str]]] = {}
        for (key, written), weight in zip(terms, weights, strict=True):
            for number, (found, field) in self._postings(key).items():
                score, why = out.get(number, (0.0, []))
                out[number] = (score + weight * found / whole, [*why, f"{written}: {field}"])
        # Every term of a name must be found: "Task Vectors" is not any page on vectors.
        if every:
            out = {n: found for n, found in out.items() if len(found[1]) == len(terms)}
        # The words of a name found in different fields ("task" in a topic's description,
        # "vectors" in a title) say less than the name found in one.
        for number, (score, why) in out.items() if len(terms) > 1 else ():
            if len({w.rpartition(": ")[2] for w in why}) > 1:
                out[number] = (score * APART, why)
        return out

    def offers(
        self,
        name: str,
        place: Sequence[str] = (),
        *,
        guide: str = "",
        limit: int = LIMIT,
        taken: Collection[str] = (),
    ) -> list[Offer]:
        """The best candidates for the topic `name` under the headings `place`, best first.

        Candidates of `guide` (the topic's own), any link at a URL that guide holds and
        those at a URL of `taken` (`url_key`s: offered already) are left out. Unrelated
        topics get none: see THRESHOLD.
        """
        best: dict[int, tuple[float, list[str]]] = {}
        weak = _weak()
        for alternative in alternatives(name):
            terms = _terms(alternative)
            if all(key in weak for key, _ in terms):
                continue
            for number, found in self._cover(terms).items():
                if found[0] > best.get(number, (0.0, []))[0]:
                    best[number] = found
        kept = {
            n: found
            for n, found in best.items()
            if found[0] >= THRESHOLD - 1e-9 and self.candidates[n].guide != guide
        }
        if kept:
            own = self._urls(guide)
            kept = {
                n: found
                for n, found in kept.items()
                if self._key(n) not in own and self._key(n) not in taken
            }
        if not kept:
            return []
        around = self._cover([t for p in place for t in _terms(p)], every=False)
        named = {key for alt in alternatives(name) for key, _ in _terms(alt)}
        ranked = []
        for number, (score, why) in kept.items():
            title = self._titles[number]
            focus = len(title & named) / len(title) if title else 0.0
            bonus = 0.1 * min(1.0, around.get(number, (0.0, []))[0]) + 0.05 * focus
            ranked.append((-round(score + bonus, 3), number, why))
        ranked.sort()
        out: list[Offer] = []
        seen: set[str] = set()
        by_description = 0
        for negative, number, why in ranked:
            if self._key(number) in seen:
                continue
            fields = {w.rpartition(": ")[2] for w in why}
            if fields <= {"lead", "description"}:
                if by_description >= MAX_BY_DESCRIPTION:
                    continue
                by_description += 1
            seen.add(self._key(number))
            out.append(Offer(self.candidates[number], -negative, tuple(_explain(why))))
            if len(out) >= limit:
                break
        return out


# What `kept` stores of an index: everything but the candidates, made again each time.
_KEPT = ("_own", "_shared", "_groups", "_family", "_idf", "_unseen", "_titles")


def _identity(found: Sequence[Candidate]) -> bytes:
    """Everything of the candidates the index is made from, as bytes to take a digest of."""
    parts = ["offers 1"]  # the index's own format: bumped when what it holds changes
    last = None
    for c in found:
        parts += (c.guide, c.title, c.url, "\x02".join(c.path))
        if c.description is not last:
            parts.append(c.description)
            last = c.description
        parts.append("\x03")
    return "\x01".join(parts).encode("utf-8", "surrogatepass")


def _explain(why: list[str]) -> Iterator[str]:
    """'kv cache: lead' -> 'kv cache in its topic's description'."""
    for reason in why:
        written, _, field = reason.rpartition(": ")
        yield f"{written} in {FIELD_NAMES[field]}"


def _common(a: str, b: str) -> int:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return size


def candidates(sections: Iterable[tuple[str, Topic]]) -> list[Candidate]:
    """Every link under these sections, each (guide name, section), as a candidate with its
    topic's path and description, and its id as typed."""
    out: list[Candidate] = []
    for name, section in sections:
        for path, topic in section.walk():
            if not topic.links:
                continue
            titles = tuple(t.title for t in path)
            description = _description(topic)
            out.extend(
                Candidate(k.title, k.url, name, titles, description, k.id) for k in topic.links
            )
    return out


def _description(topic: Topic) -> str:
    return f"{topic.description}\n{topic.tip}" if topic.tip else topic.description


def empty_topics(
    sections: Iterable[Topic], unread: Iterable[str] | None = None
) -> list[tuple[Topic, ...]]:
    """The topics under these sections that have no links below them (or, given the ids
    `unread`, none unread), as paths from the top: those a reader may be offered links for."""
    # A set is used as given: topic_offers asks once per section (thousands of ids).
    left = unread if unread is None or isinstance(unread, set) else set(unread)
    out: list[tuple[Topic, ...]] = []
    for section in sections:
        # Which topics hold a link (one of `left`) below them: one pass up from the leaves,
        # not a walk below every topic (links x depth).
        holds: dict[int, bool] = {}
        _holds(section, left, holds)
        out.extend(path for path, topic in section.walk() if not holds[id(topic)])
    return out


def _holds(topic: Topic, left: set[str] | None, holds: dict[int, bool]) -> bool:
    """Does `topic` hold a link (one of `left`, when given) at or below it? Filled in
    `holds`, by id() of each topic, for it and every topic below it."""
    found = bool(topic.links) if left is None else any(k.id in left for k in topic.links)
    for child in topic.topics:
        found = _holds(child, left, holds) or found
    holds[id(topic)] = found
    return found


def topic_offers(
    index: OfferIndex,
    sections: Sequence[tuple[str, Topic]],
    unread: Iterable[str] | None = None,
    limit: int = 3,
) -> dict[int, list[Offer]]:
    """The offers to each topic under these sections (guide name, section) that has no
    links, or none of `unread`, by `id()` of the topic. Each URL is offered once (`toc`
    lists them all), to the deepest topic first: GPTQ's links go to GPTQ, Quantization
    above it gets the rest."""
    left = None if unread is None else set(unread)
    empty = [(name, p) for name, s in sections for p in empty_topics([s], left)]
    taken: set[str] = set()
    out: dict[int, list[Offer]] = {}
    for name, path in sorted(empty, key=lambda e: len(e[1]), reverse=True):
        place = [t.title for t in path[:-1]]
        found = index.offers(path[-1].title, place, guide=name, limit=limit, taken=taken)
        if found:
            out[id(path[-1])] = found
            taken.update(url_key(o.candidate.url) for o in found)
    return out


def _left(sections: Sequence[tuple[str, Topic]], states: Mapping[str, Status]) -> set[str]:
    """The ids of the links still to read (unread, or being read)."""
    left = (Status.UNREAD, Status.READING)
    return {
        k.id
        for _, section in sections
        for _, t in section.walk()
        for k in t.links
        if states.get(k.id, Status.UNREAD) in left
    }


def _index(
    sections: Sequence[tuple[str, Topic]], cache_as: Path | None, home: Path | None
) -> OfferIndex:
    found = candidates(sections)
    return OfferIndex(found) if cache_as is None else OfferIndex.kept(found, cache_as, home)


def followed_offers(
    sections: Sequence[tuple[str, Topic]],
    states: Mapping[str, Status],
    limit: int = 3,
    *,
    cache_as: Path | None = None,
    home: Path | None = None,
) -> dict[int, list[Offer]]:
    """`toc`'s offers: for every heading with nothing left to read, the best links of the
    other guides (sections: each with its guide's name), by id() of the heading; none
    while one guide is followed. With `cache_as`, the index is kept in `home`'s cache."""
    if len({name for name, _ in sections}) < 2:
        return {}
    index = _index(sections, cache_as, home)
    return topic_offers(index, sections, _left(sections, states), limit)


def heading_offers(
    sections: Sequence[tuple[str, Topic]],
    path: tuple[Topic, ...],
    states: Mapping[str, Status],
    limit: int = 3,
    *,
    cache_as: Path | None = None,
    home: Path | None = None,
) -> list[Offer]:
    """`show` and `next --section` of one heading: the other guides' best links for it, when
    nothing is left to read under it ([] otherwise, or while one guide is followed)."""
    guide = next((name for name, s in sections if s is path[0]), "")
    if len({name for name, _ in sections}) < 2 or not guide:
        return []
    left = _left([(guide, path[-1])], states)
    if left:
        return []
    index = _index(sections, cache_as, home)
    return index.offers(path[-1].title, [t.title for t in path[:-1]], guide=guide, limit=limit)
