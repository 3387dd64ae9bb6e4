"""Draw the README's pictures of `llmdive next`, `progress`, `toc` and `tui`, as SVG.

    python docs/make_pictures.py            # rewrite docs/pictures/*.svg
    python docs/make_pictures.py --check    # exit 1 if a picture is out of date

Each picture is the command's own colour output, run as a real process on a fixed
example record (the bundled guide, a few links read, one being read, one skipped, all at
fixed times, in UTC) at a fixed width, and drawn by Rich's `Console.export_svg`. Every
SVG starts with a checksum of the output it shows: the check (and tests/
test_pictures.py) compares that with a fresh run, so it holds whatever Rich version
draws the SVG. The reader (`llmdive tui`) is drawn by Textual itself: run headless in a
process of its own on the same record (`--draw-tui`), its screenshot is the picture.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
PICTURES = HERE / "pictures"
WIDTH = 100
COMMANDS = {"next": ["next"], "progress": ["progress"], "toc": ["toc"]}
TUI = "tui"  # the reader's picture: Textual's own SVG of its screen
TUI_SIZE = (100, 30)
# The keys pressed before the picture: the tree, down to FineTuning, its links, LoRA.
TUI_KEYS = ["h", *["j"] * 6, "l", "j"]
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
# The example reader: (id, status) in the order they were marked, an hour apart.
RECORD = [
    ("illustrated-transformer", "read"),
    ("lora-explained", "read"),
    ("dpo-explained", "read"),
    ("umar-jamil-quantization", "read"),
    ("tweet-learn-ml-rt", "skipped"),
    ("rlhf-explained", "reading"),
]


def write_record(home: Path) -> None:
    from llmdive.guide.catalogue import load_catalogue
    from llmdive.home.paths import bundled_guide
    from llmdive.model.models import Progress
    from llmdive.model.vocab import Status
    from llmdive.record.progress import save_progress, set_note, set_status

    catalogue = load_catalogue(bundled_guide())
    progress = Progress()
    for hour, (link_id, status) in enumerate(RECORD):
        item = catalogue.by_id[link_id]
        set_status(progress, catalogue, [item], Status(status), START + timedelta(hours=hour))
    lora = catalogue.by_id["lora-explained"]
    set_note(progress, lora, "re-read the rank section", START + timedelta(days=1))
    save_progress(home, progress)


def outputs() -> dict[str, str]:
    """Each command's colour output (with its escape codes) on the example record."""
    with tempfile.TemporaryDirectory(prefix="llmdive-pictures-") as tmp:
        home = Path(tmp) / "home"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("LLMDIVE_", "NO_COLOR", "XDG_")) and k != "TMUX"
        }
        env.update(
            LLMDIVE_HOME=str(home),
            LLMDIVE_CACHE_DIR=str(Path(tmp) / "cache"),
            HOME=tmp,
            FORCE_COLOR="1",
            COLUMNS=str(WIDTH),
            LINES="60",
            TERM="xterm-256color",
            COLORTERM="truecolor",
            TZ="UTC",
            LANG="C.UTF-8",
        )
        old_env = dict(os.environ)
        os.environ.update(LLMDIVE_HOME=str(home), LLMDIVE_CACHE_DIR=env["LLMDIVE_CACHE_DIR"])
        try:
            write_record(home)
        finally:
            os.environ.clear()
            os.environ.update(old_env)
        out = {}
        for name, args in COMMANDS.items():
            proc = subprocess.run(
                [sys.executable, "-m", "llmdive", *args],
                env=env,
                capture_output=True,
                text=True,
                encoding="utf-8",
                check=True,
                timeout=60,
            )
            out[name] = proc.stdout
        out[TUI] = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--draw-tui"],
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=True,
            timeout=120,
        ).stdout
    return out


def draw_tui() -> str:
    """The reader's screen on this process's home, as Textual's SVG screenshot."""
    import asyncio

    from llmdive.tui.app import Reader
    from llmdive.workspace import Workspace

    app = Reader(Workspace())
    shot: list[str] = []

    async def go() -> None:
        async with app.run_test(size=TUI_SIZE) as pilot:
            await pilot.pause()
            for key in TUI_KEYS:
                await pilot.press(key)
                await pilot.pause()
            await pilot.pause(0.2)
            shot.append(app.export_screenshot(title="llmdive tui"))

    asyncio.run(go())
    return shot[0]


def checksum(output: str) -> str:
    return f"{zlib.crc32(output.encode()):08x}"


def mark(output: str) -> str:
    """The first line of a picture: which output it shows."""
    return f"<!-- llmdive output crc32 {checksum(output)} at {WIDTH} columns -->\n"


def picture(name: str, output: str) -> str:
    """The SVG file of a picture: the reader's screenshot as drawn, a command's drawn here."""
    return mark(output) + output if name == TUI else svg(name, output)


def svg(name: str, output: str) -> str:
    from rich.console import Console
    from rich.text import Text

    console = Console(
        record=True,
        width=WIDTH,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
    )
    console.print(Text.from_ansi(output.rstrip("\n")), soft_wrap=True)
    return mark(output) + console.export_svg(title=f"llmdive {name}")


def stale(folder: Path = PICTURES, current: dict[str, str] | None = None) -> list[str]:
    """Pictures in `folder` that do not show the current output (`outputs()`)."""
    out = []
    for name, output in (current or outputs()).items():
        path = folder / f"{name}.svg"
        first = path.read_text(encoding="utf-8").splitlines(keepends=True)[:1]
        if first != [mark(output)]:
            out.append(name)
    return out


def main() -> None:
    if sys.argv[1:] == ["--draw-tui"]:
        sys.stdout.write(draw_tui())
        return
    if sys.argv[1:] == ["--check"]:
        names = stale()
        if names:
            sys.exit(f"out of date: {', '.join(names)}; run python docs/make_pictures.py")
        print("pictures are current")
        return
    PICTURES.mkdir(exist_ok=True)
    for name, output in outputs().items():
        (PICTURES / f"{name}.svg").write_text(picture(name, output), encoding="utf-8")
        print(f"wrote {PICTURES / name}.svg")


if __name__ == "__main__":
    main()
