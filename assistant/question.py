"""Read a question: validate it, and say what it asks for, about what, when, and in how many parts.

This is the one module that classifies questions. Every rule comes from Danish
(or English) grammar or from KL's document format, never from one question:
the interrogative decides the expected answer ("hvem" a person, "hvor mange" a
number, "hvornår" a date), the perfect tense after "hvornår" asks for a history
("Hvornår har KKR behandlet …?"), as does a look back over time ("gennem årene",
"løbende", "siden …" after the perfect), a finite verb first asks yes or no ("Blev …
godkendt?"), and the verbs of KL's Beslutning section ("godkendte", "udpegede",
"tog til efterretning") ask for a decision. Dates follow a handful of fixed
Danish shapes, so a few regular expressions read them; no parser library knows
them, and every parse is guarded: an impossible date is ignored with a note.
"""

from __future__ import annotations

import calendar
import itertools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from bm25s.stopwords import STOPWORDS_DANISH, STOPWORDS_EN

from assistant.retrieval import NO_FILTERS, Filters, danish_stemmer
from index.header import MONTHS
from index.lexical import fold

_MONTH = "|".join(MONTHS)
# A year the material can speak of; "0000" or "9999" in a question is no period to search.
FIRST_YEAR, LAST_YEAR = 1900, 2100
DAY_RE = re.compile(rf"\b(\d{{1,2}})\.\s*({_MONTH})\s+(\d{{4}})\b", re.IGNORECASE)
NUMERIC_DAY_RE = re.compile(r"\b(\d{1,2})[-./](\d{1,2})[-./](\d{4})\b")
MONTH_RE = re.compile(rf"\b(?:i|fra|in)\s+({_MONTH})\s+(\d{{4}})\b", re.IGNORECASE)
SINCE_RE = re.compile(r"\b(?:siden|efter|since|after)\s+(\d{4})\b", re.IGNORECASE)
BEFORE_RE = re.compile(r"\b(?:før|inden|before)\s+(\d{4})\b", re.IGNORECASE)
# "for 2020" is the year a budget or account concerns, not a meeting's: it is no period to search.
PREPOSITION_YEAR_RE = re.compile(r"\b(?:i|in|fra|from|året|år)\s+(\d{4})\b", re.IGNORECASE)
ANY_YEAR_RE = re.compile(r"(?<![\w.,-])(\d{4})(?![\d.,])")
FOUR_DIGITS_RE = re.compile(r"\b\d{4}\b")
MEETING_WORD_RE = re.compile(r"\b(møde\w*|meeting\w*|dagsorden\w*|referat\w*)\b", re.IGNORECASE)
# "på mødet den 3. marts" names the meeting where something happened; "til mødet den 3. marts" one it prepares.
MEETING_AT_RE = re.compile(
    r"\b(?:på|ved|under|i|at|in|during)\s+(?:the\s+|det\s+|[\w-]+-)?(?:møde\w*|meeting\w*|referat\w*)"
    r"(?:\s+(?:i\s+)?[\w-]+){0,3}?\s+(?:den|d\.|on|of|i|in)?\s*$",
    re.IGNORECASE,
)
FOLLOW_UP_RE = re.compile(
    r"^\s*(?:(?:og|men|and|but)\s+)?(?:hvad|hvordan|what|how)\s+(?:så\s+)?(?:med|about)\b|^\s*(?:og|men|and)\b",
    re.IGNORECASE,
)
WORD_RE = re.compile(r"\w{2,}")


class QuestionError(ValueError):
    """A question we refuse to search for; the message is shown to the user as it is."""


class AnswerType(StrEnum):
    """What kind of thing answers a question, read off its interrogative."""

    PERSON = "person"  # hvem, who
    AMOUNT = "amount"  # hvor mange / meget / stor, how many / much, a quantity noun
    DATE = "date"  # hvornår, hvilken dato, hvilket år, when
    PLACE = "place"  # hvor (alone), where
    REASON = "reason"  # hvorfor, why
    LIST = "list"  # hvilke (plural)
    YESNO = "yesno"  # a finite verb first
    DECISION = "decision"  # KL's Beslutning verbs
    HISTORY = "history"  # hvornår + perfect tense, tidligere, hvilke møder
    NAME = "name"  # hvilken kommune, hvilket erhvervshus: a kind the material names ("Middelfart Kommune")
    OPEN = "open"  # hvad, hvordan, anything else


# Types whose answer a sentence either states or does not: a name, a figure, a date, a reason (given by a
# causal connective: "fordi", "på grund af", "med henblik på").
SLOT_TYPES = frozenset({AnswerType.PERSON, AnswerType.AMOUNT, AnswerType.DATE, AnswerType.NAME, AnswerType.REASON})

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- Danish and English grammar -------------------------------------------------------------
INTERROGATIVES = _words(
    "hvad hvem hvor hvornår hvordan hvorfor hvilke hvilken hvilket hvis hvorvidt hvortil hvorfra hvormed "
    "what who whom whose when where why which how"
)
# "hvor" + these ask for a quantity or a degree, not a place.
HVOR_DEGREE = _words(
    "mange meget stor stort store høj højt høje lang langt lange længe ofte tit dyr dyrt dyre"
)
# Generic Danish quantity nouns: "Hvad er antallet / beløbet / andelen …?" asks for a figure.
QUANTITY_NOUN_RE = re.compile(
    r"\b(antal\w*|beløb\w*|andel\w*|procent\w*|pris\w*|udgift\w*|omkostning\w*|størrelse\w*|takst\w*"
    r"|amount|number of|share of|cost|price|percentage)\b",
    re.IGNORECASE,
)
AMOUNT_RE = re.compile(
    r"\bhvor\s+(mange|meget|stor|stort|store|høj|højt|høje|dyr|dyrt|dyre)\b|\bhow\s+(much|many|large|big|high)\b"
    # "koste" takes an amount as its complement: "Hvad koster aftalen?", "What did it cost?"
    r"|\bkost(?:er|ede|e)\b|\bcost(?:s|ed)?\b(?=.*\?)",
    re.IGNORECASE,
)
DATE_QUESTION_RE = re.compile(
    r"\bhvornår\b|\bhvilk(en|et)\s+(dato|dag|år|måned|tidspunkt)\b|\bwhen\b|\bwhat\s+(date|year|day)\b"
    r"|\bwhich\s+(date|year|day)\b"
    # A time noun as what "hvad er/var" asks for, a compound's head too: "Hvad var ansøgningsfristen?"
    r"|\bhvad\s+(?:er|var|bliver)\s+\w*(?:frist|dato|tidspunkt)(?:en|et)?\b"
    r"|\bwhat\s+(?:is|was|will\s+be)\s+the\s+(?:[\w-]+\s+)?(?:deadline|date|time)\b",
    re.IGNORECASE,
)
# The perfect ("har … behandlet", "er … blevet drøftet") or a look back: a history across meetings.
HISTORY_RE = re.compile(
    r"\bhvornår\s+(har|er(?=.*\b(?:blevet|været|sket|\w{3,}(?:et|dt))\W*$)|blev\s+\w+\s+tidligere)\b|\btidligere\b|\bhvilke\s+møder\b|\bpå\s+hvilke\s+møder\b"
    r"|\bhvor\s+(mange\s+gange|ofte)\b|\bhistorik\w*\b|\bhvad\s+er\s+der\s+sket\b|\bforløb\w*\b"
    r"|\bwhen\s+(has|have)\b|\bpreviously\b|\bwhich\s+meetings\b|\bhow\s+often\b|\bhow\s+many\s+times\b",
    re.IGNORECASE,
)
# A span of time looked back over ("gennem årene", "over tid", "siden starten" after the perfect, "hvordan har
# X udviklet sig"): what a question without its own interrogative of type asks is how the matter went across
# meetings. "Siden sidst" is the title of KL's standing briefing item, not a span.
SPAN_RE = re.compile(
    r"\b(?:gennem|igennem|over|hen\s+over)\s+(?:årene|tiden|tid)\b|\bi\s+(?:årenes|tidens)\s+løb\b"
    r"|\b(?:i\s+|på\s+)?(?:de|sine)\s+(?:seneste|sidste)\s+(?:\w+\s+)?(?:år|møder)\b"
    r"|\b(?:over|through)\s+(?:the\s+)?(?:years|time)\b|\bin\s+recent\s+years\b",
    re.IGNORECASE,
)
# Recurrence, several meetings, an overview: "løbende", "flere gange", "hvert år", "på møderne", "et overblik".
RECURRENCE_RE = re.compile(
    r"\b(?:løbende|gentagne\s+gange|flere\s+gange|hvert\s+år|år\s+for\s+år|overblik\w*)\b"
    # "på/af/fra møderne" frames the question in several meetings; "om møderne" makes them its topic.
    r"|\b(?:på|i|ved|af|fra|gennem|igennem|over|mellem|efter)\s+møderne\b"
    r"|\b(?:flere|forskellige|alle|sine)\s+(?:\w+\s+)?møder\b"
    r"|\b(?:repeatedly|each\s+year|every\s+year|year\s+by\s+year|overview|several\s+meetings|(?:at|in)\s+the\s+meetings)\b",
    re.IGNORECASE,
)
# After the perfect, "siden …" (not KL's "Siden sidst") or a verb of change: "Hvordan har X udviklet sig?".
CHANGE_SINCE_RE = re.compile(
    r"\b(?:har|er)\b[^?]*\b(?:siden\b(?!\s+sidst)|(?:udviklet|ændret|forandret)\s+sig\b)"
    r"|\b(?:has|have)\b[^?]*\b(?:since|developed|changed|evolved)\b",
    re.IGNORECASE,
)
LOOK_BACK_RE = re.compile(f"{SPAN_RE.pattern}|{RECURRENCE_RE.pattern}|{CHANGE_SINCE_RE.pattern}", re.IGNORECASE)
# A look back asks for a history unless the interrogative asks for a typed fact: "Hvor mange er modtaget
# siden 2020?" wants the figure, "Hvad har KKR hørt om X gennem årene?" the meetings.
LOOK_BACK_TYPES = frozenset({AnswerType.OPEN, AnswerType.YESNO, AnswerType.LIST, AnswerType.DECISION})
# KL's minutes list who took part ("Deltagere", "Afbud"): attendance is answered from that list.
ATTENDANCE_RE = re.compile(
    r"\b(deltog|deltagere|deltager|deltagerliste\w*|fremmødt\w*|til stede|afbud|attended|attendees|present at)\b",
    re.IGNORECASE,
)
# What unit an amount is asked in: money ("Hvad koster …?") or a share ("hvor stor en andel …?").
MONEY_QUESTION_RE = re.compile(
    r"\b(kost\w*|pris\w*|beløb\w*|udgift\w*|omkostning\w*|kroner|kr\.|penge\w*|midl(?:er|erne)|betal\w*|budget\w*|finansier\w*|tilskud\w*"
    r"|cost\w*|price\w*|spend\w*|fund\w*|money)\b",
    re.IGNORECASE,
)
SHARE_QUESTION_RE = re.compile(r"\b(procent\w*|andel\w*|pct|rate\w*|percent\w*|share)\b", re.IGNORECASE)
# "Hvor længe …?", "Hvor hurtigt …?", "hvor lang tid": a span of time is the answer, in minutes, days or years.
DURATION_QUESTION_RE = re.compile(
    r"\bhvor\s+(?:længe|hurtigt|lang\s+tid|langt\s+tid)\b|\bhow\s+(?:long|fast|quickly|soon)\b", re.IGNORECASE
)
# "Hvad hedder …?", "Hvad er navnet på …?": a name is asked for, of a person or of a thing.
NAME_QUESTION_RE = re.compile(
    r"\bhvad\s+(?:hedder|hed|kaldes|kaldtes)\b|\bhvad\s+(?:er|var)\s+navnet\s+på\b|\bwhat\s+is\s+the\s+name\s+of\b"
    r"|\bwhat\s+(?:is|was)\s+[\w\s]{1,40}\bcalled\b",
    re.IGNORECASE,
)
ASKS_REASON_RE = re.compile(r"\bhvorfor\b|\bbegrundelse\w*\b|\bwhy\b|\breason\w*\b", re.IGNORECASE)
WHO_RE = re.compile(r"\bhvem\b|\bwho(m)?\b", re.IGNORECASE)
WHERE_RE = re.compile(rf"\bhvor\b(?!\s+(?:{'|'.join(HVOR_DEGREE)})\b)|\bwhere\b", re.IGNORECASE)
# "hvor hurtigt", "hvor tidligt": "hvor" before an adverb in -t asks for a degree, answered by a figure.
DEGREE_RE = re.compile(rf"\bhvor\s+(?:[a-zæøå]{{3,}}t|{'|'.join(HVOR_DEGREE)})\b", re.IGNORECASE)
# "hvor mange lærepladser …": the noun phrase a count question counts (Danish only: an English noun has no
# Danish word to be found beside).
COUNTED_RE = re.compile(r"\bhvor\s+mange\s+((?:[\w-]+\s*){1,4})", re.IGNORECASE)
# A capitalised genitive before a lower-case word: "Klimasekretariats regnskab".
GENITIVE_RE = re.compile(r"\b([A-ZÆØÅ][\wæøå-]+s)\s+(?=[a-zæøå])")
# A term in brackets or quotes: "the land tax (grundskyld)", »frit valg«.
QUOTED_RE = re.compile(r"\(([^()]{2,40})\)|[\"»“]([^\"«”]{2,40})[\"«”]")
# "Hvilken kommune …?", "Hvilket erhvervshus …?": the noun after the singular interrogative.
WHICH_RE = re.compile(r"\bhvilke[nt]\s+((?:[\w-]+\s*){1,3})", re.IGNORECASE)
# "resultatet af forhandlingerne", "Hvad viste evalueringen af …?", "What did the evaluation show?": a result asked.
RESULT_RE = re.compile(
    r"\bresultat\w*\s+(?:af|of)\s+((?:[\w-]+\s*){1,4})|\bhvad\s+(?:viste|har\s+\w+\s+vist)\s+((?:[\w-]+\s*){1,4})",
    re.IGNORECASE,
)
# "Hvem blev valgt som formand?", "Hvem blev udpeget til bestyrelsen?": the role after "som" / "til"; and the
# predicate of "hvem er / var / bliver": "Hvem er formand for udvalget?" (lower case: "Hvem er Per Okkels?"
# asks who a named person is, not for a name).
ROLE_RE = re.compile(r"\bhvem\b.*?\b(?:som|til)\s+((?:[\w-]+\s*){1,4})", re.IGNORECASE)
# A noun after a determiner ("den nye direktør"), or before the preposition of what it is a role in ("formand
# for"). A past participle ("er udpeget i", "blev ansat på") ends in -t; of the nouns that do, the agent
# nouns in -ant / -ent ("repræsentant", "konsulent") are roles.
COPULA_ROLE_RE = re.compile(
    r"\b[Hh]vem\s+(?:er|var|bliver|blev)\s+(?:(?:den|det|de)\s+(?:nye?\s+)?([a-zæøå][\w-]*)"
    r"|([a-zæøå][\w-]*(?:[^t\W]|[ae]nt))\s+(?:for|i|af|på|ved|hos)\b)"
)
DETERMINERS = _words("den det de en et denne dette disse the a an this these")
COMPARATIVES = _words("flere færre mere mindre more fewer less")
PREPOSITIONS = _words("af i på til for fra med om ved under over efter mod blandt hos inden uden per via gennem mellem omkring")
# English marks a plural noun phrase by the head noun's -s, and a plural subject by the verb that agrees with it:
# "Which municipal chief executives were …" (adjectives between "which" and the head noun).
LIST_RE = re.compile(
    r"\bhvilke\b|\bwhich\s+\w+s\b|\bwhich\s+(?:[\w-]+\s+){1,3}[\w-]+s\s+(?:are|were|have|do)\b"
    r"|\bwhat\s+are\s+the\b",
    re.IGNORECASE,
)
# KL's Beslutning section records these acts: "KKR Syddanmark godkendte …", "udpegede …", "tog … til efterretning".
DECISION_RE = re.compile(
    r"\b(beslut\w*|vedt[oa]g\w*|godkend\w*|tiltr[åa]d\w*|udpeg\w*|efterretning|anbefal\w*"
    r"|decid\w*|decision\w*|approv\w*|adopt\w*|appoint\w*|endors\w*|resolv\w*|recommend\w*)\b",
    re.IGNORECASE,
)
# Questions for an outcome ("Hvad skete der med punktet?", "Hvad kom der ud af …?"): what a meeting did with
# an item stands in its Beslutning.
OUTCOME_RE = re.compile(
    r"\bhvad\s+(?:skete|sker|er)\s+der(?:\s+sket)?\s+med\b|\bhvad\s+(?:blev|kom)\s+der\s+(?:af|ud\s+af)\b"
    r"|\bresultat\w*|\bwhat\s+happened\b|\boutcome\b",
    re.IGNORECASE,
)
V2_INTERROGATIVES = _words("hvad hvem hvordan hvornår hvorfor what how why when who")
# Finite verbs that open a yes/no question: the auxiliaries, and any past tense in -ede / -te.
AUXILIARIES = _words(
    "er var blev bliver har havde skal skulle kan kunne vil ville må måtte får fik gik tog "
    "is are was were do does did has have had will would can could should shall may"
)
PAST_TENSE_RE = re.compile(r"^[a-zæøå]{3,}(ede|te)$")
PAST_AUXILIARIES = _words("blev var havde fik gav was were did had")
# A question about an expectation, an estimate or a calculation.
ESTIMATE_QUESTION_RE = re.compile(
    r"\b(forvent\w*|ventes|skøn\w*|estimer\w*|prognose\w*|fremskriv\w*|beregn\w*|vurder\w*|expect\w*|forecast\w*"
    r"|estimat\w*|projected)\b",
    re.IGNORECASE,
)
# The s-passive ("forventes", "fordeles", "forventedes"): a verb.
PASSIVE_RE = re.compile(r"^[a-zæøå]{3,}(?:e|ede)s$")
# Every form of the auxiliaries and of the verbs that frame a question about minutes ("hvad står der",
# "hvad fremgår"): they shape the question and say nothing about its topic.
FRAME_WORDS = _words(
    "være er var været blive bliver blev blevet have har havde haft få får fik fået kunne kan kunnet skulle skal "
    "ville vil villet måtte må gøre gør gjorde gjort sige siger sagde sagt stå står stod stået fremgå fremgår "
    "fremgik nævne nævner nævnte nævnt mange meget både samt også dog nogen noget nogle andre anden andet "
    "tidligere siden sket ske skete sker vide ved vidste hørt høre "
    "møde mødet møder møderne mødets referat referatet referater dagsorden dagsordenen punkt punktet "
    "beslutning beslutningen besluttet besluttede beslutte vedtaget vedtog godkendt godkendte godkende "
    "behandlet behandlede behandle drøftet drøftede drøfte "
    "what when who whom which how did does do was were is are been has have had about meeting meetings "
    "decided decide decision"
)
NUMBER_WORDS = _words(
    "en et to tre fire fem seks syv otte ni ti elleve tolv tretten fjorten femten tyve tredive fyrre halvtreds "
    "hundrede tusind"
)
# English function words: interrogatives, auxiliaries, articles, prepositions, pronouns (bm25s's English stop
# words among them). Words Danish also writes are left out: "to" (two), "by" (town), "it" (IT), "for", "at".
ENGLISH_MARKERS = _words(
    "the a an what when where why who whom whose which how did does do is are was were has have had will would "
    "can could should of in on into with about from than that this these those there their they such not "
    "and or but if then as be been"
)
# Capitalised words and acronyms, or words holding a digit ("DK2020").
NAME_RE = re.compile(r"\b(?:[A-ZÆØÅ][\wæøåÆØÅ-]*|\w*\d\w*)\b")
# "… og hvornår …", ", hvem …": a further question inside the same sentence.
# A bare comma before an interrogative starts an indirect question ("…, hvordan det går") and splits nothing.
# A preposition may stand before the interrogative: "og til hvornår …", "and by when …", "and with whom …".
QUESTION_PREPOSITIONS = _words("til fra med for på i om af indtil siden by until till from with in on at to of")
FURTHER_QUESTION_RE = re.compile(
    rf"(?:,?\s*\b(?:og|samt|men|and)|\?)\s+(?=(?:(?:{'|'.join(sorted(QUESTION_PREPOSITIONS))})\s+)?"
    r"(?:hvad|hvem|hvor|hvornår|hvordan|hvorfor|hvilke[nt]?|what|who|whom|when|where|why|which|how)\b)",
    re.IGNORECASE,
)
# "både i 2020 og i 2025", "i 2021 og 2023": one question asked of two periods.
TWO_YEARS_RE = re.compile(r"\b(\d{4})\b(?:\s*(?:,|og|samt|and|&|eller|or)\s*(?:i|in|på|fra)?\s*)+\b(\d{4})\b")


@dataclass(frozen=True)
class Part:
    """One thing a question asks: its words, its expected answer and the period it names."""

    text: str
    answer_type: AnswerType
    years: tuple[int, ...] = ()
    search: str = ""  # what to retrieve with: the part's words plus the subject it shares with the others

    @property
    def unit(self) -> str:
        """For an amount: "money", "share", "duration" or "" (a count or any figure)."""
        if self.answer_type != AnswerType.AMOUNT:
            return ""
        if DURATION_QUESTION_RE.search(self.text):
            return "duration"
        if SHARE_QUESTION_RE.search(self.text):
            return "share"
        return "money" if MONEY_QUESTION_RE.search(self.text) else ""

    @property
    def named_years(self) -> frozenset[int]:
        """Every year the part writes, both ends of a span ("Rammeaftale 2021-2022") too: the subject it names,
        so a bare one of them is no answer to "hvornår" (``years`` leaves a span's second year out)."""
        return frozenset(year for year in map(int, FOUR_DIGITS_RE.findall(self.text)) if _plausible_year(year))

    @property
    def year_span(self) -> tuple[int, int] | None:
        """The years a history lists meetings from: "siden 2020" onwards, "før 2023" up to 2022, "i 2020 og
        2025" or "fra 2020 til 2025" from the first to the last. A history's years bound its meetings; an
        item need not write them."""
        if not self.years:
            return None
        since = [int(year) for year in SINCE_RE.findall(self.text) if _plausible_year(int(year))]
        before = [int(year) for year in BEFORE_RE.findall(self.text) if _plausible_year(int(year))]
        inside = [year for year in self.years if year not in since and year not in before]
        low = min([*since, *inside], default=FIRST_YEAR)
        high = max([*(year - 1 for year in before), *inside], default=LAST_YEAR)
        return low, high

    @property
    def slot(self) -> bool:
        return self.answer_type in SLOT_TYPES

    @property
    def kind(self) -> str:
        """What "hvilken / hvilket" asks to be named: the head of the noun phrase after it ("Hvilken syddansk
        kommune …?" → kommune). The plural "hvilke" asks for a list, which the list answer quotes more of."""
        match = WHICH_RE.search(self.text)
        if not match:
            return ""
        words = [w for w in WORD_RE.findall(match[1].lower()) if w not in DETERMINERS]
        phrase = [word for word in _noun_phrase(words) if len(word) >= 2]
        return phrase[-1] if phrase else ""

    @property
    def role(self) -> tuple[str, ...]:
        """The role a "hvem" question asks to be filled: the noun phrase after "som" or "til" ("Hvem blev valgt
        som ny formand?" → formand). A name answers only beside its role."""
        if self.answer_type != AnswerType.PERSON:
            return ()
        match = ROLE_RE.search(self.text)
        if match:
            return tuple(word for word in _noun_phrase(WORD_RE.findall(match[1].lower())) if len(word) >= 4)
        match = COPULA_ROLE_RE.search(self.text)
        noun = (match[1] or match[2]) if match else ""
        if noun and not _is_verb(noun) and noun not in FRAME_WORDS | PREPOSITIONS and len(noun) >= 4:
            return (noun,)
        return ()

    @property
    def past(self) -> bool:
        """Whether the part asks in the past tense ("Hvor mange sager behandlede …?", "Hvad var …?"): what
        happened, which an estimate of it does not answer."""
        if ESTIMATE_QUESTION_RE.search(self.text):
            return False  # "Hvor mange blev forventet …?", "end beregnet": the estimate is what is asked
        return any(word in PAST_AUXILIARIES or _is_past(word) for word in WORD_RE.findall(self.text.lower()))

    @property
    def counted(self) -> tuple[str, ...]:
        """What "hvor mange" counts: the words of the noun phrase after it ("hvor mange nye lærepladser" →
        nye, lærepladser). The answer to "hvor mange N" is a number of N, not any figure."""
        if self.answer_type != AnswerType.AMOUNT or self.unit:
            return ()
        match = COUNTED_RE.search(self.text)
        if not match:
            return ()
        words = [word for word in WORD_RE.findall(match[1].lower()) if word not in COMPARATIVES]
        if words and _is_verb(words[0]) and words[0] not in AUXILIARIES:
            return (words[0],)  # "hvor mange besvarede …": a number of those who answered
        return tuple(word for word in _noun_phrase(words) if len(word) >= 3)


@dataclass(frozen=True)
class QuestionAnalysis:
    """Everything the answerer needs to know about a question, read once."""

    text: str
    english: bool
    answer_type: AnswerType
    decision: bool
    history: bool
    subject: frozenset[str]  # the Danish stems of its content words
    names: tuple[str, ...]  # proper names and acronyms it names (not years)
    years: tuple[int, ...]
    meeting_dates: tuple[date, ...]  # days it names as a meeting's ("på mødet den 21. april 2023")
    meeting_months: tuple[tuple[int, int], ...]  # (year, month) it names as a meeting's
    committee: str | None
    own_names: frozenset[str]  # the words of the committees' names: the asker's frame, not the subject
    attendance: bool
    parts: tuple[Part, ...]
    result_of: str = ""  # "Hvad blev resultatet af forhandlingerne?": the head noun whose result is asked
    owners: frozenset[str] = frozenset()  # "Klimasekretariats regnskab": a genitive name the answer must name
    notes: tuple[str, ...] = field(default=())  # impossible dates ignored, said to the user

    @property
    def multipart(self) -> bool:
        return len(self.parts) > 1


def analyse(question: str, committees: tuple[str, ...] = (), default_committee: str = "") -> QuestionAnalysis:
    """Read a validated question; ``committees`` are the committees in the index, to tell which one it names."""
    notes: list[str] = []
    english = is_english(question)
    history = asks_history(question)
    committee = named_committee(question, committees)
    own_names = committee_words((default_committee, *committees))
    names = tuple(n for n in specific_terms(question, own_names) if not n.isdigit())
    years = tuple(dict.fromkeys(y for y in _years(question, notes)))
    meeting_dates, meeting_months = _meeting_references(question, notes)
    answer_type = answer_type_of(question, history)
    decision = answer_type == AnswerType.DECISION or bool(DECISION_RE.search(question) or OUTCOME_RE.search(question)) or (
        _committee_acts(question, own_names) and answer_type in (AnswerType.OPEN, AnswerType.YESNO)
    )
    parts = split_parts(question, history)
    return QuestionAnalysis(
        text=question,
        english=english,
        answer_type=answer_type,
        decision=decision,
        history=history,
        subject=frozenset(subject_stems(question, own_names)),
        names=names,
        years=years,
        meeting_dates=meeting_dates,
        meeting_months=meeting_months,
        committee=committee,
        own_names=own_names,
        attendance=bool(ATTENDANCE_RE.search(question)) and answer_type in (AnswerType.PERSON, AnswerType.YESNO),
        parts=parts,
        notes=tuple(dict.fromkeys(notes)),
        result_of="" if english else result_head(question),
        owners=owners(question),
    )


def result_head(question: str) -> str:
    """The noun whose result a question asks for: the last word of the noun phrase, its head in Danish."""
    match = RESULT_RE.search(question)
    if not match:
        return ""
    words = WORD_RE.findall((match[1] or match[2]).lower())
    while words and words[0] in DETERMINERS:
        words = words[1:]
    phrase = [word for word in _noun_phrase(words) if len(word) >= 4]
    return phrase[-1] if phrase else ""


def _noun_phrase(words: list[str]) -> list[str]:
    """The first words up to the verb, a preposition or a function word: at most three."""
    phrase: list[str] = []
    for word in words:
        if (word in FRAME_WORDS or word in AUXILIARIES or word in PREPOSITIONS or word in INTERROGATIVES
                or _is_verb(word)):
            break  # the noun phrase ends where the verb begins
        phrase.append(word)
    return phrase[:3]


def _is_past(word: str) -> bool:
    """A past tense by its ending ("behandlede", "kostede"); not a superlative ("største", "seneste")."""
    return bool(PAST_TENSE_RE.match(word)) and not word.endswith("ste")


def _is_verb(word: str) -> bool:
    """A finite verb by its ending: past tense ("besvarede", "fik" aside) or the s-passive ("fordeles")."""
    return bool(PAST_TENSE_RE.match(word) or PASSIVE_RE.match(word))


def asks_history(question: str) -> bool:
    """The perfect after "hvornår", a look back named outright ("tidligere", "hvilke møder"), or a span of
    time looked back over in a question that asks for no typed fact."""
    if HISTORY_RE.search(question):
        return True
    return bool(LOOK_BACK_RE.search(question)) and answer_type_of(question) in LOOK_BACK_TYPES


def answer_type_of(question: str, history: bool = False) -> AnswerType:
    """The expected answer, from the interrogative that opens the (first) question."""
    if history:
        return AnswerType.HISTORY
    if WHO_RE.search(question):
        return AnswerType.PERSON
    if NAME_QUESTION_RE.search(question):
        return AnswerType.NAME
    if AMOUNT_RE.search(question) or DEGREE_RE.search(question) or (
        QUANTITY_NOUN_RE.search(question) and not ASKS_REASON_RE.search(question)
    ):
        return AnswerType.AMOUNT
    if DATE_QUESTION_RE.search(question):
        return AnswerType.DATE
    if ASKS_REASON_RE.search(question):
        return AnswerType.REASON
    if WHERE_RE.search(question):
        return AnswerType.PLACE
    if DECISION_RE.search(question) and not LIST_RE.search(question):
        return AnswerType.DECISION
    if LIST_RE.search(question):
        return AnswerType.LIST
    if is_yes_no(question):
        return AnswerType.YESNO
    return AnswerType.OPEN


def is_yes_no(question: str) -> bool:
    """A question that opens with its finite verb ("Blev rammeaftalen godkendt?", "Did KKR approve …?")."""
    words = WORD_RE.findall(question.lower())
    if not words or words[0] in INTERROGATIVES:
        return False
    return words[0] in AUXILIARIES or bool(PAST_TENSE_RE.match(words[0]))


def split_parts(question: str, history: bool = False) -> tuple[Part, ...]:
    """The things a question asks: two questions in one, or one question asked of two years.

    A later part that names no subject of its own ("…, og hvem blev udpeget?")
    searches with the whole question's words, so it finds the same items.
    """
    pieces = [p.strip(" ,;?") for p in FURTHER_QUESTION_RE.split(question) if p and p.strip(" ,;?")]
    pieces = [p for p in pieces if WORD_RE.search(p)]
    if len(pieces) > 1 and all(_asks_something(p) for p in pieces[1:]):
        parts = []
        for piece in pieces:
            kind = answer_type_of(piece, history and asks_history(piece))
            parts.append(Part(piece, kind, tuple(_years(piece, [])), search=question))
        return tuple(parts)
    match = TWO_YEARS_RE.search(question)
    kind = answer_type_of(question, history)
    if match and not history and match[1] != match[2]:
        first, second = int(match[1]), int(match[2])
        if _plausible_year(first) and _plausible_year(second):
            stem = (question[:match.start()] + question[match.end():]).strip()
            return (Part(question, kind, (first,), search=f"{stem} {first}"),
                    Part(question, kind, (second,), search=f"{stem} {second}"))
    return (Part(question, kind, tuple(_years(question, [])), search=question),)


def _asks_something(piece: str) -> bool:
    """Whether a piece of a question is a question of its own, not a trailing phrase."""
    words = WORD_RE.findall(piece.lower())
    if len(words) > 2 and words[0] in QUESTION_PREPOSITIONS:
        words = words[1:]
    return bool(words) and words[0] in INTERROGATIVES and len(words) >= 2


def is_english(question: str) -> bool:
    words = WORD_RE.findall(question.lower())
    english = sum(word in ENGLISH_MARKERS for word in words)
    return bool(words) and english >= 2 and english / len(words) >= 0.2


def stopwords() -> frozenset[str]:
    return _STOPWORDS


_STOPWORDS = frozenset(STOPWORDS_DANISH) | frozenset(STOPWORDS_EN) | FRAME_WORDS | INTERROGATIVES | frozenset(MONTHS)


def subject_stems(question: str, own_names: frozenset[str] = frozenset()) -> set[str]:
    """The stems of the question's content words: what it is about, not how it asks ("gennem årene" only
    asks across meetings)."""
    words = [
        w for w in WORD_RE.findall(SPAN_RE.sub(" ", question).lower())
        if w not in _STOPWORDS and w not in own_names and not w.isdigit()
    ]
    return {fold(stem) for stem in danish_stemmer().stemWords(words)}


def specific_terms(question: str, own_names: frozenset[str] = frozenset()) -> list[str]:
    """Names, acronyms, years and quoted terms in a question: "Odense", "OUH", "2019", "(grundskyld)".

    Danish capitalises only the sentence start and names, so a capitalised word
    after the first names something the minutes must mention; the committee's
    own name and month names only place the question. English capitalises more and has acronyms of its
    own, so there only codes count. A term the asker puts in quotes or brackets is one the minutes must use, in either language.
    """
    english = is_english(question)
    quoted = (" ".join((match[1] or match[2]).split()) for match in QUOTED_RE.finditer(question))
    terms = [term for term in quoted if WORD_RE.search(term) and term.lower() not in own_names]
    for index, match in enumerate(NAME_RE.finditer(question)):
        word = match[0]
        if index == 0 and match.start() == len(question) - len(question.lstrip()) and not word.isupper():
            continue
        if english and not any(c.isdigit() for c in word):
            continue  # English capitalises common nouns and has acronyms of its own ("GP"); a code ("DK2020") is a name
        # "KKR-mødet": the parts that only place or frame the question are no name.
        word = "-".join(p for p in word.split("-") if p.lower() not in own_names and p.lower() not in _STOPWORDS)
        lowered = word.lower()
        if lowered in own_names or lowered in MONTHS or lowered in _STOPWORDS or len(word) < 2:
            continue
        if word.isdigit() and not _plausible_year(int(word)):
            continue
        terms.append(word)
    return list(dict.fromkeys(terms))


def owners(question: str) -> frozenset[str]:
    """Capitalised words in the Danish genitive before a noun ("Klimasekretariats regnskab", "Børnehus Syds
    budget"): the owner of what is asked. Not the first word, which Danish capitalises anyway."""
    found = set()
    for match in GENITIVE_RE.finditer(question):
        if match.start() > len(question) - len(question.lstrip()):
            found.add(match[1])
    return frozenset(found)


def committee_words(committees: tuple[str, ...]) -> frozenset[str]:
    """The words of the committees' names ("kkr", "syddanmark") and their genitives: the asker's frame."""
    words = {w for name in committees if name for w in WORD_RE.findall(name.lower())}
    return frozenset(words | {f"{w}s" for w in words})


def named_committee(question: str, committees: tuple[str, ...]) -> str | None:
    """The committee in the index whose full name the question uses ("Teknisk Udvalg")."""
    lowered = question.lower()
    named = [c for c in committees if c and c.lower() in lowered]
    return max(named, key=len) if named else None


def _committee_acts(question: str, own_names: frozenset[str]) -> bool:
    """"Hvad mente KKR …?", "… – hvad sagde KKR?", "…, da KKR drøftede …": the committee as the subject of a
    finite verb, asked what it did; the minutes record that in the Beslutning. Danish puts the verb before the
    subject after an interrogative (V2) and after it in a subordinate clause."""
    words = WORD_RE.findall(question.lower())
    for index, word in enumerate(words):
        # After a pronoun or adverb interrogative the next word is the finite verb (V2); "hvilke" takes a noun.
        if word in V2_INTERROGATIVES and any(w in own_names for w in words[index + 2:index + 4]):
            return True
    return any(
        word in own_names and following not in own_names and _finite(following)
        for word, following in itertools.pairwise(words)
    )


def _finite(word: str) -> bool:
    return word in AUXILIARIES or bool(PAST_TENSE_RE.match(word))


def _plausible_year(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def _years(question: str, notes: list[str]) -> list[int]:
    """Every four-digit year the question names; an impossible one ("0000") is noted and dropped."""
    years = []
    for match in ANY_YEAR_RE.finditer(question):
        year = int(match[1])
        if _plausible_year(year):
            years.append(year)
        elif PREPOSITION_YEAR_RE.search(question[max(match.start() - 6, 0):match.end()]) or SINCE_RE.search(question) \
                or BEFORE_RE.search(question):
            notes.append(f"Årstallet {match[1]} i spørgsmålet er ikke et muligt årstal og er ikke brugt i søgningen.")
    return years


def _meeting_references(question: str, notes: list[str]) -> tuple[tuple[date, ...], tuple[tuple[int, int], ...]]:
    """Days and months the question names as the meeting where something happened ("på mødet den …")."""
    days = []
    for match in DAY_RE.finditer(question):
        day = safe_date(int(match[3]), MONTHS[match[2].lower()], int(match[1]), notes)
        if day and _at_meeting(question, match.start()):
            days.append(day)
    for match in NUMERIC_DAY_RE.finditer(question):
        day = safe_date(int(match[3]), int(match[2]), int(match[1]), notes)
        if day and _at_meeting(question, match.start()):
            days.append(day)
    months = []
    for match in MONTH_RE.finditer(question):
        year = int(match[2])
        if _plausible_year(year) and _at_meeting(question, match.start() + len(match[0].split()[0]) + 1):
            months.append((year, MONTHS[match[1].lower()]))
    return tuple(days), tuple(months)


def _at_meeting(question: str, start: int) -> bool:
    """Whether the words just before a date say it is the meeting's own ("på mødet den", "på KKR-mødet i")."""
    return bool(MEETING_AT_RE.search(question[max(start - 60, 0):start]))


def safe_date(year: int, month: int, day: int, notes: list[str] | None = None) -> date | None:
    """The date, or None with a note when no such day exists (31 February, year 0)."""
    if _plausible_year(year):
        try:
            return date(year, month, day)
        except ValueError:
            pass
    if notes is not None:
        notes.append(f"Datoen {day}.{month}.{year} findes ikke og er ikke brugt i søgningen.")
    return None


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
    """The period a question names, if any; impossible dates and years are skipped, never raised."""
    for match in DAY_RE.finditer(question):
        day = safe_date(int(match[3]), MONTHS[match[2].lower()], int(match[1]))
        if day:
            return day, day
    for match in MONTH_RE.finditer(question):
        year, month = int(match[2]), MONTHS[match[1].lower()]
        if _plausible_year(year):
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    for match in SINCE_RE.finditer(question):
        if _plausible_year(int(match[1])):
            return date(int(match[1]), 1, 1), None
    for match in BEFORE_RE.finditer(question):
        if _plausible_year(int(match[1])):
            return None, date(int(match[1]) - 1, 12, 31)
    for match in PREPOSITION_YEAR_RE.finditer(question):
        if _plausible_year(int(match[1])):
            return date(int(match[1]), 1, 1), date(int(match[1]), 12, 31)
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


def resolve_follow_up(question: str, previous: str | None) -> str:
    """Read "og hvad med i 2021?" in the light of the previous question.

    A short question that opens like a follow-up borrows the previous
    question's words, minus the previous question's own time limits, so the new
    period replaces the old one.
    """
    if not previous or not FOLLOW_UP_RE.match(question) or len(question.split()) > 8:
        return question
    stripped_previous = previous
    for pattern in (DAY_RE, MONTH_RE, SINCE_RE, BEFORE_RE, PREPOSITION_YEAR_RE):
        stripped_previous = pattern.sub(" ", stripped_previous)
    addition = FOLLOW_UP_RE.sub("", question).strip(" ?")
    base = re.sub(r"\s+", " ", stripped_previous).strip(" ?")
    return f"{base} {addition}?"
