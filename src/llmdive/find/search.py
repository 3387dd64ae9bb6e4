"""Finding links by what a reader remembers of them: words, typos and all.

The query and every searchable field (id, title, section and topic names, the URL's
host and path words, the reader's note, the titles and URL words of the link's related
links: its code, pdf, video) are folded (case and accents dropped) and cut
into words. A query word matches a field word exactly, as its start, inside it (three
letters or more) or within a small edit distance (one edit from four letters, two from
eight; a swap of two neighbours is one edit; words with digits only match as written:
"gpt3" is not a typo of "gpt2") or as another form of the same word: both cut to one
stem by dropping one ending of "ing", "ed", "es", "e" or "s" (at least three letters left),
so "cache", "caches", "cached" and "caching" find each other. The field's acronyms and
what they stand for (`glossary.py`) are one term in any of their forms: "rope" finds
"Rotary Positional Encoding", "flash attention" "FlashAttention-2" (a glossary form only
as written or as another form of its words, never as a typo). Every query term must
match somewhere; a link's score is the mean, over the terms, of their best match
weighted by the field it was found in. Ties keep guide order. Headings without links
that match are found apart (`empty_topics`), so that a topic is never missed.

Each distinct word is compared once per query word, so a 10,000-link guide costs a few
thousand comparisons, and the edit distance (pure Python, bounded) runs only on words
whose length and letters could be close enough. Measured against rapidfuzz, this was
faster per command: see bench/README.md.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from llmdive.find.index import FIELD_WEIGHTS as FIELD_WEIGHTS
from llmdive.find.index import Field, Mapped, cached_vocabularies, item_fields, load_index
from llmdive.find.index import related_text as related_text
from llmdive.find.index import url_part as _url_part
from llmdive.find.words import EXACT as EXACT
from llmdive.find.words import INSIDE as INSIDE
from llmdive.find.words import ONE_EDIT as ONE_EDIT
from llmdive.find.words import PREFIX as PREFIX
from llmdive.find.words import SAME_STEM as SAME_STEM
from llmdive.find.words import TWO_EDITS as TWO_EDITS
from llmdive.find.words import Vocabulary, score_words
from llmdive.find.words import distance as distance
from llmdive.find.words import fold as fold
from llmdive.find.words import match as match
from llmdive.find.words import stem as stem
from llmdive.find.words import strict_scores as strict_scores
from llmdive.find.words import words as words

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Catalogue, Item
    from llmdive.model.models import Related, Topic

_WORD = re.compile(r"[^\W_]+")
# Words a query may hold that say nothing about which link is meant.
_STOPWORDS = frozenset("a an and at by for from in into is of on or the to with".split())  # noqa: SIM905


def query_terms(query: str) -> list[str]:
    """The words of a query worth matching: stop words are dropped unless nothing else is left."""
    terms = list(dict.fromkeys(words(query)))
    kept = [t for t in terms if t not in _STOPWORDS]
    return kept or terms


@dataclass(frozen=True, slots=True)
class Hit:
    """A link that matched, its score (0..1) and the folded words that matched."""

    item: Item
    score: float
    matched: frozenset[str]
    fields: tuple[str, ...]  # where it matched, in FIELD_WEIGHTS order


def related_matches(hit: Hit) -> list[Related]:
    """The related links of a hit's item through which it matched: those holding a word the
    query matched that no word of the item's own title, URL or headings holds."""
    if "related" not in hit.fields:
        return []
    item = hit.item
    own = " ".join([*words(item.link.title), *words(_url_part(item.link.url))])
    own += " " + " ".join(w for t in item.path for w in words(t.title))
    extra = {w for w in hit.matched if w not in own}
    return [r for r in item.link.related if not extra.isdisjoint(words(related_text([r])))]


@dataclass(frozen=True, slots=True)
class Form:
    """One way to say a query term: its words, and whether only exact forms of them count.

    The reader's own words are matched with typos forgiven (`match`); the words of the
    other forms a glossary term brings (`glossary.py`) only as written or as another form
    of the word (`strict_scores`): "fa2" must not find "fact", nor "rope" "europe".
    """

    words: tuple[str, ...]
    strict: bool = False


@cache
def _glossary() -> tuple[dict[tuple[str, ...], int], list[tuple[Form, ...]], int]:
    """The glossary, read once: forms by their stemmed words, each term's forms, longest form."""
    from llmdive.find.glossary import TERMS  # start-up: the table loads when a search runs

    index: dict[tuple[str, ...], int] = {}
    terms: list[tuple[Form, ...]] = []
    longest = 1
    for number, line in enumerate(TERMS):
        forms = tuple(Form(tuple(query_terms(text)), True) for text in line.split("|"))
        terms.append(forms)
        for form in forms:
            index.setdefault(tuple(map(stem, form.words)), number)
            longest = max(longest, len(form.words))
    return index, terms, longest


def query_forms(query: str) -> list[tuple[Form, ...]]:
    """The terms of a query, each as the forms that may stand for it (one unless a glossary term).

    Glossary terms are found in the query longest first: "flash attn" is one term, said
    as typed or as "flash attention", "flashattention", "fa" ...; every other word is its
    own term. `query_forms("rope kv cache")` -> [rope | rotary positional encoding | ...,
    kv cache | key value cache | ...].
    """
    terms = query_terms(query)
    if not terms:
        return []
    index, glossary, longest = _glossary()
    stems = [stem(t) for t in terms]
    out: list[tuple[Form, ...]] = []
    at = 0
    while at < len(terms):
        for size in range(min(longest, len(terms) - at), 0, -1):
            number = index.get(tuple(stems[at : at + size]))
            if number is not None:
                typed = Form(tuple(terms[at : at + size]))
                same = tuple(stems[at : at + size])
                others = (f for f in glossary[number] if tuple(map(stem, f.words)) != same)
                out.append((typed, *others))
                at += size
                break
        else:
            out.append((Form((terms[at],)),))
            at += 1
    return out


class _Field(Protocol):
    """A field as ranking reads it: an index.Field, its Postings, or a Mapped field."""

    name: str
    weight: float

    def present(self, found: set[str]) -> set[str]: ...

    def lines_with(self, found: set[str]) -> Collection[int]: ...


class _Words:
    """The vocabularies a query's words are matched against: sets and Vocabulary's."""

    def __init__(self, pools: Sequence[set[str] | Vocabulary]) -> None:
        self.pools = pools
        self._sorted: dict[int, list[str]] = {}  # a set's words in order, for strict forms

    def scores(self, term: str, strict: bool) -> dict[str, float]:
        out: dict[str, float] = {}
        for n, pool in enumerate(self.pools):
            if not strict:
                out.update(score_words(term, pool))
            elif isinstance(pool, Vocabulary):
                out.update(strict_scores(term, pool))
            else:
                if n not in self._sorted:
                    self._sorted[n] = sorted(pool)
                out.update(strict_scores(term, self._sorted[n]))
        return out


# Where one query word was found: (its weighted score, the field's name, the lines).
_Places = list[tuple[float, str, Collection[int]]]


def _places(scores: dict[str, float], fields: Sequence[_Field]) -> _Places:
    """The lines holding each of the scored words, by field and score."""
    by_value: dict[float, set[str]] = {}
    for word, value in scores.items():
        by_value.setdefault(value, set()).add(word)
    out: _Places = []
    for field in fields:
        for value, group in sorted(by_value.items(), reverse=True):
            present = field.present(group)
            if present:
                out.append((value * field.weight, field.name, field.lines_with(present)))
    return out


def _lines(places: _Places, within: set[int] | None) -> set[int]:
    """Every line of `places` (only those `within`, when given)."""
    out: set[int] = set()
    for _, _, lines in places:
        out.update(lines if within is None else within.intersection(lines))
    return out


def _rank(
    fields: Sequence[_Field],
    vocabulary: _Words,
    terms: list[tuple[Form, ...]],
) -> tuple[list[tuple[float, int]], dict[str, set[int]], frozenset[str]]:
    """(score, index) of every line matching every term, best first; where; the words hit.

    The lines matching every term are found first as sets (the rarest term first, each
    next one only among those), then scored: only they are.
    """
    matched: set[str] = set()
    plan: list[list[list[_Places]]] = []  # by term, form, word of the form
    for forms in terms:
        per_form = []
        for form in forms:
            per_word = []
            for term in form.words:
                scores = vocabulary.scores(term, form.strict)
                matched.update(scores)
                per_word.append(_places(scores, fields))
            per_form.append(per_word)
        plan.append(per_form)

    def size(per_form: list[list[_Places]]) -> int:
        return sum(len(lines) for per_word in per_form for p in per_word for _, _, lines in p)

    within: set[int] | None = None
    for per_form in sorted(plan, key=size):
        found: set[int] = set()
        for per_word in per_form:
            common = _lines(per_word[0], within)
            for places in per_word[1:]:
                common &= _lines(places, common)
            found |= common
        within = found
    common = within or set()
    # Each line's score, as the best of each word's places, the mean of the words of a
    # form, the best of a term's forms, the mean of the terms.
    where: dict[str, set[int]] = {f.name: set() for f in fields}
    best: list[dict[int, float]] = []
    for per_form in plan:
        found_scores: dict[int, float] = {}
        for per_word in per_form:
            word_scores = []
            for places in per_word:
                scored: dict[int, float] = {}
                for weighted, _, lines in places:
                    for index in common.intersection(lines):
                        if weighted > scored.get(index, 0.0):
                            scored[index] = weighted
                word_scores.append(scored)
            both = set(word_scores[0]).intersection(*word_scores[1:])
            for index in both:
                value = sum(w[index] for w in word_scores) / len(word_scores)
                if value > found_scores.get(index, 0.0):
                    found_scores[index] = value
            for places in per_word:
                for _, name, lines in places:
                    where[name].update(both.intersection(lines))
        best.append(found_scores)
    ranked = sorted((-round(sum(b[i] for b in best) / len(terms), 3), i) for i in common)
    return [(-neg, i) for neg, i in ranked], where, frozenset(matched)


def search(
    items: Sequence[Item],
    query: str,
    notes: Mapping[str, str] | None = None,
    *,
    ids: bool = False,
    cache_as: Path | None = None,
    home: Path | None = None,
    catalogue: Catalogue | None = None,
) -> list[Hit]:
    """The links of `items` that match every term of `query`, best first (then guide order).

    A term is a word, or a glossary term in any of its forms (`query_forms`). With `ids`,
    link ids are searched too (ids are made of title words, so `search` leaves them out;
    suggestions for a mistyped id need them). With `cache_as` (the catalogue's path), the
    distinct words of the guide's fields are kept in the cache (of `home`, the call's: None
    for the environment's) for the next search; with `catalogue` too (whose `items` these
    are, all of them), the links holding each of them (find/index.py).
    """
    terms = query_forms(query)
    if not terms or not items:
        return []
    notes = notes or {}
    index = None
    # Only for all the catalogue's links: the words a query matched are those of the
    # links searched (Hit.matched), and a selection holds fewer.
    if catalogue is not None and cache_as is not None and not ids and items is catalogue.items:
        index = load_index(catalogue, cache_as, home)
    if catalogue is None or index is None:
        fields = item_fields(items, notes, ids)
        if cache_as is not None:
            cached_vocabularies(fields, cache_as, home)
        everything = set().union(*(f.vocabulary for f in fields))
        ranked, where, words_hit = _rank(fields, _Words([everything]), terms)
        chosen = items
    else:
        chosen = catalogue.items
        pools: list[set[str] | Vocabulary] = [index.vocabulary]
        fields_: list[_Field] = list(index.fields)
        if notes:
            noted = [(n, notes[i.link.id]) for n, i in enumerate(chosen) if i.link.id in notes]
            note = Field("note", [text for _, text in noted])
            fields_.append(Mapped(note, [n for n, _ in noted]))
            pools.append(note.vocabulary)
        ranked, where, words_hit = _rank(fields_, _Words(pools), terms)
    return [
        Hit(chosen[i], score, words_hit, tuple(f for f in FIELD_WEIGHTS if i in where.get(f, ())))
        for score, i in ranked
    ]


def empty_topics(
    topics: Sequence[tuple[Topic, ...]], query: str
) -> tuple[list[tuple[Topic, ...]], frozenset[str]]:
    """The headings without a link below them whose own title matches the query, and the words hit.

    Every term must match the heading's title or the titles above it, and one at least
    its own title. A heading below another one found is left out: `search quantization`
    names the empty section, not each of its empty topics. `topics` are paths from the top.
    """
    terms = query_forms(query)
    empty = [p for p in topics if not _has_links(p[-1])]
    if not terms or not empty:
        return [], frozenset()
    fields = [
        Field("title", [p[-1].title for p in empty]),
        Field("section", [" ".join(t.title for t in p[:-1]) for p in empty]),
    ]
    everything = set().union(*(f.vocabulary for f in fields))
    ranked, where, words_hit = _rank(fields, _Words([everything]), terms)
    found = {id(empty[i][-1]) for _, i in ranked if i in where["title"]}
    return [
        p for p in empty if id(p[-1]) in found and not any(id(t) in found for t in p[:-1])
    ], words_hit


def _has_links(topic: Topic) -> bool:
    return bool(topic.links) or any(_has_links(t) for t in topic.topics)


def highlight(text: str, matched: Iterable[str]) -> list[tuple[str, bool]]:
    """`text` cut into pieces, each marked True when it is a word that matched."""
    wanted = set(matched)
    out: list[tuple[str, bool]] = []
    last = 0
    for m in _WORD.finditer(text):
        if fold(m.group()) in wanted:
            if m.start() > last:
                out.append((text[last : m.start()], False))
            out.append((m.group(), True))
            last = m.end()
    if last < len(text):
        out.append((text[last:], False))
    return out


def suggest(items: Sequence[Item], query: str, limit: int = 3) -> list[str]:
    """Ids of the links an unknown id most likely meant, from their ids, titles and URLs."""
    hits = search(items, query, ids=True)
    if not hits:
        return []
    best = hits[0].score
    return [h.item.link.id for h in hits[:limit] if h.score >= best - 0.05]
