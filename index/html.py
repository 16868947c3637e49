"""A meeting page saved from a council's web site, read into the lines a browser would show.

lxml parses the markup (it copes with the broken HTML such pages often are);
what is written here is only the rendering a browser does and no library
offers for plain text: block elements and ``<br>`` end a line, list entries
become "- …", and the site's chrome is dropped by the standard marks web pages
give it (``<nav>``, ``<button>``, ARIA roles such as ``button``, ``menu`` and
``dialog``, ``hidden``, ``aria-hidden``, the ``btn``/``badge``/``dropdown``
classes of the common CSS frameworks), so "Hent som PDF", "Kopier link" and a
file count stay out. An item's number shown in a cell of its own before its
heading ("1" | "Referat fra sidste udvalgsmøde") is joined to it as "1. …",
the form the structure reader knows.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from index.errors import ingest_error

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol",
    "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
DROPPED_TAGS = frozenset({
    "script", "style", "noscript", "nav", "input", "select", "option", "textarea", "svg", "template",
    "iframe", "dialog", "img", "head", "form", "object", "audio", "video", "canvas", "map",
})
CHROME_ROLES = frozenset({"button", "menu", "menuitem", "menubar", "dialog", "navigation", "toolbar", "search",
                          "banner", "contentinfo", "tablist", "alertdialog"})
CHROME_CLASSES = frozenset({"btn", "badge", "dropdown", "dropdown-menu", "modal", "sr-only", "visually-hidden"})
NUMBER_RE = re.compile(r"^\d{1,4}\.?$")
LABEL_MAX_CHARS = 30


def html_lines(text: str, name: str) -> list[str]:
    """The page's text as lines; a page with no text is refused like an empty file."""
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as error:
        raise ingest_error(name, "empty") from error
    renderer = _Renderer()
    renderer.walk(root)
    renderer.flush()
    return _join_numbers(renderer.lines, renderer.headings)


class _Renderer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.headings: set[int] = set()
        self.current: list[str] = []
        self.in_heading = 0

    def flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            if self.in_heading:
                self.headings.add(len(self.lines))
            self.lines.append(text)
        self.current = []

    def walk(self, element: etree._Element) -> None:
        if not isinstance(element.tag, str):  # a comment or processing instruction: only its tail is text
            self._tail(element)
            return
        tag = element.tag.lower()
        if _is_chrome(element, tag):
            self._tail(element)
            return
        block = tag in BLOCK_TAGS
        if block or tag == "br":
            self.flush()
        if tag == "tr" and (field := _label_row(element)):
            self.lines.append(field)  # "Udvalg:" | "Teknisk Udvalg" reads "Udvalg: Teknisk Udvalg"
            self._tail(element)
            return
        heading = tag in HEADING_TAGS
        self.in_heading += heading
        if tag == "li":
            self.current.append("- ")
        if element.text:
            self.current.append(element.text)
        for child in element:
            self.walk(child)
        if block:
            self.flush()
        self.in_heading -= heading
        self._tail(element)

    def _tail(self, element: etree._Element) -> None:
        if element.tail:
            self.current.append(element.tail)


def _label_row(row: etree._Element) -> str | None:
    """A two-cell row whose first cell is a label ("Mødedato:"), as one line; None for any other row."""
    cells = [cell for cell in row if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th")]
    if len(cells) != 2:
        return None
    label, value = (" ".join(cell.text_content().split()) for cell in cells)
    if not label.endswith(":") or len(label) > LABEL_MAX_CHARS or not value:
        return None
    return f"{label} {value}"


def _is_chrome(element: etree._Element, tag: str) -> bool:
    if tag in DROPPED_TAGS or element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if "display:none" in (element.get("style") or "").replace(" ", ""):
        return True
    if set((element.get("class") or "").split()) & CHROME_CLASSES:
        return True  # a dialog or menu, headed or not
    if any(isinstance(child.tag, str) and child.tag in HEADING_TAGS for child in element.iter()):
        return False  # a button wrapping a heading is how some pages make an item's title expandable
    return tag == "button" or (element.get("role") or "").lower() in CHROME_ROLES


def _join_numbers(lines: list[str], headings: set[int]) -> list[str]:
    """"1" on its own before a heading "Referat fra sidste udvalgsmøde" becomes "1. Referat fra sidste udvalgsmøde"."""
    joined: list[str] = []
    skip = False
    for index, line in enumerate(lines):
        if skip:
            skip = False
            continue
        if NUMBER_RE.match(line) and index + 1 in headings:
            joined.append(f"{line.rstrip('.')}. {lines[index + 1]}")
            skip = True
            continue
        joined.append(line)
    return joined
