"""The short forms the minutes define name the same body as its full name, on made-up sentences."""

from __future__ import annotations

from assistant.abbreviations import Abbreviations

TEXTS = [
    "Punkt 3: Nordby Vandråd (NVR) har drøftet planen.",
    "– Sydlig Erhvervsbestyrelse SEB, Hanne Holm: Der er afsat 10 mio. kr.",
    "Praksisudvalget, PU, mødes igen i maj. Udvalget besluttede at ABC-planen udskydes.",
]


def test_a_short_form_after_a_name_whose_letters_it_takes_in_order_is_defined() -> None:
    found = Abbreviations(TEXTS)
    assert found.full["nvr"] == {"nordby vandråd"}
    assert found.full["seb"] == {"sydlig erhvervsbestyrelse"}
    assert found.full["pu"] == {"praksisudvalget"}
    assert "abc" not in found.full  # no name before it


def test_either_form_names_the_body() -> None:
    found = Abbreviations(TEXTS)
    assert found.variants("SEB") == {"seb", "sydlig erhvervsbestyrelse"}
    assert "seb" in found.variants("Erhvervsbestyrelse")  # a word of the full name
    assert found.variants("Odense") == {"odense"}


def test_a_short_form_stands_apart_and_is_never_a_tail_of_a_longer_one() -> None:
    # "SDEO" after "Vestlig EU-kontor" takes no letters of that name in order from its first ("S" ≠ "V"), and
    # "EO" glued to "SD" is no short form at all: only a form that stands apart is defined.
    found = Abbreviations(["Vestlig EU-kontor SDEO har holdt møde.", "Det Vestlige EU-kontor (VEK) er åbnet."])
    assert "eo" not in found.full and "sdeo" not in found.full
    assert found.full["vek"] == {"vestlige eu-kontor"}
