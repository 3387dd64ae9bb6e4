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


def test_the_import_contract_ignores_no_import() -> None:
    """No import is let through against the layers: a lower layer that needs something
    from above takes it as a parameter (the catalogue's suggester, doctor's link facts)."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    ignored = {c["id"]: c.get("ignore_imports") for c in config["contracts"]}
    assert ignored == {"layers": None, "acyclic": None}


ARCHITECTURE = REPO / "ARCHITECTURE.md"
PACKAGE = REPO / "src" / "llmdive"


def _named_paths(text: str) -> set[str]:
    """Every `path.py` or `package/` the page names, as a path under src/llmdive."""
    import re

    named: set[str] = set()
    for section in re.split(r"\n- ", text):
        head = re.match(r"`([a-z_]+)/`:", section)
        for token in re.findall(r"`([a-z_/]+(?:\.py)?)`", section):
            if token.endswith(".py") and head and not (PACKAGE / token).is_file():
                token = f"{head.group(1)}/{token}"  # a module named in its package's entry
            named.add(token.rstrip("/"))
    return named


def test_architecture_names_only_modules_that_exist() -> None:
    """A newcomer reading ARCHITECTURE.md finds each module it names where it says."""
    named = {p for p in _named_paths(ARCHITECTURE.read_text()) if p.endswith(".py")}
    named = {p for p in named if not p.startswith(("tests/", "docs/", "schema/", "bench/"))}
    missing = sorted(p for p in named if not (PACKAGE / p).is_file())
    assert missing == [], f"ARCHITECTURE.md names modules that do not exist: {missing}"


def test_architecture_names_every_package_and_module() -> None:
    """The map changes with the code: every package and module of llmdive is on it."""
    named = _named_paths(ARCHITECTURE.read_text())
    modules = {
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if p.name not in ("__init__.py", "__main__.py")
    }
    packages = {str(p.parent.relative_to(PACKAGE)) for p in PACKAGE.rglob("__init__.py")}
    packages.discard(".")
    missing = sorted((modules | packages) - named)
    assert missing == [], f"ARCHITECTURE.md does not name: {missing}"


def test_no_module_is_over_about_600_lines() -> None:
    """A module a newcomer can read in one sitting; a bigger one is split by what it holds."""
    sizes = {
        str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines())
        for p in PACKAGE.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 620} == {}
