"""The import contract of pyproject.toml ([tool.importlinter]) holds: layers, no cycles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_import_contract_holds() -> None:
    """Each package imports only the layers below it, and no modules form a cycle
    (function-local imports included): `lint-imports` exits 0."""
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run(
        [str(lint), "--no-cache", "--no-logo", str(REPO / "pyproject.toml")],
        cwd=REPO / "src",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 2 kept, 0 broken." in proc.stdout, proc.stdout
