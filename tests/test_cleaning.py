"""Cleaning rules (index.cleaning), each pinned with the real text of the bundled corpus.

Snippets are copied line for line from corpus/*.txt, trailing spaces and
whitespace-only lines (the extractor's paragraph gaps) included; the empty
lines the extractor put between every line are left out, as the parser
ignores them. Synthetic documents are written to ``tmp_path`` with no
manifest beside them.
"""

from __future__ import annotations

from datetime import date

import pytest

from index.cleaning import (
    assemble_paragraphs,
    clean_inline,
    join_wrapped,
    normalise_bullet,
    strip_running_lines,
)
from index.parsing import parse_file
from index.schema import Line
from tests.helpers import (
    EXCERPT_2021_3_1,
    FILE_2020,
    FILE_2021,
    FILE_2023_02,
    FILE_2023_11,
    FILE_2025,
    all_text,
    item,
    paragraphs,
    write_doc,
)

# --- Running footers and page numbers --------------------------------------------------

# corpus/kkr-syddanmark-2021-06-09-referat.txt lines 680-818: the footer and page
# number of a PDF page survive in the middle of item 3.5's Beslutning.
FOOTER_2021 = [
    "3.5. Årsrapport og regnskab 2020 og budget 2022 for Fælles-",
    "kommunalt Sundhedssekretariat ",
    "SAG-2021-02179 suha ",
    " ",
    "Baggrund ",
    "Hvert år skal KKR Syddanmark godkende Fælleskommunalt Sundhedsse-",
    "kretariats årsrapport for det forrige år og budget for det kommende år. ",
    "Regnskab for det forrige år tages til efterretning. ",
    " ",
    "Sundhedsstrategisk forum og kommunaldirektørkredsen kan anbefale, at ",
    "KKR Syddanmark godkender indstillingen. ",
    " ",
    "Indstilling ",
    "Det indstilles, at KKR Syddanmark godkender Fælleskommunalt Sundheds-",
    "sekretariat årsrapport 2020 og budget for 2022 samt tager regnskab for ",
    "2020 til efterretning. ",
    " ",
    "Beslutning ",
    "",
    "",
    "KKR Syddanmark  | 09-06-2021 ",
    "",
    " SIDE  |  15 ",
    "",
    "KKR Syddanmark godkendte Fælleskommunalt Sundhedssekretariat års-",
    "",
    "rapport 2020 og budget for 2022 samt tog regnskab for 2020 til efterretning. ",
    " ",
    "  ",
    "3.6. Fordeling af flygtninge 2022 ",
    "SAG-2021-02179 suha ",
    " ",
    "Baggrund ",
    "Udlændingestyrelsen har orienteret KKR om forventningen til antallet af ",
    "flygtninge, der skal boligplaceres i kommunerne i 2022.  ",
]

BESLUTNING_2021_3_5 = (
    "KKR Syddanmark godkendte Fælleskommunalt Sundhedssekretariat årsrapport 2020 "
    "og budget for 2022 samt tog regnskab for 2020 til efterretning."
)


def test_footer_and_page_number_removed_from_decision(tmp_path):
    document = parse_file(write_doc(tmp_path, "referat.txt", FOOTER_2021))

    assert paragraphs(document, "3.5", "Beslutning") == [BESLUTNING_2021_3_5]


def test_footer_text_appears_in_no_section(tmp_path):
    document = parse_file(write_doc(tmp_path, "referat.txt", FOOTER_2021))

    text = all_text(document)
    assert "SIDE" not in text
    assert "09-06-2021" not in text
    assert "|" not in text


def test_footer_date_becomes_meeting_date_without_manifest(tmp_path):
    document = parse_file(write_doc(tmp_path, "referat.txt", FOOTER_2021))

    assert document.meeting_date == date(2021, 6, 9)
    assert document.committee == "KKR Syddanmark"


def test_footer_removed_in_bundled_2021_decision(corpus):
    document = corpus[FILE_2021]

    assert paragraphs(document, "3.5", "Beslutning") == [BESLUTNING_2021_3_5]


@pytest.mark.parametrize("name", [FILE_2021, FILE_2023_02])
def test_no_footer_or_page_number_survives_in_bundled_files(corpus, name):
    for agenda_item in corpus[name].items:
        for section in agenda_item.sections:
            assert "SIDE  |" not in section.text
            assert "SIDE |" not in section.text
            assert "| 09-06-2021" not in section.text
            assert "| 07-02-2023" not in section.text


def test_sentence_across_footer_stays_one_paragraph_2023_02(corpus):
    # Lines 831-839: "Herudover vil" / footer / "SIDE | 13" / "CONCITO sikre, ..."
    document = corpus[FILE_2023_02]

    joined = [p for p in paragraphs(document, "2.5", "Sagsfremstilling") if "Herudover vil CONCITO sikre" in p]
    assert len(joined) == 1
    assert "Herudover vil CONCITO sikre, at der metodisk vil være konkret understøttelse til at monitorere" in joined[0]


def test_text_around_second_footer_2023_02_intact(corpus):
    # Lines 1218-1226: "– Der vil fremover være 19 konsultationssteder ..." / footer / "SIDE | 18" / "Heraf ..."
    sagsfremstilling = paragraphs(corpus[FILE_2023_02], "2.8", "Sagsfremstilling")
    text = "\n".join(sagsfremstilling)

    assert "– Der vil fremover være 19 konsultationssteder i Region Syddanmark." in sagsfremstilling
    assert (
        "Heraf bemander PLO Syddanmark senest den 1. februar 2024 i alt 16 konsultationssteder i Odense, Kolding, "
        "Esbjerg, Aabenraa, Sønderborg, Vejle, Svendborg, Faaborg, Assens, Nyborg, Middelfart, Fredericia, "
        "Haderslev, Varde, Brørup og Rudkøbing." in text
    )
    assert "SIDE" not in text and "07-02-2023" not in text


def test_strip_running_lines_returns_footer_date_and_committee():
    lines = [Line("Beslutning "), Line("KKR Syddanmark  | 09-06-2021 "), Line(" SIDE  |  15 "), Line("KKR Syddanmark")]

    kept, dates, committees = strip_running_lines(lines)

    assert [line.text for line in kept] == ["Beslutning ", "KKR Syddanmark"]
    assert dates == [date(2021, 6, 9)]
    assert committees == ["KKR Syddanmark"]


def test_bare_year_line_in_text_file_is_not_a_page_number():
    # 2021 lines 1472-1473: a title wrapped before its year.
    lines = [Line("5.1. Punkter til næste møde i KKR Syddanmark den 31. august "), Line("2021 ")]

    kept, dates, _ = strip_running_lines(lines)

    assert [line.text for line in kept] == [line.text for line in lines]
    assert dates == []


def test_title_wrapped_before_year_keeps_year(corpus):
    assert item(corpus[FILE_2021], "5.1").title == "Punkter til næste møde i KKR Syddanmark den 31. august 2021"


# --- Hyphenation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "following", "expected"),
    [
        # A word hyphenated at the line break is repaired.
        # 2023-11-21 line 201/203
        ("udvidelse af botilbudskapacite-", "ten. Socialdirektørforum", "udvidelse af botilbudskapaciteten. Socialdirektørforum"),
        # 2020 lines 1602/1603 (item 3.6 title)
        ("budget 2021 for Fæl-", "leskommunalt Socialsekretariat ", "budget 2021 for Fælleskommunalt Socialsekretariat "),
        # 2021 lines 808/810
        ("Sundhedssekretariat års-", "rapport 2020 og budget", "Sundhedssekretariat årsrapport 2020 og budget"),
        # 2020 lines 1089/1090 (item 3.4 title)
        ("for det specialise-", "rede social- og specialundervisningsområde ", "for det specialiserede social- og specialundervisningsområde "),
        # A real hyphen (compound, range, abbreviation) is kept.
        ("SOSU-", "uddannelserne", "SOSU-uddannelserne"),
        ("2024-", "2027", "2024-2027"),
        ("KKR-", "udpegede i regionale fora", "KKR-udpegede i regionale fora"),
        ("it-", "driftsenheder", "it-driftsenheder"),
        # 2025 lines 1144/1146
        ("skabe indblik i it-", "tilstanden og den kommunale", "skabe indblik i it-tilstanden og den kommunale"),
        # 2021 lines 786/788
        ("ansætte en HK-", "medarbejder i sundheds- og", "ansætte en HK-medarbejder i sundheds- og"),
        # A hyphen before a conjunction ("social- og") keeps its space.
        ("social-", "og sundhedsområdet", "social- og sundhedsområdet"),
        # 2021 lines 1340/1342
        ("Særligt social- ", "og sundhedsområdet og erhvervsudvikling", "Særligt social- og sundhedsområdet og erhvervsudvikling"),
    ],
)
def test_join_wrapped_hyphens(previous, following, expected):
    assert join_wrapped(previous, following) == expected


def test_join_wrapped_joins_plain_lines_with_one_space():
    # 2021 lines 232/234
    joined = join_wrapped("SDEO arbejder for de syddanske kommuner og Region Syddanmark med ", "afsæt i en resultatkontrakt.")

    assert joined == "SDEO arbejder for de syddanske kommuner og Region Syddanmark med afsæt i en resultatkontrakt."


# 2020 lines 1602-1632: item 3.6, whose title is hyphenated across the break.
ITEM_2020_3_6 = [
    "3.6. Årsrapport og regnskab for 2019 og budget 2021 for Fæl-",
    "leskommunalt Socialsekretariat ",
    "SAG-2020-03447 bel ",
    " Baggrund ",
    "Fælleskommunalt Socialsekretariat har udarbejdet en årsrapport for 2019. ",
    "Her ses en gennemgang af de opgaver sekretariatet har løst. Endvidere ",
    "fremgår årsregnskab for 2019. Der er ligeledes lavet et budgetforslag 2021 ",
    "med overslagsår. ",
    " ",
    "Socialdirektørforum og kommunaldirektørkredsen har på møder i august ",
    "2020 godkendt årsrapport 2019 og budget 2021 samt taget regnskab for ",
    "2019 til efterretning. KKR Syddanmark anbefales dermed at følge indstillin-",
    "gen. ",
    " ",
    "Indstilling ",
    "Det indstilles, at KKR Syddanmark godkender årsrapport 2019 og budget ",
    "2021 samt tager regnskab for 2019 til efterretning. ",
    " ",
    " ",
    "Sagsfremstilling ",
    "Årsrapport og regnskab for 2019 ",
    "./. Årsrapporten viser en række resultater, som Fælleskommunalt Socialsekre-",
    "tariat har opnået i 2019. Der er blandt andet lagt fokus på sekretariatsbetje-",
    "ning af Socialdirektørforum og økonomisk arbejdsgruppe og fælles projekter ",
    "med psykiatrien i Syddanmark. ",
    " ",
]


def test_hyphenated_title_repaired_in_synthetic_document(tmp_path):
    document = parse_file(write_doc(tmp_path, "referat.txt", ITEM_2020_3_6))

    assert [i.number for i in document.items] == ["3.6"]
    assert document.items[0].title == "Årsrapport og regnskab for 2019 og budget 2021 for Fælleskommunalt Socialsekretariat"
    assert paragraphs(document, "3.6", "Baggrund")[-1] == (
        "Socialdirektørforum og kommunaldirektørkredsen har på møder i august 2020 godkendt årsrapport 2019 "
        "og budget 2021 samt taget regnskab for 2019 til efterretning. KKR Syddanmark anbefales dermed at "
        "følge indstillingen."
    )


@pytest.mark.parametrize(
    ("number", "title"),
    [
        ("3.6", "Årsrapport og regnskab for 2019 og budget 2021 for Fælleskommunalt Socialsekretariat"),
        ("3.4", "Godkendelse af Rammeaftale 2021-2022 for det specialiserede social- og specialundervisningsområde"),
    ],
)
def test_hyphenated_titles_repaired_in_bundled_2020_file(corpus, number, title):
    assert item(corpus[FILE_2020], number).title == title


@pytest.mark.parametrize(
    ("name", "number", "section", "fragment"),
    [
        (FILE_2023_11, "2.3", "Baggrund", "til udvidelse af botilbudskapaciteten. Socialdirektørforum udarbejder"),
        (FILE_2021, "2.1", "Baggrund", "giver KKR-formandskabet og KKR-udpegede i regionale fora"),
        (FILE_2021, "4.1", "Sagsfremstilling", "Særligt social- og sundhedsområdet og erhvervsudvikling"),
        (FILE_2025, "2.8", "Sagsfremstilling", "Det skal skabe indblik i it-tilstanden og den kommunale forskellighed"),
        (FILE_2021, "3.5", "Sagsfremstilling", "ansætte en HK-medarbejder i sundheds- og socialsekretariatet"),
        (FILE_2021, "3.5", "Sagsfremstilling", "fire AC-medarbejdere i sekretariaterne løser på nuværende tidspunkt"),
    ],
)
def test_hyphens_in_bundled_text(corpus, name, number, section, fragment):
    assert any(fragment in p for p in paragraphs(corpus[name], number, section))


def test_url_wrapped_after_hyphen_keeps_hyphen(corpus):
    # 2021 lines 28-30: "https://www.kl.dk/politik/kkr/kkr-syddanmark/moededatoer-dagsordener-og-" / "referater/ ".
    # The link is printed unbroken at line 57, so the hyphen is part of the address.
    baggrund = " ".join(paragraphs(corpus[FILE_2021], "1.1", "Baggrund"))

    assert "https://www.kl.dk/politik/kkr/kkr-syddanmark/moededatoer-dagsordener-og-referater/" in baggrund


# --- Whitespace, paragraphs, bullets ---------------------------------------------------------


def test_clean_inline_normalises_whitespace():
    assert clean_inline("kes yderligere.    ") == "kes yderligere."
    assert clean_inline(" Baggrund ") == "Baggrund"
    assert clean_inline("Det\tfastsatte\u00a0medlemskontingent  er") == "Det fastsatte medlemskontingent er"


def test_clean_inline_drops_soft_hyphen():
    assert clean_inline("botilbuds\u00adkapaciteten") == "botilbudskapaciteten"


def test_every_bundled_paragraph_is_normalised(corpus):
    for document in corpus.values():
        for agenda_item in document.items:
            for section in agenda_item.sections:
                for paragraph in section.paragraphs:
                    assert paragraph == paragraph.strip(), (document.source, agenda_item.number, paragraph)
                    assert "  " not in paragraph, (document.source, agenda_item.number, paragraph)
                    assert "\t" not in paragraph and "\n" not in paragraph and "\u00a0" not in paragraph


# 2021 item 3.1's Baggrund (lines 216-262, in EXCERPT_2021_3_1 of tests.helpers): four paragraphs.
BAGGRUND_2021_3_1 = [
    ("Det syddanske EU-kontor SDEO har til formål at medvirke til en regional udvikling, hvor øget "
    "internationalt fokus og øget deltagelse i internationale projekter samt netværk skal medføre projekter "
    "og initiativer, der fremmer udviklingen i såvel den private som offentlige sektor. SDEO har derudover "
    "arbejdet med at omstille organisationen som følge af ændringerne i erhvervsfremmesystemet."),
    ("SDEO arbejder for de syddanske kommuner og Region Syddanmark med afsæt i en resultatkontrakt. "
    "Resultatkontrakten præciserer arten og omfanget af opgaverne, som skal være til gavn for en åben kreds "
    "af virksomheder og institutioner i Syddanmark. Den nuværende kontrakt omfatter perioden juli 2020 til "
    "udgangen af 2021. Det fastsatte medlemskontingent er i 2020 på 4.753.564 kr. for kommunerne samlet set "
    "og det samme for Region Syddanmark."),
    ("Region Syddanmark skal drøfte engagementet i EU i forbindelse med budgetforhandlingerne og har i den "
    "forbindelse ønsket en statusevaluering. Parterne omkring SDEO har derfor udarbejdet en kort "
    "statusevaluering, der viser en bred tilfredshed med kontorets arbejde, der med justeringer kan styrkes "
    "yderligere."),
    "Direktør Rasmus Anker-Møller giver et oplæg om status for SDEO`s arbejde nu og fremadrettet.",
]


def test_paragraphs_kept_and_wrapped_lines_joined(tmp_path):
    document = parse_file(write_doc(tmp_path, "referat.txt", EXCERPT_2021_3_1))

    assert paragraphs(document, "3.1", "Baggrund") == BAGGRUND_2021_3_1
    assert paragraphs(document, "3.1", "Beslutning") == [
        "Direktør Rasmus Anker-Møller gav en status for arbejdet i EU-kontoret det seneste år. Se vedhæftede slides.",
        "KKR Syddanmark tog orienteringen til efterretning.",
    ]


def test_paragraphs_kept_in_bundled_2021_item(corpus):
    assert paragraphs(corpus[FILE_2021], "3.1", "Baggrund") == BAGGRUND_2021_3_1


# 2021 lines 1472-1499: an en-dash bullet list after a lead-in line.
ITEM_2021_5_1 = [
    "5.1. Punkter til næste møde i KKR Syddanmark den 31. august ",
    "2021 ",
    "SAG-2021-02179 bel ",
    " ",
    "Baggrund ",
    "Næste møde i KKR Syddanmark er den 31. august 2021. ",
    " ",
    "Der forventes følgende punkter til mødet: ",
    "– Børnehus Syd ",
    "– Region Syddanmarks akutplan ",
    "– Ny regional aftale for intravenøs behandling ",
    "– Sundhedsaftalesamarbejdet.  ",
    " ",
    "Indstilling ",
    "Det indstilles, at KKR Syddanmark drøfter punkter/temaer til næste møde. ",
]


def test_en_dash_bullets_kept_one_paragraph_each(tmp_path):
    document = parse_file(write_doc(tmp_path, "referat.txt", ITEM_2021_5_1))

    assert paragraphs(document, "5.1", "Baggrund") == [
        "Næste møde i KKR Syddanmark er den 31. august 2021.",
        "Der forventes følgende punkter til mødet:",
        "– Børnehus Syd",
        "– Region Syddanmarks akutplan",
        "– Ny regional aftale for intravenøs behandling",
        "– Sundhedsaftalesamarbejdet.",
    ]


def test_wrapped_bullets_joined_in_bundled_2021_item(corpus):
    # 2021 lines 82-88: "– Sundhedskoordinationsudvalget SKU ved Karsten Meyer Olesen, Aaben-" / "raa Kommune ".
    baggrund = paragraphs(corpus[FILE_2021], "2.1", "Baggrund")

    assert baggrund[2:4] == [
        "– Sundhedskoordinationsudvalget SKU ved Karsten Meyer Olesen, Aabenraa Kommune",
        "– Praksisplanudvalget PPU ved Karsten Meyer Olesen, Aabenraa Kommune",
    ]
    assert len([p for p in baggrund if p.startswith("– ")]) == 10


def test_hyphen_bullets_written_as_en_dash(corpus):
    # 2023-11-21 lines 178-182: "- om man kan udskyde valg af uddannelsesretning,"
    sagsfremstilling = paragraphs(corpus[FILE_2023_11], "2.2", "Sagsfremstilling")

    assert sagsfremstilling[-5:] == [
        "– om man kan udskyde valg af uddannelsesretning,",
        "– om praktikken kan fremrykkes fra 4.semester på socialrådgiveruddannelsen,",
        "– om de studerende på socialrådgiveruddannelsen kan få studiejob i kommunerne,",
        "– om UC'erne kan blive bedre til at give merit og",
        "– om der kan skabes bedre brobygningsaktiviteter med gymnasier og folkeskoler.",
    ]


@pytest.mark.parametrize("marker", ["–", "-", "•"])
def test_bullet_markers_normalised_to_en_dash(marker):
    # The text of 2021 line 1487; the corpus has no "•" bullets, PDFs do.
    assert normalise_bullet(f"{marker} Børnehus Syd") == "– Børnehus Syd"


def test_bullet_dot_list_assembled_like_en_dash_list():
    lines = [
        Line("Der forventes følgende punkter til mødet: "),
        Line("• Børnehus Syd "),
        Line("• Region Syddanmarks akutplan "),
    ]

    assert [text for text, _ in assemble_paragraphs(lines, short_line=40)] == [
        "Der forventes følgende punkter til mødet:",
        "– Børnehus Syd",
        "– Region Syddanmarks akutplan",
    ]


def test_hyphenated_word_is_not_a_bullet():
    assert normalise_bullet("KKR-udpegede i regionale fora") == "KKR-udpegede i regionale fora"
    assert normalise_bullet("-------------- --") == "-------------- --"


# --- Markdown links and bilag markers ---------------------------------------------------------


def test_markdown_link_keeps_link_text():
    # 2023-11-21 line 93
    assert clean_inline("[Referat fra møde den 4. september](#)") == "Referat fra møde den 4. september"


def test_markdown_link_in_bundled_2023_11_item(corpus):
    assert paragraphs(corpus[FILE_2023_11], "1.1", "Baggrund") == [
        "Referat fra møde i KKR Syddanmark den 4. september 2023 kan ses her:",
        "Referat fra møde den 4. september",
    ]


def test_no_markdown_link_markup_left_in_bundled_files(corpus):
    for document in corpus.values():
        for agenda_item in document.items:
            for section in agenda_item.sections:
                assert "](" not in section.text, (document.source, agenda_item.number)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("./. Efterfølgende er Socialtilsyn Syd blevet orienteret om drøftelsen samtidig ",
         "Efterfølgende er Socialtilsyn Syd blevet orienteret om drøftelsen samtidig"),
        (" ./. Regnskabet for 2020 viser et overskud på 310.283 kr. Overskuddet skyldes ",
         "Regnskabet for 2020 viser et overskud på 310.283 kr. Overskuddet skyldes"),
        ("./.. Socialdirektørforum er medunderskrivere på et brev til Socialstyrelsen vedr. ",
         "Socialdirektørforum er medunderskrivere på et brev til Socialstyrelsen vedr."),
    ],
)
def test_bilag_marker_removed(line, expected):
    assert clean_inline(line) == expected


def test_bilag_marker_removed_in_synthetic_document(tmp_path):
    document = parse_file(write_doc(tmp_path, "referat.txt", ITEM_2020_3_6))

    assert paragraphs(document, "3.6", "Sagsfremstilling") == [
        "Årsrapport og regnskab for 2019",
        ("Årsrapporten viser en række resultater, som Fælleskommunalt Socialsekretariat har opnået i 2019. "
        "Der er blandt andet lagt fokus på sekretariatsbetjening af Socialdirektørforum og økonomisk "
        "arbejdsgruppe og fælles projekter med psykiatrien i Syddanmark."),
    ]


def test_bilag_markers_removed_in_bundled_2020_file(corpus):
    document = corpus[FILE_2020]

    assert paragraphs(document, "2.2", "Baggrund")[1].startswith(
        "Efterfølgende er Socialtilsyn Syd blevet orienteret om drøftelsen samtidig med"
    )
    for agenda_item in document.items:
        for section in agenda_item.sections:
            assert "./." not in section.text, (agenda_item.number, section.name)


def test_bilag_marker_bullet_does_not_survive_in_2023_11_decision(corpus):
    # 2023-11-21 lines 184-188: "Beslutning" / "- ./." / "- Rektorerne for UCL og UCSYD, ..."
    # A bullet holding nothing but the bilag marker is no text.
    beslutning = paragraphs(corpus[FILE_2023_11], "2.2", "Beslutning")

    assert all("./." not in p for p in beslutning), beslutning[:2]
    assert beslutning[0].startswith("– Rektorerne for UCL og UCSYD")
