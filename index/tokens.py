"""Token counting with tiktoken, offline.

tiktoken would download cl100k_base on first use; settings points its cache at
the copy llama-index-core ships, so importing settings first is what keeps this
off the network.
"""

from __future__ import annotations

from functools import lru_cache

import tiktoken

import settings  # noqa: F401  (sets TIKTOKEN_CACHE_DIR before tiktoken loads)

ENCODING = "cl100k_base"


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def truncate_tokens(text: str, limit: int) -> str:
    tokens = encoding().encode(text, disallowed_special=())
    return text if len(tokens) <= limit else encoding().decode(tokens[:limit])
