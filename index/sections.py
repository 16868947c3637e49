"""The names of the sections an agenda item is split into, shared by the readers (index/) and the answerer.

Readers map whatever heading a publisher prints ("Beslutninger", "Sagens
forløb", "Sammendrag", "Sundheds- og Forebyggelsesudvalgets beslutning den
04.12.2012 Punkt 1") to one of these names, so the answerer can prefer a
decision or read a case history without knowing any publisher's wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from index.header import DATE, date_found

DECISION = "Beslutning"
RECOMMENDATION = "Indstilling"
CASE = "Sagsfremstilling"
SUPPLEMENT = "Supplerende sagsfremstilling"
BACKGROUND = "Baggrund"
REASONS = "Begrundelse"
HISTORY = "Sagsforløb"
SUMMARY = "Resume"
ATTACHMENTS = "Bilag"
INTRODUCTION = "Indledning"
ECONOMY = "Økonomiske konsekvenser"
LAW = "Lovgrundlag"
CONSULTATION = "Høring"
TIMETABLE = "Tidsplan"
COMMUNICATION = "Kommunikation"
PROPOSAL = "Beslutningsforslag"

# A heading as Danish minutes print it, lower-cased, and the section it opens.
HEADINGS = {
    "beslutning": DECISION,
    "beslutninger": DECISION,
    "referat": DECISION,  # what was minuted under an item: its outcome
    "indstilling": RECOMMENDATION,
    "indstillinger": RECOMMENDATION,
    "beslutningspunkter": RECOMMENDATION,  # the points put to the vote
    "resume": SUMMARY,
    "resumé": SUMMARY,
    "sammendrag": SUMMARY,
    "sagsfremstilling": CASE,
    "sagsbeskrivelse": CASE,
    "fremstilling": CASE,
    "oplæg": CASE,
    "supplerende sagsfremstilling": SUPPLEMENT,
    "baggrund": BACKGROUND,
    "begrundelse": REASONS,
    "sagsforløb": HISTORY,
    "sagens forløb": HISTORY,
    "økonomi": ECONOMY,
    "økonomiske konsekvenser": ECONOMY,
    "lovgrundlag": LAW,
    "høring": CONSULTATION,
    "tidsplan": TIMETABLE,
    "kommunikation": COMMUNICATION,
    "bilag": ATTACHMENTS,
}
# "Økonomiske konsekvenser og finansiering", "Økonomi og organisatoriske konsekvenser".
ECONOMY_PREFIX_RE = re.compile(r"^økonomi(?:ske)?\s+(?:og|konsekvenser)\b[\w\s,]{0,40}$", re.IGNORECASE)
# "Sundheds- og Forebyggelsesudvalgets beslutning den 04.12.2012 Punkt 1",
# "Beslutning i Udvalget for plan, udvikling og kultur (PUK) den 10-04-2013", "Beslutning den 5. marts 2024".
DATED_DECISION_RE = re.compile(
    r"^(?:\S.{0,90}?\s+)?beslutning(?:\s+i\s+\S.{0,90}?)?\s+den\s+" + DATE
    + r"(?:\s+punkt\s+\d{1,4})?\s*:?\s*$",
    re.IGNORECASE,
)
# A field with its text on the same line: "Referat: Alle skal have indhold."
FIELD_RE = re.compile(r"^(?P<name>[A-Za-zÆØÅæøåé ]{4,30}):\s*(?P<rest>\S.*)$")
# Capitalised heads that are a kind of known section: "INDSTILLING FRA MAGISTRATSAFDELINGEN FOR …".
CAPS_PREFIXES = (("BESLUTNINGSFORSLAG", PROPOSAL), ("INDSTILLING", RECOMMENDATION), ("BESLUTNING", DECISION))
CAPS_MAX_CHARS = 100


@dataclass(frozen=True)
class Heading:
    """A section heading: the section it opens, the date a decision names, and text on the same line."""

    name: str
    decided_on: date | None = None
    rest: str = ""


def section_heading(text: str) -> Heading | None:
    """The section a whole line opens, by name, by a dated decision head, or in capitals; else None."""
    stripped = " ".join(text.split()).strip()
    if not stripped:
        return None
    bare = stripped.rstrip(":").strip()
    if (name := HEADINGS.get(bare.lower())) is not None:
        return Heading(name)
    if ECONOMY_PREFIX_RE.match(bare):
        return Heading(ECONOMY)
    if match := DATED_DECISION_RE.match(stripped):
        return Heading(DECISION, date_found(match))
    if (field := FIELD_RE.match(stripped)) and (name := HEADINGS.get(field["name"].strip().lower())):
        return Heading(name, rest=field["rest"])
    return _capitalised(bare)


def _capitalised(text: str) -> Heading | None:
    letters = [char for char in text if char.isalpha()]
    if len(letters) < 4 or not all(char.isupper() for char in letters) or len(text) > CAPS_MAX_CHARS:
        return None
    if text[:1].isdigit() or text.endswith((".", ",")) or re.match(r"^[A-ZÆØÅ]{2,5}-\d{4}-\d", text):
        return None
    for prefix, name in CAPS_PREFIXES:
        if text.startswith(prefix):
            return Heading(name)
    return Heading(text.capitalize())
