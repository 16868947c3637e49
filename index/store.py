"""The on-disk index: Chroma through llama-index, built incrementally.

A file whose bytes are unchanged is skipped by content hash; a changed file's
new chunks are written before its old ones are deleted (node ids carry the
file hash), so a crash half-way leaves the previous index usable and the next
build finishes the job. The collection records the embedding model and its
dimension; opening it with another model is an error, never silent garbage.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from index.chunking import chunk_document
from index.ingest import expand_paths, ingest_paths
from index.schema import Chunk, MeetingDocument
from settings import Settings, get_settings

COLLECTION = "minutes"
EMBED_BATCH = 32


class IndexMismatchError(RuntimeError):
    """The index on disk was built with another embedding model than the one configured."""


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

    def summary(self) -> str:
        lines = [
            (f"Indeks opdateret på {self.seconds:.1f} s: {len(self.added)} nye, {len(self.updated)} ændrede, "
            f"{len(self.unchanged)} uændrede, {len(self.removed)} fjernede filer; "
            f"{self.chunks_embedded} tekststykker indlejret."),
        ]
        lines += [f"Bemærk: {name} har ingen kendt mødedato (dato ikke oplyst)." for name in self.unknown_dates]
        return "\n".join(lines)


def chroma_client(config: Settings | None = None):
    """A persistent Chroma client with telemetry off (also switched off by settings' environment)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    config = config or get_settings()
    config.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(
        path=str(config.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    )


def _signature(config: Settings) -> dict[str, str | int]:
    from index.embedding import embedding_signature

    signature = embedding_signature(config)
    return {"embed_model": str(signature["model"]), "embed_dim": int(signature["dim"]),
            "embed_backend": str(signature["backend"]), "embed_quantization": str(signature["quantization"])}


def open_collection(config: Settings | None = None, *, create: bool = False, name: str = COLLECTION):
    """A Chroma collection of the index (the chunks by default), checked against the configured encoder.

    Raises IndexMismatchError (Danish message) when the model, its backend or
    its quantization differs, and FileNotFoundError when there is no index yet
    and ``create`` is false.
    """
    config = config or get_settings()
    client = chroma_client(config)
    signature = _signature(config)
    names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    if name not in names:
        if not create:
            raise FileNotFoundError(f"Der er intet søgeindeks i {config.chroma_dir}; kør 'python -m index build'.")
        return client.create_collection(name, metadata={**signature, "hnsw:space": "cosine"})
    collection = client.get_collection(name)
    check_signature(collection.metadata or {}, signature, config)
    return collection


def check_signature(recorded: dict, signature: dict, config: Settings) -> None:
    """The same clear error for another model, another backend or another quantization."""
    # An index from before backends were recorded was built by PyTorch in fp32.
    recorded = {"embed_backend": "torch", "embed_quantization": "fp32", **recorded}
    if any(recorded.get(key) != value for key, value in signature.items()):
        raise IndexMismatchError(
            f"Søgeindekset i {config.chroma_dir} er bygget med modellen '{recorded.get('embed_model')}' "
            f"({recorded.get('embed_dim')} dimensioner, {recorded['embed_backend']} "
            f"{recorded['embed_quantization']}), men den valgte model er '{signature['embed_model']}' "
            f"({signature['embed_dim']} dimensioner, {signature['embed_backend']} "
            f"{signature['embed_quantization']}). Byg indekset igen: python -m index build --rebuild"
        )


def drop_index(config: Settings | None = None) -> None:
    from index.lexical import drop_lexical
    from index.sentence_vectors import SENTENCE_COLLECTION

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


def to_nodes(chunks: list[Chunk], source_dir: Path | None = None):
    from llama_index.core.schema import TextNode

    nodes = []
    for chunk in chunks:
        metadata = dict(chunk.metadata)
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
    stored = collection.get(include=["metadatas"])
    sources: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"hashes": set(), "ids": set(), "dirs": set()})
    for node, metadata in zip(stored["ids"], stored["metadatas"] or [], strict=True):
        entry = sources[str(metadata.get("source"))]
        entry["hashes"].add(str(metadata.get("file_hash")))
        entry["ids"].add(node)
        entry["dirs"].add(str(metadata.get("source_dir", "")))
    return sources


def build_index(
    paths: list[Path],
    *,
    prune: bool | None = None,
    progress: bool = False,
    rebuild: bool = False,
    config: Settings | None = None,
) -> BuildReport:
    """Bring the index in line with the files under ``paths``.

    ``prune`` (default: on when every path is a folder) deletes the chunks of
    files that have disappeared from those folders. A file that fails to parse
    keeps whatever chunks it had: bad input loses nothing.
    """
    config = config or get_settings()
    started = time.perf_counter()
    if rebuild:
        drop_index(config)
    collection = open_collection(config, create=True)
    report = BuildReport()
    result = ingest_paths(paths)
    report.errors = [f"{error.source}: {error.message}" for error in result.errors]
    stored = _indexed_sources(collection)
    directories = {path.parent.resolve() for path in expand_paths(paths)}
    for document in result.documents:
        _sync_document(collection, document, stored, report, progress)
    if prune if prune is not None else all(path.is_dir() for path in paths):
        present = {path.name for path in expand_paths(paths)}
        _prune(collection, stored, present, {str(d) for d in directories}, report)
    from index.lexical import sync_lexical
    from index.sentence_vectors import sync_sentence_vectors

    sync_sentence_vectors(collection, config, progress=progress)
    sync_lexical(collection, config)
    report.seconds = time.perf_counter() - started
    return report


def _sync_document(collection, document: MeetingDocument, stored, report: BuildReport, progress: bool) -> None:
    existing = stored.get(document.source)
    if existing and existing["hashes"] == {document.content_hash}:
        report.unchanged.append(document.source)
        return
    if document.meeting_date is None:
        report.unknown_dates.append(document.source)
    chunks = chunk_document(document)
    nodes = to_nodes(chunks, Path(document.source_dir))
    embed_nodes(nodes, progress=progress, label=document.source)
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
    report.chunks_embedded += len(nodes)


def embed_nodes(nodes, *, progress: bool = False, label: str = "") -> None:
    """Embed node texts as passages, in batches, with a progress bar on the terminal."""
    from index.embedding import get_embed_model

    model = get_embed_model()
    texts = [node.get_content() for node in nodes]
    embeddings: list[list[float]] = []
    batches = range(0, len(texts), EMBED_BATCH)
    if progress:
        from tqdm import tqdm

        batches = tqdm(batches, desc=f"Indlejrer {label}", unit="batch", leave=False)
    for start in batches:
        embeddings += model.get_text_embedding_batch(texts[start : start + EMBED_BATCH])
    for node, embedding in zip(nodes, embeddings, strict=True):
        node.embedding = embedding


def _prune(collection, stored, present: set[str], directories: set[str], report: BuildReport) -> None:
    for source, entry in stored.items():
        in_built_dirs = not entry["dirs"] or entry["dirs"] & directories or entry["dirs"] == {""}
        if source not in present and in_built_dirs:
            collection.delete(ids=sorted(entry["ids"]))
            report.removed.append(source)

