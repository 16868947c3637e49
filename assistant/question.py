"""Read a question: reject what can't be answered safely, and pick up explicit filters.

"i 2021", "på mødet i november 2023", "den 21. november 2023", "siden 2020"
narrow the search to those meetings. Dates in Danish text follow a handful of
fixed shapes, so a few regular expressions do; no parser library knows them.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, replace
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
MEETING_WORD_RE = re.compile(r"\b(møde\w*|meeting\w*|dagsorden\w*|referat\w*)\b", re.IGNORECASE)
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


@dataclass(frozen=True)
class SearchPlan:
    """Hard filters (the user's own, or a period tied to a meeting) and a period to prefer.

    "Hvor stort var overskuddet i 2019?" names the year of the accounts, not of
    the meeting, so a bare year only lifts meetings of that period; "på mødet i
    november 2023" or a follow-up "og hvad med i 2021?" restricts to them.
    """

    filters: Filters
    prefer: tuple[date, date] | None = None
    period_from_question: bool = False

    def softened(self) -> SearchPlan:
        """The question's period as a preference only: for when no meeting lies in it."""
        low, high = self.filters.date_from or date.min, self.filters.date_to or date.max
        return SearchPlan(replace(self.filters, date_from=None, date_to=None), prefer=(low, high))


def period_in_question(question: str) -> tuple[date | None, date | None] | None:
    if match := DAY_RE.search(question):
        day = _safe_date(int(match[3]), MONTHS[match[2].lower()], int(match[1]))
        if day:
            return day, day
    if match := MONTH_RE.search(question):
        year, month = int(match[2]), MONTHS[match[1].lower()]
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    if match := SINCE_RE.search(question):
        return date(int(match[1]), 1, 1), None
    if match := BEFORE_RE.search(question):
        return None, date(int(match[1]) - 1, 12, 31)
    if match := YEAR_RE.search(question):
        year = int(match[1])
        return date(year, 1, 1), date(year, 12, 31)
    return None


def plan_search(question: str, base: Filters = NO_FILTERS, follow_up: bool = False) -> SearchPlan:
    """Filters the user set win; the question only fills in a period they left open."""
    if base.date_from or base.date_to:
        return SearchPlan(base)
    period = period_in_question(question)
    if period is None:
        return SearchPlan(base)
    low, high = period
    if follow_up or MEETING_WORD_RE.search(question) or SINCE_RE.search(question):
        return SearchPlan(replace(base, date_from=low, date_to=high), period_from_question=True)
    return SearchPlan(base, prefer=(low or date.min, high or date.max))


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
