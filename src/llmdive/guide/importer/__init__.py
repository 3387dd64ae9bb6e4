"""Any curated reading list's README -> a catalogue, with markdown-it-py.

The guide's title is its H1 (HTML or not; a logo's alt text), else its first heading
(the opening banner's alt text where that heading is only the first section), else the
repository's or file's name; its sections and topics are the heading tree below,
whatever levels it uses. A reading item is the link a unit is about: the first
http(s) link of a list item, a table row, a heading written as a link, a line of
only links, or the same inside an HTML block; the unit's other links are its
related links. Links in running prose are not items, and a table of contents
(a list of `#anchor` links) is never imported. Headings that hold no items are
folded away, except those the guide's own table of contents lists.

The modules, bottom to top: `words` (a unit's text: its links, images and bold pieces,
titles from context, badges, difficulty words, the one cleaning of every title),
`builder` (headings and items collected in reading order; warnings by kind), `walk`
(markdown-it's tokens and the HTML blocks among them, unit by unit, to the builder),
`build` (the guide built from what was collected; `parse_readme`).
"""

from llmdive.guide.importer.build import ParseResult, found, group_warnings, parse_readme
from llmdive.guide.importer.builder import Notice
from llmdive.guide.importer.words import BADGE_COLOURS, FOOTER_TITLE

__all__ = [
    "BADGE_COLOURS",
    "FOOTER_TITLE",
    "Notice",
    "ParseResult",
    "found",
    "group_warnings",
    "parse_readme",
]
