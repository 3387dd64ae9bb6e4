"""Where llmdive keeps things: `llmdive paths`."""

# No `from __future__ import annotations`: Typer would eval every annotation on each start.
# start-up: every command module is imported on each start (to register its commands), so
# a command imports the core it uses inside its body.
import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from llmdive.cli.app import JsonOpt, app, emit, workspace
from llmdive.errors import LlmdiveError
from llmdive.home.paths import (
    ACTIVE_GUIDE,
    CACHE_ENV,
    GUIDE_ENV,
    HOME_ENV,
    PERSONAL_FILE,
    PROGRESS_FILE,
    cache_dir,
    env_home,
    named_home,
)

if TYPE_CHECKING:
    from llmdive.workspace import Workspace


@app.command("paths")
def paths_(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Where your data, the catalogue in use and the cache are, and what chose each place.

    Example: llmdive --home ~/notes/llmdive paths
    """
    from llmdive.output.views.where import render_paths  # start-up: only when run

    data = locations(workspace(ctx))
    emit(json_out, lambda: data, lambda w: render_paths(w, data))


def locations(ws: "Workspace") -> dict[str, str | None]:
    """Where this call's files are, and what chose each place (for `llmdive paths`).

    Reads no file but the catalogue's record of its source, so it answers even when
    a file is broken.
    """
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
        from llmdive.guide.meta import read_meta  # start-up: every command imports this module

        try:
            source = read_meta(home).source
        except LlmdiveError:
            source = None
    else:
        guide_from = "bundled"
    if os.environ.get(CACHE_ENV):
        cache_from = f"${CACHE_ENV}"
    elif named_home(home) is not None:
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
        "cache": str(cache_dir(home)),
        "cache_from": cache_from,
    }
