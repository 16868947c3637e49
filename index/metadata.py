"""Meeting-level facts: committee, date and document type, and where each came from.

Precedence for the date: a manifest.csv beside the file, then the document's
own header (a label "Dato: 21-11-2023 10:00", "Mødedato: …", a first line
"REFERAT … d. 27-08-2025"), its page footer ("| 07-02-2023"), a date line of
its own in the header ("tirsdag den 4. december 2012"), then an ISO date in
the file name, else unknown. The committee likewise: the manifest, the
document's label or first line, its footer, a line naming a body
("Sundheds- og Forebyggelsesudvalget"), and only then the configured default
(MINUTES_COMMITTEE): the body a document names is the one its answers cite.
An unknown date stays None and is reported; a guessed date would make every
citation from the file wrong.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from index.cleaning import parse_dmy
from index.header import DocumentHeader
from index.schema import Line

HEADER_DATE_RE = re.compile(r"^\s*Dato:\s*(\d{2}-\d{2}-\d{4})")
ISO_DATE_RE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
HEADER_LINES = 60


@dataclass(frozen=True)
class ManifestEntry:
    committee: str | None
    meeting_date: date | None
    doc_type: str | None
    date_evidence: str


@dataclass(frozen=True)
class MeetingFacts:
    committee: str
    meeting_date: date | None
    doc_type: str
    date_evidence: str


def read_manifest(directory: Path) -> dict[str, ManifestEntry]:
    """Entries of ``directory/manifest.csv`` by file name; empty when there is none."""
    path = directory / "manifest.csv"
    if not path.is_file():
        return {}
    entries: dict[str, ManifestEntry] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            name = (row.get("file") or "").strip()
            if not name:
                continue
            raw_date = (row.get("meeting_date") or "").strip()
            entries[name] = ManifestEntry(
                committee=(row.get("committee") or "").strip() or None,
                meeting_date=date.fromisoformat(raw_date) if raw_date else None,
                doc_type=(row.get("doc_type") or "").strip().lower() or None,
                date_evidence=(row.get("date_evidence") or "").strip() or "manifest.csv",
            )
    return entries


def manifest_entry_for(path: Path) -> ManifestEntry | None:
    """The manifest row for ``path``; a PDF also matches a row naming the same stem."""
    entries = read_manifest(path.parent)
    if path.name in entries:
        return entries[path.name]
    return next((entry for name, entry in entries.items() if Path(name).stem == path.stem), None)


def meeting_facts(
    path: Path,
    lines: list[Line],
    footer_dates: list[date],
    footer_committees: list[str],
    has_decisions: bool,
    default_committee: str,
    document_header: DocumentHeader | None = None,
    fallback: bool = False,
    decided_items: tuple[int, int] = (0, 0),
) -> MeetingFacts:
    """The manifest's word first, then the document's own (its first lines, header, footer), then the file name.

    ``document_header`` is what :mod:`index.header` read from the first lines; a
    fallback document that says neither "REFERAT" nor "DAGSORDEN" is a "dokument".
    """
    entry = manifest_entry_for(path)
    own = document_header or DocumentHeader()
    header = [line.text.strip() for line in lines[:HEADER_LINES]]
    if entry is not None:
        meeting_date, evidence = entry.meeting_date, f"manifest.csv: {entry.date_evidence}"
    elif own.meeting_date is not None and (own.date_is_labelled or not footer_dates):
        meeting_date, evidence = own.meeting_date, own.date_evidence
    else:
        meeting_date, evidence = _date_from_document(header, footer_dates, path.name)
    labelled = own.committee if own.committee_is_labelled else None
    named = own.committee if not own.committee_is_labelled else None
    committee = (entry.committee if entry else None) or labelled or _committee_from_footer(footer_committees) \
        or named or default_committee
    doc_type = (entry.doc_type if entry else None) or own.doc_type or _doc_type_from_header(header)
    decided, total = decided_items
    if doc_type == "dagsorden" and not (entry and entry.doc_type) and decided >= 2 and decided * 2 >= total:
        # A meeting page still headed "Dagsorden" after the meeting: most of its items carry their decision.
        # One decision among many items may be quoted from elsewhere; decisions under most are the meeting's.
        doc_type = "referat"
    if doc_type is None:
        doc_type = "dokument" if fallback else "referat" if has_decisions else "dagsorden"
    return MeetingFacts(committee, meeting_date, doc_type, evidence)


def _date_from_document(header: list[str], footer_dates: list[date], name: str) -> tuple[date | None, str]:
    for text in header:
        if (match := HEADER_DATE_RE.match(text)) and (found := parse_dmy(match[1])):
            return found, f"header 'Dato: {match[1]}'"
    if footer_dates:
        most_common = max(set(footer_dates), key=footer_dates.count)
        return most_common, f"page footer '| {most_common:%d-%m-%Y}'"
    if match := ISO_DATE_RE.search(name):
        try:
            return date(int(match[1]), int(match[2]), int(match[3])), "file name"
        except ValueError:
            pass
    return None, "unknown: no manifest, header, footer or file-name date"


def _committee_from_footer(footer_committees: list[str]) -> str | None:
    return max(set(footer_committees), key=footer_committees.count) if footer_committees else None


def _doc_type_from_header(header: list[str]) -> str | None:
    for text in header:
        if text.startswith("REFERAT"):
            return "referat"
        if text.startswith("DAGSORDEN"):
            return "dagsorden"
    return None


def year_in_name(name: str) -> int | None:
    """A meeting year in the file name ("kkr-syddanmark-2025-referat.txt").

    Only a year, never a date: it lets "i 2025" find a meeting whose exact date is unknown.
    """
    match = re.search(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", name)
    return int(match[1]) if match else None
