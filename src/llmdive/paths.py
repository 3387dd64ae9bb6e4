"""Where llmdive keeps things: one function each, every one overridable by the environment."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "LLMDIVE_HOME"
CACHE_ENV = "LLMDIVE_CACHE_DIR"
GUIDE_ENV = "LLMDIVE_GUIDE"


def home_dir(override: Path | None = None) -> Path:
    """The folder holding progress.json: --home, else $LLMDIVE_HOME, else the user data dir."""
    if override is not None:
        return override.expanduser()
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("llmdive", appauthor=False))


def cache_dir() -> Path:
    """Disposable files (the parsed catalogue): $LLMDIVE_CACHE_DIR, else the user cache dir."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("llmdive", appauthor=False))


ACTIVE_GUIDE = "guide.toml"  # in the llmdive home, written by `guide update`


def guide_path(explicit: Path | None, home: Path) -> Path:
    """The catalogue to use: --guide, else $LLMDIVE_GUIDE, else the updated one, else bundled."""
    if explicit is not None:
        return explicit.expanduser()
    env = os.environ.get(GUIDE_ENV)
    if env:
        return Path(env).expanduser()
    from llmdive.storage import exists

    active = home / ACTIVE_GUIDE
    return active if exists(active) else bundled_guide()


def bundled_guide() -> Path:
    """The catalogue shipped with llmdive: inside the wheel, or data/ of a source checkout."""
    packaged = Path(__file__).parent / "data" / "guide.toml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "data" / "guide.toml"
