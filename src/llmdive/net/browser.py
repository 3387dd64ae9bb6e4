"""Opening a link in the reader's web browser (Python's webbrowser, so $BROWSER is honoured).

A URL comes from a README or a record, so no part of it may run as a command. Every
character a shell gives a meaning to is percent-encoded first, except the URL's own
separators (`?`, `&`, `=`, `#`, `~`), which address the same page only as written; and a
$BROWSER entry that writes the URL into a shell's command line (`sh -c 'firefox %s'`),
where `&` would still start a command, is refused: `browser %s` or a script taking the
URL as `"$1"` (`sh -c 'firefox "$1"' sh %s`) receives it as one argument, never parsed.
An interpreter running inline code (`python3 -c ...`, `perl -e ...`, `node -e ...`) is
refused too: what that code does with the URL cannot be seen from outside.
"""

from __future__ import annotations

from llmdive.errors import LlmdiveError
from llmdive.model.urls import UrlError, check_link_url

# Kept as written: letters, digits and what a URL needs, none of which a shell expands,
# or only at the start of a word (`~`, `#`) or as a command separator (`&`, see above).
_KEPT = frozenset("-._~:/?#@&=+,%")
_SHELLS = frozenset("sh bash dash zsh ksh mksh ash fish csh tcsh busybox".split())  # noqa: SIM905
# Interpreters and the short options that make them run code given inline: that code may do
# anything with the URL it is passed (`python3 -c 'os.system("echo "+sys.argv[1])' %s`),
# so such an entry is refused whatever it does with it.
_INLINE = {
    "python": "c",
    "pypy": "c",
    "perl": "eE",
    "ruby": "e",
    "node": "ep",
    "nodejs": "ep",
    "php": "r",
    "lua": "e",
    "osascript": "e",
    "tclsh": "",
}


def checked_url(url: str) -> str:
    """`url` if it is a link's URL (the door check, `urls.check_link_url`); else refused."""
    try:
        return check_link_url(url)
    except UrlError:
        raise LlmdiveError(f"not opening {url!r}: only http and https URLs are opened") from None


def shell_safe(url: str) -> str:
    """`url` with every ASCII character a shell would interpret percent-encoded.

    `https://a.example/$(touch${IFS}x)` -> `https://a.example/%24%28touch%24%7BIFS%7Dx%29`;
    a host of letters, digits, dots, dashes, a port or an IPv6 address in brackets is kept.
    """
    scheme, sep, rest = url.partition("://")
    cut = min(
        (i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest)
    )
    host, tail = rest[:cut], rest[cut:]
    if not all(c.isalnum() or c in "-._~:[]" or not c.isascii() for c in host):
        host, tail = "", rest
    return (
        scheme
        + sep
        + host
        + "".join(
            c if c.isalnum() or c in _KEPT or not c.isascii() else f"%{ord(c):02X}" for c in tail
        )
    )


def shell_template(command: str) -> bool:
    """Does this $BROWSER entry write the URL into a shell's command line?

    `sh -c 'firefox %s'`, `bash -lc "open %s"`, `env sh -c %s`: yes. `firefox %s`,
    `chromium --app=%s`, `sh -c 'firefox "$1"' sh %s`: no, the URL stays one argument.
    """
    import shlex

    if "%s" not in command:
        return False
    try:
        argv = shlex.split(command)
    except ValueError:
        return True  # unbalanced quotes: not a command line to trust with a URL
    if _inline_code(argv):
        return True
    # The shell may come after `env`, `nohup`, `setsid` ...: look from the first one.
    shell = next((i for i, a in enumerate(argv) if a.rpartition("/")[2] in _SHELLS), None)
    if shell is None:
        return False
    for at in range(shell + 1, len(argv)):
        arg = argv[at]
        if not arg.startswith("-") or arg.startswith("--"):
            return False  # a script file, then its arguments: the URL is one of them
        if "c" in arg:
            return "%s" in (argv[at + 1] if at + 1 < len(argv) else "")
    return False


def _inline_code(argv: list[str]) -> bool:
    """Does this command run an interpreter on code given inline (-c, -e, --eval ...)?"""
    for i, word in enumerate(argv):
        name = word.rpartition("/")[2].rstrip("0123456789.")
        if name not in _INLINE:
            continue
        for arg in argv[i + 1 :]:
            if arg in ("--eval", "--print") or arg.startswith(("--eval=", "--print=")):
                return True
            if not arg.startswith("-") or arg == "-":
                return False  # a script file: it takes the URL as an argument
            if not arg.startswith("--") and any(c in _INLINE[name] for c in arg[1:]):
                return True
    return False


def refused_template() -> str | None:
    """The first $BROWSER entry that would hand a URL to a shell, or None."""
    import os

    entries = os.environ.get("BROWSER", "").split(os.pathsep)
    return next((e for e in entries if e.strip() and shell_template(e)), None)


def open_url(url: str) -> bool:
    """Hand an http(s) URL to the browser, shell-safe; False when no browser took it.

    A $BROWSER that would pass the URL to a shell is refused (LlmdiveError), before anything runs.
    """
    import webbrowser

    safe = shell_safe(checked_url(url))
    template = refused_template()
    if template is not None:
        import shlex

        try:
            inline = _inline_code(shlex.split(template))
        except ValueError:
            inline = False
        how = (
            "runs an interpreter's inline code on the URL"
            if inline
            else "writes the URL into a shell command"
        )
        raise LlmdiveError(
            f"not handing the URL to $BROWSER ({template}): it {how}, "
            "where text from a URL could run; set $BROWSER to the browser itself "
            "(for example 'firefox %s'); open the URL above by hand"
        )
    try:
        return webbrowser.open(safe, new=2)
    except webbrowser.Error:
        return False
