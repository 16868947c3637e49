"""Layouts chosen per document: FirstAgenda minutes and agendas, and the fallback for anything else.

Real PDFs written by tests/pdf_factory.py and parsed back, and small text
documents for the traps that need exact lines.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date

import pytest
from pypdf import PdfReader

from index.chunking import chunk_document
from index.parsing import parse_file
from tests.helpers import REPO, write_doc
from tests.pdf_factory import FIRSTAGENDA_ITEMS, FirstAgendaItem, write_firstagenda_pdf, write_no_items_pdf

FULL_TITLE_2 = "Svar på forslag fra DD om principbeslutning om at sikre Havnens fremtid som rekreativt område for borgerne"


@pytest.fixture(scope="module")
def minutes(tmp_path_factory):
    path = write_firstagenda_pdf(tmp_path_factory.mktemp("fa") / "Referat.pdf", FIRSTAGENDA_ITEMS)
    return parse_file(path)


def titles(document) -> dict[str, str]:
    return {item.number: item.title for item in document.items}


# --- FirstAgenda ----------------------------------------------------------------------------------


def test_firstagenda_minutes_give_every_item_with_its_full_title(minutes):
    assert minutes.layout == "punkter"
    assert titles(minutes) == {
        "1": "Godkendelse af dagsorden",
        "2": FULL_TITLE_2,  # wrapped over two lines on the item page and in the contents
        "3": "Bro mellem Dokk1 og Balticagade",
        "4": "Udbud af rengøring på kommunens skoler og daginstitutioner",  # cut on the item line
        "5": "Lukket: Køb af landbrugsejendom",
    }
    assert [item.case_number for item in minutes.items] == [
        "EMN-2025-000101", "EMN-2025-003383", "EMN-2025-004120", "EMN-2025-002211", None,
    ]


def test_firstagenda_meeting_facts_come_from_the_document(minutes):
    assert minutes.committee == "Aarhus Byråd"
    assert minutes.meeting_date == date(2025, 8, 27)
    assert "Mødedato" in minutes.date_evidence
    assert minutes.doc_type == "referat"


def test_table_of_contents_and_running_lines_stay_out_of_items(minutes):
    text = " ".join(section.text for item in minutes.items for section in item.sections)
    assert "....." not in text
    assert "Indholdsfortegnelse" not in text
    assert "REFERAT Aarhus Byråd" not in text
    assert "Side 3 af" not in text
    assert all("REFERAT" not in title for title in titles(minutes).values())


def test_firstagenda_sections_map_to_the_names_the_answerer_knows(minutes):
    item = next(i for i in minutes.items if i.number == "2")
    assert [s.name for s in item.sections] == [
        "Beslutning", "Beslutningsforslag", "Indstilling", "Resume", "Baggrund", "Sagsforløb",
    ]
    assert item.section("Beslutning").paragraphs[0].startswith("Forslaget blev forkastet med 19 stemmer mod 12.")
    # The party's proposal is not the decision; "Beslutningspunkter" joins the Indstilling.
    assert "Pier 4" not in item.section("Beslutning").text
    assert "At 1) forslaget om en principbeslutning forkastes." in item.section("Indstilling").paragraphs
    bridge = next(i for i in minutes.items if i.number == "3")
    assert [s.name for s in bridge.sections] == ["Beslutning", "Begrundelse"]


def test_sagsforloeb_keeps_earlier_treatments_and_their_dates(minutes):
    item = next(i for i in minutes.items if i.number == "2")
    assert item.section("Sagsforløb").paragraphs == [
        "Udvalg: Teknisk Udvalg · Dato: 26-03-2025 · Punktnummer: 21",
        "Udvalg: Magistraten · Dato: 05-05-2025 · Punktnummer: 7",
    ]
    assert item.history_dates == [date(2025, 3, 26), date(2025, 5, 5)]
    # "Punktnummer: 21" is an earlier meeting's item number, not an item of this document.
    assert "21" not in titles(minutes)
    chunk = next(c for c in chunk_document(minutes) if c.metadata["item"] == "2")
    assert chunk.metadata["history_dates"] == "2025-03-26,2025-05-05"
    assert chunk.metadata["layout"] == "punkter"
    assert chunk.metadata["committee"] == "Aarhus Byråd"


def test_closed_item_is_a_citable_place_without_text(minutes):
    closed = next(i for i in minutes.items if i.number == "5")
    assert closed.sections == []
    chunks = [c for c in chunk_document(minutes) if c.metadata["item"] == "5"]
    assert [c.metadata["section"] for c in chunks] == ["Titel"]
    assert chunks[0].text.startswith("Aarhus Byråd · referat 27.08.2025 · punkt 5 Lukket: Køb af landbrugsejendom")


def test_firstagenda_agenda_has_no_decisions_and_says_dagsorden(tmp_path):
    agenda_items = [
        FirstAgendaItem(1, "Bro mellem Dokk1 og Balticagade", "EMN-2025-004120", (
            ("INDSTILLING FRA BORGMESTERENS AFDELING", "Det indstilles, at anlægsbevillingen gives."),
        )),
        FirstAgendaItem(2, "Orientering om trafiksikkerhed ved skolerne", "EMN-2025-004121", (
            ("Resume", "Udvalget orienteres om de nye skolepatruljer."),
        )),
    ]
    path = write_firstagenda_pdf(tmp_path / "Dagsorden.pdf", agenda_items, committee="Teknisk Udvalg",
                                 meeting_date=date(2025, 9, 1), doc_type="DAGSORDEN")
    document = parse_file(path)
    assert document.layout == "punkter"
    assert (document.committee, document.meeting_date, document.doc_type) == (
        "Teknisk Udvalg", date(2025, 9, 1), "dagsorden")
    assert [i.number for i in document.items] == ["1", "2"]
    assert all(item.section("Beslutning") is None for item in document.items)


def test_date_from_the_first_line_when_there_is_no_moededato_line(tmp_path):
    path = write_doc(tmp_path, "udvalg.txt", [
        "DAGSORDEN Social- og Sundhedsudvalget d. 03-02-2025",
        "Indholdsfortegnelse",
        "Punkt 1: Godkendelse af dagsorden .......... 2",
        "Punkt 2: Status på ældreområdet .......... 3",
        "Punkt 1: Godkendelse af dagsorden",
        "EMN-2025-000001",
        "Resume",
        "Dagsordenen forelægges til godkendelse.",
        "Punkt 2: Status på ældreområdet",
        "EMN-2025-000002",
        "Sagsfremstilling:",
        "Forvaltningen giver en status på ældreområdet.",
        "Sagsforløb",
        "Udvalg: Social- og Sundhedsudvalget",
        "Dato: 06-01-2025",
        "Punktnummer: 14",
    ])
    document = parse_file(path)
    assert document.layout == "punkter"
    assert document.meeting_date == date(2025, 2, 3)
    assert document.date_evidence.startswith("first line")
    assert document.committee == "Social- og Sundhedsudvalget"
    assert titles(document) == {"1": "Godkendelse af dagsorden", "2": "Status på ældreområdet"}
    status = document.items[1]
    assert [s.name for s in status.sections] == ["Sagsfremstilling", "Sagsforløb"]
    assert status.history_dates == [date(2025, 1, 6)]


def test_udvalg_line_in_the_preamble_names_the_committee(tmp_path):
    path = write_doc(tmp_path, "plan.txt", [
        "Referat",
        "Udvalg: Planudvalget",
        "Mødedato: Mandag den 3. marts 2025 kl. 15:00",
        "Punkt 1: Lokalplan for Strandvejen",
        "EMN-2025-000301",
        "Beslutning",
        "Planudvalget vedtog lokalplanen.",
        "Punkt 2: Eventuelt",
    ])
    document = parse_file(path)
    assert (document.layout, document.committee, document.meeting_date) == (
        "punkter", "Planudvalget", date(2025, 3, 3))
    assert document.items[0].section("Beslutning").paragraphs == ["Planudvalget vedtog lokalplanen."]
    assert document.doc_type == "referat"


# --- Fallback -------------------------------------------------------------------------------------


def test_pdf_of_no_known_layout_is_indexed_by_page_not_refused(tmp_path):
    path = write_no_items_pdf(tmp_path / "invitation.pdf")
    letter = "".join(page.extract_text() for page in PdfReader(path).pages)
    assert "KKR Syddanmark | 07-02-2023" in letter and not re.search(r"(?m)^\d+\.\d+\. ", letter)
    document = parse_file(path)
    assert document.layout == "fallback"
    assert document.doc_type == "dokument"
    assert document.items
    assert all(item.number.startswith("side ") for item in document.items)
    chunk = chunk_document(document)[0]
    assert chunk.metadata["layout"] == "fallback"
    assert chunk.metadata["page"] == 1
    assert " · side 1 " in chunk.text.split("\n\n", 1)[0]
    assert "temadag" in " ".join(c.body for c in chunk_document(document))


def test_fallback_cuts_at_numbered_and_capitalised_headings(tmp_path):
    path = write_doc(tmp_path, "notat.txt", [
        "Notat om vintertjeneste",
        "1. Formål",
        "Notatet beskriver, hvordan kommunen rydder sne og glatførebekæmper på veje og stier.",
        "2. Serviceniveau",
        "Hovedveje ryddes først, derefter boligveje og stier efter en fast rækkefølge.",
        "ØKONOMI",
        "Udgifterne afholdes inden for vejområdets budget for året.",
    ])
    document = parse_file(path)
    assert document.layout == "fallback"
    assert document.fallback_by == "overskrifter"
    assert [(i.number, i.title) for i in document.items] == [
        ("afsnit 1", "Notat om vintertjeneste"),
        ("afsnit 2", "1. Formål"),
        ("afsnit 3", "2. Serviceniveau"),
        ("afsnit 4", "ØKONOMI"),
    ]
    assert document.items[3].sections[0].paragraphs == ["Udgifterne afholdes inden for vejområdets budget for året."]


def test_inspect_names_the_layout(tmp_path, minutes):
    fa = write_firstagenda_pdf(tmp_path / "Referat.pdf", FIRSTAGENDA_ITEMS[:2])
    letter = write_no_items_pdf(tmp_path / "invitation.pdf")
    run = subprocess.run([sys.executable, "-m", "index", "inspect", str(fa), str(letter)], cwd=REPO,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert "layout: dagsordenspunkter genkendt" in run.stdout
    assert "kendetegn: punktoverskrifter 'Punkt N: Titel'" in run.stdout
    assert "layout: ukendt" in run.stdout
    assert "advarsel: ingen dagsordenspunkter fundet" in run.stdout
    run = subprocess.run([sys.executable, "-m", "index", "inspect", str(fa), "--json"], cwd=REPO,
                         capture_output=True, text=True, timeout=120, check=False)
    rows = json.loads(run.stdout)
    assert [(r["item"], r["layout"], r["committee"]) for r in rows] == [
        ("1", "punkter", "Aarhus Byråd"), ("2", "punkter", "Aarhus Byråd"),
    ]


def test_upload_note_says_items_were_not_recognised_and_how_the_file_was_indexed(tmp_path):
    from index.inspect import layout_note

    letter = parse_file(write_no_items_pdf(tmp_path / "invitation.pdf"))
    note = layout_note(letter)
    assert note.startswith("invitation.pdf: dagsordenspunkterne blev ikke genkendt")
    assert "efter sine egne overskrifter (3 afsnit)" in note and "sidetal" in note
    assert [(i.number, i.title) for i in letter.items] == [
        ("side 1", "INVITATION"), ("side 1b", "Invitation til temadag om den grønne omstilling"), ("side 1c", "Program"),
    ]
    plain = parse_file(write_doc(tmp_path, "brev.txt", ["Kære alle, tak for et godt møde i går.",
                                                        "Vi ses igen efter sommerferien, hvor vi fortsætter."]))
    assert "som ét afsnit" in layout_note(plain) and "afsnitsnummer" in layout_note(plain)
    note = layout_note(parse_file(write_doc(tmp_path, "fa.txt", [
        "REFERAT Byrådet d. 01-02-2025", "Punkt 1: Godkendelse", "EMN-2025-000001", "Beslutning", "Godkendt.",
    ])))
    assert note == "fa.txt: 1 dagsordenspunkt fundet (1), Byrådet, 01.02.2025. Kendetegn: punktoverskrifter 'Punkt N: Titel'."


def test_contents_without_leaders_and_a_wrapped_title_without_contents(tmp_path):
    """The contents lines here end in a bare page number; the item lines with EMN numbers win."""
    path = write_doc(tmp_path, "udvalg.txt", [
        "REFERAT Børne- og Ungeudvalget d. 10-06-2025",
        "Punkt 1: Godkendelse af dagsorden 2",
        "Punkt 2: Skolestruktur 3",
        "Punkt 1: Godkendelse af dagsorden",
        "EMN-2025-000011",
        "Beslutninger",
        "Godkendt.",
        "Punkt 2: Forslag til ny skolestruktur i den nordlige del af kommunen med",
        "sammenlægning af to skoler",
        "EMN-2025-000012",
        "Beslutninger",
        "Udvalget sendte forslaget i høring.",
    ])
    document = parse_file(path)
    assert document.layout == "punkter"
    assert titles(document) == {
        "1": "Godkendelse af dagsorden",
        "2": "Forslag til ny skolestruktur i den nordlige del af kommunen med sammenlægning af to skoler",
    }
    assert document.items[1].section("Beslutning").paragraphs == ["Udvalget sendte forslaget i høring."]
    assert document.meeting_date == date(2025, 6, 10)


def test_fallback_without_headings_goes_page_by_page(tmp_path):
    from tests.pdf_factory import PAGE_BREAK, write_meeting_pdf

    paragraph = ("Kommunerne i regionen har i det forløbne år arbejdet videre med den fælles indsats for at "
                 "nedbringe ventetiden i den kommunale tandpleje, og resultaterne er lovende for de kommende år.")
    text = f"{paragraph}\n\n{paragraph}\n\n{PAGE_BREAK}\n\nAnden side: {paragraph}\n"
    document = parse_file(write_meeting_pdf(text, tmp_path / "notat.pdf", meeting_date=None))
    assert (document.layout, document.fallback_by) == ("fallback", "sider")
    assert [item.number for item in document.items] == ["side 1", "side 2"]
    assert document.items[1].title.startswith("Anden side: Kommunerne i regionen")
    assert document.items[1].title.endswith(" …") and len(document.items[1].title) <= 82
    assert document.items[0].sections[0].paragraphs == [paragraph, paragraph]


@pytest.mark.parametrize("line, expected", [
    ("Mødedato Onsdag d. 27. august 2025 kl. 16:00", date(2025, 8, 27)),
    ("Mødedato: Mandag den 3. marts 2025 kl. 15:00", date(2025, 3, 3)),
    ("Mødedato: 05-11-2024", date(2024, 11, 5)),
    ("Mødedato 31. februar 2025", None),  # not a date: never guessed
])
def test_moededato_forms(line, expected):
    from index.header import read_header
    from index.schema import Line

    assert read_header([Line("Referat"), Line(line), Line("Punkt 1: Godkendelse")]).meeting_date == expected
