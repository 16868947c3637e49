"""Sentence vectors are made at index time: a question embeds nothing but itself.

A llama-index instrumentation handler sees every embedding call the model makes
(the library's own event stream, not a stand-in for the model).
"""

from __future__ import annotations

import numpy as np

from assistant import similarity
from assistant.retrieval import HybridRetriever
from assistant.service import ask
from eval.runner import load_golden
from index.sentence_vectors import open_sentences
from index.store import build_index
from tests.helpers import FILE_2023_11, FILE_2025

CHANGED = "KKR Syddanmark besluttede at godkende referatet."
REPLACEMENT = "KKR Syddanmark besluttede at godkende referatet med en rettelse om lånepuljen."


class _EmbeddedTexts:
    """Collects the texts of every embedding call while it is installed."""

    def __init__(self) -> None:
        from llama_index.core.instrumentation import get_dispatcher
        from llama_index.core.instrumentation.event_handlers import BaseEventHandler
        from llama_index.core.instrumentation.events.embedding import EmbeddingEndEvent

        texts: list[str] = []

        class Handler(BaseEventHandler):
            @classmethod
            def class_name(cls) -> str:
                return "EmbeddedTexts"

            def handle(self, event, **kwargs) -> None:
                if isinstance(event, EmbeddingEndEvent):
                    texts.extend(event.chunks)

        self.texts = texts
        self._handler = Handler()
        self._dispatcher = get_dispatcher()

    def __enter__(self) -> list[str]:
        self._dispatcher.add_event_handler(self._handler)
        return self.texts

    def __exit__(self, *exc) -> None:
        self._dispatcher.event_handlers.remove(self._handler)


def test_questions_on_the_bundled_corpus_embed_only_themselves(corpus_index: HybridRetriever) -> None:
    questions = [row["question"] for row in load_golden()]
    fallbacks = similarity.fallback_embeddings()
    with _EmbeddedTexts() as embedded:
        for question in questions:
            ask(question, retriever=corpus_index, use_llm=False)
    assert similarity.fallback_embeddings() == fallbacks, "a sentence was embedded at question time"
    assert embedded, "the instrumentation saw no embedding at all"
    # A question of two parts ("…, og hvornår …?") scores each part's sentences by the part's own words.
    from assistant.question import analyse

    own_words = set(questions) | {text for q in questions for part in analyse(q).parts
                                  for text in (part.text, part.search)}
    assert set(embedded) <= own_words, [text for text in embedded if text not in own_words][:3]
    assert len(embedded) <= len(own_words), "a question was embedded more than once"


def _sentence_hashes(config) -> dict[str, set[str]]:
    """File hashes per document, by file name (documents outside the corpus are keyed by their location)."""
    from index.identity import display_name

    stored = open_sentences(config).get(include=["metadatas", "documents"])
    by_source: dict[str, set[str]] = {}
    for metadata in stored["metadatas"]:
        by_source.setdefault(display_name(metadata["source"]), set()).add(metadata["file_hash"])
    return by_source


def _vectors_by_text(config) -> dict[str, tuple[float, ...]]:
    stored = open_sentences(config).get(include=["documents", "embeddings"])
    return {text: tuple(vector) for text, vector in zip(stored["documents"], stored["embeddings"], strict=True)}


def test_sentence_vectors_are_replaced_and_removed_with_their_file(isolated_settings, indexed_folder) -> None:
    two_files = indexed_folder(FILE_2023_11, FILE_2025)
    before = _sentence_hashes(isolated_settings)
    assert set(before) == {FILE_2023_11, FILE_2025} and all(len(h) == 1 for h in before.values())

    vectors_before = _vectors_by_text(isolated_settings)
    path = two_files / FILE_2023_11
    path.write_text(path.read_text(encoding="utf-8").replace(CHANGED, REPLACEMENT), encoding="utf-8")
    with _EmbeddedTexts() as embedded:
        report = build_index([two_files], config=isolated_settings)
    # Only what the edit touched is embedded again: the chunk holding it and the sentence itself.
    assert report.updated and 1 <= report.chunks_embedded <= 2, report.chunks_embedded
    assert all(REPLACEMENT in text for text in embedded), [t for t in embedded if REPLACEMENT not in t][:2]
    assert any(text == REPLACEMENT for text in embedded)
    vectors_after = _vectors_by_text(isolated_settings)
    kept = set(vectors_before) & set(vectors_after)
    assert len(kept) == len(vectors_after) - 1 and CHANGED not in vectors_after
    # The embedding calls above show nothing else was embedded; the kept vectors went through storage unchanged.
    assert all(np.allclose(vectors_before[text], vectors_after[text], atol=1e-6) for text in kept)
    after = _sentence_hashes(isolated_settings)
    assert after[FILE_2025] == before[FILE_2025]
    assert len(after[FILE_2023_11]) == 1 and after[FILE_2023_11] != before[FILE_2023_11]
    texts = open_sentences(isolated_settings).get(include=["documents"])["documents"]
    assert any("rettelse om lånepuljen" in text for text in texts)

    path.unlink()
    build_index([two_files], config=isolated_settings)
    assert set(_sentence_hashes(isolated_settings)) == {FILE_2025}


def test_an_index_without_sentence_vectors_gets_them_on_the_next_build(isolated_settings, indexed_folder) -> None:
    """An index from before sentence vectors existed: the next build adds them, re-embedding no chunk."""
    from index.chroma import chroma_client
    from index.sentence_vectors import SENTENCE_COLLECTION

    two_files = indexed_folder(FILE_2023_11, FILE_2025)
    chroma_client(isolated_settings).delete_collection(SENTENCE_COLLECTION)
    report = build_index([two_files], config=isolated_settings)
    assert report.chunks_embedded == 0
    assert set(_sentence_hashes(isolated_settings)) == {FILE_2023_11, FILE_2025}
