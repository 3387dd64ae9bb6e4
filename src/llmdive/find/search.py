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
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from llmdive.home import cache as home_cache

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Item
    from llmdive.model.models import Related, Topic

_WORD = re.compile(r"[^\W_]+")
# Words a query may hold that say nothing about which link is meant.
_STOPWORDS = frozenset("a an and at by for from in into is of on or the to with".split())  # noqa: SIM905

# How much a match counts, by the field it is in.
# A related link (an item's code, pdf, video) is the item's, but says less about it.
FIELD_WEIGHTS = {
    "title": 1.0,
    "id": 0.95,
    "note": 0.9,
    "section": 0.7,
    "url": 0.6,
    "related": 0.5,
}
EXACT, PREFIX, INSIDE, ONE_EDIT, TWO_EDITS, SAME_STEM = 1.0, 0.9, 0.6, 0.8, 0.65, 0.8
# Word endings `stem` drops (one, the first that fits): a light rule, not a full stemmer.
_ENDINGS = ("ing", "ed", "es", "e", "s")


def fold(text: str) -> str:
    """Lower case without accents: 'Ünïcode' -> 'unicode'."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of a text: letters and digits, everything else separates."""
    return _WORD.findall(fold(text))


def query_terms(query: str) -> list[str]:
    """The words of a query worth matching: stop words are dropped unless nothing else is left."""
    terms = list(dict.fromkeys(words(query)))
    kept = [t for t in terms if t not in _STOPWORDS]
    return kept or terms


def _edits_allowed(term: str) -> int:
    return 0 if len(term) < 4 else 1 if len(term) < 8 else 2


def distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from a to b; limit + 1 if more."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    # Common ends cost nothing and shrink the table.
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
    a, b = a[start:end_a], b[start:end_b]
    if not a or not b:
        return len(a) + len(b) if len(a) + len(b) <= limit else limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = current[j - 1] + 1
            if row[j] + 1 < cost:
                cost = row[j] + 1
            replace = row[j - 1] + (ca != cb)
            if replace < cost:
                cost = replace
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb and before[j - 2] + 1 < cost:
                cost = before[j - 2] + 1
            current[j] = cost
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return row[-1] if row[-1] <= limit else limit + 1


def stem(word: str) -> str:
    """`word` without one ending ("ing", "ed", "es", "e", "s"), if three letters are left.

    "cache", "caches", "cached", "caching" -> "cach"; "models", "modeled" -> "model".
    """
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def match(term: str, word: str) -> float:
    """How well one query word matches one field word, 0 when it does not.

    Exact, prefix, inside and a few edits first; another form of the same word (the same
    `stem`) counts when none of those does.
    """
    found = _match(term, word)
    if found or not (term + word).isalpha() or len(term) < 4:
        return found
    return SAME_STEM if stem(term) == stem(word) else 0.0


def _match(term: str, word: str) -> float:
    if word == term:
        return EXACT
    if word.startswith(term):
        return PREFIX
    if len(term) >= 3 and term in word:
        return INSIDE
    limit = _edits_allowed(term)
    if not limit or abs(len(word) - len(term)) > limit or not (term + word).isalpha():
        return 0.0
    # Each edit changes the set of letters by at most two: a cheap test before the table.
    if len(set(term).symmetric_difference(word)) > 2 * limit:
        return 0.0
    edits = distance(term, word, limit)
    return 0.0 if edits > limit else ONE_EDIT if edits == 1 else TWO_EDITS


@dataclass(frozen=True, slots=True)
class Hit:
    """A link that matched, its score (0..1) and the folded words that matched."""

    item: Item
    score: float
    matched: frozenset[str]
    fields: tuple[str, ...]  # where it matched, in FIELD_WEIGHTS order


# Every ASCII character that is not a letter or digit becomes a space (newlines stay): one
# translate over all titles at once is ten times faster than a regex over each.
_SPACES = str.maketrans(
    {chr(c): " " for c in range(128) if not chr(c).isalnum() and chr(c) != "\n"}
)
_URL_NOISE = frozenset({"http", "https", "www"})


class _Field:
    """One field of every link, as one text with a line per link, in folded words."""

    def __init__(self, name: str, texts: list[str]) -> None:
        self.name = name
        self.weight = FIELD_WEIGHTS[name]
        joined = "\n".join(texts)
        if joined.count("\n") != len(texts) - 1:  # a line per link, whatever a title holds
            texts = [" ".join(t.splitlines()) for t in texts]
            joined = "\n".join(texts)
        if not joined.isascii():
            # Rare, and slow: only lines with other characters are folded one by one.
            joined = "\n".join(t if t.isascii() else " ".join(words(t)) for t in texts)
        self.text = "\n" + joined.lower().translate(_SPACES) + "\n"

    @cached_property
    def vocabulary(self) -> set[str]:
        found = set(self.text.split())
        return found - _URL_NOISE if self.name in ("url", "related") else found

    def lines_with(self, found: set[str]) -> Iterable[int]:
        """The index of every link whose field holds one of the words `found`.

        Nothing is kept per line (a list of 100,000 lines, or of where each starts, was
        most of the peak memory of a search of a big guide): a line's index is counted from
        the newlines before each word found, in one pass over the text.
        """
        text = self.text
        # A few words are found fastest by searching the text for each; many words by
        # looking at every line once.
        if len(found) > 24:
            lines = text[1:-1].split("\n")
            return [i for i, line in enumerate(lines) if not found.isdisjoint(line.split())]
        places: list[int] = []
        for word in found:
            find, size = text.find, len(word)
            at = find(word)
            while at != -1:
                if text[at - 1] in " \n" and text[at + size] in " \n":
                    places.append(at)
                at = find(word, at + size)
        places.sort()
        indices: list[int] = []
        count, line, last = text.count, -1, 0  # the text starts with a newline: line 0's
        for at in places:
            line += count("\n", last, at)
            last = at
            if not indices or indices[-1] != line:
                indices.append(line)
        return indices


def _fields(items: Sequence[Item], notes: Mapping[str, str], ids: bool) -> list[_Field]:
    per_topic: dict[int, str] = {}
    for item in items:
        key = id(item.path[-1])
        if key not in per_topic:
            per_topic[key] = " ".join(t.title for t in item.path)
    fields = [
        _Field("title", [i.link.title for i in items]),
        _Field("section", [per_topic[id(i.path[-1])] for i in items]),
        # The host and path are words worth finding; query and fragment are not.
        _Field("url", [_url_part(i.link.url) for i in items]),
    ]
    if any(i.link.related for i in items):
        fields.append(_Field("related", [related_text(i.link.related) for i in items]))
    if ids:
        fields.append(_Field("id", [i.link.id for i in items]))
    if notes:
        fields.append(_Field("note", [notes.get(i.link.id, "") for i in items]))
    return fields


def related_text(related: Iterable[Related]) -> str:
    """The searchable words of an item's related links: each title, and its URL's host and
    path (not its query or fragment)."""
    return " ".join(f"{r.title} {_url_part(r.url)}" for r in related)


def _url_part(url: str) -> str:
    return url.partition("?")[0].partition("#")[0]


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


def _cached_vocabularies(fields: list[_Field], path: Path, home: Path | None) -> None:
    """Fill each field's vocabulary from the cache, or the cache from the fields."""
    kept = [f for f in fields if f.name in ("title", "section", "url", "id", "related")]
    key = home_cache.digest("\0".join(f.name + f.text for f in kept).encode())
    record = home_cache.read("words", path, key, home=home)
    if record is not None and all(isinstance(record.get(f.name), list) for f in kept):
        for f in kept:
            f.vocabulary = set(record[f.name])
        return
    home_cache.write("words", path, key, {f.name: sorted(f.vocabulary) for f in kept}, home=home)


def score_words(term: str, vocabulary: Iterable[str]) -> dict[str, float]:
    """The words of `vocabulary` that `term` matches, with how well (see match())."""
    pool = vocabulary if isinstance(vocabulary, set | list) else list(vocabulary)
    # Filters that run at C speed first: most words neither hold the term nor are near it.
    out = {w: match(term, w) for w in pool if term in w}
    root = stem(term)
    if root != term:  # other forms of the word: "cache" finds "caching"
        out.update((w, match(term, w)) for w in pool if root in w and w not in out)
    limit = _edits_allowed(term)
    if limit and term.isalpha():
        low, high = len(term) - limit, len(term) + limit
        letters = set(term)
        # Each edit takes at most one of the term's letters away from the word.
        need = len(letters) - limit
        near = [w for w in pool if low <= len(w) <= high and w.isalpha()]
        for w in [w for w in near if len(letters.intersection(w)) >= need and w not in out]:
            if s := match(term, w):
                out[w] = s
    return {w: s for w, s in out.items() if s}


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


def strict_scores(term: str, vocabulary: Sequence[str]) -> dict[str, float]:
    """The words of `vocabulary` (sorted) that are `term` as written or another form of it.

    "llm" finds "llms"; "autoencoder" "autoencoders"; "position" (five letters or more)
    "positional"; never a typo or a word that merely holds it. The words sharing the
    term's stem are found by bisection: a glossary term costs little on any guide.
    """
    out: dict[str, float] = {}
    root = stem(term) if len(term) >= 4 and term.isalpha() else term
    at = bisect_left(vocabulary, root)
    while at < len(vocabulary) and vocabulary[at].startswith(root):
        w = vocabulary[at]
        at += 1
        if w == term:
            out[w] = EXACT
        elif len(term) >= 5 and w.startswith(term):
            out[w] = PREFIX
        elif w == term + "s" or (root != term and w.isalpha() and stem(w) == root):
            out[w] = SAME_STEM
    return out


def _found(
    scores: dict[str, float], fields: list[_Field], where: dict[str, set[int]]
) -> dict[int, float]:
    """Each link holding one of the scored words, with its best weighted score."""
    by_value: dict[float, set[str]] = {}
    for word, value in scores.items():
        by_value.setdefault(value, set()).add(word)
    found: dict[int, float] = {}
    for field in fields:
        for value, group in sorted(by_value.items(), reverse=True):
            present = group & field.vocabulary
            if not present:
                continue
            weighted = value * field.weight
            indices = field.lines_with(present)
            where[field.name].update(indices)
            for index in indices:
                if weighted > found.get(index, 0.0):
                    found[index] = weighted
    return found


def _rank(
    fields: list[_Field], terms: list[tuple[Form, ...]]
) -> tuple[list[tuple[float, int]], dict[str, set[int]], frozenset[str]]:
    """(score, index) of every line matching every term, best first; where; the words hit."""
    everything = set().union(*(f.vocabulary for f in fields))
    best: list[dict[int, float]] = []
    where: dict[str, set[int]] = {f.name: set() for f in fields}
    matched: set[str] = set()
    ordered = sorted(everything) if any(f.strict for forms in terms for f in forms) else []
    for forms in terms:
        found: dict[int, float] = {}
        for form in forms:
            seen: dict[str, set[int]] = {f.name: set() for f in fields}
            per_word = []
            for term in form.words:
                if form.strict:
                    scores = strict_scores(term, ordered)
                else:
                    scores = score_words(term, everything)
                matched.update(scores)
                per_word.append(_found(scores, fields, seen))
            common = set(per_word[0]).intersection(*per_word[1:])
            for index in common:
                value = sum(w[index] for w in per_word) / len(per_word)
                if value > found.get(index, 0.0):
                    found[index] = value
            for name, indices in seen.items():
                where[name].update(indices & common)
        best.append(found)
    common = set(best[0]).intersection(*best[1:])
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
) -> list[Hit]:
    """The links of `items` that match every term of `query`, best first (then guide order).

    A term is a word, or a glossary term in any of its forms (`query_forms`). With `ids`,
    link ids are searched too (ids are made of title words, so `search` leaves them out;
    suggestions for a mistyped id need them). With `cache_as` (the catalogue's path), the
    distinct words of the guide's fields are kept in the cache (of `home`, the call's: None
    for the environment's) for the next search.
    """
    terms = query_forms(query)
    if not terms or not items:
        return []
    fields = _fields(items, notes or {}, ids)
    if cache_as is not None:
        _cached_vocabularies(fields, cache_as, home)
    ranked, where, words_hit = _rank(fields, terms)
    return [
        Hit(items[i], score, words_hit, tuple(f for f in FIELD_WEIGHTS if i in where.get(f, ())))
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
        _Field("title", [p[-1].title for p in empty]),
        _Field("section", [" ".join(t.title for t in p[:-1]) for p in empty]),
    ]
    ranked, where, words_hit = _rank(fields, terms)
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
