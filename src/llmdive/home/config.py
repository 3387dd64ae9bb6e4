"""config.json: the reader's settings on this machine (`llmdive config`), strict and versioned.

Two settings: `pace` (how much a week the reader reads, like 5h/week: progress's finish
dates) and `wpm` (words a minute, for an article's reading time in check-links
--durations). The file is read by statefile's one reader and validated whole: an
unknown key, or a value the setting's own parser refuses, is an error naming the file,
which is left as it is.
"""

from __future__ import annotations

from pathlib import Path

from llmdive.errors import LlmdiveError
from llmdive.home.infile import parse_json
from llmdive.home.lock import locked
from llmdive.home.paths import CONFIG_FILE
from llmdive.home.statefile import load_state, save_state
from llmdive.model.timespec import parse_pace

Config = dict[str, str | int]
KEYS = ("pace", "wpm")


def config_file(home: Path) -> Path:
    return home / CONFIG_FILE


def check(key: str, value: object) -> str | int:
    """A setting's value as stored; ValueError saying what it takes."""
    if key == "pace":
        if not isinstance(value, str):
            raise ValueError("pace is text, like 5h/week")
        parse_pace(value)
        return value.strip()
    if key == "wpm":
        text = str(value).strip() if not isinstance(value, bool) else ""
        if isinstance(value, bool) or not text.isdigit() or not 50 <= int(text) <= 2000:
            raise ValueError(f"wpm is words a minute, 50 to 2000, not {str(value)[:20]!r}")
        return int(text)
    raise ValueError(f"no setting {key[:40]!r}: the settings are {', '.join(KEYS)}")


def _parse(data: bytes, path: Path) -> Config:
    raw = parse_json(data, path)
    try:
        if not isinstance(raw, dict) or raw.get("version") != 1:
            raise ValueError("not a version 1 config file")
        return {k: check(k, v) for k, v in raw.items() if k != "version"}
    except ValueError as exc:
        raise LlmdiveError(
            f"{path}: {exc}; fix it, or `llmdive config KEY --unset`; the file is untouched"
        ) from None


def load_config(home: Path) -> Config:
    """The settings; {} when none was ever set."""
    return load_state(config_file(home), _parse, dict)


def set_config(home: Path, key: str, value: str | None) -> Config:
    """Set (None: unset) one setting, under the home lock; the settings after."""
    stored = None if value is None else check(key, value)
    if key not in KEYS:
        check(key, "")
    with locked(home):
        config = load_config(home)
        if stored is None:
            config.pop(key, None)
        else:
            config[key] = stored
        save_state(config_file(home), {"version": 1, **config})
    return config
