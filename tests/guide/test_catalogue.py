from __future__ import annotations

import marshal
import operator
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from llmdive import __version__
from llmdive.cli import completion
from llmdive.errors import LlmdiveError
from llmdive.guide import catalogue as cat_mod
from llmdive.guide.catalogue import Catalogue, Item, load_catalogue
from llmdive.guide.validate import parse_guide
from llmdive.home import cache
from llmdive.home.paths import bundled_guide
from llmdive.model.models import Guide, Related, Topic

GOOD = """\
version = 1
title = "T"

[[sections]]
slug = "one"
title = "One"

[[sections.links]]
id = "first"
title = "First"
url = "https://a.example/1"
difficulty = "easy"

[[sections.topics]]
slug = "sub"
title = "Sub"

[[sections.topics.links]]
id = "second"
title = "Second"
url = "https://a.example/2"
difficulty = "hard"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "g.toml"
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(path: Path) -> list[str]:
    with pytest.raises(LlmdiveError) as info:
        load_catalogue(path)
    return str(info.value).splitlines()


def test_the_bundled_catalogue_validates(catalogue: Catalogue) -> None:
    assert len(catalogue.items) == 29
    assert len(catalogue.guide.sections) == 18
    assert len(set(catalogue.by_id)) == 29


def test_bad_difficulty_names_the_place(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('"hard"', '"spicy"'))
    assert errors_of(path) == [
        f"{path}: sections[0] (One).topics[0] (Sub).links[0] (second).difficulty: "
        "must be one of 'easy', 'medium', 'hard' or 'unrated'"
    ]


def test_missing_title_and_unknown_key(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('title = "First"\n', 'titel = "First"\n'))
    assert errors_of(path) == [
        f"{path}: sections[0] (One).links[0] (first).title: Field required",
        f"{path}: sections[0] (One).links[0] (first).titel: unknown key (a typo?)",
    ]


def test_duplicate_id(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('id = "second"', 'id = "first"'))
    assert errors_of(path) == [
        f"{path}: duplicate link id 'first': One, links[0] and One > Sub, links[0]"
    ]


def with_aliases(first: str, second: str) -> str:
    """GOOD with `aliases = [...]` lines (TOML text) on its two links."""
    return GOOD.replace(
        'difficulty = "easy"\n', f'difficulty = "easy"\naliases = [{first}]\n'
    ).replace('difficulty = "hard"\n', f'difficulty = "hard"\naliases = [{second}]\n')


def test_an_old_id_resolves_exactly_to_its_link(tmp_path: Path) -> None:
    catalogue = load_catalogue(write(tmp_path, with_aliases('"first-long-old-id"', '"old-2"')))
    assert catalogue.resolve_id("first-long-old-id").link.id == "first"
    assert catalogue.resolve_id("OLD-2").link.id == "second"
    assert catalogue.aliases == {"first-long-old-id": "first", "old-2": "second"}
    assert list(catalogue.by_id) == ["first", "second"]  # ids only: what completion offers
    with pytest.raises(LlmdiveError, match="no link with id 'old'"):
        catalogue.resolve_id("old")  # an alias answers exactly, never as a prefix


def test_alias_clashes_are_reported_like_duplicate_ids(tmp_path: Path) -> None:
    path = write(tmp_path, with_aliases('"second"', '"x", "x"'))
    assert errors_of(path) == [
        f"{path}: duplicate alias 'x': One > Sub, links[0] and One > Sub, links[0]",
        f"{path}: alias 'second' of One, links[0] is the id of One > Sub, links[0]",
    ]
    path = write(tmp_path, with_aliases('"old"', '"old"'))
    assert errors_of(path) == [
        f"{path}: duplicate alias 'old': One, links[0] and One > Sub, links[0]"
    ]
    path = write(tmp_path, with_aliases('"first"', '"y"'))
    assert errors_of(path) == [f"{path}: alias 'first' of One, links[0] is its own id"]
    path = write(tmp_path, with_aliases('"Not a slug!"', '"y"'))
    (problem,) = errors_of(path)
    assert problem.startswith(f"{path}: sections[0] (One).links[0] (first).aliases[0]:")


def test_the_bundled_catalogue_ids_are_short_and_old_ones_still_answer(
    catalogue: Catalogue,
) -> None:
    assert max(len(i) for i in catalogue.by_id) <= 24
    assert catalogue.aliases["merging-tokens-accelerate-llm-inference"] == "merging-tokens"
    assert all(len(a) > 24 for a in catalogue.aliases)  # only long ids were replaced
    for alias, link_id in catalogue.aliases.items():
        assert catalogue.resolve_id(alias).link.id == link_id


def test_duplicate_url_within_a_section(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("https://a.example/2", "https://A.example/1/"))
    assert errors_of(path) == [
        f"{path}: duplicate URL https://A.example/1/ in section 'One' (sections[0]): "
        "One, links[0] and One > Sub, links[0]"
    ]


def test_malformed_toml(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('title = "T"', 'title = "T'))
    assert errors_of(path) == [
        f"{path}: not valid TOML: Illegal character '\\n' (at line 2, column 11)"
    ]


def test_not_an_http_url(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("https://a.example/1", "ftp://a.example/1"))
    assert errors_of(path) == [
        f"{path}: sections[0] (One).links[0] (first).url: 'ftp://a.example/1' is not an http(s) URL"
    ]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    assert errors_of(path) == [f"{path}: catalogue not found (check --guide or $LLMDIVE_GUIDE)"]


def test_find_topic_by_slug_title_or_prefix(catalogue: Catalogue) -> None:
    assert catalogue.find_topic("finetuning")[-1].title == "FineTuning"
    assert catalogue.find_topic("FINE")[-1].title == "FineTuning"
    assert catalogue.find_topic("lora")[-1].title == "LoRA"
    assert catalogue.find_topic("Model Architecture")[-1].slug == "model-architecture"
    assert [t.title for t in catalogue.find_topic("rotary")] == [
        "Model Architecture",
        "Transformer Architecture",
        "Positional Encoding",
        "Rotary Positional Encoding",
    ]


def test_find_topic_errors_suggest(catalogue: Catalogue) -> None:
    with pytest.raises(LlmdiveError) as info:
        catalogue.find_topic("finetunning")
    assert str(info.value) == (
        "no section 'finetunning' (did you mean: finetuning?); `llmdive toc` shows every section"
    )
    with pytest.raises(LlmdiveError, match="section 'm' is ambiguous: it matches "):
        catalogue.find_topic("m")


def test_items_under_a_section_include_its_topics(catalogue: Catalogue) -> None:
    items = catalogue.items_under(catalogue.find_topic("model-architecture"))
    assert [i.link.id for i in items][:3] == [
        "illustrated-transformer",
        "umar-jamil-attention",
        "rotary-positional",
    ]
    assert len(items) == 7


def test_resolve_id_prefix_ambiguity_and_suggestions(catalogue: Catalogue) -> None:
    assert catalogue.resolve_id("lora").link.id == "lora-explained"
    assert catalogue.resolve_id("LORA-EXPLAINED").link.id == "lora-explained"
    with pytest.raises(LlmdiveError) as info:
        catalogue.resolve_id("illustrated")
    assert str(info.value) == (
        "id 'illustrated' is ambiguous: it starts illustrated-transformer, illustrated-gpt2"
    )
    with pytest.raises(LlmdiveError) as info:
        catalogue.resolve_id("lora-explaned")
    assert str(info.value) == (
        "no link with id 'lora-explaned' (did you mean: lora-explained?); "
        "`llmdive list` shows every id"
    )


# ---------------------------------------------------------------- the cache


def cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache").glob("catalogue-*.marshal"))


def test_cache_is_written_and_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, GOOD)
    first = load_catalogue(path)
    assert len(cache_files(tmp_path)) == 1

    def no_parse(*args: object) -> None:
        raise AssertionError("parsed although the cache matches")

    monkeypatch.setattr(cat_mod, "parse_guide", no_parse)
    assert load_catalogue(path).guide == first.guide


def test_stale_cache_is_never_trusted(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    load_catalogue(path)
    # Same size and the same mtime: only the content changed.
    stat = path.stat()
    path.write_text(GOOD.replace('"First"', '"Fixed"'), encoding="utf-8")
    import os

    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert load_catalogue(path).by_id["first"].link.title == "Fixed"


def test_corrupt_or_foreign_cache_is_rebuilt(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    load_catalogue(path)
    (cache,) = cache_files(tmp_path)
    for junk in (b"", b"\x00garbage", marshal.dumps([1, 2, 3])):
        cache.write_bytes(junk)
        assert load_catalogue(path).by_id["second"].link.title == "Second"
    # A record whose bytes no longer match their checksum is not trusted, whatever it says.
    blob = cache.read_bytes()
    head, payload = blob[:46], blob[46:]
    record = marshal.loads(payload)
    ids, titles, urls, levels, kinds, normal = record["value"]["links"]  # the cache's columns
    levels[0] = "spicy"
    titles[0] = 5
    cache.write_bytes(head + marshal.dumps(record))
    assert load_catalogue(path).by_id["first"].link.difficulty.value == "easy"
    assert load_catalogue(path).by_id["first"].link.title == "First"


def test_an_invalid_catalogue_is_never_cached(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('"hard"', '"spicy"'))
    with pytest.raises(LlmdiveError):
        load_catalogue(path)
    assert cache_files(tmp_path) == []
    with pytest.raises(LlmdiveError):
        load_catalogue(path)


def test_unwritable_cache_dir_only_costs_speed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache dir should be")
    monkeypatch.setenv("LLMDIVE_CACHE_DIR", str(blocker / "cache"))
    assert len(load_catalogue(write(tmp_path, GOOD)).items) == 2


def test_completion_names_come_from_the_cache_or_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    expected = (["first", "second"], [("one", "One"), ("sub", "Sub")])
    assert completion.names(path) == expected  # no cache yet: parsed
    assert len(cache_files(tmp_path)) == 1
    assert completion.names(path) == expected  # from the cache
    assert completion.ids(path, "s") == ["second"]
    assert completion.sections(path, "O") == ["one"]
    assert completion.names(tmp_path / "missing.toml") == ([], [])
    broken = write(tmp_path, GOOD.replace('"hard"', '"spicy"'))
    assert completion.names(broken) == ([], [])


def test_dump_toml_round_trips(catalogue: Catalogue) -> None:
    text = cat_mod.dump_toml(catalogue.guide)
    assert parse_guide(text.encode(), bundled_guide()) == catalogue.guide


@pytest.mark.parametrize(
    ("pasted", "link_id"),
    [
        ("https://www.youtube.com/watch?v=PXWYUTMt-AU", "lora-explained"),
        ("youtu.be/PXWYUTMt-AU?si=share", "lora-explained"),
        ("https://youtube.com/watch?v=PXWYUTMt-AU&t=312s", "lora-explained"),
        # Stored with a stray '&': https://www.youtube.com/watch?v=bCz4OMemCcA&
        ("https://youtu.be/bCz4OMemCcA", "umar-jamil-attention"),
        ("http://jalammar.github.io/illustrated-transformer", "illustrated-transformer"),
        ("https://www.jalammar.github.io/illustrated-gpt2/?utm_source=news", "illustrated-gpt2"),
        ("https://x.com/youraimarketer/status/1778992208697258152?s=46&t=aBc", "tweet-learn-ml-rt"),
    ],
)
def test_resolve_id_takes_a_link_url_as_copied_from_a_browser(
    catalogue: Catalogue, pasted: str, link_id: str
) -> None:
    assert catalogue.resolve_id(pasted).link.id == link_id


def test_resolve_id_unknown_url_and_empty_id_are_clear_errors(catalogue: Catalogue) -> None:
    with pytest.raises(LlmdiveError) as exc:
        catalogue.resolve_id("https://example.com/not-in-the-guide")
    assert str(exc.value) == (
        "no link with the URL 'https://example.com/not-in-the-guide'; `llmdive search WORDS` "
        "finds links by their words, `llmdive add URL` adds one of your own"
    )
    for empty in ("", "   "):
        with pytest.raises(LlmdiveError) as exc:
            catalogue.resolve_id(empty)
        assert str(exc.value) == (
            "no id given: name a link by its id, the start of its id, or its URL "
            "(`llmdive list` shows every id)"
        )


def test_a_mistyped_id_is_answered_by_the_suggester_the_catalogue_was_given(
    catalogue: Catalogue,
) -> None:
    """The catalogue takes its suggester from above (find/ ranks): given none, the ids most
    like the query; given one, what it names, and the ids most like it only when it names none."""
    asked: list[str] = []

    def suggester(items: Sequence[Item], query: str) -> list[str]:
        asked.append(query)
        assert [i.link.id for i in items] == list(catalogue.by_id)
        return ["dpo-explained"] if query == "rank" else []

    assert catalogue.suggester is None
    assert catalogue.closest_ids("lora-explaned") == ["lora-explained"]
    assert catalogue.closest_ids("karpaty") == []  # its URL's words need search
    given = load_catalogue(bundled_guide(), suggester=suggester)
    with pytest.raises(LlmdiveError) as exc:
        given.resolve_id("rank")
    assert str(exc.value) == (
        "no link with id 'rank' (did you mean: dpo-explained?); `llmdive list` shows every id"
    )
    assert given.closest_ids("lora-explaned") == ["lora-explained"]
    assert asked == ["rank", "lora-explaned"]


# ---------------------------------------------------------------- related links

RELATED = """
[[sections.topics.links.related]]
title = "code"
url = "https://github.com/a/b"

[[sections.topics.links.related]]
title = "[pdf]"
url = "https://a.example/2.pdf"
"""


def test_related_links_load_and_are_written_back(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + RELATED)
    guide = load_catalogue(path).guide
    second = guide.sections[0].topics[0].links[0]
    assert second.related == (
        Related("code", "https://github.com/a/b"),
        Related("[pdf]", "https://a.example/2.pdf"),
    )
    assert guide.sections[0].links[0].related == ()
    text = cat_mod.dump_toml(guide)
    assert text.count("related = [") == 1  # only the link that has some
    assert '{ title = "code", url = "https://github.com/a/b" }' in text
    assert parse_guide(text.encode(), path) == guide


def test_the_bundled_toml_has_no_related_key(catalogue: Catalogue) -> None:
    text = cat_mod.dump_toml(catalogue.guide)
    assert "related" not in text
    assert text == bundled_guide().read_text(encoding="utf-8")


def test_related_links_come_back_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, GOOD + RELATED)
    first = load_catalogue(path)
    monkeypatch.setattr(cat_mod, "parse_guide", lambda *a: pytest.fail("parsed, not cached"))
    again = load_catalogue(path)
    assert again.by_id["second"].link.related == first.by_id["second"].link.related
    assert len(again.by_id["second"].link.related) == 2
    # Only a link that has related links carries them: 10,000 links, no 10,000 empty lists.
    record = cache.read("catalogue", path, cache.digest(path.read_bytes()), home=None)
    assert record is not None
    assert record["links"][0] == ["first", "second"]
    assert list(record["extras"]) == [1]
    assert len(record["extras"][1][2]) == 2


def test_a_cache_of_the_format_before_related_links_is_not_read(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + RELATED)
    data = path.read_bytes()
    old_key = (cache._FORMAT - 1, __version__, cache.digest(data))
    record = cat_mod._record(load_catalogue(path))
    # A cache of another format is never read, even one that would load: here, without the
    # related links.
    stripped = marshal.loads(marshal.dumps(record))
    stripped["extras"] = {}
    payload = marshal.dumps({"key": old_key, "value": stripped})
    (entry,) = cache_files(tmp_path)
    entry.write_bytes(cache._MAGIC + cache.digest(payload).encode().ljust(32) + payload)
    assert len(load_catalogue(path).by_id["second"].link.related) == 2


@pytest.mark.parametrize(
    ("related", "message"),
    [
        (
            'title = "code"\nurl = "javascript:alert(1)"',
            "sections[0] (One).topics[0] (Sub).links[0] (second).related[0] (code).url: "
            "'javascript:alert(1)' is not an http(s) URL",
        ),
        (
            'title = "code"\nurl = "https://u:p@a.example/"',
            "related[0] (code).url: 'https://u:p@a.example/' holds a user name or password",
        ),
        (
            'title = " "\nurl = "https://a.example/c"',
            ".title: String should have at least 1 character",
        ),
        (
            f'title = "{"x" * 201}"\nurl = "https://a.example/c"',
            ".title: String should have at most 200 characters",
        ),
        (
            'title = "code"\nurl = "https://a.example/c"\nstars = 5',
            "related[0] (code).stars: unknown key",
        ),
        ('url = "https://a.example/c"', "related[0].title: Field required"),
    ],
)
def test_a_bad_related_link_is_refused_at_load(tmp_path: Path, related: str, message: str) -> None:
    path = write(tmp_path, GOOD + "\n[[sections.topics.links.related]]\n" + related + "\n")
    (line,) = errors_of(path)
    assert line.startswith(f"{path}: ")
    assert message in line


def test_too_many_related_links_are_refused(tmp_path: Path) -> None:
    one = '\n[[sections.topics.links.related]]\ntitle = "r"\nurl = "https://a.example/r"\n'
    assert len(load_catalogue(write(tmp_path, GOOD + one * 32)).items) == 2
    (line,) = errors_of(write(tmp_path, GOOD + one * 33))
    assert "links[0] (second).related: List should have at most 32 items" in line


def test_a_catalogue_says_which_guide_it_is_in_its_header(tmp_path: Path) -> None:
    guide = load_catalogue(write(tmp_path, GOOD)).guide
    text = cat_mod.dump_toml(replace(guide, title="Awesome  Lists\tof Papers"))
    assert text.startswith("# Awesome Lists of Papers as an llmdive catalogue, generated by")
    assert "LLM Deep Dive" not in text
    # The bundled guide's header is the one it has always had (data/guide.toml unchanged).
    bundled = bundled_guide().read_text(encoding="utf-8")
    assert bundled.startswith("# The LLM Deep Dive as an llmdive catalogue")


DEEP = """\
version = 1
title = "Deep"

[[sections]]
slug = "one"
title = "One"
description = "About one."
tip = "Start here."

[[sections.topics]]
slug = "empty"
title = "Empty"

[[sections.topics.topics]]
slug = "deeper"
title = "Deeper"

[[sections.topics.topics.links]]
id = "video"
title = "A talk"
url = "https://www.youtube.com/watch?v=x"
difficulty = "unrated"
aliases = ["old-video"]

[[sections.topics]]
slug = "after"
title = "After"

[[sections.topics.links]]
id = "paper"
title = "A paper"
url = "https://arxiv.org/abs/1"
difficulty = "medium"
related = [{ title = "code", url = "https://github.com/x/y" }]

[[sections]]
slug = "two"
title = "Two"

[[sections.links]]
id = "post"
title = "A post"
url = "https://a.example/blog/1"
difficulty = "hard"
"""


@pytest.mark.parametrize("text", [GOOD, GOOD + RELATED, DEEP, "bundled"])
def test_the_cache_by_column_gives_back_what_a_parse_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    path = bundled_guide() if text == "bundled" else write(tmp_path, text)
    parsed = load_catalogue(path)
    monkeypatch.setattr(cat_mod, "parse_guide", lambda *a: pytest.fail("parsed, not cached"))
    cached = load_catalogue(path)
    assert cached.guide == parsed.guide
    assert cached.shared_urls == parsed.shared_urls
    assert cached.aliases == parsed.aliases
    assert [i.link for i in cached.items] == [i.link for i in parsed.items]
    assert [i.kind for i in cached.items] == [i.kind for i in parsed.items]
    assert list(cached.normal_urls) == list(parsed.normal_urls)
    assert cat_mod.shared_groups([cached]) == cat_mod.shared_url_groups(parsed.guide)
    # Each item's path is made of the guide's own headings, from its section down.
    walked = {id(topic): p for p, topic in cached.guide.walk()}
    for item in cached.items:
        assert item.link in item.path[-1].links
        assert all(map(operator.is_, item.path, walked[id(item.path[-1])]))
    last = parsed.topics[-1][1].slug
    assert cached.find_topic(last)[-1].slug == last


def test_a_cache_whose_columns_do_not_line_up_is_rebuilt(tmp_path: Path) -> None:
    path = write(tmp_path, DEEP)
    record = cat_mod._record(load_catalogue(path))
    record["topics"][1][-1] += 1  # the last heading claims a link more than there are
    cache.write("catalogue", path, cache.digest(path.read_bytes()), record, home=None)
    assert [i.link.id for i in load_catalogue(path).items] == ["video", "paper", "post"]


def test_groups_of_shared_urls_across_catalogues_are_those_of_one_holding_them_all(
    tmp_path: Path,
) -> None:
    one = write(tmp_path, DEEP)
    other = tmp_path / "other.toml"
    other.write_text(
        DEEP.replace('id = "', 'id = "x-').replace(
            "https://a.example/blog/1", "https://b.example/"
        ),
        encoding="utf-8",
    )
    first, second = load_catalogue(one), load_catalogue(other)
    load_catalogue(other)  # from the cache: its normalised URLs from the cache's column
    both = Guide("Both", [*first.guide.sections, *load_catalogue(other).guide.sections])
    expected = cat_mod.shared_url_groups(both)
    assert expected == [["video", "x-video"], ["paper", "x-paper"]]
    assert cat_mod.shared_groups([first, load_catalogue(other)]) == expected
    assert cat_mod.shared_groups([first, second]) == expected


def test_items_under_every_heading_scans_the_items_once_not_per_call(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`next` asks for the items of each finished section: from the second call on, each
    is found in an index, not by a scan of every item (issue 18 point 6)."""
    paths = [p for p, _ in catalogue.guide.walk()]
    scanned = [[i for i in catalogue.items if cat_mod._within(i.path, p)] for p in paths]
    fresh_cat = Catalogue(catalogue.guide)
    expected = [[i.link.id for i in items] for items in scanned]
    assert [[i.link.id for i in fresh_cat.items_under(p)] for p in paths[:1]] == expected[:1]
    calls: list[object] = []
    real = cat_mod._within

    def counted(path: tuple[Topic, ...], ancestor: tuple[Topic, ...]) -> bool:
        calls.append(path)
        return real(path, ancestor)

    monkeypatch.setattr(cat_mod, "_within", counted)
    got = [[i.link.id for i in fresh_cat.items_under(p)] for p in paths]
    assert got == expected
    assert calls == []
    # A copy to change, never the index itself.
    fresh_cat.items_under(paths[0]).clear()
    assert [i.link.id for i in fresh_cat.items_under(paths[0])] == expected[0]
