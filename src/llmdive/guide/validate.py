"""A catalogue's bytes parsed and validated: its TOML against the strict schema, then what
a schema cannot see (duplicate ids, aliases and slugs, a URL twice in a section)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmdive.errors import LlmdiveError
from llmdive.model.models import Guide
from llmdive.model.urls import normalize_url

if TYPE_CHECKING:
    from pathlib import Path


def consistency_problems(guide: Guide) -> list[str]:
    """What a schema cannot see: duplicate ids, aliases and slugs, a URL twice in a section.

    An alias (an id a link had before) may be no link's id and no other link's alias.
    """
    problems: list[str] = []
    ids: dict[str, str] = {}
    aliases: dict[str, str] = {}  # an old id a link keeps answering to
    slugs: dict[str, str] = {}
    for s_index, section in enumerate(guide.sections):
        urls: dict[str, str] = {}
        for path, topic in section.walk():
            where = " > ".join(t.title for t in path)
            if topic.slug in slugs:
                problems.append(f"duplicate slug {topic.slug!r}: {slugs[topic.slug]} and {where}")
            slugs.setdefault(topic.slug, where)
            for index, link in enumerate(topic.links):
                place = f"{where}, links[{index}]"
                if link.id in ids:
                    problems.append(f"duplicate link id {link.id!r}: {ids[link.id]} and {place}")
                ids.setdefault(link.id, place)
                for alias in link.aliases:
                    if alias == link.id:
                        problems.append(f"alias {alias!r} of {place} is its own id")
                        continue
                    if alias in aliases:
                        problems.append(f"duplicate alias {alias!r}: {aliases[alias]} and {place}")
                    aliases.setdefault(alias, place)
                key = normalize_url(link.url)
                if key in urls:
                    problems.append(
                        f"duplicate URL {link.url} in section {section.title!r} "
                        f"(sections[{s_index}]): {urls[key]} and {place}"
                    )
                urls.setdefault(key, place)
    for alias in sorted(aliases.keys() & ids.keys()):
        problems.append(f"alias {alias!r} of {aliases[alias]} is the id of {ids[alias]}")
    return problems


def parse_guide(data: bytes, path: Path) -> Guide:
    """Parse and validate catalogue bytes; every problem is reported, one line each."""
    import tomllib

    # start-up: pydantic loads only when a file must be validated
    from llmdive.model.inputs import validate_guide

    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise LlmdiveError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LlmdiveError(f"{path}: not valid TOML: {exc}") from exc
    except ValueError:  # an integer of thousands of digits
        raise LlmdiveError(
            f"{path}: not usable TOML: it holds a number thousands of digits long"
        ) from None
    except RecursionError:
        raise LlmdiveError(f"{path}: not usable TOML: nested too deeply") from None
    guide = Guide.from_dict(validate_guide(raw, path))
    problems = consistency_problems(guide)
    if problems:
        lines = [f"{path}: {p}" for p in problems[:20]]
        if len(problems) > 20:
            lines.append(f"{path}: and {len(problems) - 20} more problems")
        raise LlmdiveError("\n".join(lines))
    return guide
