"""The baseline a user would build in an afternoon: llama-index's quick-start.

Whole documents, SentenceSplitter(1024, 20), the same embedding model, top-5,
in memory. Its chunks ignore agenda items, so for scoring each chunk is
credited with the items whose text it overlaps, largest overlap first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from index.agenda import TOC_RE
from index.parsing import parse_file

TOP_K = 5


@dataclass
class ItemSpan:
    source: str
    item: str
    start: int
    end: int


def item_spans(path: Path) -> list[ItemSpan]:
    """Character spans of each agenda item in the raw file, from its own heading to the next."""
    raw = path.read_text(encoding="utf-8")
    document = parse_file(path)
    starts: list[tuple[int, str]] = []
    for item in document.items:
        major, minor = item.number.split(".")
        pattern = re.compile(rf"^[ \t]*{major}\.{minor}\.[ \t]+\S.*$", re.MULTILINE)
        matches = [m for m in pattern.finditer(raw) if not TOC_RE.search(m.group(0))]
        if matches:
            starts.append((matches[-1].start(), item.number))
    starts.sort()
    spans = []
    for index, (start, number) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(raw)
        spans.append(ItemSpan(path.name, number, start, end))
    return spans


class QuickstartBaseline:
    def __init__(self, corpus_dir: Path) -> None:
        from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter

        from index.embedding import get_embed_model

        files = sorted(corpus_dir.glob("*.txt"))
        documents = SimpleDirectoryReader(input_files=[str(f) for f in files]).load_data()
        self.spans = {f.name: item_spans(f) for f in files}
        self.index = VectorStoreIndex.from_documents(
            documents,
            embed_model=get_embed_model(),
            transformations=[SentenceSplitter(chunk_size=1024, chunk_overlap=20)],
        )
        self.retriever = self.index.as_retriever(similarity_top_k=TOP_K)
        self.chunk_count = len(self.index.docstore.docs)

    def retrieve_items(self, question: str) -> list[tuple[str, str]]:
        ranked: list[tuple[str, str]] = []
        for result in self.retriever.retrieve(question):
            node = result.node
            source = Path(node.metadata.get("file_name", "")).name
            start, end = node.start_char_idx or 0, node.end_char_idx or 0
            overlaps = [
                (min(end, span.end) - max(start, span.start), span.item)
                for span in self.spans.get(source, [])
                if min(end, span.end) > max(start, span.start)
            ]
            for _, item in sorted(overlaps, reverse=True):
                if (source, item) not in ranked:
                    ranked.append((source, item))
        return ranked[:TOP_K]
