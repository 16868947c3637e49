"""What a sentence of the minutes states: a person, an amount, a date, a reason, a list.

The answerer leads with the sentence that holds what the question asks for,
and refuses when no sentence about the subject holds it. The shapes are those
of Danish text and of KL's minutes: amounts are digits with a unit ("18,9 mio.
kr.", "532 pladser") or a number word, dates are "21. november 2023",
"21-11-2023", "uge 12" or a year, people are written "Jacob Bjerregaard (A)".
A person's name is told from an institution's by the material itself: a word
that the minutes also write in lower case ("Region", "Kommune", "Erhvervshus")
is a common noun, not a name.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from assistant.question import MONTHS, NUMBER_WORDS, AnswerType

_MONTH = "|".join(MONTHS)
DAY_MONTH_RE = re.compile(rf"\b\d{{1,2}}\.\s*({_MONTH})\b", re.IGNORECASE)
NUMERIC_DATE_RE = re.compile(r"\b\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2})\b")
MONTH_YEAR_RE = re.compile(rf"\b({_MONTH})\s+(?:19|20)\d\d\b", re.IGNORECASE)
WEEK_RE = re.compile(r"\b(uge|kvartal|halvår|primo|medio|ultimo|årsskiftet|foråret|sommeren|efteråret|vinteren)\b",
                     re.IGNORECASE)
# A time told relative to something: "fjorten dage før arrangementet", "inden for to minutter".
RELATIVE_TIME_RE = re.compile(
    rf"\b(?:\d+|{'|'.join(sorted(NUMBER_WORDS))})\s+(?:minut\w*|time[rn]?\w*|dag\w*|uge\w*|måned\w*|år)\b",
    re.IGNORECASE,
)
YEAR_RE = re.compile(r"(?<![\w.,-])(?:19|20)\d\d(?![\d.,]\d)")
# Numbers that are no amount: case numbers, item and section references, law numbers, dates, years.
REFERENCE_RE = re.compile(
    r"\b[A-ZÆØÅ]{2,}-\d[\d-]*|\b(?:punkt|pkt\.|nr\.|§+|stk\.|kapitel|bilag|side|lov)\s*\d[\d.]*|"
    r"\b\d{1,2}[-./]\d{1,2}[-./]\d{2,4}\b|\b\d{1,2}\.\s*(?:" + _MONTH + r")\b",
    re.IGNORECASE,
)
NUMBER_RE = re.compile(r"(?<![\w])\d[\d.,]*(?:\s*%)?")
NUMBER_WORD_RE = re.compile(rf"\b({'|'.join(sorted(NUMBER_WORDS - {'en', 'et'}))})\b", re.IGNORECASE)
# Causal and final connectives of Danish and English.
REASON_RE = re.compile(
    r"\b(fordi|idet|derfor|således at|med henblik på|for at|skyldes|på grund af|begrundet|begrundelse\w*|årsag\w*"
    r"|because|since|in order to|due to)\b",
    re.IGNORECASE,
)
CAPITALISED_RE = re.compile(r"\b[A-ZÆØÅ][a-zæøåéüö]+(?:-[A-ZÆØÅ][a-zæøåéüö]+)?\b")
# Danish party letters after a politician's name: "(A)", "(V)", "(SF)", "(K)".
PARTY_RE = re.compile(r"\b([A-ZÆØÅ][a-zæøåéüö]+)\s*\([A-ZÆØÅ]\)")
# A body introduced with its abbreviation, as KL writes them: "Praktiserende Lægers Organisation (PLO)". A
# person's bracket holds one party letter (SF, the one two-letter party, stands after a first and last name).
BODY_RE = re.compile(r"((?:[A-ZÆØÅ][\wæøå-]+\s+)*[A-ZÆØÅ][\wæøå-]+)\s*\([A-ZÆØÅ]{3,}\)")
BULLET_RE = re.compile(r"^[–•-]\s")
# Danish and English marks of what is still to come: the future and modal auxiliaries, expectation,
# planning and announcement ("skal", "vil", "forventes", "planlægges", "varslet", "indkaldes til").
FUTURE_RE = re.compile(
    r"\b(skal|vil|skulle|ville|forvent\w*|planlæg\w*|påtænk\w*|varsl\w*|indkald\w*|afvent\w*|kommer til at"
    r"|endnu ikke|will|shall|expected|planned)\b",
    re.IGNORECASE,
)
QUOTE_RE = re.compile(r"[\"»“]([^\"«”]{2,60})[\"«”]")
# An estimate or forecast: "forventer … ved ca. 700 sager", "skønnes", "prognosen".
FORECAST_RE = re.compile(r"\b(forvent\w*|ventes|skøn\w*|estimer\w*|prognose\w*|fremskriv\w*|expected|forecast\w*)\b",
                         re.IGNORECASE)
COMPARED_RE = re.compile(r"\b(?:end|som|than|as)\s+(?:\w+\s+)?$", re.IGNORECASE)
NAME_PAIR_RE = re.compile(r"(?=\b([A-ZÆØÅ][\wæøå-]+)\s+([A-ZÆØÅ][\wæøå-]+)\b)")
CASE_NUMBER_RE = re.compile(r"\b[A-ZÆØÅ]{2,}-\d[\d-]*")
YEAR_SPAN_RE = re.compile(r"(?<![\w.,-])((?:19|20)\d\d)\s*[-–/]\s*((?:19|20)\d\d)(?![\d.,]\d)")
TOKEN_RE = re.compile(r"\d[\d.,]*%?|[^\W\d_]+")
# How many words from a figure the counted noun may stand ("40 af de nye SOSU-lærepladser", "pladser i alt: 532").
COUNT_WINDOW = 5
# Shortest word found inside a longer one as the same name in another form; shorter ones ("år", "dag") match
# too much.
CONTAINED_WORD_MIN = 4


MONEY_RE = re.compile(r"\d[\d.,]*\s*(?:mio\.|mia\.|millioner|milliarder|tusind)?\s*(?:kr\.|kroner|DKK)|\bkr\.\s*\d",
                      re.IGNORECASE)
SHARE_RE = re.compile(r"\d[\d.,]*\s*(?:%|pct\.?|procent)", re.IGNORECASE)
SHARE_WORD_RE = re.compile(r"\bandel(?:en|e|ene|s)?\b", re.IGNORECASE)


def states(
    answer_type: AnswerType,
    sentence: str,
    lowercase_words: Collection[str] = (),
    known_names: Collection[str] = (),
    unit: str = "",
    known_years: Collection[int] = (),
) -> bool:
    """Whether the sentence holds the kind of thing ``answer_type`` asks for, in the asked unit.

    ``known_names``: names the question itself uses (and the committee's own):
    they are the subject, so they do not answer "hvem". ``unit``: a cost is
    answered by kroner, a share by a percentage, not by any figure; for a name, the kind asked for.
    ``known_years``: years the question itself names; likewise the subject ("lånepuljen for 2025"), so a
    bare one of them does not answer "hvornår".
    """
    if answer_type == AnswerType.AMOUNT:
        if unit == "money":
            return bool(MONEY_RE.search(sentence))
        if unit == "share":
            # A share is a percentage, or a sum of money the sentence itself calls the share ("andelen af denne
            # økonomiske ramme … er beregnet til 48,54 mio. kr."): Danish "andel" is a portion, in kroner too.
            return bool(SHARE_RE.search(sentence)) or (bool(SHARE_WORD_RE.search(sentence)) and bool(MONEY_RE.search(sentence)))
        if unit == "duration":
            return bool(RELATIVE_TIME_RE.search(sentence))
        return has_amount(sentence)
    if answer_type == AnswerType.DATE:
        return has_date(sentence, known_years)
    if answer_type == AnswerType.PERSON:
        return bool(people(sentence, lowercase_words, known_names))
    if answer_type == AnswerType.NAME:
        if not unit:  # "Hvad hedder …?": any name the question does not already use
            return bool(proper_names(sentence, lowercase_words, known_names))
        return bool(named_of_kind(sentence, unit, lowercase_words))
    if answer_type == AnswerType.REASON:
        return bool(REASON_RE.search(sentence))
    if answer_type == AnswerType.LIST:
        return sentence.endswith(":") or bool(BULLET_RE.match(sentence)) or sentence.count(",") >= 2
    return False


def naming(sentences: list[str], head: str) -> list[str]:
    """The sentences that name ``head`` (any inflection, or inside a compound)."""
    from assistant.compounds import found_stem
    from assistant.relevance import stems

    wanted = stems(head)
    return [s for s in sentences if wanted and all(found_stem(stem, stems(s)) for stem in wanted)]


def only_to_come(sentences: list[str]) -> bool:
    """Whether every sentence speaks of something still to come ("Der indkaldes til trepartsforhandlinger",
    "Evalueringen forventes færdig i efteråret"): the minutes then hold no result of it."""
    return bool(sentences) and all(FUTURE_RE.search(s) for s in sentences)


def forecast(sentence: str) -> bool:
    """Whether the sentence gives an estimate or forecast: its figure is what is expected, not what happened.
    "flere end forventet", "som ventet": a comparison with the forecast states what happened."""
    return any(not COMPARED_RE.search(sentence[max(0, match.start() - 12):match.start()])
               for match in FORECAST_RE.finditer(sentence))


def for_other_year(sentence: str, years: Collection[int]) -> bool:
    """A sentence that dates itself to other years than the asked ones ("Regnskabet for 2020 viser …" for a
    question about 2023): its figure is another year's. A span ("2024-2027") holds the years inside it."""
    if not years:
        return False
    text = CASE_NUMBER_RE.sub(" ", sentence)
    spans = [(int(m[1]), int(m[2])) for m in YEAR_SPAN_RE.finditer(text)]
    named = [int(y) for y in YEAR_RE.findall(YEAR_SPAN_RE.sub(" ", text))]
    spans += [(year, year) for year in named]
    if not spans:
        return False
    return not any(first <= year <= last for year in years for first, last in spans)


def counts(sentence: str, counted: Collection[str]) -> bool:
    """Whether a figure in the sentence counts what the question counts: "hvor mange lærepladser" is answered
    by "1.234 lærepladser" or "lærepladser: 1.234", a few words either side, not by "1.100 flere børn".
    A word matches inside a Danish compound ("pladser" in "lærepladserne")."""
    if not counted:
        return True
    text = REFERENCE_RE.sub(" ", sentence)
    tokens = list(TOKEN_RE.finditer(text))
    wanted = {_stem(word) for word in counted}
    for index, token in enumerate(tokens):
        if not _is_figure(token[0]) or _is_compound_modifier(text, token.end()):
            continue
        near = tokens[max(0, index - COUNT_WINDOW):index + COUNT_WINDOW + 1]
        if any(_same_noun(_stem(word[0].lower()), stem) for word in near for stem in wanted):
            return True
    return False


def _is_compound_modifier(text: str, end: int) -> bool:
    """A figure joined by a hyphen to a word is part of a compound adjective ("0–17-årige", "3-årig"): it
    describes, it counts nothing."""
    return bool(re.match(r"(?:\s*[-–]\s*\d[\d.,]*)?-[^\W\d_]", text[end:end + 16]))


def _is_figure(token: str) -> bool:
    if token.lower() in NUMBER_WORDS - {"en", "et"}:
        return True
    number = token.rstrip(".,%")
    return bool(number) and number[0].isdigit() and not YEAR_RE.fullmatch(number)


def _same_noun(word: str, stem: str) -> bool:
    """The same stem, or one inside the other as a compound's head or modifier ("plads" / "læreplads")."""
    if word == stem:
        return True
    shorter, longer = sorted((word, stem), key=len)
    return len(shorter) >= CONTAINED_WORD_MIN and shorter in longer


def _stem(word: str) -> str:
    from assistant.retrieval import danish_stemmer

    return danish_stemmer().stemWord(word.lower())


def has_amount(sentence: str) -> bool:
    """A figure that is not a year, a date or a reference ("punkt 2.3", "SAG-2023-04719")."""
    text = REFERENCE_RE.sub(" ", sentence)
    for match in NUMBER_RE.finditer(text):
        number = match[0].rstrip(".,")
        if YEAR_RE.fullmatch(number) and not _unit_follows(text, match.end()):
            continue
        if number:
            return True
    return bool(NUMBER_WORD_RE.search(text))


def _unit_follows(text: str, end: int) -> bool:
    """"2025 kr." is an amount, "i 2025" a year."""
    return bool(re.match(r"\s*(kr\.|mio\.|mia\.|pct\.|%|procent|stk\.|pladser|personer|timer)", text[end:end + 12]))


def has_date(sentence: str, known_years: Collection[int] = ()) -> bool:
    """A day, month, week, relative time or year; a year the question names itself is no answer on its own."""
    return bool(
        DAY_MONTH_RE.search(sentence) or NUMERIC_DATE_RE.search(sentence) or MONTH_YEAR_RE.search(sentence)
        or any(int(year) not in known_years for year in YEAR_RE.findall(sentence))
        or WEEK_RE.search(sentence) or RELATIVE_TIME_RE.search(sentence)
    )


def people(sentence: str, lowercase_words: Collection[str], known_names: Collection[str] = ()) -> list[str]:
    """The people a sentence names: a run of capitalised words that starts and ends with a name word, or one
    name word with a party letter after it.

    A name word is capitalised and never written in lower case in the material
    ("Bjerregaard"); a common noun may stand inside a name ("Tina Skov Larsen")
    but not at its ends, so "Region Syddanmark" and "Odense Kommune" are no people.
    Names the question already uses are the subject, not the answer.
    """
    from assistant.question import PREPOSITIONS, stopwords

    known = {word.lower() for name in known_names for word in re.findall(r"\w+", name)}
    function_words = stopwords() | PREPOSITIONS

    def name_word(word: str, initial: bool = False) -> bool:
        if word.lower() in known:
            return False
        # Danish capitalises a function word ("per", "hans", "bo") only at the start of a sentence: elsewhere,
        # capitalised, it is a first name ("Per Okkels", "Hans Jensen").
        return word.lower() not in lowercase_words or (word.lower() in function_words and not initial)

    found: list[str] = []
    opening = BULLET_RE.sub("", sentence.lstrip())
    bodies = {word for match in BODY_RE.finditer(sentence) for word in match[1].split()}
    for run in _capitalised_runs(sentence):
        if run[-1] in bodies:
            continue
        initial = opening.startswith(run[0])
        while run and not name_word(run[0], initial):
            run, initial = run[1:], False
        while run and not name_word(run[-1]):
            run = run[:-1]
        if len(run) >= 2:
            found.append(" ".join(run))
    for match in PARTY_RE.finditer(sentence):
        if name_word(match[1]) and not any(match[1] in name for name in found):
            found.append(match[1])
    return found


def proper_names(sentence: str, lowercase_words: Collection[str], known_names: Collection[str] = ()) -> list[str]:
    """The names in a sentence: capitalised words after its first word that the material never writes in lower
    case ("Solsikken", "Kildemarken") and the question does not use, and names in quotes (»Sammen om velfærd«)."""
    known = {word.lower() for name in known_names for word in re.findall(r"\w+", name)}
    opening = BULLET_RE.sub("", sentence.lstrip())
    first = CAPITALISED_RE.match(opening)
    found = [match[0] for match in CAPITALISED_RE.finditer(opening)
             if not (first and match.start() == 0) and match[0].lower() not in lowercase_words]
    found += [match[1] for match in QUOTE_RE.finditer(sentence)]
    return [name for name in found if name.lower() not in known]


def named_of_kind(sentence: str, kind: str, lowercase_words: Collection[str]) -> list[str]:
    """Names of the asked kind: a name word beside the kind written as part of the name ("Middelfart
    Kommune", "Erhvervshus Fyn"). Danish capitalises the kind only inside a name."""
    from assistant.retrieval import danish_stemmer

    stemmer = danish_stemmer()
    wanted = stemmer.stemWord(kind.lower())
    found = []
    for first, second in NAME_PAIR_RE.findall(sentence):
        for name, noun in ((first, second), (second, first)):
            if (stemmer.stemWord(noun.lower()) == wanted and name.isalpha()
                    and name.lower() not in lowercase_words):
                found.append(f"{first} {second}")
    return found


def _capitalised_runs(sentence: str) -> list[list[str]]:
    """Capitalised words that follow each other with nothing but a space between them."""
    runs: list[list[str]] = []
    previous_end = -2
    for match in CAPITALISED_RE.finditer(sentence):
        if runs and sentence[previous_end:match.start()].strip() == "":
            runs[-1].append(match[0])
        else:
            runs.append([match[0]])
        previous_end = match.end()
    return runs
