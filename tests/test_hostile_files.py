"""Hostile and odd files: every failure stays with its file, with a Danish reason.

pypdf's LimitReachedError, NotImplementedError and DependencyError must not
escape and end a batch with a traceback; UTF-16 text must be read as text; a
file over a limit is refused with the limit and its setting named.
"""

from __future__ import annotations

import random
import shutil
import time
from datetime import date
from pathlib import Path

import pytest

from index.chroma import open_collection
from index.errors import IngestError
from index.ingest import ingest_paths
from index.parsing import parse_file
from index.store import build_index
from tests.pdf_factory import HOSTILE_KINDS, write_hostile_pdf, write_meeting_pdf
from tests.tiny_docs import limited, meeting_text, write_meeting

SEED = 20261129
MUTANTS = 300
PDF_TEXT = """1.1. Godkendelse af dagsorden
SAG-2023-00001
Beslutning
KKR Syddanmark godkendte dagsordenen.

1.2. Botilbud og lånepulje
SAG-2023-00002
Baggrund
Kommunerne har behov for flere pladser på botilbud, og en lånepulje kan hjælpe.
Beslutning
KKR Syddanmark besluttede at anbefale lånepuljen til botilbud."""
REPLACEMENTS = [b"/LZWDecode", b"/JBIG2Decode", b"/FooDecode", b"999999999", b"-1", b"[", b"<<", b"/DCTDecode",
                b"/RunLengthDecode", b"/ASCII85Decode"]
TOKENS = [b"/FlateDecode", b"/Length", b"obj", b"endobj", b"stream", b"/Filter", b"R", b"/Kids", b"/Contents"]


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One mutant: flipped bytes, a truncation, inserted garbage or a PDF token swapped for another."""
    mutant = bytearray(data)
    kind = rng.randrange(4)
    if kind == 0:
        for _ in range(rng.randint(1, 20)):
            mutant[rng.randrange(len(mutant))] = rng.randrange(256)
    elif kind == 1:
        mutant = mutant[: rng.randrange(len(mutant))]
    elif kind == 2:
        at = rng.randrange(len(mutant))
        mutant[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 50)))
    else:
        token = rng.choice(TOKENS)
        at = mutant.find(token, rng.randrange(len(mutant)))
        if at >= 0:
            mutant[at : at + len(token)] = rng.choice(REPLACEMENTS)
    return bytes(mutant)


@pytest.fixture(scope="module")
def good_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_meeting_pdf(PDF_TEXT, tmp_path_factory.mktemp("good") / "god.pdf", meeting_date=date(2023, 11, 21))


def test_fuzzed_pdfs_never_stop_the_batch(tiny_settings, good_pdf: Path, tmp_path: Path) -> None:
    folder = tmp_path / "fuzz"
    folder.mkdir()
    rng = random.Random(SEED)
    data = good_pdf.read_bytes()
    for number in range(MUTANTS):
        (folder / f"mutant-{number:03d}.pdf").write_bytes(mutate(rng, data))
    for kind in HOSTILE_KINDS:
        write_hostile_pdf(folder / f"mutant-{kind}.pdf", kind)
    shutil.copyfile(good_pdf, folder / "god.pdf")
    write_meeting(folder / "god.txt")

    started = time.perf_counter()
    result = ingest_paths([folder])  # no exception may escape
    seconds = time.perf_counter() - started

    read = {document.file_name for document in result.documents}
    failed = {error.source: error for error in result.errors}
    assert {"god.pdf", "god.txt"} <= read
    assert len(read) + len(failed) == MUTANTS + len(HOSTILE_KINDS) + 2, "every file is either read or refused"
    assert all(isinstance(error, IngestError) and error.message for error in failed.values())
    for kind in HOSTILE_KINDS:
        assert failed[f"mutant-{kind}.pdf"].reason == "corrupt", kind
    assert seconds < 60

    refused = tmp_path / "refused"  # the refused mutants beside the good files, through a real build
    refused.mkdir()
    for name in failed:
        shutil.copyfile(folder / name, refused / name)
    for name in ("god.pdf", "god.txt"):
        shutil.copyfile(folder / name, refused / name)
    report = build_index([refused], config=tiny_settings)
    assert sorted(Path(key).name for key in report.added) == ["god.pdf", "god.txt"]
    assert len(report.errors) == len(failed)


@pytest.mark.parametrize("kind", HOSTILE_KINDS)
def test_hostile_pdf_gets_a_danish_reason(kind: str, tmp_path: Path) -> None:
    path = write_hostile_pdf(tmp_path / "referat.pdf", kind)
    result = ingest_paths([path])
    assert result.documents == []
    [error] = result.errors
    assert error.source == "referat.pdf" and error.message.startswith("PDF-filen er beskadiget")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1252"])
def test_text_files_in_every_danish_encoding(encoding: str, tmp_path: Path) -> None:
    data = meeting_text("æblehaver og øer").encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # with its BOM, as editors write it
    path = tmp_path / "referat.txt"
    path.write_bytes(data)
    document = parse_file(path)
    assert [item.title for item in document.items] == ["Æblehaver og øer og lånepulje", "Sygehusbyggeri"]
    assert document.meeting_date == date(2023, 11, 21)


def test_binary_text_file_is_not_text(tmp_path: Path) -> None:
    binary = tmp_path / "referat.txt"
    binary.write_bytes(random.Random(SEED).randbytes(4000))
    text_with_nul = tmp_path / "nul.txt"
    text_with_nul.write_bytes(meeting_text().encode() + b"\x00\x00\x01\x02")
    result = ingest_paths([binary, text_with_nul])
    assert result.documents == []
    assert [error.reason for error in result.errors] == ["not_text", "not_text"]
    assert all("ikke en tekstfil" in error.message for error in result.errors)


def test_limits_name_themselves(tiny_settings, good_pdf: Path, tmp_path: Path, monkeypatch) -> None:
    two_pages = write_meeting_pdf(PDF_TEXT.replace("1.2.", "\f1.2."), tmp_path / "to-sider.pdf",
                                  meeting_date=date(2023, 11, 21))
    long_text = write_meeting(tmp_path / "lang.txt")
    config = limited(monkeypatch, MAX_PAGES="1", MAX_CHARS="200", MAX_CHUNKS="2")
    pages = len(__import__("pypdf").PdfReader(two_pages).pages)

    result = ingest_paths([two_pages, long_text])
    messages = {error.source: error.message for error in result.errors}
    if pages > 1:
        assert messages["to-sider.pdf"] == (f"PDF-filen har for mange sider ({pages} sider; grænsen er 1, "
                                            "sat med MINUTES_MAX_PAGES)")
    assert messages["lang.txt"].startswith("filen har for meget tekst (mindst ")
    assert messages["lang.txt"].endswith("grænsen er 200 tegn, sat med MINUTES_MAX_CHARS)")

    config = limited(monkeypatch, MAX_PAGES="500", MAX_CHARS="100000", MAX_CHUNKS="2")
    report = build_index([long_text], config=config)
    assert report.added == []
    assert report.errors == [
        "lang.txt: filen giver for mange tekststykker (3 tekststykker; grænsen er 2, sat med MINUTES_MAX_CHUNKS)"
    ]
    assert open_collection(config).count() == 0


def test_app_starts_with_a_bad_corpus_file_and_lists_it(tiny_settings) -> None:
    from app import prepare, startup_notice

    write_meeting(tiny_settings.corpus_dir / "god.txt")
    write_hostile_pdf(tiny_settings.corpus_dir / "ødelagt.pdf", "unicode_limit")
    write_meeting(tiny_settings.uploads_dir / "god.txt", "psykiatri")  # an earlier upload of the same name

    retriever, notices = prepare(tiny_settings)

    assert sorted(meeting["source"] for meeting in retriever.sources()) == ["god.txt", "uploads/god.txt"]
    assert len(notices) == 1 and notices[0].startswith("ødelagt.pdf: PDF-filen er beskadiget")
    assert "❌ ødelagt.pdf" in startup_notice(notices)
