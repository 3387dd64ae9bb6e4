"""Files the user names are read at most to a limit (+1 byte), whatever kind of file."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from llmdive.errors import LlmdiveError
from llmdive.guide.fetch import MAX_BYTES
from llmdive.home.infile import RECORD_MAX_BYTES, read_limited
from tests.helpers import Invoke

ZERO = "/dev/zero"
needs_dev_zero = pytest.mark.skipif(not os.path.exists(ZERO), reason="no /dev/zero here")


class Flood:
    """A FIFO whose writer offers `total` bytes and stops when the reader goes away."""

    def __init__(self, path: Path, total: int) -> None:
        os.mkfifo(path)
        self.path, self.total, self.written, self.broken = path, total, 0, False
        self.thread = threading.Thread(target=self._write, daemon=True)
        self.thread.start()

    def _write(self) -> None:
        chunk = b"a" * 65536
        with open(self.path, "wb", buffering=0) as f:
            try:
                while self.written < self.total:
                    self.written += f.write(chunk)
            except BrokenPipeError:
                self.broken = True

    def join(self) -> None:
        self.thread.join(60)
        assert not self.thread.is_alive()


def test_read_limited_reads_a_file_up_to_the_limit_and_refuses_past_it(tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.write_bytes(b"x" * 10)
    assert read_limited(small, 10) == b"x" * 10
    with pytest.raises(LlmdiveError, match=r"/small: larger than 9 bytes; not read$"):
        read_limited(small, 9)


@needs_dev_zero
def test_guide_update_from_dev_zero_is_refused_in_one_line(cli: Invoke, home: Path) -> None:
    result = cli("guide", "update", "--from", ZERO)
    assert result.exit_code == 1
    assert result.stderr == "llmdive: error: /dev/zero: larger than 5 MiB; not read\n"
    assert not (home / "guide.toml").exists()


@needs_dev_zero
def test_progress_merge_of_dev_zero_is_refused_and_changes_nothing(cli: Invoke, home: Path) -> None:
    assert cli("mark-read", "lora").exit_code == 0
    before = (home / "progress.json").read_bytes()
    result = cli("progress", "merge", ZERO)
    assert result.exit_code == 1
    assert result.stderr == "llmdive: error: /dev/zero: larger than 32 MiB; not read\n"
    assert (home / "progress.json").read_bytes() == before


@needs_dev_zero
def test_a_catalogue_named_with_guide_is_bounded_too(cli: Invoke) -> None:
    result = cli("--guide", ZERO, "next")
    assert result.exit_code == 1
    assert result.stderr == "llmdive: error: /dev/zero: larger than 16 MiB; not read\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_guide_import_from_an_endless_pipe_stops_reading_past_the_limit(
    cli: Invoke, tmp_path: Path
) -> None:
    fifo = Flood(tmp_path / "readme", 4 * MAX_BYTES)
    out = tmp_path / "g.toml"
    result = cli("guide", "import", str(fifo.path), "-o", str(out))
    fifo.join()
    assert result.exit_code == 1
    assert result.stderr == f"llmdive: error: {fifo.path}: larger than 5 MiB; not read\n"
    # The reader left long before the writer had offered everything.
    assert fifo.broken and fifo.written < 2 * MAX_BYTES
    assert not out.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_progress_merge_from_a_pipe_is_bounded(cli: Invoke, tmp_path: Path) -> None:
    fifo = Flood(tmp_path / "record", RECORD_MAX_BYTES + 4 * 65536 * 16)
    result = cli("progress", "merge", str(fifo.path))
    fifo.join()
    assert result.exit_code == 1
    assert result.stderr == f"llmdive: error: {fifo.path}: larger than 32 MiB; not read\n"
    assert fifo.broken
