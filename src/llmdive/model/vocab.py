"""The closed sets of words llmdive uses: difficulties and reading statuses.

Kept apart from models.py so that the command line can offer them as choices
without importing pydantic (which shell completion and --help never need).
"""

from __future__ import annotations

from enum import StrEnum


def counted(n: int, word: str, words: str | None = None) -> str:
    """'1 link', '3 links', '0 links': a count with its noun (`words`: an irregular plural)."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"
    UNRATED = "unrated"

    @property
    def rank(self) -> int:
        """Order for 'easiest first': unrated links count as medium."""
        return _RANK[self]


_RANK = {Difficulty.EASY: 0, Difficulty.MEDIUM: 1, Difficulty.UNRATED: 1, Difficulty.HARD: 2}


class Status(StrEnum):
    UNREAD = "unread"
    READING = "reading"
    READ = "read"
    SKIPPED = "skipped"


# The default guide (the bundled LLM Deep Dive, or the home's updated guide.toml) is named
# `default`; no followed guide may take that name or the bundled guide's own.
DEFAULT_GUIDE = "default"
RESERVED_GUIDE_NAMES = frozenset({DEFAULT_GUIDE, "llm-deep-dive"})
