"""Offers for empty topics, on real data: the LLM Deep Dive, mlabonne/llm-course, Awesome-LLM."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from llmdive.find.offers import (
    LIMIT,
    MAX_BY_DESCRIPTION,
    THRESHOLD,
    Candidate,
    Offer,
    OfferIndex,
    alternatives,
    candidates,
    empty_topics,
    followed_offers,
    heading_offers,
)
from llmdive.guide.importer import parse_readme
from llmdive.guide.validate import parse_guide
from llmdive.home.paths import bundled_guide
from llmdive.model.models import Guide, Link, Topic
from llmdive.model.urls import url_key
from llmdive.model.vocab import Status

LISTS = Path(__file__).parent.parent / "fixtures" / "lists"


@cache
def guides() -> dict[str, Guide]:
    path = bundled_guide()
    return {
        "default": parse_guide(path.read_bytes(), path),
        "llm-course": parse_readme((LISTS / "mlabonne__llm-course.md").read_text()).guide,
        "awesome-llm": parse_readme((LISTS / "Hannibal046__Awesome-LLM.md").read_text()).guide,
    }


@cache
def index() -> OfferIndex:
    return OfferIndex(candidates((n, s) for n, g in guides().items() for s in g.sections))


def offered(title: str) -> list[Offer]:
    """The offers to the Deep Dive's empty topic of that title, asked as toc would."""
    for path in empty_topics(guides()["default"].sections):
        if path[-1].title == title:
            return index().offers(title, [t.title for t in path[:-1]], guide="default")
    raise AssertionError(f"no empty topic {title!r}")


def titles(offers: list[Offer]) -> list[str]:
    return [o.candidate.title for o in offers]


def test_the_deep_dive_has_the_empty_topics_the_issue_names() -> None:
    empty = {p[-1].title for p in empty_topics(guides()["default"].sections)}
    assert len(empty) == 48
    named = {"Attention", "KV Cache", "GPTQ", "GGUF", "Flash Attention 2", "MoE"}
    assert named <= empty


# Each empty topic named by the issue (and a few more), with what a reader would accept:
# every offer's title, its topic in its own guide or that topic's description holds one of
# the words.
EXPECTED = {
    "Attention": ["attention"],
    "GPTQ": ["gptq"],
    "GGUF": ["gguf"],
    "MoE": ["moe", "mixture-of-experts"],
    "ORPO": ["orpo"],
    "Quantization": ["quantization"],
    "RAG": ["rag", "retrieval augmented generation"],
    "Datasets": ["datasets"],
    "Prompting": ["prompt"],
    "Torch Fundamentals": ["pytorch"],
    "Model Exporting (vLLM, Llama.cpp, QLoRA)": ["vllm", "llama.cpp", "qlora"],
    "Inference": ["inference"],
    "Training": ["training"],
    # No link of either list names these in its title; llm-course's "Inference
    # optimization" explains both ("Flash Attention: ...", "Key-value cache: ...").
    "Flash Attention 2": ["inference optimization"],
    "KV Cache": ["inference optimization"],
}


@pytest.mark.parametrize("topic", list(EXPECTED))
def test_empty_topics_get_sensible_offers(topic: str) -> None:
    offers = offered(topic)
    assert offers, topic
    for offer in offers:
        c = offer.candidate
        text = " ".join([c.title, *c.path, c.description]).lower()
        assert any(word in text for word in EXPECTED[topic]), (topic, offer)
        assert offer.score >= THRESHOLD
        assert offer.why


def test_the_best_offers_come_first_with_their_guide() -> None:
    attention = offered("Attention")
    assert titles(attention)[:2] == ["Attention? Attention!", "Attention Is All You Need"]
    assert [o.candidate.guide for o in attention[:2]] == ["llm-course", "awesome-llm"]
    assert attention[0].why == ("attention in title",)
    assert set(titles(offered("GPTQ"))[:2]) == {
        "4-bit Quantization using GPTQ",
        "4-bit LLM Quantization with GPTQ",
    }
    assert titles(offered("GGUF"))[0] == "Quantization with GGUF and llama.cpp"
    assert "Fine-tune Llama 3 with ORPO" in titles(offered("ORPO"))
    moe = titles(offered("MoE"))
    assert "Create MoEs with MergeKit" in moe and len(moe) == LIMIT
    exporting = titles(offered("Model Exporting (vLLM, Llama.cpp, QLoRA)"))
    assert {"vLLM", "llama.cpp", "Fine-tune Llama 2 with QLoRA"} <= set(exporting)


def test_most_empty_topics_get_offers_and_the_rest_none() -> None:
    got = {}
    for path in empty_topics(guides()["default"].sections):
        got[path[-1].title] = index().offers(
            path[-1].title, [t.title for t in path[:-1]], guide="default"
        )
    with_offers = {t for t, o in got.items() if o}
    assert len(with_offers) >= 20
    # Topics that no link of the two lists is about.
    for title in ["Decorators", "Context Managers", "TIES", "DARE", "Diarization", "Loss"]:
        assert got[title] == [], (title, got[title])
    # Headings made only of filler words say nothing about a link.
    assert got["Methodology"] == [] and got["Misc Algorithms"] == []


@pytest.mark.parametrize(
    "topic",
    ["Gardening", "Tax law", "Setup", "Getting Started", "Resources", "Cooking recipes"],
)
def test_unrelated_topics_get_none(topic: str) -> None:
    assert index().offers(topic, guide="default") == []
    assert index().offers(topic, ["Garden", "Home"], guide="default") == []


def test_acronyms_match_both_ways_and_camel_case_splits() -> None:
    # RoPE <-> Rotary Positional Encoding: the Deep Dive's link offered to another guide.
    for name in ["RoPE", "Rotary Position Embedding"]:
        offers = index().offers(name, ["Architecture"], guide="llm-course")
        assert titles(offers) == ["Rotary Positional Encoding Explained"], name
        assert offers[0].candidate.guide == "default"
        assert offers[0].candidate.id == "rotary-positional"
    # FlashAttention <-> "Flash Attention: ..." of llm-course; versions do not count.
    for name in ["FlashAttention", "Flash Attention 2", "FlashAttention-2", "flash attention"]:
        offers = index().offers(name, guide="default")
        assert offers and all("Inference optimization" in o.candidate.path[-1] for o in offers)
    # Mixture-of-Experts in a title answers MoE, and MoE in one answers Mixture of Experts.
    assert "Create MoEs with MergeKit" in titles(index().offers("Mixture of Experts"))
    assert any("Mixture-of-Experts" in t for t in titles(index().offers("MoE")))


def test_never_the_same_url_twice_nor_one_of_the_topics_own_guide() -> None:
    # llm-course lists "Introduction to Quantization" twice, at one URL.
    quantization = offered("Quantization")
    keys = [url_key(o.candidate.url) for o in quantization]
    assert len(keys) == len(set(keys))
    everything = index().offers("Quantization", guide="", limit=20)
    assert len({url_key(o.candidate.url) for o in everything}) == len(everything)
    # A guide of one's own that already holds one of the GPTQ links is not offered it
    # again, even as the other list's copy; and its own links are never offered to it.
    gptq = "https://mlabonne.github.io/blog/posts/4_bit_Quantization_with_GPTQ.html"
    mine = Guide(
        "Mine",
        [Topic("quant", "Quantization", links=[Link("g", "My GPTQ notes", gptq + "/")])],
    )
    both = OfferIndex([*index().candidates, *candidates(("mine", s) for s in mine.sections)])
    offers = both.offers("GPTQ", ["Quantization"], guide="mine")
    assert offers and all(url_key(o.candidate.url) != url_key(gptq) for o in offers)
    assert all(o.candidate.guide != "mine" for o in offers)
    assert any(o.candidate.guide == "mine" for o in both.offers("GPTQ", guide="default"))


def test_at_most_a_few_and_few_found_only_through_a_description() -> None:
    assert len(offered("Attention")) == LIMIT
    assert len(index().offers("Attention", limit=2)) == 2
    for topic in ["Attention", "Tokenization", "KV Cache", "Flash Attention 2"]:
        by_description = [o for o in offered(topic) if all("description" in why for why in o.why)]
        assert len(by_description) <= MAX_BY_DESCRIPTION


def test_title_counts_more_than_topic_and_topic_more_than_description() -> None:
    made = [
        Candidate("Unrelated words", "https://a.example/1", "x", ("Speculative decoding",)),
        Candidate("Speculative decoding explained", "https://a.example/2", "x", ("Misc",)),
        Candidate(
            "Other words",
            "https://a.example/3",
            "x",
            ("Inference",),
            "Speculative decoding: drafts a small model makes.",
        ),
    ]
    ranked = OfferIndex(made).offers("Speculative Decoding", guide="y")
    assert [o.candidate.url[-1] for o in ranked] == ["2", "1", "3"]
    assert ranked[0].score > ranked[1].score > ranked[2].score


def test_a_name_s_words_apart_in_a_link_are_not_enough() -> None:
    made = [Candidate("Vector databases", "https://a.example/v", "x", ("Stores",), "A task: x")]
    assert OfferIndex(made).offers("Task Vectors", guide="y") == []


def test_alternatives_of_a_heading() -> None:
    assert alternatives("Model Exporting (vLLM, Llama.cpp, QLoRA)") == [
        "Model Exporting",
        "vLLM",
        "Llama.cpp",
        "QLoRA",
    ]
    assert alternatives("Static/Dynamic Quantization") == [
        "Static Quantization",
        "Dynamic Quantization",
    ]
    assert alternatives("JAX / XLA JIT compilers") == ["JAX", "XLA JIT compilers"]
    assert alternatives("Quantization Aware Training → 1BIT LLM") == [
        "Quantization Aware Training",
        "1BIT LLM",
    ]
    assert alternatives("KV Cache") == ["KV Cache"]


def test_empty_topics_counts_topics_with_nothing_left_unread() -> None:
    guide = guides()["default"]
    everything = [k.id for _, t in guide.walk() for k in t.links]
    left = set(everything) - {"rotary-positional"}
    names = [" > ".join(t.title for t in p) for p in empty_topics(guide.sections, left)]
    assert "Model Architecture > Transformer Architecture > Positional Encoding" in names
    assert len(names) == 48 + 2  # the read link's topic, and the one above it
    assert len(empty_topics(guide.sections, [])) == sum(1 for _ in guide.walk())


def test_every_word_of_a_name_is_needed_and_llm_alone_says_nothing() -> None:
    made = [
        Candidate("Support Vector Machines", "https://a.example/svm", "x", ("Perl",)),
        Candidate("RLtools", "https://a.example/rl", "x", ("Reinforcement Learning",)),
        Candidate("LLM-RL-Visualized", "https://a.example/llmrl", "x", ("Courses",)),
        Candidate("Large Language Models explained", "https://a.example/llm", "x", ("LLM",)),
    ]
    made_index = OfferIndex(made)
    # "task" is in no link: a page on vectors is not one on task vectors.
    assert made_index.offers("Task Vectors", guide="y") == []
    # "RL in LLM" needs both: an RL library of a general list is not about LLMs.
    assert titles(made_index.offers("RL in LLM", guide="y")) == ["LLM-RL-Visualized"]
    assert made_index.offers("Large Language Models", guide="y") == []
    assert made_index.offers("LLMs", guide="y") == []


def test_words_of_one_family_match_but_not_words_that_merely_start_alike() -> None:
    made = [
        Candidate("Quantize your model", "https://a.example/q", "x", ("Misc",)),
        Candidate("Quantifying capabilities", "https://a.example/f", "x", ("Misc",)),
        Candidate("A tokenizer from scratch", "https://a.example/t", "x", ("Misc",)),
    ]
    made_index = OfferIndex(made)
    assert titles(made_index.offers("Quantization", guide="y")) == ["Quantize your model"]
    assert titles(made_index.offers("Tokenization", guide="y")) == ["A tokenizer from scratch"]


def sections_of(*named: str) -> list[tuple[str, Topic]]:
    return [(name, s) for name in named for s in guides()[name].sections]


def test_followed_offers_for_every_heading_left_with_nothing_to_read() -> None:
    assert followed_offers(sections_of("default"), {}) == {}  # one guide: nothing to offer
    sections = sections_of("default", "llm-course")
    offers = followed_offers(sections, {})
    by_title = {t.title: offers[id(t)] for _, s in sections for _, t in s.walk() if id(t) in offers}
    assert titles(by_title["Attention"])[0] == "Attention? Attention!"
    assert len({url_key(o.candidate.url) for v in offers.values() for o in v}) == sum(
        len(v) for v in offers.values()
    )
    # Everything of a topic read: it is offered links too; one left unread: it is not.
    lora = next(t for _, t in guides()["default"].walk() if t.title == "LoRA")
    assert [k.id for k in lora.links] == ["lora-explained"]
    assert id(lora) not in followed_offers(sections, {})
    done = followed_offers(sections, {"lora-explained": Status.READ})
    assert "LoRA insights" in titles(done[id(lora)])
    assert "LoRA insights" in titles(
        followed_offers(sections, {"lora-explained": Status.SKIPPED})[id(lora)]
    )
    assert id(lora) not in followed_offers(sections, {"lora-explained": Status.READING})


def test_heading_offers_only_when_nothing_is_left_there() -> None:
    sections = sections_of("default", "llm-course", "awesome-llm")
    model = guides()["default"].sections[0]
    attention = next(t for t in model.topics if t.title == "Attention")
    found = heading_offers(sections, (model, attention), {})
    assert titles(found)[:2] == ["Attention? Attention!", "Attention Is All You Need"]
    transformer = model.topics[0]
    assert heading_offers(sections, (model, transformer), {}) == []  # links left to read
    assert heading_offers(sections_of("default"), (model, attention), {}) == []


def test_the_index_is_kept_in_the_cache_for_exactly_its_candidates(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = index().candidates
    where = home / "guide.toml"
    built = OfferIndex.kept(found, where, home)
    expected = built.offers("Attention", guide="default")
    assert titles(expected)[:2] == ["Attention? Attention!", "Attention Is All You Need"]

    def no_build(self: OfferIndex, candidates: object) -> None:
        raise AssertionError("built again")

    monkeypatch.setattr(OfferIndex, "__init__", no_build)
    again = OfferIndex.kept(found, where, home)  # from the cache: nothing is built
    assert again.offers("Attention", guide="default") == expected
    assert again.offers("Gardening", guide="default") == []
    # Other candidates (a title changed) are never answered from the old index.
    changed = [
        Candidate("Changed", c.url, c.guide, c.path) if n == 0 else c for n, c in enumerate(found)
    ]
    with pytest.raises(AssertionError, match="built again"):
        OfferIndex.kept(changed, where, home)


def test_empty_topics_walks_a_section_once_not_below_every_topic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The empty topics of a deep section, found in one pass (issue 18 point 6: `toc` with
    10 guides walked below every topic of each, links x depth)."""
    leaf = Topic("leaf", "Leaf", links=[Link("a", "A", "https://example.com/a")])
    chain = leaf
    for n in range(40):
        chain = Topic(f"t{n}", f"T{n}", topics=[chain, Topic(f"e{n}", f"Empty {n}")])
    calls: list[str] = []
    real = Topic.walk

    def counted(
        self: Topic, path: tuple[Topic, ...] = ()
    ) -> Iterator[tuple[tuple[Topic, ...], Topic]]:
        calls.append(self.slug)
        return real(self, path)

    monkeypatch.setattr(Topic, "walk", counted)
    found = empty_topics([chain])
    assert [p[-1].slug for p in found] == [f"e{n}" for n in range(40)]
    assert [p[-1].slug for p in empty_topics([chain], unread=[])][:3] == ["t39", "t38", "t37"]
    calls.clear()
    empty_topics([chain])
    assert len(calls) <= 2 * 81  # each of the 81 topics walked once (old: ~900 walks)
