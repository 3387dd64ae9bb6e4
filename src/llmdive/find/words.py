"""Words as search sees them, and how one query word matches the words of a vocabulary.

A text is folded (case and accents dropped) and cut into words of letters and digits. A
query word matches a field word exactly, as its start, inside it (three letters or more),
within a small edit distance (one edit from four letters, two from eight; a swap of two
neighbours is one edit; words with digits only match as written) or as another form of
the same word (`stem`). A vocabulary is scanned for those either as a set of words or, at
scale, as `Vocabulary`: its words one a line of one sorted text, scanned by the regular
expression engine instead of word by word in Python, the candidates for a typo kept apart
by length.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"[^\W_]+")
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


def edits_allowed(term: str) -> int:
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
    limit = edits_allowed(term)
    if not limit or abs(len(word) - len(term)) > limit or not (term + word).isalpha():
        return 0.0
    # Each edit changes the set of letters by at most two: a cheap test before the table.
    if len(set(term).symmetric_difference(word)) > 2 * limit:
        return 0.0
    edits = distance(term, word, limit)
    return 0.0 if edits > limit else ONE_EDIT if edits == 1 else TWO_EDITS


class Vocabulary:
    """Distinct words as one sorted text, a word a line, numbered in that order.

    `containing`, `starting` and `sized` find their words with the regular expression
    engine or a split, never a Python loop over every word: at 100,000 links a guide has
    about as many distinct words. `numbers` keeps the number of each word found so far.
    """

    __slots__ = ("by_length", "numbers", "starts", "text")

    def __init__(self, text: str, starts: Sequence[int], by_length: dict[int, str]) -> None:
        self.text = text  # "\nword\nword\n"
        self.starts = starts  # where each word starts in `text`
        self.by_length = by_length  # the words of letters only, by length, "\n" between
        self.numbers: dict[str, int] = {}

    @classmethod
    def of(cls, found: Iterable[str]) -> Vocabulary:
        """The vocabulary of these words (each without white space)."""
        ordered = sorted(set(found))
        starts = array("I")
        at = 1
        for word in ordered:
            starts.append(at)
            at += len(word) + 1
        lengths: dict[int, list[str]] = {}
        for word in ordered:
            if word.isalpha():
                lengths.setdefault(len(word), []).append(word)
        by_length = {size: "\n".join(group) for size, group in lengths.items()}
        return cls("\n" + "".join(w + "\n" for w in ordered), starts, by_length)

    def __len__(self) -> int:
        return len(self.starts)

    def _found(self, part: str) -> list[str]:
        """The words holding `part` (which holds no white space but maybe a newline first)."""
        text, starts, numbers = self.text, self.starts, self.numbers
        out: list[str] = []
        end = 0  # the end of the last word found: a word holding `part` twice is found once
        for m in re.finditer(re.escape(part), text):
            if m.start() < end:
                continue
            start = text.rfind("\n", 0, m.start() + 1 if part[0] == "\n" else m.start()) + 1
            end = text.index("\n", m.end())
            word = text[start:end]
            numbers[word] = bisect_right(starts, start) - 1
            out.append(word)
        return out

    def containing(self, part: str) -> list[str]:
        """The words holding `part`, in order."""
        return self._found(part)

    def starting(self, prefix: str) -> list[str]:
        """The words starting with `prefix`, in order."""
        return self._found("\n" + prefix)

    def sized(self, low: int, high: int) -> list[str]:
        """The words of letters only from `low` to `high` letters long."""
        out: list[str] = []
        for size in range(max(low, 1), high + 1):
            if size in self.by_length:
                out += self.by_length[size].split("\n")
        return out

    def number(self, word: str) -> int:
        """The number of a word of the vocabulary; -1 for any other."""
        found = self.numbers.get(word)
        if found is None:
            at = self.text.find(f"\n{word}\n")
            found = -1 if at < 0 else bisect_left(self.starts, at + 1)
            self.numbers[word] = found
        return found


def score_words(term: str, vocabulary: Iterable[str] | Vocabulary) -> dict[str, float]:
    """The words of `vocabulary` that `term` matches, with how well (see match())."""
    if isinstance(vocabulary, Vocabulary):
        return _score_vocabulary(term, vocabulary)
    pool = vocabulary if isinstance(vocabulary, set | list) else list(vocabulary)
    # Filters that run at C speed first: most words neither hold the term nor are near it.
    out = {w: match(term, w) for w in pool if term in w}
    root = stem(term)
    if root != term:  # other forms of the word: "cache" finds "caching"
        out.update((w, match(term, w)) for w in pool if root in w and w not in out)
    limit = edits_allowed(term)
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


def _score_vocabulary(term: str, vocabulary: Vocabulary) -> dict[str, float]:
    """score_words over a Vocabulary: the same words, found without walking it all."""
    # A term of one or two letters matches only as a word's start (match: no inside, no
    # typo, no stem under three letters).
    pool = vocabulary.starting(term) if len(term) < 3 else vocabulary.containing(term)
    out = {w: match(term, w) for w in pool}
    root = stem(term)
    if root != term:
        out.update((w, match(term, w)) for w in vocabulary.containing(root) if w not in out)
    limit = edits_allowed(term)
    if limit and term.isalpha():
        letters = set(term)
        need = len(letters) - limit
        near = vocabulary.sized(len(term) - limit, len(term) + limit)
        for w in [w for w in near if len(letters.intersection(w)) >= need and w not in out]:
            if s := match(term, w):
                out[w] = s
    return {w: s for w, s in out.items() if s}


def strict_scores(term: str, vocabulary: Sequence[str] | Vocabulary) -> dict[str, float]:
    """The words of `vocabulary` (sorted) that are `term` as written or another form of it.

    "llm" finds "llms"; "autoencoder" "autoencoders"; "position" (five letters or more)
    "positional"; never a typo or a word that merely holds it. The words sharing the
    term's stem are found by bisection: a glossary term costs little on any guide.
    """
    root = stem(term) if len(term) >= 4 and term.isalpha() else term
    if isinstance(vocabulary, Vocabulary):
        candidates: Iterable[str] = vocabulary.starting(root)
    else:
        candidates = _starting(vocabulary, root)
    out: dict[str, float] = {}
    for w in candidates:
        if w == term:
            out[w] = EXACT
        elif len(term) >= 5 and w.startswith(term):
            out[w] = PREFIX
        elif w == term + "s" or (root != term and w.isalpha() and stem(w) == root):
            out[w] = SAME_STEM
    return out


def _starting(vocabulary: Sequence[str], root: str) -> Iterable[str]:
    at = bisect_left(vocabulary, root)
    while at < len(vocabulary) and vocabulary[at].startswith(root):
        yield vocabulary[at]
        at += 1
