"""The index: Chroma through llama-index, on disk or on a Chroma server, built incrementally.

A file whose bytes are unchanged is skipped by content hash; a changed file's
new chunks are written before its old ones are deleted (node ids carry the
file hash), so a crash half-way leaves the previous index usable and the next
build finishes the job. The collection records the embedding model and its
dimension; opening it with another model is an error, never silent garbage.

Documents are keyed by where their file lives (index.identity), so two
``referat.txt`` in two folders are two documents. Every write happens under
one file lock (settings.lock_path), shared by CLI builds and app uploads in
any process, so concurrent writers never interleave.

With ``MINUTES_CHROMA_URL`` the same collections live on a Chroma server
(``chromadb.HttpClient``), which several app processes share. Every write
bumps a change marker, one record in a collection of its own, so a reader
learns with one small request per question whether it must reload what it
keeps in memory, instead of listing every chunk id.

A document's chunks are written marked ``pending`` and published (the mark
cleared) only once its sentence vectors and the lexical index are stored too;
readers leave pending chunks out, so an answer never cites half a document,
and a write that fails half-way leaves nothing anyone can find.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock

from index.chroma import (
    COLLECTION,
    HNSW_CONFIGURATION,
    bump_change,
    chroma_client,
    open_collection,
    read_all,
    reset_embedded_client,
    server_unreachable,
)
from index.chunking import chunk_document
from index.errors import IngestError, disk_problem, limit_error, thousands
from index.identity import display_name, document_key
from index.ingest import expand_paths, ingest_paths
from index.lexical import drop_lexical, sync_lexical
from index.provenance import upload_metadata
from index.schema import Chunk, MeetingDocument
from index.sentence_vectors import SENTENCE_COLLECTION, sync_sentence_vectors
from settings import Settings, get_settings

logger = logging.getLogger(__name__)

# (chunks embedded so far, chunks in the document, the document's file name)
Progress = Callable[[int, int, str], None]

# Chunks handed to the encoder at once. The ONNX encoder packs each hand-over by token count: 128 chunks instead
# of 32 took its throughput over the bundled corpus from 24 to 27 chunks/s (eval.bench); the PyTorch path embeds
# llama-index's 10 at a time whatever it is handed. A caller that shows progress to someone waiting (the app's
# upload) hands over PROGRESS_BATCH at a time instead, so its bar moves during a single meeting's chunks.
EMBED_BATCH = 128
PROGRESS_BATCH = 32


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0
    unknown_dates: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # documents whose chunks wait to be published

    def failed(self, error: IngestError) -> None:
        self.errors.append(f"{error.source}: {error.message}")

    def summary(self) -> str:
        lines = [
            (f"Indeks opdateret på {self.seconds:.1f} s: {len(self.added)} nye, {len(self.updated)} ændrede, "
            f"{len(self.unchanged)} uændrede, {len(self.removed)} fjernede filer; "
            f"{self.chunks_embedded} tekststykker indlejret."),
        ]
        lines += [f"Bemærk: {display_name(key)} har ingen kendt mødedato (dato ikke oplyst)."
                  for key in self.unknown_dates]
        return "\n".join(lines)


_locks: dict[str, FileLock] = {}
_locks_guard = threading.Lock()


def store_lock(config: Settings | None = None) -> FileLock:
    """The one lock around writes to the store, across threads and processes.

    One FileLock object per path: filelock counts re-entry per object and
    thread, so the same thread may nest it, while other threads and processes
    wait. The kernel drops the lock when a holder dies, even by kill -9.
    """
    config = config or get_settings()
    config.data_dir.mkdir(parents=True, exist_ok=True)
    path = str(config.lock_path.resolve())
    with _locks_guard:
        if path not in _locks:
            _locks[path] = FileLock(path)
        return _locks[path]


def sync_derived(collection, config: Settings, progress=None) -> bool:
    """What is kept beside the chunks follows them: sentence vectors and the saved BM25 index.

    Returns whether either had to change, which a build that found every file
    unchanged still does when an earlier build was killed half-way.
    """
    written = sync_sentence_vectors(collection, config, progress=progress)
    rebuilt = sync_lexical(collection, config)
    return bool(written or rebuilt)


@dataclass
class Writes:
    """Whether a write session changed the index; the marker is bumped only then (or after a failure)."""

    changed: bool = True


@contextmanager
def writing(config: Settings | None = None) -> Iterator[Writes]:
    """The store lock, and the change marker bumped on the way out, so that every reader reloads.

    A failure half-way bumps it too: something may have been written. The file
    lock serialises the writers that share the data dir (one machine); writers
    on several machines against one server are not serialised (README, Scaling out).
    """
    config = config or get_settings()
    writes = Writes()
    with store_lock(config):
        try:
            yield writes
        except BaseException as error:
            if disk_problem(error) is not None:
                if not config.chroma_url:  # the embedded store may hang on its next call: a fresh client instead
                    reset_embedded_client()
            elif not server_unreachable(error):  # a server that went away takes no marker either
                try:
                    bump_change(config)
                except Exception as marker_error:  # noqa: BLE001  (the first error is the one to report)
                    logger.warning("Ændringsmarkøren kunne ikke opdateres efter en fejl: %s", marker_error)
            raise
        if writes.changed:
            bump_change(config)


def drop_index(config: Settings | None = None) -> None:
    config = config or get_settings()
    client = chroma_client(config)
    names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    for name in (COLLECTION, SENTENCE_COLLECTION):
        if name in names:
            client.delete_collection(name)
    drop_lexical(config)


def vector_store(collection):
    from llama_index.vector_stores.chroma import ChromaVectorStore

    return ChromaVectorStore(chroma_collection=collection)


def node_id(chunk: Chunk) -> str:
    return f"{chunk.chunk_id}@{str(chunk.metadata['file_hash'])[:12]}"


def to_nodes(chunks: list[Chunk], source_dir: Path | None = None, extra: dict | None = None):
    """Chunks as llama-index nodes, marked pending (see :func:`publish`), with ``extra`` metadata."""
    from llama_index.core.schema import TextNode

    nodes = []
    for chunk in chunks:
        metadata = {**chunk.metadata, **(extra or {}), "pending": True}
        if source_dir is not None:
            metadata["source_dir"] = str(source_dir.resolve())
        keys = list(metadata)
        nodes.append(
            TextNode(
                id_=node_id(chunk),
                text=chunk.text,
                metadata=metadata,
                excluded_embed_metadata_keys=keys,
                excluded_llm_metadata_keys=keys,
            )
        )
    return nodes


def _indexed_sources(collection) -> dict[str, dict[str, set[str]]]:
    """source → file hashes and node ids currently stored for it."""
    stored = read_all(collection, ["metadatas"])
    sources: dict[str, dict[str, set[str]]] = defaultdict(
        lambda: {"hashes": set(), "ids": set(), "dirs": set(), "pending": set()})
    for node, metadata in zip(stored["ids"], stored["metadatas"] or [], strict=True):
        entry = sources[str(metadata.get("source"))]
        entry["hashes"].add(str(metadata.get("file_hash")))
        entry["ids"].add(node)
        entry["dirs"].add(str(metadata.get("source_dir", "")))
        if metadata.get("pending"):
            entry["pending"].add(node)
    return sources


def build_index(
    paths: list[Path],
    *,
    prune: bool | None = None,
    progress: bool | Progress = False,
    rebuild: bool = False,
    config: Settings | None = None,
) -> BuildReport:
    """Bring the index in line with the files under ``paths``.

    ``prune`` (default: on when every path is a folder) deletes the chunks of
    files that have disappeared from those folders, also when a folder is now
    empty. A file that fails to parse keeps whatever chunks it had: bad input
    loses nothing, and the other files go on.
    """
    config = config or get_settings()
    started = time.perf_counter()
    with writing(config) as writes:
        if rebuild:
            drop_index(config)
        collection = open_collection(config, create=True)
        report = BuildReport()
        result = ingest_paths(paths)
        for error in result.errors:
            report.failed(error)
        stored = _indexed_sources(collection)
        for document in result.documents:
            try:
                sync_document(collection, document, stored.get(document.source), report, progress, config)
            except IngestError as error:
                report.failed(error)
        if prune if prune is not None else all(path.is_dir() for path in paths):
            present = {document_key(path, config) for path in expand_paths(paths)}
            folders = {str(path.resolve()) for path in paths if path.is_dir()}
            _prune(collection, stored, present, folders, report)
        derived = sync_derived(collection, config, progress)
        publish(collection, report.written)
        writes.changed = bool(rebuild or report.added or report.updated or report.removed or derived)
    report.seconds = time.perf_counter() - started
    return report


def sync_document(
    collection,
    document: MeetingDocument,
    existing: dict[str, set[str]] | None,
    report: BuildReport,
    progress: bool | Progress = False,
    config: Settings | None = None,
    extra: dict | None = None,
) -> None:
    """Write one document's chunks (pending), then delete its stale ones; the caller holds the store lock
    and publishes the documents in ``report.written`` once the derived indexes are stored.

    ``extra`` is metadata for every chunk (an upload's provenance; read from its record when not given).
    Raises IngestError when the document has more chunks than settings allow, before anything is embedded.
    """
    config = config or get_settings()
    if existing and existing["hashes"] == {document.content_hash} and not existing.get("pending"):
        report.unchanged.append(document.source)
        return
    chunks = chunk_document(document)
    if len(chunks) > config.max_chunks:
        raise limit_error(document.file_name or display_name(document.source), "too_many_chunks",
                          f"{thousands(len(chunks))} tekststykker", f"{thousands(config.max_chunks)}", "MAX_CHUNKS")
    if document.meeting_date is None:
        report.unknown_dates.append(document.source)
    nodes = to_nodes(chunks, Path(document.source_dir), upload_metadata(document, config) if extra is None else extra)
    fresh = reuse_vectors(collection, nodes, existing["ids"] if existing else set())
    embed_nodes(fresh, progress=progress, label=document.file_name or display_name(document.source))
    store = vector_store(collection)
    new_ids = {node.node_id for node in nodes}
    store.add([node for node in nodes if not existing or node.node_id not in existing["ids"]])
    if existing:
        stale = sorted(existing["ids"] - new_ids)
        if stale:
            collection.delete(ids=stale)
        report.updated.append(document.source)
    else:
        report.added.append(document.source)
    report.written.append(document.source)
    report.chunks_embedded += len(fresh)


PUBLISH_BATCH = 1000


def publish(collection, keys: list[str]) -> None:
    """Make these documents' pending chunks searchable: the last step of a write, after every part is stored."""
    for key in keys:
        stored = read_all(collection, [], where={"$and": [{"source": key}, {"pending": True}]})
        for start in range(0, len(stored["ids"]), PUBLISH_BATCH):
            ids = stored["ids"][start : start + PUBLISH_BATCH]
            collection.update(ids=ids, metadatas=[{"pending": False}] * len(ids))


def reuse_vectors(collection, nodes, old_ids: set[str]) -> list:
    """Give each node whose text its file's previous version already had that chunk's vector; return the rest.

    A corrected PDF usually changes a few items: re-embedding only the chunks
    whose text changed (as simonw/llm skips content it has embedded) makes
    re-ingesting it take seconds. The text alone decides the vector, and the
    stored vectors were made by the configured encoder (the collection's
    mismatch check), so a reused vector is the one embedding would give.
    """
    stored = collection.get(ids=sorted(old_ids), include=["documents", "embeddings"]) if old_ids else None
    known = dict(zip(stored["documents"], stored["embeddings"], strict=True)) if stored and stored["ids"] else {}
    fresh = []
    for node in nodes:
        vector = known.get(node.get_content())
        if vector is None:
            fresh.append(node)
        else:
            node.embedding = [float(x) for x in vector]
    return fresh


def delete_document(collection, key: str) -> None:
    """Remove every chunk of one document (an upload whose indexing failed half-way)."""
    stored = read_all(collection, [], where={"source": key})
    if stored["ids"]:
        collection.delete(ids=stored["ids"])


def find_by_hash(collection, content_hash: str) -> str | None:
    """The key of an indexed document with exactly this content hash, if any."""
    stored = collection.get(where={"file_hash": content_hash}, limit=1, include=["metadatas"])
    return str(stored["metadatas"][0]["source"]) if stored["ids"] else None


def indexed_keys(collection) -> set[str]:
    return set(_indexed_sources(collection))


def document_file(file_hash: str, config: Settings | None = None) -> Path | None:
    """The file of the published document with this content hash, if it is still there.

    What the app serves: exactly the files of indexed documents, looked up by
    their id, never a path a client names.
    """
    if not re.fullmatch(r"[0-9a-f]{16,128}", file_hash):
        return None
    try:
        collection = open_collection(config)
    except FileNotFoundError:
        return None
    stored = collection.get(where={"file_hash": file_hash}, limit=1, include=["metadatas"])
    if not stored["ids"]:
        return None
    metadata = stored["metadatas"][0]
    directory, name = str(metadata.get("source_dir") or ""), str(metadata.get("file_name") or "")
    if metadata.get("pending") or not directory or not name or Path(name).name != name:
        return None
    path = Path(directory) / name
    return path if path.is_file() else None


def embed_nodes(nodes, *, progress: bool | Progress = False, label: str = "") -> None:
    """Embed node texts as passages, in batches; progress is a terminal bar or a callback."""
    from index.embedding import get_embed_model

    model = get_embed_model()
    texts = [node.get_content() for node in nodes]
    embeddings: list[list[float]] = []
    size = PROGRESS_BATCH if callable(progress) else EMBED_BATCH
    batches = range(0, len(texts), size)
    if progress is True:
        from tqdm import tqdm

        batches = tqdm(batches, desc=f"Indlejrer {label}", unit="batch", leave=False)
    for start in batches:
        embeddings += model.get_text_embedding_batch(texts[start : start + size])
        if callable(progress):
            progress(len(embeddings), len(texts), label)
    for node, embedding in zip(nodes, embeddings, strict=True):
        node.embedding = embedding


def _prune(collection, stored, present: set[str], folders: set[str], report: BuildReport) -> None:
    """Delete the documents that lived directly in one of ``folders`` and are no longer there."""
    for source, entry in stored.items():
        legacy = not entry["dirs"] or entry["dirs"] == {""}  # chunks from before source_dir was recorded
        if source not in present and (legacy or entry["dirs"] & folders):
            collection.delete(ids=sorted(entry["ids"]))
            report.removed.append(source)


COPY_BATCH = 500


def copy_index(source: Settings, config: Settings | None = None) -> int:
    """Copy the index of ``source`` (e.g. the one on disk) into the configured store, vectors and all.

    Moving an index to a Chroma server this way embeds nothing: the chunks and
    sentence vectors, with their model record, are read page by page and
    written as they are, replacing what the target held. Both must be
    configured for the same encoder (the usual mismatch check). Returns the
    chunks copied.
    """
    config = config or get_settings()
    if source.store_location == config.store_location:
        raise ValueError(f"Kilde og mål er det samme søgeindeks ({config.store_location}); intet er kopieret.")
    origins = {name: open_collection(source, name=name) for name in (COLLECTION, SENTENCE_COLLECTION)}
    with writing(config):
        drop_index(config)
        client = chroma_client(config)
        copied = 0
        for name, origin in origins.items():
            metadata = {key: value for key, value in (origin.metadata or {}).items() if not key.startswith("hnsw:")}
            target = client.create_collection(name, metadata=metadata, configuration=HNSW_CONFIGURATION)
            for offset in range(0, origin.count(), COPY_BATCH):
                page = origin.get(limit=COPY_BATCH, offset=offset, include=["documents", "metadatas", "embeddings"])
                target.add(ids=page["ids"], documents=page["documents"], metadatas=page["metadatas"],
                           embeddings=page["embeddings"])
                copied += len(page["ids"]) if name == COLLECTION else 0
        drop_lexical(config)
        sync_lexical(client.get_collection(COLLECTION), config)
    return copied
