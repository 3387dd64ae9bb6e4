"""Text from data made safe to show: every control written as an unambiguous escape.

The one function for it (`safe`): the terminal (render's Writer), the CLI's errors and
the CSV export all use it, so a control reads the same everywhere (`\\x1b`, `\\u202e`).
It sits below the core modules, which may not import render.
"""

from __future__ import annotations

import re

# The one set of control characters, in named parts: what must never reach a terminal raw.
# C0 controls (ESC, BEL, CR, BS, TAB, newline ...), DEL and the C1 controls (U+009B is a
# one-character CSI to some terminals), the bidi controls that reorder what is shown
# (Trojan Source), line and paragraph separators, and lone surrogates (bytes that were not
# UTF-8, which would also fail to encode). Each user names the parts it means, and the
# characters it keeps (`char_class`); `safe` escapes all of them.
C0 = "\x00-\x1f"
DEL_C1 = "\x7f-\x9f"
BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
SEPARATORS = "\u2028\u2029"
SURROGATES = "\ud800-\udfff"
BEYOND_C0 = DEL_C1 + BIDI + SEPARATORS + SURROGATES
# As a pattern's text: re compiles it at its first use and keeps it (re's cache). Compiled
# here it cost ~1 ms of every start, spanning beyond Latin-1, and most text is printable.
CONTROL_CLASS = f"[{C0}{BEYOND_C0}]"


def __getattr__(name: str) -> re.Pattern[str]:
    # CONTROLS, the compiled class, for whoever asks for it by that name.
    if name == "CONTROLS":
        return re.compile(CONTROL_CLASS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def char_class(*parts: str, keep: str = "") -> str:
    """A regex character class of these parts of the control set, less the `keep` characters.

    `char_class(C0, DEL_C1, keep="\\t\\n")` -> `[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]`.
    """
    kept = {ord(c) for c in keep}
    codes = sorted({c for p in parts for c in _codes(p)} - kept)
    spans: list[list[int]] = []
    for code in codes:
        if spans and spans[-1][1] == code - 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    text = "".join(_char(a) if a == b else f"{_char(a)}-{_char(b)}" for a, b in spans)
    return f"[{text}]"


def _codes(part: str) -> list[int]:
    out: list[int] = []
    i = 0
    while i < len(part):
        if i + 2 < len(part) and part[i + 1] == "-":
            out.extend(range(ord(part[i]), ord(part[i + 2]) + 1))
            i += 3
        else:
            out.append(ord(part[i]))
            i += 1
    return out


def _char(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def safe(text: str) -> str:
    """Text from data, made safe for a terminal: each control shown as an escape (`\\x1b`).

    Like git quoting an odd file name: what was there stays visible, and nothing in it
    can move the cursor, retitle the window, write the clipboard or reorder the line.
    """
    if text.isprintable():  # the usual case, and no regex pass
        return text
    return re.sub(CONTROL_CLASS, _visible, text)
