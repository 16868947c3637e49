"""The BM25 index is saved with the index: a restart loads it, a changed file changes it."""

from __future__ import annotations

from assistant.retrieval import HybridRetriever
from index.lexical import VERSION_FILE, lexical_dir
from index.store import build_index
from tests.helpers import FILE_2023_11, FILE_2025

QUESTIONS = ("botilbud og lånepulje", "sundhedsaftalen", "praktikpladser til unge", "Kvantespringsudvalget")


def _bm25(retriever: HybridRetriever, question: str) -> list[tuple[str, float]]:
    """The chunks BM25 scores above zero (it pads its top k with zero scores), best first."""
    return [(chunk.node_id, round(chunk.raw_scores["bm25"], 6))
            for chunk in retriever.retrieve_chunks(question, mode="bm25") if chunk.raw_scores["bm25"] > 0]


def test_build_restart_same_ranking_and_a_changed_file_changes_it(isolated_settings, indexed_folder) -> None:
    folder = indexed_folder(FILE_2023_11, FILE_2025)  # build_index([folder]), done once per session
    saved = lexical_dir(isolated_settings) / VERSION_FILE
    assert saved.is_file(), "the build saves the BM25 index with the index"
    written = saved.stat().st_mtime_ns

    first = {question: _bm25(HybridRetriever(isolated_settings), question) for question in QUESTIONS}
    restarted = HybridRetriever(isolated_settings)  # a new process's retriever: loads, does not rebuild
    assert {question: _bm25(restarted, question) for question in QUESTIONS} == first
    assert first["sundhedsaftalen"], "the saved index finds what the material says"
    assert saved.stat().st_mtime_ns == written, "loading must not rebuild the saved index"
    assert type(restarted._bm25(None).bm25.scores["data"]).__name__ == "memmap"

    path = folder / FILE_2023_11
    path.write_text(path.read_text(encoding="utf-8").replace("Siden sidst", "Siden sidst i Kvantespringsudvalget"),
                    encoding="utf-8")
    build_index([folder], config=isolated_settings)
    assert saved.stat().st_mtime_ns != written
    changed = _bm25(HybridRetriever(isolated_settings), "Kvantespringsudvalget")
    assert not first["Kvantespringsudvalget"] and changed
    restarted.refresh()  # a running app sees the change too
    assert _bm25(restarted, "Kvantespringsudvalget") == changed
