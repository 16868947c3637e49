"""What is read once from the whole material, per index version, and shared by every question.

The abbreviations the minutes define and the kinds of names they write are
facts of the material, not of a question: reading every section again per
question would be the slowest step of an answer. A rebuilt or changed index
has a new version, so its facts are read again and the old ones dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from assistant.retrieval import HybridRetriever

T = TypeVar("T")

_lock = threading.Lock()
_cache: dict[tuple[int, str | None, str], object] = {}


def once(retriever: HybridRetriever, name: str, compute: Callable[[], T]) -> T:
    """``compute()`` for this retriever's current index version, computed on first use."""
    key = (id(retriever), retriever.version, name)
    with _lock:
        if key not in _cache:
            for old in [k for k in _cache if k[0] == key[0] and k[1] != key[1]]:
                del _cache[old]
            _cache[key] = compute()
        return _cache[key]  # type: ignore[return-value]


def section_texts(retriever: HybridRetriever) -> Iterator[str]:
    """Every section of every item in the index, meeting by meeting."""
    for meeting in retriever.sources():
        for number in retriever.source_items(meeting["source"]):
            for section in retriever.item_sections(meeting["source"], number):
                yield section.text
