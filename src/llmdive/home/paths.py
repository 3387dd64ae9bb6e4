"""Where llmdive keeps things: one function each, every one overridable by the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llmdive.workspace import Workspace

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


JOURNAL = ".llmdive-journal"  # an unfinished multi-file commit (storage.write_all)
ACTIVE_GUIDE = "guide.toml"  # in the llmdive home, written by `guide update`


def guide_path(explicit: Path | None, home: Path) -> Path:
    """The catalogue to use: --guide, else $LLMDIVE_GUIDE, else the updated one, else bundled."""
    if explicit is not None:
        return explicit.expanduser()
    env = os.environ.get(GUIDE_ENV)
    if env:
        return Path(env).expanduser()
    active = home / ACTIVE_GUIDE
    if not os.path.exists(home / JOURNAL):
        # Anything there (a FIFO, a device) is the home's guide: refused when read, not skipped.
        return active if os.path.exists(active) else bundled_guide()
    from llmdive.home.storage import exists  # a commit is under way: as it will leave the file

    return active if exists(active) else bundled_guide()


def bundled_guide() -> Path:
    """The catalogue shipped with llmdive: inside the wheel, or data/ of a source checkout."""
    packaged = Path(__file__).parents[1] / "data" / "guide.toml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "data" / "guide.toml"


def locations(ws: Workspace) -> dict[str, str | None]:
    """Where this call's files are, and what chose each place (for `llmdive paths`).

    Reads no file but the catalogue's record of its source, so it answers even when
    a file is broken.
    """
    from llmdive.errors import LlmdiveError
    from llmdive.record.personal import PERSONAL_FILE
    from llmdive.record.progress import PROGRESS_FILE

    home = ws.home
    if ws.home_option is not None:
        home_from = "--home"
    elif env_home():
        home_from = f"${HOME_ENV}"
    else:
        home_from = "default"
    guide = ws.guide_path
    source = None
    env_guide = os.environ.get(GUIDE_ENV)
    # --guide reads $LLMDIVE_GUIDE as its default: the option was given if they differ.
    if ws.guide_option is not None and ws.guide_option != (Path(env_guide or "")):
        guide_from = "--guide"
    elif env_guide:
        guide_from = f"${GUIDE_ENV}"
    elif guide == home / ACTIVE_GUIDE:
        guide_from = "updated"
        from llmdive.guide.update import read_meta

        try:
            source = read_meta(home).source
        except LlmdiveError:
            source = None
    else:
        guide_from = "bundled"
    if os.environ.get(CACHE_ENV):
        cache_from = f"${CACHE_ENV}"
    elif env_home():
        cache_from = "home"
    else:
        cache_from = "default"
    return {
        "home": str(home),
        "home_from": home_from,
        "progress": str(home / PROGRESS_FILE),
        "personal": str(home / PERSONAL_FILE),
        "catalogue": str(guide),
        "catalogue_from": guide_from,
        "catalogue_source": source,
        "cache": str(cache_dir()),
        "cache_from": cache_from,
    }
