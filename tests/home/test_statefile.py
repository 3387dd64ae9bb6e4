"""home/statefile.py: the one read and write of the home's versioned JSON state files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmdive.errors import LlmdiveError
from llmdive.guide import meta as update
from llmdive.home import statefile
from llmdive.model.models import Difficulty, Link, Progress
from llmdive.net import linkmarks
from llmdive.net.linkmarks import Outcome, Verdict
from llmdive.record import personal
from llmdive.record import progress as prog


def standard(data: bytes) -> bytes:
    """The bytes every state file is written as: sorted keys, two spaces, a final newline."""
    value = json.loads(data)
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def test_a_missing_file_is_the_default_and_nothing_is_parsed(tmp_path: Path) -> None:
    def parse(data: bytes, path: Path) -> str:
        raise AssertionError("no file, nothing to parse")

    assert statefile.read_state(tmp_path / "none.json") is None
    assert statefile.load_state(tmp_path / "none.json", parse, lambda: "default") == "default"


def test_an_unreadable_file_is_one_line_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.json"
    folder.mkdir()
    with pytest.raises(LlmdiveError) as caught:
        statefile.read_state(folder)
    assert str(caught.value).startswith(f"{folder}: cannot read: ")
    assert "\n" not in str(caught.value)


def test_the_parser_gets_the_bytes_and_the_path(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(b'{"version": 1}\n')
    assert statefile.load_state(path, lambda d, p: (d, p), lambda: None) == (
        b'{"version": 1}\n',
        path,
    )


def test_save_state_writes_sorted_keys_atomically(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    path = folder / "s.json"
    path.write_text("old")
    statefile.save_state(path, {"z": 1, "a": {"y": [], "b": "é"}})
    expected = '{\n  "a": {\n    "b": "é",\n    "y": []\n  },\n  "z": 1\n}\n'
    assert path.read_bytes() == expected.encode()
    assert [p.name for p in folder.iterdir()] == ["s.json"]  # no temp file left behind


def test_all_four_state_files_are_written_by_the_one_encoder(home: Path) -> None:
    link = Link("mine", "Mine", "https://m.example/", Difficulty.EASY, personal=True)
    mine = personal.PersonalLink(link, "a", "2026-01-01T00:00:00Z")
    personal.commit_link(home, [mine], mine)  # how `add` writes personal.json
    prog.save_progress(home, Progress())
    checked = Outcome("mine", "https://m.example/", Verdict.OK, 200, checked="2026-01-01T00:00:00Z")
    linkmarks.save_results(home, [checked])
    meta = update.Meta(url="https://h.example/README.md", etag='"e"')
    (home / update.META_FILE).write_bytes(meta.to_bytes())
    names = ["progress.json", "personal.json", "linkcheck.json", update.META_FILE]
    for name in names:
        data = (home / name).read_bytes()
        assert data == standard(data), name
    # ... and each reads back through its owner.
    assert prog.load_progress(home) == Progress()
    assert [p.link.id for p in personal.load_personal(home)] == ["mine"]
    assert linkmarks.read_results(home)["mine"].status_code == 200
    assert update.read_meta(home).etag == '"e"'


@pytest.mark.parametrize(
    ("name", "read"),
    [
        ("progress.json", lambda home: prog.load_progress(home)),
        ("personal.json", lambda home: personal.load_personal(home)),
        (update.META_FILE, lambda home: update.read_meta(home)),
    ],
)
def test_a_broken_state_file_is_one_line_naming_it_and_left_untouched(
    home: Path, name: str, read: object
) -> None:
    broken = b'{"version": 1, "links": '
    (home / name).write_bytes(broken)
    with pytest.raises(LlmdiveError) as caught:
        read(home)  # type: ignore[operator]
    message = str(caught.value)
    assert message.startswith(f"{home / name}: ") and "\n" not in message
    assert (home / name).read_bytes() == broken
