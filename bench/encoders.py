"""How fast progress.json can be written: llmdive's encoder against the alternatives.

    python bench/encoders.py [--rounds N] [--entries N]

Encodes one progress document (10,000 entries by default, shaped like bench/run.py's,
with notes, non-ASCII titles and several events per entry) with each encoder, many times,
and prints the median time of each and its ratio to the standard library's
`json.dumps(indent=2, sort_keys=True, ensure_ascii=False)`. Every encoder must produce
exactly the standard library's bytes, or the run stops. It also measures what importing
each encoder's module costs a process (`python -X importtime`), which every `mark-read`
pays.

The hand-written encoders that llmdive used before orjson are kept here, verbatim in
what they did, so that the comparison can be run again.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson

from llmdive.home.statefile import encode_state

_encode_str = json.encoder.encode_basestring


# ---------------------------------------------------------------- the hand-written encoders


def pretty_json(value: object) -> str:
    out: list[str] = []
    _pretty(value, "\n", out)
    out.append("\n")
    return "".join(out)


def _pretty(value: object, newline: str, out: list[str]) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        sep = "{" + inner
        for key in sorted(value):
            item = value[key]
            if isinstance(item, str):
                out.append(f"{sep}{_encode_str(key)}: {_encode_str(item)}")
            else:
                out.append(f"{sep}{_encode_str(key)}: ")
                _pretty(item, inner, out)
            sep = "," + inner
        out.append(newline + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        sep = "[" + inner
        for item in value:
            out.append(sep)
            _pretty(item, inner, out)
            sep = "," + inner
        out.append(newline + "]")
    elif isinstance(value, str):
        out.append(_encode_str(value))
    else:
        out.append(json.dumps(value))


_ENTRY_KEYS = ("changed", "events", "note", "noted", "status", "title", "url")
_PLAIN = frozenset({"changed", "noted", "status"})
_I6, _I8, _I10 = "\n      ", "\n        ", "\n          "


def progress_json(doc: dict[str, Any]) -> str:
    links = doc["links"]
    if doc.keys() != {"links", "version"} or any(e.keys() - _ENTRY_KEYS for e in links.values()):
        return pretty_json(doc)
    if not links:
        return pretty_json(doc)
    body = ",\n    ".join([f"{_encode_str(k)}: {_entry_json(links[k])}" for k in sorted(links)])
    return f'{{\n  "links": {{\n    {body}\n  }},\n  "version": {json.dumps(doc["version"])}\n}}\n'


def _entry_json(entry: dict[str, Any]) -> str:
    out = []
    for key in _ENTRY_KEYS:
        value = entry.get(key)
        if value is None:
            continue
        if key == "events":
            events = [_event_json(e) for e in value]
            out.append(f'"events": [{",".join(events)}{_I6}]' if events else '"events": []')
        elif key in _PLAIN:
            out.append(f'"{key}": "{value}"')
        else:
            out.append(f'"{key}": {_encode_str(value)}')
    return "{" + _I6 + ("," + _I6).join(out) + "\n    }" if out else "{}"


def _event_json(event: dict[str, Any]) -> str:
    if len(event) == 2 and "status" in event:
        return f'{_I8}{{{_I10}"at": "{event["at"]}",{_I10}"status": "{event["status"]}"{_I8}}}'
    out = [_I8]
    _pretty(event, _I8, out)
    return "".join(out)


# ---------------------------------------------------------------- the measurement


def document(entries: int) -> dict[str, Any]:
    stamp = "2026-01-01T00:00:00Z"
    links = {}
    for i in range(entries):
        status = ("read", "read", "skipped", "unread")[i % 4]
        events: list[dict[str, str]] = [
            {"at": stamp, "status": "reading"},
            {"at": "2026-01-02T10:11:12.123456Z", "status": status},
        ]
        entry: dict[str, Any] = {
            "changed": stamp,
            "events": events,
            "title": f"Reading number {i}: über “quotes” ✓",
            "url": f'https://example.com/{i}?q=a&b="c"',
        }
        if i % 5 == 0:
            entry["note"] = f"re-read part {i}\nline two\t(tab)"
            entry["noted"] = stamp
            events.append({"at": stamp, "note": entry["note"]})
        if status != "unread":
            entry["status"] = status
        links[f"link-{i:05d}"] = entry
    return {"version": 1, "links": links}


def stdlib(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


ENCODERS: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "json.dumps(indent=2, sort_keys=True)": stdlib,
    "hand-written pretty_json (general)": lambda d: pretty_json(d).encode(),
    "hand-written progress_json (by shape)": lambda d: progress_json(d).encode(),
    "orjson OPT_INDENT_2 | OPT_SORT_KEYS": lambda d: (
        orjson.dumps(d, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    ),
    "llmdive.home.statefile.encode_state": encode_state,
}


def import_cost(module: str, runs: int = 15) -> float:
    """Median self+children import time of `module` in a fresh process, in ms."""
    times = []
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            capture_output=True,
            text=True,
            check=True,
        )
        last = [line for line in proc.stderr.splitlines() if re.search(rf"\| {module}$", line)]
        times.append(int(last[-1].split("|")[1]) / 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--entries", type=int, default=10_000)
    opts = parser.parse_args()
    doc = document(opts.entries)
    want = stdlib(doc)
    for name, encode in ENCODERS.items():
        if encode(doc) != want:
            sys.exit(f"{name}: not the standard library's bytes")
    times: dict[str, list[float]] = {name: [] for name in ENCODERS}
    for _ in range(opts.rounds):
        for name, encode in ENCODERS.items():
            start = time.perf_counter()
            encode(doc)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["json.dumps(indent=2, sort_keys=True)"])
    width = max(map(len, ENCODERS))
    print(f"{opts.entries} entries, {len(want) / 1e6:.1f} MB, same bytes from every encoder")
    print(f"{'encoder':<{width}}  {'median':>9}  {'x stdlib':>8}")
    for name, spent in times.items():
        med = statistics.median(spent)
        print(f"{name:<{width}}  {med * 1000:7.1f}ms  {med / base:8.2f}")
    print(f"import orjson: {import_cost('orjson'):.2f} ms (median of 15 fresh processes)")
    print(f"import json:   {import_cost('json'):.2f} ms")


if __name__ == "__main__":
    main()
