"""guide/followed.py: names, sources, guides.json and the combined catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmdive.errors import LlmdiveError
from llmdive.guide import followed
from llmdive.guide.catalogue import Catalogue, Item, load_catalogue
from llmdive.guide.followed import (
    Followed,
    check_name,
    combine,
    combined_key,
    directory_source,
    guides_bytes,
    load_followed,
    load_guide,
    narrow,
    parse_followed,
    part_digests,
    resolve_source,
)
from llmdive.home import cache
from llmdive.home.paths import GUIDES_FILE, bundled_guide, cache_dir, followed_toml
from llmdive.model.models import Guide, Link, Topic
from llmdive.workspace import Workspace
from tests.helpers import FIXTURES, Invoke, ok


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


# ---------------------------------------------------------------- the combined catalogue, cached

COURSE = FIXTURES / "lists" / "mlabonne__llm-course.md"
AWESOME = FIXTURES / "lists" / "Hannibal046__Awesome-LLM.md"


def _everything(catalogue: Catalogue) -> object:
    """All a command can see of a combined catalogue: ids, aliases, slugs, origins, guides,
    kinds, shared URL groups, also_in, the headings' texts."""
    items = [
        (
            i.link.id,
            i.link.title,
            i.link.url,
            i.link.difficulty,
            i.link.personal,
            i.link.aliases,
            i.link.related,
            i.guide,
            i.kind,
            [(t.slug, t.title, t.description, t.tip) for t in i.path],
            catalogue.also_in(i),
        )
        for i in catalogue.items
    ]
    topics = [
        (len(p), t.slug, t.title, t.description, t.tip, len(t.links)) for p, t in catalogue.topics
    ]
    return (
        catalogue.path,
        catalogue.guide.title,
        catalogue.guide.version,
        catalogue.origins,
        catalogue.guide_names,
        items,
        topics,
        catalogue.shared_urls,
        catalogue.aliases,
        list(catalogue.normal_urls),
    )


def _computed(home: Path, names: list[str], mine: list[str]) -> Catalogue:
    """What combine gives from freshly loaded parts (no combined cache involved)."""
    default = load_catalogue(bundled_guide(), home=home)
    parts = [(name, load_guide(home, name)) for name in names]
    return combine(default, parts, reserved=mine)


@pytest.fixture
def two_guides(cli: Invoke, home: Path) -> Path:
    # A personal link first, whose id llm-course has too: llm-course's is qualified.
    ok(cli("add", "https://mine.example/eval", "--title", "LLM AutoEval", "--section", "misc"))
    ok(cli("guide", "add", "llm-course", str(COURSE)))
    ok(cli("guide", "add", "awesome-llm", str(AWESOME)))
    return home


def _no_combine(*args: object, **kwargs: object) -> Catalogue:
    raise AssertionError("combined again: the cache entry was not used")


def test_the_cached_combined_catalogue_is_what_combine_gives(
    two_guides: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = two_guides
    mine = ["llm-autoeval"]
    expected = _everything(_computed(home, ["llm-course", "awesome-llm"], mine))
    first = Workspace(home=home).guides_catalogue  # computed, and kept
    assert _everything(first) == expected
    monkeypatch.setattr(followed, "combine", _no_combine)
    cached = Workspace(home=home).guides_catalogue
    assert _everything(cached) == expected
    assert cached.by_id["llm-course/llm-autoeval"].guide == "llm-course"
    assert "llm-autoeval" not in cached.by_id  # the reader's, added with personal links
    assert any(len(g) > 1 for g in cached.shared_urls)
    assert any(cached.also_in(i) for i in cached.items)
    # With the personal links, from the cache too: as computed, then given them.
    ws = Workspace(home=home)
    assert ws.catalogue.by_id["llm-autoeval"].link.personal
    assert ws.catalogue.by_id["llm-course/llm-autoeval"].link.url != "https://mine.example/eval"
    # Narrowed: the ids stay as combined.
    narrowed = Workspace(home=home, guides=["llm-course"]).guides_catalogue
    assert narrowed.guide_names == ["llm-course"]
    assert "llm-course/llm-autoeval" in narrowed.by_id


def _combined_file(home: Path) -> Path:
    found = sorted(cache_dir(home).glob("combined-*.marshal"))
    assert len(found) == 1, found
    return found[0]


def test_changing_a_part_guides_json_or_the_reader_s_ids_combines_again(
    two_guides: Path, cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = two_guides
    assert Workspace(home=home).guides_catalogue.several
    calls: list[int] = []
    real = followed.combine

    def counted_combine(*args: Any, **kwargs: Any) -> Catalogue:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(followed, "combine", counted_combine)
    assert Workspace(home=home).guides_catalogue.several
    assert calls == []
    # A part's file changed (a link renamed by hand): combined again, with the new title.
    part = followed_toml(home, "awesome-llm")
    text = part.read_text(encoding="utf-8")
    link_title = next(
        t
        for i in load_guide(home, "awesome-llm").items
        if text.count(t := f'title = "{i.link.title}"') == 1
    )
    part.write_text(text.replace(link_title, 'title = "Renamed here"'), encoding="utf-8")
    renamed = Workspace(home=home).guides_catalogue
    assert calls == [1]
    assert "Renamed here" in [i.link.title for i in renamed.items]
    assert _everything(renamed) == _everything(
        _computed(home, ["llm-course", "awesome-llm"], ["llm-autoeval"])
    )
    assert Workspace(home=home).guides_catalogue.several
    assert calls == [1]
    # guides.json changed (the order of the guides): combined again, qualified the other way.
    data = json.loads((home / GUIDES_FILE).read_text(encoding="utf-8"))
    data["guides"].reverse()
    (home / GUIDES_FILE).write_text(json.dumps(data), encoding="utf-8")
    swapped = Workspace(home=home).guides_catalogue
    assert calls == [1, 1]
    assert swapped.guide_names == ["default", "awesome-llm", "llm-course"]
    assert _everything(swapped) == _everything(
        _computed(home, ["awesome-llm", "llm-course"], ["llm-autoeval"])
    )
    # The reader's links changed (no personal link any more): llm-course keeps its own id.
    ok(cli("remove", "llm-autoeval"))
    mine_gone = Workspace(home=home).guides_catalogue
    assert calls == [1, 1, 1]
    assert mine_gone.by_id["llm-autoeval"].guide == "llm-course"


def test_a_corrupt_combined_entry_is_rebuilt(two_guides: Path) -> None:
    home = two_guides
    expected = _everything(Workspace(home=home).guides_catalogue)
    entry = _combined_file(home)
    blob = entry.read_bytes()
    entry.write_bytes(blob[: len(blob) // 2])  # cut short
    assert _everything(Workspace(home=home).guides_catalogue) == expected
    assert entry.read_bytes() == blob  # written again, whole
    # An entry that passes its checksum but holds a damaged record: rebuilt as well.
    record = cache.read("combined", home / GUIDES_FILE, _key_of(home), home=home)
    assert record is not None
    record["links"][4] = record["links"][4][:-1]  # a column one short
    cache.write("combined", home / GUIDES_FILE, _key_of(home), record, home=home)
    assert _everything(Workspace(home=home).guides_catalogue) == expected
    assert entry.read_bytes() == blob


def _key_of(home: Path) -> str:
    names = ["llm-course", "awesome-llm"]
    digests = part_digests(home, names)
    assert digests is not None
    default = load_catalogue(bundled_guide(), home=home)
    return combined_key(home, default, digests, ["llm-autoeval"])


def test_items_under_is_each_heading_s_run_of_items() -> None:
    catalogue = load_catalogue(bundled_guide())
    for path, _ in catalogue.topics:
        scanned = [i for i in catalogue.items if i.path[: len(path)] == path]
        assert catalogue.items_under(path) == scanned
    # A heading of another catalogue holds none of these items.
    other = load_catalogue(bundled_guide())
    assert catalogue.items_under(other.topics[0][0]) == []
