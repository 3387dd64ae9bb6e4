"""Benchmark llmdive's commands against the floor of its own dependencies, in one run.

    python bench/run.py [--rounds N]

Every round runs each command once, alternating with two baselines: `python -c pass`
and the floor, `python -c "import typer, pydantic, rich.console, rich.table,
platformdirs"`. Medians over the rounds are reported with their ratio to the floor's
median from the same run, so that a busy machine slows both sides alike. A large
catalogue (10,000 links under ~200 headings, imported with `llmdive guide import`)
and a progress file of 10,000 entries are generated in a temporary folder.

Standard library only, plus llmdive (installed in the running Python).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

FLOOR_IMPORTS = "import typer, pydantic, rich.console, rich.table, platformdirs"
TYPER_FLOOR = "typer floor (import typer)"
LEVELS = ("Easy", "Medium", "Hard")
BUNDLED_LINKS = 29
COLOURS = {"Easy": "green", "Medium": "yellow", "Hard": "red"}


def llmdive_cmd() -> list[str]:
    script = Path(sys.executable).with_name("llmdive")
    return [str(script)] if script.exists() else [sys.executable, "-m", "llmdive"]


def big_readme(links: int = 10_000, sections: int = 20, topics: int = 9, name: str = "") -> str:
    """A README in the guide's format: sections, topics and sub-topics (~200 headings).
    `name` starts its title and every link's title and host (another guide's links)."""
    title = f"{name} Guide" if name else "Big Guide"
    host = f"{name}.example.com" if name else "example.com"
    lead = f"{name} r" if name else "R"
    lines = [f"# {title}", "", "#### ◻️Table of contents", "- [x](#x)", ""]
    headings = [(s, t) for s in range(sections) for t in range(topics + 1)]
    per_heading = links // len(headings)
    n = 0
    for s, t in headings:
        if t == 0:
            lines += ["---", f"### 🟩 Section {s} about topic {s}", f"Text of section {s}."]
        elif t % 3 == 0:
            lines.append(f"##### Sub topic {s}-{t}")
        else:
            lines.append(f"#### ◻️Topic {s}-{t}")
        count = per_heading + (1 if n + per_heading < links and (s, t) == headings[-1] else 0)
        if (s, t) == headings[-1]:
            count = links - n
        for _ in range(count):
            level = LEVELS[n % 3]
            badge = f"![{level}](https://img.shields.io/badge/difficulty-{level}-{COLOURS[level]})"
            lines.append(
                f"- [{lead}eading number {n} on subject {n % 97} part {n % 13}]"
                f"(https://{host}/s{s}/t{t}/{n}) {badge}"
            )
            n += 1
        lines.append("")
    return "\n".join(lines) + "\n"


def big_list(chars: int = 2_000_000) -> str:
    """A curated list of ~2 MiB as people write them (the importer's size limit is 2 MiB):
    `##` sections and `###` groups, bullets with a description, a star shield and a code
    link, a table of papers with [pdf] and [code] links per group, a table of contents."""
    lines = ["# Awesome Big List", "", "## Contents", ""]
    lines += [f"- [Category {c}](#category-{c})" for c in range(40)]
    lines.append("")
    n = 0
    size = sum(len(x) + 1 for x in lines)
    c = 0
    while size < chars - 2_000:
        block = [f"## Category {c % 40}", "", f"Tools and papers of kind {c}.", ""]
        for g in range(4):
            block += [f"### Group {c}-{g}", ""]
            for _ in range(20):
                block.append(
                    f"- [Project {n} for subject {n % 97}](https://github.com/org{n % 50}/p{n}) - "
                    f"A library that does task {n % 13} well, with notes on setup and use. "
                    f"![stars](https://img.shields.io/github/stars/org{n % 50}/p{n}) "
                    f"[docs](https://docs.example.com/p{n})"
                )
                n += 1
            block += ["", "| Paper | Year | Links |", "|---|---|---|"]
            for _ in range(5):
                block.append(
                    f"| Paper number {n} on topic {n % 31} | 20{n % 25:02d} | "
                    f"[[pdf]](https://arxiv.org/abs/{n:05d}) [[code]](https://github.com/x/{n}) |"
                )
                n += 1
            block.append("")
        size += sum(len(x) + 1 for x in block)
        lines += block
        c += 1
    return "\n".join(lines) + "\n"


def big_catalogue(links: int, name: str = "Big Guide", prefix: str = "") -> str:
    """A catalogue (guide.toml) of `links` links under 200 headings, laid out as bench's
    imported one (20 sections of 9 topics, every third a sub-topic), written directly: a
    README of 100,000 links is past what `guide import` reads (5 MiB). `prefix` starts
    every id, slug and URL path, so that several such guides share none of them."""
    levels = ("easy", "medium", "hard")
    out = ["version = 1", f'title = "{name}"', ""]
    headings = [(s, t) for s in range(20) for t in range(10)]
    n = 0
    for k, (s, t) in enumerate(headings):
        if t == 0:
            table, slug, title = "sections", f"section-{s}", f"Section {s} about topic {s}"
        elif t % 3 == 0:
            table, slug, title = "sections.topics.topics", f"sub-topic-{s}-{t}", f"Sub {s}-{t}"
        else:
            table, slug, title = "sections.topics", f"topic-{s}-{t}", f"Topic {s}-{t}"
        out += [f"[[{table}]]", f'slug = "{prefix}{slug}"', f'title = "{title}"', ""]
        count = links - n if k == len(headings) - 1 else links // len(headings)
        for _ in range(count):
            out += [
                f"[[{table}.links]]",
                f'id = "{prefix}reading-{n}"',
                f'title = "Reading number {n} on subject {n % 97} part {n % 13}"',
                f'url = "https://example.com/{prefix}s{s}/t{t}/{n}"',
                f'difficulty = "{levels[n % 3]}"',
                "",
            ]
            n += 1
    return "\n".join(out) + "\n"


def a_record(ids: list[str], events: int = 1) -> str:
    """progress.json with an entry per id (read, read, skipped, unread in turn), with
    `events` changes each (the last one its status), every change at its own time: each
    `undo` takes back one link's last change, and there are len(ids) * events of them."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    links = {}
    for i, link_id in enumerate(ids):
        status = ("read", "read", "skipped", "unread")[i % 4]
        statuses = [("reading", "read")[e % 2] for e in range(events - 1)] + [status]
        history = [
            {
                "at": (start + timedelta(seconds=i * events + e)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "status": st,
            }
            for e, st in enumerate(statuses)
        ]
        entry = {
            "changed": history[-1]["at"],
            "events": history,
            "title": f"Reading number {i}",
            "url": f"https://example.com/{i}",
        }
        if status != "unread":
            entry["status"] = status
        links[link_id] = entry
    return json.dumps({"version": 1, "links": links}, indent=2, sort_keys=True)


@dataclass
class Case:
    name: str
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cmd: list[str] | None = None  # a whole command line instead of `llmdive ARGS`
    rotate: list[str] | None = None  # ids: each round takes the next one (so each is a real write)
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)  # peak memory of each run, KiB

    def argv(self, round_no: int) -> list[str]:
        if self.cmd is not None:
            return self.cmd
        args = list(self.args)
        if self.rotate:
            args.append(self.rotate[round_no % len(self.rotate)])
        return [*llmdive_cmd(), *args]


def run_once(case: Case, round_no: int, base_env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run, stdout to /dev/null as when piped."""
    env = {**base_env, **case.env}
    start = time.perf_counter()
    proc = subprocess.Popen(
        case.argv(round_no), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{case.name} failed ({proc.returncode}): {err.decode()[-500:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


# A child's peak memory (ru_maxrss) starts at its parent's when it execs (Linux keeps the
# larger of the two), and this script holds megabytes of generated guides: each command
# whose memory is measured runs once more as the child of a small launcher.
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.execvpe(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measure_peak(case: Case, round_no: int, base_env: dict[str, str]) -> None:
    """The peak memory (KiB) of one run of `case`, kept in case.rss."""
    out = subprocess.run(
        [sys.executable, "-S", "-c", LAUNCHER, *case.argv(round_no)],
        env={**base_env, **case.env},
        capture_output=True,
        check=True,
    )
    case.rss.append(int(out.stdout))


def prepare_large(work: Path, env: dict[str, str]) -> tuple[Path, Path, list[str]]:
    """The 10,000-link catalogue and a 10,000-entry progress file; ids left unread to mark."""
    readme = work / "BIG-README.md"
    readme.write_text(big_readme(), encoding="utf-8")
    guide = work / "big-guide.toml"
    subprocess.run(
        [*llmdive_cmd(), "guide", "import", str(readme), "-o", str(guide)],
        env=env,
        check=True,
        stderr=subprocess.DEVNULL,
    )
    out = subprocess.run(
        [*llmdive_cmd(), "--guide", str(guide), "list", "--json"],
        env=env,
        check=True,
        capture_output=True,
    )
    ids = [d["id"] for d in json.loads(out.stdout)]
    stamp = "2026-01-01T00:00:00Z"
    links = {}
    unread = []
    for i, link_id in enumerate(ids):
        status = ("read", "read", "skipped", "unread")[i % 4]
        entry = {
            "changed": stamp,
            "events": [{"at": stamp, "status": status}],
            "title": f"Reading number {i}",
            "url": f"https://example.com/{i}",
        }
        if status != "unread":
            entry["status"] = status
        else:
            unread.append(link_id)
        links[link_id] = entry
    home = work / "data-large" / "llmdive"
    home.mkdir(parents=True)
    (home / "progress.json").write_text(
        json.dumps({"version": 1, "links": links}, indent=2, sort_keys=True), encoding="utf-8"
    )
    # A copy of that home where every link has been checked (one in ten dead, one in ten
    # redirected): what list and next cost when they mark links.
    checked = work / "data-checked" / "llmdive"
    checked.mkdir(parents=True)
    shutil.copy(home / "progress.json", checked / "progress.json")
    results = {}
    for i, d in enumerate(json.loads(out.stdout)):
        result = ("dead", "redirected", *["ok"] * 8)[i % 10]
        final = d["url"] + "/moved" if result == "redirected" else d["url"]
        redirects = [{"status": 301, "url": final}] if result == "redirected" else []
        code = 404 if result == "dead" else 200
        results[d["id"]] = {
            "url": d["url"],
            "result": result,
            "status_code": code,
            "final_url": final,
            "permanent": bool(redirects),
            "redirects": redirects,
            "detail": f"{code}",
            "attempts": 1,
            "checked": stamp,
        }
    (checked / "linkcheck.json").write_text(
        json.dumps({"version": 1, "links": results}, indent=2), encoding="utf-8"
    )
    return readme, guide, unread


# The guide sizes of the scale rows, and the commands measured at each (and on the bundled
# guide, with a record of its own, as their baseline).
SCALES = (10_000, 30_000, 100_000)
SCALE_COMMANDS = ("next", "list", "search", "progress", "mark-read ID", "undo")
SCALE_ENTRIES = 10_000


def prepare_scale(
    work: Path, bundled_ids: list[str]
) -> tuple[dict[str, str], dict[int, tuple[dict[str, str], list[str]]]]:
    """Homes for the scale rows: the bundled guide with every link read, changed and
    changed back (the baseline), and for each size a generated catalogue with a record of
    10,000 entries over its links. The env of each, and the unread ids of each size."""
    bundled_home = work / "data-bundled" / "llmdive"
    bundled_home.mkdir(parents=True)
    (bundled_home / "progress.json").write_text(a_record(bundled_ids, 4), encoding="utf-8")
    sizes = {}
    for links in SCALES:
        guide = work / f"scale-{links}.toml"
        guide.write_text(big_catalogue(links), encoding="utf-8")
        home = work / f"data-scale-{links}" / "llmdive"
        home.mkdir(parents=True)
        ids = [f"reading-{i * links // SCALE_ENTRIES}" for i in range(SCALE_ENTRIES)]
        (home / "progress.json").write_text(a_record(ids), encoding="utf-8")
        env = {"LLMDIVE_GUIDE": str(guide), "XDG_DATA_HOME": str(home.parent)}
        sizes[links] = (env, ids[3::4])
    return {"XDG_DATA_HOME": str(bundled_home.parent)}, sizes


def scale_cases(
    bundled: dict[str, str],
    bundled_ids: list[str],
    sizes: dict[int, tuple[dict[str, str], list[str]]],
) -> list[Case]:
    def case(label: str, command: str, env: dict[str, str], unread: list[str]) -> Case:
        if command == "mark-read ID":
            return Case(f"{label}: {command}", ["mark-read"], env=env, rotate=unread)
        words = ["search", "numbr 4242"] if command == "search" else [command]
        return Case(f"{label}: {command}", words, env=env)

    cases = [case("bundled", c, bundled, bundled_ids) for c in SCALE_COMMANDS]
    for links, (env, unread) in sizes.items():
        cases += [case(f"{links // 1000}k guide", c, env, unread) for c in SCALE_COMMANDS]
    return cases


GUIDES = 10
GUIDES_LINKS = 20_000
GUIDES_COMMANDS = ("next", "list --section", "search", "progress", "toc", "list")


def prepare_guides(work: Path, env: dict[str, str], bundled: dict[str, str]) -> dict[str, str]:
    """A home following 10 more guides of 2,000 links each (`guide add NAME README`, the
    real command), with the bundled baseline's record: its env."""
    data = work / "data-guides"
    shutil.copytree(Path(bundled["XDG_DATA_HOME"]), data)
    for k in range(GUIDES):
        readme = work / f"GUIDE-{k}.md"
        readme.write_text(big_readme(GUIDES_LINKS // GUIDES, name=f"g{k}"), encoding="utf-8")
        subprocess.run(
            [*llmdive_cmd(), "guide", "add", f"g{k}", str(readme)],
            env={**env, "XDG_DATA_HOME": str(data)},
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return {"XDG_DATA_HOME": str(data)}


def guides_cases(bundled: dict[str, str], guides: dict[str, str]) -> list[Case]:
    """The browsing commands on the bundled guide alone and with 10 guides followed."""

    def case(label: str, command: str, env: dict[str, str]) -> Case:
        words = {
            "search": ["search", "atention"],
            "list --section": ["list", "--section", "finetuning"],
        }.get(command, [command])
        return Case(f"{label}: {command}", words, env=env)

    return [
        *(case("bundled", c, bundled) for c in GUIDES_COMMANDS if c not in SCALE_COMMANDS),
        *(case("10 guides", c, guides) for c in GUIDES_COMMANDS),
    ]


def prepare_sync(work: Path, env: dict[str, str]) -> dict[str, str]:
    """A home set up with `llmdive sync` against a bare repository on this disk."""
    synced = {
        "LLMDIVE_HOME": str(work / "sync-home"),
        "GIT_CONFIG_GLOBAL": str(work / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    remote = work / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    for args in (["mark-read", "lora"], ["sync", "--remote", str(remote)]):
        subprocess.run(
            [*llmdive_cmd(), *args], env={**env, **synced}, check=True, stdout=subprocess.DEVNULL
        )
    return synced


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=25, help="runs of each command (median)")
    parser.add_argument(
        "--scale", action="store_true", help="only the floors and the scale rows (SCALES)"
    )
    opts = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="llmdive-bench-"))
    try:
        # Bytecode is written, as for any installed package (pip compiles it at install).
        drop = ("LLMDIVE_", "FORCE_COLOR", "NO_COLOR", "XDG_", "PYTHONDONTWRITEBYTECODE")
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
        base_env.update(
            # The default locations (through platformdirs, as for a user), inside `work`.
            HOME=str(work / "user"),
            XDG_DATA_HOME=str(work / "data"),
            XDG_CACHE_HOME=str(work / "cache"),
            COLUMNS="120",
        )
        readme, guide, unread = prepare_large(work, base_env)
        big_list_readme = work / "BIG-LIST.md"
        big_list_readme.write_text(big_list(), encoding="utf-8")
        bundled_out = subprocess.run(
            [*llmdive_cmd(), "list", "--json"], env=base_env, check=True, capture_output=True
        )
        bundled_ids = [d["id"] for d in json.loads(bundled_out.stdout)]
        large = {"LLMDIVE_GUIDE": str(guide), "XDG_DATA_HOME": str(work / "data-large")}
        checked = {**large, "XDG_DATA_HOME": str(work / "data-checked")}
        complete = {"_LLMDIVE_COMPLETE": "complete_bash"}
        synced = prepare_sync(work, base_env)
        bundled, sizes = prepare_scale(work, bundled_ids)
        guides = prepare_guides(work, base_env, bundled)
        py = sys.executable
        cases = [
            Case("python -c pass", [], cmd=[py, "-c", "pass"]),
            Case(
                "floor (import typer, pydantic, rich, platformdirs)",
                [],
                cmd=[py, "-c", FLOOR_IMPORTS],
            ),
            Case(TYPER_FLOOR, [], cmd=[py, "-c", "import typer"]),
            Case("next", ["next"]),
            Case("list --section finetuning", ["list", "--section", "finetuning"]),
            Case(
                "list --section finetuning (colour)",
                ["list", "--section", "finetuning"],
                env={"FORCE_COLOR": "1"},
            ),
            Case("search atention", ["search", "atention"]),
            Case("mark-read ID", ["mark-read"], rotate=bundled_ids),
            Case("--version", ["--version"]),
            Case("--help", ["--help"]),
            Case(
                "complete ids",
                [],
                env={**complete, "COMP_WORDS": "llmdive mark-read lo", "COMP_CWORD": "2"},
            ),
            Case(
                "complete sections",
                [],
                env={**complete, "COMP_WORDS": "llmdive list --section fi", "COMP_CWORD": "3"},
            ),
            Case("10k: next", ["next"], env=large),
            Case("10k: mark-read ID", ["mark-read"], env=large, rotate=unread),
            Case("10k: search numbr 4242", ["search", "numbr 4242"], env=large),
            Case("10k: list --json", ["list", "--json"], env=large),
            Case("10k: list", ["list"], env=large),
            Case("10k: list (colour)", ["list"], env={**large, "FORCE_COLOR": "1"}),
            Case("10k: list (all checked)", ["list"], env=checked),
            Case("10k: next (all checked)", ["next"], env=checked),
            Case(
                "10k: guide import",
                ["guide", "import", str(readme), "-o", str(work / "again.toml")],
                env=large,
            ),
            Case(
                "2 MiB list: guide import",
                ["guide", "import", str(big_list_readme), "-o", str(work / "list.toml")],
                env=large,
            ),
            Case("sync (nothing to do, local bare remote)", ["sync"], env=synced),
            *scale_cases(bundled, bundled_ids, sizes),
            *guides_cases(bundled, guides),
        ]
        if opts.scale:
            cases = [
                *cases[:3],
                *scale_cases(bundled, bundled_ids, sizes),
                *guides_cases(bundled, guides),
            ]
        for case in cases:  # warm up: caches filled, files in the page cache
            run_once(case, 0, base_env)
        shuffler = random.Random(1)
        for r in range(1, opts.rounds + 1):
            # A new order each round, so that no command always follows the same one.
            for case in shuffler.sample(cases, len(cases)):
                wall, cpu = run_once(case, r, base_env)
                case.times.append(wall)
                case.cpu.append(cpu)
        for case in cases:
            if case.name.startswith(f"{SCALES[-1] // 1000}k guide: "):
                measure_peak(case, opts.rounds + 1, base_env)
        report(cases)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(cases: list[Case]) -> None:
    # With --scale only some rows ran: the budgets of the others are left out (NaN).
    med: dict[str, float] = defaultdict(lambda: math.nan)
    med.update((c.name, statistics.median(c.times)) for c in cases)
    floor = med["floor (import typer, pydantic, rich, platformdirs)"]
    typer_floor = med[TYPER_FLOOR]
    budgets: dict[str, list[tuple[str, bool]]] = {c.name: [] for c in cases}

    def budget(name: str, text: str, good: bool) -> None:
        if name in budgets:
            budgets[name].append((text, good))

    for name in ("next", "list --section finetuning", "search atention", "mark-read ID"):
        budget(name, "<= 1.1x floor", med[name] / floor <= 1.1)
        budget(name, "<= 1.15x typer", med[name] / typer_floor <= 1.15)
    for name in ("--version", "--help", "complete ids", "complete sections"):
        budget(name, "<= 0.7x floor", med[name] / floor <= 0.7)
    # The second floor, Typer alone: what any Typer CLI pays before its first line runs.
    for name in ("--version", "complete ids", "complete sections"):
        budget(name, "<= 1.05x typer", med[name] / typer_floor <= 1.05)
    for name, base in (
        ("10k: list (all checked)", "10k: list"),
        ("10k: next (all checked)", "10k: next"),
    ):
        budget(name, f"<= 1.2x {base}", med[name] <= 1.2 * med[base])
    for name, base in (
        ("10k: next", "next"),
        ("10k: search numbr 4242", "search atention"),
        ("10k: mark-read ID", "mark-read ID"),
    ):
        budget(name, f"<= 2x {base}", med[name] <= 2 * med[base])
    for name, limit in (
        ("10k: list --json", 1.0),
        ("10k: list", 2.0),
        ("10k: guide import", 3.0),
        ("2 MiB list: guide import", 3.0),
        ("sync (nothing to do, local bare remote)", 0.5),
    ):
        budget(name, f"<= {limit:g} s", med[name] <= limit)

    scale_budgets(cases, med, budget)
    for command in GUIDES_COMMANDS:
        name, base = f"10 guides: {command}", f"bundled: {command}"
        budget(name, f"<= 1.5x {base}", med[name] <= 1.5 * med[base])

    cpu = {c.name: statistics.median(c.cpu) for c in cases}
    cpu_floor = cpu["floor (import typer, pydantic, rich, platformdirs)"]
    cpu_typer = cpu[TYPER_FLOOR]
    width = max(len(c.name) for c in cases)
    head = (
        f"{'wall':>9}  {'x floor':>7}  {'x typer':>7}  {'cpu':>9}  {'x floor':>7}  {'x typer':>7}"
    )
    print(f"{'command':<{width}}  {head}  budgets (wall)")
    for c in cases:
        marks = ", ".join(f"{text} {'ok' if good else 'OVER'}" for text, good in budgets[c.name])
        wall = f"{med[c.name] * 1000:7.1f}ms  {med[c.name] / floor:7.2f}"
        wall += f"  {med[c.name] / typer_floor:7.2f}"
        used = f"{cpu[c.name] * 1000:7.1f}ms  {cpu[c.name] / cpu_floor:7.2f}"
        used += f"  {cpu[c.name] / cpu_typer:7.2f}"
        print(f"{c.name:<{width}}  {wall}  {used}  {marks}".rstrip())
    over = [f"{name} ({text})" for name, b in budgets.items() for text, good in b if not good]
    slopes(cases)
    print(f"({len(cases[0].times)} rounds, medians; {sys.executable})")
    print("all within budget" if not over else f"over budget: {', '.join(over)}")


def scale_budgets(
    cases: list[Case], med: dict[str, float], budget: Callable[[str, str, bool], None]
) -> None:
    """The scale rows: the 100k guide's ratios to the bundled guide, its peak memory, and
    growth that stays linear (what 100k adds over the bundled guide against 30k's, with
    10% of slack over the 100,000/30,000 a straight line gives). The per-link slopes of
    10k-30k and 30k-100k, and their ratio, are printed below the table."""
    peak = {c.name: max(c.rss, default=0) / 1024 for c in cases}
    mid, big = (f"{n // 1000}k guide" for n in SCALES[1:])
    for command in SCALE_COMMANDS:
        base = f"bundled: {command}"
        limit = 10 if command == "list" else 4
        name = f"{big}: {command}"
        budget(name, f"<= {limit}x {base}", med[name] <= limit * med[base])
        budget(name, f"peak <= 100 MiB ({peak[name]:.0f})", peak[name] <= 100)
        grown, grown_mid = med[name] - med[base], med[f"{mid}: {command}"] - med[base]
        straight = (SCALES[2] - BUNDLED_LINKS) / (SCALES[1] - BUNDLED_LINKS)
        budget(
            name,
            f"linear ({grown / grown_mid:.2f}x 30k's growth)",
            grown <= 1.1 * straight * grown_mid,
        )


def slopes(cases: list[Case]) -> None:
    """Seconds per 1,000 links between 10k and 30k, and between 30k and 100k, per command."""
    med = {c.name: statistics.median(c.times) for c in cases}
    small, mid, big = SCALES
    print("per 1,000 links (wall):  10k->30k   30k->100k   ratio")
    for command in SCALE_COMMANDS:
        t = [med[f"{n // 1000}k guide: {command}"] for n in SCALES]
        first = (t[1] - t[0]) / (mid - small) * 1000
        second = (t[2] - t[1]) / (big - mid) * 1000
        ratio = second / first if first > 0 else float("inf")
        print(f"  {command:<20} {first * 1000:8.2f}ms  {second * 1000:8.2f}ms  {ratio:6.2f}")


if __name__ == "__main__":
    main()
