"""How long a page takes, from a bounded prefix of its body: `check-links --durations`.

A video's length from the page's metadata (a YouTube watch page's player data
`"lengthSeconds":"NNN"` and `<meta itemprop="duration" content="PT1H2M3S">`; on other pages
schema.org's `duration` and `og:video:duration` / `video:duration`); an article's reading
time from the words of its main text (scripts, styles, navigation, headers, footers,
asides and comments left out; an <article> or <main> preferred) at a stated words per
minute; a PDF's from its page count (pypdf). Everything read here is from outside: a
value beyond 0 < d <= MAX_DURATION is no duration, and the next source is tried.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from llmdive.model.timespec import MAX_DURATION

WORDS_PER_MINUTE = 230
WORDS_PER_PDF_PAGE = 500  # a paper's page of text, read at the same words per minute
MIN_ARTICLE_WORDS = 80  # fewer words are a page's furniture, not something to read
MAX_PDF_PAGES = 2000

_LENGTH_SECONDS = re.compile(rb'"lengthSeconds"\s*:\s*"?(\d{1,12})"?')
_ISO = re.compile(
    r"P(?:(\d{1,4})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,7})M)?(?:(\d{1,9}(?:\.\d{1,6})?)S)?)?",
    re.ASCII | re.IGNORECASE,
)
_LD_DURATION = re.compile(r'"duration"\s*:\s*"(P[0-9DTHMS.]{1,30})"', re.ASCII | re.IGNORECASE)
_SKIPPED = frozenset(
    {
        "script",
        "style",
        "nav",
        "header",
        "footer",
        "aside",
        "noscript",
        "template",
        "form",
        "svg",
        "button",
        "select",
        "iframe",
    }  # fmt: skip
)
_MAIN = ("article", "main")
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }  # fmt: skip
)


def _plausible(seconds: float) -> int | None:
    whole = round(seconds)
    return whole if 0 < whole <= MAX_DURATION else None


def iso_duration(text: str) -> int | None:
    """Seconds of an ISO 8601 duration ('PT1H2M3S', 'PT62M5S', 'P0DT45M'); None if not one."""
    found = _ISO.fullmatch(text.strip())
    if not found or not any(found.groups()):
        return None
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in found.groups())
    return _plausible(((days * 24 + hours) * 60 + minutes) * 60 + seconds)


class _Page(HTMLParser):
    """The words of a page's text (and of its <article>/<main>), and its duration metadata."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.skipping = 0
        self.main = 0
        self.words = 0
        self.main_words = 0
        self.metas: list[tuple[str, str]] = []  # (property or itemprop or name, content)
        self.ld: list[str] = []  # application/ld+json script text
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta":
            name = values.get("property") or values.get("itemprop") or values.get("name") or ""
            self.metas.append((name.lower(), values.get("content", "")))
            return
        if tag in _VOID:
            return
        if tag == "script" and "ld+json" in values.get("type", "").lower():
            self._in_ld = True
        self.stack.append(tag)
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _MAIN:
            self.main += 1

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.stack:
            return
        while self.stack:  # an unclosed tag inside is closed with it, as browsers do
            top = self.stack.pop()
            if top in _SKIPPED:
                self.skipping -= 1
            elif top in _MAIN:
                self.main -= 1
            if top == tag:
                break
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.ld.append(data)
            return
        if self.skipping:
            return
        count = len(data.split())
        self.words += count
        if self.main:
            self.main_words += count


def _meta_video(page: _Page) -> int | None:
    for name, content in page.metas:
        if name == "duration":  # itemprop="duration": schema.org, ISO 8601
            found = iso_duration(content)
            if found:
                return found
        if name in ("og:video:duration", "video:duration") and content.strip().isdigit():
            found = _plausible(int(content.strip()[:12]))
            if found:
                return found
    for text in page.ld:
        for match in _LD_DURATION.finditer(text):
            found = iso_duration(match.group(1))
            if found:
                return found
    return None


def _charset(content_type: str | None) -> str:
    found = re.search(r"charset=\"?([\w.:-]{1,40})", content_type or "", re.ASCII | re.IGNORECASE)
    if found:
        import codecs

        try:
            return codecs.lookup(found.group(1)).name
        except LookupError:
            pass
    return "utf-8"


def html_duration(body: bytes, content_type: str | None, wpm: int) -> tuple[int, str] | None:
    """(seconds, "video" or "article") of an HTML page's bounded prefix; None if neither."""
    for found in _LENGTH_SECONDS.finditer(body):
        seconds = _plausible(int(found.group(1)))
        if seconds:
            return seconds, "video"
    page = _Page()
    try:
        page.feed(body.decode(_charset(content_type), "replace"))
        page.close()
    except (AssertionError, ValueError):  # html.parser on a hostile page: take what it saw
        pass
    video = _meta_video(page)
    if video:
        return video, "video"
    words = page.main_words if page.main_words >= MIN_ARTICLE_WORDS else page.words
    if words < MIN_ARTICLE_WORDS:
        return None
    seconds = _plausible(words / max(1, wpm) * 60)
    return (seconds, "article") if seconds else None


def pdf_duration(body: bytes, wpm: int) -> tuple[int, str] | None:
    """(seconds, "pdf") from a whole PDF's page count; None if it cannot be read."""
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # a broken PDF is no warning
    try:
        pages = len(PdfReader(io.BytesIO(body), strict=False).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        return None
    if not 0 < pages <= MAX_PDF_PAGES:
        return None
    seconds = _plausible(pages * WORDS_PER_PDF_PAGE / max(1, wpm) * 60)
    return (seconds, "pdf") if seconds else None


def is_pdf(body: bytes, content_type: str | None) -> bool:
    return body.startswith(b"%PDF-") or "pdf" in (content_type or "").lower()


def page_duration(
    body: bytes, content_type: str | None, complete: bool, wpm: int = WORDS_PER_MINUTE
) -> tuple[int, str] | None:
    """A page's (seconds, how) from its body; `complete`: the whole body was read (a PDF
    cut short cannot be counted)."""
    if is_pdf(body, content_type):
        return pdf_duration(body, wpm) if complete else None
    if "html" not in (content_type or "text/html").lower():
        return None
    return html_duration(body, content_type, wpm)
