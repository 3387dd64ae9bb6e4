"""The reader's own links: kept in personal.json in the llmdive home, shown everywhere.

They live apart from the catalogue, so guide updates never touch them; each names
the heading (by slug) it belongs under. `llmdive add --export` writes them as
Markdown lines ready for a pull request to the guide.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmdive import cache
from llmdive.errors import LlmdiveError
from llmdive.models import Link, Topic
from llmdive.vocab import Difficulty

if TYPE_CHECKING:
    from llmdive.catalogue import Catalogue

PERSONAL_FILE = "personal.json"
# Where a personal link goes when its heading has left the guide.
ORPHAN_SLUG, ORPHAN_TITLE = "personal-links", "Personal links"


@dataclass
class PersonalLink:
    link: Link
    section: str  # the slug of the heading it belongs under
    added: str

    def to_dict(self) -> dict[str, Any]:
        link = self.link
        return {
            "id": link.id,
            "title": link.title,
            "url": link.url,
            "difficulty": link.difficulty.value,
            "section": self.section,
            "added": self.added,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PersonalLink:
        link = Link(d["id"], d["title"], d["url"], Difficulty(d["difficulty"]), personal=True)
        return cls(link, d["section"], d["added"])


def personal_file(home: Path) -> Path:
    return home / PERSONAL_FILE


def load_personal(home: Path) -> list[PersonalLink]:
    """The reader's links; none when there is no file (the usual case)."""
    from llmdive.storage import read_bytes

    path = personal_file(home)
    try:
        data = read_bytes(path)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise LlmdiveError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    key = cache.digest(data)
    record = cache.read("personal", path, key)
    if record is None:
        record = _validate(data, path)
        cache.write("personal", path, key, record)
    return [PersonalLink.from_dict(d) for d in record["links"]]


def _validate(data: bytes, path: Path) -> dict[str, Any]:
    from pydantic import ValidationError

    from llmdive.schema import PersonalSchema

    untouched = "fix it or move it aside; llmdive has left it as it is"
    try:
        raw = json.loads(data)
    except ValueError as exc:
        raise LlmdiveError(f"{path}: not valid JSON ({exc}): {untouched}") from None
    try:
        return PersonalSchema.model_validate(raw).model_dump(mode="json")
    except ValidationError as exc:
        first = exc.errors()[0]
        place = ".".join(str(p) for p in first["loc"]) or "top level"
        raise LlmdiveError(
            f"{path}: not an llmdive personal-links file: {place}: {first['msg']}: {untouched}"
        ) from None


def personal_document(links: list[PersonalLink]) -> dict[str, Any]:
    """personal.json's content for these links."""
    return {"version": 1, "links": [p.to_dict() for p in links]}


def dump_personal(links: list[PersonalLink]) -> str:
    return json.dumps(personal_document(links), indent=2, ensure_ascii=False) + "\n"


def save_personal(home: Path, links: list[PersonalLink]) -> None:
    from llmdive.storage import atomic_write

    atomic_write(personal_file(home), dump_personal(links))


def merge(
    catalogue: Catalogue, personal: list[PersonalLink], source: Path | None = None
) -> Catalogue:
    """The catalogue with the reader's links under their headings (or in their own section).

    A personal link with a guide link's id is an error, never one link hiding the other.
    """
    from llmdive.catalogue import Catalogue

    if not personal:
        return catalogue
    clash = next((p for p in personal if p.link.id in catalogue.by_id), None)
    if clash is not None:
        where = " › ".join(t.title for t in catalogue.by_id[clash.link.id].path)
        raise LlmdiveError(
            f"{source or PERSONAL_FILE}: your link {clash.link.id!r} has the id of a guide link "
            f"(in {where}); give yours another id in that file (llmdive has changed neither)"
        )
    by_slug = {topic.slug: topic for _, topic in catalogue.topics}
    orphans = Topic(ORPHAN_SLUG, ORPHAN_TITLE)
    for p in personal:
        by_slug.get(p.section, orphans).links.append(p.link)
    if orphans.links:
        catalogue.guide.sections.append(orphans)
    # Links sharing a URL with a guide link were refused when added; groups stay the guide's.
    return Catalogue(catalogue.guide, catalogue.path, shared_urls=catalogue.shared_urls)


def add(
    home: Path,
    catalogue: Catalogue,
    url: str,
    title: str,
    section: str,
    difficulty: Difficulty,
    reserved: set[str],
    added: str,
) -> PersonalLink:
    """Add one of the reader's links; a URL the guide (or the reader) already has is refused."""
    from llmdive.slugs import link_id, normalize_url

    key = normalize_url(url)
    for item in catalogue.items:
        if normalize_url(item.link.url) == key:
            where = " › ".join(t.title for t in item.path)
            owner = "you added it already" if item.link.personal else "the guide has it"
            raise LlmdiveError(
                f"{url} is already listed ({owner}): {item.link.id} in {where}; "
                f"`llmdive show {item.link.id}`"
            )
    path = catalogue.find_topic(section)
    taken = set(catalogue.by_id) | reserved
    link = Link(link_id(title, url, taken), title.strip(), url.strip(), difficulty, personal=True)
    _check(link)
    new = PersonalLink(link, path[-1].slug, added)
    save_personal(home, [*load_personal(home), new])
    return new


def _check(link: Link) -> None:
    from pydantic import ValidationError

    from llmdive.schema import LinkSchema

    data = {"id": link.id, "title": link.title, "url": link.url,
            "difficulty": link.difficulty.value}  # fmt: skip
    try:
        LinkSchema.model_validate(data)
    except ValidationError as exc:
        field = exc.errors()[0]["loc"][-1]
        hint = {"url": "a URL must start with http:// or https://", "title": "give a --title"}
        reason = hint.get(str(field), exc.errors()[0]["msg"])
        raise LlmdiveError(f"cannot add this link: {reason}") from None


def export_markdown(catalogue: Catalogue) -> str:
    """The reader's links as the guide's Markdown, under the headings they belong to."""
    from llmdive.markdown import heading_line, link_line

    out: list[str] = []
    for path, topic in catalogue.topics:
        mine = [link for link in topic.links if link.personal]
        if mine:
            out.extend(heading_line(len(p) - 1, p[-1].title) for p in _prefixes(path))
            out.extend(link_line(link) for link in mine)
            out.append("")
    return "\n".join(out)


def _prefixes(path: tuple[Topic, ...]) -> list[tuple[Topic, ...]]:
    return [path[: i + 1] for i in range(len(path))]
