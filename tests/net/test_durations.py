"""check-links --durations against pages on 127.0.0.1 shaped like the real ones: a YouTube
watch page, an article among navigation and comments, a PDF, a page with no duration,
hostile values, and a body larger than what is read."""

from __future__ import annotations

import contextlib
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from llmdive.net import linkcheck
from llmdive.net.durations import Measured, load_measured, save_measured
from llmdive.net.pagetime import html_duration, iso_duration, page_duration
from tests.helpers import Invoke, ok
from tests.linkserver import bounded, write_guide

WORDS = " ".join(f"word{n}" for n in range(2300))  # 10 minutes at 230 words a minute


def watch_page(length: str = "3725", meta: str = "PT62M5S") -> bytes:
    """A YouTube watch page, cut down: its player data in a script, its microdata meta."""
    player = (
        '{"responseContext":{},"playabilityStatus":{"status":"OK"},"videoDetails":'
        f'{{"videoId":"kCc8FmEb1nY","title":"Let\'s build GPT","lengthSeconds":"{length}",'
        '"channelId":"UCXUPKJO5MZQN11PqgIvyuvQ","isOwnerViewing":false}}'
    )
    return (
        "<!DOCTYPE html><html><head><title>Let's build GPT - YouTube</title>"
        f'<meta itemprop="duration" content="{meta}">'
        '<meta property="og:type" content="video.other"></head><body>'
        f"<script>var ytInitialPlayerResponse = {player};</script>"
        '<div id="content">Subscribe</div></body></html>'
    ).encode()


def article_page() -> bytes:
    nav = " ".join(["Home About Archive Tags"] * 300)
    comments = " ".join(["great post thanks"] * 900)
    return (
        "<html><head><title>The Illustrated Transformer</title>"
        "<style>body { font: 12px sans-serif }</style>"
        "<script>var analytics = 'one two three four five six seven';</script></head><body>"
        f"<header><nav>{nav}</nav></header>"
        f"<article><h1>The Illustrated Transformer</h1><p>{WORDS}</p>"
        "<!-- an editor's comment of many many many words that nobody reads --></article>"
        f'<aside>Related posts {nav}</aside><section id="comments">{comments}</section>'
        f"<footer>{nav}</footer></body></html>"
    ).encode()


def pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PAGES: dict[str, tuple[str, bytes]] = {
    "/watch": ("text/html; charset=utf-8", watch_page()),
    "/post": ("text/html", article_page()),
    "/paper.pdf": ("application/pdf", pdf(12)),
    "/app": ("text/html", b"<html><body><div id=root></div><script>boot()</script></body></html>"),
    "/negative": ("text/html", watch_page("-5", "PT-5M")),
    "/huge": ("text/html", watch_page("99999999999", "PT99999H")),
    "/words": ("text/html", watch_page("forty", "PTfortyM")),
    "/og": (
        "text/html",
        b'<html><head><meta property="og:video:duration" content="1500"></head></html>',
    ),
    "/ld": (
        "text/html",
        b'<html><head><script type="application/ld+json">{"@type":"VideoObject",'
        b'"duration":"PT1H2M3S"}</script></head><body>x</body></html>',
    ),
    "/endless": ("text/html", b"<html><body><p>" + b"word " * (1 << 20) + b"</p></body></html>"),
    "/big.pdf": ("application/pdf", pdf(3) + b"%" * (64 * 1024)),
}


class _Pages(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        kind, body = PAGES.get(self.path, ("text/plain", b""))
        self.send_response(200 if self.path in PAGES else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # The checker may stop reading: it reads a bounded prefix.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


@pytest.fixture
def pages() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def measured(base: str, path: str, **settings: object) -> tuple[int, str] | None:
    s = linkcheck.Settings(timeout=5, retries=0, measure=page_duration, **settings)  # type: ignore[arg-type]
    return linkcheck.probe_url("x", base + path, s).measured


def test_a_watch_page_gives_the_video_length(pages: str) -> None:
    assert measured(pages, "/watch") == (3725, "video")


def test_an_articles_main_text_is_counted_without_its_furniture(pages: str) -> None:
    # The <article>'s 2,303 words (its heading's too): navigation, asides, comments and
    # scripts left out (with them, there are over 6,000).
    assert measured(pages, "/post") == (round(2303 / 230 * 60), "article")
    assert html_duration(article_page(), "text/html", 115) == (round(2303 / 115 * 60), "article")


def test_a_pdf_counts_its_pages(pages: str) -> None:
    # 12 pages of 500 words at 230 words a minute.
    assert measured(pages, "/paper.pdf") == (round(12 * 500 / 230 * 60), "pdf")


def test_a_page_with_no_duration_has_none(pages: str) -> None:
    assert measured(pages, "/app") is None


@pytest.mark.parametrize("path", ["/negative", "/huge", "/words"])
def test_hostile_lengths_are_no_duration(pages: str, path: str) -> None:
    assert measured(pages, path) is None


def test_other_video_metadata(pages: str) -> None:
    assert measured(pages, "/og") == (1500, "video")
    assert measured(pages, "/ld") == (3723, "video")
    assert iso_duration("PT62M5S") == 3725
    assert iso_duration("P1DT1S") is None  # more than a day: not a video's length
    assert iso_duration("PT") is None


def test_only_a_bounded_prefix_of_the_body_is_read(pages: str) -> None:
    # 5 MiB of words: only 64 KiB are read, and what was read is still counted.
    seen: list[tuple[int, bool]] = []

    def spy(body: bytes, kind: str | None, complete: bool) -> tuple[int, str] | None:
        seen.append((len(body), complete))
        return page_duration(body, kind, complete)

    s = linkcheck.Settings(timeout=5, retries=0, measure=spy, body=64 * 1024)
    out = bounded(lambda: linkcheck.probe_url("x", pages + "/endless", s))
    assert seen == [(64 * 1024, False)]
    assert out.measured == (round(64 * 1024 / 5 / 230 * 60), "article")
    # A PDF cut short cannot be counted: it is left unknown, not guessed.
    assert measured(pages, "/big.pdf", pdf_body=4096) is None
    assert measured(pages, "/big.pdf")[0] > 0  # type: ignore[index]


def test_a_plain_check_reads_no_body(pages: str) -> None:
    out = linkcheck.probe_url("x", pages + "/watch", linkcheck.Settings(timeout=5, retries=0))
    assert out.measured is None


def test_kept_measures_refuse_a_hostile_file(home: Path) -> None:
    save_measured(home, [("https://www.youtube.com/watch?v=abc", Measured(60, "video", "t"))])
    assert load_measured(home) == {"youtube:abc": Measured(60, "video", "t")}
    path = home / "durations.json"
    for hostile in (-5, 10**12, "45", True, 1.5):
        page = {"seconds": hostile, "how": "video", "checked": "t"}
        path.write_text(json.dumps({"version": 1, "pages": {"youtube:abc": page}}))
        with pytest.raises(Exception, match=r"not an llmdive durations file \(pages\.youtube:abc"):
            load_measured(home)


def test_check_links_durations_measures_keeps_and_shows(
    cli: Invoke, pages: str, tmp_path: Path
) -> None:
    guide = write_guide(
        tmp_path / "g.toml",
        {
            "Videos": [("build-gpt", pages + "/watch", "easy")],
            "Reading": [
                ("illustrated", pages + "/post", "easy"),
                ("paper", pages + "/paper.pdf", "hard"),
                ("app", pages + "/app", "medium"),
            ],
        },
    )
    env = {"LLMDIVE_GUIDE": str(guide)}
    out = ok(bounded(lambda: cli("check-links", "--durations", "--timeout", "5", env=env)))
    assert "Measured 3 lengths: 1 video, 1 article, 1 pdf." in out
    assert "Length unknown: app (article); `llmdive estimate ID 45m` sets one." in out
    listed = json.loads(ok(cli("list", "--json", env=env)))
    assert [(x["id"], x["duration_s"], x["duration_source"]) for x in listed] == [
        ("build-gpt", 3725, "measured"),
        ("illustrated", 601, "measured"),
        ("paper", 1565, "measured"),
        ("app", None, None),
    ]
    assert "[1h 2m]" in ok(cli("list", env=env))
    shown = ok(cli("show", "build-gpt", env=env))
    assert "1h 2m (measured by check-links --durations)" in shown
    assert "unknown (`llmdive estimate app 45m` sets it)" in ok(cli("show", "app", env=env))
