"""Danish compounds split on the material's own words, and what the split changes."""

from __future__ import annotations

from assistant.compounds import compound_parts
from assistant.relevance import coverage, unknown_words

# A made-up material's vocabulary (Danish stems) and how many items each stem stands in, as rarity.
VOCABULARY = frozenset({"fyrtårn", "initiativ", "botilbud", "plads", "erhverv", "udvikling", "klima", "indsats",
                        "sag", "børn"})
RARITY = {"fyrtårn": 2.0, "initiativ": 0.5, "botilbud": 1.5, "plads": 0.7, "erhverv": 1.0, "udvikling": 0.3}


def test_a_compound_splits_into_two_words_of_the_material_and_names_its_rarer_part() -> None:
    parts = compound_parts(["fyrtårnsinitiativ", "botilbudsplads", "erhvervsudvikling", "sagsbehandling",
                            "fyrtårn", "klimaplan"], VOCABULARY, RARITY)
    # linking -s- or none; the rarer part tells the topic; a rest the material never uses is no split
    assert parts == {"fyrtårnsinitiativ": "fyrtårn", "botilbudsplads": "botilbud", "erhvervsudvikling": "erhverv"}


def test_a_compound_whose_telling_part_is_found_counts_half() -> None:
    wanted = {"fyrtårnsinitiativ", "erhvervsudvikling"}
    parts = compound_parts(wanted, VOCABULARY, RARITY)
    item = {"erhvervsfyrtårn", "erhvervsudvikling", "region"}  # "erhvervsfyrtårne": no initiative named
    assert coverage(wanted, item) == 0.5
    assert coverage(wanted, item, parts=parts) == 0.75
    assert coverage(wanted, {"region"}, parts=parts) == 0.0


def test_a_word_the_material_never_uses_is_known_when_it_is_a_compound_of_two_it_does() -> None:
    vocabulary = VOCABULARY | {"hvad", "besluttet"}
    # "klimaindsatsen" is never written, but "klima" and "indsats" are: a paraphrase, not another topic
    assert unknown_words("Hvad blev besluttet om klimaindsatsen?", vocabulary) == []
    assert unknown_words("Hvad blev besluttet om letbanestrækningen?", vocabulary) == ["letbanestrækningen"]
