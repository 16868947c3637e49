"""Agenda-item splitting (index.agenda): what becomes an item, and the lines that must not.

Each trap is pinned twice: in a small document built from the corpus's own
lines (written to ``tmp_path``, no manifest) and in the bundled file it comes
from. Snippets keep the source's trailing spaces and whitespace-only lines
(the extractor's paragraph gaps); the empty separator lines are left out, as
the parser ignores them.
"""

from __future__ import annotations

import pytest

from index.agenda import split_document
from index.parsing import parse_file
from index.schema import Line
from tests.helpers import (
    ALL_FILES,
    BESLUTNING_2021_3_1,
    FILE_2020,
    FILE_2021,
    FILE_2023_02,
    FILE_2023_11,
    FILE_2025,
    GROUP_HEADING_2021_3,
    HEADING_2021_3_1,
    HEADING_2021_3_2,
    all_text,
    item,
    numbers,
    paragraphs,
    write_doc,
)

# --- Items, case lines, sections --------------------------------------------------------


def test_item_heading_case_line_and_sections():
    lines = [
        Line("2.3. Botilbudskapacitet og lånepulje"),
        Line("SAG-2023-04719 anjh"),
        Line("Baggrund"),
        Line("I sagen gives en status på Socialdirektørforums arbejde med den kommunale botilbudskapacitet i Syddanmark."),
        Line("Indstilling"),
        Line("Det indstilles, at KKR Syddanmark beslutter, at"),
        Line("Beslutning"),
        Line("KKR Syddanmark tog orienteringen til efterretning."),
    ]

    items, participants = split_document(lines)

    assert [(i.number, i.title, i.case_number) for i in items] == [
        ("2.3", "Botilbudskapacitet og lånepulje", "SAG-2023-04719")
    ]
    assert [s.name for s in items[0].sections] == ["Baggrund", "Indstilling", "Beslutning"]
    assert participants == {}


def test_case_initials_are_not_text(corpus):
    document = corpus[FILE_2023_11]
    agenda_item = item(document, "2.3")

    assert agenda_item.case_number == "SAG-2023-04719"
    assert "anjh" not in agenda_item.title
    assert "SAG-" not in all_text(document)


def test_sections_in_document_order(corpus):
    assert [s.name for s in item(corpus[FILE_2023_11], "2.3").sections] == [
        "Baggrund", "Indstilling", "Sagsfremstilling", "Beslutning",
    ]
    assert [s.name for s in item(corpus[FILE_2023_02], "2.2").sections] == ["Baggrund", "Indstilling"]


def test_item_numbers_unique_and_increasing(corpus):
    for document in corpus.values():
        keys = [tuple(int(part) for part in i.number.split(".")) for i in document.items]
        assert keys == sorted(set(keys)), document.source


# --- Table of contents (2023-11-21) -------------------------------------------------------

# 2023-11-21 lines 21-119 (excerpt): the table of contents (title, tab, page number), the
# participants, and the first two items. The contents spell "Temarække"; the
# item's own heading spells "Tamarække".
TOC_2023_11 = [
    "Deltagerfortegnelse.....\t3",
    "1. Godkendelse af referat\t4",
    "1.1. Godkendelse af referat fra mødet den 4. september 2023\t4",
    "2. Regionalpolitiske sager\t5",
    "2.1. Temarække i KKR – fremtidens velfærd / samfundskontrakten\t5",
    "2.2. Status på arbejdet i partnerskabet mellem KKR Syddanmark, UC SYD og UC Lillebælt\t6",
    "2.3. Botilbudskapacitet og lånepulje\t8",
    "2.4. Forlængelse af resultatkontrakt med SDEO\t12",
    "2.5. Fremtidig placering af de to fælleskommunale sekretariater\t13",
    "2.6. Besparelser i de fælleskommunale sekretariater\t15",
    "3. Siden sidst.....\t17",
    "3.1. Siden sidst.....\t17",
    "3.2. Status på samarbejdsprogrammet med fokus på regelforenkling og tilsynsområdet\t18",
    "4. Udpegninger\t21",
    "4.1. Bestyrelsen for FGU Danmark\t21",
    "4.2. Samarbejdsudvalg for almen praksis\t21",
    "5. Punkter til næste møde\t23",
    "5.1. Punkter til næste møde i KKR Syddanmark\t23",
    "6. Eventuelt.....\t24",
    "6.1. Eventuelt\t24",
    "",
    "Deltagerfortegnelse",
    "",
    "Deltagere",
    "",
    "Knud Erik Langhoff (C) Kolding",
    "Frank Schmidt-Hansen (C) Vejen",
    "",
    "Afbud",
    "",
    "Jakob Lykke (A) Esbjerg",
    "",
    "1. Godkendelse af referat",
    "",
    "1.1. Godkendelse af referat fra mødet den 4. september 2023",
    "",
    "SAG-2023-04719 bel",
    "",
    "Baggrund",
    "",
    "Referat fra møde i KKR Syddanmark den 4. september 2023 kan ses her:",
    "",
    "[Referat fra møde den 4. september](#)",
    "",
    "Indstilling",
    "",
    "Det indstilles, at KKR Syddanmark godkender referatet fra mødet den 4. september 2023.",
    "",
    "Beslutning",
    "",
    "KKR Syddanmark besluttede at godkende referatet.",
    "",
    "2. Regionalpolitiske sager",
    "",
    "2.1. Tamarække i KKR – fremtidens velfærd / samfundskontrakten",
    "",
    "SAG-2023-04719 snm/cata/bel",
    "",
    "Baggrund",
    "",
    ("På KL/KKR-formandskabsmødet den 26. oktober 2023 var der enighed om, at KKR er et udviklingsforum for "
    "disse drøftelser, aktuelt på mødet i november og videre i 2024."),
    "",
    "Indstilling",
    "",
    "Det indstilles at, KKR Syddanmark drøfter perspektiver på velfærdssamfundet.",
]


def test_table_of_contents_entries_are_not_items(tmp_path):
    document = parse_file(write_doc(tmp_path, "referat.txt", TOC_2023_11))

    assert numbers(document) == ["1.1", "2.1"]
    assert [i.title for i in document.items] == [
        "Godkendelse af referat fra mødet den 4. september 2023",
        "Tamarække i KKR – fremtidens velfærd / samfundskontrakten",
    ]
    assert [i.case_number for i in document.items] == ["SAG-2023-04719", "SAG-2023-04719"]
    assert paragraphs(document, "1.1", "Baggrund")[0] == (
        "Referat fra møde i KKR Syddanmark den 4. september 2023 kan ses her:"
    )


def test_table_of_contents_leaves_no_text_in_items(tmp_path):
    document = parse_file(write_doc(tmp_path, "referat.txt", TOC_2023_11))

    text = all_text(document)
    assert "Temarække" not in text
    assert "Deltagerfortegnelse" not in text
    assert "Knud Erik Langhoff" not in text
    assert "\t" not in text


def test_participants_found_after_table_of_contents(tmp_path):
    document = parse_file(write_doc(tmp_path, "referat.txt", TOC_2023_11))

    assert document.participants == {
        "Deltagere": ["Knud Erik Langhoff (C) Kolding", "Frank Schmidt-Hansen (C) Vejen"],
        "Afbud": ["Jakob Lykke (A) Esbjerg"],
    }


def test_bundled_2023_11_items_come_from_headings_not_contents(corpus):
    document = corpus[FILE_2023_11]

    assert numbers(document) == [
        "1.1", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "3.1", "3.2", "4.1", "4.2", "5.1", "6.1",
    ]
    assert item(document, "2.1").title == "Tamarække i KKR – fremtidens velfærd / samfundskontrakten"
    assert item(document, "3.1").title == "Siden sidst"
    assert item(document, "6.1").title == "Eventuelt"
    assert all(i.case_number == "SAG-2023-04719" for i in document.items)
    assert "\t" not in all_text(document)
    assert "Deltagerfortegnelse" not in all_text(document)


# --- Wrapped cross-reference "3.1." (2021-06-09 item 2.1) -----------------------------------

# 2021 lines 66-68, 126, 187-216: "Se i øvrigt under punkt" / "3.1. " wraps inside a bullet.
CROSS_REFERENCE_2021 = [
    "2.1. Siden sidst ",
    "SAG-2021-02179 bel ",
    " ",
    "Beslutning ",
    "– Syddansk EU-kontor ved Erik Buhl Nielsen, Varde Kommune: Det for-",
    "ventes, at der inden udgangen af måneden er landet en aftale med Regi-",
    "on Syddanmark om medfinansiering af kontoret. Se i øvrigt under punkt ",
    "3.1. ",
    "– Trafikselskabet FynBus ved Morten Andersen, Nordfyns Kommune: Der ",
    "er fokus på at opnå det samme passagerantal som før covid-19. ",
    "– Trafikselskabet Sydtrafik ved Søren Rishøj Jakobsen, Haderslev Kom-",
    "mune: Der er fokus på omstilling til grønt brændstof – særligt el. Der ar-",
    "bejdes ligeledes med at opnå samme passagertal som før covid-19. ",
    *GROUP_HEADING_2021_3,
    *HEADING_2021_3_1,
    "Baggrund ",
]


def test_wrapped_cross_reference_is_not_an_item(tmp_path):
    document = parse_file(write_doc(tmp_path, "referat.txt", CROSS_REFERENCE_2021))

    assert numbers(document) == ["2.1", "3.1"]
    assert item(document, "3.1").title == "Status for arbejdet i Syddansk EU-kontor"
    assert paragraphs(document, "2.1", "Beslutning") == [
        ("– Syddansk EU-kontor ved Erik Buhl Nielsen, Varde Kommune: Det forventes, at der inden udgangen af "
        "måneden er landet en aftale med Region Syddanmark om medfinansiering af kontoret. Se i øvrigt under "
        "punkt 3.1."),
        ("– Trafikselskabet FynBus ved Morten Andersen, Nordfyns Kommune: Der er fokus på at opnå det samme "
        "passagerantal som før covid-19."),
        ("– Trafikselskabet Sydtrafik ved Søren Rishøj Jakobsen, Haderslev Kommune: Der er fokus på omstilling "
        "til grønt brændstof – særligt el. Der arbejdes ligeledes med at opnå samme passagertal som før covid-19."),
    ]


def test_bundled_2021_cross_reference_stays_in_item_2_1(corpus):
    document = corpus[FILE_2021]

    assert numbers(document) == [
        "1.1", "2.1", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "4.1", "5.1", "6.1",
    ]
    assert any(
        p.endswith("Se i øvrigt under punkt 3.1.") for p in paragraphs(document, "2.1", "Beslutning")
    )
    assert item(document, "3.1").title == "Status for arbejdet i Syddansk EU-kontor"
    assert item(document, "3.1").case_number == "SAG-2021-02179"


# --- Numbered lists inside an item (2023-02-07 item 2.2) ------------------------------------

# 2023-02-07 lines 289-370 (excerpt).
NUMBERED_LIST_2023_02 = [
    "2.2. Udgiftsudviklingen på det specialiserede socialområde ",
    "SAG-2022-04990 lalm ",
    " ",
    "Baggrund ",
    "I 2021 har KKR Syddanmark løbende haft det specialiserede socialområde ",
    "på dagsordenen. KKR Syddanmark drøftede senest udfordringerne på mø-",
    "det i august 2021, hvor Socialdirektørforum blev bedt om at se nærmere på ",
    "området.  ",
    " ",
    "Socialdirektørforum nedsatte i november 2021 en arbejdsgruppe med det ",
    "formål at tegne modellen for, om muligt, at skabe det nødvendige data-",
    "grundlag for styrket viden om dels baggrunden for det fortsatte udgiftspres ",
    "på det specialiserede socialområde og dels om grundlag for fremtidige ",
    "handlingsmuligheder for at mindske presset.   ",
    "https://erhvervsfremmebestyrelsen.dk/virksomhedspanel",
    " Arbejdsgruppen har arbejdet i fire spor:  ",
    "1. Fælles dataunivers – gode og anvendelige data  ",
    "2. Analyse af udviklingen – hvorfor vokser udgifterne?  ",
    "3. Målrettet benchmarking  ",
    "4. Incitament struktur og incitament muligheder.  ",
    " ",
    "KL gik ind i arbejdet i samarbejde med KKR-sekretariatet for så vidt angår ",
    "sporene om fælles dataunivers og analyse af udviklingen.  ",
    " ",
    "Indstilling ",
    "Det indstilles, at KKR Syddanmark drøfter sagen med afsæt i oplægget. ",
    "      ",
    " ",
    "2.3. Regeringsgrundlaget – initiativer på beskæftigelsesområdet ",
    "SAG-2022-04990 libl / lalm ",
]

FOUR_TRACKS = [
    "1. Fælles dataunivers – gode og anvendelige data",
    "2. Analyse af udviklingen – hvorfor vokser udgifterne?",
    "3. Målrettet benchmarking",
    "4. Incitament struktur og incitament muligheder.",
]


def test_numbered_list_stays_in_its_item(tmp_path):
    document = parse_file(write_doc(tmp_path, "dagsorden.txt", NUMBERED_LIST_2023_02))

    assert numbers(document) == ["2.2", "2.3"]
    baggrund = paragraphs(document, "2.2", "Baggrund")
    start = baggrund.index(FOUR_TRACKS[0])
    assert baggrund[start:start + 4] == FOUR_TRACKS
    assert baggrund[start + 4] == (
        "KL gik ind i arbejdet i samarbejde med KKR-sekretariatet for så vidt angår sporene om fælles "
        "dataunivers og analyse af udviklingen."
    )
    assert paragraphs(document, "2.2", "Indstilling") == [
        "Det indstilles, at KKR Syddanmark drøfter sagen med afsæt i oplægget."
    ]


def test_bundled_2023_02_numbered_list_stays_in_item_2_2(corpus):
    document = corpus[FILE_2023_02]

    assert numbers(document) == ["1.1", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "3.1", "4.1", "5.1"]
    baggrund = paragraphs(document, "2.2", "Baggrund")
    start = baggrund.index(FOUR_TRACKS[0])
    assert baggrund[start:start + 4] == FOUR_TRACKS


# Numbered-list entries in the bundled files, each a paragraph of its own
# (checked with the year lines below, by test_bundled_paragraphs_kept_whole).
NUMBERED_LIST_ENTRIES = [
    (FILE_2020, "3.4", "Sagsfremstilling", "1. Tværsektoriel kobling til andre sektorområder"),
    (FILE_2020, "3.5", "Baggrund", "2. Borgere med udviklingshæmning og dom med behov for anbringelse i sikret afdeling"),
    (FILE_2021, "3.2", "Sagsfremstilling", "1. Afdækning af det specialiserede socialområde"),
    (FILE_2021, "3.8", "Sagsfremstilling", "2. Koordinere samarbejdet omkring DK2020"),
    (FILE_2023_02, "2.7", "Sagsfremstilling",
     ("2. Forslag til fremadrettede indsatsmodeller: Hvilke løsninger ser kommunerne på tilrettelæggelsen af "
     "fremadrettede højt specialiserede, koordinerede og helhedsorienterede indsatskonstruktioner – med "
     "inddragelse af elementer af døgnbehandling – for målgruppen.")),
]


# --- Wrapped lines starting with a year or an amount ---------------------------------------

# 2023-02-07 lines 649-651, 851-881: "efter sommer" / "2023. Der arbejdes ...".
YEAR_LINE_2023_02 = [
    "2.5. DK2030 Syddansk klimasamarbejde ",
    "SAG-2022-04990 bel ",
    " ",
    "Sagsfremstilling ",
    "Ændring af plan for fejring ",
    "På mødet i KKR Syddanmark den 21. november 2022 blev der orienteret om ",
    "en plan for fejring af kommunerne den 20. marts 2023. Det er imidlertid æn-",
    "dret – primært fordi alle kommuner først forventes certificeret efter sommer ",
    "2023. Der arbejdes nu med overvejelse om en markering i efteråret 2023 af, ",
    "at alle syddanske kommuner er C40 certificerede.   ",
    " ",
    "./. Bemærk at der den 25. september 2023 afholdes en DK2020-konference i ",
    "Tivoli Hotel og Congres Center. Dagsorden for konferencen meldes ud fra ",
    "det nationale sekretariat senere. ’Save the date’-udmelding er vedhæftet, ",
    "heri findes også et tilmeldingslink. Kommunerne kan hver deltage med fire til ",
    "fem deltagere. ",
    " ",
    " ",
    "2.6. Styrkelse af det fælleskommunale sundhedssamarbejde ",
    "SAG-2022-04990 bel ",
]

FEJRING = (
    "På mødet i KKR Syddanmark den 21. november 2022 blev der orienteret om en plan for fejring af kommunerne "
    "den 20. marts 2023. Det er imidlertid ændret – primært fordi alle kommuner først forventes certificeret "
    "efter sommer 2023. Der arbejdes nu med overvejelse om en markering i efteråret 2023 af, at alle syddanske "
    "kommuner er C40 certificerede."
)


def test_wrapped_year_line_continues_its_paragraph(tmp_path):
    document = parse_file(write_doc(tmp_path, "dagsorden.txt", YEAR_LINE_2023_02))

    assert numbers(document) == ["2.5", "2.6"]
    assert paragraphs(document, "2.5", "Sagsfremstilling") == [
        "Ændring af plan for fejring",
        FEJRING,
        ("Bemærk at der den 25. september 2023 afholdes en DK2020-konference i Tivoli Hotel og Congres Center. "
        "Dagsorden for konferencen meldes ud fra det nationale sekretariat senere. ’Save the date’-udmelding er "
        "vedhæftet, heri findes også et tilmeldingslink. Kommunerne kan hver deltage med fire til fem deltagere."),
    ]


# Paragraphs in the bundled files with a wrapped line that starts with a year.
YEAR_LINE_PARAGRAPHS = [
    (FILE_2023_02, "2.5", "Sagsfremstilling", FEJRING),
    # 2025 lines 50-52: "... d. 17. juni" / "2025."
    (FILE_2025, "1.1", "Indstilling", "Det indstilles, at KKR Syddanmark godkender referatet fra mødet d. 17. juni 2025."),
    # 2025 lines 594-598: "... den 20. august" / "2025."
    (FILE_2025, "2.4", "Sagsfremstilling",
     ("Årsrapport og regnskab 2024 og budget 2026 for Fælleskommunalt Klimasekretariat er godkendt på møde i "
     "Kommunaldirektørkredsen den 20. august 2025.")),
]


@pytest.mark.parametrize(("name", "number", "section", "paragraph"), [*NUMBERED_LIST_ENTRIES, *YEAR_LINE_PARAGRAPHS])
def test_bundled_paragraphs_kept_whole(corpus, name, number, section, paragraph):
    """A numbered-list entry, or a paragraph whose wrapped line starts with a year, is one whole paragraph."""
    assert paragraph in paragraphs(corpus[name], number, section)


# 2025 lines 508-615 (excerpt): item 2.4, with "184.000 kr.) er overført til 2025." wrapped
# from the line before, and the heading of item 2.5.
AMOUNT_LINE_2025 = [
    "2.4. Det fælleskommunale klimasekretariats regnskab og års-",
    "rapport for 2024 samt budget for 2026 ",
    "SAG-2025-03188 mlal ",
    " ",
    "Baggrund ",
    "Fælleskommunalt Klimasekretariat har udarbejdet et årsregnskab for 2024, ",
    "et forslag til budget 2026 og en årsrapport for 2024. Årsrapporten indeholder ",
    "en kort gennemgang af nogle af de væsentligste opgaver, som sekretariatet ",
    "har løst i 2024. ",
    " ",
    "Indstilling ",
    "Det indstilles, at KKR Syddanmark godkender årsrapport for 2024, regnskab ",
    "for 2024 samt budget for 2026. ",
    " ",
    "Sagsfremstilling ",
    "Regnskabet 2024 ",
    "./. Regnskabet udviser et overskud på 183.746 kr. Overskuddet (oprundet til ",
    "184.000 kr.) er overført til 2025. ",
    " ",
    "Budget 2026 ",
    "Forslag til budget for 2026 bygger på regnskab 2024, budgettet for 2025, ",
    "samt de forventede udgifter i 2025. I 2025 forventes et overskud på ca. ",
    "60.000 kr. Det betyder, at der forventes et samlet overskud inklusive over-",
    "førsel fra tidligere år på minimum 244.000. Et akkumuleret overskud for ",
    "2025 vil blive overført til 2026. Opsparet overskud skal bl.a. dække barsler,  ",
    "sygefravær etc. ",
    " ",
    "Beslutning ",
    "KKR Syddanmark godkendte indstillingen. ",
    " ",
    " ",
    "  ",
    "2.5. Det fælleskommunale socialsekretariats regnskab og års-",
    "rapport 2024 samt budget 2026 ",
    "SAG-2025-03188 anjh ",
]

OVERSKUD_184 = "Regnskabet udviser et overskud på 183.746 kr. Overskuddet (oprundet til 184.000 kr.) er overført til 2025."


def test_wrapped_amount_line_is_not_an_item(tmp_path):
    document = parse_file(write_doc(tmp_path, "referat.txt", AMOUNT_LINE_2025))

    assert numbers(document) == ["2.4", "2.5"]
    assert item(document, "2.4").title == "Det fælleskommunale klimasekretariats regnskab og årsrapport for 2024 samt budget for 2026"
    assert item(document, "2.5").title == "Det fælleskommunale socialsekretariats regnskab og årsrapport 2024 samt budget 2026"
    sagsfremstilling = paragraphs(document, "2.4", "Sagsfremstilling")
    assert sagsfremstilling[:2] == ["Regnskabet 2024", OVERSKUD_184]
    assert paragraphs(document, "2.4", "Beslutning") == ["KKR Syddanmark godkendte indstillingen."]


def test_bundled_amount_lines_continue_their_paragraph(corpus):
    assert OVERSKUD_184 in paragraphs(corpus[FILE_2025], "2.4", "Sagsfremstilling")
    assert any(
        "Det fastsatte medlemskontingent er i 2020 på 4.753.564 kr. for kommunerne samlet set og det samme for "
        "Region Syddanmark." in p
        for p in paragraphs(corpus[FILE_2021], "3.1", "Baggrund")
    )


def test_amount_wrapped_after_abbreviation_continues_its_sentence(corpus):
    # 2025 lines 569-571: "... I 2025 forventes et overskud på ca. " / "60.000 kr. Det betyder, ..."
    # "ca." ends an abbreviation, not the sentence: the amount belongs to it.
    sagsfremstilling = paragraphs(corpus[FILE_2025], "2.4", "Sagsfremstilling")

    split_after = [p[-45:] for p in sagsfremstilling if p.endswith("på ca.")]
    assert any("I 2025 forventes et overskud på ca. 60.000 kr. Det betyder, at der forventes" in p
               for p in sagsfremstilling), f"paragraph ends early: {split_after}"


# --- Group headings ------------------------------------------------------------------------

# 2020 lines 1981-2084 (excerpt): "5. KKR" has no items under it; "7.1. Eventuelt" ends the file.
GROUPS_2020 = [
    " 4. Udpegninger ",
    " ",
    " ",
    "4.1. Udpegning til koordinationsudvalg for regional udviklings-",
    "plan ",
    "SAG-2020-03447 bel ",
    " ",
    "Baggrund ",
    "Rådmand Jane Jegind (V), Odense, har besluttet stoppe sit politiske virke ",
    "den 31. august 2020. Det betyder, at KKR Syddanmark skal udpege et nyt ",
    "medlem til koordinationsudvalget for regional udviklingsplan.  ",
    " ",
    "Indstilling ",
    "Det indstilles, at KKR Syddanmark godkender udpegningen. ",
    " ",
    " ",
    "Beslutning ",
    "KKR Syddanmark godkendte, at byrådsmedlem Britta Bendix (V), Esbjerg, ",
    "udpeges til koordinationsudvalget for resten af indeværende valgperiode i ",
    "stedet for Jane Jegind.  ",
    " 5. KKR ",
    " 6. Punkter til næste møde ",
    " ",
    " ",
    "6.1. Punkter til næste møde i KKR Syddanmark den 11. novem-",
    "ber 2020 ",
    "SAG-2020-03447 suha ",
    " ",
    "Baggrund ",
    "Næste møde i KKR Syddanmark er den 11. november 2020. Mødet bliver ",
    "afholdt virtuelt. ",
    " ",
    "Sagsfremstilling ",
    "Følgende punkter forventes at blive drøftet: ",
    "– Tilbagemelding fra taskforce om rekruttering på social- og sundhedsom-",
    "rådet ",
    "– Psykiatriområdet ",
    "– National rammeaftale om Erhvervshusene. ",
    " ",
    "Beslutning ",
    "KKR Syddanmark havde ikke yderligere forslag til punkter til mødet i KKR ",
    "den 11. november 2020. ",
    " 7. Eventuelt ",
    " ",
    " ",
    "7.1. Eventuelt ",
]

BESLUTNING_2020_4_1 = (
    "KKR Syddanmark godkendte, at byrådsmedlem Britta Bendix (V), Esbjerg, udpeges til koordinationsudvalget "
    "for resten af indeværende valgperiode i stedet for Jane Jegind."
)


def test_group_headings_are_not_items_or_text(tmp_path):
    document = parse_file(write_doc(tmp_path, "referat.txt", GROUPS_2020))

    assert numbers(document) == ["4.1", "6.1", "7.1"]
    assert paragraphs(document, "4.1", "Beslutning") == [BESLUTNING_2020_4_1]
    assert paragraphs(document, "6.1", "Beslutning") == [
        "KKR Syddanmark havde ikke yderligere forslag til punkter til mødet i KKR den 11. november 2020."
    ]
    assert item(document, "6.1").title == "Punkter til næste møde i KKR Syddanmark den 11. november 2020"
    assert paragraphs(document, "6.1", "Sagsfremstilling")[1] == (
        "– Tilbagemelding fra taskforce om rekruttering på social- og sundhedsområdet"
    )
    text = all_text(document)
    for heading in ("Udpegninger", "5. KKR", "Punkter til næste møde\n", "7. Eventuelt"):
        assert heading not in text


def test_last_item_without_case_line_or_text(tmp_path):
    document = parse_file(write_doc(tmp_path, "referat.txt", GROUPS_2020))

    last = item(document, "7.1")
    assert (last.title, last.case_number) == ("Eventuelt", None)
    assert all(not s.text for s in last.sections)


def test_bundled_2020_group_headings(corpus):
    document = corpus[FILE_2020]

    assert numbers(document) == [
        "1.1", "2.1", "2.2", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9", "4.1", "6.1", "7.1",
    ]
    assert paragraphs(document, "4.1", "Beslutning") == [BESLUTNING_2020_4_1]


@pytest.mark.parametrize("name", ALL_FILES)
def test_no_group_heading_left_in_bundled_text(corpus, name):
    for agenda_item in corpus[name].items:
        for section in agenda_item.sections:
            for paragraph in section.paragraphs:
                assert paragraph not in {"2. Regionalpolitiske sager", "3. Regionalpolitiske sager", "5. KKR",
                                         "4. KKR", "2. Siden sidst", "4. Udpegninger", "Regionalpolitiske sager"}
                assert not paragraph.endswith("Regionalpolitiske sager"), (agenda_item.number, paragraph)


# --- Headings with leading spaces --------------------------------------------------------


def test_indented_heading_after_item_text(tmp_path):
    # 2021 lines 204-289 end with " 3.2. Status for det specialiserede socialområde ".
    lines = [
        *HEADING_2021_3_1,
        *BESLUTNING_2021_3_1,
        *HEADING_2021_3_2,
        " ",
        "Baggrund ",
        "Kommunerne er ansvarlige for at sætte retningen og sikre, at der er de rette ",
    ]

    document = parse_file(write_doc(tmp_path, "referat.txt", lines))

    assert [(i.number, i.title) for i in document.items] == [
        ("3.1", "Status for arbejdet i Syddansk EU-kontor"),
        ("3.2", "Status for det specialiserede socialområde"),
    ]
    assert paragraphs(document, "3.1", "Beslutning")[-1] == "KKR Syddanmark tog orienteringen til efterretning."


def test_indented_wrapped_heading(tmp_path):
    # 2023-02-07 lines 1041-1069.
    lines = [
        "2.6. Styrkelse af det fælleskommunale sundhedssamarbejde ",
        "SAG-2022-04990 bel ",
        " ",
        "Sagsfremstilling ",
        "Der regnes med 3 årsværk á 700.000 kr. Kommunebetalingen hæves kun ",
        "med 669.734 kr., da der tidligere har været et overskud indregnet i lønram-",
        "men. Når budgettet fremadrettet pris- og lønfremskrives, vil det ikke være ",
        "nødvendigt at regne med ekstra overskud. I lønrammen er der taget højde ",
        "for eventuelle lønstigninger, efteruddannelse og tjenestekørsel.  ",
        " 2.7. Indsatsmodeller for udsatte gravide med skadeligt rusmid-",
        "delforbrug ",
        "SAG-2022-04990 lalm ",
        " ",
        "Baggrund ",
        "Socialstyrelsen kan udmelde målgrupper og særlige indsatser, hvis de me-",
        "ner, at der er behov for øget koordination eller planlægning på tværs af ",
        "kommuner eller regioner for at sikre det fornødne udbud af højt specialise-",
        "rede indsatser og tilbud.  ",
    ]

    document = parse_file(write_doc(tmp_path, "dagsorden.txt", lines))

    assert numbers(document) == ["2.6", "2.7"]
    assert item(document, "2.7").title == "Indsatsmodeller for udsatte gravide med skadeligt rusmiddelforbrug"
    assert item(document, "2.7").case_number == "SAG-2022-04990"
    assert paragraphs(document, "2.6", "Sagsfremstilling")[-1].endswith(
        "I lønrammen er der taget højde for eventuelle lønstigninger, efteruddannelse og tjenestekørsel."
    )


@pytest.mark.parametrize(
    ("name", "number", "title"),
    [
        (FILE_2021, "3.2", "Status for det specialiserede socialområde"),
        (FILE_2023_02, "2.7", "Indsatsmodeller for udsatte gravide med skadeligt rusmiddelforbrug"),
    ],
)
def test_bundled_indented_headings(corpus, name, number, title):
    agenda_item = item(corpus[name], number)

    assert agenda_item.title == title
    assert agenda_item.section("Baggrund") is not None
