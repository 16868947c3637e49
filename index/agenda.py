"""Split a meeting document's lines into agenda items and their sections.

An item starts at a line "N.M. Title"; its title may wrap, and it is normally
followed by a case line "SAG-2023-04719 bel". Lines that look like item or
group headings but are not (a table of contents, a wrapped cross-reference
"3.1.", numbered lists, wrapped years and amounts) are told apart by what
follows them. No document parser knows KL's layout, so this is hand-written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.cleaning import (
    assemble_paragraphs,
    clean_inline,
    join_wrapped,
    typical_line_length,
)
from index.schema import AgendaItem, Line, Section

ITEM_RE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.\s+(\S.*?)\s*$")
GROUP_RE = re.compile(r"^\s*(\d{1,2})\.\s+([A-ZÆØÅ].*?)\s*$")
CASE_RE = re.compile(r"^\s*(SAG-\d{4}-\d{3,6})\b")
# A table-of-contents entry ends in a page number after a tab or dot leaders.
TOC_RE = re.compile(r"(?:\t|\.{2,}|\s{3,})\s*\d{1,3}\s*$")
SECTION_NAMES = (
    "Baggrund",
    "Indstilling",
    "Sagsfremstilling",
    "Supplerende sagsfremstilling",
    "Beslutning",
    "Økonomi",
    "Økonomiske konsekvenser",
    "Lovgrundlag",
    "Kommunikation",
    "Bilag",
)
INTRO_SECTION = "Indledning"
PARTICIPANT_HEADINGS = ("Deltagere", "Afbud")
TITLE_MAX_LINES = 4
# How far past the heading a case line may sit: the title's wrapped lines.
CASE_LOOKAHEAD = 4


@dataclass
class _Heading:
    position: int  # index into the content list
    number: tuple[int, int]
    title: str
    case_number: str | None
    body_start: int  # content index where the item's body begins


def section_name(text: str) -> str | None:
    stripped = text.strip().rstrip(":").strip()
    return stripped if stripped in SECTION_NAMES else None


def split_document(lines: list[Line]) -> tuple[list[AgendaItem], dict[str, list[str]]]:
    """Items in document order, and the participant lists found before the first item."""
    content = [line for line in lines if line.text.strip()]
    breaks = _hard_breaks(lines)
    headings = _item_headings(content)
    groups = _group_heading_positions(content, headings)
    short_line = int(typical_line_length(content) * 0.6)
    items: list[AgendaItem] = []
    for index, heading in enumerate(headings):
        end = headings[index + 1].position if index + 1 < len(headings) else len(content)
        body = [i for i in range(heading.body_start, end) if i not in groups]
        items.append(
            AgendaItem(
                number=f"{heading.number[0]}.{heading.number[1]}",
                title=heading.title,
                case_number=heading.case_number,
                sections=_sections(content, body, breaks, short_line),
                page=content[heading.position].page,
            )
        )
    preamble_end = headings[0].position if headings else len(content)
    participants = _participants(content[:preamble_end])
    return items, participants


def _hard_breaks(lines: list[Line]) -> set[int]:
    """Content indices preceded by a whitespace-only line: a paragraph break in extracted text."""
    breaks: set[int] = set()
    position = 0
    pending = False
    for line in lines:
        if line.text.strip():
            if pending:
                breaks.add(position)
            pending = False
            position += 1
        elif line.text:  # whitespace, not empty: the extractor's paragraph gap
            pending = True
    return breaks


hard_breaks = _hard_breaks  # shared with the other layouts


def _item_headings(content: list[Line]) -> list[_Heading]:
    candidates = [h for i in range(len(content)) if (h := _heading_at(content, i)) is not None]
    # A number seen twice is a table-of-contents entry and the real heading:
    # keep the one that has a case line, else the later one.
    chosen: dict[tuple[int, int], _Heading] = {}
    for heading in candidates:
        previous = chosen.get(heading.number)
        if previous is None or heading.case_number or not previous.case_number:
            chosen[heading.number] = heading
    ordered = sorted(chosen.values(), key=lambda h: h.position)
    increasing: list[_Heading] = []
    for heading in ordered:
        if not increasing or heading.number > increasing[-1].number:
            increasing.append(heading)
    return increasing


def _heading_at(content: list[Line], index: int) -> _Heading | None:
    text = content[index].text
    match = ITEM_RE.match(text)
    if not match or not match[3][:1].isalpha() or TOC_RE.search(text):
        return None
    title_lines = [match[3]]
    case_number: str | None = None
    cursor = index + 1
    while cursor < len(content) and cursor - index <= CASE_LOOKAHEAD:
        following = content[cursor].text
        if case := CASE_RE.match(following):
            case_number = case[1]
            cursor += 1
            break
        if ITEM_RE.match(following) or GROUP_RE.match(following) or section_name(following):
            break
        title_lines.append(following)
        cursor += 1
    if case_number is None:
        # Without a case line, accept the heading only where an item can plausibly
        # start: before a section heading, another heading, or the end of the text.
        nxt = content[index + 1].text if index + 1 < len(content) else None
        plausible_next = nxt is None or section_name(nxt) or ITEM_RE.match(nxt) or GROUP_RE.match(nxt)
        wrapped_title = len(title_lines) > 1 and title_lines[0].rstrip().endswith("-")
        if not plausible_next and not wrapped_title:
            return None
        title_lines = title_lines[:2] if title_lines[0].rstrip().endswith("-") else title_lines[:1]
        cursor = index + len(title_lines)
    if len(title_lines) > TITLE_MAX_LINES:
        return None
    title = title_lines[0]
    for part in title_lines[1:]:
        title = join_wrapped(title, part)
    return _Heading(
        position=index,
        number=(int(match[1]), int(match[2])),
        title=clean_inline(title),
        case_number=case_number,
        body_start=cursor,
    )


def _group_heading_positions(content: list[Line], headings: list[_Heading]) -> set[int]:
    """Lines like "2. Regionalpolitiske sager" (or "5. KKR" with no items) that head a group.

    A run of such lines counts only when the next line after the run is an
    item heading; numbered lists inside an item are followed by text.
    """
    heading_at = {h.position: h for h in headings}
    groups: set[int] = set()
    index = 0
    while index < len(content):
        run: list[int] = []
        cursor = index
        while cursor < len(content) and cursor not in heading_at and GROUP_RE.match(content[cursor].text):
            run.append(cursor)
            cursor += 1
        if run and cursor in heading_at:
            groups.update(run)
        index = max(cursor, index + 1)
    return groups


def _sections(content: list[Line], body: list[int], breaks: set[int], short_line: int) -> list[Section]:
    sections: list[Section] = []
    name = INTRO_SECTION
    pending: list[Line | None] = []

    def close() -> None:
        paragraphs = assemble_paragraphs(pending, short_line)
        if name == INTRO_SECTION and not paragraphs:
            return
        sections.append(
            Section(name=name, paragraphs=[text for text, _ in paragraphs], pages=[page for _, page in paragraphs])
        )

    for index in body:
        line = content[index]
        if heading := section_name(line.text):
            close()
            name, pending = heading, []
            continue
        if index in breaks:
            pending.append(None)
        pending.append(line)
    close()
    return sections


def _participants(preamble: list[Line]) -> dict[str, list[str]]:
    participants: dict[str, list[str]] = {}
    current: str | None = None
    for line in preamble:
        text = clean_inline(line.text)
        if text in PARTICIPANT_HEADINGS:
            current = text
            participants[current] = []
        elif GROUP_RE.match(line.text) or ITEM_RE.match(line.text):
            current = None
        elif current is not None and text:
            participants[current].append(text)
    return participants
