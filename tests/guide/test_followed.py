"""guide/followed.py: names, sources, guides.json and the combined catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmdive.errors import LlmdiveError
from llmdive.guide.catalogue import Catalogue, Item, load_catalogue
from llmdive.guide.followed import (
    Followed,
    check_name,
    combine,
    directory_source,
    guides_bytes,
    load_followed,
    narrow,
    parse_followed,
    resolve_source,
)
from llmdive.home.paths import GUIDES_FILE, bundled_guide
from llmdive.model.models import Guide, Link, Topic


def test_names_are_short_slugs_and_the_default_guides_are_reserved() -> None:
    assert check_name("llm-course") == "llm-course"
    for bad in ("default", "llm-deep-dive"):
        with pytest.raises(LlmdiveError, match="reserved for the default guide"):
            check_name(bad)
    for bad in ("", "LLM", "a/b", "../x", "a--b", "-a", "x" * 41, "a b"):
        with pytest.raises(LlmdiveError, match="cannot name a guide"):
            check_name(bad)


def test_sources_owner_repo_a_clone_a_file_a_url(tmp_path: Path) -> None:
    assert (
        resolve_source("mlabonne/llm-course")
        == "https://raw.githubusercontent.com/mlabonne/llm-course/HEAD/README.md"
    )
    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / "README.md").write_text("# x\n")
    assert resolve_source(str(clone)) == str((clone / "README.md").resolve())
    assert resolve_source(str(clone / "README.md")) == str((clone / "README.md").resolve())
    assert resolve_source("https://example.org/list.md") == "https://example.org/list.md"
    with pytest.raises(LlmdiveError, match="a folder without a README.md"):
        resolve_source(str(tmp_path))
    with pytest.raises(LlmdiveError, match="no such file, and not a URL or owner/repo"):
        resolve_source("no/such/thing/here")


def test_the_directory_names_real_repositories() -> None:
    assert directory_source("llm-course") == (
        "https://raw.githubusercontent.com/mlabonne/llm-course/HEAD/README.md"
    )
    assert directory_source("awesome-llm") == (
        "https://raw.githubusercontent.com/Hannibal046/Awesome-LLM/HEAD/README.md"
    )
    assert directory_source("nothing-like-it") is None


def test_guides_json_reads_back_and_a_missing_one_follows_nothing(home: Path) -> None:
    assert load_followed(home) == []
    followed = [Followed("llm-course", "/x/README.md", "2026-01-02T03:04:05Z")]
    (home / GUIDES_FILE).write_bytes(guides_bytes(followed))
    assert load_followed(home) == followed
    assert load_followed(home) == followed  # the second time from the cache


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            '{"version": 1, "guides": [{"name": "../etc", "source": "x", "added": '
            '"2026-01-01T00:00:00Z"}]}',
            "guides[0].name",
        ),
        (
            '{"version": 1, "guides": [{"name": "default", "source": "x", "added": '
            '"2026-01-01T00:00:00Z"}]}',
            "is reserved",
        ),
        (
            '{"version": 1, "guides": [{"name": "a", "source": "x", "added": '
            '"2026-01-01T00:00:00Z", "content": "..."}]}',
            "content",
        ),
        (
            '{"version": 1, "guides": [{"name": "a", "source": "x", "added": '
            '"2026-01-01T00:00:00Z"}, {"name": "a", "source": "y", "added": '
            '"2026-01-01T00:00:00Z"}]}',
            "there twice",
        ),
        ("[1, 2]", "the top level must be an object"),
    ],
)
def test_a_hand_edited_guides_json_is_refused_in_one_line(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / GUIDES_FILE
    with pytest.raises(LlmdiveError) as caught:
        parse_followed(text.encode(), path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: not an llmdive guides list: ")
    assert problem in message
    assert message.endswith("llmdive has left it as it is")


def test_a_newer_guides_json_is_refused_not_misread(tmp_path: Path) -> None:
    with pytest.raises(LlmdiveError, match="written by a newer llmdive .guides format 2"):
        parse_followed(b'{"version": 2, "guides": []}', tmp_path / GUIDES_FILE)


def _guide(*links: tuple[str, str, str]) -> Catalogue:
    """A one-section guide: (topic slug, link id, url) each."""
    topics: dict[str, Topic] = {}
    for slug, link_id, url in links:
        topics.setdefault(slug, Topic(slug, slug.title())).links.append(Link(link_id, "T", url))
    return Catalogue(Guide("G", [Topic("top", "Top", topics=list(topics.values()))]))


def test_combine_qualifies_what_clashes_and_each_item_knows_its_guide() -> None:
    default = load_catalogue(bundled_guide())
    lora = default.by_id["lora-explained"].link
    other = _guide(
        ("attention", "lora-explained", "https://other.example/lora"),
        ("attention", "fresh-one", lora.url),
    )
    combined = combine(default, [("course", other)])
    assert combined.guide_names == ["default", "course"] and combined.several
    assert combined.by_id["lora-explained"].guide == "default"
    assert combined.by_id["lora-explained"].link.url == lora.url
    qualified = combined.by_id["course/lora-explained"]
    assert qualified.guide == "course"
    assert qualified.link.url == "https://other.example/lora"
    assert combined.by_id["fresh-one"].guide == "course"  # no clash: its own id
    # Its topic "attention" clashes with the default guide's slug: qualified too.
    assert [t.slug for _, t in combined.topics if t.slug.startswith("course/")] == [
        "course/attention"
    ]
    # Shared URL across guides: one group, so one reading state.
    assert ["lora-explained", "fresh-one"] in combined.shared_urls
    # A qualified id's prefix names it (not taken for a URL)...
    assert combined.resolve_id("course/lora").link.url == "https://other.example/lora"
    assert combined.resolve_id(lora.url).link.id == "lora-explained"
    # ...and the default guide keeps its ids and order.
    assert [i.link.id for i in combined.items][: len(default.items)] == list(default.by_id)


def test_narrow_keeps_the_ids_of_the_whole() -> None:
    default = load_catalogue(bundled_guide())
    other = _guide(("a", "lora-explained", "https://other.example/lora"))
    combined = combine(default, [("course", other)])
    only = narrow(combined, ["course"])
    assert [i.link.id for i in only.items] == ["course/lora-explained"]
    assert {i.guide for i in only.items} == {"course"}
    assert not only.several
    assert isinstance(only.items[0], Item)
