"""The searchable fields of links, and their words kept in the cache with the links of each.

A field (title, section, url, related, id, note) is one text, a line per link, in folded
words (`Field`). For a catalogue loaded from a file, `load_index` keeps beside it in the
cache, once per version of the file, its fields' distinct words (a `Vocabulary`) and, for
each word, the links whose field holds it (as 32-bit numbers, one run of bytes per field):
a search then reads a few strings and byte runs, matches the query against the words, and
decodes the links of the words it matched only, instead of splitting 100,000 titles.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from llmdive.find.words import Vocabulary, words
from llmdive.home import cache as home_cache

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Catalogue, Item
    from llmdive.model.models import Related

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

# Every ASCII character that is not a letter or digit becomes a space (newlines stay): one
# translate over all titles at once is ten times faster than a regex over each.
_SPACES = str.maketrans(
    {chr(c): " " for c in range(128) if not chr(c).isalnum() and chr(c) != "\n"}
)
_URL_NOISE = frozenset({"http", "https", "www"})


class Field:
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

    def present(self, found: set[str]) -> set[str]:
        """The words of `found` that this field holds."""
        return found & self.vocabulary

    def lines_with(self, found: set[str]) -> Collection[int]:
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


class Mapped:
    """A field of some links only (the few with a note): its lines renumbered as `lines`."""

    def __init__(self, field: Field, lines: Sequence[int]) -> None:
        self.name, self.weight, self._field, self._lines = field.name, field.weight, field, lines

    @property
    def vocabulary(self) -> set[str]:
        return self._field.vocabulary

    def present(self, found: set[str]) -> set[str]:
        return self._field.present(found)

    def lines_with(self, found: set[str]) -> Collection[int]:
        return [self._lines[i] for i in self._field.lines_with(found)]


def item_fields(items: Sequence[Item], notes: Mapping[str, str], ids: bool) -> list[Field]:
    """The searchable fields of `items`, a line per item in their order."""
    per_topic: dict[int, str] = {}
    for item in items:
        key = id(item.path[-1])
        if key not in per_topic:
            per_topic[key] = " ".join(t.title for t in item.path)
    fields = [
        Field("title", [i.link.title for i in items]),
        Field("section", [per_topic[id(i.path[-1])] for i in items]),
        # The host and path are words worth finding; query and fragment are not.
        Field("url", [url_part(i.link.url) for i in items]),
    ]
    if any(i.link.related for i in items):
        fields.append(Field("related", [related_text(i.link.related) for i in items]))
    if ids:
        fields.append(Field("id", [i.link.id for i in items]))
    if notes:
        fields.append(Field("note", [notes.get(i.link.id, "") for i in items]))
    return fields


def related_text(related: Iterable[Related]) -> str:
    """The searchable words of an item's related links: each title, and its URL's host and
    path (not its query or fragment)."""
    return " ".join(f"{r.title} {url_part(r.url)}" for r in related)


def url_part(url: str) -> str:
    return url.partition("?")[0].partition("#")[0]


def cached_vocabularies(fields: list[Field], path: Path, home: Path | None) -> None:
    """Fill each field's vocabulary from the cache, or the cache from the fields."""
    kept = [f for f in fields if f.name in ("title", "section", "url", "id", "related")]
    key = home_cache.digest("\0".join(f.name + f.text for f in kept).encode())
    record = home_cache.read("words", path, key, home=home)
    if record is not None and all(isinstance(record.get(f.name), list) for f in kept):
        for f in kept:
            f.vocabulary = set(record[f.name])
        return
    home_cache.write("words", path, key, {f.name: sorted(f.vocabulary) for f in kept}, home=home)


# ---------------------------------------------------------------- the words of a catalogue

_FORMAT = 1  # of the cache entry (its key): bumped when its shape changes
_NUMBER: Final = "I"  # the array type of a link's or a word's number: 32 bits


class Postings:
    """One field of a catalogue's index: for each word of the vocabulary, the links whose
    field holds it, numbered in the catalogue's order (`runs`: numbers of runs of links
    instead, each run's first link in `runs`, one more for the end)."""

    def __init__(
        self,
        name: str,
        vocabulary: Vocabulary,
        offsets: Sequence[int],
        numbers: Sequence[int],
        runs: Sequence[int] | None,
    ) -> None:
        self.name, self.weight = name, FIELD_WEIGHTS[name]
        self._vocabulary, self._offsets, self._numbers, self._runs = (
            vocabulary,
            offsets,
            numbers,
            runs,
        )

    def _span(self, word: str) -> tuple[int, int]:
        k = self._vocabulary.number(word)
        return (0, 0) if k < 0 else (self._offsets[k], self._offsets[k + 1])

    def present(self, found: set[str]) -> set[str]:
        """The words of `found` that this field holds."""
        return {w for w in found if (span := self._span(w))[1] > span[0]}

    def lines_with(self, found: set[str]) -> Collection[int]:
        """The links whose field holds one of the words `found` (no order promised)."""
        spans = [self._span(w) for w in found]
        runs = self._runs
        if runs is not None:
            out: set[int] = set()
            for start, end in spans:
                for run in self._numbers[start:end]:
                    out.update(range(runs[run], runs[run + 1]))
            return out
        if len(spans) == 1:
            start, end = spans[0]
            return self._numbers[start:end]
        out = set()
        for start, end in spans:
            out.update(self._numbers[start:end])
        return out


class Index:
    """A catalogue's searchable words: the vocabulary of its guide fields, and the links
    of each word by field."""

    def __init__(self, vocabulary: Vocabulary, fields: list[Postings]) -> None:
        self.vocabulary = vocabulary
        self.fields = fields


def load_index(catalogue: Catalogue, path: Path, home: Path | None) -> Index | None:
    """The index of a catalogue loaded from a file (`catalogue.digest`), from the cache of
    `home` (kept under `path`, the catalogue's file), built and kept there on a miss."""
    if not catalogue.digest:
        return None
    items = catalogue.items
    key = f"index{_FORMAT}-{catalogue.digest}"
    record = home_cache.read("postings", path, key, home=home)
    if record is not None:
        try:
            return _from_record(record, len(items))
        except (KeyError, TypeError, ValueError, IndexError):
            pass  # a damaged entry is built again
    record = _record(items)
    home_cache.write("postings", path, key, record, home=home)
    return _from_record(record, len(items))


def _runs(items: Sequence[Item]) -> tuple[list[int], list[str]]:
    """Where each run of links under one heading starts (and the end), and its headings' words."""
    starts: list[int] = []
    texts: list[str] = []
    last = None
    for n, item in enumerate(items):
        if item.path[-1] is not last:
            last = item.path[-1]
            starts.append(n)
            texts.append(" ".join(t.title for t in item.path))
    starts.append(len(items))
    return starts, texts


def _record(items: Sequence[Item]) -> dict[str, Any]:
    """What the cache keeps of a catalogue's fields: the words, and the links of each."""
    runs, sections = _runs(items)
    fields = [
        (Field("title", [i.link.title for i in items]), None),
        (Field("section", sections), runs),
        (Field("url", [url_part(i.link.url) for i in items]), None),
    ]
    if any(i.link.related for i in items):
        fields.append((Field("related", [related_text(i.link.related) for i in items]), None))
    ordered = sorted(set().union(*(f.vocabulary for f, _ in fields)))
    vocabulary = Vocabulary.of(ordered)
    columns = []
    for field, field_runs in fields:
        kept = field.vocabulary
        holding: dict[str, list[int]] = {}
        for n, line in enumerate(field.text[1:-1].split("\n")):
            for word in set(line.split()):
                if word in kept:
                    holding.setdefault(word, []).append(n)
        offsets, numbers = array(_NUMBER, [0]), array(_NUMBER)
        for word in ordered:
            numbers.extend(holding.get(word, ()))
            offsets.append(len(numbers))
        spans = b"" if field_runs is None else array(_NUMBER, field_runs).tobytes()
        columns.append([field.name, offsets.tobytes(), numbers.tobytes(), spans])
    return {
        "size": array(_NUMBER).itemsize,
        "links": len(items),
        "words": vocabulary.text,
        "starts": array(_NUMBER, vocabulary.starts).tobytes(),
        "by_length": vocabulary.by_length,
        "fields": columns,
    }


def _from_record(record: dict[str, Any], links: int) -> Index:
    """The index a cache record holds, its byte runs read in place (not copied)."""
    if record["size"] != array(_NUMBER).itemsize or record["links"] != links:
        raise ValueError("an index of other links")

    def numbers(data: bytes) -> Sequence[int]:
        return memoryview(data).cast(_NUMBER)

    text, starts, by_length = record["words"], numbers(record["starts"]), record["by_length"]
    if not isinstance(text, str) or not isinstance(by_length, dict):
        raise TypeError("not an index")
    vocabulary = Vocabulary(text, starts, by_length)
    fields = []
    for name, offsets, postings, runs in record["fields"]:
        spans = numbers(offsets)
        if len(spans) != len(starts) + 1:
            raise ValueError("an index of other words")
        fields.append(
            Postings(name, vocabulary, spans, numbers(postings), numbers(runs) if runs else None)
        )
    return Index(vocabulary, fields)
