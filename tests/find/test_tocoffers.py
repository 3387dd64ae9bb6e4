"""find/tocoffers.py: toc's offers, kept in the cache, are what followed_offers gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmdive.find import tocoffers
from llmdive.find.offers import Offer, followed_offers
from llmdive.home.paths import cache_dir
from llmdive.workspace import Workspace
from tests.helpers import FIXTURES, Invoke, ok

LISTS = FIXTURES / "lists"


@pytest.fixture
def two_lists(cli: Invoke, home: Path) -> Path:
    ok(cli("guide", "add", "llm-course", str(LISTS / "mlabonne__llm-course.md")))
    ok(cli("guide", "add", "awesome-llm", str(LISTS / "Hannibal046__Awesome-LLM.md")))
    return home


def _by_place(ws: Workspace, offers: dict[int, list[Offer]]) -> dict[int, list[Offer]]:
    """The offers by each heading's place in the guide (ids of topics differ per load)."""
    number = {id(t): n for n, (_, t) in enumerate(ws.catalogue.topics)}
    return {number[k]: v for k, v in offers.items()}


def _computed(ws: Workspace) -> dict[int, list[Offer]]:
    cat = ws.catalogue
    sections = [(cat.origin(n), s) for n, s in enumerate(cat.guide.sections)]
    return _by_place(ws, followed_offers(sections, ws.states))


def _kept(ws: Workspace) -> dict[int, list[Offer]]:
    offers = tocoffers.catalogue_offers(
        ws.catalogue, ws.states, cache_as=ws.guide_path, home=ws.home
    )
    return _by_place(ws, offers)


def _nothing_made(*args: object, **kwargs: object) -> object:
    raise AssertionError("offers made again: the cache entry was not used")


def test_kept_offers_are_those_computed_and_follow_the_record(
    two_lists: Path, cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(home=two_lists)
    expected = _computed(ws)
    assert expected and ws.catalogue.digest
    assert _kept(Workspace(home=two_lists)) == expected  # made, and kept
    with monkeypatch.context() as patched:
        patched.setattr(tocoffers, "candidates", _nothing_made)
        assert _kept(Workspace(home=two_lists)) == expected  # from the cache
    # Reading a heading's last link leaves it empty: offered links, made again.
    ok(cli("mark-read", "lora-explained"))
    after = Workspace(home=two_lists)
    now = _computed(after)
    assert now != expected
    assert _kept(Workspace(home=two_lists)) == now


def test_a_damaged_kept_entry_is_made_again(two_lists: Path) -> None:
    expected = _kept(Workspace(home=two_lists))
    (entry,) = cache_dir(two_lists).glob("tocoffers-*.marshal")
    blob = entry.read_bytes()
    entry.write_bytes(blob[:-10])
    assert _kept(Workspace(home=two_lists)) == expected
    assert entry.read_bytes() == blob


def test_without_a_digest_the_offers_are_computed(two_lists: Path, cli: Invoke) -> None:
    # Personal links make a catalogue no cache entry holds: computed as before.
    ok(cli("add", "https://mine.example/x", "--title", "Mine", "--section", "misc"))
    ws = Workspace(home=two_lists)
    assert not ws.catalogue.digest
    assert _kept(ws) == _computed(Workspace(home=two_lists))
    assert not list(cache_dir(two_lists).glob("tocoffers-*.marshal"))
