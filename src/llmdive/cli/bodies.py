"""The bodies of the hottest commands (next, list, search, the marks), Typer-free.

Their Typer commands (cli/reading.py, cli/browse.py, cli/find.py) and the fast path
(cli/fast.py) both call these with the parsed values: one body, two front doors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmdive.cli.run import emit, marks_of
from llmdive.model.vocab import Difficulty, Status

if TYPE_CHECKING:
    from llmdive.find.offers import Offer
    from llmdive.guide.catalogue import Catalogue, Item
    from llmdive.model.models import Topic
    from llmdive.workspace import Workspace


QUEUE_SHOWN = 15  # next --queue: links shown unless -n asks for more


def next_(
    ws: Workspace,
    section: str | None,
    count: int,
    json_out: bool,
    include_dead: bool,
    budget: str | None = None,
    queue: bool = False,
) -> None:
    from llmdive.find import planner
    from llmdive.output.views.reading import render_next

    within = ws.catalogue.find_topic(section) if section else None
    marks = marks_of(ws)
    passing = () if include_dead else marks.gone  # gone on evidence, not stale
    if budget is not None or queue:
        from llmdive.cli.params import budget_seconds
        from llmdive.output.views.reading import render_plan

        path = planner.queue(ws.catalogue, ws.states, within, passing)
        timing = ws.timing
        if budget is not None:
            plan = planner.fit_budget(path, timing.seconds, budget_seconds(budget))
        else:
            shown = path[: max(count, QUEUE_SHOWN)]
            known = sum(s for i in shown if (s := timing.seconds(i)) is not None)
            plan = planner.Plan(None, shown, known, [], [])

        def plan_json() -> object:
            from llmdive.output import jsonout

            return jsonout.plan_json(jsonout.LinkJson.of(ws), plan, marks, len(path))

        emit(
            json_out,
            plan_json,
            lambda w: render_plan(w, plan, ws.states, timing, marks, len(path)),
            urls=ws.urls,
        )
        return
    picks = planner.next_links(ws.catalogue, ws.states, within, passing, count)
    # A heading with nothing left to read: what the other followed guides offer it.
    offers: dict[int, list[Offer]] = {}
    if within and picks and picks[0].item is None and not picks[0].passed:
        found = offers_for(ws, within)
        if found:
            offers[id(within[-1])] = found

    def next_json() -> object:
        from llmdive.output import jsonout

        return jsonout.next_json(jsonout.LinkJson.of(ws), picks, marks, offers)

    emit(
        json_out,
        next_json,
        lambda w: render_next(
            w,
            picks,
            ws.states,
            marks,
            ws.catalogue,
            advice=within[-1:] if within else None,
            timing=ws.shown_timing,
            offers=offers,
        ),
        urls=ws.urls,
    )


def show_target(catalogue: Catalogue, query: str) -> Item | list[tuple[Topic, ...]]:
    """What `show QUERY` shows: a link whose id (or former id) is exactly QUERY; else the
    headings whose slug or title is exactly QUERY, in guide order (the default guide's
    first); else the link the start of its id or its URL names (an error if none)."""
    exact = catalogue.exact_id(query)
    if exact is not None:
        return exact
    q = query.strip().lower()
    # A followed guide's slug qualified where another guide has it too
    # ('llm-course/quantization') is named by its own slug as well, and a numbered
    # heading ('7. Quantization') by its title without the number.
    paths = [
        path
        for path, topic in catalogue.topics
        if q in (topic.slug, topic.slug.rpartition("/")[2], _unnumbered(topic.title.lower()))
        or q == topic.title.lower()
    ]
    if not paths:
        return catalogue.resolve_id(query)
    # The start of one link's id, that link under the heading of that name, is the link
    # ('show lora': LoRA Explained, under LoRA); another guide's link is not
    # ('show quantization' is the heading, not llm-course's quantization-gguf-llama).
    starts = [i for i in catalogue.by_id if i.startswith(q)]
    if len(starts) == 1:
        item = catalogue.by_id[starts[0]]
        head = paths[0]
        above = item.path[: len(head)]
        if len(above) == len(head) and all(a is b for a, b in zip(above, head, strict=True)):
            return item
    return paths


def _unnumbered(title: str) -> str:
    """'7. quantization' -> 'quantization': a heading's title without its numbering."""
    head, dot, rest = title.partition(". ")
    return rest.strip() if dot and head.isdigit() and len(head) <= 3 else title


def offers_for(ws: Workspace, path: tuple[Topic, ...]) -> list[Offer]:
    """What the other followed guides offer a heading with nothing left to read under it;
    none while one guide is followed (find/offers.py is not even imported then)."""
    sections = followed_sections(ws)
    if len({name for name, _ in sections}) < 2:
        return []
    from llmdive.find.offers import heading_offers

    return heading_offers(sections, path, ws.states, cache_as=ws.guide_path, home=ws.home)


def toc_offers(ws: Workspace) -> dict[int, list[Offer]]:
    """`toc`'s offers: for each heading with nothing left to read, by id() of the heading."""
    sections = followed_sections(ws)
    if len({name for name, _ in sections}) < 2:
        return {}
    from llmdive.find.tocoffers import catalogue_offers

    return catalogue_offers(ws.catalogue, ws.states, cache_as=ws.guide_path, home=ws.home)


def followed_sections(ws: Workspace) -> list[tuple[str, Topic]]:
    """The catalogue's sections, each with the name of the guide it comes from."""
    catalogue = ws.catalogue
    return [(catalogue.origin(n), s) for n, s in enumerate(catalogue.guide.sections)]


def list_links(
    ws: Workspace,
    section: str | None,
    difficulty: list[Difficulty] | None,
    status: list[Status] | None,
    json_out: bool,
) -> None:
    from llmdive.output.views.browse import render_list

    cat = ws.catalogue
    topic = cat.find_topic(section) if section else None
    items = cat.items_under(topic) if topic else cat.items
    # An empty listing says why: nothing under that heading yet, or nothing that matches.
    empty = "No links match."
    if topic and not items:
        empty = (
            f"No links yet under {topic[-1].title}: `llmdive add URL --section "
            f"{topic[-1].slug}` adds one of yours."
        )
    states = ws.states
    if difficulty:
        items = [i for i in items if i.link.difficulty in difficulty]
    if status:
        items = [i for i in items if states.get(i.link.id, Status.UNREAD) in status]
    marks = marks_of(ws)

    def links_json() -> object:
        from llmdive.output import jsonout

        return jsonout.links_json(jsonout.LinkJson.of(ws), items, marks)

    emit(
        json_out,
        links_json,
        lambda w: render_list(
            w, items, states, marks, empty, topic[-1:] if topic else None, ws.shown_timing
        ),
        urls=ws.urls,
    )


def search(
    ws: Workspace,
    words: list[str],
    section: str | None,
    difficulty: list[Difficulty] | None,
    status: list[Status] | None,
    json_out: bool,
) -> None:
    from operator import is_

    from llmdive.find.planner import select
    from llmdive.find.search import empty_topics
    from llmdive.find.search import search as find
    from llmdive.output.views.find import render_search

    text = " ".join(words)
    cat = ws.catalogue
    items = select(cat, ws.states, cat.find_topic(section) if section else None, difficulty, status)
    notes = ws.progress.notes()
    hits = find(items, text, notes, cache_as=ws.guide_path, home=ws.home, catalogue=cat)
    scope = cat.find_topic(section) if section else ()
    headings = [p for p, _ in cat.topics if len(p) >= len(scope) and all(map(is_, scope, p))]
    marks = marks_of(ws)

    def search_json() -> object:
        from llmdive.output import jsonout

        return jsonout.search_json(jsonout.LinkJson.of(ws), hits, marks)

    emit(
        json_out,
        search_json,
        lambda w: render_search(
            w, hits, ws.states, notes, text, marks, *empty_topics(headings, text)
        ),
        urls=ws.urls,
    )


def mark(
    ws: Workspace,
    ids: list[str] | None,
    section: str | None,
    status: Status,
    json_out: bool,
    include_skipped: bool = False,
) -> None:
    """mark-read, mark-unread, start, skip: the links named (ids, or a section) get `status`."""
    from llmdive.output.views.common import render_changes
    from llmdive.output.views.reading import render_marked
    from llmdive.record import progress

    items = progress.marked_items(ws.catalogue, ids or [], section)
    left: list[str] = []
    if section is not None and not include_skipped:
        # A skipped link was passed over on purpose: a mark over a section leaves it so
        # (a link named by its id is marked, whatever it was).
        named = {i.link.id for i in ws.catalogue.resolve_ids(ids or [])}
        skipped = {i for i, s in ws.states.items() if s is Status.SKIPPED} - named
        left = [i.link.id for i in items if i.link.id in skipped]
        items = [i for i in items if i.link.id not in skipped]
    changes, after = progress.update_progress(
        ws.home,
        lambda p: (progress.set_status(p, ws.catalogue, items, status), p),
        ws.catalogue.aliases,
    )

    def changes_json() -> object:
        from llmdive.output import jsonout, jsonreport

        link = jsonout.LinkJson(ws.catalogue, after, None, ws.measured)
        return jsonreport.status_changes_json(link, changes)

    emit(
        json_out,
        changes_json,
        lambda w: render_marked(w, changes, len(left)) if section else render_changes(w, changes),
        urls=ws.urls,
    )
