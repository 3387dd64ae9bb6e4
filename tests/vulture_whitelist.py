"""What vulture cannot see used in src, each with why it is kept.

tests/test_guardrails.py runs vulture over src with this file: a name mentioned here counts
as used. Never imported; an entry goes when its code does.
"""

from typing import Any

from llmdive.cli.app import Group
from llmdive.cli.progress import RecordFormat

_: Any = None  # stands for objects whose attributes vulture is told about by name

_kept = [
    # Click calls it to write the command list of --help.
    Group.format_commands,
    # Chosen by its value on the command line (`progress export --format csv`).
    RecordFormat.CSV,
    # Read by urllib's HTTPRedirectHandler (guide/fetch.py: the bound on redirects).
    _.max_redirections,
    # HTMLParser's callbacks and their arguments (guide/readme.py: a README's <h1> title).
    _.handle_starttag,
    _.attrs,
    _.handle_endtag,
    _.handle_data,
    # markdown-it's hooks, replaced (guide/readme.py: URLs kept as written, every link let
    # through to be reported).
    _.normalizeLink,
    _.validateLink,
    # pydantic reads the config and calls the validator (model/inputs.py).
    _.model_config,
    _._changes_something,
    _._names_once,  # guides.json: each name once, none reserved (model/inputs.py)
    # Keys of the --json shapes (output/shapes.py TypedDicts), written by their builders as
    # dict keys, which vulture does not see as uses.
    _.status_changed,
    _.link_check,
    _.passed_over,
    _.catalogue_from,
    _.catalogue_source,
    _.status_before,
    _.matched_related,
    # Module __getattr__ (PEP 562): Python calls it for `from llmdive.cli import app`, which
    # builds the Typer app only when asked (cli/__init__.py).
    _.__getattr__,
    # shlex.shlex settings, read by the lexer (cli/fast.py: COMP_WORDS split as Typer does).
    _.whitespace_split,
    _.commenters,
]
