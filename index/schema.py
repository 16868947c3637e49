"""The records ingestion produces: meeting documents, agenda items, chunks.

They are plain dataclasses so the inspector, the index and the tests share one
shape, and so a chunk can be rebuilt from Chroma metadata without re-parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Line:
    """A line of source text and the PDF page it came from (None for text files)."""

    text: str
    page: int | None = None


@dataclass
class Section:
    name: str
    paragraphs: list[str] = field(default_factory=list)
    pages: list[int | None] = field(default_factory=list)
    # The date a decision head names ("… beslutning den 10-04-2013"); an earlier meeting's decision carried along.
    decided_on: date | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class AgendaItem:
    number: str
    title: str
    case_number: str | None
    sections: list[Section] = field(default_factory=list)
    page: int | None = None
    # Dates of earlier treatments of the same case (FirstAgenda's "Sagsforløb"), for precedent questions.
    history_dates: list[date] = field(default_factory=list)

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    @property
    def text(self) -> str:
        return "\n\n".join(f"{s.name}\n\n{s.text}" for s in self.sections if s.text)


@dataclass
class MeetingDocument:
    """``source`` is the document's identity (index.identity), ``file_name`` what users see."""

    source: str
    committee: str
    meeting_date: date | None
    doc_type: str
    items: list[AgendaItem]
    participants: dict[str, list[str]] = field(default_factory=dict)
    date_evidence: str = ""
    content_hash: str = ""
    source_dir: str = ""
    meeting_year: int | None = None
    # "punkter" when the structure reader found agenda items, "fallback" when it cut by headings or pages.
    layout: str = "punkter"
    # What the reader saw: heading forms, contents, running lines removed, dated decisions.
    cues: list[str] = field(default_factory=list)
    # For the fallback: how the items were cut, "overskrifter" (its own headings) or "sider" (pages).
    fallback_by: str = ""
    file_name: str = ""


@dataclass
class Chunk:
    """One embedded unit. ``text`` is what gets embedded: context header + body."""

    chunk_id: str
    text: str
    body: str
    metadata: dict[str, str | int | float | bool]
