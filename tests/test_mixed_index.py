"""KKR minutes, FirstAgenda minutes and a document of no known layout in one index.

Real model, real Chroma in a temp dir: each document keeps its own committee
through chunks, retrieval, citations and the committee filter, and the
fallback document is cited by page.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import settings
from assistant.answer import item_place
from assistant.retrieval import Filters, HybridRetriever
from assistant.service import ask
from index.identity import display_name
from tests.helpers import CORPUS, FILE_2023_11, retriever_of
from tests.pdf_factory import FIRSTAGENDA_ITEMS, write_firstagenda_pdf, write_no_items_pdf

BRIDGE = "Hvad besluttede byrådet om broen mellem Dokk1 og Balticagade?"


@pytest.fixture(scope="module")
def mixed(embedding_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HybridRetriever]:
    """Built once for the module (embedding is the slow part), in its own data dir."""
    root = tmp_path_factory.mktemp("mixed")
    folder = root / "docs"
    folder.mkdir()
    shutil.copyfile(CORPUS / FILE_2023_11, folder / FILE_2023_11)
    write_firstagenda_pdf(folder / "Referat.pdf", FIRSTAGENDA_ITEMS)
    write_no_items_pdf(folder / "invitation.pdf")
    with retriever_of(folder, root / "data") as retriever:
        yield retriever


def test_each_document_keeps_its_own_committee_and_layout(mixed):
    meetings = {display_name(m["source"]): m for m in mixed.sources()}  # keyed by location, shown by name
    assert {name: m["committee"] for name, m in meetings.items()} == {
        FILE_2023_11: "KKR Syddanmark",
        "Referat.pdf": "Aarhus Byråd",
        "invitation.pdf": "KKR Syddanmark",  # nothing in the letter names a committee: the setting
    }
    assert meetings["Referat.pdf"]["meeting_date"] == "2025-08-27"
    assert meetings["invitation.pdf"]["doc_type"] == "dokument"
    layouts = {display_name(c.metadata["source"]): c.metadata["layout"] for c in mixed.retrieve_chunks(BRIDGE)}
    assert layouts.get("Referat.pdf") == "punkter"
    assert layouts.get(FILE_2023_11, "punkter") == "punkter"


def test_firstagenda_answer_cites_its_own_committee_and_item(mixed):
    answer = ask(BRIDGE, retriever=mixed)
    assert not answer.refused
    first = answer.citations[0]
    assert first.label() == "Aarhus Byråd, referat 27. august 2025, punkt 3 Bro mellem Dokk1 og Balticagade"
    assert first.section == "Beslutning"
    assert "48 mio. kr." in answer.text


def test_committee_filter_keeps_to_one_committee(mixed):
    only_kkr = mixed.retrieve_items(BRIDGE, Filters(committee="KKR Syddanmark"))
    assert only_kkr and {item.committee for item in only_kkr} == {"KKR Syddanmark"}
    assert "Referat.pdf" not in {display_name(item.source) for item in only_kkr}
    only_aarhus = mixed.retrieve_items("botilbud og lånepulje", Filters(committee="Aarhus Byråd"))
    assert only_aarhus and {display_name(item.source) for item in only_aarhus} == {"Referat.pdf"}


def test_fallback_document_is_found_and_cited_by_page(mixed):
    answer = ask("Hvornår skal man tilmelde sig temadagen om den grønne omstilling?", retriever=mixed)
    cited = [c for c in answer.citations if display_name(c.source) == "invitation.pdf"]
    assert cited, answer.text
    assert cited[0].where().startswith("side 1 ")
    assert cited[0].label().startswith("KKR Syddanmark, dokument 7. februar 2023, side 1 ")


def test_item_place_names_pages_for_fallback_parts():
    assert item_place("2.3", "Botilbudskapacitet") == "punkt 2.3 Botilbudskapacitet"
    assert item_place("side 4", "Program") == "side 4 Program"
    assert item_place("side 4b", "Tilmelding") == "side 4 Tilmelding"
    assert item_place("afsnit 2", "Vision") == "afsnit 2 Vision"
    assert item_place("", "") == "deltagerliste"


def test_filter_panel_and_sources_panel_know_the_committees_and_the_fallback(mixed):
    from app import build_app, committee_choices, make_filters, sources_html

    demo = build_app(mixed, settings.get_settings())
    labels = [block.label for block in demo.blocks.values() if getattr(block, "label", None)]
    assert "Udvalg / råd" in labels

    assert committee_choices(mixed) == ["Alle", "Aarhus Byråd", "KKR Syddanmark"]
    assert make_filters("Alle", "Alle", [], "Alle", "Aarhus Byråd") == Filters(committee="Aarhus Byråd")
    assert make_filters("Alle", "Alle", [], "Alle", "Alle").is_empty()
    letter = ask("Hvornår skal man tilmelde sig temadagen om den grønne omstilling?", retriever=mixed)
    panel = sources_html(letter, mixed)
    assert "Dokumentets punkter blev ikke genkendt" in panel
    bridge = sources_html(ask(BRIDGE, retriever=mixed), mixed)
    assert "Aarhus Byråd, referat" in bridge
    assert "Dokumentets punkter blev ikke genkendt" not in bridge.split('<div class="source"')[1]


def test_a_question_naming_a_committee_searches_within_it(mixed):
    """"Hvad besluttede Aarhus Byråd om botilbud …?": only Aarhus Byråd's meetings, though KKR's minutes
    discuss botilbud at length."""
    answer = ask("Hvad besluttede Aarhus Byråd om botilbud og lånepuljen?", retriever=mixed)
    assert answer.retrieved and {item.committee for item in answer.retrieved} == {"Aarhus Byråd"}
    assert all(c.committee == "Aarhus Byråd" for c in answer.citations)
    kkr = ask("Hvad besluttede KKR Syddanmark om botilbud og lånepuljen?", retriever=mixed)
    assert {item.committee for item in kkr.retrieved} == {"KKR Syddanmark"}


def test_a_history_shows_the_earlier_treatments_of_a_firstagenda_case(mixed):
    """The Sagsforløb lists meetings whose minutes are not in the index; a history question shows them."""
    answer = ask("Hvornår har man tidligere behandlet forslaget om havnens fremtid som rekreativt område?",
                 retriever=mixed)
    assert not answer.refused
    assert "Teknisk Udvalg" in answer.text and "26-03-2025" in answer.text, answer.text
    cited = next(c for c in answer.citations if display_name(c.source) == "Referat.pdf")
    assert "Sagsforløb" in cited.quote_sections
