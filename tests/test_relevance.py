"""Which words of a question name something the answer must mention, and how the material is searched for them."""

from __future__ import annotations

import pytest

from assistant.question import is_english, specific_terms
from assistant.relevance import coverage, mentions

COMMITTEE_WORDS = frozenset({"kkr", "syddanmark", "syddanmarks"})


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("Hvor mange SOSU-lærepladser fik Odense Kommune tildelt for 2026?",
         ["SOSU-lærepladser", "Odense", "Kommune", "2026"]),
        ("Hvor stort var Børnehus Syds budget for 2019?", ["Børnehus", "Syds", "2019"]),
        ("Hvad blev der besluttet om botilbud?", []),  # the capital of the first word is the sentence's
        ("OUH: hvornår åbner det?", ["OUH"]),  # an acronym first is still a name
        ("Hvad skete der i KKR Syddanmark i november 2023?", ["2023"]),  # committee and month say nothing
        ("Hvad koster 40 pladser i Region Syddanmark?", ["Region"]),  # a count is not a year
        # English: Danish capitalisation rules do not apply; a year or a code is a term in any language
        ("What did KKR decide about Odense in 2021?", ["2021"]),
    ],
)
def test_specific_terms(question: str, terms: list[str]) -> None:
    assert specific_terms(question, COMMITTEE_WORDS) == terms


def test_a_genitive_name_is_found_without_its_s() -> None:
    assert mentions("Syds", "Status 2019 Børnehus Syd")
    assert not mentions("Odense", "Esbjerg og Vejle")


def test_a_hyphenated_name_is_found_in_its_inflected_compound() -> None:
    assert mentions("SOSU-lærepladser", "fordeling af lærepladser på SOSU-området")
    assert not mentions("SOSU-lærepladser", "fordeling af SOSU-elever")


def test_danish_words_that_look_english_do_not_make_a_question_english() -> None:
    assert not is_english("Hvad viste regnskabet for 2020 for Fælleskommunalt Sundhedssekretariat?")
    assert is_english("How much will the two joint municipal secretariats save from 2024?")


def test_coverage_weighted_by_rarity_counts_the_rare_word_most() -> None:
    wanted = {"sag", "sundhedsaftal"}
    assert coverage(wanted, {"sundhedsaftal"}) == 0.5
    assert coverage(wanted, {"sundhedsaftal"}, {"sag": 1.0, "sundhedsaftal": 3.0}) == 0.75
    assert coverage(set(), {"sag"}, {"sag": 1.0}) == 0.0


def test_an_inflection_the_stemmer_leaves_apart_still_matches() -> None:
    # Snowball gives "besvared" for "besvarede" and "besvar" for "besvaret": one verb, two stems.
    assert coverage({"besvared"}, {"besvar"}) == 1.0
    assert coverage({"besvared"}, {"besvarelsesfrist"}) == 0.0  # a longer word is no inflection of it


def test_a_name_is_found_in_another_inflection_but_a_year_or_code_only_as_written() -> None:
    from assistant.relevance import mentions_inflected, stems

    text = "Punktet blev drøftet i det sundhedsstrategiske forum, jf. aftalen fra 2023 om DK2020."
    found = stems(text)
    assert mentions_inflected("Sundhedsstrategisk Forum", text, found)
    assert mentions_inflected("DK2020", text, found)
    assert not mentions_inflected("DK2030", text, found)
    assert not mentions_inflected("2024", text, found)
    assert not mentions_inflected("Klimaforum", text, found)


def test_a_name_compounded_with_a_common_noun_needs_the_name_as_written_and_the_noun_in_any_form() -> None:
    from assistant.relevance import mentions_inflected, stems

    text = "DK2020 – samarbejdsaftale og udpegning til politisk partnerskabsgruppe"
    assert mentions_inflected("DK2020-samarbejdet", text, stems(text))
    other = "DK2020 – klimaplaner i kommunerne"
    assert not mentions_inflected("DK2020-samarbejdet", other, stems(other))
    assert not mentions_inflected("DK2030-samarbejdet", text, stems(text))


def test_a_short_name_is_found_only_as_a_word_of_its_own() -> None:
    # an abbreviation inside another word is another word: "deb" in "debat", "eo" in "geografi"
    assert mentions("DEB", "Danmarks Erhvervsfremmebestyrelse DEB har afsat midler.")
    assert not mentions("DEB", "Der var en god debat om midlerne.")
    assert not mentions("EO", "Opgaven i hver KKR-geografi er vejledning.")
    assert mentions("SOSU", "Antallet af SOSU-lærepladser stiger.")
    assert mentions("EU-kontor", "Kontoret er et EU kontor for regionen.")  # the parts written apart
    assert not mentions("EU-kontor", "Et neutralt kontor i Europa.")  # "eu" inside "neutralt" and "europa"
    assert mentions("botilbud", "Botilbudskapaciteten skal udvides.")  # a longer word still stands inside a compound
