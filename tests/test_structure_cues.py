"""The structure reader's cues, one family per test, on PDFs in layouts none of the real documents has.

Each PDF is written by tests/pdf_factory.py with fpdf2 and read back through
pypdf and the whole parser, so a cue only counts when it survives real text
extraction: running lines on every page, a heading on a page's last line, a
contents list with page numbers glued on, a numbered list inside an item,
sub-items, running item numbers, decisions of several dates, and a decision
printed before the case text.
"""

from __future__ import annotations

from datetime import date

from index.chunking import chunk_document
from index.parsing import parse_file
from index.sections import CASE, DECISION, RECOMMENDATION, SUMMARY
from tests.pdf_factory import write_pages_pdf

BODY = ("Forvaltningen har gennemgået sagen og vurderer, at forslaget kan gennemføres inden for den "
        "eksisterende ramme, og at der ikke er behov for yderligere bevillinger i indeværende år.")


def items_of(document) -> list[tuple[str, str]]:
    return [(item.number, item.title) for item in document.items]


def all_text(document) -> str:
    return "\n".join(section.text for item in document.items for section in item.sections)


def test_a_header_repeated_on_every_page_is_removed_and_names_the_meeting(tmp_path):
    header = ("Miljø- og Klimaudvalget", "Beslutningsprotokol", "Mødedato: 14.03.2024")
    pages = [
        ["# 1. Godkendelse af dagsorden", "Sagsnr.: 24/0101", "# Beslutning", "Dagsordenen blev godkendt."],
        ["# 2. Vandløbsregulativ for Lilleå", "Sagsnr.: 24/0102", "# Sagsfremstilling", BODY,
         "# Beslutning", "Regulativet blev vedtaget."],
        ["# 3. Status på klimaplanen", "Sagsnr.: 24/0103", "# Sagsfremstilling", BODY,
         "# Beslutning", "Taget til efterretning."],
    ]
    document = parse_file(write_pages_pdf(tmp_path / "protokol.pdf", pages, header=header,
                                          footer=("Side {page} af {pages}",)))
    assert items_of(document) == [("1", "Godkendelse af dagsorden"), ("2", "Vandløbsregulativ for Lilleå"),
                                  ("3", "Status på klimaplanen")]
    assert (document.committee, document.meeting_date) == ("Miljø- og Klimaudvalget", date(2024, 3, 14))
    text = all_text(document)
    assert "Beslutningsprotokol" not in text and "Mødedato" not in text and "Side 2 af" not in text
    assert document.items[1].section(DECISION).paragraphs == ["Regulativet blev vedtaget."]
    assert any(cue.startswith("løbende sidehoved") for cue in document.cues)


def test_a_heading_on_the_last_line_of_a_page_opens_its_item(tmp_path):
    pages = [
        ["Referat", "Børneudvalget", "tirsdag den 9. april 2024 kl. 16:00",
         "# 1. Skolernes sommerferie", "Sagsnr.: 24/0201", "# Resume", BODY, "# Beslutning", "Godkendt.",
         "# 2. Ny daginstitution i Nørreby"],
        ["Sagsnr.: 24/0202", "# Resume", BODY, "# Indstilling", "Forvaltningen indstiller, at projektet godkendes.",
         "# Beslutning", "Indstillingen blev godkendt."],
    ]
    document = parse_file(write_pages_pdf(tmp_path / "referat.pdf", pages, footer=("Side {page}",)))
    assert items_of(document) == [("1", "Skolernes sommerferie"), ("2", "Ny daginstitution i Nørreby")]
    institution = document.items[1]
    assert (institution.page, institution.case_number) == (1, "24/0202")
    assert [s.name for s in institution.sections] == [SUMMARY, RECOMMENDATION, DECISION]
    assert (document.committee, document.meeting_date) == ("Børneudvalget", date(2024, 4, 9))


def test_contents_with_page_numbers_glued_on_confirm_the_items_and_are_not_indexed(tmp_path):
    pages = [
        ["Referat", "Ældreudvalget", "Dato: 02.05.2024", "Indholdsliste",
         "1. Godkendelse af dagsorden 2",
         "2. Fremtidens hjemmepleje i landdistrikterne med særligt fokus på rekruttering og",
         "fastholdelse af medarbejdere 2",
         "3. Eventuelt 3"],
        ["# 1. Godkendelse af dagsorden", "Sagsnr.: 24/0301", "# Beslutning", "Godkendt.",
         "# 2. Fremtidens hjemmepleje i landdistrikterne med særligt fokus på rekruttering og",
         "# fastholdelse af medarbejdere", "Sagsnr.: 24/0302", "# Sagsfremstilling", BODY,
         "# Beslutning", "Udvalget drøftede sagen."],
        ["# 3. Eventuelt", "# Beslutning", "Intet."],
    ]
    document = parse_file(write_pages_pdf(tmp_path / "aeldre.pdf", pages))
    assert items_of(document) == [
        ("1", "Godkendelse af dagsorden"),
        ("2", ("Fremtidens hjemmepleje i landdistrikterne med særligt fokus på rekruttering og fastholdelse af "
               "medarbejdere")),
        ("3", "Eventuelt"),
    ]
    assert [item.page for item in document.items] == [2, 2, 3]
    assert "Indholdsliste" not in all_text(document) and "Godkendelse af dagsorden 2" not in all_text(document)
    assert any(cue.startswith("indholdsfortegnelse") for cue in document.cues)


def test_a_numbered_list_inside_an_item_is_not_an_item(tmp_path):
    pages = [
        ["Referat", "Kultur- og Idrætsudvalget", "Dato: 21.05.2024",
         "# 1. Halstrategi 2025-2030", "Sagsnr.: 24/0401", "# Indstilling", "Forvaltningen indstiller, at udvalget:",
         "1. Godkender strategien som grundlag for det videre arbejde.",
         "2. Beder forvaltningen om en tidsplan for renoveringerne.",
         "3. Sender strategien i høring hos idrætsforeningerne.",
         "# Beslutning", "Indstillingen blev godkendt."],
        ["# 2. Tilskud til foreningernes kontingenter", "Sagsnr.: 24/0402", "# Sagsfremstilling", BODY,
         "# Beslutning", "Godkendt."],
    ]
    document = parse_file(write_pages_pdf(tmp_path / "kultur.pdf", pages))
    assert items_of(document) == [("1", "Halstrategi 2025-2030"), ("2", "Tilskud til foreningernes kontingenter")]
    recommendation = document.items[0].section(RECOMMENDATION).paragraphs
    assert "3. Sender strategien i høring hos idrætsforeningerne." in recommendation


def test_sub_items_under_group_headings_are_the_items(tmp_path):
    pages = [
        ["Referat", "Styregruppen for digitalisering", "Dato: 04.06.2024",
         "# 1. Infrastruktur", "# 1.1 Status på netværket", "# Sagsfremstilling", BODY,
         "# 1.2 Udskiftning af servere", "# Sagsfremstilling", "Serverne udskiftes i efteråret.",
         "# 1.3 Backup og beredskab", "# Beslutning", "Beredskabsplanen blev godkendt."],
        ["# 2. Selvbetjening", "# 2.1 Ny borgerportal", "# Sagsfremstilling", BODY,
         "# 2.2 Chatbot på hjemmesiden", "# Beslutning", "Forsøget forlænges til årets udgang.",
         "# 2.3 Tilgængelighed", "# Sagsfremstilling", "Alle formularer gennemgås for tilgængelighed."],
    ]
    document = parse_file(write_pages_pdf(tmp_path / "styregruppe.pdf", pages))
    assert items_of(document) == [
        ("1.1", "Status på netværket"), ("1.2", "Udskiftning af servere"), ("1.3", "Backup og beredskab"),
        ("2.1", "Ny borgerportal"), ("2.2", "Chatbot på hjemmesiden"), ("2.3", "Tilgængelighed"),
    ]
    assert document.committee == "Styregruppen for digitalisering"
    assert document.items[4].section(DECISION).paragraphs == ["Forsøget forlænges til årets udgang."]


def test_running_item_numbers_count_on_from_earlier_meetings(tmp_path):
    pages = [
        ["Beslutningsprotokol", "Teknik- og Miljøudvalget", "mandag den 10. juni 2024 kl. 15:00",
         "# Punkt 112: Trafiksikkerhedsplan", "Sagsnr.: 24/0601", "# Resume", BODY,
         "# Beslutning", "Planen blev godkendt.",
         "# Punkt 113: Vintertjeneste 2024-2025", "Sagsnr.: 24/0602", "# Resume", BODY,
         "# Beslutning", "Serviceniveauet fastholdes."],
        ["# Punkt 114: Eventuelt", "# Beslutning", "Intet."],
    ]
    document = parse_file(write_pages_pdf(tmp_path / "protokol.pdf", pages))
    assert items_of(document) == [("112", "Trafiksikkerhedsplan"), ("113", "Vintertjeneste 2024-2025"),
                                  ("114", "Eventuelt")]
    assert (document.committee, document.meeting_date) == ("Teknik- og Miljøudvalget", date(2024, 6, 10))
    assert any("første nr. 112" in cue for cue in document.cues)


def test_decisions_of_several_dates_in_one_item_keep_their_dates(tmp_path):
    pages = [
        ["Referat", "Økonomiudvalget", "Dato: 18.06.2024",
         "# 1. Salg af grund ved havnen", "Sagsnr.: 24/0701", "# Sagsfremstilling", BODY,
         "# Beslutning i Økonomiudvalget den 12-02-2024", "Sagen blev sendt tilbage til forvaltningen.",
         "# Supplerende sagsfremstilling", "Forvaltningen har indhentet en ny vurdering af grunden.",
         "# Beslutning den 5. marts 2024", "Udvalget ønskede et offentligt udbud.",
         "# Beslutning i Økonomiudvalget den 18-06-2024", "Salget blev godkendt."],
    ]
    document = parse_file(write_pages_pdf(tmp_path / "oekonomi.pdf", pages))
    sale = document.items[0]
    decisions = [s for s in sale.sections if s.name == DECISION]
    assert [(s.decided_on, s.paragraphs) for s in decisions] == [
        (date(2024, 2, 12), ["Sagen blev sendt tilbage til forvaltningen."]),
        (date(2024, 3, 5), ["Udvalget ønskede et offentligt udbud."]),
        (date(2024, 6, 18), ["Salget blev godkendt."]),
    ]
    chunks = [c for c in chunk_document(document) if c.metadata["section"] == DECISION]
    assert [c.metadata["decision_date"] for c in chunks] == ["2024-02-12", "2024-03-05", ""]
    assert len({c.chunk_id for c in chunks}) == 3


def test_decision_first_and_case_text_after(tmp_path):
    pages = [
        ["Referat", "Social- og Sundhedsudvalget", "Dato: 26.08.2024",
         "# 1. Takster for madservice 2025", "Sagsnr.: 24/0801", "# Beslutning", "Taksterne blev godkendt.",
         "# Sammendrag", "Taksterne reguleres med pris- og lønudviklingen.",
         "# Sagsbeskrivelse", BODY, "# Indstilling", "Forvaltningen indstiller, at taksterne godkendes."],
        ["# 2. Orientering om hjemmeplejen", "Sagsnr.: 24/0802", "# Beslutning", "Taget til efterretning.",
         "# Sagsbeskrivelse", BODY],
    ]
    document = parse_file(write_pages_pdf(tmp_path / "social.pdf", pages))
    assert items_of(document) == [("1", "Takster for madservice 2025"), ("2", "Orientering om hjemmeplejen")]
    first = document.items[0]
    assert [s.name for s in first.sections] == [DECISION, SUMMARY, CASE, RECOMMENDATION]
    assert first.section(DECISION).paragraphs == ["Taksterne blev godkendt."]
    assert document.doc_type == "referat"


# --- Saved meeting pages ------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Mødeside</title>
<script>var texts = {"Download": "Hent som PDF"};</script></head><body>
<nav><a href="/">Forside</a><a href="/udvalg">Udvalg</a></nav>
<h1>Referat 12. september 2024 kl. 16.00</h1>
<table><tr><td>Udvalg:</td><td><span>Erhvervs- og Turismeudvalget</span></td></tr>
<tr><td>Mødedato:</td><td>torsdag den 12. september 2024 kl. 16.00</td></tr></table>
<table><tbody>
<tr><td><span class="label">1</span></td><td><button role="button"><h2>Turismestrategi 2030</h2></button>
<div><span>Sagsnr. 24/2001</span><h3>Beslutning</h3><div>Strategien blev godkendt.</div>
<h3>Sagsfremstilling</h3><p>Strategien samler indsatsen for kyst- og naturturisme.<br>Den revideres hvert andet år.</p>
<h3>Bilag</h3><ul><li><span role="button">PDF</span><a href="/bilag/1">Turismestrategi 2030</a></li></ul></div></td>
<td><span class="badge">1</span><ul class="dropdown-menu" role="menu"><li><a role="menuitem">Hent som PDF</a></li>
<li><a role="menuitem">Kopier link</a></li></ul></td></tr>
<tr><td><span class="label">2</span></td><td><button role="button"><h2>Eventuelt</h2></button>
<div><h3>Beslutning</h3><div>Intet.</div></div></td></tr>
</tbody></table>
<div class="modal"><h4>Kopier link</h4><p>Kopier linket i tekstboksen</p></div>
</body></html>
"""


def test_a_saved_meeting_page_is_read_from_its_own_structure_without_site_chrome(tmp_path):
    path = tmp_path / "referat.htm"
    path.write_text(PAGE, encoding="utf-8")
    document = parse_file(path)
    assert items_of(document) == [("1", "Turismestrategi 2030"), ("2", "Eventuelt")]
    assert (document.committee, document.meeting_date) == ("Erhvervs- og Turismeudvalget", date(2024, 9, 12))
    strategy = document.items[0]
    assert strategy.case_number == "24/2001"
    assert [s.name for s in strategy.sections] == [DECISION, CASE, "Bilag"]
    assert strategy.section(CASE).paragraphs == ["Strategien samler indsatsen for kyst- og naturturisme.",
                                                 "Den revideres hvert andet år."]
    assert strategy.section("Bilag").paragraphs == ["– Turismestrategi 2030"]
    text = all_text(document)
    for chrome in ("Hent som PDF", "Kopier link", "Forside", "PDF"):
        assert chrome not in text


def test_a_page_of_only_site_chrome_is_refused_with_a_danish_reason(tmp_path):
    import pytest

    from index.errors import IngestError

    path = tmp_path / "menu.html"
    path.write_text("<html><body><nav><a>Forside</a></nav><button>Hent som PDF</button></body></html>",
                    encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        parse_file(path)
    assert caught.value.reason == "empty" and caught.value.message == "filen er tom"
