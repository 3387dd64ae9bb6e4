"""The reader's own links: kept in personal.json in the llmdive home, shown everywhere.

They live apart from the catalogue, so guide updates never touch them; each names
the heading (by slug) it belongs under. `llmdive add --export` writes them as
Markdown lines ready for a pull request to the guide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmdive.errors import LlmdiveError
from llmdive.guide.catalogue import Catalogue
from llmdive.home import cache
from llmdive.home.infile import parse_json
from llmdive.home.paths import PERSONAL_FILE
from llmdive.home.statefile import encode_state_text, load_state
from llmdive.model.ids import link_id
from llmdive.model.models import Event, Link, Topic
from llmdive.model.urls import UrlError, check_link_url, normalize_url, shorten
from llmdive.model.vocab import Difficulty
from llmdive.record.events import new_stamp, settle
from llmdive.record.progress import load_progress, save_record

if TYPE_CHECKING:
    from llmdive.guide.catalogue import Catalogue

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
    return load_state(personal_file(home), lambda d, p: _parse_cached(d, p, home), list)


def _parse_cached(data: bytes, path: Path, home: Path) -> list[PersonalLink]:
    key = cache.digest(data)
    record = cache.read("personal", path, key, home=home)
    if record is None:
        record = _validate(data, path)
        cache.write("personal", path, key, record, home=home)
    return [PersonalLink.from_dict(d) for d in record["links"]]


def _validate(data: bytes, path: Path) -> dict[str, Any]:
    from pydantic import ValidationError

    # start-up: pydantic loads only when a file must be validated
    from llmdive.model.inputs import PersonalSchema, first_problem

    untouched = "fix it or move it aside; llmdive has left it as it is"
    raw = parse_json(data, path, untouched)
    try:
        record = PersonalSchema.model_validate(raw).model_dump(mode="json")
    except ValidationError as exc:
        raise LlmdiveError(
            f"{path}: not an llmdive personal-links file: {first_problem(raw, exc)}: {untouched}"
        ) from None
    # Two links under one id would be one link to every command (and `remove` would take
    # both): refused, naming both, rather than one hiding the other.
    first: dict[str, int] = {}
    for i, link in enumerate(record["links"]):
        j = first.setdefault(link["id"], i)
        if j != i:
            other = record["links"][j]
            raise LlmdiveError(
                f"{path}: two of your links have the id {link['id']!r}: links[{j}] "
                f"({other['url']}) and links[{i}] ({link['url']}); give one of them another "
                f"id: {untouched}"
            )
    return record


def personal_document(links: list[PersonalLink]) -> dict[str, Any]:
    """personal.json's content for these links."""
    return {"version": 1, "links": [p.to_dict() for p in links]}


def dump_personal(links: list[PersonalLink]) -> str:
    """personal.json's text (statefile.encode_state: sorted keys, as every state file)."""
    return encode_state_text(personal_document(links))


def with_personal_links(
    catalogue: Catalogue, personal: list[PersonalLink], source: Path | None = None
) -> Catalogue:
    """The catalogue with the reader's links under their headings (or in their own section).

    A personal link with a guide link's id is an error, never one link hiding the other.
    """

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
    return Catalogue(
        catalogue.guide,
        catalogue.path,
        shared_urls=catalogue.shared_urls,
        suggester=catalogue.suggester,
        origins=catalogue.origins,
    )


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

    url = _new_url(catalogue, url, "add")
    path = catalogue.find_topic(section)
    taken = set(catalogue.by_id) | reserved
    link = Link(link_id(title, url, taken), title.strip(), url, difficulty, personal=True)
    _check(link)
    new = PersonalLink(link, path[-1].slug, added)
    commit_link(home, [*load_personal(home), new], new, added)
    return new


def _new_url(catalogue: Catalogue, url: str, verb: str, own: str | None = None) -> str:
    """A URL given for a personal link (`own` is the link's id when it is edited): checked,
    and refused when another link of the guide or of the reader already has it."""

    url = url.strip()
    try:
        check_link_url(url)
    except UrlError as exc:
        raise LlmdiveError(f"cannot {verb} this link: {shorten(url)!r} {exc}") from None
    key = normalize_url(url)
    for item in catalogue.items:
        if item.link.id != own and normalize_url(item.link.url) == key:
            where = " › ".join(t.title for t in item.path)
            owner = "you added it already" if item.link.personal else "the guide has it"
            raise LlmdiveError(
                f"{url} is already listed ({owner}): {item.link.id} in {where}; "
                f"`llmdive show {item.link.id}`"
            )
    return url


def title_from_url(url: str) -> str:
    """A title for a link added without one: the words of its URL's last path segment
    ('https://example.com/posts/lora-in-depth.html' gives 'Lora in depth'), else its host."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    segment = next((s for s in reversed(parts.path.split("/")) if s), "")
    stem, dot, ext = unquote(segment).rpartition(".")
    if not (stem and dot and ext.isalpha() and len(ext) <= 5):  # .html, .pdf: not 2106.09685
        stem = unquote(segment)
    words = " ".join(
        "".join(c if c.isprintable() else " " for c in stem)
        .replace("-", " ")
        .replace("_", " ")
        .replace("+", " ")
        .split()
    )
    if not words:
        return host or url.strip()
    if not any(c.isalpha() for c in words):  # a number ('2106.09685') says more with its host
        return f"{host} {words}" if host else words
    return words[0].upper() + words[1:]


def fields(p: PersonalLink) -> dict[str, str]:
    """A personal link's fields as its events record them (everything but the id)."""
    out = p.to_dict()
    del out["id"]
    return out


def commit_link(
    home: Path,
    links: list[PersonalLink],
    changed: PersonalLink,
    stamp: str | None = None,
    removed: bool = False,
    old: PersonalLink | None = None,
) -> None:
    """Write personal.json as `links`, and the change to `changed` as an event in
    progress.json (so `history` shows it and `undo` takes it back): both files or neither.

    Call it holding progress.locked(home). `old` is the link as it was before an edit
    or a removal: a link from before link events gets the event that added it first.
    """

    progress = load_progress(home)
    key = changed.link.id
    entry = progress.entry(key)
    if old is not None and all(e.link is None for e in entry.events):
        entry.events.insert(0, Event(old.added, link=fields(old)))
        entry.events.sort(key=Event.order)
    # An added link's event is at its `added` time, unless events already in the record
    # are newer (a clock set back): a change is always the latest.
    when = new_stamp(progress, datetime.fromisoformat(stamp) if stamp else None)
    entry.events.append(Event(when, link={} if removed else fields(changed)))
    entry.title, entry.url = changed.link.title, changed.link.url
    settle(entry)
    save_record(home, progress, dump_personal(links).encode())


def find_own(catalogue: Catalogue, home: Path, query: str) -> PersonalLink:
    """One of the reader's own links, by id (or prefix); a guide link is refused with a hint."""
    item = catalogue.resolve_id(query)
    key = item.link.id
    if not item.link.personal:
        raise LlmdiveError(
            f"{key} is a guide link, not one of yours: only links you added can be removed or "
            f"edited; `llmdive skip {key}` leaves it out of next and progress"
        )
    for p in load_personal(home):
        if p.link.id == key:
            return p
    raise LlmdiveError(f"{key} is not in {personal_file(home)} any more; try again")


def remove(home: Path, catalogue: Catalogue, query: str) -> PersonalLink:
    """Remove one of the reader's links; its marks and notes stay in progress.json."""
    gone = find_own(catalogue, home, query)
    rest = [p for p in load_personal(home) if p.link.id != gone.link.id]
    commit_link(home, rest, gone, removed=True, old=gone)
    return gone


def edit(
    home: Path,
    catalogue: Catalogue,
    query: str,
    title: str | None = None,
    section: str | None = None,
    difficulty: Difficulty | None = None,
    url: str | None = None,
) -> tuple[PersonalLink, PersonalLink]:
    """Change the title, URL, heading or difficulty of one of the reader's links:
    (before, after). Its id stays, and with it its marks and notes."""
    if title is None and section is None and difficulty is None and url is None:
        raise LlmdiveError("nothing to change: give --title, --url, --section or --difficulty")
    old = find_own(catalogue, home, query)
    if url is not None:
        url = _new_url(catalogue, url, "edit", own=old.link.id)
    link = Link(
        old.link.id,
        old.link.title if title is None else title.strip(),
        old.link.url if url is None else url,
        old.link.difficulty if difficulty is None else difficulty,
        personal=True,
    )
    _check(link)
    slug = old.section if section is None else catalogue.find_topic(section)[-1].slug
    new = PersonalLink(link, slug, old.added)
    if fields(new) != fields(old):
        links = [new if p.link.id == old.link.id else p for p in load_personal(home)]
        commit_link(home, links, new, old=old)
    return old, new


def _check(link: Link) -> None:
    from pydantic import ValidationError

    # start-up: pydantic loads only when a file must be validated
    from llmdive.model.inputs import LinkSchema

    data = {
        "id": link.id,
        "title": link.title,
        "url": link.url,
        "difficulty": link.difficulty.value,
    }
    try:
        LinkSchema.model_validate(data)
    except ValidationError as exc:
        field = exc.errors()[0]["loc"][-1]
        hint = {"title": "give a --title"}
        reason = hint.get(str(field), str(exc.errors()[0]["msg"]).removeprefix("Value error, "))
        raise LlmdiveError(f"cannot add this link: {reason}") from None


def export_personal_markdown(catalogue: Catalogue) -> str:
    """The reader's links as the guide's Markdown, under the headings they belong to."""
    # start-up: markdown_it loads only to read or write a README
    from llmdive.guide.readme import heading_line, link_line

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
