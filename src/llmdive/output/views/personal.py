"""What `edit` prints for a personal link (the other personal commands print marks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmdive.output.terminal import Writer

if TYPE_CHECKING:
    from llmdive.record.personal import PersonalLink


def render_edit(w: Writer, old: PersonalLink, new: PersonalLink) -> None:
    """What `edit` changed on a personal link, field by field."""
    pairs = [
        ("title", old.link.title, new.link.title),
        ("url", old.link.url, new.link.url),
        ("section", old.section, new.section),
        ("difficulty", old.link.difficulty.value, new.link.difficulty.value),
    ]
    changed = [(name, a, b) for name, a, b in pairs if a != b]
    w.line("edited " if changed else "unchanged ", (new.link.id, "cyan"), " (personal)")
    for name, a, b in changed:
        w.line(f"  {name:<11}", (a, "dim"), " → ", (b, "bold"))
