from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from llmdive.home.paths import bundled_guide
from tests.helpers import REPO


def test_the_wheel_ships_the_catalogue(tmp_path: Path) -> None:
    # No build isolation: the build backend comes from the test environment, not the network.
    command = [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation"]
    proc = subprocess.run(
        [*command, "--no-index", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("llmdive-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert "llmdive/data/guide.toml" in names
        assert zf.read("llmdive/data/guide.toml") == (REPO / "data" / "guide.toml").read_bytes()
        # The README it was imported from: what `contribute` patches for the bundled guide.
        readme = (REPO / "data" / "guide-readme.md").read_bytes()
        assert zf.read("llmdive/data/guide-readme.md") == readme
        assert "llmdive/cli/__init__.py" in names
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "llmdive = llmdive.cli:main" in zf.read(entry_points).decode()


def test_the_bundled_catalogue_is_the_repository_file_in_a_checkout() -> None:
    assert bundled_guide().read_bytes() == (REPO / "data" / "guide.toml").read_bytes()
