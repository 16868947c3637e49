"""Anything readable that no layout recognises: cut at its own headings, else at its pages.

A document is never refused for lacking agenda items: a letter, a report or
minutes in an unknown template is still worth asking. Its parts are cited by
page ("side 4 Titel"), or by order ("afsnit 3 Titel") in a text file, which has
no pages. The item number carries that place, so an answer can name it.
"""

from __future__ import annotations

import re

from index.agenda import hard_breaks
from index.cleaning import assemble_paragraphs, clean_inline, typical_line_length
from index.layouts import FALLBACK, Split
from index.schema import AgendaItem, Line, Section

SECTION = "Tekst"
NUMBERED_RE = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})*\.?\s+[A-ZÆØÅ]")
HEADING_MAX_CHARS = 80
HEADING_MAX_WORDS = 12
SHORT_HEADING_MAX_CHARS = 60
SHORT_HEADING_MAX_WORDS = 8
TITLE_MAX_CHARS = 80
MIN_LETTERS = 20
BY_HEADINGS = "overskrifter"
BY_PAGES = "sider"


def split(lines: list[Line]) -> Split:
    content = [line for line in lines if line.text.strip()]
    if sum(char.isalpha() for line in content for char in line.text) < MIN_LETTERS:
        return Split(FALLBACK, [])
    breaks = hard_breaks(lines)
    short_line = int(typical_line_length(content) * 0.6)
    headings = [i for i in range(len(content)) if _is_heading(content, i)]
    # Of a run of heading lines (a cover: "INVITATION", "KKR SYDDANMARK", the title) the last starts the part.
    starts = [i for i in headings if i + 1 not in headings]
    if len(starts) >= 2:
        by = BY_HEADINGS
        if starts[0] != 0:
            starts.insert(0, 0)  # the text before the first heading is a part of its own
    else:
        by = BY_PAGES
        starts = _page_starts(content)
    items: list[AgendaItem] = []
    for order, start in enumerate(starts):
        end = starts[order + 1] if order + 1 < len(starts) else len(content)
        heading = by == BY_HEADINGS and _is_heading(content, start)
        body_start = start + 1 if heading else start
        pending: list[Line | None] = []
        for index in range(body_start, end):
            if index in breaks:
                pending.append(None)
            pending.append(content[index])
        paragraphs = assemble_paragraphs(pending, short_line)
        # A page's title is the start of its first paragraph, cut at a word ("Kommunerne i … …").
        title = _title(content[start].text if heading or not paragraphs else paragraphs[0][0])
        section = Section(SECTION, [text for text, _ in paragraphs], [page for _, page in paragraphs])
        page = content[start].page
        items.append(AgendaItem(number=_place(page, order, items), title=title, case_number=None,
                                sections=[section] if section.paragraphs else [], page=page))
    return Split(FALLBACK, items, fallback_by=by)


def _is_heading(content: list[Line], index: int) -> bool:
    """A numbered line, a line in capitals, or a short capitalised line between paragraphs."""
    text = clean_inline(content[index].text)
    words = text.split()
    if not text or len(text) > HEADING_MAX_CHARS or len(words) > HEADING_MAX_WORDS or text[-1] in ".,;":
        return False
    if NUMBERED_RE.match(text):
        return True
    letters = [char for char in text if char.isalpha()]
    if len(letters) >= 4 and all(char.isupper() for char in letters):
        return True
    if len(text) > SHORT_HEADING_MAX_CHARS or len(words) > SHORT_HEADING_MAX_WORDS:
        return False
    if not text[:1].isupper() or text[-1] in ":!?-–":
        return False
    previous = clean_inline(content[index - 1].text) if index > 0 else ""
    after_paragraph = not previous or previous[-1] in ".!?:" or _is_heading_shape(previous)
    following = clean_inline(content[index + 1].text) if index + 1 < len(content) else ""
    return after_paragraph and len(following) > len(text)


def _is_heading_shape(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return bool(NUMBERED_RE.match(text)) or (len(letters) >= 4 and all(char.isupper() for char in letters))


def _page_starts(content: list[Line]) -> list[int]:
    starts: list[int] = []
    seen: set[int | None] = set()
    for index, line in enumerate(content):
        if line.page not in seen:
            seen.add(line.page)
            starts.append(index)
    return starts


def _place(page: int | None, order: int, earlier: list[AgendaItem]) -> str:
    """"side 4" (a second part starting on page 4 is "side 4b"); "afsnit 3" without pages."""
    if page is None:
        return f"afsnit {order + 1}"
    base = f"side {page}"
    taken = sum(1 for item in earlier if item.number.rstrip("bcdefghijklmnopqrstuvwxyz") == base)
    return base if not taken else f"{base}{chr(ord('a') + taken)}"


def _title(text: str) -> str:
    text = clean_inline(text)
    if len(text) <= TITLE_MAX_CHARS:
        return text
    return text[:TITLE_MAX_CHARS].rsplit(" ", 1)[0] + " …"
