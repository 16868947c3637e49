"""What a meeting document says about its own meeting on its first lines: body, date and kind.

Councils print these in many forms: a label ("Udvalg: Teknisk Udvalg",
"Mødedato: onsdag den 1. oktober 2025", "Dato: 04.12.2012"), a first line
"REFERAT Aarhus Byråd d. 27-08-2025", a date line on its own ("tirsdag den 4.
december 2012, kl. 13:00", "06-10-2016 13:00" in a header whose values come
before their labels), and the body's name on a line of its own
("Sundheds- og Forebyggelsesudvalget", "Mødesystemgruppen"). The body is
recognised by the Danish words bodies are named with, never by a list of names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from index.schema import Line

MONTHS = {
    "januar": 1, "februar": 2, "marts": 3, "april": 4, "maj": 5, "juni": 6,
    "juli": 7, "august": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
}
WEEKDAY = r"(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag)"
LONG_DATE = r"(?P<day>\d{1,2})\.\s*(?P<month>" + "|".join(MONTHS) + r")\s+(?P<year>\d{4})"
NUMERIC_DATE = r"(?P<nday>\d{1,2})[.-](?P<nmonth>\d{1,2})[.-](?P<nyear>\d{4})"
DATE = rf"(?:{LONG_DATE}|{NUMERIC_DATE})"
TIME_TAIL = r"(?:[\s,–-]*(?:kl\.?\s*)?\d{1,2}[.:]\d{2}(?:\s*[–-]\s*\d{1,2}[.:]\d{2})?)?\s*$"
LABELLED_DATE_RE = re.compile(
    rf"^\s*(?:Mødedato|Dato)\s*:?\s*(?:{WEEKDAY}\s+)?(?:den\s+|d\.\s*)?{DATE}", re.IGNORECASE
)
DATE_LINE_RE = re.compile(
    rf"^\s*(?:(?:referat|dagsorden)\s+)?(?:{WEEKDAY}\s+)?(?:den\s+|d\.\s*)?{DATE}{TIME_TAIL}", re.IGNORECASE
)
FIRST_LINE_RE = re.compile(
    rf"^\s*(?P<kind>REFERAT|DAGSORDEN)\s+(?P<committee>.+?)\s+(?:d\.|den)\s*{NUMERIC_DATE}\s*$", re.IGNORECASE
)
COMMITTEE_LABEL_RE = re.compile(r"^\s*Udvalg\s*:\s*(\S.*?)\s*$")
KIND_RE = re.compile(r"^\s*(?:åbent\s+|lukket\s+)?(?P<kind>referat|dagsorden)\b", re.IGNORECASE)
# The words Danish public bodies are named with, as the end of a word of the name.
BODY_WORD_RE = re.compile(
    r"\w*(?:udvalg|udvalget|byråd|byrådet|kommunalbestyrelse|kommunalbestyrelsen|regionsråd|regionsrådet|"
    r"råd|rådet|magistrat|magistraten|bestyrelse|bestyrelsen|gruppe|gruppen|forum|komité|komiteen)",
    re.IGNORECASE,
)
KKR_LINE_RE = re.compile(r"^KKR [A-ZÆØÅ]+$")
# Stop reading the header where the items or the contents begin.
ITEMS_START_RE = re.compile(
    r"^\s*(?:punkt\s+\d|indholdsfortegnelse|indholdsliste|\d{1,4}\.?\d{0,2}\.?\s{1,}[A-ZÆØÅ])", re.IGNORECASE
)
HEADER_LINES = 40
NAME_MAX_CHARS = 80


@dataclass(frozen=True)
class DocumentHeader:
    """What a document says about its own meeting on its first lines; None where it says nothing."""

    committee: str | None = None
    meeting_date: date | None = None
    date_evidence: str = ""
    doc_type: str | None = None
    # A name read from a line of its own, weaker than a label or a first line: a page footer outranks it.
    committee_is_labelled: bool = True
    date_is_labelled: bool = True


def read_header(lines: list[Line]) -> DocumentHeader:
    texts = _header_texts(lines)
    committee, labelled_committee = _committee(texts)
    meeting_date, evidence, labelled_date = _date(texts)
    return DocumentHeader(committee, meeting_date, evidence, _kind(texts), labelled_committee, labelled_date)


def _header_texts(lines: list[Line]) -> list[str]:
    texts: list[str] = []
    for line in lines:
        text = " ".join(line.text.split())
        if not text:
            continue
        if ITEMS_START_RE.match(text) or len(texts) >= HEADER_LINES:
            break
        texts.append(text)
    return texts


def _committee(texts: list[str]) -> tuple[str | None, bool]:
    for text in texts:
        if match := FIRST_LINE_RE.match(text):
            return match["committee"].strip(), True
    for text in texts:
        if match := COMMITTEE_LABEL_RE.match(text):
            return match[1], True
    for text in texts:
        if name := _body_name(text):
            return name, False
    for text in texts:
        if KKR_LINE_RE.match(text):
            return "KKR " + text[4:].capitalize(), False
    return None, False


def _body_name(text: str) -> str | None:
    """A line that is a body's name: short, no sentence, ending in a word bodies are named with."""
    name = re.sub(r"^(?:referat|dagsorden)\s+(?:for\s+)?", "", text, flags=re.IGNORECASE).strip()
    if not name or len(name) > NAME_MAX_CHARS or name.endswith((".", ":", ";")) or ":" in name:
        return None
    if DATE_LINE_RE.match(name) or re.search(DATE, name, re.IGNORECASE) or not name[:1].isupper():
        return None
    words = name.split()
    if len(words) > 8:
        return None
    # "…udvalget", "Udvalget for plan, udvikling og kultur (PUK)", "Byråd 2022-2025".
    return name if any(BODY_WORD_RE.fullmatch(word.strip(",()")) for word in words) else None


def _date(texts: list[str]) -> tuple[date | None, str, bool]:
    for text in texts:
        if (match := LABELLED_DATE_RE.match(text)) and (found := date_found(match)):
            return found, f"'{text}'", True
    for text in texts:
        if (match := FIRST_LINE_RE.match(text)) and (found := date_found(match)):
            return found, f"first line '{text}'", True
    for text in texts:
        if (match := DATE_LINE_RE.match(text)) and (found := date_found(match)):
            return found, f"date line '{text}'", False
    return None, "", False


def _kind(texts: list[str]) -> str | None:
    for text in texts:
        if match := KIND_RE.match(text):
            return match["kind"].lower()
    return None


def date_found(match: re.Match[str]) -> date | None:
    """The date a match of ``DATE`` holds, in either form; None when it is not a real date."""
    groups = match.groupdict()
    try:
        if groups.get("day"):
            return date(int(groups["year"]), MONTHS[groups["month"].lower()], int(groups["day"]))
        if groups.get("nday"):
            return date(int(groups["nyear"]), int(groups["nmonth"]), int(groups["nday"]))
    except ValueError:
        return None
    return None
