"""Meeting-level facts (index.metadata): date, document type and participants.

Date precedence: manifest.csv beside the file, then the header
"Dato: 21-11-2023 10:00", then the running footer "| 07-02-2023", then an ISO
date in the file name, else None; a date is never guessed. Bundled files are
copied into ``tmp_path`` (with or without a manifest of the test's own) so
each rule is seen on its own.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from index.parsing import parse_file
from settings import get_settings
from tests.helpers import CORPUS, FILE_2020, FILE_2021, FILE_2023_02, FILE_2023_11, FILE_2025, write_doc

MANIFEST_HEADER = "file,committee,meeting_date,doc_type,date_evidence"


def copy_from_corpus(directory: Path, name: str, as_name: str | None = None) -> Path:
    target = directory / (as_name or name)
    shutil.copyfile(CORPUS / name, target)
    return target


def write_manifest(directory: Path, *rows: str) -> None:
    (directory / "manifest.csv").write_text("\n".join([MANIFEST_HEADER, *rows]) + "\n", encoding="utf-8")


# 2023-11-21 lines 85-101: one whole item of minutes.
ITEM_2023_11_1_1 = [
    "1.1. Godkendelse af referat fra mødet den 4. september 2023",
    "SAG-2023-04719 bel",
    "Baggrund",
    "Referat fra møde i KKR Syddanmark den 4. september 2023 kan ses her:",
    "[Referat fra møde den 4. september](#)",
    "Indstilling",
    "Det indstilles, at KKR Syddanmark godkender referatet fra mødet den 4. september 2023.",
    "Beslutning",
    "KKR Syddanmark besluttede at godkende referatet.",
]
# 2023-11-21 lines 5-11: the front page of the minutes.
HEADER_2023_11 = [
    "REFERAT 2023",
    "KKR SYDDANMARK",
    "Dato: 21-11-2023 10:00",
    "Sted: Severin, Skovsvinget 25, 5500 Middelfart",
]
# 2023-02-07 line 835: the running footer.
FOOTER_2023_02 = "KKR Syddanmark  | 07-02-2023 "


# --- Meeting date ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "meeting_date"),
    [
        (FILE_2020, date(2020, 9, 8)),
        (FILE_2021, date(2021, 6, 9)),
        (FILE_2023_02, date(2023, 2, 7)),
        (FILE_2023_11, date(2023, 11, 21)),
        (FILE_2025, None),
    ],
)
def test_bundled_dates_come_from_manifest(corpus, name, meeting_date):
    document = corpus[name]

    assert document.meeting_date == meeting_date
    assert document.date_evidence.startswith("manifest.csv")


def test_manifest_wins_over_header_and_file_name(tmp_path):
    copy_from_corpus(tmp_path, FILE_2023_11)
    write_manifest(tmp_path, f"{FILE_2023_11},KKR Syddanmark,2023-11-20,referat,rettet i manifestet")

    document = parse_file(tmp_path / FILE_2023_11)

    assert document.meeting_date == date(2023, 11, 20)


def test_manifest_empty_date_stays_none_despite_file_name(tmp_path):
    copy_from_corpus(tmp_path, FILE_2020)
    write_manifest(tmp_path, f"{FILE_2020},KKR Syddanmark,,referat,ukendt")

    assert parse_file(tmp_path / FILE_2020).meeting_date is None


def test_manifest_row_for_other_file_does_not_apply(tmp_path):
    copy_from_corpus(tmp_path, FILE_2021)
    write_manifest(tmp_path, f"{FILE_2020},KKR Syddanmark,2020-09-08,referat,andet møde")

    assert parse_file(tmp_path / FILE_2021).meeting_date == date(2021, 6, 9)


def test_header_date_without_manifest(tmp_path):
    document = parse_file(copy_from_corpus(tmp_path, FILE_2023_11, "referat.txt"))

    assert document.meeting_date == date(2023, 11, 21)
    assert "Dato: 21-11-2023" in document.date_evidence


def test_header_date_wins_over_file_name(tmp_path):
    document = parse_file(copy_from_corpus(tmp_path, FILE_2023_11, "kkr-syddanmark-2023-11-20-referat.txt"))

    assert document.meeting_date == date(2023, 11, 21)


def test_header_date_wins_over_footer(tmp_path):
    lines = [*HEADER_2023_11, FOOTER_2023_02, *ITEM_2023_11_1_1]

    assert parse_file(write_doc(tmp_path, "referat.txt", lines)).meeting_date == date(2023, 11, 21)


@pytest.mark.parametrize(
    ("name", "meeting_date"),
    [(FILE_2023_02, date(2023, 2, 7)), (FILE_2021, date(2021, 6, 9))],
)
def test_footer_date_without_manifest(tmp_path, name, meeting_date):
    document = parse_file(copy_from_corpus(tmp_path, name, "mødedokument.txt"))

    assert document.meeting_date == meeting_date
    assert document.date_evidence.startswith("page footer")


def test_footer_date_wins_over_file_name(tmp_path):
    document = parse_file(copy_from_corpus(tmp_path, FILE_2021, "kkr-syddanmark-2021-06-10-referat.txt"))

    assert document.meeting_date == date(2021, 6, 9)


def test_file_name_date_when_text_has_none(tmp_path):
    # The 2020 minutes print no date header and no footer.
    document = parse_file(copy_from_corpus(tmp_path, FILE_2020))

    assert document.meeting_date == date(2020, 9, 8)
    assert document.date_evidence == "file name"


def test_no_date_anywhere_stays_none(tmp_path):
    document = parse_file(copy_from_corpus(tmp_path, FILE_2025))

    assert document.meeting_date is None
    assert document.date_evidence.startswith("unknown")


def test_no_date_in_text_or_plain_file_name_stays_none(tmp_path):
    document = parse_file(copy_from_corpus(tmp_path, FILE_2020, "referat.txt"))

    assert document.meeting_date is None


def test_impossible_file_name_date_is_not_used(tmp_path):
    document = parse_file(copy_from_corpus(tmp_path, FILE_2020, "kkr-syddanmark-2020-13-45-referat.txt"))

    assert document.meeting_date is None


def test_impossible_header_date_is_not_used(tmp_path):
    lines = ["REFERAT 2023", "Dato: 31-02-2023 10:00", *ITEM_2023_11_1_1]

    assert parse_file(write_doc(tmp_path, "referat.txt", lines)).meeting_date is None


# --- Document type ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "doc_type"),
    [
        (FILE_2020, "referat"),
        (FILE_2021, "referat"),
        (FILE_2023_02, "dagsorden"),
        (FILE_2023_11, "referat"),
        (FILE_2025, "referat"),
    ],
)
def test_bundled_doc_types(corpus, name, doc_type):
    assert corpus[name].doc_type == doc_type


def test_manifest_doc_type_wins(tmp_path):
    copy_from_corpus(tmp_path, FILE_2021)
    write_manifest(tmp_path, f"{FILE_2021},KKR Syddanmark,2021-06-09,Dagsorden,")

    assert parse_file(tmp_path / FILE_2021).doc_type == "dagsorden"


def test_manifest_doc_type_wins_over_header(tmp_path):
    copy_from_corpus(tmp_path, FILE_2023_11)
    write_manifest(tmp_path, f"{FILE_2023_11},KKR Syddanmark,2023-11-21,dagsorden,")

    assert parse_file(tmp_path / FILE_2023_11).doc_type == "dagsorden"


def test_header_referat_without_manifest(tmp_path):
    assert parse_file(copy_from_corpus(tmp_path, FILE_2023_11, "møde.txt")).doc_type == "referat"


def test_header_wins_over_decisions(tmp_path):
    # The corpus has no agenda with a front page; "DAGSORDEN 2023" is written like "REFERAT 2023".
    lines = ["DAGSORDEN 2023", *HEADER_2023_11[1:], *ITEM_2023_11_1_1]

    assert parse_file(write_doc(tmp_path, "møde.txt", lines)).doc_type == "dagsorden"


def test_header_referat_without_decisions(tmp_path):
    lines = [*HEADER_2023_11, *ITEM_2023_11_1_1[:-2]]

    document = parse_file(write_doc(tmp_path, "møde.txt", lines))

    assert document.items[0].section("Beslutning") is None
    assert document.doc_type == "referat"


@pytest.mark.parametrize(
    ("name", "doc_type"),
    [(FILE_2023_02, "dagsorden"), (FILE_2021, "referat"), (FILE_2020, "referat")],
)
def test_doc_type_from_decisions_without_manifest_or_header(tmp_path, name, doc_type):
    assert parse_file(copy_from_corpus(tmp_path, name, "møde.txt")).doc_type == doc_type


def test_item_without_decision_makes_dagsorden(tmp_path):
    document = parse_file(write_doc(tmp_path, "møde.txt", ITEM_2023_11_1_1[:-2]))

    assert document.doc_type == "dagsorden"


def test_item_with_decision_makes_referat(tmp_path):
    assert parse_file(write_doc(tmp_path, "møde.txt", ITEM_2023_11_1_1)).doc_type == "referat"


# --- Committee ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [FILE_2020, FILE_2021, FILE_2023_02, FILE_2023_11, FILE_2025])
def test_bundled_committee(corpus, name):
    assert corpus[name].committee == "KKR Syddanmark"


NAMED_BODY = ["Referat", "Plan- og Boligudvalget", "mandag den 3. juni 2024 kl. 17:00",
              "1. Lokalplan for bymidten", "Sagsnr.: 24/1001", "Beslutning", "Lokalplanen blev vedtaget."]


def test_the_body_a_document_names_is_its_committee_not_the_default(tmp_path):
    document = parse_file(write_doc(tmp_path, "plan.txt", NAMED_BODY))
    assert document.committee == "Plan- og Boligudvalget" != get_settings().committee
    assert document.meeting_date == date(2024, 6, 3)


def test_a_labelled_committee_wins_over_a_body_named_on_a_line(tmp_path):
    lines = ["Sundhedsudvalget", "Udvalg: Social- og Sundhedsudvalget", *NAMED_BODY[2:]]
    assert parse_file(write_doc(tmp_path, "social.txt", lines)).committee == "Social- og Sundhedsudvalget"


def test_the_default_committee_applies_only_to_a_file_naming_none_without_a_manifest_row(tmp_path):
    unnamed = ["Referat", "Dato: 03.06.2024", *NAMED_BODY[3:]]
    assert parse_file(write_doc(tmp_path, "unavngivet.txt", unnamed)).committee == get_settings().committee
    (tmp_path / "manifest.csv").write_text(
        "file,committee,meeting_date,doc_type,date_evidence\nplan.txt,Byrådet,2024-06-03,referat,manifest\n",
        encoding="utf-8")
    assert parse_file(write_doc(tmp_path, "plan.txt", NAMED_BODY)).committee == "Byrådet"


# --- Participants (2023-11-21) ------------------------------------------------------------------

DELTAGERE_2023_11 = [
    "Knud Erik Langhoff (C) Kolding",
    "Frank Schmidt-Hansen (C) Vejen",
    "Anne Møllegaard Mortensen (O) Faaborg-Midtfyn",
    "Mads Sørensen (V) Varde",
    "Søren Steen Andersen (V) Assens",
    "Mads Skau (V) Haderslev",
    "Kirsten Lundgaard (Ø) Faaborg-Midtfyn",
    "Johannes Lundsryd Jensen (A) Middelfart",
    "Peter Hansted (A) Ærø",
    "Stephanie Storbak (V) Billund",
    "Jørgen Popp Petersen (S) Tønder",
    "Kasper Ejsing Olesen (A) Kerteminde",
    "Jens Ejner Christensen (V) Vejle",
    "Frank Jensen (B) Fanø",
    "Peter Rahbæk Juel (A) Odense",
    "Bo Hansen (A) Svendborg",
    "Steen Wrist (A) Fredericia",
    "Søren Windell (C) Odense",
    "Jonas René Jensen (D) Middelfart",
    "Erik Lauritzen (A) Sønderborg",
    "Søren Ramsing (B) Langeland",
    "Tonni Hansen (F) Langeland",
    "Jesper Frost Rasmussen (V) Esbjerg",
    "Lone Myrhøj (F) Vejle",
]
AFBUD_2023_11 = [
    "Jakob Lykke (A) Esbjerg",
    "Mette Landtved-Holm (V) Nordfyns",
    "Villy Søvnald (F) Kolding",
    "Jan Riber Jakobsen (C) Aabenraa",
    "Hans Stavnsager Rasmussen (A) Faaborg-Midtfyn",
    "Cecilie Roed Schultz (Ø) Fredericia",
    "Jan Køpke Christensen (D) Aabenraa",
    "Per Nyhus (O) Billund",
    "Kenneth Lundager Muhs (V) Nyborg",
]


def test_participants_are_meeting_data(corpus):
    participants = corpus[FILE_2023_11].participants

    assert list(participants) == ["Deltagere", "Afbud"]
    assert len(participants["Deltagere"]) == 24
    assert len(participants["Afbud"]) == 9
    assert participants["Deltagere"] == DELTAGERE_2023_11
    assert participants["Afbud"] == AFBUD_2023_11


def test_participants_are_not_item_text(corpus):
    document = corpus[FILE_2023_11]

    text = "\n".join(section.text for i in document.items for section in i.sections)
    assert "Knud Erik Langhoff" not in text
    assert "Kenneth Lundager Muhs" not in text
    assert "Afbud" not in text


@pytest.mark.parametrize("name", [FILE_2020, FILE_2021, FILE_2023_02, FILE_2025])
def test_files_without_participant_lists(corpus, name):
    assert corpus[name].participants == {}


def test_a_page_headed_dagsorden_whose_items_mostly_carry_decisions_is_minutes(tmp_path):
    items = [line for number, decided in ((1, True), (2, True), (3, False)) for line in (
        f"{number}. Punkt nummer {number}", f"Sagsnr.: 24/100{number}", "Resume", "Sagen forelægges udvalget.",
        *(["Beslutning", "Godkendt."] if decided else []))]
    closed = ["Dagsorden 3. juni 2024 kl. 17.00", "Udvalg: Plan- og Boligudvalget", *items]
    assert parse_file(write_doc(tmp_path, "lukket.txt", closed)).doc_type == "referat"
    open_agenda = [line for line in closed if line not in ("Beslutning", "Godkendt.")]
    assert parse_file(write_doc(tmp_path, "aaben.txt", open_agenda)).doc_type == "dagsorden"
