"""FirstAgenda's layout, in which most councils and committees publish their minutes.

What it looks like in published PDFs: a first line "REFERAT Aarhus Byråd d.
27-08-2025", a line "Mødedato Onsdag d. 27. august 2025 kl. 16:00", an
"Indholdsfortegnelse" whose entries end in dotted leaders and a page number,
then items "Punkt 2: Svar på forslag fra DD om …" whose title wraps, a case
number "EMN-2025-003383", the decision first ("Beslutninger"), then sections
headed in capitals ("INDSTILLING FRA MAGISTRATSAFDELINGEN FOR …") or by a name
with a colon ("Baggrund:"), and a "Sagsforløb" listing earlier treatments
("Udvalg: …", "Dato: 26-03-2025", "Punktnummer: 21"). Closed items read
"Punkt 21: Lukket: Køb af landbrugsejendom". Agendas have the same shape
without the decisions. Hand-written for the same reason as index.agenda: no
parser knows this layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from index.agenda import INTRO_SECTION, hard_breaks
from index.cleaning import assemble_paragraphs, clean_inline, join_wrapped, typical_line_length
from index.layouts import FIRSTAGENDA, DocumentHeader, Split
from index.schema import AgendaItem, Line, Section
from index.sections import HISTORY

PUNKT_RE = re.compile(r"^\s*Punkt\s+(\d{1,3})\s*:\s*(\S.*?)\s*$")
CASE_RE = re.compile(r"^\s*(EMN-\d{4}-\d{3,7})\b")
# A table-of-contents entry ends in dotted leaders (or a tab) and a page number.
TOC_END_RE = re.compile(r"(?:\t|\s*[.…·]{3,}|\s{3,})\s*\d{1,3}\s*$")
FIRST_LINE_RE = re.compile(
    r"^\s*(REFERAT|DAGSORDEN)\s+(?P<committee>.+?)\s+(?:d\.|den)\s*(?P<date>\d{1,2}-\d{1,2}-\d{4})\s*$",
    re.IGNORECASE,
)
MONTHS = {
    "januar": 1, "februar": 2, "marts": 3, "april": 4, "maj": 5, "juni": 6,
    "juli": 7, "august": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
}
MEETING_DATE_RE = re.compile(
    r"^\s*Mødedato:?\s+(?:\w+\s+)?(?:d\.|den)?\s*(\d{1,2})\.\s*(" + "|".join(MONTHS) + r")\s+(\d{4})",
    re.IGNORECASE,
)
COMMITTEE_LINE_RE = re.compile(r"^\s*Udvalg:\s*(\S.*?)\s*$")
FIELD_RE = re.compile(r"^\s*(?:Udvalg|Dato|Punktnummer|Mødedato|Beslutning)\s*:")
DMY_RE = re.compile(r"(?<!\d)(\d{1,2})-(\d{1,2})-(\d{4})(?!\d)")
HEADER_LINES = 25
TITLE_MAX_LINES = 4

# Section heads by name, with or without a colon, and the name the answerer knows them by.
SECTION_NAMES = {
    "beslutning": "Beslutning",
    "beslutninger": "Beslutning",
    "indstilling": "Indstilling",
    "beslutningspunkter": "Indstilling",  # the points put to the vote: what KL calls the Indstilling
    "resume": "Resume",
    "resumé": "Resume",
    "baggrund": "Baggrund",
    "begrundelse": "Begrundelse",
    "sagsfremstilling": "Sagsfremstilling",
    "sagsforløb": "Sagsforløb",
    "økonomi": "Økonomi",
    "økonomiske konsekvenser": "Økonomiske konsekvenser",
    "lovgrundlag": "Lovgrundlag",
    "kommunikation": "Kommunikation",
    "bilag": "Bilag",
    "tidsplan": "Tidsplan",
    "høring": "Høring",
}
# Capitalised heads that are a kind of known section: "INDSTILLING FRA MAGISTRATSAFDELINGEN FOR …".
CAPS_PREFIXES = (("BESLUTNINGSFORSLAG", "Beslutningsforslag"), ("INDSTILLING", "Indstilling"),
                 ("BESLUTNING", "Beslutning"))


@dataclass
class _Heading:
    position: int
    number: int
    title: str
    case_number: str | None
    body_start: int


def recognises(lines: list[Line]) -> bool:
    """Two "Punkt N:" lines, or one beside a FirstAgenda header or case number."""
    texts = [line.text for line in lines if line.text.strip()]
    punkt = sum(1 for text in texts if PUNKT_RE.match(text))
    marker = any(CASE_RE.match(t) or MEETING_DATE_RE.match(t) or FIRST_LINE_RE.match(t) for t in texts)
    return punkt >= 2 or (punkt >= 1 and marker)


def read_header(lines: list[Line]) -> DocumentHeader:
    """Committee, date and type from the first line and the "Mødedato" line, where they are."""
    texts = [line.text.strip() for line in lines if line.text.strip()][:HEADER_LINES]
    committee = doc_type = None
    meeting_date: date | None = None
    evidence = ""
    for text in texts:
        if match := MEETING_DATE_RE.match(text):
            meeting_date = _safe_date(int(match[3]), MONTHS[match[2].lower()], int(match[1]))
        elif text.lower().startswith("mødedato"):
            meeting_date = _dmy(text)  # "Mødedato: 27-08-2025"
        if meeting_date:
            evidence = f"'{text}'"
            break
    for text in texts:
        if match := FIRST_LINE_RE.match(text):
            committee = clean_inline(match["committee"])
            doc_type = match[1].lower()
            if meeting_date is None and (found := _dmy(match["date"])):
                meeting_date, evidence = found, f"first line '{text}'"
            break
    if committee is None:
        # "Udvalg:" names the committee in the preamble only; inside an item it is an earlier treatment's.
        for text in texts:
            if PUNKT_RE.match(text) or text.lower().startswith("indholdsfortegnelse"):
                break
            if match := COMMITTEE_LINE_RE.match(text):
                committee = clean_inline(match[1])
                break
    return DocumentHeader(committee, meeting_date, evidence, doc_type)


def split(lines: list[Line]) -> Split:
    content = [line for line in lines if line.text.strip()]
    breaks = hard_breaks(lines)
    toc_titles, toc_positions = _table_of_contents(content)
    headings = _headings(content, toc_titles, toc_positions)
    short_line = int(typical_line_length(content) * 0.6)
    items = []
    for index, heading in enumerate(headings):
        end = headings[index + 1].position if index + 1 < len(headings) else len(content)
        body = [i for i in range(heading.body_start, end) if i not in toc_positions]
        sections = _sections(content, body, breaks, short_line)
        history = next((s for s in sections if s.name == HISTORY), None)
        items.append(
            AgendaItem(
                number=str(heading.number),
                title=heading.title,
                case_number=heading.case_number,
                sections=sections,
                page=content[heading.position].page,
                history_dates=_dates(history.text) if history else [],
            )
        )
    return Split(FIRSTAGENDA, items)


def _table_of_contents(content: list[Line]) -> tuple[dict[int, str], set[int]]:
    """Full titles by item number, and the lines the table takes up.

    An entry starts at "Punkt N:" and runs, over wrapped lines, to the line
    that ends in leaders and a page number.
    """
    titles: dict[int, str] = {}
    positions: set[int] = set()
    for index, line in enumerate(content):
        match = PUNKT_RE.match(line.text)
        if not match:
            continue
        parts = [match[2]]
        for cursor in range(index, min(index + TITLE_MAX_LINES, len(content))):
            if cursor > index:
                if PUNKT_RE.match(content[cursor].text):
                    break
                parts.append(content[cursor].text)
            if TOC_END_RE.search(content[cursor].text):
                title = parts[0]
                for part in parts[1:]:
                    title = join_wrapped(title, part)
                titles[int(match[1])] = _clean_title(TOC_END_RE.sub("", title))
                positions.update(range(index, cursor + 1))
                break
    return titles, positions


def _headings(content: list[Line], toc_titles: dict[int, str], toc_positions: set[int]) -> list[_Heading]:
    """Item headings in order. A number seen twice (a contents line without leaders, a
    cross-reference) keeps the line with a case number, else the later one."""
    chosen: dict[int, _Heading] = {}
    for index, line in enumerate(content):
        if index in toc_positions or not (match := PUNKT_RE.match(line.text)):
            continue
        number = int(match[1])
        heading = _heading_at(content, index, number, match[2], toc_titles.get(number))
        previous = chosen.get(number)
        if previous is None or heading.case_number or not previous.case_number:
            chosen[number] = heading
    increasing: list[_Heading] = []
    for heading in sorted(chosen.values(), key=lambda h: h.position):
        if not increasing or heading.number > increasing[-1].number:
            increasing.append(heading)
    return increasing


def _heading_at(content: list[Line], index: int, number: int, first: str, toc_title: str | None) -> _Heading:
    """The item's title over its wrapped lines, up to the case number or the first section head.

    Where the table of contents has the title, lines are taken as long as they
    continue it; that also restores a title the item line cut short.
    """
    title_lines = [first]
    cursor = index + 1
    case_number = None
    limit = min(index + TITLE_MAX_LINES, len(content))
    while cursor < limit:
        text = content[cursor].text
        if case := CASE_RE.match(text):
            case_number = case[1]
            cursor += 1
            break
        if PUNKT_RE.match(text) or _section_head(text):
            break
        candidate = _clean_title(join_wrapped(" ".join(title_lines), text))
        if toc_title is not None and not _normal(toc_title).startswith(_normal(candidate)):
            break
        title_lines.append(text)
        cursor += 1
    if case_number is None and toc_title is None:
        # Without a case number or a table of contents nothing tells a wrapped title from body text.
        title_lines, cursor = title_lines[:1], index + 1
        if cursor < len(content) and (case := CASE_RE.match(content[cursor].text)):
            case_number, cursor = case[1], cursor + 1
    title = title_lines[0]
    for part in title_lines[1:]:
        title = join_wrapped(title, part)
    title = _clean_title(title)
    if toc_title and len(_normal(toc_title)) > len(_normal(title)) and _normal(toc_title).startswith(_normal(title)):
        title = toc_title
    return _Heading(index, number, title, case_number, cursor)


def _section_head(text: str) -> str | None:
    """The section a line heads, by name ("Baggrund:", "Beslutninger") or in capitals."""
    stripped = clean_inline(text).rstrip(":").strip()
    if not stripped:
        return None
    if (name := SECTION_NAMES.get(stripped.lower())) is not None:
        return name
    letters = [char for char in stripped if char.isalpha()]
    if len(letters) >= 4 and all(char.isupper() for char in letters) and len(stripped) <= 100:
        if CASE_RE.match(stripped) or stripped[:1].isdigit():
            return None
        for prefix, name in CAPS_PREFIXES:
            if stripped.startswith(prefix):
                return name
        return stripped.capitalize()
    return None


def _sections(content: list[Line], body: list[int], breaks: set[int], short_line: int) -> list[Section]:
    """Sections in order; a name met twice (two heads meaning Indstilling) gathers into the first."""
    sections: dict[str, Section] = {}
    name = INTRO_SECTION
    pending: list[Line | None] = []

    def close() -> None:
        paragraphs = assemble_paragraphs(pending, short_line)
        if not paragraphs and (name == INTRO_SECTION or name in sections):
            return
        section = sections.setdefault(name, Section(name=name))
        section.paragraphs += [text for text, _ in paragraphs]
        section.pages += [page for _, page in paragraphs]

    for index in body:
        line = content[index]
        head = _section_head(line.text)
        # In the history, "Beslutning" heads an earlier meeting's decision, not this one's.
        if head is not None and not (name == HISTORY and head == "Beslutning"):
            close()
            name, pending = head, []
            continue
        if index in breaks or (name == HISTORY and COMMITTEE_LINE_RE.match(line.text)):
            pending.append(None)  # each earlier treatment a paragraph of its own
        pending.append(line)
    close()
    if HISTORY in sections:
        sections[HISTORY] = _treatments(sections[HISTORY])
    return list(sections.values())


def _treatments(history: Section) -> Section:
    """One paragraph per earlier treatment: "Udvalg: Teknisk Udvalg · Dato: 26-03-2025 · Punktnummer: 21"."""
    paragraphs: list[str] = []
    pages: list[int | None] = []
    for text, page in zip(history.paragraphs, history.pages, strict=True):
        if paragraphs and not COMMITTEE_LINE_RE.match(text) and FIELD_RE.match(text) and FIELD_RE.match(paragraphs[-1]):
            paragraphs[-1] += f" · {text}"
        else:
            paragraphs.append(text)
            pages.append(page)
    return Section(history.name, paragraphs, pages)


def _dates(text: str) -> list[date]:
    found = {d for match in DMY_RE.finditer(text) if (d := _safe_date(int(match[3]), int(match[2]), int(match[1])))}
    return sorted(found)


def _dmy(text: str) -> date | None:
    match = DMY_RE.search(text)
    return _safe_date(int(match[3]), int(match[2]), int(match[1])) if match else None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _clean_title(text: str) -> str:
    return clean_inline(text).strip()


def _normal(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()
