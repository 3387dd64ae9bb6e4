"""Links given back to the guide: a minimal patch to its README, in the guide's own style.

A contributed link goes at the end of its topic's list (for a topic with no links yet,
at the end of the topic's own text, before the next heading), written the way the
neighbouring items are written: their bullet, its spacing, and their difficulty badge with
the link's difficulty in it. No other byte of the README changes, so the patch is one a
maintainer can read in a glance and `git apply` takes as it is.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from llmdive.errors import LlmdiveError
from llmdive.guide import fetch
from llmdive.guide.importer import BADGE_COLOURS, parse_readme
from llmdive.home.infile import read_limited
from llmdive.home.paths import (
    ACTIVE_GUIDE,
    ACTIVE_README,
    bundled_guide,
    bundled_readme,
    followed_readme,
)
from llmdive.home.storage import exists
from llmdive.model.markdown import destination, one_line
from llmdive.model.urls import normalize_url
from llmdive.model.vocab import DEFAULT_GUIDE, Difficulty

if TYPE_CHECKING:
    from llmdive.model.models import Guide, Link, Topic

_BULLET = re.compile(r"^(?P<indent>[ \t]*)(?P<mark>[-*+]|\d+[.)])(?P<gap>[ \t]*)(?=\S)")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\s]*\)")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
README_NAMES = ("README.md", "readme.md", "Readme.md", "README.markdown", "README")


@dataclass(frozen=True)
class Offered:
    """One link to give: what it is and the slug of the topic it belongs to."""

    link: Link
    topic: str


@dataclass(frozen=True)
class Placed:
    """Where a link went: its topic's titles, its README line, the line written."""

    link: Link
    topic: str
    path: tuple[str, ...]
    line: int  # the new line's number in the patched README
    text: str


@dataclass
class Contribution:
    """The patch, the README it applies to, and what it adds (or leaves out, and why)."""

    name: str  # the README's file name in the patch's headers
    before: str
    after: str
    placed: list[Placed] = field(default_factory=list)
    already: list[Link] = field(default_factory=list)  # the guide has their URL

    @property
    def readme_sha256(self) -> str:
        return hashlib.sha256(self.before.encode()).hexdigest()

    @property
    def patch(self) -> str:
        """A unified diff `git apply` takes, `a/NAME` to `b/NAME` ("" when nothing is added)."""
        if self.before == self.after:
            return ""
        diff = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            f"a/{self.name}",
            f"b/{self.name}",
        )
        out = []
        for line in diff:
            if not line.endswith("\n"):
                # The file's last line has no line break: git's marker says so.
                line += "\n\\ No newline at end of file\n"
            out.append(line)
        return "".join(out)

    @property
    def description(self) -> str:
        """A pull request's title and body: what was added where, with its difficulty."""
        n = len(self.placed)
        topics = list(dict.fromkeys(p.path[-1] for p in self.placed if p.path))
        where = " and ".join(topics) if len(topics) <= 2 else f"{topics[0]} and others"
        if n == 1:
            head = f"Add {self.placed[0].link.title} to {where}"
        else:
            head = f"Add {n} links to {where}" if n else "Nothing to add"
        lines = [one_line(head), ""]
        for p in self.placed:
            rated = p.link.difficulty is not Difficulty.UNRATED
            where = " › ".join(p.path)
            lines.append(
                f"- [{one_line(p.link.title)}]({destination(p.link.url)}) under {one_line(where)}"
                + (f" ({level_word(p.link.difficulty)})" if rated else "")
            )
        return "\n".join(lines) + "\n"


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _topics(guide: Guide) -> dict[str, tuple[tuple[Topic, ...], Topic]]:
    return {topic.slug: (path, topic) for path, topic in guide.walk()}


def _item_end(lines: list[str], start: int) -> int:
    """The index after the list item starting at `start` (its wrapped and nested lines);
    for a table row, after the table's last row (a new row goes at the table's end)."""
    if lines[start].lstrip().startswith("|"):
        end = start + 1
        while end < len(lines) and lines[end].lstrip().startswith("|"):
            end += 1
        return end
    first = _BULLET.match(lines[start])
    indent = len(first.group("indent")) if first else 0
    end = start + 1
    while end < len(lines):
        line = lines[end].rstrip("\r\n")
        if not line.strip() or _HEADING.match(line):
            break
        bullet = _BULLET.match(line)
        if bullet and len(bullet.group("indent")) <= indent:
            break
        if not bullet and len(line) - len(line.lstrip()) <= indent and not first:
            break
        end += 1
    return end


def _level(line: str) -> int:
    """The level of an ATX heading line (0: not a heading)."""
    return len(line.lstrip(" ")) - len(line.lstrip(" ").lstrip("#")) if _HEADING.match(line) else 0


def _block_end(lines: list[str], heading: int, level: int = 6) -> int:
    """The index after a heading's own text: before the next heading of `level` or above
    (6: any heading), blank lines left out."""
    end = heading + 1
    fenced = False
    while end < len(lines):
        line = lines[end].rstrip("\r\n")
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and 0 < _level(line) <= level:
            break
        end += 1
    while end > heading + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def _cells(row: str) -> list[str]:
    """A table row's cells (a `|` escaped with a backslash stays in its cell)."""
    inner = row.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return re.split(r"(?<!\\)\|", inner)


def _style_from(line: str, link: Link | None) -> tuple[str, str]:
    """(bullet prefix, badge template) of an item's source line; `{level}`/`{colour}` in
    the template stand for a difficulty's word and colour. A table row's prefix is the
    row itself with `{link}` where its link is and its other cells left empty."""
    level = _level(line)
    if level:  # entries written as headings (`## [Tool](url)`): a heading of the same level
        return "#" * level + " ", ""
    if line.lstrip().startswith("|"):
        cells = _cells(line)
        at = next((i for i, c in enumerate(cells) if "](" in c), 0)
        row = ["{link}" if i == at else "" for i in range(len(cells))]
        return "| " + " | ".join(row) + " |", ""
    match = _BULLET.match(line)
    prefix = match.group(0) if match else "- "
    if match and match.group("mark")[0].isdigit():  # a numbered list goes on counting
        mark = match.group("mark")
        prefix = f"{match.group('indent')}{int(mark[:-1]) + 1}{mark[-1]}{match.group('gap')}"
    if match and re.match(r"\[[ xX]\][ \t]", line[match.end() :]):
        prefix += "[ ] "  # a checklist's item: its box, not ticked
    if link is None or link.difficulty is Difficulty.UNRATED:
        return prefix, ""
    word = link.difficulty.value
    colour = BADGE_COLOURS.get(link.difficulty, "")
    for image in _IMAGE.findall(line):
        written = re.search(_word(word), image, flags=re.IGNORECASE)
        if written:
            # The word as the guide writes it: Medium, MEDIUM or medium.
            case = written.group(0)
            form = "{upper}" if case.isupper() else "{title}" if case[0].isupper() else "{lower}"
            template = re.sub(_word(case), form, image)
            if colour:
                template = re.sub(_word(colour), "{colour}", template)
            return prefix, " " + template
    return prefix, ""


def _word(word: str) -> str:
    """A pattern for `word` standing alone (not inside another word)."""
    return rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])"


def level_word(difficulty: Difficulty) -> str:
    return difficulty.value.capitalize()


def _line_for(link: Link, prefix: str, badge: str) -> str:
    written = f"[{one_line(link.title)}]({destination(link.url)})"
    if "{link}" in prefix:  # a table row
        return prefix.replace("{link}", written)
    text = prefix + written
    if badge and link.difficulty is not Difficulty.UNRATED:
        word = link.difficulty.value
        text += (
            badge.replace("{upper}", word.upper())
            .replace("{title}", word.capitalize())
            .replace("{lower}", word.lower())
            .replace("{colour}", BADGE_COLOURS.get(link.difficulty, ""))
        )
    return text


def contribution(readme: str, offered: list[Offered], name: str = "README.md") -> Contribution:
    """The README with each offered link added to its topic; raises if a topic is not in it."""
    parsed = parse_readme(readme, name)
    guide, places = parsed.guide, parsed.lines
    topics = _topics(guide)
    known = {normalize_url(k.url) for _, t in guide.walk() for k in t.links}
    by_line: dict[int, Link] = {}
    for _, topic in guide.walk():
        for k in topic.links:
            if k.id in places:
                by_line[places[k.id] - 1] = k
    lines = readme.splitlines(keepends=True)
    nl = _newline(readme)
    inserts: dict[int, list[tuple[Offered, tuple[str, ...], str]]] = {}
    result = Contribution(name, readme, readme)
    for offer in offered:
        if offer.topic not in topics:
            raise LlmdiveError(
                f"{offer.link.id}: its topic {offer.topic!r} is not in {name}: update the guide "
                "(`llmdive guide update`) or move the link (`llmdive edit ID --section ...`)"
            )
        key = normalize_url(offer.link.url)
        if key in known:
            result.already.append(offer.link)
            continue
        known.add(key)
        path, topic = topics[offer.topic]
        own = [places[k.id] - 1 for k in topic.links if k.id in places]
        heading = places["#" + topic.slug] - 1
        if not own:
            at = _block_end(lines, heading)
        elif level := _level(lines[max(own)].rstrip("\r\n")):
            at = _block_end(lines, max(own), level)  # an entry written as a heading: its text too
        else:
            at = _item_end(lines, max(own))
        # The style of the nearest item: the topic's last, else the closest before, else after.
        near = max(own) if own else _nearest(by_line, at)
        prefix, badge = (
            _style_from(lines[near].rstrip("\r\n"), by_line.get(near)) if near >= 0 else ("- ", "")
        )
        titles = tuple(t.title for t in path)
        inserts.setdefault(at, []).append((offer, titles, _line_for(offer.link, prefix, badge)))
    out: list[str] = []
    for index in range(len(lines) + 1):
        for offer, titles, text in inserts.get(index, []):
            if out and not out[-1].endswith(("\n", "\r")):
                out[-1] += nl
            if text.startswith("#") and out and out[-1].strip():
                out.append(nl)  # a heading of its own, after a blank line like its neighbours
            out.append(text + nl)
            result.placed.append(Placed(offer.link, offer.topic, titles, len(out), text))
        if index < len(lines):
            out.append(lines[index])
    result.after = "".join(out)
    return result


def _nearest(by_line: dict[int, Link], at: int) -> int:
    before = [n for n in by_line if n < at]
    if before:
        return max(before)
    after = [n for n in by_line if n >= at]
    return min(after) if after else -1


def check_round_trip(result: Contribution) -> None:
    """The patched README imports to the guide's links plus the added ones, ids unchanged."""
    before = parse_readme(result.before, result.name).guide
    after = parse_readme(result.after, result.name).guide
    old = {k.id: (k.url, t.slug) for _, t in before.walk() for k in t.links}
    new = {k.id: (k.url, t.slug) for _, t in after.walk() for k in t.links}
    lost = [i for i, v in old.items() if new.get(i) != v]
    added = {(normalize_url(u), slug) for i, (u, slug) in new.items() if i not in old}
    wanted = {(normalize_url(p.link.url), p.topic) for p in result.placed}
    if lost or added != wanted:
        raise LlmdiveError(
            f"the patch would change the guide's other links ({', '.join(lost[:3]) or 'none'}) "
            "or not add its own: nothing was written; please report this"
        )


@dataclass(frozen=True)
class Readme:
    """The README a patch is made for: its text exactly as the file holds it, and where."""

    text: str
    name: str  # the file's name, for the patch's a/ and b/ headers
    shown: str  # where it came from, for messages


def read_readme_file(path: Path) -> Readme:
    """A README (or a clone's folder holding one) byte for byte: a patch must match it."""
    path = path.expanduser()
    if path.is_dir():
        found = next((path / n for n in README_NAMES if (path / n).is_file()), None)
        if found is None:
            raise LlmdiveError(f"{path}: no README.md in this folder: give the file itself")
        path = found
    try:
        data = read_limited(path, fetch.MAX_BYTES, str(path))
    except OSError as exc:
        raise LlmdiveError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LlmdiveError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return Readme(text, path.name, str(path))


def guide_readme(
    explicit: Path | None, home: Path, guide_path: Path, name: str = DEFAULT_GUIDE
) -> Readme:
    """The README to patch: --readme, else the one the guide `name` was last read from
    (kept by `guide update` and `guide add`), else the bundled guide's."""
    if explicit is not None:
        return read_readme_file(explicit)
    if name != DEFAULT_GUIDE:
        kept = followed_readme(home, name)
        if not exists(kept):
            raise LlmdiveError(
                f"the README of {name} was not kept (followed before llmdive kept it): run "
                f"`llmdive guide update {name}`, or give it with --readme FILE"
            )
        found = read_readme_file(kept)
        return Readme(found.text, "README.md", found.shown)
    if guide_path == home / ACTIVE_GUIDE:
        kept = home / ACTIVE_README
        if not exists(kept):
            raise LlmdiveError(
                "the README this guide was updated from was not kept (an update before "
                "llmdive kept it): run `llmdive guide update` again, or give it with --readme FILE"
            )
        found = read_readme_file(kept)
        return Readme(found.text, "README.md", found.shown)
    if guide_path == bundled_guide():
        found = read_readme_file(bundled_readme())
        return Readme(found.text, "README.md", "the bundled guide's README")
    raise LlmdiveError(
        f"{guide_path} is a catalogue file, not a README: give the README it was made "
        "from with --readme FILE (or a clone's folder)"
    )
