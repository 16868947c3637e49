"""The Chroma index: incremental builds by file hash, replacement without duplicates, model check."""

from __future__ import annotations

from pathlib import Path

import pytest

import settings
from index.chroma import IndexMismatchError, open_collection
from index.identity import display_name
from index.store import build_index
from tests.tiny_docs import meeting_text, write_meeting

SMALL = "kkr-syddanmark-2023-11-21-referat.txt"
OTHER = "kkr-syddanmark-2025-referat.txt"
UNDATED = "udateret.txt"


def _stored(config) -> dict[str, list[str]]:
    """Chunk ids by file name (the files in these tests have names of their own)."""
    collection = open_collection(config)
    stored = collection.get(include=["metadatas"])
    by_source: dict[str, list[str]] = {}
    for metadata in stored["metadatas"]:
        by_source.setdefault(display_name(metadata["source"]), []).append(metadata["chunk_id"])
    return by_source


def names(keys: list[str]) -> list[str]:
    return sorted(display_name(key) for key in keys)


@pytest.fixture
def two_tiny(tmp_path: Path) -> Path:
    """Two small meetings, one without a date: what a whole build is tested on, embedded in a second."""
    folder = tmp_path / "tiny"
    write_meeting(folder / "referat.txt")
    (folder / UNDATED).write_text(meeting_text("psykiatri").replace("Dato: 21-11-2023 10:00\n", ""),
                                  encoding="utf-8")
    return folder


def test_build_then_rebuild_skips_unchanged_files(isolated_settings, two_tiny: Path) -> None:
    first = build_index([two_tiny], config=isolated_settings)
    assert names(first.added) == sorted(["referat.txt", UNDATED]) and first.chunks_embedded > 0
    assert names(first.unknown_dates) == [UNDATED]
    again = build_index([two_tiny], config=isolated_settings)
    assert again.added == [] and again.updated == []
    assert names(again.unchanged) == sorted(["referat.txt", UNDATED])
    assert again.chunks_embedded == 0


def test_changed_file_replaces_its_chunks_and_keeps_the_others(isolated_settings, indexed_folder) -> None:
    two_files = indexed_folder(SMALL, OTHER)
    before = _stored(isolated_settings)
    path = two_files / SMALL
    text = path.read_text(encoding="utf-8").replace(
        "KKR Syddanmark besluttede at godkende referatet.",
        "KKR Syddanmark besluttede at godkende referatet med en rettelse om lånepuljen.",
    )
    path.write_text(text, encoding="utf-8")
    report = build_index([two_files], config=isolated_settings)
    assert names(report.updated) == [SMALL]
    after = _stored(isolated_settings)
    assert after[OTHER] == before[OTHER]
    assert len(after[SMALL]) == len(set(after[SMALL])), "re-ingesting must not duplicate chunks"
    assert sorted(after[SMALL]) == sorted(before[SMALL])
    decision = open_collection(isolated_settings).get(
        where={"chunk_id": f"{path.resolve()}#1.1/Beslutning/0"}, include=["documents"]
    )["documents"]
    assert len(decision) == 1, "the old version of a changed chunk must be gone"
    assert "rettelse om lånepuljen" in decision[0]


def test_removed_file_is_pruned_from_its_folder(isolated_settings, indexed_folder) -> None:
    two_files = indexed_folder(SMALL, OTHER)
    (two_files / OTHER).unlink()
    report = build_index([two_files], config=isolated_settings)
    assert names(report.removed) == [OTHER]
    assert set(_stored(isolated_settings)) == {SMALL}


def test_single_file_build_does_not_prune_the_rest(isolated_settings, indexed_folder, tmp_path: Path) -> None:
    indexed_folder(SMALL, OTHER)
    extra = write_meeting(tmp_path / "ekstra-referat.txt", topic="psykiatri")
    report = build_index([extra], config=isolated_settings)
    assert names(report.added) == [extra.name] and report.removed == []
    assert set(_stored(isolated_settings)) == {SMALL, OTHER, extra.name}


def test_bad_file_loses_nothing(isolated_settings, indexed_folder) -> None:
    two_files = indexed_folder(SMALL, OTHER)
    before = _stored(isolated_settings)
    (two_files / SMALL).write_bytes(b"")
    (two_files / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf")
    report = build_index([two_files], config=isolated_settings)
    assert any(SMALL in error and "tom" in error for error in report.errors)
    assert any("broken.pdf" in error and "beskadiget" in error for error in report.errors)
    assert _stored(isolated_settings) == before


def test_index_built_with_another_model_is_refused(
    isolated_settings, two_tiny: Path, embedding_model: Path, tmp_path: Path, monkeypatch
) -> None:
    two_files = two_tiny
    build_index([two_files], config=isolated_settings)
    other_model = tmp_path / "another-sentence-transformer"
    other_model.symlink_to(embedding_model, target_is_directory=True)  # a model under another name
    monkeypatch.setenv("MINUTES_EMBED_MODEL", str(other_model))
    settings.get_settings.cache_clear()
    other = settings.get_settings()

    with pytest.raises(IndexMismatchError, match="python -m index build --rebuild") as refused:
        open_collection(other)
    assert str(embedding_model) in str(refused.value) and str(other_model) in str(refused.value)
    with pytest.raises(IndexMismatchError):
        build_index([two_files], config=other)  # an incremental build must not mix two models' vectors
    assert _stored(isolated_settings)  # and it changed nothing

    report = build_index([two_files], config=other, rebuild=True)
    assert names(report.added) == sorted(["referat.txt", UNDATED])
    assert open_collection(other).metadata["embed_model"] == str(other_model)


def test_cli_build_reports_and_is_incremental(isolated_settings, two_tiny: Path) -> None:
    """Two small meetings (the CLI's own process embeds them), one of them without a date."""
    import os
    import subprocess
    import sys

    two_files = two_tiny
    env = {**os.environ, "MINUTES_DATA_DIR": str(isolated_settings.data_dir)}
    command = [sys.executable, "-m", "index", "build", str(two_files)]
    first = subprocess.run(command, check=False, cwd=settings.REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    assert "2 nye" in first.stdout and "dato ikke oplyst" in first.stdout
    second = subprocess.run(command, check=False, cwd=settings.REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert "0 nye, 0 ændrede, 2 uændrede" in second.stdout
    assert "Traceback" not in first.stderr + second.stderr


def test_a_collection_past_sqlites_variable_limit_is_read_whole(isolated_settings) -> None:
    """Chroma reads an unlimited get() with a SQL variable per record; SQLite allows 32,766. The index
    reads whole collections (sync, BM25, sentence vectors) in pages instead; the 100× growth run failed here."""
    import numpy as np
    from chromadb.errors import InternalError

    from index.chroma import chroma_client, read_all

    collection = chroma_client(isolated_settings).create_collection("many-records")
    total = 33_000
    for start in range(0, total, 5_000):
        ids = [f"r{i}" for i in range(start, min(total, start + 5_000))]
        collection.add(ids=ids, embeddings=np.ones((len(ids), 2), dtype=np.float32),
                       metadatas=[{"file_hash": f"h{i % 7}"} for i in range(start, start + len(ids))],
                       documents=[f"sætning {i}" for i in range(start, start + len(ids))])
    with pytest.raises(InternalError, match="too many SQL variables"):
        collection.get(include=["metadatas"])
    everything = read_all(collection, ["metadatas", "documents"])
    assert len(everything["ids"]) == len(set(everything["ids"])) == total
    assert len(everything["metadatas"]) == len(everything["documents"]) == total
    selected = read_all(collection, [], where={"file_hash": "h3"})
    assert len(selected["ids"]) == len(range(3, total, 7))


def test_someone_waiting_sees_progress_within_one_files_chunks(embedding_model) -> None:
    """The app's upload bar: a callback hears after every PROGRESS_BATCH chunks, not once per EMBED_BATCH."""
    from llama_index.core.schema import TextNode

    from index.store import EMBED_BATCH, PROGRESS_BATCH, embed_nodes

    nodes = [TextNode(text=f"Punkt {number}: KKR Syddanmark tog orienteringen til efterretning.")
             for number in range(PROGRESS_BATCH * 2 + 5)]
    assert len(nodes) <= EMBED_BATCH, "one hand-over without a callback"
    reports: list[tuple[int, int]] = []
    embed_nodes(nodes, progress=lambda done, total, label: reports.append((done, total)))
    assert reports == [(PROGRESS_BATCH, len(nodes)), (2 * PROGRESS_BATCH, len(nodes)), (len(nodes), len(nodes))]
    assert all(len(node.embedding) == 384 for node in nodes)
