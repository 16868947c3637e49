"""The lexical (BM25) index, persisted beside Chroma so starting the app does not re-tokenize every chunk.

bm25s saves its sparse score matrix as numpy arrays and loads them memory-
mapped; llama-index's BM25Retriever wraps it. The saved index records the
version of the chunk collection it was built from (a hash of the stored node
ids, which carry each file's hash), so any added, changed or removed file makes
it stale and the next build or retriever refresh rebuilds it. It is written to
a temporary folder and renamed into place, so a reader never sees half of one.

It lives under the local data dir also when the chunks are on a Chroma server
(Chroma's own sparse/BM25 indexes exist only in Chroma Cloud): each machine
builds it from the collection when the change marker says the collection
changed, and keeps it keyed by that collection version.

``BM25Retriever.from_persist_dir`` is not used: it restores neither the
stemmer nor the language, and would silently stem Danish questions as English.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from settings import Settings, get_settings

logger = logging.getLogger(__name__)
LEXICAL_DIR = "lexical"
VERSION_FILE = "version.json"
TOP_K = 40
# Bump when tokenization changes: a saved index of another format is rebuilt.
FORMAT = 2
FOLDS = (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e"), ("ü", "u"))


def lexical_dir(config: Settings | None = None) -> Path:
    return (config or get_settings()).data_dir / LEXICAL_DIR


@lru_cache(maxsize=1)
def danish_stemmer():
    import Stemmer

    return Stemmer.Stemmer("danish")


def fold(text: str) -> str:
    """Lower case, with æ/ø/å as ae/oe/aa: how a question typed on any keyboard writes the minutes' words."""
    text = text.lower()
    for letter, replacement in FOLDS:
        text = text.replace(letter, replacement)
    return text


class FoldingStemmer:
    """The Danish stemmer, its stems folded (``fold``): "afloeste" and "afløste" index and query alike.

    PyStemmer stems one spelling only, and bm25s takes any object with ``stemWords``."""

    def stemWords(self, words: list[str]) -> list[str]:
        return [fold(stem) for stem in danish_stemmer().stemWords(words)]


def collection_version(ids: list[str]) -> str:
    """What the chunk collection holds, as one hash: node ids carry their file's hash."""
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def stored_nodes(collection) -> tuple[str, list]:
    """Every chunk in the collection as a llama-index TextNode, and the collection's version."""
    from llama_index.core.schema import TextNode

    from index.chroma import read_all

    stored = read_all(collection, ["documents", "metadatas"])
    nodes = [
        TextNode(id_=node_id, text=text or "", metadata=metadata or {},
                 excluded_embed_metadata_keys=list(metadata or {}),
                 excluded_llm_metadata_keys=list(metadata or {}))
        for node_id, text, metadata in zip(stored["ids"], stored["documents"], stored["metadatas"], strict=True)
    ]
    return collection_version(stored["ids"]), nodes


def build_retriever(nodes: list, top_k: int = TOP_K):
    """A BM25 retriever over ``nodes`` (Danish stop words and stemmer), or None for no nodes."""
    from llama_index.retrievers.bm25 import BM25Retriever

    if not nodes:
        return None
    return BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=min(top_k, len(nodes)),
                                       stemmer=FoldingStemmer(), language="danish")


def load_or_build(version: str, nodes: list, config: Settings | None = None, top_k: int = TOP_K):
    """The saved index when it is of ``version``; otherwise one built from ``nodes`` and saved."""
    directory = lexical_dir(config)
    retriever = _load(directory, version, top_k)
    if retriever is None:
        retriever = build_retriever(nodes, top_k)
        if retriever is not None:
            try:
                _save(retriever, directory, version)
            except OSError as error:  # a full or read-only disk: the index in memory still answers
                logger.warning("Det leksikale indeks kunne ikke gemmes i %s: %s", directory.name, error)
    return retriever


def sync_lexical(collection, config: Settings | None = None) -> bool:
    """After a build: make the saved index match the collection (rebuilt only if it changed); True if rebuilt."""
    config = config or get_settings()
    from index.chroma import read_all

    ids = read_all(collection, [])["ids"]
    version = collection_version(ids)
    if _saved_version(lexical_dir(config)) == version:
        return False
    version, nodes = stored_nodes(collection)
    retriever = build_retriever(nodes)
    if retriever is not None:  # a write stores every part or fails: no failure to save is passed over here
        _save(retriever, lexical_dir(config), version)
    return True


def drop_lexical(config: Settings | None = None) -> None:
    shutil.rmtree(lexical_dir(config), ignore_errors=True)


def _saved_version(directory: Path) -> str | None:
    try:
        recorded = json.loads((directory / VERSION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return recorded.get("version") if recorded.get("format") == FORMAT else None


def _load(directory: Path, version: str, top_k: int):
    if _saved_version(directory) != version:
        return None
    import bm25s
    from llama_index.retrievers.bm25 import BM25Retriever

    try:
        bm25 = bm25s.BM25.load(str(directory), load_corpus=True, mmap=True, show_progress=False)
    except (OSError, ValueError):  # damaged: rebuilt by the caller
        return None
    documents = int(bm25.scores.get("num_docs") or 0)
    if not documents:
        return None
    return BM25Retriever(existing_bm25=bm25, stemmer=FoldingStemmer(), similarity_top_k=min(top_k, documents))


def _save(retriever, directory: Path, version: str) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{LEXICAL_DIR}-", dir=directory.parent))
    try:
        retriever.persist(str(building))
        (building / VERSION_FILE).write_text(json.dumps({"version": version, "format": FORMAT}), encoding="utf-8")
        building.chmod(0o755)
        old = None
        if directory.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{LEXICAL_DIR}-old-", dir=directory.parent))
            os.replace(directory, old / LEXICAL_DIR)
        os.replace(building, directory)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(building, ignore_errors=True)
