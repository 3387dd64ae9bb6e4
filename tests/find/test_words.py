"""A vocabulary scanned as one sorted text (find/words.py: Vocabulary) finds exactly the
words, and the scores, a walk over the same words as a set finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from llmdive.find.words import Vocabulary, score_words, stem, strict_scores

# Words as fields hold them: folded letters and digits (a few accented and non-Latin ones).
letters = st.sampled_from(list("aeinorstlcmpdu") + ["é", "ß", "л", "中"])
word = st.text(alphabet=st.one_of(letters, st.sampled_from("0123456789")), min_size=1, max_size=12)
vocabularies = st.sets(word, max_size=120)


@settings(max_examples=300)
@given(vocabularies, word)
def test_a_vocabulary_scores_every_word_a_set_of_them_does(found: set[str], term: str) -> None:
    # Terms taken from the vocabulary too (its words, their starts, stems and typos).
    vocabulary = Vocabulary.of(found)
    for t in {term, *list(found)[:5], *(w[:3] for w in list(found)[:5])}:
        assert score_words(t, vocabulary) == score_words(t, found), t
        assert strict_scores(t, vocabulary) == strict_scores(t, sorted(found)), t


@given(vocabularies)
def test_each_word_has_its_number_in_order_and_no_other_word_has_one(found: set[str]) -> None:
    vocabulary = Vocabulary.of(found)
    ordered = sorted(found)
    assert len(vocabulary) == len(ordered)
    assert [vocabulary.number(w) for w in ordered] == list(range(len(ordered)))
    assert vocabulary.number("not a word") == -1  # words hold no space
    # Words found by a scan are numbered by it.
    for w in ordered[:5]:
        fresh = Vocabulary.of(found)
        assert w in fresh.containing(w) and fresh.numbers[w] == ordered.index(w)


def test_a_typo_s_candidates_are_the_words_of_letters_of_a_near_length() -> None:
    vocabulary = Vocabulary.of(["attention", "atention", "attentions", "a1tention", "at"])
    assert vocabulary.sized(8, 10) == ["atention", "attention", "attentions"]
    assert score_words("atention", vocabulary) == {
        "atention": 1.0,
        "attention": 0.8,
        "attentions": 0.65,
    }
    assert vocabulary.starting("atten") == ["attention", "attentions"]
    assert vocabulary.containing("ention") == ["a1tention", "atention", "attention", "attentions"]
    assert stem("attentions") == "attention"
