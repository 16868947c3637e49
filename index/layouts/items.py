"""The structure reader for Danish meeting documents: agenda items found by cues that hold across publishers.

Councils head their items "3. Titel", "3 Titel", "Punkt 3: Titel" or, under a
group "1 Titel", "1.2 Titel"; some number their cases across meetings ("715.
Titel"). No single line tells an item heading from a numbered list entry, so
the numbering sequence is the evidence: the reader takes, for each heading
form, the chain of candidate lines whose numbers count up (1, 2, 3 … or 1, 1.1,
1.2, 2, 2.1 …), weighting a candidate that is followed by a case number or a
section heading, and keeps the best chain over all forms. A list restarting
at 1 inside an item, or a lettered list, breaks no chain and joins none.

A table of contents is the same numbers and titles seen earlier: its entries
confirm the items and give their full titles, and are never items themselves.
Section headings inside an item ("Resume", "Beslutning i … den 10-04-2013")
are mapped to the names in :mod:`index.sections`; a decision head that names a
date keeps that date. KL's two-level "1.2. Titel" + "SAG-…" numbering is read
by its proven splitter in :mod:`index.agenda`, as one of the cues.

Hand-written because no parser knows the layouts of Danish minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from index.agenda import INTRO_SECTION, hard_breaks, split_document
from index.cleaning import assemble_paragraphs, clean_inline, join_wrapped, typical_line_length
from index.layouts import ITEMS, Split
from index.schema import AgendaItem, Line, Section
from index.sections import DECISION, HISTORY, section_heading

Number = tuple[int, ...]

# Heading forms, each with the number's groups and the title.
PUNKT_RE = re.compile(r"^\s*Punkt\s+(\d{1,4})\s*:\s*(\S.*?)\s*$", re.IGNORECASE)
SUB_RE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.?\s+(\S.*?)\s*$")
DOT_RE = re.compile(r"^\s*(\d{1,4})\.\s+(\S.*?)\s*$")
BARE_RE = re.compile(r"^\s*(\d{1,3})\s+(\S.*?)\s*$")
FORMS = {"Punkt N: Titel": PUNKT_RE, "N. Titel": DOT_RE, "N Titel": BARE_RE}
SUB_FORM = "N.M Titel"
# A case number on its own line: "EMN-2025-009242", "Sagsnr.: 12/27845", "Sagsnr.: 2012-28504".
CASE_RE = re.compile(
    r"^\s*(?:(?:Sagsnr|Sags?\s*nr|Sagsnummer)\.?\s*:?\s*(?P<labelled>\S+)|(?P<bare>[A-ZÆØÅ]{2,5}-\d{4}-\d{3,7})\b)",
    re.IGNORECASE,
)
# A table-of-contents entry ends in dotted leaders (or a tab) and a page number.
TOC_END_RE = re.compile(r"(?:\t|\s*[.…·]{3,}|\s{3,})\s*\d{1,3}\s*$")
GLUED_PAGE_RE = re.compile(r"\s+\d{1,3}\s*$")
TOC_HEAD_RE = re.compile(r"^\s*(?:indholdsfortegnelse|indholdsliste|indhold|punkt\s+(?:nr\.?\s+)?(?:titel|side))\b",
                         re.IGNORECASE)
COMMITTEE_LINE_RE = re.compile(r"^\s*Udvalg:\s*(\S.*?)\s*$")
FIELD_LINE_RE = re.compile(r"^\s*(?:Udvalg|Dato|Punktnummer|Mødedato|Beslutning)\s*:")
DMY_RE = re.compile(r"(?<!\d)(\d{1,2})-(\d{1,2})-(\d{4})(?!\d)")
TITLE_MAX_LINES = 4
EVIDENCE_LOOKAHEAD = 4
EVIDENCE_WEIGHT = 2
# Without a case number or contents, this many headings followed by a section heading make an agenda.
MIN_WEAK_EVIDENCE = 2


@dataclass
class _Candidate:
    position: int
    number: Number
    form: str
    title: str
    evidence: bool = False
    strong: bool = False  # a case number or a contents entry, not only a section heading


@dataclass
class _Heading:
    position: int
    number: Number
    title: str
    case_number: str | None
    body_start: int


@dataclass
class Reading:
    """What the reader found: the items and the cues it saw (heading forms, contents, dated decisions)."""

    items: list[AgendaItem]
    cues: list[str] = field(default_factory=list)


def split(lines: list[Line]) -> Split:
    """The document's items by the best-evidenced numbering; KL's "1.2. Titel + SAG-" by its own splitter."""
    general = read_items(lines)
    kl_items, participants = split_document(lines)
    if kl_items and len(kl_items) >= len(general.items):
        cues = ["punktoverskrifter 'N.M. Titel' med sagsnummer"]
        return Split(ITEMS, kl_items, participants, cues=cues)
    return Split(ITEMS, general.items, cues=general.cues)


def read_items(lines: list[Line]) -> Reading:
    content = [line for line in lines if line.text.strip()]
    candidates = _candidates(content)
    toc, toc_titles, toc_lines = _table_of_contents(content, candidates)
    body_candidates = [c for c in candidates if c.position not in toc]
    for candidate in body_candidates:
        candidate.strong, candidate.evidence = _evidence(content, candidate, toc_titles)
    chain, form = _best_chain(body_candidates)
    if not chain:
        return Reading([])
    cues = [f"punktoverskrifter '{form}'"]
    if any(len(c.number) == 2 for c in chain):
        cues.append(f"underpunkter '{SUB_FORM}'")
    if chain[0].number[0] > 1:
        cues.append(f"løbende punktnumre (første nr. {chain[0].number[0]})")
    if toc:
        cues.append(f"indholdsfortegnelse med {len(toc)} punkter (ikke indekseret)")
    headings = _headings(content, chain, toc_titles)
    groups = {c.position for index, c in enumerate(chain[:-1])
              if len(c.number) == 1 and chain[index + 1].number == (*c.number, 1)}
    breaks = hard_breaks(lines)
    short_line = int(typical_line_length(content) * 0.6)
    items: list[AgendaItem] = []
    for index, heading in enumerate(headings):
        if heading.position in groups:
            continue
        end = headings[index + 1].position if index + 1 < len(headings) else len(content)
        body = [i for i in range(heading.body_start, end) if i not in toc_lines]
        sections = _sections(content, body, breaks, short_line)
        history = [s for s in sections if s.name == HISTORY]
        items.append(AgendaItem(
            number=".".join(str(part) for part in heading.number),
            title=heading.title,
            case_number=heading.case_number,
            sections=sections,
            page=content[heading.position].page,
            history_dates=_dates(history[0].text) if history else [],
        ))
    if any(s.decided_on for item in items for s in item.sections):
        cues.append("beslutninger med dato i overskriften")
    return Reading(items, cues)


def _candidates(content: list[Line]) -> list[_Candidate]:
    """Every line shaped like an item heading, in any form, with a title that starts like one."""
    found: list[_Candidate] = []
    for position, line in enumerate(content):
        text = line.text
        if match := SUB_RE.match(text):
            number: Number = (int(match[1]), int(match[2]))
            if _title_like(match[3]):
                found.append(_Candidate(position, number, SUB_FORM, match[3]))
            continue
        for form, pattern in FORMS.items():
            if (match := pattern.match(text)) and _title_like(match[2]):
                found.append(_Candidate(position, (int(match[1]),), form, match[2]))
                break
    return found


def _title_like(title: str) -> bool:
    """A title starts with a capital letter (or a quote) and is not an amount or a unit ("2 mio. kr.")."""
    first = title[:1]
    return (first.isalpha() and first.isupper()) or first in "\"“«'"


def _table_of_contents(content: list[Line], candidates: list[_Candidate]) -> tuple[set[int], dict[Number, str], set[int]]:
    """Candidates that are contents entries, the full titles they give by number, and the lines they take up.

    An entry ends in leaders and a page number, or is the same number and
    title met again later: the item it lists.
    """
    toc: set[int] = set()
    titles: dict[Number, str] = {}
    lines: set[int] = set()
    for index, candidate in enumerate(candidates):
        later = [c for c in candidates[index + 1:] if c.number == candidate.number and c.form == candidate.form]
        entry, end = _toc_entry(content, candidate, candidates[index + 1:])
        glued = GLUED_PAGE_RE.sub("", entry)
        leaders = bool(TOC_END_RE.search(content[end].text))
        repeated = any(_continues(entry, c.title) or _continues(glued, c.title) for c in later)
        if not (leaders or repeated):
            continue
        title = TOC_END_RE.sub("", entry) if leaders else entry
        if not leaders and any(_normal(c.title) == _normal(glued) or _continues(glued, c.title) for c in later) \
                and not any(_normal(c.title) == _normal(entry) for c in later):
            title = glued  # "1. Meddelelser 3": the page number glued on
        toc.add(candidate.position)
        titles[candidate.number] = clean_inline(title)
        lines.update(range(candidate.position, end + 1))
    return toc, titles, lines


def _toc_entry(content: list[Line], candidate: _Candidate, following: list[_Candidate]) -> tuple[str, int]:
    """A contents entry over its wrapped lines, up to the one ending in a page number, and where it ends."""
    next_position = following[0].position if following else len(content)
    title = candidate.title
    end = candidate.position
    for cursor in range(candidate.position, min(candidate.position + TITLE_MAX_LINES, next_position)):
        text = content[cursor].text
        if cursor > candidate.position:
            if TOC_HEAD_RE.match(text) or section_heading(text) or CASE_RE.match(text):
                break
            title = join_wrapped(title, text)
        end = cursor
        if TOC_END_RE.search(text) or (cursor > candidate.position and GLUED_PAGE_RE.search(text)):
            break
    if end > candidate.position and not (TOC_END_RE.search(content[end].text) or GLUED_PAGE_RE.search(content[end].text)):
        return candidate.title, candidate.position  # wrapped lines that end in no page number are not the entry's
    return title, end


def _continues(entry: str, title: str) -> bool:
    """An entry that is the title, or the title a heading line cut short."""
    entry_n, title_n = _normal(TOC_END_RE.sub("", entry)), _normal(title)
    return bool(title_n) and (entry_n == title_n or entry_n.startswith(title_n) and len(title_n) >= 8)


def _evidence(content: list[Line], candidate: _Candidate, toc_titles: dict[Number, str]) -> tuple[bool, bool]:
    """(strong, any): a contents entry naming it or a case number after it is strong; a section heading
    right after it (or a group heading over its first sub-item) is evidence too, but weaker."""
    if candidate.number in toc_titles and _continues(toc_titles[candidate.number], candidate.title):
        return True, True
    for cursor in range(candidate.position + 1, min(candidate.position + 1 + EVIDENCE_LOOKAHEAD, len(content))):
        text = content[cursor].text
        if CASE_RE.match(text):
            return True, True
        if section_heading(text) or (SUB_RE.match(text) and cursor == candidate.position + 1):
            return False, True
        if any(pattern.match(text) for pattern in FORMS.values()):
            break
    return False, False


def _follows(previous: Number, following: Number) -> bool:
    """Whether ``following`` may come next in a numbering: 3 → 4, 3 → 3.1, 3.2 → 3.3, 3.2 → 4, 3.2 → 4.1."""
    if len(previous) == 1:
        return following in ((previous[0] + 1,), (previous[0], 1), (previous[0] + 1, 1))
    return following in ((previous[0], previous[1] + 1), (previous[0] + 1,), (previous[0] + 1, 1))


def _best_chain(candidates: list[_Candidate]) -> tuple[list[_Candidate], str]:
    """Over each heading form, the weightiest chain of candidates whose numbers count up.

    The chain is first drawn through the candidates with evidence only, so a
    long numbered list (200 budget proposals) cannot outweigh 33 items with case
    numbers; the numbers it skips are then filled with the plain candidates that
    fit between their neighbours ("5. Eventuelt" between 4 and 6, "3 Eventuelt" last).
    """
    best: tuple[tuple[int, int], list[_Candidate], str] = ((0, 0), [], "")
    for form in FORMS:
        pool = [c for c in candidates if c.form in (form, SUB_FORM)]
        chain = _chain([c for c in pool if c.evidence])
        if not any(c.strong for c in chain) and sum(c.evidence for c in chain) < MIN_WEAK_EVIDENCE:
            continue  # numbered lines with (almost) nothing that makes them headings: a list or a note
        chain = _fill_gaps(chain, [c for c in pool if not c.evidence])
        score = (sum(c.evidence for c in chain), len(chain))
        if score > best[0]:
            best = (score, chain, form)
    return best[1], best[2]


def _fill_gaps(chain: list[_Candidate], plain: list[_Candidate]) -> list[_Candidate]:
    changed = True
    while changed:
        changed = False
        for index in range(len(chain) + 1):
            before = chain[index - 1] if index > 0 else None
            after = chain[index] if index < len(chain) else None
            fitting = [c for c in plain
                       if (before is None or (c.position > before.position and _follows(before.number, c.number)))
                       and (after is None or (c.position < after.position and _follows(c.number, after.number)))
                       and (before is not None or after is not None)]
            if before is not None and after is not None and _follows(before.number, after.number):
                continue
            if fitting:
                chosen = fitting[0] if after is None else fitting[-1]
                chain.insert(index, chosen)
                plain = [c for c in plain if c is not chosen]
                changed = True
                break
    return chain


def _chain(pool: list[_Candidate]) -> list[_Candidate]:
    """The longest weighted path through the candidates in document order along :func:`_follows`."""
    score: list[int] = []
    back: list[int | None] = []
    for index, candidate in enumerate(pool):
        weight = 1 + EVIDENCE_WEIGHT * candidate.evidence
        options = [(score[j], j) for j in range(index) if _follows(pool[j].number, candidate.number)]
        previous_score, previous = max(options, default=(0, None))
        score.append(previous_score + weight)
        back.append(previous)
    if not score:
        return []
    cursor: int | None = max(range(len(pool)), key=lambda i: (score[i], i))
    chain: list[_Candidate] = []
    while cursor is not None:
        chain.append(pool[cursor])
        cursor = back[cursor]
    return chain[::-1]


def _headings(content: list[Line], chain: list[_Candidate], toc_titles: dict[Number, str]) -> list[_Heading]:
    positions = {c.position for c in chain}
    return [_heading_at(content, c, toc_titles.get(c.number), positions) for c in chain]


def _heading_at(content: list[Line], candidate: _Candidate, toc_title: str | None, positions: set[int]) -> _Heading:
    """The item's title over its wrapped lines, up to the case number or the first section head.

    Where the contents have the title, lines are taken as long as they
    continue it; that also restores a title the item line cut short.
    """
    index = candidate.position
    title_lines = [candidate.title]
    cursor = index + 1
    case_number = None
    limit = min(index + TITLE_MAX_LINES, len(content))
    while cursor < limit:
        text = content[cursor].text
        if case := CASE_RE.match(text):
            case_number = case["labelled"] or case["bare"]
            cursor += 1
            break
        if cursor in positions or section_heading(text) or SUB_RE.match(text):
            break
        candidate_title = clean_inline(join_wrapped(" ".join(title_lines), text))
        if toc_title is not None and not _normal(toc_title).startswith(_normal(candidate_title)):
            break
        title_lines.append(text)
        cursor += 1
    if case_number is None and toc_title is None:
        # Without a case number or contents nothing tells a wrapped title from body text.
        title_lines, cursor = title_lines[:1], index + 1
        if cursor < len(content) and (case := CASE_RE.match(content[cursor].text)):
            case_number, cursor = case["labelled"] or case["bare"], cursor + 1
    title = title_lines[0]
    for part in title_lines[1:]:
        title = join_wrapped(title, part)
    title = clean_inline(title)
    if toc_title and len(_normal(toc_title)) > len(_normal(title)) and _normal(toc_title).startswith(_normal(title)):
        title = toc_title
    return _Heading(index, candidate.number, title, case_number, cursor)


def _sections(content: list[Line], body: list[int], breaks: set[int], short_line: int) -> list[Section]:
    """Sections in order; a name met twice gathers into the first, but decisions of another date stay apart.

    A heading with nothing under it makes no section: an empty "Referat:" is not a decision.
    """
    sections: dict[tuple[str, date | None], Section] = {}
    key: tuple[str, date | None] = (INTRO_SECTION, None)
    pending: list[Line | None] = []

    def close() -> None:
        paragraphs = assemble_paragraphs(pending, short_line)
        while paragraphs and _is_empty_label(paragraphs[-1][0], short_line):
            paragraphs.pop()  # a label with nothing after it ("Følgende deltog ikke i behandlingen af punktet:")
        if not paragraphs:
            return  # an empty field ("Referat:" with nothing after it) says nothing, least of all a decision
        section = sections.setdefault(key, Section(name=key[0], decided_on=key[1]))
        section.paragraphs += [text for text, _ in paragraphs]
        section.pages += [page for _, page in paragraphs]

    for index in body:
        line = content[index]
        head = section_heading(line.text)
        # In the history, "Beslutning" heads an earlier meeting's decision, not this one's.
        if head is not None and not (key[0] == HISTORY and head.name == DECISION):
            close()
            key, pending = (head.name, head.decided_on), []
            if head.rest:
                pending.append(Line(head.rest, line.page))
            continue
        if index in breaks or (key[0] == HISTORY and COMMITTEE_LINE_RE.match(line.text)):
            pending.append(None)  # each earlier treatment a paragraph of its own
        pending.append(line)
    close()
    history = sections.get((HISTORY, None))
    if history is not None:
        sections[(HISTORY, None)] = _treatments(history)
    return list(sections.values())


def _is_empty_label(text: str, short_line: int) -> bool:
    """A short line ending in a colon, no sentence before it: a field whose value was left out.

    A paragraph that leads into what follows ("… ud fra nedenstående tidsplan:") is longer than a
    label and keeps its place.
    """
    return text.endswith(":") and len(text) < short_line and ". " not in text


def _treatments(history: Section) -> Section:
    """One paragraph per earlier treatment: "Udvalg: Teknisk Udvalg · Dato: 26-03-2025 · Punktnummer: 21"."""
    paragraphs: list[str] = []
    pages: list[int | None] = []
    for text, page in zip(history.paragraphs, history.pages, strict=True):
        if paragraphs and not COMMITTEE_LINE_RE.match(text) and FIELD_LINE_RE.match(text) \
                and FIELD_LINE_RE.match(paragraphs[-1]):
            paragraphs[-1] += f" · {text}"
        else:
            paragraphs.append(text)
            pages.append(page)
    return Section(history.name, paragraphs, pages)


def _dates(text: str) -> list[date]:
    found = set()
    for match in DMY_RE.finditer(text):
        try:
            found.add(date(int(match[3]), int(match[2]), int(match[1])))
        except ValueError:
            continue
    return sorted(found)


def _normal(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()
