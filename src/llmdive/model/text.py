"""Text from data made safe to show: every control written as an unambiguous escape.

The one function for it (`safe`): the terminal (render's Writer), the CLI's errors and
the CSV export all use it, so a control reads the same everywhere (`\\x1b`, `\\u202e`).
It sits below the core modules, which may not import render.
"""

from __future__ import annotations

import re

# What must never reach a terminal raw: C0 controls (ESC, BEL, CR, BS, TAB, newline ...),
# DEL, C1 controls (U+009B is a one-character CSI to some terminals), the bidi controls
# that reorder what is shown (Trojan Source), line and paragraph separators, and lone
# surrogates (bytes that were not UTF-8, which would also fail to encode).
_BEYOND_C0 = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_CONTROL = re.compile(f"[\x00-\x1f{_BEYOND_C0}]")


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
    return _CONTROL.sub(_visible, text)
