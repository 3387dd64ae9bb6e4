"""Hostile strings, and a home full of them, for any test that prints data.

Every string here would do something to a terminal if printed raw: clear the screen,
retitle the window, write the clipboard (OSC 52), query the terminal (DCS), move the
cursor, or reorder the line (bidi controls). `assert_inert` checks an output holds
none of them; `hostile_home` fills an llmdive home with them, in every field a command
prints. Import from here in any test module: `from .hostile import HOSTILE, assert_inert`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

# Each has a marker word, so a test can find where it landed in an output.
HOSTILE = [
    "clear \x1b[2J\x1b[H screen",
    "title \x1b]0;pwned\x07 window",
    "clip \x1b]52;c;cHduZWQ=\x07 board",
    "query \x1bP+q544e\x1b\\ dcs",
    "link \x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\ osc8",
    "colour \x1b[31;1m red",
    "c1csi \x9b2J eight-bit",
    "c1osc \x9d0;pwned\x9c eight-bit",
    "bell \x07 and backspace \x08\x08 and return \r over",
    "del \x7f nul \x00 vt \x0b ff \x0c tab \t end",
    "bidi \u202egnp.exe\u202c and \u2066isolate\u2069 and \u200fmark",
    "lines \u2028 para \u2029 split",
    "markup [bold red]not bold[/] [link=https://evil.example]x[/link]",
    "[vLLM] brackets kept",
]

# A few of the above, safe for places that are validated (ids, slugs stay plain).
MARKUP = "[vLLM] [bold]markup[/bold] kept"

# What llmdive itself writes on a terminal: SGR styles, and OSC 8 hyperlinks whose target
# is printable ASCII. Anything else that acts on a terminal must not appear.
_OURS = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;;[!-~]*\x1b\\")
_RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def strip_ours(output: str) -> str:
    """`output` without llmdive's own styling: the text as a reader sees it."""
    return _OURS.sub("", output)


def assert_inert(output: str, where: str = "") -> None:
    """No control from data in `output` (newlines aside; llmdive's own styling allowed)."""
    rest = _OURS.sub("", output)
    found = _RAW.search(rest)
    if found is not None:
        around = rest[max(0, found.start() - 40) : found.end() + 40]
        raise AssertionError(f"{where}: raw {found.group()!r} at {found.start()}: {around!r}")


def _toml(value: str) -> str:
    """A TOML basic string holding anything (controls as \\u escapes, which TOML allows)."""
    out = []
    for c in value:
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif " " <= c <= "~":
            out.append(c)
        else:
            out.append(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}")
    return '"' + "".join(out) + '"'


def hostile_ids() -> list[str]:
    return [f"hostile-{i}" for i in range(len(HOSTILE))]


def hostile_guide(url: str = "https://example.com/{i}") -> str:
    """A catalogue whose every title, description and tip is hostile (ids stay valid), each
    link with a related link titled as hostile."""
    lines = ["version = 1", f"title = {_toml('Guide ' + HOSTILE[0])}", ""]
    for s, text in enumerate(HOSTILE[:3]):
        lines += [
            "[[sections]]",
            f'slug = "section-{s}"',
            f"title = {_toml('Section ' + text)}",
            f"description = {_toml(text)}",
            f"tip = {_toml(text)}",
            "",
        ]
        lines += [
            "[[sections.topics]]",
            f'slug = "topic-{s}"',
            f"title = {_toml(HOSTILE[-1 - s])}",
            "",
        ]
        for i, title in enumerate(HOSTILE):
            if i % 3 != s:
                continue
            lines += [
                "[[sections.topics.links]]",
                f'id = "hostile-{i}"',
                f"title = {_toml(title)}",
                f"url = {_toml(url.format(i=i))}",
                f'difficulty = "{("easy", "medium", "hard")[s]}"',
                "",
                # A related link titled with the same hostile text (show, search, exports).
                "[[sections.topics.links.related]]",
                f"title = {_toml('code ' + title)}",
                f'url = "https://example.com/{i}/code"',
                "",
            ]
        lines += ["[[sections.topics.topics]]", f'slug = "empty-{s}"', f"title = {_toml(text)}", ""]
    return "\n".join(lines) + "\n"


def hostile_home(home: Path) -> None:
    """An llmdive home where every printed field is hostile: catalogue, progress, personal, meta."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "guide.toml").write_text(hostile_guide(), encoding="utf-8")
    ids = hostile_ids()
    stamp = "2026-01-0{d}T10:00:00Z"
    links = {}
    for i, (key, text) in enumerate(zip(ids, HOSTILE, strict=True)):
        status = ("read", "reading", "skipped", "unread")[i % 4]
        at = stamp.format(d=1 + i % 9)
        links[key] = {
            "status": status,
            "changed": at,
            "title": text,
            "url": f"https://example.com/{i}",
            "note": f"note {text}\nsecond line {text}",
            "noted": at,
            "events": [{"at": at, "status": status}],
        }
        if status == "unread":
            del links[key]["status"]
    # Entries for links the guide no longer has: their stored title, URL and key are printed.
    for text in HOSTILE:
        links[f"gone {text}"] = {
            "status": "read",
            "changed": "2026-01-01T00:00:00Z",
            "title": text,
            "url": f"https://example.com/{text}",
            "events": [{"at": "2026-01-01T00:00:00Z", "status": "read"}],
        }
    (home / "progress.json").write_text(
        json.dumps({"version": 1, "links": links}), encoding="utf-8"
    )
    personal = [
        {
            "id": f"mine-{i}",
            "title": f"mine {text}",
            "url": f"https://example.org/{i}",
            "difficulty": "unrated",
            "section": "topic-0",
            "added": "2026-01-02T00:00:00Z",
        }
        for i, text in enumerate(HOSTILE)
    ]
    (home / "personal.json").write_text(
        json.dumps({"version": 1, "links": personal}), encoding="utf-8"
    )
    meta = {
        "version": 1,
        "source": f"https://example.com/{HOSTILE[1]}",
        "updated": "2026-01-03T00:00:00Z",
        "updates": [
            {"at": "2026-01-03T00:00:00Z", "source": HOSTILE[2], "added": ids, "removed": []}
        ],
    }
    (home / "guide-meta.json").write_text(json.dumps(meta), encoding="utf-8")


def hostile_readme() -> str:
    """A README in the guide's format whose headings and titles are hostile."""
    lines = ["# Guide \x1b]0;pwned\x07", ""]
    for s, text in enumerate(HOSTILE):
        lines += [
            f"### Section {s} {text}",
            f"#### Topic {s} {text}",
            f"- [{text}](https://example.com/readme/{s}) "
            "![Easy](https://img.shields.io/badge/difficulty-Easy-green)",
            "",
        ]
    return "\n".join(lines) + "\n"
