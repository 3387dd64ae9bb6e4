"""The importer's faster paths give exactly what the slower ones they replace give.

The importer parses with markdown-it-py, but scans a link's destination with a regular
expression (`_link_destination`) where markdown-it loops over every character in Python:
the tokens of every list of the corpus, of the seed README and of the bench's long lists
are compared with those of markdown-it's own helpers. The catalogue is written by
`toml_text`, which must give tomli-w's bytes for every document.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
import tomli_w
from markdown_it import helpers
from markdown_it.token import Token

from llmdive.guide import importer
from llmdive.guide.catalogue import guide_document, toml_text
from llmdive.guide.importer import walk
from tests.helpers import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
READMES = sorted([*FIXTURES.glob("*.md"), *(FIXTURES / "lists").glob("*__*.md")])


@cache
def bench() -> ModuleType:
    """bench/run.py, for the READMEs it builds."""
    spec = importlib.util.spec_from_file_location("llmdive_bench", ROOT / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("llmdive_bench", module)
    spec.loader.exec_module(module)
    return module


def tokens(text: str, *, stock: bool) -> list[Token]:
    md = walk._make_parser(text, short_cut=not stock)
    if stock:
        md.helpers = helpers
    return md.parse(text)


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.stem)
def test_tokens_of_every_corpus_list_are_markdown_its_own(readme: Path) -> None:
    text = readme.read_text(encoding="utf-8")
    assert tokens(text, stock=False) == tokens(text, stock=True)


def test_tokens_of_the_bench_lists_are_markdown_its_own() -> None:
    for text in (bench().big_readme(links=2_000), bench().big_list(chars=300_000)):
        assert tokens(text, stock=False) == tokens(text, stock=True)


DESTINATIONS = [
    "https://example.com/a",
    "https://example.com/a b",
    "https://example.com/a)",
    "https://example.com/(a)",
    "https://example.com/((a)",
    "https://example.com/a\\)b",
    "https://example.com/a\\ b",
    "https://example.com/a\\",
    "https://example.com/&amp;x",
    "https://example.com/a\tb",
    "https://example.com/a\nb",
    "https://example.com/a\x7fb",
    "https://example.com/a\x00b",
    "https://example.com/é/ü",
    "<https://example.com/a b>",
    "<https://example.com/a",
    "<>",
    "",
    " x",
    ")",
    "(",
    "\\",
    "(" * 40 + ")" * 40,
    '"title"',
]


@pytest.mark.parametrize("dest", DESTINATIONS)
def test_a_destination_is_scanned_as_markdown_it_scans_it(dest: str) -> None:
    for text in (dest, f"{dest} 'title')", f"{dest})tail"):
        for pos in range(min(len(text), 3) + 1):
            for end in {len(text), max(pos, len(text) - 1)}:
                fast = walk._link_destination(text, pos, end)
                slow = helpers.parseLinkDestination(text, pos, end)
                assert (fast.ok, fast.pos, fast.str) == (slow.ok, slow.pos, slow.str), (text, pos)


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.stem)
def test_the_catalogue_of_every_corpus_list_is_written_as_tomli_w_writes_it(readme: Path) -> None:
    doc = guide_document(importer.parse_readme(readme.read_text(encoding="utf-8")).guide)
    assert toml_text(doc) == tomli_w.dumps(doc)


def test_the_catalogue_of_a_bench_list_is_written_as_tomli_w_writes_it() -> None:
    for text in (bench().big_readme(links=2_000), bench().big_list(chars=300_000)):
        doc = guide_document(importer.parse_readme(text).guide)
        assert toml_text(doc) == tomli_w.dumps(doc)


def test_any_strings_keys_and_arrays_are_written_as_tomli_w_writes_them() -> None:
    rng = random.Random(17)
    alphabet = [chr(i) for i in range(130)] + ["é", "\u2028", "\ud800", "💥", "\t", "\\"]
    for _ in range(2_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        key = rng.choice(["a", "b-c_D9", "", "a b", "é", text[:5]])
        doc = {
            key: text,
            "n": rng.randint(-5, 5),
            "yes": rng.random() < 0.5,
            "names": [text, text[:3]],
            "none": [],
            "related": [{"title": text, "url": "u" * rng.randint(0, 90)}],
            "inline": [{}, {"t": text}],
            "table": {"x": text, "deeper": {"y": [text]}},
            "arrays": [{"a": [1, 2]}, {"b": "c"}],
        }
        assert toml_text(doc) == tomli_w.dumps(doc), doc


def _slugify_by_characters(text: str) -> str:
    """slugify as it was written before (a loop over characters): the reference."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out: list[str] = []
    pending_dash = False
    for ch in ascii_text.lower():
        if ch.isalnum():
            if pending_dash and out:
                out.append("-")
            out.append(ch)
            pending_dash = False
        else:
            pending_dash = True
    return "".join(out)


def test_slugify_gives_what_the_loop_over_characters_gave() -> None:
    from llmdive.model.ids import slugify

    rng = random.Random(26)
    alphabet = [chr(i) for i in range(400)] + ["é", "Å", "ﬁ", "①", "²", "💥", "İ", "K"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        assert slugify(text) == _slugify_by_characters(text), text


# Pieces of inline Markdown, joined at random: the short cut of `inline` must give what
# markdown-it's inline parser gives, or leave the text to it.
INLINE_ATOMS = [
    *("a", "Word", " ", "  ", "\t", "\n", "  \n", " \n", "\n    ", "é", "-", ":", "#", "|"),
    *("!", "[", "]", "(", ")", "](", "*", "_", "`", "<", ">", "\\", "&", "&amp;"),
    *("[t](u)", "[](e)", " [a b](c) ", "[x](&lt;)", "[t](https://x.y/a_b?c=1&amp;d=2)"),
    *("![x](y)", "![](s)", "[![i](s)](h)", "[a ![b](c) d](e)", "[[pdf]](u)", "[a [b] c](d)"),
    *("[[a](b)](c)", "[[a][b]](c)", "[x]", "[t](u 'title')", "<https://a.b>", "**b**"),
    *("http://x.y/z_(1)", "\n- ", "1. ", "# ", "| a | b |\n|---|---|\n| ", "\n\n[pdf]: http://p\n"),
]


def test_plain_inline_text_is_tokenized_as_markdown_it_tokenizes_it() -> None:
    from llmdive.guide.importer.inline import plain_children

    rng = random.Random(20)
    short = 0
    for _ in range(6_000):
        text = "".join(rng.choice(INLINE_ATOMS) for _ in range(rng.randint(1, 12)))
        fast = tokens(text, stock=False)
        assert fast == tokens(text, stock=True), text
        short += sum(1 for t in fast if t.type == "inline" and plain_children(t.content, False))
    assert short > 1_000  # the short cut was taken, not only markdown-it's parser


def _catalogue_like(rng: random.Random, text: str) -> dict[str, object]:
    def link(n: int) -> dict[str, object]:
        doc: dict[str, object] = {"id": f"l{n}", "title": text, "url": "u" * rng.randint(0, 90)}
        if rng.random() < 0.3:
            doc["aliases"] = [text[:4], "x"]
        if rng.random() < 0.5:
            doc["related"] = [{"title": text[: rng.randint(0, 30)], "url": "v"}] * rng.randint(1, 3)
        return doc

    topics = [{"slug": "t", "title": text, "links": [link(n) for n in range(2)]}]
    section = {"slug": "s", "title": text, "description": text, "links": [link(9)]}
    return {"version": 1, "title": text, "sections": [{**section, "topics": topics}, section]}


def test_a_catalogue_is_read_back_as_tomllib_reads_it() -> None:
    import tomllib

    from llmdive.guide.catalogue import toml_header
    from llmdive.guide.readback import read_back

    for readme in READMES:
        guide = importer.parse_readme(readme.read_text(encoding="utf-8")).guide
        text = toml_header(guide.title) + toml_text(guide_document(guide))
        assert read_back(text) == tomllib.loads(text), readme.name
    rng = random.Random(21)
    alphabet = [chr(i) for i in range(130)] + ["é", "\u2028", "\x85", "💥", "\t", "\\", '"']
    read = 0
    for _ in range(2_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        written = toml_header("Random") + toml_text(_catalogue_like(rng, text))
        back = read_back(written)
        assert back == tomllib.loads(written), written
        read += back is not None
    assert read > 1_000  # read by read_back, not left to tomllib


HOSTILE_TOML = [
    "a = 1\na = 2\n",
    "a = [\n    1,\n]\n[[a]]\n",
    "[[a.b]]\n[[a]]\n",
    "[[a]]\nb = 1\n[[a.b]]\n",
    "r = [\n    { a = 1 },\n]\n[[r.x]]\n",
    "r = [\n    { a = 1, a = 2 },\n]\n",
    'a = "\\ud800"\n',
    'a = "\\e"\n',
    'a = "x\x7f"\n',
    "# a\x01comment\n",
    "a = 01\n",
    "a = [\n",
    "a = [\n    1,\n",
    "    1,\n",
    "]\n",
    "a = 1\n[a]\n",
]


@pytest.mark.parametrize("text", HOSTILE_TOML)
def test_what_tomllib_refuses_is_never_read_back(text: str) -> None:
    import tomllib

    from llmdive.guide.readback import read_back

    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)
    assert read_back(text) is None


# Characters that a case-blind pattern matches to an ASCII letter though their lower case
# is not it (the Kelvin sign, the long s, the dotted and dotless i), and others around.
FOLDING = ["K", "ſ", "İ", "ı", "é", "ß", "🟢", "🔴", "🟡", "🟠", "\u200b", "\n", "\t"]
LEVEL_ATOMS = [
    *("easy", "EASY", "Beginner", "medium", "Intermediate", "hard", "HARD", "advanced"),
    *("eaſy", "hard", "İntermediate", "advanced", "ıntermediate", "level", "Level:"),
    *(" ", "  ", "-", "–", "—", "|", ":", "•", ".", "(", ")", "[", "]", "x", "a word", "42"),
    *FOLDING,
]


def _level_by_pattern(text: str) -> object:
    """`_level_of` as it was: the case-blind pattern tried on every text."""
    from llmdive.guide.importer import words

    for mark, level in words._LEVEL_MARKS.items():
        if mark in text:
            others = {v for k, v in words._LEVEL_MARKS.items() if k in text}
            return level if len(others) == 1 else None
    m = words._LEVEL_SUFFIX.search(text[-160:])
    return words._LEVEL_WORDS[(m.group(1) or m.group(2)).lower()] if m else None


def test_a_level_is_found_as_the_case_blind_pattern_finds_it() -> None:
    from llmdive.guide.importer.words import _level_of

    rng = random.Random(31)
    found = 0
    for _ in range(20_000):
        text = "".join(rng.choice(LEVEL_ATOMS) for _ in range(rng.randint(0, 12)))
        if rng.random() < 0.1:
            text = "x" * rng.randint(150, 170) + text  # the cut at 160 characters
        assert _level_of(text) == _level_by_pattern(text), text
        found += _level_of(text) is not None
    assert found > 2_000


def test_a_letter_that_only_folds_to_a_level_word_is_no_level() -> None:
    # 'ıntermediate' (a dotless i) matched the case-blind pattern and was then looked up
    # as a level word: a KeyError, a traceback instead of an import.
    readme = (
        "# L\n\n## S\n\n- [Course one](https://a.example/1) (ıntermediate)\n"
        "- [Course two](https://a.example/2) - eaſy\n- [Course three](https://a.example/3) - Hard\n"
    )
    links = [k for _, t in importer.parse_readme(readme).guide.walk() for k in t.links]
    assert [k.difficulty.value for k in links] == ["unrated", "unrated", "hard"]


BADGE_ATOMS = [
    *("https://", "http://", "img.shields.io", "IMG.SHIELDS.IO", "shields.io/", "badgen.net"),
    *("star-history.com", "badge.fury.io", "github.com", "/a", ".svg", ".PNG", ".jpg", ".jpeg"),
    *(".JPEG", ".gif", ".webp", ".ſvg", ".pnġ", "?", "#", "x", ".", "/", "ſhields.io/"),
    *("badgen.neK", "img.ſhields.io", *FOLDING),
]


def test_a_badge_url_is_found_as_the_case_blind_pattern_finds_it() -> None:
    from llmdive.guide.importer.words import _BADGE_URL, _is_badge_url

    rng = random.Random(32)
    badges = 0
    for _ in range(20_000):
        href = "".join(rng.choice(BADGE_ATOMS) for _ in range(rng.randint(0, 8)))
        assert _is_badge_url(href) == (_BADGE_URL.search(href) is not None), href
        badges += _is_badge_url(href)
    assert 2_000 < badges < 18_000


def stock_tokens(text: str) -> list[Token]:
    """The tokens of markdown-it as the importer sets it up, with every rule and its own
    helpers: no rule left out for a mark the text lacks, no short cut."""
    md = walk._base_parser()
    md.helpers = helpers
    return md.parse(text)


# Lines and pieces of lines, joined at random: every rule left out for the text (thematic
# breaks, setext underlines, ...) and the short cut give markdown-it's own tokens.
BLOCK_ATOMS = [
    *("\n", "\r\n", "\r", "\n\n", "  ", "\t", "    ", "> ", "- ", "* ", "+ ", "1. ", "2) "),
    *("---", "***", "___", "- - -", "* * *", "===", "=", "--", "-", "*", "_", "**", "__"),
    *("# ", "## T", "text", "Word ", "[a](http://b)", "![i](s)", "| a | b |", "|---|---|"),
    *("```", "~~~", "<div>", "&amp;", "\\", "`c`", "[r]: http://r", "[r]", " -", " =", "x_"),
]


def test_rules_left_out_and_the_short_cut_give_markdown_its_own_tokens() -> None:
    for readme in READMES:
        text = readme.read_text(encoding="utf-8")
        assert tokens(text, stock=False) == stock_tokens(text), readme.name
    for text in (bench().big_readme(links=2_000), bench().big_list(chars=300_000)):
        assert tokens(text, stock=False) == stock_tokens(text)
    rng = random.Random(33)
    left_out = 0
    for _ in range(4_000):
        text = "".join(rng.choice(BLOCK_ATOMS) for _ in range(rng.randint(1, 16)))
        assert tokens(text, stock=False) == stock_tokens(text), repr(text)
        md = walk._make_parser(text)
        left_out += not {"hr", "lheading"} <= set(md.get_active_rules()["block"])
    assert left_out > 1_000


URL_ATOMS = [
    *("https://", "http://", "HTTPS://", "hTtp://", "httpſ://", "ftp://", "https:/", "//"),
    *("example", ".", "..", "com", "a-b", "x_y", "~u", "www", "@", "u:p@", ":", ":80", ":0"),
    *(":99999", ":8a", "[::1]", "[", "]", "/", "/p", "?q=1", "#f", "%20", " ", "\\", "\t"),
    *("é", "\u200b", "\u202e", "\x00", "\x7f", "💥", "!", "'", "(", ")", "=", "&", "^", "{"),
]


def test_a_plain_url_is_checked_as_every_check_one_by_one_checks_it() -> None:
    from llmdive.model.urls import _PLAIN_URL, UrlError, _authority, _checked_authority

    def outcome(check: object, url: str) -> object:
        try:
            return check(url)  # type: ignore[operator]
        except UrlError as exc:
            return str(exc)

    rng = random.Random(34)
    kept = 0
    for _ in range(30_000):
        url = "".join(rng.choice(URL_ATOMS) for _ in range(rng.randint(0, 9)))
        if rng.random() < 0.5:
            url = rng.choice(URL_ATOMS[:6]) + url
        elif rng.random() < 0.5:
            url = rng.choice(URL_ATOMS[:4]) + rng.choice(["a.b", "www.x-y.z", "h_~"]) + url
        assert outcome(_authority, url) == outcome(_checked_authority, url), repr(url)
        kept += _PLAIN_URL.fullmatch(url) is not None
    assert kept > 1_000  # the URLs checked by the one pattern
    long = "https://a.b/" + "x" * 5_000
    assert outcome(_authority, long) == outcome(_checked_authority, long)


def test_a_plain_urls_identity_is_the_one_urlsplit_gives() -> None:
    from llmdive.model.urls import _PLAIN_IDENTITY, _identity_by_parts, normalize_url

    rng = random.Random(35)
    atoms = [*URL_ATOMS, "WWW.", "www.", "/", "//", "/a/", "utm_x=1", "?", "#", "&", "A", "%2F"]
    plain = 0
    for _ in range(30_000):
        url = "".join(rng.choice(atoms) for _ in range(rng.randint(0, 9)))
        if rng.random() < 0.6:
            url = rng.choice(URL_ATOMS[:4]) + url
        try:
            expected = _identity_by_parts(url)
        except ValueError:  # urlsplit's, on a bracketed host that is no IP address
            with pytest.raises(ValueError):
                normalize_url(url)
            continue
        assert normalize_url(url) == expected, repr(url)
        plain += _PLAIN_IDENTITY.fullmatch(url) is not None
    assert plain > 300  # the URLs put together by hand
