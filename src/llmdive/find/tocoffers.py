"""`toc`'s offers, kept in the cache: a combined catalogue's (its `digest` set) under its
key and the headings left with nothing to read, so that a `toc` over 10 guides neither
makes a candidate per link nor reads the offers' index again while neither changes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmdive.find.offers import (
    Candidate,
    Offer,
    OfferIndex,
    candidates,
    empty_topics,
    followed_offers,
    topic_offers,
)
from llmdive.home import cache
from llmdive.model.vocab import Status

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from llmdive.guide.catalogue import Catalogue, Item

_KIND = "tocoffers"
_LEFT = (Status.UNREAD, Status.READING)


def catalogue_offers(
    catalogue: Catalogue,
    states: Mapping[str, Status],
    limit: int = 3,
    *,
    cache_as: Path,
    home: Path | None,
) -> dict[int, list[Offer]]:
    """offers.followed_offers of the catalogue's sections (by id() of each heading), from
    the cache when the catalogue and the headings left empty are those it was kept for."""
    sections = [(catalogue.origin(n), s) for n, s in enumerate(catalogue.guide.sections)]
    if len({name for name, _ in sections}) < 2:
        return {}
    if not catalogue.digest:  # not one the cache holds (narrowed, personal links)
        return followed_offers(sections, states, limit, cache_as=cache_as, home=home)
    # Every link is left to read but those of a state past it (few, against 20,000 links).
    left = catalogue.by_id.keys() - {k for k, s in states.items() if s not in _LEFT}
    number = {id(topic): n for n, (_, topic) in enumerate(catalogue.topics)}
    empty = [number[id(p[-1])] for _, s in sections for p in empty_topics([s], left)]
    what = f"{catalogue.digest}\n{limit}\n{','.join(map(str, empty))}"
    key = cache.digest(what.encode())
    record = cache.read(_KIND, cache_as, key, home=home)
    if record is not None:
        try:
            return _from_record(record, catalogue)
        except (KeyError, TypeError, ValueError, IndexError):
            pass  # a damaged entry: made again
    found = candidates(sections)
    out = topic_offers(OfferIndex.kept(found, cache_as, home), sections, left, limit)
    at = {id(c): n for n, c in enumerate(found)}
    kept = [
        [number[topic], [[at[id(o.candidate)], o.score, list(o.why)] for o in offered]]
        for topic, offered in out.items()
    ]
    cache.write(_KIND, cache_as, key, {"offers": kept}, home=home)
    return out


def _candidate(item: Item) -> Candidate:
    """The candidate offers.candidates makes of an item (its guide, headings, topic text)."""
    link, topic = item.link, item.path[-1]
    description = f"{topic.description}\n{topic.tip}" if topic.tip else topic.description
    titles = tuple(t.title for t in item.path)
    return Candidate(link.title, link.url, item.guide, titles, description, link.id)


def _from_record(record: dict[str, Any], catalogue: Catalogue) -> dict[int, list[Offer]]:
    topics, items = catalogue.topics, catalogue.items
    out: dict[int, list[Offer]] = {}
    for topic, offered in record["offers"]:
        offers = []
        for n, score, why in offered:
            if n < 0 or topic < 0 or not isinstance(score, float):
                raise ValueError("a kept offer is not one")
            if not all(isinstance(w, str) for w in why):
                raise ValueError("a kept offer is not one")
            offers.append(Offer(_candidate(items[n]), score, tuple(why)))
        out[id(topics[topic][1])] = offers
    return out
