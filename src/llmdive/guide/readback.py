"""A catalogue's TOML read back line by line, for the layout `catalogue.toml_text` writes.

`guide import` checks that what it writes reads back as what it built. tomllib does that
character by character (a quarter of an import of a long list); the catalogue's own layout
is a handful of line shapes, each read here with one regular expression. `read_back`
accepts only a strict subset of TOML (bare keys, basic strings with the writer's escapes,
integers, booleans, arrays one item a line, inline tables of scalars, `[[array.of.tables]]`
headers) and gives what tomllib gives for it (tests/guide/test_importer_equivalence.py
compares them); for any other text it answers None, and tomllib reads it instead.
"""

from __future__ import annotations

import json
import re
from typing import Any

# A basic string: no raw control but tab, the writer's escapes only (\u for controls).
# Written as runs of plain characters between escapes: a run is one repeat of a class,
# which the regex engine scans in C without trying an alternation at every character.
_PLAIN = r'[^"\\\x00-\x08\x0a-\x1f\x7f]*'
_ESCAPE = r'\\[bnfr"\\]|\\u00[01][0-9a-fA-F]|\\u007[fF]'
_STRING = rf'"{_PLAIN}(?:(?:{_ESCAPE}){_PLAIN})*"'
_SCALAR = rf"{_STRING}|-?(?:0|[1-9][0-9]*)|true|false"
_KEY = r"[A-Za-z0-9_-]+"
_PAIR = rf"({_KEY}) = ({_SCALAR})"
_INLINE = rf"\{{ {_PAIR}(?:, {_PAIR})* \}}|\{{\}}"

_LINE = re.compile(
    rf"(?P<key>{_KEY}) = (?:(?P<scalar>{_SCALAR})|(?P<open>\[)|(?P<empty>\[\]))"
    rf"|\[\[(?P<header>{_KEY}(?:\.{_KEY})*)\]\]"
    rf"|    (?:(?P<item>{_SCALAR})|(?P<inline>{_INLINE})),"
    r"|(?P<close>\])"
    r"|#[^\x00-\x08\x0a-\x1f\x7f]*"
    r"|"
)
_PAIRS = re.compile(_PAIR)


def _scalar(text: str) -> Any:
    if text[0] == '"':
        return json.loads(text, strict=False) if "\\" in text else text[1:-1]
    if text == "true" or text == "false":
        return text == "true"
    return int(text)


def read_back(text: str) -> dict[str, Any] | None:
    """What tomllib reads from `text`, when it is in the catalogue's layout; else None."""
    root: dict[str, Any] = {}
    table = root
    frozen: set[int] = set()  # arrays written as values and inline tables: never extended
    array: list[Any] | None = None  # the array value being read, one item a line
    fullmatch = _LINE.fullmatch
    for line in text.split("\n"):
        m = fullmatch(line)
        if m is None:
            return None
        kind = m.lastgroup
        if array is not None:
            if kind == "item":
                array.append(_scalar(m.group("item")))
            elif kind == "inline":
                pairs: dict[str, Any] = {}
                for key, value in _PAIRS.findall(m.group("inline")):
                    if key in pairs:
                        return None
                    pairs[key] = _scalar(value)
                frozen.add(id(pairs))
                array.append(pairs)
            elif kind == "close":
                array = None
            else:
                return None
            continue
        if kind == "scalar" or kind == "open" or kind == "empty":
            key = m.group("key")
            if key in table:
                return None
            if kind == "scalar":
                table[key] = _scalar(m.group("scalar"))
            else:
                value_list: list[Any] = []
                table[key] = value_list
                frozen.add(id(value_list))
                array = value_list if kind == "open" else None
        elif kind == "header":
            found = _header(root, m.group("header").split("."), frozen)
            if found is None:
                return None
            table = found
        elif kind is not None:  # an item or a ']' outside an array
            return None
    return None if array is not None else root


def _header(root: dict[str, Any], parts: list[str], frozen: set[int]) -> dict[str, Any] | None:
    """The new table of `[[a.b.c]]`: each of a, b a table or the last table of an array
    of tables; c an array of tables, made here if new."""
    node = root
    for part in parts[:-1]:
        value = node.setdefault(part, {})
        if isinstance(value, list):
            if id(value) in frozen or not value:
                return None
            value = value[-1]
        if not isinstance(value, dict) or id(value) in frozen:
            return None
        node = value
    tables = node.setdefault(parts[-1], [])
    if not isinstance(tables, list) or id(tables) in frozen:
        return None
    table: dict[str, Any] = {}
    tables.append(table)
    return table
