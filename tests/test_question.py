"""Question analysis: each rule of Danish (or English) grammar stated on made-up questions.

No committee, place or topic of the bundled corpus is needed for these rules
to hold; the committee names come from the arguments, as they come from
settings and the index in the app.
"""

from __future__ import annotations

from datetime import date

import pytest

from assistant.question import (
    FIRST_YEAR,
    LAST_YEAR,
    AnswerType,
    analyse,
    answer_type_of,
    is_yes_no,
    period_in_question,
    plan_search,
)

COMMITTEES = ("Byrådet i Testrup",)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Hvem blev valgt som formand for udvalget?", AnswerType.PERSON),
        ("Who chairs the board?", AnswerType.PERSON),
        ("Hvor mange pladser får skolen?", AnswerType.AMOUNT),
        ("Hvor meget koster den nye bro?", AnswerType.AMOUNT),
        ("Hvad kostede den nye bro?", AnswerType.AMOUNT),  # "koste" takes an amount
        ("Hvad hedder den nye skoleleder?", AnswerType.NAME),  # a name is asked, of a person or a thing
        ("Hvad er navnet på det nye plejehjem?", AnswerType.NAME),
        ("What did the new bridge cost?", AnswerType.AMOUNT),
        ("Hvor stort er underskuddet?", AnswerType.AMOUNT),
        ("Hvad er antallet af elever?", AnswerType.AMOUNT),
        ("How much was set aside for roads?", AnswerType.AMOUNT),
        ("Hvornår åbner svømmehallen?", AnswerType.DATE),
        ("Hvilket år træder planen i kraft?", AnswerType.DATE),
        ("When will the plan take effect?", AnswerType.DATE),
        ("Hvad var høringsfristen for planen?", AnswerType.DATE),  # a time noun, a compound's head too
        ("What was the deadline for the consultation?", AnswerType.DATE),
        ("Hvor skal det nye bibliotek ligge?", AnswerType.PLACE),
        ("Hvorfor blev sagen udsat?", AnswerType.REASON),
        ("Hvilke skoler indgår i forsøget?", AnswerType.LIST),
        ("Which new primary schools are part of the trial?", AnswerType.LIST),  # head noun -s, plural verb
        ("Hvad besluttede udvalget om skolestrukturen?", AnswerType.DECISION),
        ("Blev lokalplanen godkendt?", AnswerType.DECISION),
        ("Støttede udvalget forslaget?", AnswerType.YESNO),
        ("Hvornår har byrådet behandlet skolestrukturen?", AnswerType.HISTORY),
        ("Hvilke møder har drøftet trafikplanen?", AnswerType.HISTORY),
        ("Hvad handler sagen om?", AnswerType.OPEN),
    ],
)
def test_the_interrogative_decides_the_expected_answer(question: str, expected: AnswerType) -> None:
    history = expected == AnswerType.HISTORY
    assert analyse(question, COMMITTEES).answer_type == expected or (
        history and analyse(question, COMMITTEES).history
    )
    assert answer_type_of(question, history) == expected


def test_hvor_with_a_degree_word_asks_for_an_amount_not_a_place() -> None:
    assert answer_type_of("Hvor længe varer projektet?") != AnswerType.PLACE
    assert answer_type_of("Hvor hurtigt skal ansøgningen behandles?") == AnswerType.AMOUNT
    assert answer_type_of("Hvor ligger skolen?") == AnswerType.PLACE


def test_a_finite_verb_first_asks_yes_or_no() -> None:
    assert is_yes_no("Godkendte udvalget budgettet?")
    assert is_yes_no("Er planen vedtaget?")
    assert is_yes_no("Did the council approve the budget?")
    assert not is_yes_no("Hvad godkendte udvalget?")
    assert not is_yes_no("Budgettet for skolerne?")


def test_the_committee_acting_asks_what_it_decided() -> None:
    """"Hvad mente byrådet …?": the committee as the subject of the verb; its minutes record that as a decision."""
    assert analyse("Hvad mente Testrup om forslaget?", COMMITTEES).decision
    assert not analyse("Hvad er baggrunden for forslaget?", COMMITTEES).decision


def test_subject_terms_leave_out_how_the_question_asks() -> None:
    analysis = analyse("Hvad har byrådet i Testrup tidligere besluttet om cykelstier?", COMMITTEES)
    assert analysis.subject == {"cykelsti"}


def test_names_years_and_the_committee_are_read_off() -> None:
    analysis = analyse("Hvor mange penge fik Nordby Skole i 2024 ifølge Byrådet i Testrup?", COMMITTEES)
    assert "Nordby" in analysis.names and "Skole" in analysis.names
    assert "Testrup" not in analysis.names  # the committee's own name only places the question
    assert analysis.years == (2024,)
    assert analysis.committee == "Byrådet i Testrup"


def test_two_questions_in_one_are_two_parts() -> None:
    analysis = analyse("Hvor mange pladser blev der oprettet, og hvornår åbner de?", COMMITTEES)
    assert [part.answer_type for part in analysis.parts] == [AnswerType.AMOUNT, AnswerType.DATE]
    assert analysis.parts[1].text.startswith("hvornår")


def test_one_question_of_two_years_is_two_parts() -> None:
    analysis = analyse("Hvad blev der sagt om havnen både i 2019 og i 2022?", COMMITTEES)
    assert [part.years for part in analysis.parts] == [(2019,), (2022,)]
    assert "2022" not in analysis.parts[0].search and "2019" in analysis.parts[0].search


def test_a_comma_before_an_indirect_question_splits_nothing() -> None:
    assert not analyse("Hvad blev der besluttet om, hvordan skolerne skal organiseres?", COMMITTEES).multipart


def test_a_named_meeting_day_is_read_with_its_meeting_word_only() -> None:
    assert analyse("Hvad skete der på mødet den 3. marts 2022?", COMMITTEES).meeting_dates == (date(2022, 3, 3),)
    assert analyse("Hvad sker der den 3. marts 2022?", COMMITTEES).meeting_dates == ()
    assert analyse("Hvad blev besluttet på mødet i maj 2022?", COMMITTEES).meeting_months == ((2022, 5),)


@pytest.mark.parametrize(
    "question",
    ["Hvad blev der besluttet om skoler i 0000?", "Hvad er sket siden 0000?", "Hvad skete før 0001?",
     "Hvad skete på mødet den 31. februar 2023?", "Hvad skete på mødet den 12. marts 0000?"],
)
def test_an_impossible_year_or_date_is_ignored_with_a_note_never_a_crash(question: str) -> None:
    analysis = analyse(question, COMMITTEES)
    assert analysis.notes and all("ikke" in note for note in analysis.notes)
    assert period_in_question(question) is None
    assert plan_search(question).filters.date_from is None


def test_english_is_told_from_danish_words_that_look_english() -> None:
    assert analyse("What did the council decide about the harbour?", COMMITTEES).english
    assert not analyse("Hvad er status for det nye OUH in 2024?", COMMITTEES).english
    # English function words beyond the interrogatives: "why", "to", "a" alone would not carry this one
    assert analyse("Why does the joint secretariat need to keep a surplus going forward?", COMMITTEES).english
    # Danish words that English writes too ("to", "by", "it") do not make a Danish question English
    assert not analyse("Hvad koster de to nye it-systemer i Odense by?", COMMITTEES).english


def test_a_question_for_an_outcome_asks_for_the_decision() -> None:
    assert analyse("Hvad skete der med forslaget om en ny skole?", COMMITTEES).decision
    assert analyse("Hvad kom der ud af drøftelsen af trafikplanen?", COMMITTEES).decision
    assert not analyse("Hvad handler forslaget om?", COMMITTEES).decision


def test_a_date_for_a_meeting_being_prepared_is_not_the_meeting_where_it_happened() -> None:
    assert analyse("Hvad besluttede byrådet at sætte på dagsordenen til mødet den 5. maj 2024?",
                   COMMITTEES).meeting_dates == ()
    assert analyse("Hvad besluttede byrådet på mødet den 5. maj 2024?", COMMITTEES).meeting_dates == (
        date(2024, 5, 5),)


def test_the_committee_as_subject_of_a_past_tense_verb_asks_what_it_decided() -> None:
    assert analyse("Hvad blev udfaldet, da Testrup drøftede havnen?", COMMITTEES).decision


@pytest.mark.parametrize(
    ("question", "counted"),
    [
        ("Hvor mange nye pladser skal Nordby oprette?", ("nye", "pladser")),
        ("Hvor mange flygtninge forventes boligplaceret?", ("flygtninge",)),  # ends at the passive verb
        ("Hvor mange besvarede skemaet?", ("besvarede",)),  # no noun: those who did the verb
        ("Hvor mange færre startede på studiet?", ("startede",)),  # a comparative is no noun
        ("Hvor mange er der i udvalget?", ()),  # an auxiliary: nothing named
        ("Hvor mange penge får projektet?", ()),  # money is asked in kroner, not counted
        ("Hvem er formand?", ()),
    ],
)
def test_a_count_question_names_what_it_counts(question: str, counted: tuple[str, ...]) -> None:
    assert analyse(question).parts[0].counted == counted


@pytest.mark.parametrize(
    "question",
    [
        "Hvad har udvalget hørt om Nordby Havn gennem årene?",
        "Hvad har rådet fået at vide om skolereformen over tid?",
        "Hvordan har budgettet for busdriften udviklet sig?",
        "Hvad har rådet fået at vide om vejprojektet siden starten?",
        "Hvordan er udvalget løbende blevet orienteret om cykelstierne?",
        "Hvad har rådet besluttet om havnen på de seneste møder?",
        "Hvad er der blevet sagt om havnen på møderne?",
        "What has the council been told about the harbour over the years?",
        "How has the bus budget changed since the reform?",
    ],
)
def test_a_look_back_over_time_asks_for_a_history(question: str) -> None:
    analysis = analyse(question)
    assert analysis.history and analysis.answer_type == AnswerType.HISTORY


@pytest.mark.parametrize(
    "question",
    [
        "Hvor mange pladser er der oprettet siden 2020?",  # a count over a span: the figure is asked
        "Hvem har været formand gennem årene?",  # a person
        "Hvad blev der orienteret om under Siden sidst?",  # KL's standing briefing item, no span
        "Hvad konkluderede rådet om møderne og mødeformen?",  # the meetings are the topic
        "Hvad blev besluttet om havnen?",
    ],
)
def test_no_look_back_or_a_typed_question_is_no_history(question: str) -> None:
    assert not analyse(question).history


def test_the_look_back_is_not_the_subject() -> None:
    assert analyse("Hvad har rådet hørt om havnen gennem årene?").subject == analyse(
        "Hvad har rådet hørt om havnen?").subject


@pytest.mark.parametrize(
    ("question", "span"),
    [
        ("Hvad har rådet fået at vide om havnen siden 2021?", (2021, LAST_YEAR)),
        ("Hvornår har rådet behandlet havnen før 2023?", (FIRST_YEAR, 2022)),
        ("Hvornår har rådet behandlet havnen i 2020 og 2022?", (2020, 2022)),
        ("Hvornår har rådet behandlet havnen?", None),
    ],
)
def test_a_history_spans_the_years_it_names(question: str, span: tuple[int, int] | None) -> None:
    analysis = analyse(question)
    assert analysis.history
    assert analysis.parts[0].year_span == span


@pytest.mark.parametrize(
    ("question", "types"),
    [
        ("Hvornår udløber tilskuddet, og til hvornår skal rapporten være sendt?", (AnswerType.DATE, AnswerType.DATE)),
        ("When does the grant run out, and by when must the report be sent?", (AnswerType.DATE, AnswerType.DATE)),
        ("Hvem blev valgt, og med hvem skal de samarbejde?", (AnswerType.PERSON, AnswerType.PERSON)),
        ("Hvad koster det for kommunerne i 2024?", (AnswerType.AMOUNT,)),  # "for" opens no question
    ],
)
def test_a_preposition_before_the_interrogative_still_asks_a_second_question(
        question: str, types: tuple[AnswerType, ...]) -> None:
    assert tuple(part.answer_type for part in analyse(question).parts) == types


def test_hvornaar_er_is_a_history_only_in_the_perfect() -> None:
    assert analyse("Hvornår er sagen blevet behandlet?").history
    assert analyse("Hvornår er budgettet godkendt?").history
    assert not analyse("Hvornår er der åbent for ansøgninger?").history
    assert not analyse("Hvornår er fristen?").history


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("Hvem blev valgt som ny formand for udvalget?", ("formand",)),
        ("Hvem blev udpeget til bestyrelsen for Nordby Havn?", ("bestyrelsen",)),
        ("Hvem er formand?", ()),  # no "som" / "til": the subject words alone
        ("Hvem er formand for Sundhedsudvalget?", ("formand",)),  # the predicate of "hvem er"
        ("Hvem er den nye direktør?", ("direktør",)),
        ("Hvem er repræsentant for kommunerne i rådet?", ("repræsentant",)),  # an agent noun in -ant
        ("Hvem blev ansat på kontoret?", ()),  # a past participle is no role
        ("Hvem er Per Hansen?", ()),  # asks who a named person is
        ("Hvor mange blev udpeget til bestyrelsen?", ()),  # not a "hvem" question
    ],
)
def test_a_who_question_names_the_role_to_fill(question: str, role: tuple[str, ...]) -> None:
    assert analyse(question).parts[0].role == role


def test_quoted_terms_and_codes_are_names_in_either_language_but_english_capitals_are_not() -> None:
    english = analyse("What is the land tax (grundskyld) rate in Nordby Municipality for 2024?")
    assert english.names == ("grundskyld",)
    assert analyse("What did the council decide about DK2030?").names == ("DK2030",)
    assert analyse("When does the GP service start?").names == ()  # an English acronym
    assert "frit valg" in analyse('Hvad blev der besluttet om "frit valg"?').names


def test_a_question_for_a_result_names_what_the_result_is_of() -> None:
    assert analyse("Hvad blev resultatet af forhandlingerne om elevløn?").result_of == "forhandlingerne"
    assert analyse("Hvad viste den nationale evaluering af ordningen?").result_of == "evaluering"
    assert analyse("Hvad besluttede udvalget om ordningen?").result_of == ""


def test_a_capitalised_genitive_before_a_noun_is_the_owner_of_what_is_asked() -> None:
    from assistant.question import owners

    assert owners("Hvor stort var overskuddet i Nordby Vandværks regnskab for 2023?") == {"Vandværks"}
    assert owners("Hvor stort var Børnehus Syds budget?") == {"Syds"}
    assert owners("Sekretariatets opgaver?") == frozenset()  # the first word is capitalised anyway


def test_how_long_or_how_fast_asks_for_a_duration() -> None:
    assert analyse("Hvor hurtigt skal opkaldene besvares?").parts[0].unit == "duration"
    assert analyse("Hvor længe varer aftalen?").parts[0].unit == "duration"
    assert analyse("Hvor mange penge koster det?").parts[0].unit == "money"


def test_which_in_the_singular_asks_for_a_name_of_its_noun() -> None:
    assert analyse("Hvilken kommune har tilbudt flere pladser?").parts[0].kind == "kommune"
    assert analyse("Hvilket erhvervshus fik kontrakten?").parts[0].kind == "erhvervshus"
    assert analyse("Hvilke kommuner fik tilsagn?").parts[0].kind == ""  # a list


def test_a_question_in_the_past_tense_asks_what_happened_unless_it_asks_for_the_estimate() -> None:
    assert analyse("Hvor mange sager behandlede Børnehus Syd i 2019?").parts[0].past
    assert analyse("Hvor stort var underskuddet?").parts[0].past
    assert not analyse("Hvor mange sager behandler Børnehus Syd?").parts[0].past
    assert not analyse("Hvor mange sager var forventet i 2019?").parts[0].past  # the estimate is asked for
    assert not analyse("Hvad er den største udgift?").parts[0].past  # a superlative, no past tense


def test_a_part_names_both_years_of_a_span() -> None:
    # "Rammeaftale 2021-2022" names the agreement: neither year answers "hvornår" on its own
    part = analyse("Hvornår skal Rammeaftale 2021-2022 godkendes?", COMMITTEES).parts[0]
    assert part.named_years == {2021, 2022}
