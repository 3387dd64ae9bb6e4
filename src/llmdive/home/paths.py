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
    return default_home()


def default_home() -> Path:
    """The home when none is named: the user data dir."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("llmdive", appauthor=False))


CACHE_IN_HOME = "cache"


def named_home(home: Path | None = None) -> Path | None:
    """`home` (a call's home, as home_dir() found it) unless it is the default one; with
    no `home`, the one $LLMDIVE_HOME names. None: the home is the default one."""
    env = env_home()
    if home is None:
        return Path(env).expanduser() if env else None
    if env and home == Path(env).expanduser():
        return home  # named by $LLMDIVE_HOME: no need to ask where the default is
    return None if home == default_home() else home


def cache_dir(home: Path | None = None) -> Path:
    """Disposable files (validated catalogue and progress): $LLMDIVE_CACHE_DIR, else the
    `cache` folder of a named home (--home, $LLMDIVE_HOME: it moves everything llmdive
    writes), else the user cache dir. `home`: the call's home (None: the environment's)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    named = named_home(home)
    if named is not None:
        return named / CACHE_IN_HOME
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
GUIDES_FILE = "guides.json"  # the guides followed besides the default one (guide/followed.py)
# Each followed guide's catalogue and record sit beside it, in the home itself, so that
# guides.json and they change in one commit (storage.write_all: one folder's files).
FOLLOWED_PREFIX = "guides."


def followed_toml(home: Path, name: str) -> Path:
    """The catalogue of the followed guide `name` (a checked slug: never a path)."""
    return home / f"{FOLLOWED_PREFIX}{name}.toml"


def followed_meta(home: Path, name: str) -> Path:
    """Where the followed guide `name` came from and its updates (guide/meta.py's Meta)."""
    return home / f"{FOLLOWED_PREFIX}{name}.json"


def bundled_guide() -> Path:
    """The catalogue shipped with llmdive: inside the wheel, or data/ of a source checkout."""
    packaged = Path(__file__).parents[1] / "data" / "guide.toml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "data" / "guide.toml"
