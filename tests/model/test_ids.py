from __future__ import annotations

import pytest

from llmdive.model.ids import github_anchor, link_id, slugify, strip_decoration
from llmdive.model.urls import looks_like_url, normalize_url, url_key, url_kind


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Model Exporting (vLLM, Llama.cpp, QLoRA)", "model-exporting-vllm-llama-cpp-qlora"),
        ("LLM.int8()", "llm-int8"),
        ("Quantization Aware Training → 1BIT LLM", "quantization-aware-training-1bit-llm"),
        ("Static/Dynamic Quantization", "static-dynamic-quantization"),
        ("Café Ünïcode", "cafe-unicode"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_decoration_is_stripped_but_inner_symbols_stay() -> None:
    assert strip_decoration("◻️Transformer Architecture") == "Transformer Architecture"
    assert strip_decoration("🟩 Model Architecture") == "Model Architecture"
    assert strip_decoration("A → B") == "A → B"


def test_github_anchors_match_the_guides_table_of_contents() -> None:
    assert github_anchor("🟩 Model Architecture") == "-model-architecture"
    assert github_anchor("◻️Transformer Architecture") == "\ufe0ftransformer-architecture"
    assert github_anchor("Quantization Aware Training → 1BIT LLM") == (
        "quantization-aware-training--1bit-llm"
    )
    assert github_anchor("JAX / XLA JIT compilers") == "jax--xla-jit-compilers"


def test_link_ids_are_short_readable_and_unique() -> None:
    taken: set[str] = set()
    assert link_id("Jay Alamar - Illustrated Transformer", "https://a", taken) == (
        "illustrated-transformer"
    )
    # A one-word rest keeps the author, so the id still says something.
    assert link_id("Umar Jamil: Attention", "https://a", taken) == "umar-jamil-attention"
    assert (
        link_id(
            "LLM Inference Series: 4. KV caching, a deeper look | by Pierre Lienhart | Medium",
            "https://a",
            taken,
        )
        == "llm-inference-series-4"
    )
    assert link_id("Umar Jamil: Attention", "https://b", taken) == "umar-jamil-attention-2"
    assert link_id("!!!", "https://www.example.com/x", taken) == "www-example-com"
    assert len(taken) == 5


def test_normalize_url() -> None:
    assert normalize_url("HTTP://WWW.Example.com/a/?utm_source=x&b=1") == (
        "https://example.com/a?b=1"
    )
    assert normalize_url("https://example.com/a") == normalize_url("https://example.com/a/")
    assert normalize_url("https://example.com/a?b=1") != normalize_url("https://example.com/a?b=2")


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.youtube.com/watch?v=x", "video"),
        ("https://youtu.be/x", "video"),
        ("https://arxiv.org/abs/1706.03762", "paper"),
        ("https://example.com/paper.PDF", "paper"),
        ("https://github.com/karpathy/llm.c/discussions/481", "repo"),
        ("https://huggingface.co/blog/unsloth-trl", "post"),
        ("https://jalammar.github.io/illustrated-transformer/", "post"),
        ("https://medium.com/@a/b", "post"),
        ("https://user@x.com:443?q=1", "post"),
        ("https://developer.nvidia.com/blog/an-introduction", "post"),
        ("https://www.notta.ai/en/blog/how-to-use-whisper", "post"),
        ("https://example.com/article", "article"),
        ("https://example.com", "article"),
    ],
)
def test_url_kind(url: str, kind: str) -> None:
    assert url_kind(url) == kind


@pytest.mark.parametrize(
    "pasted",
    [
        "https://www.youtube.com/watch?v=PXWYUTMt-AU",
        "http://youtube.com/watch?v=PXWYUTMt-AU&t=42s",
        "https://youtu.be/PXWYUTMt-AU?si=Xy12",
        "youtu.be/PXWYUTMt-AU",
        "https://m.youtube.com/watch?feature=shared&v=PXWYUTMt-AU",
        "https://www.youtube.com/shorts/PXWYUTMt-AU",
        "https://www.youtube.com/embed/PXWYUTMt-AU?start=10",
    ],
)
def test_url_key_knows_a_youtube_video_however_it_is_linked(pasted: str) -> None:
    assert url_key(pasted) == "youtube:PXWYUTMt-AU"


def test_url_key_ignores_what_a_browser_adds_and_keeps_what_names_the_page() -> None:
    page = url_key("https://jalammar.github.io/illustrated-transformer/")
    assert page == "jalammar.github.io/illustrated-transformer"
    for same in (
        "http://www.jalammar.github.io/illustrated-transformer",
        "jalammar.github.io/illustrated-transformer/?utm_source=x&utm_medium=social#part-2",
        "  HTTPS://Jalammar.GitHub.io/illustrated-transformer?fbclid=1  ",
    ):
        assert url_key(same) == page
    assert url_key("https://example.com/a?b=2&a=1") == url_key("https://example.com/a?a=1&b=2")
    assert url_key("https://example.com/a?page=2") != url_key("https://example.com/a?page=3")
    assert url_key("https://example.com/A") != url_key("https://example.com/a")
    assert url_key("https://x.com/u/status/17?s=20&t=abc") == "x.com/u/status/17"
    assert url_key("https://youtube.com/@channel") == "youtube.com/@channel"


def test_looks_like_url() -> None:
    assert looks_like_url("youtu.be/x") and looks_like_url("example.com")
    assert not looks_like_url("lora-explained")


def test_links_titled_alike_imported_onto_a_catalogue_are_numbered_in_linear_steps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`guide import README -o existing.toml`: 3,000 links titled alike keep the ids a fresh
    import gives them where free, the others numbered with each number tried once (not
    2, 3, 4 ... for every link)."""
    from llmdive.guide import update
    from llmdive.guide.catalogue import Catalogue
    from llmdive.guide.readme import parse_readme
    from llmdive.model import ids as slugs

    def readme(n: int, host: str) -> str:
        return "### Talks\n" + "".join(f"- [Lecture](https://{host}/{i})\n" for i in range(n))

    old = Catalogue(parse_readme(readme(2, "old.example")).guide)
    tried = [0]
    real = slugs.cut_slug

    def counting(slug: str, limit: int) -> str:
        tried[0] += 1
        assert tried[0] <= 4 * 3_000, "numbering tries every number for every link"
        return real(slug, limit)

    monkeypatch.setattr(slugs, "cut_slug", counting)
    plan = update.plan(readme(3_000, "new.example"), "README", old)
    ids = [i.link.id for i in Catalogue(plan.guide).items]
    # Each link keeps the id the README alone gives it (issue 17: stable ids) unless the
    # catalogue holds it; the two it holds are numbered after the rest.
    assert ids == ["lecture-3001", "lecture-3002", *(f"lecture-{n}" for n in range(3, 3_001))]
