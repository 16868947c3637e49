"""What a sentence states, on made-up sentences: the shapes of Danish text and of KL's minutes."""

from __future__ import annotations

from assistant.evidence import (
    counts,
    for_other_year,
    forecast,
    has_amount,
    has_date,
    named_of_kind,
    naming,
    only_to_come,
    people,
    proper_names,
    states,
)
from assistant.question import AnswerType

# Words a material writes in lower case somewhere: common nouns, which are no names.
LOWERCASE = frozenset({"region", "kommune", "skov", "udvalg", "borgmester", "byrådsmedlem", "formand"})


def test_an_amount_is_a_figure_not_a_year_a_date_or_a_reference() -> None:
    assert has_amount("Der er afsat 12,5 mio. kr. til projektet.")
    assert has_amount("Skolen får 340 nye pladser.")
    assert has_amount("Udvalget består af tre medlemmer.")
    assert not has_amount("Planen gælder fra 2024.")
    assert not has_amount("Sagen (SAG-2023-04719) blev behandlet under punkt 2.3 den 21. november.")
    assert not has_amount("Mødet holdes den 5. februar.")


def test_a_cost_is_answered_by_kroner_and_a_share_by_a_percentage() -> None:
    assert states(AnswerType.AMOUNT, "Broen koster 80 mio. kr.", unit="money")
    assert not states(AnswerType.AMOUNT, "Broen bliver 80 meter lang.", unit="money")
    assert states(AnswerType.AMOUNT, "Andelen steg til 12 pct.", unit="share")
    assert not states(AnswerType.AMOUNT, "Andelen steg med 12 elever.", unit="share")
    # "andel" is a portion in kroner too, when the sentence itself calls the sum the share
    assert states(AnswerType.AMOUNT, "Andelen af rammen for 2026 er beregnet til 48,5 mio. kr.", unit="share")
    assert not states(AnswerType.AMOUNT, "Rammen for 2026 er beregnet til 48,5 mio. kr.", unit="share")


def test_a_date_has_one_of_the_danish_shapes() -> None:
    assert has_date("Den nye plan træder i kraft 1. januar 2025.")
    assert has_date("Fristen er 01-03-2024.")
    assert has_date("Byggeriet starter i uge 12.")
    assert has_date("Skolen åbner i 2026.")
    assert has_date("Tilmelding sker senest fjorten dage før arrangementet.")
    assert not has_date("Skolen åbner, når byggeriet er færdigt.")


def test_a_year_the_question_names_is_its_subject_not_an_answer_to_when() -> None:
    """"Hvornår åbner lånepuljen for 2025?": "lånepuljen for 2025" says which pool, not when it opens."""
    pool = "Lånepuljen for 2025 skal styrke kapaciteten."
    assert has_date(pool)
    assert not has_date(pool, known_years=(2025,))
    assert not states(AnswerType.DATE, pool, known_years=(2025,))
    assert has_date("Lånepuljen for 2025 åbner den 1. marts.", known_years=(2025,))  # a day and month answers
    assert has_date("Lånepuljen for 2025 åbner i 2024.", known_years=(2025,))  # another year answers


def test_a_person_is_a_run_of_name_words_never_written_in_lower_case() -> None:
    sentence = "Borgmester Hanne Skov Lund (A), Nordby Kommune, og Region Midtby deltog."
    found = people(sentence, LOWERCASE)
    assert "Hanne" in found[0]
    assert not any("Kommune" in name or "Region" in name for name in found)


def test_a_single_name_with_a_party_letter_is_a_person() -> None:
    assert people("Formand Jensen (V) åbnede mødet.", LOWERCASE) == ["Jensen"]


def test_names_the_question_uses_do_not_answer_who() -> None:
    assert not people("Peter Holm leder Holm Huset.", LOWERCASE, known_names=("Peter Holm", "Holm Huset"))
    assert states(AnswerType.PERSON, "Udvalget valgte Peter Holm.", LOWERCASE)
    assert not states(AnswerType.PERSON, "Udvalget valgte en ny formand.", LOWERCASE)


def test_a_figure_dated_to_other_years_is_not_the_asked_years() -> None:
    assert for_other_year("Regnskabet for 2020 viser et overskud på 2 mio. kr.", [2023])
    assert not for_other_year("Regnskabet for 2023 viser et overskud på 2 mio. kr.", [2023])
    assert not for_other_year("Aftalen for 2024-2027 giver 5 mio. kr. om året.", [2025])
    assert not for_other_year("Puljen giver 5 mio. kr.", [2025])  # undated: may be the asked year's
    assert not for_other_year("Sagen SAG-2019-00123 giver 5 mio. kr.", [2025])  # a case number is no year
    assert not for_other_year("Regnskabet for 2020 viser et overskud på 2 mio. kr.", [])


def test_a_count_counts_the_asked_thing_a_few_words_away() -> None:
    assert counts("Der fordeles 532 lærepladser i landsdelen.", ["lærepladser"])
    assert counts("Nordby får 40 af de nye SOSU-lærepladser.", ["pladser"])  # inside a compound
    assert counts("Antallet af pladser i alt: 532.", ["pladser"])
    assert counts("I alt 45 ud af 81 har besvaret skemaet.", ["besvarede"])  # the verb, another inflection
    assert not counts("Der er født 1.100 flere børn end ventet.", ["flygtninge"])
    assert not counts("Planen for 2025 omtaler flygtninge.", ["flygtninge"])  # a year is no count
    assert counts("Der er født 1.100 flere børn end ventet.", [])


def test_a_thing_named_only_as_still_to_come_has_no_result_yet() -> None:
    sentences = [
        "Regeringen har varslet, at der indkaldes til forhandlinger om en ny aftale.",
        "Forhandlingerne forventes afsluttet i efteråret.",
        "Udvalget godkendte budgettet.",
    ]
    named = naming(sentences, "forhandlingerne")
    assert named == sentences[:2]
    assert only_to_come(named)
    assert not only_to_come(naming([*sentences, "Forhandlingerne endte med en aftale om 500 pladser."],
                                   "forhandlingerne"))
    assert not only_to_come([])  # nothing named: for other rules to judge


def test_how_long_is_answered_by_a_span_of_time() -> None:
    assert states(AnswerType.AMOUNT, "Opkald skal besvares inden for to minutter.", unit="duration")
    assert not states(AnswerType.AMOUNT, "Højst 10 pct. af opkaldene venter.", unit="duration")


def test_a_name_of_the_asked_kind_carries_the_kind_inside_the_name() -> None:
    lowercase = {"kommune", "kommuner", "erhvervshus", "nye"}
    assert named_of_kind("Nordby Kommune har budt ind med et projekt.", "kommune", lowercase) == ["Nordby Kommune"]
    assert named_of_kind("Kontrakten gik til Erhvervshus Vestegn.", "erhvervshus", lowercase)
    assert not named_of_kind("Flere kommuner har budt ind.", "kommune", lowercase)
    assert not named_of_kind("Nye Kommuner skal søge.", "kommune", lowercase)  # "nye" is no name


def test_a_capitalised_function_word_inside_a_sentence_is_a_first_name() -> None:
    lowercase = {*LOWERCASE, "per", "opmand"}  # "per borger": the material writes "per" in lower case
    assert people("Opmand for rådene, Per Okkels, indledte punktet.", lowercase) == ["Per Okkels"]
    # At the start of a sentence any word is capitalised, so "Per" there names no one by itself.
    assert people("Per borger gives 5 kr.", lowercase) == []


def test_a_body_introduced_with_its_abbreviation_is_no_person() -> None:
    sentence = "Udvalget består af medlemmer fra Praktiserende Lægers Organisation (PLO) og Hanne Skov Lund (SF)."
    assert people(sentence, LOWERCASE) == ["Hanne Skov Lund"]


def test_a_figure_in_a_compound_adjective_counts_nothing() -> None:
    assert not counts("Bidraget til plejefamilieområdet fordeles efter andel af 0–17-årige.", ["plejefamilier"])
    assert not counts("Plejefamilierne får en 3-årig aftale.", ["plejefamilier"])
    assert counts("Der blev godkendt 120 plejefamilier.", ["plejefamilier"])


def test_a_name_asked_for_is_a_capitalised_word_after_the_first_or_a_quoted_title() -> None:
    lowercase = {*LOWERCASE, "plejehjem", "det"}
    assert proper_names("Det nye plejehjem får navnet Solsikken.", lowercase) == ["Solsikken"]
    assert "Sammen om velfærd" in proper_names("Projektet hedder »Sammen om velfærd«.", lowercase)
    assert proper_names("Det nye plejehjem åbner i Nordby.", lowercase, known_names=("Nordby",)) == []
    assert proper_names("Plejehjem bygges i hele kommunen.", lowercase) == []  # the first word is capitalised anyway


def test_an_estimate_is_told_from_a_comparison_with_one() -> None:
    assert forecast("Børnehuset forventer, at kurven vil knække ved ca. 700 sager.")
    assert forecast("Underskuddet skønnes at blive 2 mio. kr.")
    assert not forecast("Der er født 1.100 flere børn end forventet.")  # what happened, against the forecast
    assert not forecast("Der blev behandlet 650 sager.")
