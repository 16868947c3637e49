"""Layout recognisers: which shape of meeting document a file has, chosen by what it contains.

Each layout is a small module that splits a document's cleaned lines into agenda
items: ``kkr`` (KL's KKR template, "2.3. Titel" + "SAG-…"), ``firstagenda``
(the minutes most councils publish, "Punkt 2: Titel" + "EMN-…") and
``fallback`` (anything else readable, cut at its own headings or its pages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from index.schema import AgendaItem, Line

KKR = "kkr"
FIRSTAGENDA = "firstagenda"
FALLBACK = "fallback"


@dataclass(frozen=True)
class DocumentHeader:
    """What a document says about its own meeting on its first lines; None where it says nothing."""

    committee: str | None = None
    meeting_date: date | None = None
    date_evidence: str = ""
    doc_type: str | None = None


@dataclass
class Split:
    layout: str
    items: list[AgendaItem]
    participants: dict[str, list[str]] = field(default_factory=dict)
    fallback_by: str = ""


def split_by_layout(lines: list[Line]) -> Split:
    """The first layout that recognises the document and finds items in it; else the fallback."""
    from index.layouts import fallback, firstagenda, kkr

    if firstagenda.recognises(lines):
        split = firstagenda.split(lines)
        if split.items:
            return split
    split = kkr.split(lines)
    if split.items:
        return split
    return fallback.split(lines)
