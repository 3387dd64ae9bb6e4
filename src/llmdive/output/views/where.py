"""What `paths` prints: each place llmdive keeps something, with what chose it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmdive.output.terminal import Writer

if TYPE_CHECKING:
    pass


PATH_FROM = {
    "--home": "--home",
    "--guide": "--guide",
    "default": "default",
    "home": "in the home",
    "bundled": "bundled with llmdive",
    "updated": "from `llmdive guide update`",
}


def render_paths(w: Writer, data: dict[str, str | None]) -> None:
    """`llmdive paths`: one line per place, with what chose it."""
    rows = [
        ("home", "home", "home_from"),
        ("progress", "progress", None),
        ("personal", "personal", None),
        ("catalogue", "catalogue", "catalogue_from"),
        ("cache", "cache", "cache_from"),
    ]
    for label, key, why in rows:
        chosen = data[why] if why else None
        note = f"  ({PATH_FROM.get(chosen, chosen)})" if chosen else ""
        w.line((f"{label:<11}", "dim"), data[key] or "", (note, "dim"))
        if key == "catalogue" and data["catalogue_source"]:
            w.line((f"{'  source':<11}", "dim"), data["catalogue_source"])
