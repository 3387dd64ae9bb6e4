"""What `check-links` prints: the tally, then every link that is not plainly ok."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from llmdive.model.vocab import counted
from llmdive.output.terminal import Writer
from llmdive.output.views.common import (
    CHECK_LABEL,
)

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Item
    from llmdive.net.durations import Measured
    from llmdive.net.linkmarks import Outcome


def render_checks(
    w: Writer,
    items: Sequence[Item],
    outcomes: Sequence[Outcome],
    measured: Mapping[str, Measured] | None = None,
) -> None:
    """check-links: the tally, then every link that is not plainly ok; with --durations,
    how many links now have a measured length."""
    counts = {word: 0 for word in CHECK_LABEL}
    for o in outcomes:
        counts[o.result.value] += 1
    tally = ", ".join(f"{n} {word}" for word, n in counts.items() if n)
    w.line((f"Checked {counted(len(outcomes), 'link')}: {tally or 'none'}.", "bold"))
    by_id = {o.id: o for o in outcomes}
    rows = [(item, by_id[item.link.id]) for item in items if item.link.id in by_id]
    rows = [(i, o) for i, o in rows if o.result.value != "ok"]
    order = {"dead": 0, "redirected": 1, "unknown": 2}  # what needs the reader most first
    rows.sort(key=lambda row: order[row[1].result.value])
    id_width = max((len(i.link.id) for i, _ in rows), default=0)
    for item, o in rows:
        label, style = CHECK_LABEL[o.result.value]
        if o.result.value == "redirected":
            what = f"{o.redirects[0]['status']} → {o.final_url}"
        else:
            what = o.detail
        w.line(
            "  ",
            (label.ljust(13), style),
            (item.link.id.ljust(id_width), "cyan"),
            "  ",
            what,
            ("  " + item.link.url, "dim"),
        )
    if any(o.gone for o in outcomes):
        w.line(
            (
                "Dead links: `llmdive show ID` offers a Web Archive copy; `next` passes them over.",
                "dim",
            )
        )
    if any(o.result.value == "dead" and not o.gone for o in outcomes):
        w.line(
            (
                "A host that does not resolve: `next` passes it over once a check on another "
                "day confirms it.",
                "dim",
            )
        )
    if counts["unknown"]:
        w.line(
            (
                "Unknown is not dead: rate limits, refusals and outages pass; check again later.",
                "dim",
            )
        )
    if measured is not None:
        render_measured(w, items, outcomes, measured)


def render_measured(
    w: Writer, items: Sequence[Item], outcomes: Sequence[Outcome], measured: Mapping[str, Measured]
) -> None:
    """check-links --durations: lengths measured now, by kind, and the links still unknown."""
    from llmdive.model.urls import url_key as key
    from llmdive.model.urls import url_kind

    now = [o.measured for o in outcomes if o.measured]
    kinds = {how: sum(1 for m in now if m[1] == how) for how in ("video", "article", "pdf")}
    said = ", ".join(counted(n, how) for how, n in kinds.items() if n)
    w.line((f"Measured {counted(len(now), 'length')}" + (f": {said}." if said else "."), "bold"))
    unknown = [i for i in items if key(i.link.url) not in measured]
    if unknown:
        shown = ", ".join(f"{i.link.id} ({url_kind(i.link.url)})" for i in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        w.text(
            (f"Length unknown: {shown}{more}; `llmdive estimate ID 45m` sets one.", "dim"),
            hang=2,
        )
