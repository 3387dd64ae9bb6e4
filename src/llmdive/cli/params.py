"""The parameters of the hottest commands, declared once, for Typer and for the fast path.

The Typer app builds its `typer.Option`/`typer.Argument` of these commands from the
declarations here (cli/app.py: `option`, `argument`); cli/fast.py parses argv with them
without importing Typer. tests/cli/test_fast.py checks that the Click command Typer builds
has exactly these parameters, so the two cannot drift. Typer-free: nothing here imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from llmdive.model.vocab import Difficulty, Status


class Param:
    """An option (`flags` given) or an argument (no flags) of a command.

    `flag`: an option that takes no value; `multiple`: an option that may be repeated, or
    an argument that takes every word left (nargs=-1); `choices`: the enum whose values
    are the only ones allowed (case-insensitive); `minimum`: a whole number at least this;
    `parse`: a value this accepts (it raises ValueError with the reason otherwise).
    """

    __slots__ = (
        "name",
        "flags",
        "help",
        "metavar",
        "flag",
        "multiple",
        "required",
        "choices",
        "minimum",
        "default",
        "parse",
    )

    def __init__(
        self,
        name: str,
        flags: tuple[str, ...],
        help: str,
        *,
        metavar: str | None = None,
        flag: bool = False,
        multiple: bool = False,
        required: bool = False,
        choices: type[StrEnum] | None = None,
        minimum: int | None = None,
        default: object = None,
        parse: Callable[[str], object] | None = None,
    ) -> None:
        self.name = name
        self.flags = flags
        self.help = help
        self.metavar = metavar
        self.flag = flag
        self.multiple = multiple
        self.required = required
        self.choices = choices
        self.minimum = minimum
        self.default = False if flag and default is None else default
        self.parse = parse

    @property
    def is_argument(self) -> bool:
        return not self.flags

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices) if self.choices is not None else ()


SECTION = Param(
    "section",
    ("--section", "-s"),
    "A section or topic: slug, title or unambiguous prefix.",
    metavar="SECTION",
)
MARK_SECTION = Param(
    "section",
    ("--section", "-s"),
    "Every link at or below this section or topic (one change: one `undo`).",
    metavar="SECTION",
)
DIFFICULTIES = Param(
    "difficulty",
    ("--difficulty", "-d"),
    "Only this difficulty; repeat for several.",
    multiple=True,
    choices=Difficulty,
)
STATUSES = Param(
    "status",
    ("--status",),
    "Only links with this reading status; repeat for several.",
    multiple=True,
    choices=Status,
)
JSON = Param("json_out", ("--json",), "Print JSON for scripts, nothing else.", flag=True)
COUNT = Param(
    "count", ("-n",), "How many links per section, in reading order.", minimum=1, default=1
)
INCLUDE_DEAD = Param(
    "include_dead", ("--include-dead",), "Offer links a link check found gone, too.", flag=True
)
INCLUDE_SKIPPED = Param(
    "include_skipped",
    ("--include-skipped",),
    "With --section, mark the links you skipped too (left alone otherwise).",
    flag=True,
)


def duration_seconds(text: str) -> int:
    """A typed duration's seconds (`estimate ID 45m`)."""
    from llmdive.model.timespec import parse_duration  # start-up: as budget_seconds

    return parse_duration(text)


def pace_rate(text: str) -> float:
    """A typed pace's seconds a week (`progress --pace 5h/week`)."""
    from llmdive.model.timespec import parse_pace  # start-up: as budget_seconds

    return parse_pace(text)


def budget_seconds(text: str) -> int:
    """next --budget's seconds: a duration up to a week."""
    # start-up: the parser's patterns compile only when a command takes a duration
    from llmdive.model.timespec import MAX_BUDGET, parse_duration

    return parse_duration(text, MAX_BUDGET)


BUDGET = Param(
    "budget",
    ("--budget", "-b"),
    "Links that fit in this much time (45m, 1h30m), in the learning path's order; links of "
    "unknown length are named, not counted.",
    metavar="DURATION",
    parse=budget_seconds,
)
QUEUE = Param(
    "queue",
    ("--queue", "-q"),
    "One ordered list across sections: the reading list as one path (the first 15, or -n).",
    flag=True,
)
WORDS = Param(
    "words",
    (),
    "Words to look for, quoted or not; typos, case and accents do not matter.",
    metavar="WORD...",
    multiple=True,
    required=True,
)
MARK_IDS = Param(
    "link_ids",
    (),
    "Link ids, unambiguous prefixes of them, or their URLs (or use --section).",
    metavar="[ID]...",
    multiple=True,
)

# The commands the fast path runs, with their parameters in the order of their signature.
COMMANDS: dict[str, tuple[Param, ...]] = {
    "next": (SECTION, COUNT, JSON, INCLUDE_DEAD, BUDGET, QUEUE),
    "list": (SECTION, DIFFICULTIES, STATUSES, JSON),
    "search": (WORDS, SECTION, DIFFICULTIES, STATUSES, JSON),
    "mark-read": (MARK_IDS, MARK_SECTION, INCLUDE_SKIPPED, JSON),
}

# The global options (the root command's), accepted before the command name and, all but
# --version, after it too (cli/app.py moves those in front before Click parses).
HOME = Param(
    "home",
    ("--home",),
    "Keep progress in this folder (default: $LLMDIVE_HOME, else your user data folder).",
    metavar="DIRECTORY",
)
GUIDE = Param(
    "guide",
    ("--guide",),
    "Use this catalogue file instead of the bundled or updated one; or NAME, a guide you "
    "follow (`default`: the default guide), repeatable: only those guides.",
    metavar="FILE|NAME",
    multiple=True,
)


def split_guides(values: list[str]) -> tuple[str | None, list[str]]:
    """--guide's values: the catalogue file (None: none) and the names of followed guides.

    A value is a name when it is shaped like one (a slug) and no file of that name is
    there; anything else is a file, and only one may be given."""
    import os
    import re

    names = [v for v in values if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", v)]
    names = [v for v in names if not os.path.exists(v)]
    files = [v for v in values if v not in names]
    if len(files) > 1:
        raise ValueError("names one catalogue file at most")
    return (files[0] if files else None), names


URLS = Param(
    "urls",
    ("--urls",),
    "Print each link's URL even where titles are clickable (same as LLMDIVE_URLS=1; on by "
    "default in tmux, screen and the Linux console).",
    flag=True,
)
VERSION = Param("version", ("--version",), "Show the version and exit.", flag=True)
GLOBAL: tuple[Param, ...] = (GUIDE, HOME, URLS, VERSION)
