"""Benchmark `guide update` pairing and re-import numbering against a fresh import, in one run.

    python bench/update.py [--rounds N] [--rehosted N] [--repeated N]

Two cases that used to be quadratic, each reported as a ratio to a baseline measured in
the same run (a fresh `guide import` of the same README), so that a busy machine slows
both sides alike:

- a section of 3,000 re-hosted links (every URL changed, titles kept, a few retitled):
  `guide update --from NEW` onto the old guide, against importing NEW fresh;
- 30,000 links with repeated titles imported onto an existing catalogue (`guide import
  README -o existing.toml`), against importing the README fresh.

Peak memory (the child's max RSS) is reported beside each. Standard library only, plus
llmdive (installed in the running Python).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def llmdive_cmd() -> list[str]:
    script = Path(sys.executable).with_name("llmdive")
    return [str(script)] if script.exists() else [sys.executable, "-m", "llmdive"]


def readme(links: list[tuple[str, str]], section: str = "One big section") -> str:
    lines = ["# Big Guide", "", f"### 🟩 {section}", "#### ◻️Everything"]
    lines += [f"- [{title}]({url})" for title, url in links]
    return "\n".join(lines) + "\n"


def rehosted(n: int) -> tuple[str, str]:
    """A section of `n` links with distinct titles, and the same section re-hosted.

    Every link gets a new host; one in ten is also retitled (a " | by ... | Medium"
    suffix), one in ten gets a word more or a word less.
    """
    rng = random.Random(15)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rng.choices(letters, k=rng.randint(3, 9))) for _ in range(4 * n)]
    titles = [" ".join(rng.sample(vocab, rng.randint(3, 8))).capitalize() for _ in range(n)]
    old = [(t, f"https://old.example/{i}") for i, t in enumerate(titles)]
    new = []
    for i, t in enumerate(titles):
        if i % 10 == 0:
            t += " | by Someone | Medium"
        elif i % 10 == 5:
            t = t.rpartition(" ")[0] if i % 20 == 5 else f"{t} {rng.choice(vocab)}"
        new.append((t, f"https://new.example/p/{i}"))
    return readme(old), readme(new)


def repeated(n: int) -> tuple[str, str]:
    """A README of `n` links under 30 repeated titles, and a small existing guide."""
    links = [(f"Lecture {i % 30}", f"https://talks.example/{i}") for i in range(n)]
    existing = [(f"Lecture {i}", f"https://other.example/{i}") for i in range(30)]
    return readme(links), readme(existing)


def run(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time and max RSS (KiB) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{argv[1:]} failed: {err.decode()[-500:]}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs of each (median)")
    parser.add_argument("--rehosted", type=int, default=3_000, help="links in the section")
    parser.add_argument("--repeated", type=int, default=30_000, help="links re-imported")
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="llmdive-bench-update-"))
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LLMDIVE_")}
        env.update(
            HOME=str(work / "user"),
            XDG_DATA_HOME=str(work / "data"),
            XDG_CACHE_HOME=str(work / "cache"),
        )
        old_md, new_md = rehosted(opts.rehosted)
        big_md, small_md = repeated(opts.repeated)
        for name, text in (
            ("old.md", old_md),
            ("new.md", new_md),
            ("big.md", big_md),
            ("small.md", small_md),
        ):
            (work / name).write_text(text, encoding="utf-8")
        cmd = llmdive_cmd()
        home = work / "home"

        def fresh(src: str) -> list[str]:
            (work / "fresh.toml").unlink(missing_ok=True)
            return [*cmd, "guide", "import", str(work / src), "-o", str(work / "fresh.toml")]

        def update() -> list[str]:
            shutil.rmtree(home, ignore_errors=True)
            first = [
                *cmd,
                "--home",
                str(home),
                "guide",
                "update",
                "--force",
                "--from",
                str(work / "old.md"),
            ]
            subprocess.run(first, env=env, check=True, stdout=subprocess.DEVNULL)
            return [*cmd, "--home", str(home), "guide", "update", "--from", str(work / "new.md")]

        def onto() -> list[str]:
            subprocess.run(
                fresh("small.md")[:-1] + [str(work / "onto.toml")],
                env=env,
                check=True,
                stderr=subprocess.DEVNULL,
            )
            return [*cmd, "guide", "import", str(work / "big.md"), "-o", str(work / "onto.toml")]

        (work / "onto.toml").unlink(missing_ok=True)
        rows = [
            (f"fresh import, {opts.rehosted:,} links", lambda: fresh("new.md")),
            (f"guide update, {opts.rehosted:,} re-hosted links in one section", update),
            (f"fresh import, {opts.repeated:,} links, 30 titles", lambda: fresh("big.md")),
            (f"import onto an existing catalogue, {opts.repeated:,} links, 30 titles", onto),
        ]
        results: dict[str, list[tuple[float, int]]] = {name: [] for name, _ in rows}
        for _ in range(opts.rounds):
            for name, make in rows:
                argv = make()
                results[name].append(run(argv, env))
                (work / "onto.toml").unlink(missing_ok=True)
        med = {name: statistics.median(t for t, _ in r) for name, r in results.items()}
        rss = {name: max(m for _, m in r) for name, r in results.items()}
        names = [name for name, _ in rows]
        width = max(map(len, names))
        print(f"{'case':<{width}}  {'wall':>9}  {'x fresh':>7}  {'max RSS':>9}  budget")
        over = []
        for k, name in enumerate(names):
            base = names[k - k % 2]
            ratio = med[name] / med[base]
            budget = "" if name == base else "<= 3x fresh"
            good = name == base or ratio <= 3
            if not good:
                over.append(name)
            mark = ("ok" if good else "OVER") if budget else ""
            print(
                f"{name:<{width}}  {med[name]:8.2f}s  {ratio:7.2f}  {rss[name] / 1024:7.0f}MB"
                f"  {budget} {mark}".rstrip()
            )
        print(f"({opts.rounds} rounds, medians; {sys.executable})")
        print("all within budget" if not over else f"over budget: {', '.join(over)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
