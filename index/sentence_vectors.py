"""Sentence vectors, computed when a file is indexed, so a question embeds nothing but itself.

The answerer scores every sentence of an item against the question to choose
what to quote. Embedding those sentences while the user waits made the first
question about an item slow (p95 1.6 s), so each file's sentences are embedded
at index time and stored in a second Chroma collection beside the chunks, under
the same encoder record and mismatch check (``index.store.open_collection``).

The sentences are the ones the answerer reads: each agenda item's sections
joined back from their chunks without the overlap, split by
``index.sentences.split_sentences``. Entries are keyed by the file hash the
chunks carry, so they are replaced with a changed file's chunks and removed with
a deleted file's. The sync is a sweep over the chunk collection after each
build: stale entries go, missing ones are added, and a build that crashed half
way is finished by the next one.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import numpy as np

from index.chroma import read_all
from settings import Settings, get_settings

SENTENCE_COLLECTION = "minutes_sentences"
EMBED_BATCH = 256  # sentences handed to the encoder at once (it packs them by token count)
WRITE_BATCH = 1000


def chunk_body(text: str) -> str:
    """A chunk without its context header (as ``RetrievedChunk.body``)."""
    return text.split("\n\n", 1)[1] if "\n\n" in text else text


def item_section_texts(records: list[tuple[str, dict]]) -> list[str]:
    """Each section of each item, whole, from (chunk text, metadata) records, as the retriever builds them."""
    from index.chunking import join_pieces

    pieces: dict[tuple, list[str]] = {}
    for text, metadata in sorted(records, key=lambda record: int(record[1].get("position", 0))):
        key = (metadata.get("source"), metadata.get("item"), str(metadata.get("section", "")))
        pieces.setdefault(key, []).append(chunk_body(text))
    return [join_pieces(bodies) for bodies in pieces.values()]


def file_sentences(records: list[tuple[str, dict]]) -> list[str]:
    """The distinct sentences of one file's chunks."""
    from index.sentences import split_sentences

    return list(dict.fromkeys(s for text in item_section_texts(records) for s in split_sentences(text)))


def sentence_id(file_hash: str, sentence: str) -> str:
    return f"{file_hash[:16]}:{hashlib.sha1(sentence.encode('utf-8')).hexdigest()[:20]}"


def open_sentences(config: Settings | None = None, *, create: bool = False):
    from index.chroma import open_collection

    return open_collection(config, create=create, name=SENTENCE_COLLECTION)


def sync_sentence_vectors(chunks, config: Settings | None = None, progress: bool = False) -> int:
    """Bring the sentence collection in line with the chunk collection; returns the entries written or deleted."""
    config = config or get_settings()
    sentences = open_sentences(config, create=True)
    chunk_hashes = {str(m.get("file_hash")) for m in read_all(chunks, ["metadatas"])["metadatas"]}
    stored = read_all(sentences, ["metadatas"])
    per_file: dict[str, list[str]] = defaultdict(list)
    expected: dict[str, int] = {}
    for entry_id, metadata in zip(stored["ids"], stored["metadatas"] or [], strict=True):
        per_file[str(metadata.get("file_hash"))].append(entry_id)
        expected[str(metadata.get("file_hash"))] = int(metadata.get("file_sentences", -1))
    stale = [entry for file_hash, ids in per_file.items() if file_hash not in chunk_hashes for entry in ids]
    # A file is done when all its sentences are there (each entry records how many the file has).
    missing = sorted(h for h in chunk_hashes if len(per_file.get(h, [])) != expected.get(h, -2))
    wanted: dict[str, list[str]] = {}
    records: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    if missing:
        rows = read_all(chunks, ["documents", "metadatas"], where={"file_hash": {"$in": missing}})
        for text, metadata in zip(rows["documents"], rows["metadatas"], strict=True):
            records[str(metadata.get("file_hash"))].append((text or "", metadata or {}))
        wanted = {file_hash: file_sentences(records[file_hash]) for file_hash in missing}
    texts = {s for found in wanted.values() for s in found}
    # Read before the stale entries go: a changed file's unchanged sentences keep their vectors.
    vectors = stored_vectors(sentences, texts)
    for start in range(0, len(stale), WRITE_BATCH):
        sentences.delete(ids=stale[start : start + WRITE_BATCH])
    if not missing:
        return len(stale)
    embedded = embed_sentences(sorted(texts - set(vectors)), progress=progress)
    vectors.update(embedded)
    leftovers = [entry for file_hash in missing for entry in per_file.get(file_hash, [])]
    for start in range(0, len(leftovers), WRITE_BATCH):  # an unfinished earlier sync: start that file afresh
        sentences.delete(ids=leftovers[start : start + WRITE_BATCH])
    ids, documents, metadatas, embeddings = [], [], [], []
    for file_hash, found in wanted.items():
        source = str(records[file_hash][0][1].get("source", "")) if records[file_hash] else ""
        for sentence in found:
            ids.append(sentence_id(file_hash, sentence))
            documents.append(sentence)
            metadatas.append({"file_hash": file_hash, "source": source, "file_sentences": len(found)})
            embeddings.append(vectors[sentence])
    for start in range(0, len(ids), WRITE_BATCH):
        end = start + WRITE_BATCH
        sentences.add(ids=ids[start:end], documents=documents[start:end], metadatas=metadatas[start:end],
                      embeddings=np.asarray(embeddings[start:end], dtype=np.float32))
    return len(stale) + len(ids)


def stored_vectors(sentences, texts: set[str]) -> dict[str, np.ndarray]:
    """The vectors already stored for any of ``texts``, in whichever file they stand.

    A sentence's vector depends on its text alone, and the minutes repeat
    sentences (a changed file's untouched items, the standard recommendations),
    so each text is embedded once per index, not once per file version. The
    stored texts are read only when there is something to embed: a build that
    finds every file unchanged (each start of the app) reads no sentence text.
    """
    if not texts:
        return {}
    stored = read_all(sentences, ["documents"])
    ids = {text: entry for entry, text in zip(stored["ids"], stored["documents"], strict=True) if text in texts}
    found: dict[str, np.ndarray] = {}
    wanted = sorted(set(ids.values()))
    for start in range(0, len(wanted), WRITE_BATCH):
        page = sentences.get(ids=wanted[start : start + WRITE_BATCH], include=["documents", "embeddings"])
        for text, vector in zip(page["documents"], page["embeddings"], strict=True):
            found[text] = np.asarray(vector, dtype=np.float32)
    return found


def embed_sentences(texts: list[str], progress: bool = False) -> dict[str, np.ndarray]:
    """Passage vectors for the texts, shortest first so a batch holds sentences of a similar length."""
    from index.embedding import get_embed_model

    model = get_embed_model()
    ordered = sorted(texts, key=len)
    batches = range(0, len(ordered), EMBED_BATCH)
    if progress:
        from tqdm import tqdm

        batches = tqdm(batches, desc="Indlejrer sætninger", unit="batch", leave=False)
    vectors: dict[str, np.ndarray] = {}
    for start in batches:
        batch = ordered[start : start + EMBED_BATCH]
        for text, vector in zip(batch, model.get_text_embedding_batch(batch), strict=True):
            vectors[text] = np.asarray(vector, dtype=np.float32)
    return vectors


def load_sentence_vectors(config: Settings | None = None,
                          file_hashes: set[str] | None = None) -> tuple[list[str], np.ndarray, set[str]]:
    """The stored sentences and their vectors (one row each), of every file or only of ``file_hashes``,
    and the file hashes they belong to.

    A reader reloading after a change asks only for the files it has not loaded yet: on a Chroma
    server every vector travels as JSON, and the other files' vectors have not changed.
    """
    try:
        sentences = open_sentences(config)
    except FileNotFoundError:
        return [], np.zeros((0, 0), dtype=np.float32), set()
    include = ["documents", "embeddings", "metadatas"]
    if file_hashes is None:
        pages = [read_all(sentences, include)]
    else:
        wanted = sorted(file_hashes)
        pages = [read_all(sentences, include, where={"file_hash": {"$in": wanted[start : start + WRITE_BATCH]}})
                 for start in range(0, len(wanted), WRITE_BATCH)]
    texts = [text or "" for page in pages for text in page["documents"]]
    if not texts:
        return [], np.zeros((0, 0), dtype=np.float32), set()
    found = {str(metadata.get("file_hash")) for page in pages for metadata in page["metadatas"] or []}
    vectors = np.concatenate([np.asarray(page["embeddings"], dtype=np.float32) for page in pages if page["ids"]])
    return texts, vectors, found
