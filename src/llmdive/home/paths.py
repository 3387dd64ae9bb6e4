"""Where llmdive keeps things: one function each, every one overridable by the environment."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "LLMDIVE_HOME"
CACHE_ENV = "LLMDIVE_CACHE_DIR"
GUIDE_ENV = "LLMDIVE_GUIDE"
GUIDE_URL_ENV = "LLMDIVE_GUIDE_URL"  # where `guide update` with no --from reads
UPSTREAM_URL = "https://raw.githubusercontent.com/Exorust/LLM-Deep-Dive/main/README.md"


def env_home() -> str | None:
    """$LLMDIVE_HOME when it names something; empty (or blank) means unset."""
    env = os.environ.get(HOME_ENV)
    return env if env and env.strip() else None


def home_dir(override: Path | None = None) -> Path:
    """The folder holding progress.json: --home, else $LLMDIVE_HOME, else the user data dir."""
    if override is not None:
        return override.expanduser()
    env = env_home()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("llmdive", appauthor=False))


CACHE_IN_HOME = "cache"


def cache_dir() -> Path:
    """Disposable files (validated catalogue and progress): $LLMDIVE_CACHE_DIR, else the
    `cache` folder of $LLMDIVE_HOME when it is set (so that it moves everything llmdive
    writes), else the user cache dir. `--home` sets $LLMDIVE_HOME for its call."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    home = env_home()
    if home:
        return Path(home).expanduser() / CACHE_IN_HOME
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("llmdive", appauthor=False))


# The files of the llmdive home: this is the one place that names them.
PROGRESS_FILE = "progress.json"  # the reader's record (record/progress.py)
PERSONAL_FILE = "personal.json"  # the reader's own links (record/personal.py)
ACTIVE_GUIDE = "guide.toml"  # written by `guide update` (guide/update.py)
META_FILE = "guide-meta.json"  # where ACTIVE_GUIDE came from, each update's changes
CHECKS_FILE = "linkcheck.json"  # what `check-links` found (net/linkmarks.py)
LOCK_FILE = f"{PROGRESS_FILE}.lock"  # held around every change to the home (home/lock.py)
JOURNAL = ".llmdive-journal"  # an unfinished multi-file commit (storage.write_all)


def bundled_guide() -> Path:
    """The catalogue shipped with llmdive: inside the wheel, or data/ of a source checkout."""
    packaged = Path(__file__).parents[1] / "data" / "guide.toml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "data" / "guide.toml"
