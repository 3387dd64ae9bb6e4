"""Shell completion of ids and sections (cli/completion.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import subprocess_env


def _complete(home: Path, words: str) -> list[str]:
    env = subprocess_env(
        LLMDIVE_HOME=str(home),
        _LLMDIVE_COMPLETE="complete_bash",
        COMP_WORDS=words,
        COMP_CWORD=str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    )
    proc = subprocess.run(
        [sys.executable, "-c", "from llmdive.cli import main; main()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_shell_completion_of_ids_and_sections(home: Path) -> None:
    assert _complete(home, "llmdive mark-read lo") == [
        "lora-explained",
        "low-level-technicals",
    ]
    assert _complete(home, "llmdive list --section fine") == ["finetuning"]
    assert _complete(home, "llmdive show illustrated-g") == ["illustrated-gpt2"]
