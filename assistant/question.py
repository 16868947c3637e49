"""Read a question: reject what can't be answered safely, and pick up explicit filters.

"i 2021", "på mødet i november 2023", "den 21. november 2023", "siden 2020"
narrow the search to those meetings. Dates in Danish text follow a handful of
fixed shapes, so a few regular expressions do; no parser library knows them.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import replace
from datetime import date

from assistant.retrieval import NO_FILTERS, Filters

MONTHS = {
    "januar": 1, "februar": 2, "marts": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7,
    "august": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
}
_MONTH = "|".join(MONTHS)
DAY_RE = re.compile(rf"\b(\d{{1,2}})\.\s*({_MONTH})\s+(\d{{4}})\b", re.IGNORECASE)
MONTH_RE = re.compile(rf"\b(?:i|fra)\s+({_MONTH})\s+(\d{{4}})\b", re.IGNORECASE)
SINCE_RE = re.compile(r"\b(?:siden|efter|since|after)\s+(\d{4})\b", re.IGNORECASE)
BEFORE_RE = re.compile(r"\b(?:før|inden|before)\s+(\d{4})\b", re.IGNORECASE)
YEAR_RE = re.compile(r"\b(?:i|in|fra|from|året|år)\s+(\d{4})\b", re.IGNORECASE)
FOLLOW_UP_RE = re.compile(
    r"^\s*(?:(?:og|men|and|but)\s+)?(?:hvad|hvordan|what|how)\s+(?:så\s+)?(?:med|about)\b|^\s*(?:og|men|and)\b",
    re.IGNORECASE,
)


class QuestionError(ValueError):
    """A question we refuse to search for; the message is shown to the user as it is."""


def validate_question(question: str | None, max_chars: int) -> str:
    """The question, cleaned of control characters; QuestionError when empty or too long."""
    text = "".join(ch for ch in (question or "") if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise QuestionError("Skriv et spørgsmål om møderne, fx »Hvad blev der besluttet om botilbud?«")
    if len(text) > max_chars:
        raise QuestionError(
            f"Spørgsmålet er for langt ({len(text)} tegn). Skriv det kortere, højst {max_chars} tegn."
        )
    if not re.search(r"\w{2,}", text):
        raise QuestionError("Spørgsmålet indeholder ingen ord at søge efter.")
    return text


def filters_from_question(question: str, base: Filters = NO_FILTERS) -> Filters:
    """Explicit time limits in the question, added to the filters the user set in the app.

    Filters the user chose win; the question only fills in what they left open.
    """
    if base.date_from or base.date_to:
        return base
    if match := DAY_RE.search(question):
        day = _safe_date(int(match[3]), MONTHS[match[2].lower()], int(match[1]))
        if day:
            return replace(base, date_from=day, date_to=day)
    if match := MONTH_RE.search(question):
        year, month = int(match[2]), MONTHS[match[1].lower()]
        last = calendar.monthrange(year, month)[1]
        return replace(base, date_from=date(year, month, 1), date_to=date(year, month, last))
    if match := SINCE_RE.search(question):
        return replace(base, date_from=date(int(match[1]), 1, 1))
    if match := BEFORE_RE.search(question):
        return replace(base, date_to=date(int(match[1]) - 1, 12, 31))
    if match := YEAR_RE.search(question):
        year = int(match[1])
        return replace(base, date_from=date(year, 1, 1), date_to=date(year, 12, 31))
    return base


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def resolve_follow_up(question: str, previous: str | None) -> str:
    """Read "og hvad med i 2021?" in the light of the previous question.

    A short question that opens like a follow-up borrows the previous
    question's words, minus the previous question's own time limits, so the new
    period replaces the old one.
    """
    if not previous or not FOLLOW_UP_RE.match(question) or len(question.split()) > 8:
        return question
    stripped_previous = previous
    for pattern in (DAY_RE, MONTH_RE, SINCE_RE, BEFORE_RE, YEAR_RE):
        stripped_previous = pattern.sub(" ", stripped_previous)
    addition = FOLLOW_UP_RE.sub("", question).strip(" ?")
    base = re.sub(r"\s+", " ", stripped_previous).strip(" ?")
    return f"{base} {addition}?"
