"""Acceptance on the bundled corpus, bad input in a batch, and the inspect command line.

Expected counts of decisions and case numbers are derived from the raw text
independently of the parser; item counts, dates and titles are the ones a
reader of the five files finds.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from index.__main__ import main as index_main
from index.errors import IngestError
from index.ingest import ingest_paths
from tests.helpers import ALL_FILES, CORPUS, FILE_2020, FILE_2021, FILE_2023_02, FILE_2023_11, FILE_2025, REPO, item

INSPECT_KEYS = {
    "source", "committee", "meeting_date", "doc_type", "item", "title", "page", "case_number", "sections",
    "decision_dates", "chunks", "layout", "cues", "warning",
}

# 2020-09-08 lines 1-24: the front page, which has no agenda item.
FRONT_PAGE_2020 = [
    "",
    " ",
    "",
    "Mission ",
    "",
    "KL bidrager til at udvikle og fastholde et stærkt lokalt ",
    "",
    "demokrati. KL varetager kommunernes fælles interesser ",
    "",
    "og er kommunernes samlede forhandlingsorganisation, ",
    "",
    "videnscenter og forum for fælles initiativer og ",
    "",
    "beslutninger. ",
    "",
    " ",
    "",
    "Vision ",
    "",
    "KL opnår, med et helhedsperspektiv på opgaveløsningen, ",
    "",
    "indflydelse og resultater på kommunernes vegne, til gavn ",
    "",
    "for borgerne og samfundet. ",
]


def raw_lines(name: str) -> list[str]:
    return (CORPUS / name).read_text(encoding="utf-8").splitlines()


# --- Items, dates, types -------------------------------------------------------------------------


def test_corpus_has_the_five_files(corpus):
    assert sorted(corpus) == sorted(ALL_FILES)


@pytest.mark.parametrize(
    ("name", "count"),
    [(FILE_2023_02, 12), (FILE_2020, 15), (FILE_2021, 13), (FILE_2023_11, 13), (FILE_2025, 12)],
)
def test_item_count(corpus, name, count):
    assert len(corpus[name].items) == count


@pytest.mark.parametrize(
    ("name", "meeting_date", "doc_type"),
    [
        (FILE_2020, date(2020, 9, 8), "referat"),
        (FILE_2021, date(2021, 6, 9), "referat"),
        (FILE_2023_02, date(2023, 2, 7), "dagsorden"),
        (FILE_2023_11, date(2023, 11, 21), "referat"),
        (FILE_2025, None, "referat"),
    ],
)
def test_meeting_date_and_doc_type(corpus, name, meeting_date, doc_type):
    document = corpus[name]

    assert (document.meeting_date, document.doc_type, document.committee) == (
        meeting_date, doc_type, "KKR Syddanmark",
    )


# Every item whose title wraps onto a second line in the text, in full.
WRAPPED_TITLES = [
    (FILE_2020, "3.1", "DK2020 – samarbejdsaftale og udpegning til politisk partnerskabsgruppe"),
    (FILE_2020, "3.2", ("KKR’s indspil til prioritering af erhvervsfremmemidler, fyrtårnsinitiativer, ny politisk "
                       "rammeaftale og landsdækkende klynger")),
    (FILE_2020, "3.4", ("Godkendelse af Rammeaftale 2021-2022 for det specialiserede social- og "
                       "specialundervisningsområde")),
    (FILE_2020, "3.6", "Årsrapport og regnskab for 2019 og budget 2021 for Fælleskommunalt Socialsekretariat"),
    (FILE_2020, "3.7", "Årsrapport 2019 og budget 2021 for Fælleskommunalt Sundhedssekretariat"),
    (FILE_2020, "3.8", "Styrket indsats for udsatte børn og unge gennem Barnets lov"),
    (FILE_2020, "4.1", "Udpegning til koordinationsudvalg for regional udviklingsplan"),
    (FILE_2020, "6.1", "Punkter til næste møde i KKR Syddanmark den 11. november 2020"),
    (FILE_2021, "3.4", "Årsrapport og regnskab 2020 og budget 2022 for Fælleskommunalt Socialsekretariat"),
    (FILE_2021, "3.5", "Årsrapport og regnskab 2020 og budget 2022 for Fælleskommunalt Sundhedssekretariat"),
    (FILE_2021, "5.1", "Punkter til næste møde i KKR Syddanmark den 31. august 2021"),
    (FILE_2023_02, "1.1", "Godkendelse af referat fra møde i KKR Syddanmark den 21. november 2022"),
    (FILE_2023_02, "2.7", "Indsatsmodeller for udsatte gravide med skadeligt rusmiddelforbrug"),
    (FILE_2023_02, "4.1", "Punkter til næste møde i KKR Syddanmark den 21.april 2023"),
    (FILE_2025, "1.1", "Godkendelse af referat fra mødet i KKR Syddanmark d. 17. juni 2025"),
    (FILE_2025, "2.1", "Temadrøftelse om sundhedsreformen og de kommende sundhedsråd v. Per Okkels"),
    (FILE_2025, "2.3", "Det fælleskommunale sundhedssekretariats regnskab og årsrapport for 2024 samt budget for 2026"),
    (FILE_2025, "2.4", "Det fælleskommunale klimasekretariats regnskab og årsrapport for 2024 samt budget for 2026"),
    (FILE_2025, "2.5", "Det fælleskommunale socialsekretariats regnskab og årsrapport 2024 samt budget 2026"),
    (FILE_2025, "2.6", "Fordeling af lærepladser på SOSU-uddannelserne i Syddanmark for 2026"),
    (FILE_2025, "2.9", "Orientering om Socialtilsyn Syds årsrapport 2024 og finansiering 2026"),
]


# Titles on a single line in the text.
SINGLE_LINE_TITLES = [
    (FILE_2023_11, "2.1", "Tamarække i KKR – fremtidens velfærd / samfundskontrakten"),
    (FILE_2023_11, "2.2", "Status på arbejdet i partnerskabet mellem KKR Syddanmark, UC SYD og UC Lillebælt"),
    (FILE_2021, "3.2", "Status for det specialiserede socialområde"),
    (FILE_2023_02, "2.1", "Input til Erhvervsfremmestrategi 2024-2027"),
    (FILE_2025, "2.8", "Status på etablering af fælles it-driftsenheder"),
    (FILE_2020, "7.1", "Eventuelt"),
]


@pytest.mark.parametrize(("name", "number", "title"), [*WRAPPED_TITLES, *SINGLE_LINE_TITLES])
def test_title_in_full(corpus, name, number, title):
    assert item(corpus[name], number).title == title


@pytest.mark.parametrize("name", ALL_FILES)
def test_titles_are_clean(corpus, name):
    for agenda_item in corpus[name].items:
        title = agenda_item.title
        assert title == title.strip() and "  " not in title and "\t" not in title, title
        assert not title.endswith("-"), title
        assert not re.search(r"\.{2,}|\s\d{1,3}$", title), title


@pytest.mark.parametrize("name", ALL_FILES)
def test_case_numbers_match_case_lines_in_text(corpus, name):
    expected = [m[1] for line in raw_lines(name) if (m := re.match(r"^\s*(SAG-\d{4}-\d+)", line))]

    assert [i.case_number for i in corpus[name].items if i.case_number] == expected


@pytest.mark.parametrize(
    ("name", "number", "case_number"),
    [
        (FILE_2025, "2.8", "SAG-2025-00639"),
        (FILE_2025, "2.7", "SAG-2025-03188"),
        (FILE_2020, "3.1", "SAG-2019-06159"),
        (FILE_2020, "3.2", "SAG-2019-06159"),
        (FILE_2020, "3.3", "SAG-2020-03447"),
        (FILE_2020, "7.1", None),
        (FILE_2021, "6.1", "SAG-2021-02179"),
        (FILE_2023_02, "2.3", "SAG-2022-04990"),
        (FILE_2023_11, "6.1", "SAG-2023-04719"),
    ],
)
def test_case_number(corpus, name, number, case_number):
    assert item(corpus[name], number).case_number == case_number


# --- Decisions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_FILES)
def test_decision_section_for_every_decision_in_text(corpus, name):
    in_text = sum(1 for line in raw_lines(name) if line.strip() == "Beslutning")
    parsed = [s for i in corpus[name].items for s in i.sections if s.name == "Beslutning"]
    items_with_decision = [i for i in corpus[name].items if i.section("Beslutning")]

    assert len(parsed) == in_text
    assert len(items_with_decision) == in_text


@pytest.mark.parametrize(("name", "count"), [(FILE_2020, 14), (FILE_2021, 12), (FILE_2023_11, 13), (FILE_2025, 12)])
def test_minutes_decision_counts(corpus, name, count):
    assert sum(1 for i in corpus[name].items if i.section("Beslutning")) == count


def test_agenda_has_no_decisions(corpus):
    document = corpus[FILE_2023_02]

    assert not [i.number for i in document.items if i.section("Beslutning")]
    assert document.doc_type == "dagsorden"


@pytest.mark.parametrize(
    ("name", "number", "decision"),
    [
        (FILE_2023_11, "2.4", [
            "KKR Syddanmark godkendte, at kontrakten med SDEO forlænges til udgangen af 2024.",
            ("Mads Sørensen fortalte, at bestyrelsen, med kontraktens udløb, ser en mulighed for at se "
            "konstruktionen efter og sætte gang i en strategidrøftelse."),
        ]),
        (FILE_2025, "2.8", ["KKR Syddanmark godkendte indstillingen."]),
        (FILE_2021, "3.4", [
            ("KKR Syddanmark godkendte Fælleskommunalt Socialsekretariats årsrapport 2020 og budget for 2022 samt "
            "tog regnskab for 2020 til efterretning."),
        ]),
        (FILE_2020, "3.4", [
            ("KKR Syddanmark godkendte Rammeaftalen 2021-2022 og anbefaler kommuner ligeledes at godkende "
            "rammeaftalen."),
        ]),
    ],
)
def test_decision_text(corpus, name, number, decision):
    assert item(corpus[name], number).section("Beslutning").paragraphs == decision


# --- Bad input in a batch -------------------------------------------------------------------------


@pytest.fixture
def mixed_batch(tmp_path) -> dict[str, Path]:
    good = tmp_path / FILE_2023_11
    shutil.copyfile(CORPUS / FILE_2023_11, good)
    empty = tmp_path / "tom.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.md"
    blank.write_text(" \n\n  \n", encoding="utf-8")
    unsupported = tmp_path / "referat.docx"
    unsupported.write_bytes(b"PK\x03\x04 not really a docx")
    # A readable file without agenda items is not refused: the fallback indexes it by its headings.
    no_items = tmp_path / "forside.txt"
    no_items.write_text("\n".join(FRONT_PAGE_2020) + "\n", encoding="utf-8")
    return {"good": good, "empty": empty, "blank": blank, "unsupported": unsupported, "no_items": no_items}


def test_bad_files_reported_and_good_file_parsed(mixed_batch):
    result = ingest_paths(list(mixed_batch.values()))

    assert [d.file_name for d in result.documents] == [FILE_2023_11, "forside.txt"]
    assert len(result.documents[0].items) == 13
    assert result.documents[0].layout == "punkter"
    front = result.documents[1]
    assert front.layout == "fallback"
    assert [(i.number, i.title) for i in front.items] == [("afsnit 1", "Mission"), ("afsnit 2", "Vision")]
    assert {e.source: e.reason for e in result.errors} == {
        "tom.txt": "empty",
        "blank.md": "empty",
        "referat.docx": "unsupported",
    }
    assert all(isinstance(e, IngestError) and e.message for e in result.errors)


def test_good_file_parsed_whatever_its_place_in_batch(mixed_batch):
    paths = list(mixed_batch.values())

    result = ingest_paths(list(reversed(paths)))

    assert [d.file_name for d in result.documents] == ["forside.txt", FILE_2023_11]
    assert len(result.errors) == 3


def test_folder_batch_skips_unsupported_files_silently(mixed_batch):
    result = ingest_paths([mixed_batch["good"].parent])

    assert [d.file_name for d in result.documents] == ["forside.txt", FILE_2023_11]  # name order
    assert {e.source: e.reason for e in result.errors} == {"tom.txt": "empty", "blank.md": "empty"}


def test_missing_file_reported(tmp_path):
    result = ingest_paths([tmp_path / "findes-ikke.txt"])

    assert result.documents == []
    assert [(e.source, e.reason) for e in result.errors] == [("findes-ikke.txt", "missing")]


# --- Command line ------------------------------------------------------------------------------------


@pytest.fixture
def cli_run(mixed_batch, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MINUTES_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(REPO)}
    paths = [str(mixed_batch[key]) for key in ("good", "empty", "unsupported", "no_items")]
    return subprocess.run(
        [sys.executable, "-m", "index", "inspect", *paths, "--json"],
        check=False,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_inspect_json(cli_run):
    all_rows = json.loads(cli_run.stdout)
    assert [row["item"] for row in all_rows if row["source"] == "forside.txt"] == ["afsnit 1", "afsnit 2"]
    assert {row["layout"] for row in all_rows if row["source"] == "forside.txt"} == {"fallback"}
    rows = [row for row in all_rows if row["source"] == FILE_2023_11]
    assert {row["layout"] for row in rows} == {"punkter"}

    assert [row["item"] for row in rows] == [
        "1.1", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "3.1", "3.2", "4.1", "4.2", "5.1", "6.1",
    ]
    assert all(set(row) == INSPECT_KEYS for row in rows)
    first = rows[1]
    assert first["source"] == FILE_2023_11
    assert first["meeting_date"] == "2023-11-21"
    assert first["doc_type"] == "referat"
    assert first["title"] == "Tamarække i KKR – fremtidens velfærd / samfundskontrakten"
    assert first["case_number"] == "SAG-2023-04719"
    assert list(first["sections"]) == ["Baggrund", "Indstilling", "Sagsfremstilling", "Beslutning"]
    assert isinstance(first["chunks"], int) and first["chunks"] >= 4

    # Errors go to stderr, one line per bad file, no traceback; the exit code says some files failed.
    assert cli_run.returncode == 1
    assert "Traceback" not in cli_run.stderr
    error_lines = cli_run.stderr.strip().splitlines()
    assert len(error_lines) == 2
    assert all(line.startswith("fejl: ") for line in error_lines)
    for name in ("tom.txt", "referat.docx"):
        assert any(name in line for line in error_lines), name


def test_cli_inspect_all_good_exits_zero(tmp_path, capsys):
    shutil.copyfile(CORPUS / FILE_2025, tmp_path / FILE_2025)

    code = index_main(["inspect", str(tmp_path / FILE_2025), "--json"])

    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    rows = json.loads(out)
    assert len(rows) == 12
    assert all(row["meeting_date"] is None for row in rows)
    assert [row["case_number"] for row in rows if row["item"] == "2.8"] == ["SAG-2025-00639"]
