"""Real meeting documents of four councils, six publishing systems, read into the items their pages show.

The documents sit in ../shared/realworld/ beside the repository (PROVENANCE.md
there lists each one's items, date and committee); the expected items below are
what the documents print in their own tables of contents and item headings.
Parsed with the real parser, no index: a wrong item boundary, title, date or
committee fails here before it can make an answer cite the wrong place or body.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from index.chunking import chunk_document
from index.parsing import parse_file
from index.sections import DECISION
from settings import REPO_ROOT, get_settings

REALWORLD = REPO_ROOT.parent / "shared" / "realworld"
DOCS = REALWORLD / "docs"
SOURCE = REALWORLD / "source"

pytestmark = pytest.mark.skipif(
    not (REALWORLD / "PROVENANCE.md").is_file(),
    reason=f"the real documents are not beside the repository ({REALWORLD} is missing)",
)

BALLERUP = [
    ('1', 'Meddelelser'),
    ('2', 'Bygningsvedligeholdelse 2013 - anlægsbevilling'),
    ('3', 'Kvalitetsstandarder for stof- og alkoholbehandling 2012-2013'),
    ('4', 'Takstreduktion på aflastningstilbuddet Torvevej i Skovlunde i 2013'),
    ('5', "KL's opfølgningsproces vedrørende det nære sundhedsvæsen"),
    ('6', 'Prioritering af midler til kronisk syge borgere og hverdagsrehabilitering for ældre'),
    ('7', 'Etablering af aktivitetscenter på Solvej 6 i Ballerup'),
    ('8', 'Evaluering af rygestopkurser'),
]

SYDDJURS = [
    ('715', 'Kulturkommune 2017. Politiske fokusområder'),
]

MOEDESYSTEMGRUPPEN = [
    ('1.1', 'Status siden sidst'),
    ('1.2', 'Status på udviklingsønsker'),
    ('1.3', 'Besøg af First Agenda'),
    ('1.4', 'Plan for resten af året'),
    ('2.1', 'Status siden sidst'),
    ('2.2', 'Plan for resten af året'),
    ('2.3', 'Status over udviklingsønsker'),
    ('3', 'Eventuelt'),
]

TEKNISK_UDVALG = [
    ('1', 'Referat fra sidste udvalgsmøde'),
    ('2', 'Udviklingsplan Aarhus Ø - endelig vedtagelse'),
    ('3', 'Lokalplan 1221 (tillæg 2 til lokalplan 411) – Erhvervsområde ved Kattrup, Hasselager-Kolt, med tillæg 1 - Endelig'),
    ('4', 'Forvaltningen orienterer'),
    ('5', 'Eventuelt'),
    ('6', 'Måltal for busfremkommelighed, jf. budgetforlig 2023'),
]

BYRAAD_AGENDA = [
    ('1', 'Godkendelse af dagsorden'),
    ('2', 'Forslag til budget 2026-2029'),
    ('3', 'Materiale til Magistratens 1. tekniske behandling af budget 2026'),
    ('4', 'Materiale til Magistratens 2. tekniske behandling af budget 2026'),
    ('5', 'Budgetforslag Ældre og sundhed'),
    ('6', 'Budgetforslag Social- og beskæftigelsesområdet'),
    ('7', 'Budgetforslag Miljø, byudvikling, infrastruktur og kollektiv trafik'),
    ('8', 'Budgetforslag Sport, fritid og kultur'),
    ('9', 'Budgetforslag Børn og Unge'),
    ('10', 'Budgetforslag Økonomi og andet'),
    ('11', 'Svar på forslag fra S, SF, RV, M og ALT om vindmøller på Aarhus Havn'),
    ('12', 'Svar på forslag fra Børne- og ungebyrådet om flere lejrskoler og udflugter i grundskolen'),
    ('13', 'Svar på forslag fra Børne- og ungebyrådet om to-voksentimer og bredere information om eksisterende trivselsinitiativer'),
    ('14', 'Svar på forslag fra RV om Aarhus City Metro'),
    ('15', 'Udpegning til sundhedsråd'),
    ('16', 'Anbefalinger fra §17, stk. 4-udvalget Nyt Byråd'),
    ('17', "Dispensation fra 'Grøn handleplan for kunstgræsbaner'"),
    ('18', 'Ændring af et godkendelseskriterie for private daginstitutioner'),
    ('19', 'Beredskabsplaner - negativ social kontrol, æresrelaterede konflikter og ekstremisme'),
    ('20', 'Økonomiteknisk justering af cykelmidler'),
    ('21', 'Lokalplan 1246 Åbyhøj Idrætscenter – Endelig'),
    ('22', 'Udviklingsplan Aarhus Ø - endelig vedtagelse'),
    ('23', 'Lokalplan 1204, Trige Syd - Endelig'),
    ('24', 'Byggemodning af område til boliger i Trige, lokalplan 1204'),
    ('25', 'Forslag fra S, KF, SF, V og RV om mærkningsordning for genbrug af storskrald'),
    ('26', 'Forslag fra ALT om at Aarhus Kommune skal udtræde af Kattegatkomitéen'),
    ('27', 'Forslag fra V, LA, DD, KF, RV, M og ALT om tilskud til hjemmepasning'),
    ('28', 'Forslag fra KF om at adoptere en rundkørsel – skab kunst i det offentlige rum'),
    ('29', 'Forslag fra SF om Børnenes Plads'),
    ('30', 'Forslag fra V om bedre rammer for erhvervslivet - giv os Aarhus tilbage'),
    ('31', 'Forslag fra VL om offentlig undskyldning til kommunal ansat'),
    ('32', 'Forslag fra VL om undersøgelse af kommunens håndtering som bygherre i asbesthåndtering på rådhuset'),
    ('33', 'Forslag fra V, KF, LA og DD om afledte konsekvenser af lukning af Vesterbro Torv'),
]

GREVE_BYRAAD = [
    ('1', 'Godkendelse af dagsorden'),
    ('2', 'Lukket: Orientering'),
    ('3', 'Orientering fra administrationen'),
    ('4', 'Lukket: Karlslunde Center, lejeaftale for pendlerparkering'),
    ('5', 'Spørgetid - start klokken 19.00'),
    ('6', 'Borgmesteren orienterer'),
    ('7', 'Initiativretsforslag fra (UP1) vedr. skiltning og ordensreglement ved Mosede Fort'),
    ('8', 'Initiativretsforslag fra (A) vedr. to voksne i indskolingen i dansk og matematik'),
    ('9', 'Budget 2026-29 - 2. behandling'),
    ('10', 'Reform - ændring styrelsesvedtægt - 2. behandling'),
    ('11', 'Strandparken I/S årsregnskab 2024'),
    ('12', 'Strandparken I/S budget 2026'),
    ('13', 'Anlægsregnskab 2024 - Udskiftning af netværksudstyr'),
    ('14', 'Anlægsregnskab 2024 - IT-hardware på skolerne'),
    ('15', 'Anlægsregnskaber 2024'),
    ('16', 'Bustrafikbestilling 2026 til Movia'),
    ('17', 'Puljemidler til IPS og Flere unge skal med 2025'),
    ('18', 'Skoleudvikling 2025/2026'),
    ('19', 'Samarbejds- og driftsaftale FrivilligCenter Greve 2026-28'),
    ('20', 'Samarbejdsplan 2025/2026'),
    ('21', 'Anlægsprojekter 2025 - status'),
    ('22', 'Underskriftsark'),
]

GREVE_KULTUR = [
    ('1', 'Godkendelse af dagsorden'),
    ('2', 'Dialogmøde med Frivilligcenter Greve'),
    ('3', 'FrivilligCenter Greve - årsregnskab og årsberetning 2022'),
    ('4', 'Budgetopfølgning 2 (2023) Kultur og Fritidsudvalget'),
    ('5', 'Kultur-, Idræts- og Fritidspolitikken 2023-2026 - orientering'),
    ('6', 'Afrapportering sommerferieaktiviteter 2023'),
    ('7', 'Orientering fra formanden/gensidig orientering'),
    ('8', 'Huskeliste og orientering fra administrationen'),
    ('9', 'Kultur- og Fritidsudvalget mødekalender 2023'),
    ('10', 'Underskriftsark'),
]

BYRAAD_MINUTES = [
    ('1', 'Godkendelse af dagsorden'),
    ('2', 'Svar på forslag fra DD om principbeslutning om at sikre Havnens Perles fremtid på Aarhus Ø'),
    ('3', 'Svar på forslag fra KF og M om at halvere prisen på parkering i kommunale P-huse'),
    ('4', 'Svar på forslag fra V om at farten skal ned på Grenåvej i Løgten & Skødstrup'),
    ('5', 'Revisionspåtegning og endelig godkendelse af regnskab 2024'),
    ('6', 'Svar på forslag fra RV om politik og handlingsplan mod diskrimination i Aarhus'),
    ('7', 'Afrapportering på klimaregnskab samt orientering om ny 2030-fremskrivning'),
    ('8', 'Afsluttede anlægsregnskaber for Teknik og Miljø 2024'),
    ('9', 'Bro mellem Dokk1 og Balticagade'),
    ('10', 'Lokalplan 1221 (tillæg 2 til lokalplan 411) – Erhvervsområde ved Kattrup, Hasselager-Kolt, med tillæg 1 - Endelig'),
    ('11', 'Anlægsbevilling til Kongeruten i Kongelunden'),
    ('12', 'Anlægsbevilling til nyt idrætsanlæg i Lisbjerg'),
    ('13', 'Mulighed for skoleskift til Ravnbakkeskolen'),
    ('14', 'Justering af ramme for kvalitetsopfølgning og tilsyn i Børn og Unge'),
    ('15', 'Forslag fra M om styrket implementering af relationel velfærd'),
    ('16', 'Forslag fra M om International Aarhus 2.0'),
    ('17', 'Forslag fra DD og LA om Aarhus som testkommune for selvkørende biler'),
    ('18', 'Forslag fra EL og Viggo Jonasen, UFP, om særskilt budgettering af specialundervisning'),
    ('19', 'Forslag fra EL og Viggo Jonasen, UFP, om tabt arbejdsfortjeneste ved skolevægring og lignende'),
    ('20', 'Forslag fra SF og ALT om Østjysk Marin Naturnationalpark'),
    ('21', 'Lukket: Køb af landbrugsejendom'),
]

# file → (items, meeting date, committee the document names)
EXPECTED = {
    "ballerup-sundhed-forebyggelse-2012-12-04-referat.pdf": (BALLERUP, date(2012, 12, 4),
                                                             "Sundheds- og Forebyggelsesudvalget"),
    "syddjurs-puk-2013-06-20-referat.pdf": (SYDDJURS, date(2013, 6, 20),
                                            "Udvalget for plan, udvikling og kultur (PUK)"),
    "aarhus-moedesystemgruppen-2016-10-06-referat.pdf": (MOEDESYSTEMGRUPPEN, date(2016, 10, 6), "Mødesystemgruppen"),
    "aarhus-teknisk-udvalg-2025-10-01-referat.txt": (TEKNISK_UDVALG, date(2025, 10, 1), "Teknisk Udvalg"),
    "aarhus-byraad-2025-10-08-dagsorden.txt": (BYRAAD_AGENDA, date(2025, 10, 8), "Aarhus Byråd"),
    "greve-byraad-2025-10-01-referat.txt": (GREVE_BYRAAD, date(2025, 10, 1), "Byråd 2022-2025"),
    "greve-kultur-fritid-2023-10-11-referat.txt": (GREVE_KULTUR, date(2023, 10, 11), "Kultur- og Fritidsudvalget"),
    "aarhus-byraad-2025-08-27-referat.pdf": (BYRAAD_MINUTES, date(2025, 8, 27), "Aarhus Byråd"),
}
# Each saved page gives at least what its plain rendering in docs/ gives.
HTML_PAGES = {
    "aarhus-teknisk-udvalg-2025-10-01-referat.html": "aarhus-teknisk-udvalg-2025-10-01-referat.txt",
    "aarhus-byraad-2025-10-08-dagsorden.html": "aarhus-byraad-2025-10-08-dagsorden.txt",
}


@pytest.fixture(scope="module")
def parsed():
    cache: dict[Path, object] = {}

    def parse(path: Path):
        if path not in cache:
            cache[path] = parse_file(path)
        return cache[path]

    return parse


@pytest.mark.parametrize("name", list(EXPECTED))
def test_document_is_read_into_the_items_it_lists_with_its_date_and_committee(parsed, name):
    items, meeting_date, committee = EXPECTED[name]
    document = parsed(DOCS / name)
    assert document.layout == "punkter", document.cues
    assert [(item.number, item.title) for item in document.items] == items
    assert document.meeting_date == meeting_date
    assert document.committee == committee
    assert document.committee != get_settings().committee or committee == get_settings().committee
    # Pages still headed "Dagsorden" after the meeting carry the decisions: minutes in effect.
    assert document.doc_type == ("dagsorden" if name.endswith("dagsorden.txt") else "referat")


@pytest.mark.parametrize("page, rendering", list(HTML_PAGES.items()))
def test_saved_meeting_page_gives_the_items_date_and_committee_of_its_rendering(parsed, page, rendering):
    items, meeting_date, committee = EXPECTED[rendering]
    document = parsed(SOURCE / page)
    assert [(item.number, item.title) for item in document.items] == items
    assert (document.meeting_date, document.committee) == (meeting_date, committee)
    text = " ".join(section.text for item in document.items for section in item.sections)
    for chrome in ("Hent som PDF", "Kopier link", "Tilbage til forsiden"):
        assert chrome not in text
    plain = parsed(DOCS / rendering)
    for html_item, text_item in zip(document.items, plain.items, strict=True):
        assert [s.name for s in html_item.sections] == [s.name for s in text_item.sections], html_item.number


def test_running_header_and_contents_stay_out_of_the_items(parsed):
    document = parsed(DOCS / "ballerup-sundhed-forebyggelse-2012-12-04-referat.pdf")
    text = "\n".join(section.text for item in document.items for section in item.sections)
    assert "Åbent referat" not in text and "Dato: 04.12.2012" not in text
    assert "INDHOLDSFORTEGNELSE" not in text and "Meddelelser 3" not in text
    # Item 2's heading is the last line of page 3; its case number opens page 4.
    building = document.items[1]
    assert (building.page, building.case_number) == (3, "2012-28504")
    assert building.section("Resume").paragraphs[0].startswith("Det årlige bygningssyn er nu afsluttet")
    # The lettered sub-points of item 1 stay inside it.
    assert "a. Møder og konferencer" in document.items[0].sections[0].text
    assert document.items[2].section(DECISION).paragraphs[0] == "Indstilles til godkendelse"
    # The empty attendance label closing each decision says nothing and is not kept.
    assert building.section(DECISION).paragraphs == ["Indstillingen godkendt"]


def test_numbered_lists_inside_items_are_not_items(parsed):
    document = parsed(DOCS / "aarhus-byraad-2025-10-08-dagsorden.txt")
    windmills = document.items[10]
    assert windmills.number == "11"
    assert "1. Indlede dialog med Aarhus Havn" in "\n".join(s.text for s in windmills.sections)


def test_decisions_of_earlier_meetings_keep_their_dates(parsed):
    document = parsed(DOCS / "syddjurs-puk-2013-06-20-referat.pdf")
    decisions = [s for s in document.items[0].sections if s.name == DECISION]
    assert [s.decided_on for s in decisions] == [date(2013, 4, 10), date(2013, 4, 24), date(2013, 6, 20)]
    assert decisions[0].paragraphs[0].startswith("Der indkaldes til et ekstraordinært møde d. 24. april 2013")
    assert decisions[2].paragraphs[0] == "Punktet blev drøftet."
    # A summary ending in a colon that leads into the timetable is no empty label.
    assert document.items[0].section("Resume").paragraphs[0].endswith("med udgangspunkt i nedenstående tidsplan:")
    chunks = [c for c in chunk_document(document) if c.metadata["section"] == DECISION]
    assert [c.metadata["decision_date"] for c in chunks] == ["2013-04-10", "2013-04-24", ""]
    assert "Beslutning 10.04.2013" in chunks[0].text.split("\n\n", 1)[0]
    assert all(c.metadata["committee"] == "Udvalget for plan, udvikling og kultur (PUK)" for c in chunks)


def test_sub_items_fields_and_empty_minutes(parsed):
    document = parsed(DOCS / "aarhus-moedesystemgruppen-2016-10-06-referat.pdf")
    status = document.items[0]
    assert status.section("Sagsfremstilling").paragraphs[0].startswith("Der er blevet foretaget et servicevindue")
    assert status.section(DECISION).paragraphs[0].startswith("Alle skal have indhold.")
    # An empty "Referat:" field is no decision.
    assert document.items[1].section(DECISION) is None
    assert document.items[-1].sections == []


def test_closed_items_are_items(parsed):
    document = parsed(DOCS / "greve-byraad-2025-10-01-referat.txt")
    closed = [item for item in document.items if item.title.startswith("Lukket:")]
    assert [item.number for item in closed] == ["2", "4"]
    # What the document shows of a closed item is its outcome.
    assert closed[0].sections[0].paragraphs[0] == "Orienteringen blev taget til efterretning."


def test_inspect_and_the_upload_message_say_what_was_seen(parsed):
    import json
    import subprocess
    import sys

    from index.inspect import layout_note

    note = layout_note(parsed(DOCS / "syddjurs-puk-2013-06-20-referat.pdf"))
    assert note.startswith("syddjurs-puk-2013-06-20-referat.pdf: 1 dagsordenspunkt fundet (715), "
                           "Udvalget for plan, udvikling og kultur (PUK), 20.06.2013.")
    assert "løbende punktnumre (første nr. 715)" in note and "indholdsfortegnelse" in note
    path = DOCS / "aarhus-moedesystemgruppen-2016-10-06-referat.pdf"
    run = subprocess.run([sys.executable, "-m", "index", "inspect", str(path), "--json"], cwd=REPO_ROOT,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert [(row["item"], row["page"]) for row in rows] == [
        ("1.1", 1), ("1.2", 2), ("1.3", 2), ("1.4", 2), ("2.1", 3), ("2.2", 3), ("2.3", 4), ("3", 4),
    ]
    assert {row["committee"] for row in rows} == {"Mødesystemgruppen"}
    assert rows[0]["cues"][:2] == ["punktoverskrifter 'N Titel'", "underpunkter 'N.M Titel'"]
    assert all(row["warning"] is None for row in rows)
    table = subprocess.run([sys.executable, "-m", "index", "inspect", str(path)], cwd=REPO_ROOT,
                           capture_output=True, text=True, timeout=120, check=False).stdout
    assert "kendetegn: punktoverskrifter 'N Titel'; underpunkter 'N.M Titel'" in table


@pytest.fixture(scope="module")
def real_index(embedding_model: Path, tmp_path_factory: pytest.TempPathFactory):
    """Two of the real documents in an index of their own: real model, real Chroma in a temp dir."""
    import shutil

    from tests.helpers import retriever_of

    root = tmp_path_factory.mktemp("realworld")
    folder = root / "docs"
    folder.mkdir()
    for name in ("syddjurs-puk-2013-06-20-referat.pdf", "ballerup-sundhed-forebyggelse-2012-12-04-referat.pdf"):
        shutil.copyfile(DOCS / name, folder / name)
    with retriever_of(folder, root / "data") as retriever:
        yield retriever


def test_answers_cite_the_body_the_document_names_and_the_date_each_decision_was_taken(real_index):
    from assistant.service import ask

    culture = ask("Hvad besluttede udvalget om Kulturkommune 2017?", retriever=real_index, use_llm=False)
    assert culture.citations[0].item == "715"
    assert culture.citations[0].committee == "Udvalget for plan, udvikling og kultur (PUK)"
    assert "(besluttet den 10. april 2013)" in culture.text
    building = ask("Hvad besluttede Sundheds- og Forebyggelsesudvalget om bygningsvedligeholdelse 2013?",
                   retriever=real_index, use_llm=False)
    assert (building.citations[0].item, building.citations[0].committee) == ("2", "Sundheds- og Forebyggelsesudvalget")
    default = get_settings().committee
    assert default not in culture.text and default not in building.text
