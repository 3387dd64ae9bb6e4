from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from llmdive.find import planner
from llmdive.find.planner import next_links, pick_next, summarize
from llmdive.guide.catalogue import Catalogue, Item
from llmdive.model.models import Guide, Link, Topic
from llmdive.model.vocab import Difficulty, Status


def picked(items: list[Item], states: dict[str, Status]) -> Item:
    item = pick_next(items, states)
    assert item is not None
    return item


def picks(catalogue: Catalogue, states: dict[str, Status]) -> dict[str, str | None]:
    return {
        p.path[-1].title: (p.item.link.id if p.item else None)
        for p in next_links(catalogue, states)
    }


def test_next_starts_with_the_easy_links_of_each_section(catalogue: Catalogue) -> None:
    got = picks(catalogue, {})
    assert got == {
        "Model Architecture": "illustrated-transformer",
        "Agentic LLMs": "agentic-llms-deep-dive",
        "FineTuning": "umar-jamil-quantization",
        "Deployment": "llm-inference",
        "Engineering": "ml-engineering-used",
        "Modifications": "introduction-model",
        "Explainability": "sparse-autoencoders",
        "MultiModal Transformers": "whisper-model-explained",
        "Misc": "tweet-learn-ml-rt",
    }


def test_easiest_first_then_guide_order_and_unrated_counts_as_medium(
    catalogue: Catalogue,
) -> None:
    arch = catalogue.items_under(catalogue.find_topic("model-architecture"))
    states = {"illustrated-transformer": Status.READ, "umar-jamil-attention": Status.SKIPPED}
    # Illustrated GPT2 is the last easy link; it comes before the earlier unrated link.
    assert picked(arch, states).link.id == "illustrated-gpt2"
    states["illustrated-gpt2"] = Status.READ
    # Unrated ranks with medium, and comes first among them in guide order.
    assert picked(arch, states).link.id == "rotary-positional"
    assert picked(arch, states).link.difficulty is Difficulty.UNRATED


def test_a_link_being_read_comes_before_anything_else(catalogue: Catalogue) -> None:
    got = picks(catalogue, {"llama-2-scratch": Status.READING})
    assert got["Model Architecture"] == "llama-2-scratch"


def test_sections_all_read_or_skipped_are_done(catalogue: Catalogue) -> None:
    got = picks(catalogue, {"tweet-learn-ml-rt": Status.SKIPPED})
    assert got["Misc"] is None


def test_next_within_a_topic(catalogue: Catalogue) -> None:
    (pick,) = next_links(catalogue, {}, catalogue.find_topic("lora"))
    assert pick.item is not None
    assert (pick.path[-1].title, pick.item.link.id) == ("LoRA", "lora-explained")


def test_summary_leaves_skipped_links_out_of_totals(catalogue: Catalogue) -> None:
    states = {
        "lora-explained": Status.READ,
        "dpo-explained": Status.SKIPPED,
        "rlhf-explained": Status.READING,
    }
    summary = summarize(catalogue, states)
    assert (summary.overall.read, summary.overall.total) == (1, 28)
    finetuning = dict((s.title, t) for s, t in summary.sections)["FineTuning"]
    assert (finetuning.read, finetuning.reading, finetuning.skipped) == (1, 1, 1)
    assert (finetuning.links, finetuning.total) == (4, 3)
    assert summary.difficulties[Difficulty.MEDIUM].total == 16
    assert list(summary.difficulties) == [
        Difficulty.EASY,
        Difficulty.MEDIUM,
        Difficulty.HARD,
        Difficulty.UNRATED,
    ]


def _naive(
    items: list[Item], states: dict[str, Status], dead: set[str]
) -> tuple[Item | None, list[Item]]:
    """Pick again and again, setting each dead pick aside: what `next` promises."""
    passed: list[Item] = []
    while True:
        item = planner.pick_next(items, states, {i.link.id for i in passed})
        if item is None or item.link.id not in dead:
            return item, passed
        passed.append(item)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_dead_links_are_passed_over_as_picking_again_would(
    data: st.DataObject,
) -> None:
    from llmdive.guide.catalogue import load_catalogue
    from llmdive.home.paths import bundled_guide

    catalogue = load_catalogue(bundled_guide())
    ids = [i.link.id for i in catalogue.items]
    states = {i: data.draw(st.sampled_from(list(Status))) for i in ids}
    dead = set(data.draw(st.lists(st.sampled_from(ids), unique=True)))
    for pick in planner.next_links(catalogue, states, dead=dead):
        items = catalogue.items_under(pick.path)
        item, passed = _naive(items, states, dead)
        assert pick.item is item
        assert list(pick.passed) == passed


def test_reading_order_is_reading_first_then_easiest_unread(catalogue: Catalogue) -> None:
    from llmdive.find.planner import reading_order

    items = catalogue.items_under(catalogue.find_topic("model-architecture"))
    states = {
        "llama-2-scratch": Status.READING,
        "illustrated-transformer": Status.READ,
        "illustrated-gpt2": Status.SKIPPED,
    }
    assert [i.link.id for i in reading_order(items, states)] == [
        "llama-2-scratch",  # being read
        "umar-jamil-attention",  # easy
        "rotary-positional",  # unrated counts as medium, guide order
        "reproducing-gpt-2-124m",
        "llama-explained",
    ]


def test_next_with_a_count_gives_the_following_links_in_reading_order(
    catalogue: Catalogue,
) -> None:
    states = {"dpo-explained": Status.READING, "lora-explained": Status.READ}
    [pick] = next_links(catalogue, states, catalogue.find_topic("finetuning"), count=3)
    assert pick.item is not None and pick.item.link.id == "dpo-explained"
    assert [i.link.id for i in pick.more] == ["umar-jamil-quantization", "rlhf-explained"]
    # The first pick of each section is what it was without a count.
    plain = next_links(catalogue, states)
    counted = next_links(catalogue, states, count=2)
    assert [p.item for p in plain] == [p.item for p in counted]
    assert [len(p.more) for p in counted] == [1, 0, 1, 1, 1, 1, 0, 0, 0]
    # Dead links are never among them.
    [dead] = next_links(
        catalogue, {}, catalogue.find_topic("finetuning"), dead={"lora-explained"}, count=4
    )
    assert [i.link.id for i in dead.more] == ["dpo-explained", "rlhf-explained"]


def test_summarize_within_a_section_counts_its_links_by_topic(catalogue: Catalogue) -> None:
    states = {
        "low-level-technicals": Status.READ,
        "cuda-gpu-mode-lecture": Status.READ,
        "hugging-face-collab-blog": Status.SKIPPED,
    }
    summary = summarize(catalogue, states, catalogue.find_topic("engineering"))
    assert [t.title for t in summary.within or ()] == ["Engineering"]
    assert (summary.overall.read, summary.overall.total) == (2, 6)
    assert [(s.title, t.read, t.total) for s, t in summary.sections] == [
        ("Engineering", 1, 5),  # the section's own links
        ("CuDA", 1, 1),
    ]
    assert list(summary.difficulties) == [Difficulty.MEDIUM]


class _Counted(list[Item]):
    """A section's items that count how many of them a pick looked at."""

    seen = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        for item in super().__iter__():
            self.seen += 1
            yield item


def test_with_nothing_being_read_the_first_easy_unread_link_ends_the_scan() -> None:
    def item(n: int, level: Difficulty) -> Item:
        return Item(Link(f"l{n}", f"T{n}", f"https://x.example/{n}", level), (Topic("s", "S"),))

    levels = [Difficulty.HARD, Difficulty.EASY, Difficulty.EASY, *[Difficulty.MEDIUM] * 50]
    items = _Counted(item(n, level) for n, level in enumerate(levels))
    states = {"l0": Status.READ}
    assert pick_next(items, states, none_reading=True) is items[1]
    assert items.seen == 2  # the scan stopped at the first Easy unread link
    assert pick_next(items, states) is items[1]  # the whole scan picks the same
    # Something being read is picked first, wherever it is: next_links looks for it.
    states["l40"] = Status.READING
    cat = Catalogue(Guide("G", [Topic("s", "S", links=[i.link for i in items])]))
    (pick,) = next_links(cat, states)
    assert pick.item is not None and pick.item.link.id == "l40"
