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
    """The layout that recognises the document and finds its items; else the fallback."""
    from index.layouts import fallback, firstagenda, kkr

    kl = kkr.split(lines)
    if firstagenda.recognises(lines):
        # Both may find something ("Punkt 2:" quoted in KL's text): the layout that finds more items wins.
        fa = firstagenda.split(lines)
        if fa.items and len(fa.items) >= len(kl.items):
            return fa
    if kl.items:
        return kl
    return fallback.split(lines)
