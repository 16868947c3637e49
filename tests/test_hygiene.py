"""Input hygiene and the write path's guarantees: clean questions and names, size before reading,
unique ids whatever a document repeats, nothing searchable before all its parts are stored, errors logged."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest

from index.chroma import open_collection
from index.store import build_index
from tests.tiny_docs import write_meeting

REPEATING = """REFERAT
Dato: 12-03-2024 10:00
1.1. Botilbud og lånepulje
SAG-2024-00001
Beslutning
KKR Syddanmark godkendte lånepuljen.
Baggrund
Kommunerne har brug for pladser.
Beslutning
KKR Syddanmark godkendte lånepuljen.
1.2. Eventuelt
Beslutning
KKR Syddanmark godkendte lånepuljen.
"""


def test_control_characters_and_escape_sequences_separate_words_in_a_question(tiny_settings, tmp_path: Path) -> None:
    from assistant.retrieval import HybridRetriever
    from assistant.service import ask

    build_index([write_meeting(tmp_path / "referat.txt")], config=tiny_settings)
    answer = ask("Hvad\x00blev der \x1b[31mbesluttet\x1b[0m om \u202ebotilbud?", retriever=HybridRetriever(tiny_settings))
    assert answer.question == "Hvad blev der besluttet om botilbud?"
    assert "21. november 2023" in answer.text


def test_stored_file_names_lose_bidi_overrides_and_control_characters() -> None:
    from index.uploads import safe_name

    assert safe_name("referat\u202efdp.txt") == "referatfdp.txt"
    assert safe_name("møde\x00\x1b[2J\u2066referat.pdf") == "møde referat.pdf"
    assert safe_name("../../etc/\u202epasswd") == "passwd"


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from index.ingest import ingest_paths

    huge = tmp_path / "kæmpe.txt"
    with huge.open("wb") as handle:  # sparse: 1 GB long, nothing written
        handle.truncate(2**30)
    started = time.perf_counter()
    result = ingest_paths([huge])
    assert time.perf_counter() - started < 5
    assert [error.reason for error in result.errors] == ["too_large"]
    assert "MINUTES_MAX_UPLOAD_MB" in result.errors[0].message
    os.unlink(huge)


def test_ids_are_unique_whatever_a_document_repeats(tiny_settings, tmp_path: Path) -> None:
    from index.sentence_vectors import open_sentences

    path = tmp_path / "gentaget.txt"
    path.write_text(REPEATING, encoding="utf-8")
    report = build_index([path], config=tiny_settings)
    assert not report.errors and len(report.added) == 1, report.summary()
    stored = open_collection(tiny_settings).get(include=["metadatas"])
    chunk_ids = [m["chunk_id"] for m in stored["metadatas"]]
    assert len(chunk_ids) == len(set(chunk_ids)) == 4  # item 1.1 has two sections headed Beslutning
    sentences = open_sentences(tiny_settings).get(include=["documents"])
    assert len(sentences["ids"]) == len(set(sentences["ids"]))


def test_a_document_is_searchable_only_once_all_its_parts_are_stored(tiny_settings, tmp_path: Path) -> None:
    from assistant.retrieval import HybridRetriever
    from index.ingest import ingest_file
    from index.store import BuildReport, publish, sync_derived, sync_document, writing

    build_index([write_meeting(tmp_path / "a" / "referat.txt")], config=tiny_settings)
    retriever = HybridRetriever(tiny_settings)
    document = ingest_file(write_meeting(tmp_path / "b" / "psykiatri.txt", "psykiatri", day="05-03-2024"))
    with writing(tiny_settings):
        collection = open_collection(tiny_settings)
        sync_document(collection, document, None, BuildReport(), config=tiny_settings)
        # Chunks are stored, sentence vectors and the lexical index not yet: a fresh reader does not see them.
        half = HybridRetriever(tiny_settings)
        assert document.source not in {m["source"] for m in half.sources()}
        found = half.retrieve_chunks("lånepuljen til psykiatri")
        assert found and all(chunk.metadata["source"] != document.source for chunk in found)
        sync_derived(collection, tiny_settings)
        assert document.source not in {m["source"] for m in HybridRetriever(tiny_settings).sources()}
        publish(collection, [document.source])
    retriever.refresh()
    assert document.source in {m["source"] for m in retriever.sources()}
    assert any(chunk.metadata["source"] == document.source
               for chunk in retriever.retrieve_chunks("lånepuljen til psykiatri"))


def test_an_unexpected_error_is_logged_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    import settings
    from app import error_message

    try:
        raise KeyError("noget gik galt")
    except KeyError as error:
        with caplog.at_level(logging.ERROR, logger="app"):
            message = error_message(error, settings.get_settings())
    assert "uventet fejl (KeyError)" in message
    record = next(r for r in caplog.records if r.name == "app")
    assert record.exc_info and record.exc_info[0] is KeyError


def test_a_full_disk_question_error_names_the_data_folder_not_its_path() -> None:
    import errno

    import settings
    from app import error_message

    config = settings.get_settings()
    message = error_message(OSError(errno.ENOSPC, "No space left on device"), config)
    assert f"datamappen »{config.data_dir.name}«" in message and str(config.data_dir) not in message
