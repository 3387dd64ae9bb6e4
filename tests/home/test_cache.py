from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from llmdive.home import cache


@given(st.binary(min_size=1, max_size=200), st.data())
def test_any_one_byte_edit_changes_the_digest(data: bytes, draw: st.DataObject) -> None:
    at = draw.draw(st.integers(0, len(data) - 1))
    new = draw.draw(st.integers(0, 255).filter(lambda b: b != data[at]))
    edited = data[:at] + bytes([new]) + data[at + 1 :]
    assert cache.digest(edited) != cache.digest(data)


def test_a_record_is_only_returned_for_the_bytes_it_was_made_from(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    cache.write("kind", path, cache.digest(b"one"), {"value": 1}, home=None)
    assert cache.read("kind", path, cache.digest(b"one"), home=None) == {"value": 1}
    assert cache.read("kind", path, cache.digest(b"two"), home=None) is None
    assert cache.read("other", path, cache.digest(b"one"), home=None) is None
    assert cache.read("kind", tmp_path / "g.toml", cache.digest(b"one"), home=None) is None


def test_garbage_in_the_cache_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    cache.write("kind", path, cache.digest(b"x"), {"value": 1}, home=None)
    (entry,) = (tmp_path / "cache").iterdir()
    for junk in (b"", b"\x00\x01", b"not marshal at all"):
        entry.write_bytes(junk)
        assert cache.read("kind", path, cache.digest(b"x"), home=None) is None
