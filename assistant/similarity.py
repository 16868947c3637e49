"""Dense similarity between a question and single sentences, for choosing what to quote.

Word overlap alone picks the wrong sentence when the question paraphrases the
minutes ("hvor meget skæres der i pengene" vs "reduktion på 18,9 pct."); the
same multilingual model that retrieves also scores each candidate sentence.
Sentence vectors are cached by text, so a warm app embeds only new sentences;
the question's vector is cached too, as every item of an answer is scored against it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

CACHE_SIZE = 50_000

QUERY_CACHE_SIZE = 256

_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_queries: OrderedDict[str, np.ndarray] = OrderedDict()
_lock = threading.Lock()


def sentence_similarities(embed_model, question: str, sentences: list[str]) -> list[float]:
    """Cosine similarity of the question (as a query) to each sentence (as a passage)."""
    if not sentences:
        return []
    query = _query_vector(embed_model, question)
    vectors = _sentence_vectors(embed_model, sentences)
    return [float(vector @ query) for vector in vectors]


def _query_vector(embed_model, question: str) -> np.ndarray:
    """The question's vector, embedded once per answer though every item's sentences are scored against it."""
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
    with _lock:
        missing = list(dict.fromkeys(s for s in sentences if s not in _cache))
    if missing:
        fresh = embed_model.get_text_embedding_batch(missing)
        with _lock:
            for sentence, vector in zip(missing, fresh, strict=True):
                _cache[sentence] = np.asarray(vector, dtype=np.float32)
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    with _lock:
        vectors = []
        for sentence in sentences:
            vector = _cache.get(sentence)
            if vector is None:  # evicted by another thread in between: embed it alone
                vector = np.asarray(embed_model.get_text_embedding(sentence), dtype=np.float32)
            else:
                _cache.move_to_end(sentence)
            vectors.append(vector)
        return vectors
