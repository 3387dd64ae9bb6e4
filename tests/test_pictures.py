"""The README's pictures show what the commands print today (docs/make_pictures.py)."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers import REPO


@pytest.fixture(scope="module")
def pictures() -> ModuleType:
    path = REPO / "docs" / "make_pictures.py"
    spec = importlib.util.spec_from_file_location("make_pictures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def outputs(pictures: ModuleType) -> dict[str, str]:
    """Each command's colour output on the example record, run afresh."""
    return pictures.outputs()  # type: ignore[no-any-return]


def test_the_pictures_are_current(pictures: ModuleType, outputs: dict[str, str]) -> None:
    assert pictures.stale(current=outputs) == [], "run: python docs/make_pictures.py"


def test_a_picture_of_other_output_is_stale(
    pictures: ModuleType, outputs: dict[str, str], tmp_path: Path
) -> None:
    for name in [*pictures.COMMANDS, pictures.TUI]:
        shutil.copy(pictures.PICTURES / f"{name}.svg", tmp_path)
    (tmp_path / "next.svg").write_text(pictures.svg("next", "Misc  ✓ done\n"), encoding="utf-8")
    assert pictures.stale(tmp_path, outputs) == ["next"]


def test_the_pictures_are_svg_of_the_example_in_colour(
    pictures: ModuleType, outputs: dict[str, str]
) -> None:
    for name in pictures.COMMANDS:
        text = (pictures.PICTURES / f"{name}.svg").read_text(encoding="utf-8")
        assert text.splitlines()[1].startswith("<svg ")
        shown = text.replace("&#160;", " ")
        assert f"llmdive {name}" in shown
        assert "\x1b" not in text and "]8;;" not in text
        assert "\x1b[" in outputs[name]  # drawn from the colour output
    shown = (pictures.PICTURES / "next.svg").read_text(encoding="utf-8").replace("&#160;", " ")
    # The example record: RLHF is being read, so `next` offers it in FineTuning.
    assert "rlhf-explained" in shown
    assert re.search(r"Misc.*?all skipped", shown, re.S)  # its one link is skipped


def test_the_tui_picture_is_the_readers_screen_on_the_example(
    pictures: ModuleType, outputs: dict[str, str]
) -> None:
    text = (pictures.PICTURES / "tui.svg").read_text(encoding="utf-8")
    assert text.splitlines()[1].startswith("<svg ")
    spans = "".join(re.findall(r">([^<]*)</text>", text)).replace("&#160;", " ")
    # FineTuning chosen in the tree, LoRA under the cursor with its note; the keys below.
    assert "FineTuning  4 links" in spans
    assert "Umar Jamil: RLHF Explained" in spans and "lora-explained" in spans
    assert "Note: re-read the rank section" in spans
    assert "/ search" in spans and "q quit" in spans
    assert "(docs/pictures/tui.svg)" in (REPO / "README.md").read_text(encoding="utf-8")
    assert outputs[pictures.TUI].startswith("<svg ")


def test_the_readme_shows_every_picture_and_keeps_its_set_up_commands(
    pictures: ModuleType,
) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in pictures.COMMANDS:
        assert f"(docs/pictures/{name}.svg)" in readme
    assert "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/llmdive next" in readme
    assert (
        'python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest'
        in readme
    )
