"""Dense similarity between a question and single sentences, for choosing what to quote.

Word overlap alone picks the wrong sentence when the question paraphrases the
minutes ("hvor meget skæres der i pengene" vs "reduktion på 18,9 pct."); the
same multilingual model that retrieves also scores each candidate sentence.

The sentences' vectors are computed when a file is indexed
(``index.sentence_vectors``); the retriever registers them here when it loads
the index, so at question time only the question is embedded. A sentence
that is not registered (material indexed before sentence vectors existed, or a
text the index never saw) is embedded as a fallback and counted, and kept in a
bounded cache. The question's vector is cached too: retrieval and every item of
an answer use it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

CACHE_SIZE = 50_000
QUERY_CACHE_SIZE = 256

_registered: dict[int, dict[str, np.ndarray]] = {}  # id(embed_model) → sentence → vector from the index
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_queries: OrderedDict[str, np.ndarray] = OrderedDict()
_lock = threading.Lock()
_fallbacks = 0


def register_sentence_vectors(embed_model, sentences: list[str], vectors: np.ndarray) -> None:
    """Make the index's sentence vectors (rows of ``vectors``) available to ``sentence_similarities``.

    Added to what is registered for the model: a vector depends only on the
    text and the model, so another data dir's sentences stay valid.
    """
    with _lock:
        known = _registered.setdefault(id(embed_model), {})
        for sentence, vector in zip(sentences, vectors, strict=True):
            known[sentence] = vector


def fallback_embeddings() -> int:
    """How many sentences were embedded at question time since the process started."""
    return _fallbacks


def sentence_similarities(embed_model, question: str, sentences: list[str]) -> list[float]:
    """Cosine similarity of the question (as a query) to each sentence (as a passage)."""
    if not sentences:
        return []
    query = query_vector(embed_model, question)
    vectors = _sentence_vectors(embed_model, sentences)
    return [float(vector @ query) for vector in vectors]


def query_vector(embed_model, question: str) -> np.ndarray:
    """The question's vector, embedded once per answer though retrieval and every item use it."""
    key = f"query: {id(embed_model)}: {question}"
    with _lock:
        vector = _queries.get(key)
    if vector is None:
        vector = np.asarray(embed_model.get_query_embedding(question), dtype=np.float32)
        with _lock:
            _queries[key] = vector
            while len(_queries) > QUERY_CACHE_SIZE:
                _queries.popitem(last=False)
    return vector


def _sentence_vectors(embed_model, sentences: list[str]) -> list[np.ndarray]:
    global _fallbacks
    with _lock:
        known = _registered.get(id(embed_model), {})
        missing = list(dict.fromkeys(s for s in sentences if s not in known and s not in _cache))
    if missing:
        fresh = embed_model.get_text_embedding_batch(missing)
        with _lock:
            _fallbacks += len(missing)
            for sentence, vector in zip(missing, fresh, strict=True):
                _cache[sentence] = np.asarray(vector, dtype=np.float32)
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    with _lock:
        vectors = []
        for sentence in sentences:
            vector = known.get(sentence)
            if vector is None:
                vector = _cache.get(sentence)
                if vector is None:  # evicted by another thread in between: embed it alone
                    _fallbacks += 1
                    vector = np.asarray(embed_model.get_text_embedding(sentence), dtype=np.float32)
                else:
                    _cache.move_to_end(sentence)
            vectors.append(vector)
        return vectors
