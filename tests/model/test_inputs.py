"""Hand-edited and foreign files: one line naming the file and the place, the file untouched.

Every file llmdive reads from its home (progress.json, personal.json, guide.toml,
guide-meta.json) and the cache, given content nobody should write but someone will.
"""

from __future__ import annotations

import functools
import json
import operator
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmdive.errors import LlmdiveError
from llmdive.guide.catalogue import load_catalogue
from llmdive.guide.meta import read_meta
from llmdive.guide.validate import parse_guide
from llmdive.home.paths import bundled_guide
from llmdive.record.personal import _validate as parse_personal
from llmdive.record.progress import parse_progress
from tests.helpers import Invoke, subprocess_env

DEEP = b"[" * 100_000 + b"]" * 100_000
HUGE = b"1" + b"0" * 5000
ENTRY = b'{"status": "read", "changed": "2026-01-02T03:04:05Z"}'

# (content, what the one line says after the file's name)
PROGRESS_CASES = [
    (DEEP, "not usable JSON: nested too deeply"),
    (
        b'{"version": ' + HUGE + b', "links": {}}',
        "not usable JSON: it holds a number thousands of digits long",
    ),
    (
        b'{"version": ' + b"9" * 300 + b', "links": {}}',
        "version: not a format version llmdive knows (this one reads 1)",
    ),
    (
        b'{"version": 1, "links": {"a": {"status": "read", "changed": "2026-01-02T03:04:05"}}}',
        "links.a.changed: '2026-01-02T03:04:05' has no time zone: write it in UTC with a Z, "
        "like 2024-05-01T12:00:00Z",
    ),
    (
        b'{"version": 1, "links": {"a": {"changed": "9999-12-31T23:59:59-05:00"}}}',
        "links.a.changed: '9999-12-31T23:59:59-05:00' is out of range",
    ),
    (
        b'{"version": 1, "links": {"a": {"changed": 1700000000}}}',
        "links.a.changed: Input should be a valid string",
    ),
    (
        b'{"version": 1, "links": {"a": {"note": "\\ud800"}}}',
        "links.a.note: holds a lone surrogate",
    ),
    (b'{"version": 1, "links": {"a": {"note": "x\x00y"}}}', "not valid JSON (Invalid control"),
    (b'{"version": 1, "links": {"a": ' + ENTRY + b', "a": {}}}', "the key 'a' appears twice"),
    (
        b'{\n<<<<<<< HEAD\n  "version": 1\n=======\n  "version": 1\n>>>>>>> x\n}',
        "an unresolved merge conflict (git's conflict marker at line 2)",
    ),
    (b'{"version": "1", "links": {}}', "version: not a format version llmdive knows"),
    (b'{"version": true, "links": {}}', "version: not a format version llmdive knows"),
    (b'{"version": 1, "links": []}', "links: Input should be a valid dictionary"),
    (b'{"version": 1, "links": {"": {}}}', "String should have at least 1 character"),
    (b'{"version": 1, "links": {"a": {"events": [{"at": "x"}]}}}', "'x' is not an ISO 8601"),
    (b"\xef\xbb\xbf[]", "not an llmdive progress file: the top level must be an object:"),
]


def test_a_timestamp_with_a_zone_is_normalised_to_utc(tmp_path: Path) -> None:
    data = b'{"version": 1, "links": {"a": {"changed": "2026-01-02T05:04:05+02:00"}}}'
    progress = parse_progress(data, tmp_path / "progress.json")
    assert progress.get("a").changed == "2026-01-02T03:04:05Z"  # type: ignore[union-attr]


def one_line_error(cli: Invoke, args: list[str], path: Path, content: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"llmdive: error: {path}: ")
    assert len(line) < 400 + len(str(path))
    assert path.read_bytes() == content  # byte for byte
    for internal in ("sys.", "instance of", "Unable to parse", "Schema"):
        assert internal not in line  # no Python or pydantic internals
    return line


@pytest.mark.parametrize(("content", "message"), PROGRESS_CASES)
def test_progress_json(cli: Invoke, home: Path, content: bytes, message: str) -> None:
    line = one_line_error(cli, ["mark-read", "lora"], home / "progress.json", content)
    assert message in line


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (DEEP, "not usable JSON: nested too deeply"),
        (
            b'{"version": 1, "links": [{"id": ' + HUGE + b"}]}",
            "it holds a number thousands of digits long",
        ),
        (b'{"version": 2, "links": []}', "version: not a format version llmdive knows"),
        (b'{"version": 1, "links": {}}', "links: Input should be a valid list"),
        (
            b'{"version": 1, "links": [{"id": "a", "title": "A", "url": "https://u:p@a.example/",'
            b' "difficulty": "easy", "section": "lora", "added": "2026-01-02T03:04:05Z"}]}',
            "links[0] (a).url: 'https://u:p@a.example/' holds a user name or password",
        ),
        (
            b'{"version": 1, "links": [{"id": "a", "title": "A", "url": "HTTP://A.EXAMPLE/X",'
            b' "difficulty": "easy", "section": "lora", "added": "2026-01-02T03:04:05"}]}',
            "links[0] (a).added: '2026-01-02T03:04:05' has no time zone",
        ),
        (b"\x00\x00\x00", "not valid JSON"),
        (
            b'{"version": 1, "links": [{"id": "a", "title": "A", "url": "https://a.example/",'
            b' "difficulty": "easy", "section": "lora", "added": "2026-01-02T03:04:05Z",'
            b' "related": [{"title": "code", "url": "https://a.example/code"}]}]}',
            "links[0] (a).related: a link of your own has no related links",
        ),
    ],
)
def test_personal_json(cli: Invoke, home: Path, content: bytes, message: str) -> None:
    line = one_line_error(cli, ["list"], home / "personal.json", content)
    assert message in line


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (DEEP, "not usable JSON: nested too deeply"),
        (b'{"version": 1, "source": "x", "updated": "2026-01-02"}', "updated: '2026-01-02' has no"),
        (b'{"version": 1, "source": 5}', "source: Input should be a valid string"),
        (b'{"version": 1}', "source: Field required"),
        (
            b'{"version": 1, "source": "x", "updates": [{"at": ' + HUGE + b"}]}",
            "it holds a number thousands of digits long",
        ),
    ],
)
def test_guide_meta_json(cli: Invoke, home: Path, content: bytes, message: str) -> None:
    line = one_line_error(cli, ["guide", "status"], home / "guide-meta.json", content)
    assert message in line


GUIDE_CASES = [
    (b"a = " + b"[" * 50_000 + b"]" * 50_000, "not usable TOML: nested too deeply"),
    (b"version = " + HUGE, "not usable TOML: it holds a number thousands of digits long"),
    (b"version = 2", "version: not a format version llmdive knows (this one reads 1)"),
    (b"title = 1979-05-27T07:32:00Z", "title: Input should be a valid string"),
    (b'title = "a\x00b"', "not valid TOML: Illegal character"),
    (
        b'[[sections]]\nslug = "s"\ntitle = "S"\n[[sections.links]]\nid = "a"\ntitle = "A"\n'
        b'url = "https://a.example:0/"\n',
        "sections[0] (S).links[0] (a).url: 'https://a.example:0/' has port '0'",
    ),
    (
        b"[[sections]]\n"
        + b"".join(
            b"[[sections" + b".topics" * i + b"]]\nslug = 's'\ntitle = 'S'\n" for i in range(12)
        ),
        "topics nested more than 8 deep",
    ),
    (
        b'[[sections]]\nslug = "' + b"s" * 100 + b'"\ntitle = "S"\n',
        "String should have at most 80 characters",
    ),
]


@pytest.mark.parametrize(("content", "message"), GUIDE_CASES)
def test_guide_toml(cli: Invoke, home: Path, content: bytes, message: str) -> None:
    line = one_line_error(cli, ["list"], home / "guide.toml", content)
    assert message in line


def test_a_scheme_in_capitals_is_a_valid_link(tmp_path: Path) -> None:
    toml = (
        b'[[sections]]\nslug = "s"\ntitle = "S"\n[[sections.links]]\nid = "a"\ntitle = "A"\n'
        b'url = "HTTP://EXAMPLE.COM/X"\n'
    )
    path = tmp_path / "g.toml"
    path.write_bytes(toml)
    assert load_catalogue(path).by_id["a"].link.url == "HTTP://EXAMPLE.COM/X"


def test_a_damaged_cache_is_rebuilt_not_reported(cli: Invoke, home: Path, tmp_path: Path) -> None:
    cli("mark-read", "lora")
    expected = cli("list", "--json").stdout
    cache_files = sorted((tmp_path / "cache").glob("*.marshal"))
    assert cache_files
    # "[[[[" is a marshal list of 1.5 billion items: never unmarshalled, as its sum is wrong.
    for junk in (b"", DEEP, b"\x00" * 100, os.urandom(2000)):
        for cache_file in cache_files:
            cache_file.write_bytes(junk)
        result = cli("list", "--json")
        assert result.exit_code == 0, result.stderr
        assert result.stdout == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_mutation_of_a_cache_file_is_caught(data: st.DataObject) -> None:
    path = bundled_guide()
    expected = load_catalogue(path).guide
    from llmdive.home import paths

    found: list[Path | None] = [
        f for f in paths.cache_dir().glob("catalogue-*.marshal") if f.stat().st_size > 1000
    ]
    (cache_file,) = found or [None]
    assert cache_file is not None
    blob = bytearray(cache_file.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(blob) - 1))
        blob[i] = data.draw(st.integers(0, 255).filter(functools.partial(operator.ne, blob[i])))
    cache_file.write_bytes(bytes(blob))
    assert load_catalogue(path).guide == expected


# ---------------------------------------------------------------- properties over each loader

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.sampled_from(["read", "2026-01-02T03:04:05Z", "2026-01-02T03:04:05", "https://a.b/"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "version",
                    "links",
                    "status",
                    "changed",
                    "events",
                    "at",
                    "note",
                    "id",
                    "title",
                    "url",
                    "difficulty",
                    "section",
                    "added",
                    "source",
                    "updates",
                ]
            )
            | st.text(max_size=5),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


def only_valid_or_one_line(parse: Callable[[bytes, Path], object], data: bytes, path: Path) -> None:
    try:
        parse(data, path)
    except LlmdiveError as exc:
        (line,) = str(exc).splitlines()[:1]
        assert line.startswith(f"{path}: ")
        assert len(line) < 500 + len(str(path))


LOADERS = [
    (parse_progress, "progress.json"),
    (parse_personal, "personal.json"),
    (lambda data, path: read_meta(path.parent), "guide-meta.json"),
]


@pytest.mark.parametrize(("parse", "name"), LOADERS)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=st.fixed_dictionaries({"version": st.just(1)}, optional={"links": JSON_VALUES})
    | JSON_VALUES,
    cut=st.integers(0, 3),
)
def test_any_json_is_read_or_refused_in_one_line(
    parse: Callable[[bytes, Path], object], name: str, value: object, cut: int
) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        data = json.dumps(value).encode()
        data = data[: len(data) - cut] if cut < 3 else data.replace(b"1", b"1" * 5000, 1)
        path.write_bytes(data)
        only_valid_or_one_line(parse, data, path)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_mutation_of_guide_toml_is_read_or_refused(data: st.DataObject) -> None:
    text = bytearray(bundled_guide().read_bytes()[:3000])
    for _ in range(data.draw(st.integers(1, 5))):
        i = data.draw(st.integers(0, len(text) - 1))
        text[i : i + data.draw(st.integers(0, 3))] = data.draw(st.binary(max_size=4))
    try:
        parse_guide(bytes(text), Path("g.toml"))
    except LlmdiveError as exc:
        assert all(line.startswith("g.toml: ") for line in str(exc).splitlines())


def test_arguments_that_are_not_utf8_are_a_clear_error(home: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "llmdive", "show", b"lora\xff".decode("utf-8", "surrogateescape")],
        env=subprocess_env(LLMDIVE_HOME=str(home)),
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert proc.stderr == b"llmdive: error: the argument 'lora\\\\xff' is not valid UTF-8 text\n"
