"""What an HTTP client costs at start-up: why check-links uses the standard library.

    python bench/http_clients.py [--rounds N]

Times `python -c "import ..."` for the standard library's clients and for the
well-kept third-party ones that are installed in the running Python (others are
skipped), in shuffled rounds, and prints medians of wall and CPU time beside
`python -c pass`. Bytecode is written first, as an install would.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import resource
import statistics
import subprocess
import sys
import time

CASES = {
    "python -c pass": ("pass", None),
    "http.client + ssl + thread pool (llmdive)": (
        "import http.client, ssl, socket, concurrent.futures",
        None,
    ),
    "urllib.request + thread pool": ("import urllib.request, concurrent.futures", None),
    "urllib3": ("import urllib3", "urllib3"),
    "requests": ("import requests", "requests"),
    "httpx": ("import httpx", "httpx"),
    "aiohttp": ("import aiohttp", "aiohttp"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds
    cases = {
        k: code for k, (code, mod) in CASES.items() if not mod or importlib.util.find_spec(mod)
    }
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for code in cases.values():
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
    wall: dict[str, list[float]] = {k: [] for k in cases}
    cpu: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(rounds):
        for name in random.sample(list(cases), len(cases)):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", cases[name]], env=env, check=True)
            wall[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    base_wall = statistics.median(wall["python -c pass"])
    base_cpu = statistics.median(cpu["python -c pass"])
    print(f"{'':44} {'wall ms':>8} {'+ms':>6} {'cpu ms':>8} {'+ms':>6}   ({rounds} rounds)")
    for name in cases:
        w, c = statistics.median(wall[name]), statistics.median(cpu[name])
        print(
            f"{name:44} {w * 1e3:8.1f} {(w - base_wall) * 1e3:6.1f} "
            f"{c * 1e3:8.1f} {(c - base_cpu) * 1e3:6.1f}"
        )


if __name__ == "__main__":
    main()
