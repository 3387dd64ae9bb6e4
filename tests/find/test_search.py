from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmdive.errors import LlmdiveError
from llmdive.find.search import (
    distance,
    empty_topics,
    fold,
    highlight,
    match,
    query_forms,
    query_terms,
    search,
    stem,
    strict_scores,
    suggest,
    words,
)
from llmdive.guide.catalogue import Catalogue, load_catalogue
from llmdive.guide.validate import parse_guide
from llmdive.home.paths import bundled_guide
from llmdive.model.models import Difficulty, Link
from llmdive.record.personal import PersonalLink, with_personal_links
from llmdive.workspace import Workspace

UMAR = [
    "umar-jamil-attention",
    "llama-explained",
    "llama-2-scratch",
    "umar-jamil-quantization",
    "lora-explained",
    "dpo-explained",
    "rlhf-explained",
]


def ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.item.link.id for h in hits]


def test_fold_drops_case_and_accents() -> None:
    assert fold("Ünïcode Çafé ÉCOLE") == "unicode cafe ecole"
    assert words("LLM.int8() — Straße, naïve") == ["llm", "int8", "strasse", "naive"]


def test_a_url_is_found_by_its_host_and_path_words_not_its_query_or_fragment(
    tmp_path: Path,
) -> None:
    guide = parse_guide(
        b"""version = 1
[[sections]]
slug = "s"
title = "S"
[[sections.links]]
id = "one"
title = "One"
url = "https://www.aimon.ai/posts/deep-dive-into-agentic?utm=campaign#topmost"
[[sections.links]]
id = "two"
title = "Two"
url = "https://github.com/karpathy/llm.c/discussions/481"
""",
        tmp_path / "g.toml",
    )
    items = Catalogue(guide).items
    for word in ("aimon", "posts", "agentic", "deep dive"):
        hits = search(items, word)
        assert (ids(hits), hits[0].fields) == (["one"], ("url",)), word
    for word in ("github", "karpathy", "llm.c", "discussions", "481"):
        hits = search(items, word)
        assert (ids(hits), hits[0].fields) == (["two"], ("url",)), word
    assert ids(search(items, "campaign")) == ids(search(items, "topmost")) == []


def test_query_terms_drop_stop_words_unless_nothing_else_is_left() -> None:
    assert query_terms("The Illustrated  transformer, the") == ["illustrated", "transformer"]
    assert query_terms("the") == ["the"]
    assert query_terms("  ,; ") == []


def test_distance_counts_insertions_deletions_replacements_and_swaps() -> None:
    assert distance("atention", "attention", 2) == 1
    assert distance("quantisation", "quantization", 2) == 1
    assert distance("loar", "lora", 1) == 1  # two neighbours swapped: one edit
    assert distance("kitten", "sitting", 3) == 3
    assert distance("kitten", "sitting", 2) == 3  # over the limit: limit + 1
    assert distance("same", "same", 1) == 0


@given(st.text("abc", max_size=7), st.text("abc", max_size=7))
def test_distance_is_symmetric_and_bounded_by_the_longer_word(a: str, b: str) -> None:
    d = distance(a, b, 10)
    assert d == distance(b, a, 10)
    assert abs(len(a) - len(b)) <= d <= max(len(a), len(b))
    assert (d == 0) == (a == b)


def test_match_prefers_exact_then_prefix_then_close_then_inside() -> None:
    assert match("lora", "lora") > match("quant", "quantization") > match("atention", "attention")
    assert match("atention", "attention") > match("former", "transformer") > 0
    # Short words are never fuzzy, long ones allow two edits, nothing further.
    assert match("llm", "lim") == 0
    assert match("quantisaton", "quantization") > 0
    assert match("quantisatn", "quantization") == 0
    # Numbers name things: gpt3 is not a typo of gpt2.
    assert match("gpt3", "gpt2") == 0
    assert match("4243", "4242") == 0


def test_the_issue_examples_on_the_bundled_guide(catalogue: Catalogue) -> None:
    assert ids(search(catalogue.items, "atention")) == ["umar-jamil-attention"]
    assert ids(search(catalogue.items, "quantisation")) == ["umar-jamil-quantization"]
    assert ids(search(catalogue.items, "umar")) == UMAR  # equal scores keep guide order
    karpathy = search(catalogue.items, "karpathy")
    # The tweet has the name in its title, the llm.c repo only in its URL: the tweet first.
    assert ids(karpathy) == ["tweet-learn-ml-rt", "reproducing-gpt-2-124m"]
    assert [h.fields for h in karpathy] == [("title",), ("url",)]
    assert karpathy[0].score > karpathy[1].score


def test_every_word_must_match_and_case_and_accents_do_not_count(catalogue: Catalogue) -> None:
    assert ids(search(catalogue.items, "UMAR lóra")) == ["lora-explained"]
    assert ids(search(catalogue.items, "umar lora nothing-like-this")) == []
    assert search(catalogue.items, "") == []


def test_section_names_and_url_words_are_searched(catalogue: Catalogue) -> None:
    hits = search(catalogue.items, "sparse autoencoders")
    assert ids(hits) == ["sparse-autoencoders"]
    # "Whisper Models" is a topic; the link's title says "Whisper Model".
    assert ids(search(catalogue.items, "notta")) == ["whisper-model-explained"]
    assert search(catalogue.items, "notta")[0].fields == ("url",)
    assert ids(search(catalogue.items, "Audio")) == ["whisper-model-explained"]


def test_notes_are_searched_and_weigh_more_than_a_url(catalogue: Catalogue) -> None:
    notes = {"dpo-explained": "Compare with the karpathy lecture"}
    hits = search(catalogue.items, "karpathy", notes)
    assert ids(hits) == ["tweet-learn-ml-rt", "dpo-explained", "reproducing-gpt-2-124m"]
    assert hits[1].fields == ("note",)


def test_search_within_a_selection_only(catalogue: Catalogue) -> None:
    finetuning = catalogue.items_under(catalogue.find_topic("finetuning"))
    assert ids(search(finetuning, "umar")) == UMAR[3:]


def test_highlight_marks_the_words_that_matched(catalogue: Catalogue) -> None:
    hit = search(catalogue.items, "atention")[0]
    assert highlight(hit.item.link.title, hit.matched) == [
        ("Umar Jamil: ", False),
        ("Attention", True),
    ]
    assert highlight("Ça Attention!", {"attention", "ca"}) == [
        ("Ça", True),
        (" ", False),
        ("Attention", True),
        ("!", False),
    ]


def test_non_ascii_titles_are_searched_folded(tmp_path: Path) -> None:
    guide = parse_guide(
        b"""version = 1
[[sections]]
slug = "s"
title = "S\xc3\xa9ction"
[[sections.links]]
id = "cafe"
title = "Le caf\xc3\xa9 na\xc3\xafve \xe2\x80\x94 notes"
url = "https://example.org/caf%C3%A9-na%C3%AFve"
[[sections.links]]
id = "other"
title = "Other"
url = "https://example.org/other"
""",
        tmp_path / "g.toml",
    )
    items = Catalogue(guide).items
    assert ids(search(items, "CAFE naive")) == ["cafe"]
    assert ids(search(items, "section")) == ["cafe", "other"]


def test_suggest_uses_ids_titles_and_urls(catalogue: Catalogue) -> None:
    assert suggest(catalogue.items, "loar") == ["lora-explained"]
    assert suggest(catalogue.items, "gpt2") == ["illustrated-gpt2"]
    assert suggest(catalogue.items, "zzzzzz") == []


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("loar", "lora-explained"),
        ("gpt2", "illustrated-gpt2"),
        ("illustratd-transformr", "illustrated-transformer"),
        ("karpaty", "tweet-learn-ml-rt"),
    ],
)
def test_unknown_id_suggestions_use_id_title_and_url(typed: str, meant: str) -> None:
    """Search is the suggester of the catalogue a command works on (the Workspace's), and
    stays it with the reader's own links added."""
    given = load_catalogue(bundled_guide(), suggester=suggest)
    link = Link("mine", "Mine", "https://m.example/", Difficulty.EASY, personal=True)
    mine = PersonalLink(link, "finetuning", "2026-01-01T00:00:00Z")
    with_mine = with_personal_links(load_catalogue(bundled_guide(), suggester=suggest), [mine])
    for catalogue in (given, Workspace().catalogue, with_mine):
        with pytest.raises(LlmdiveError) as exc:
            catalogue.resolve_id(typed)
        assert str(exc.value) == (
            f"no link with id {typed!r} (did you mean: {meant}?); `llmdive list` shows every id"
        )


def test_a_title_with_line_breaks_does_not_shift_the_others(catalogue: Catalogue) -> None:
    items = catalogue.items
    items[0].link.title = "Line one\nline two\u2028zebras"
    try:
        assert ids(search(items, "zebras")) == [items[0].link.id]
        assert ids(search(items, "sparse")) == ["sparse-autoencoders"]
    finally:
        items[0].link.title = "Jay Alamar - Illustrated Transformer"


def test_other_forms_of_a_word_find_each_other(catalogue: Catalogue) -> None:
    assert stem("cache") == stem("caches") == stem("cached") == stem("caching") == "cach"
    assert stem("model") == "model" and stem("uses") == "use" and stem("gas") == "gas"
    kv = "kv caching"
    assert kv in "".join(i.link.title for i in catalogue.items).lower()
    for query in ("cache", "kv cache", "caches", "cached", "caching"):
        titles = [h.item.link.title for h in search(catalogue.items, query)]
        assert any("KV caching" in t for t in titles), query
    assert match("cache", "caching") > 0 and match("caching", "cache") > 0
    # Short words and different words stay apart.
    assert match("use", "using") == 0 and match("cache", "cash") == 0


# ---------------------------------------------------------------- the field's vocabulary


def acronym_guide(tmp_path: Path) -> Catalogue:
    """Links that use the acronyms the bundled guide spells out, and the other way round."""
    links = [
        ("rope-5", "RoPE in 5 minutes"),
        ("fa-paper", "FlashAttention-2: faster attention"),
        ("moe-intro", "Mixture of Experts, explained"),
        ("peft-lib", "PEFT library tour"),
        ("gqa-note", "GQA vs MQA"),
        ("kv", "KV cache sizing"),
        ("euro", "Europe travel"),
        ("fact", "A fact sheet"),
        ("ft", "Fine-tuning recipes"),
    ]
    body = "".join(
        f'[[sections.links]]\nid = "{i}"\ntitle = "{t}"\nurl = "https://x.example/{i}"\n'
        for i, t in links
    )
    text = f'version = 1\n[[sections]]\nslug = "s"\ntitle = "Papers"\n{body}'
    return Catalogue(parse_guide(text.encode(), tmp_path / "g.toml"))


def test_acronyms_find_their_expansions_on_the_bundled_guide(catalogue: Catalogue) -> None:
    for query in ("rope", "RoPE", "rotary position embedding"):
        assert ids(search(catalogue.items, query)) == ["rotary-positional"], query
    assert ids(search(catalogue.items, "reinforcement learning from human feedback")) == [
        "rlhf-explained"
    ]
    assert ids(search(catalogue.items, "direct preference optimisation")) == ["dpo-explained"]
    assert ids(search(catalogue.items, "sae")) == ["sparse-autoencoders"]
    assert ids(search(catalogue.items, "low rank adaptation")) == ["lora-explained"]


def test_expansions_find_their_acronyms(tmp_path: Path) -> None:
    items = acronym_guide(tmp_path).items
    assert ids(search(items, "rotary positional encoding")) == ["rope-5"]
    assert ids(search(items, "flash attention")) == ["fa-paper"]
    assert ids(search(items, "flash attn")) == ["fa-paper"]
    assert ids(search(items, "fa2")) == ["fa-paper"]
    assert ids(search(items, "moe")) == ["moe-intro"]
    assert ids(search(items, "parameter-efficient fine-tuning")) == ["peft-lib"]
    assert ids(search(items, "grouped query attention")) == ["gqa-note"]
    assert ids(search(items, "multi-query attention")) == ["gqa-note"]
    assert ids(search(items, "key value cache")) == ["kv"]
    assert ids(search(items, "finetuning")) == ["ft"]


def test_a_glossary_form_matches_only_as_written_never_as_a_typo(tmp_path: Path) -> None:
    items = acronym_guide(tmp_path).items
    # "rope" typed is forgiven as any word is ("europe" holds it); the glossary's "fa" is
    # not a prefix of "fact", nor "mqa" a typo of anything.
    assert ids(search(items, "rope")) == ["rope-5", "euro"]
    assert "fact" not in ids(search(items, "flash attention"))
    assert strict_scores("fa", ["fa", "fact", "fas"]) == {"fa": 1.0, "fas": 0.8}
    assert strict_scores("position", ["posit", "positional", "positions"]) == {
        "positional": 0.9,
        "positions": 0.9,
    }


def test_query_forms_find_glossary_terms_longest_first() -> None:
    forms = query_forms("flash attn 2 kv cache umar")
    assert [f[0].words for f in forms] == [("flash", "attn", "2"), ("kv", "cache"), ("umar",)]
    assert forms[0][0].strict is False and all(f.strict for f in forms[0][1:])
    assert ("fa2",) in [f.words for f in forms[0]]
    assert len(forms[2]) == 1
    assert query_forms("") == []


def test_every_glossary_line_has_an_acronym_and_another_form() -> None:
    from llmdive.find.glossary import TERMS

    assert 30 <= len(TERMS) <= 80
    firsts = [line.split("|")[0].strip() for line in TERMS]
    assert len(set(firsts)) == len(firsts)
    for line in TERMS:
        forms = [f.strip() for f in line.split("|")]
        assert len(forms) >= 2 and all(forms), line
        assert all(f == f.lower() and query_terms(f) for f in forms), line


def test_empty_topics_that_match_are_found(catalogue: Catalogue) -> None:
    paths = [p for p, _ in catalogue.topics]

    def titles(query: str) -> list[str]:
        return [" › ".join(t.title for t in p) for p in empty_topics(paths, query)[0]]

    assert titles("flash") == ["Engineering › Flash Attention 2"]
    assert titles("flash attn") == ["Engineering › Flash Attention 2"]
    assert titles("fa2") == ["Engineering › Flash Attention 2"]
    assert titles("mixture of experts") == ["Modifications › MoE"]
    assert titles("engineering flash") == ["Engineering › Flash Attention 2"]
    # The empty section, not each of its empty topics; topics with links are not named.
    assert titles("quantization") == ["Quantization"]
    assert titles("rotary") == []
    assert titles("engineering") == []  # its own title matches, but it has links
    assert empty_topics(paths, "") == ([], frozenset())


# ---------------------------------------------------------------- related links


def related_catalogue() -> Catalogue:
    from llmdive.guide.catalogue import load_catalogue
    from tests.helpers import FIXTURES

    return load_catalogue(FIXTURES / "related-guide.toml")


def test_a_related_link_s_title_and_url_words_are_searchable() -> None:
    from llmdive.find.search import related_matches
    from llmdive.model.models import Related

    items = related_catalogue().items
    # Words only a related link holds: its URL's path, its title.
    (hit,) = search(items, "tensor2tensor")
    assert hit.item.link.id == "attention-paper"
    assert hit.fields == ("related",)
    assert related_matches(hit) == [Related("code", "https://github.com/tensorflow/tensor2tensor")]
    (hit,) = search(items, "kilcher walkthrogh")  # a typo forgiven, as in every field
    assert related_matches(hit) == [
        Related("Yannic Kilcher's walkthrough", "https://www.youtube.com/watch?v=iDulhoQ2pro")
    ]
    assert ids(search(items, "slides")) == ["flashattention"]
    # Both items with code, whichever words the item itself has.
    assert ids(search(items, "code")) == ["attention-paper", "flashattention"]


def test_a_related_match_counts_less_than_the_item_s_own_words() -> None:
    from llmdive.find.search import related_matches

    items = related_catalogue().items
    hits = search(items, "attention")
    # FlashAttention's related URLs hold "attention" too; its own title says it already.
    assert ids(hits) == ["attention-paper", "flashattention"]
    assert all(related_matches(h) == [] for h in hits)
    # A word in a related link only scores below the same word in a title.
    (in_title,) = search(items, "illustrated")
    (in_related,) = search(items, "tensor2tensor")
    assert in_related.score < in_title.score


def test_a_guide_without_related_links_searches_as_before(catalogue: Catalogue) -> None:
    hits = search(catalogue.items, "lora")
    assert hits and all("related" not in h.fields for h in hits)


@pytest.mark.parametrize(
    "found",
    [
        {"number"},  # in every line: line by line
        {"number", "part"},
        {"seven"},  # rare: the text searched for it
        {"a", "b", "c", "d", "e", "f", "g", "h", "number"},  # several: the text searched
        {*(str(n) for n in range(0, 400, 13)), "seven"},  # many: line by line
        {"reading", "1", "399"},  # the first word of every line, and the last line's
        {"numb"},  # inside words only: never a match
    ],
)
def test_every_way_of_finding_lines_finds_the_lines_holding_a_word(found: set[str]) -> None:
    from llmdive.find import index as search_mod

    texts = [f"Reading number {n} part {n % 7} {'seven' if n == 77 else ''}" for n in range(400)]
    texts[5] = "number"
    texts[6] = "numbers renumber"
    field = search_mod.Field("title", texts)
    expected = {i for i, t in enumerate(texts) if not found.isdisjoint(t.lower().split())}
    assert set(field.lines_with(found)) == expected


def test_finding_lines_keeps_nothing_per_line() -> None:
    """A search of a big guide keeps no list of its lines, nor of where each starts: they
    were most of its peak memory (issue 18 point 6)."""
    from llmdive.find import index as search_mod

    field = search_mod.Field("title", [f"reading number {n}" for n in range(1000)])
    assert field.lines_with({"number"}) == list(range(1000))
    assert field.lines_with({"7", "77"}) == [7, 77]
    kept = [v for v in vars(field).values() if isinstance(v, list | tuple | set | dict)]
    assert all(len(v) < 1000 for v in kept)
