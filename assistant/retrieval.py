"""Hybrid retrieval: dense (Chroma) + BM25 (bm25s, Danish stemmer and stop words), fused by rank.

Results are grouped per agenda item, the unit a reader cites, keeping each
item's best chunks. Decision questions lift Beslutning sections, because that
is where the minutes say what was decided.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.bridge.pydantic import Field
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from index.lexical import fold
from index.sections import DECISION
from settings import Settings, get_settings

DENSE_TOP_K = 40
BM25_TOP_K = 40
FUSED_TOP_K = 80
RRF_K = 60
CHUNKS_PER_ITEM = 3
# A decision question (read by assistant.question) lifts Beslutning sections: the minutes record decisions there.
DECISION_BOOST = 1.25
# An item from the period a question names ("i 2021") outranks a similar one from another.
PERIOD_BOOST = 1.3
MODES = ("hybrid", "dense", "bm25")
WORD_RE = re.compile(r"\w{2,}")
RARE_ITEMS = 3


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the search to; every field optional."""

    date_from: date | None = None
    date_to: date | None = None
    sources: tuple[str, ...] = ()
    doc_type: str | None = None
    committee: str | None = None

    def is_empty(self) -> bool:
        return not (self.date_from or self.date_to or self.sources or self.doc_type or self.committee)


NO_FILTERS = Filters()


@dataclass
class RetrievedChunk:
    node_id: str
    text: str
    metadata: dict
    score: float
    raw_scores: dict[str, float] = field(default_factory=dict)

    @property
    def body(self) -> str:
        """The chunk without its context header."""
        return self.text.split("\n\n", 1)[1] if "\n\n" in self.text else self.text

    @property
    def section(self) -> str:
        return str(self.metadata.get("section", ""))

    def to_node(self) -> FusedNode:
        keys = list(self.metadata)
        node = TextNode(id_=self.node_id, text=self.text, metadata=dict(self.metadata),
                        excluded_embed_metadata_keys=keys, excluded_llm_metadata_keys=keys)
        return FusedNode(node=node, score=self.score, raw_scores=dict(self.raw_scores))

    @classmethod
    def from_node(cls, result: NodeWithScore) -> RetrievedChunk:
        raw = dict(getattr(result, "raw_scores", {}) or {})
        return cls(result.node.node_id, result.node.get_content(), dict(result.node.metadata),
                   float(result.score or 0.0), raw)


@dataclass
class RetrievedItem:
    source: str
    meeting_date: str | None
    doc_type: str
    item: str
    title: str
    case_number: str
    committee: str
    score: float
    chunks: list[RetrievedChunk] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return self.source, self.item

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "meeting_date": self.meeting_date,
            "item": self.item,
            "title": self.title,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class ItemSection:
    """One section of an agenda item, whole: its chunks joined back without their overlap."""

    name: str
    text: str
    page: int | None
    decided_on: str = ""  # ISO date of a decision taken at an earlier meeting and carried along


@dataclass
class HybridQuery(QueryBundle):
    """A question with the answerer's options; a plain string or QueryBundle gets the defaults."""

    filters: Filters = NO_FILTERS
    mode: str = "hybrid"
    top_k: int | None = None
    decision: bool = False


class FusedNode(NodeWithScore):
    """A chunk as llama-index returns it, with each retriever's own score beside the fused one."""

    raw_scores: dict[str, float] = Field(default_factory=dict)


class HybridRetriever(BaseRetriever):
    """Dense + BM25 over the Chroma index, a llama-index retriever; one instance per process, shared read-only.

    ``retrieve()`` returns chunks as ``NodeWithScore``s with the item metadata
    (source, meeting date, item, title, section), so the retriever drops into
    llama-index's query engines; the answerer calls the same ``retrieve()``
    through :meth:`retrieve_items`. What it keeps in memory (the chunks by item,
    the BM25 index, the sentence vectors) is reloaded by :meth:`refresh` only
    when the index's change marker moved (an upload, a build, another process).
    """

    def __init__(self, config: Settings | None = None, similarity_top_k: int = FUSED_TOP_K) -> None:
        from llama_index.core import VectorStoreIndex

        from index.chroma import ChangeMarker, open_collection
        from index.embedding import get_embed_model
        from index.store import vector_store

        super().__init__()
        self.config = config or get_settings()
        self.similarity_top_k = similarity_top_k
        self.collection = open_collection(self.config)
        self.embed_model = get_embed_model(self.config)
        self.index = VectorStoreIndex.from_vector_store(vector_store(self.collection), embed_model=self.embed_model)
        self._changes = ChangeMarker(self.config)
        self._generation = 0  # index.chroma's client generation the collection was opened in
        self._lock = threading.Lock()
        self._loaded = False
        self._marker: str | None = None  # the change marker's token when the state below was loaded
        self._version: str | None = None  # hash of the stored ids (they carry each file's hash)
        self._nodes: list = []
        self._ids: frozenset[str] = frozenset()
        self._sentence_files: set[str] = set()  # the files whose sentence vectors are registered
        # Derived from _nodes when loading, not per question: every answer looks up whole items and meetings.
        self._items: dict[tuple[str, str], list] = {}
        self._sections: dict[tuple[str, str], list[ItemSection]] = {}
        self._meetings: list[dict] = []
        self._bm25_cache: dict[frozenset[str] | None, object] = {}
        self._stem_statistics: tuple[frozenset[str], dict[str, float], frozenset[str]] | None = None
        self.refresh()

    def refresh(self) -> bool:
        """Reload if the index changed since the last load; called once per question. True if it reloaded.

        The marker is read before the chunks, so a write in between is loaded
        now and reloaded once more at the next question, never missed.
        """
        from index.chroma import client_generation

        marker = self._changes.read()
        if self._loaded and marker == self._marker and self._generation == client_generation():
            return False
        with self._lock:
            if self._loaded and marker == self._marker and self._generation == client_generation():
                return False
            self._load()
            self._marker, self._loaded = marker, True
            return True

    def _load(self) -> None:
        """The chunks, their items, sections and meetings, and the sentence vectors; the BM25 index lazily."""
        from llama_index.core import VectorStoreIndex

        from assistant.similarity import register_sentence_vectors
        from index.chroma import client_generation, open_collection
        from index.lexical import collection_version, stored_nodes
        from index.sentence_vectors import load_sentence_vectors
        from index.store import vector_store

        generation = client_generation()
        collection = open_collection(self.config)  # `index build --rebuild` or `index copy` made a new one
        if collection.id != self.collection.id or generation != self._generation:  # or the client was renewed
            self.collection = collection
            self.index = VectorStoreIndex.from_vector_store(vector_store(collection), embed_model=self.embed_model)
        _, stored = stored_nodes(self.collection)
        # A document being written is left out until all its parts are stored (index.store.publish).
        nodes = [node for node in stored if not node.metadata.get("pending")]
        version = collection_version([node.node_id for node in nodes])
        # Sentence vectors depend only on their text, so those registered stay valid; only new files' are fetched.
        files = {str(node.metadata.get("file_hash")) for node in nodes} - self._sentence_files
        texts, vectors, loaded = load_sentence_vectors(self.config, files) if files else ([], None, set())
        self._nodes = nodes
        self._ids = frozenset(node.node_id for node in nodes)
        self._items = _nodes_by_item(nodes)
        self._sections = {key: _item_sections(item_nodes) for key, item_nodes in self._items.items()}
        self._meetings = _meetings(nodes)
        self._bm25_cache = {}
        self._stem_statistics = None
        if texts:
            register_sentence_vectors(self.embed_model, texts, vectors)
        self._sentence_files |= loaded
        self._version = version
        self._generation = generation

    @property
    def version(self) -> str | None:
        """A key of the indexed chunks: it changes when any file is added, changed or removed."""
        return self._version

    @property
    def chunk_count(self) -> int:
        return len(self._nodes)

    def sources(self) -> list[dict]:
        """The meetings in the index: source, date, type, in date order (unknown dates last)."""
        return list(self._meetings)

    def committees(self) -> tuple[str, ...]:
        """The committees whose meetings are in the index, for questions that name one."""
        return tuple(dict.fromkeys(m["committee"] for m in self._meetings if m.get("committee")))

    def allowed_sources(self, filters: Filters) -> frozenset[str] | None:
        """Filters reduce to the set of meetings they admit; None means no filter."""
        if filters.is_empty():
            return None
        return frozenset(m["source"] for m in self.sources() if meeting_matches(m, filters))

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        """llama-index's entry point: the fused chunks, best first, as FusedNodes."""
        options = query_bundle if isinstance(query_bundle, HybridQuery) else HybridQuery(query_bundle.query_str)
        question = options.query_str
        allowed = self.allowed_sources(options.filters)
        if allowed is not None and not allowed:
            return []
        rankings: dict[str, list] = {}
        if options.mode in ("hybrid", "dense"):
            from assistant.similarity import query_vector

            dense = self.index.as_retriever(similarity_top_k=DENSE_TOP_K, filters=_source_filter(allowed))
            # The question's vector is embedded once, shared with the answerer's sentence scores.
            vector = query_vector(self.embed_model, question).tolist()
            found = dense.retrieve(QueryBundle(question, embedding=vector))
            rankings["dense"] = [result for result in found if result.node.node_id in self._ids]  # loaded = published
        if options.mode in ("hybrid", "bm25"):
            bm25 = self._bm25(allowed)
            rankings["bm25"] = [result for result in bm25.retrieve(question)
                                if result.node.node_id in self._ids] if bm25 is not None else []
        chunks = reciprocal_rank_fusion(rankings)[:options.top_k or self.similarity_top_k]
        if options.decision:
            for chunk in chunks:
                if chunk.section == DECISION:
                    chunk.score *= DECISION_BOOST
        return [chunk.to_node() for chunk in sorted(chunks, key=lambda c: c.score, reverse=True)]

    def retrieve_chunks(self, question: str, filters: Filters = NO_FILTERS, mode: str = "hybrid",
                        top_k: int = FUSED_TOP_K, decision: bool = False) -> list[RetrievedChunk]:
        """The fused chunks through ``retrieve()``, as the answerer reads them."""
        query = HybridQuery(question, filters=filters, mode=mode, top_k=top_k, decision=decision)
        return [RetrievedChunk.from_node(result) for result in self.retrieve(query)]

    def retrieve_items(self, question: str, filters: Filters = NO_FILTERS, mode: str = "hybrid",
                       top_items: int = 10, prefer: tuple[date, date] | None = None,
                       decision: bool = False) -> list[RetrievedItem]:
        """The agenda items of the best chunks; an item from the ``prefer`` period is lifted."""
        items = group_by_item(self.retrieve_chunks(question, filters, mode, decision=decision))
        if prefer is not None:
            period = Filters(date_from=prefer[0], date_to=prefer[1])
            inside = {m["source"] for m in self.sources() if meeting_matches(m, period)}
            for item in items:
                if item.source in inside:
                    item.score *= PERIOD_BOOST
            items.sort(key=lambda i: i.score, reverse=True)
        return items[:max(top_items, 1)]

    def item_chunks(self, source: str, item: str) -> list[RetrievedChunk]:
        """Every chunk of one item in document order, to show the whole item."""
        nodes = self._items.get((source, item), [])
        return [RetrievedChunk(n.node_id, n.get_content(), dict(n.metadata), 0.0) for n in nodes]

    def source_items(self, source: str) -> list[str]:
        """The item numbers of one document, in document order."""
        return [item for (key, item) in self._items if key == source]

    def item_sections(self, source: str, item: str) -> list[ItemSection]:
        """The item's sections in document order, each as one text, for quoting and showing."""
        return list(self._sections.get((source, item), []))

    def vocabulary(self) -> frozenset[str]:
        """Every Danish stem in the material, to tell a question about something it never mentions."""
        return self._stems()[0]

    def stem_rarity(self) -> dict[str, float]:
        """Each stem's inverse document frequency over the items: "sag" and "arbejd" stand in most
        items and say little about a topic, "sundhedsaftal" in a few. Below RARE_ITEMS items every stem weighs
        the same: one item's rare compound ("udgiftspres") must not outweigh the rest of the question."""
        return self._stems()[1]

    def lowercase_words(self) -> frozenset[str]:
        """Every word the material writes in lower case somewhere: common nouns, not names.

        Danish capitalises names only, so a capitalised word never written in lower
        case ("Bjerregaard") is a name, and one that is ("Region") is not.
        """
        return self._stems()[2]

    def _stems(self) -> tuple[frozenset[str], dict[str, float], frozenset[str]]:
        """The vocabulary, each stem's rarity and the lower-case words, from one pass over every item."""
        with self._lock:
            if self._stem_statistics is None:
                stemmer = danish_stemmer()
                frequency: Counter[str] = Counter()
                lowercase: set[str] = set()
                for nodes in self._items.values():
                    raw = {word for node in nodes for word in WORD_RE.findall(node.get_content())}
                    lowercase.update(word for word in raw if word.islower())
                    frequency.update({fold(stem) for stem in stemmer.stemWords(sorted({word.lower() for word in raw}))})
                count = max(len(self._items), 1)
                rarity = {stem: math.log(count / max(df, RARE_ITEMS)) for stem, df in frequency.items()}
                self._stem_statistics = (frozenset(frequency), rarity, frozenset(lowercase))
            return self._stem_statistics

    def _bm25(self, allowed: frozenset[str] | None):
        """The whole material's BM25 index is the saved one (index.lexical); a filtered one is built here."""
        from index.lexical import build_retriever, load_or_build

        with self._lock:
            if allowed in self._bm25_cache:
                return self._bm25_cache[allowed]
            if allowed is None:
                retriever = load_or_build(self._version or "", self._nodes, self.config, BM25_TOP_K)
            else:
                nodes = [n for n in self._nodes if n.metadata.get("source") in allowed]
                retriever = build_retriever(nodes, BM25_TOP_K)
            self._bm25_cache[allowed] = retriever
            return retriever


def _nodes_by_item(nodes: list) -> dict[tuple[str, str], list]:
    """Each agenda item's chunks, in document order."""
    items: dict[tuple[str, str], list] = {}
    for node in sorted(nodes, key=lambda n: int(n.metadata.get("position", 0))):
        items.setdefault((node.metadata.get("source"), node.metadata.get("item")), []).append(node)
    return items


def _item_sections(nodes: list) -> list[ItemSection]:
    from index.chunking import join_pieces

    pieces: dict[tuple[str, str], list[RetrievedChunk]] = {}
    for node in nodes:
        chunk = RetrievedChunk(node.node_id, node.get_content(), dict(node.metadata), 0.0)
        pieces.setdefault((chunk.section, str(chunk.metadata.get("decision_date") or "")), []).append(chunk)
    return [
        ItemSection(name, join_pieces([c.body for c in chunks]), int(chunks[0].metadata.get("page") or 0) or None,
                    decided_on)
        for (name, decided_on), chunks in pieces.items()
    ]


def _meetings(nodes: list) -> list[dict]:
    seen: dict[str, dict] = {}
    for node in nodes:
        metadata = node.metadata
        seen.setdefault(metadata["source"], {
            "source": metadata["source"],
            "meeting_date": metadata.get("meeting_date") or None,
            "doc_type": metadata.get("doc_type"),
            "committee": metadata.get("committee"),
            "meeting_year": metadata.get("meeting_year") or None,
        })
    return sorted(seen.values(), key=lambda m: (m["meeting_date"] or "9999", m["source"]))


def danish_stemmer():
    from index.lexical import danish_stemmer as stemmer

    return stemmer()


def group_by_item(chunks: list[RetrievedChunk]) -> list[RetrievedItem]:
    """Fold chunks into agenda items, scored by their best chunk plus a little for each further hit."""
    items: dict[tuple[str, str], RetrievedItem] = {}
    seen_chunk_ids: set[str] = set()
    for chunk in chunks:
        chunk_id = str(chunk.metadata.get("chunk_id", chunk.node_id))
        if chunk_id in seen_chunk_ids:  # a half-finished rebuild may leave two versions
            continue
        seen_chunk_ids.add(chunk_id)
        metadata = chunk.metadata
        key = (str(metadata.get("source")), str(metadata.get("item") or ""))
        if not key[1]:
            key = (key[0], "")
        item = items.get(key)
        if item is None:
            item = items[key] = RetrievedItem(
                source=key[0],
                meeting_date=str(metadata.get("meeting_date") or "") or None,
                doc_type=str(metadata.get("doc_type", "")),
                item=key[1],
                title=str(metadata.get("title", "")),
                case_number=str(metadata.get("case_number", "")),
                committee=str(metadata.get("committee", "")),
                score=chunk.score,
            )
        elif len(item.chunks) < CHUNKS_PER_ITEM:
            item.score += chunk.score * 0.1
        if len(item.chunks) < CHUNKS_PER_ITEM:
            item.chunks.append(chunk)
    return sorted(items.values(), key=lambda i: i.score, reverse=True)


def reciprocal_rank_fusion(rankings: dict[str, list]) -> list[RetrievedChunk]:
    """Fuse ranked lists by 1/(k + rank), keeping each retriever's own score.

    Written out rather than taken from llama-index's QueryFusionRetriever
    because that overwrites the dense similarity, which the answerer needs to
    decide whether anything relevant was found at all.
    """
    fused: dict[str, RetrievedChunk] = {}
    for name, results in rankings.items():
        for rank, result in enumerate(results):
            node = result.node
            chunk = fused.get(node.node_id)
            if chunk is None:
                chunk = fused[node.node_id] = RetrievedChunk(node.node_id, node.get_content(), dict(node.metadata), 0.0)
            chunk.score += 1.0 / (RRF_K + rank + 1)
            chunk.raw_scores[name] = float(result.score or 0.0)
    return sorted(fused.values(), key=lambda c: c.score, reverse=True)


def meeting_matches(meeting: dict, filters: Filters) -> bool:
    """Whether a meeting passes the filters. A meeting with an unknown date but a known
    year passes a date range that overlaps that year: it may lie inside it."""
    if filters.sources and meeting["source"] not in filters.sources:
        return False
    if filters.doc_type and meeting.get("doc_type") != filters.doc_type:
        return False
    if filters.committee and meeting.get("committee") != filters.committee:
        return False
    if not (filters.date_from or filters.date_to):
        return True
    low = filters.date_from or date.min
    high = filters.date_to or date.max
    if meeting.get("meeting_date"):
        return low <= date.fromisoformat(meeting["meeting_date"]) <= high
    year = int(meeting.get("meeting_year") or 0)
    return bool(year) and low <= date(year, 12, 31) and date(year, 1, 1) <= high


def _source_filter(allowed: frozenset[str] | None):
    from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters

    if allowed is None:
        return None
    return MetadataFilters(filters=[MetadataFilter(key="source", value=sorted(allowed), operator=FilterOperator.IN)])


_SHARED: dict[str, HybridRetriever] = {}
_SHARED_LOCK = threading.Lock()


def shared_retriever(config: Settings | None = None) -> HybridRetriever:
    """The process-wide retriever: the model and index are loaded once and shared read-only."""
    config = config or get_settings()
    key = config.store_location
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = HybridRetriever(config)
        return _SHARED[key]
