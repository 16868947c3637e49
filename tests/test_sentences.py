"""Danish sentence boundaries (index.sentences): abbreviations and dates do not end a sentence."""

from __future__ import annotations

import pytest

from index.sentences import split_line, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kurven vil knække ved ca. 700 sager. Stigningen skyldes fokus.",
         ["Kurven vil knække ved ca. 700 sager.", "Stigningen skyldes fokus."]),
        ("Regionen overtager opgaverne i tidsrummet kl. 23-08. Klinikkerne bemandes.",
         ["Regionen overtager opgaverne i tidsrummet kl. 23-08.", "Klinikkerne bemandes."]),
        ("Næste møde er d. 22. oktober 2025. Punkter følger.",
         ["Næste møde er d. 22. oktober 2025.", "Punkter følger."]),
        ("Det sker jf. Lov om social service. Punktet blev aflyst pga. afbud.",
         ["Det sker jf. Lov om social service.", "Punktet blev aflyst pga. afbud."]),
        ("Kommuner, bl.a. Middelfart Kommune, deltager. Esbjerg fik 44 mio. kr. til byggeriet.",
         ["Kommuner, bl.a. Middelfart Kommune, deltager.", "Esbjerg fik 44 mio. kr. til byggeriet."]),
    ],
)
def test_abbreviations_and_dates_stay_inside_the_sentence(text: str, expected: list[str]) -> None:
    assert split_line(text) == expected


def test_paragraphs_are_boundaries_too() -> None:
    text = "Statslig lånepulje til botilbud\n\nLånepuljen er på 1,5 mia. kr. for 2024-2026. Den åbner i 2024."
    assert split_sentences(text) == [
        "Statslig lånepulje til botilbud",
        "Lånepuljen er på 1,5 mia. kr. for 2024-2026.",
        "Den åbner i 2024.",
    ]


def test_empty_text_has_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_line("   ") == []
