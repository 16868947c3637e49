"""The embedding model the index and the retriever share: multilingual-e5-small on the CPU.

e5 was trained with a prefix on both sides: "query: " before a question and
"passage: " before a text to retrieve. The llama-index wrapper passes them to
sentence-transformers as the prompts named "query" and "text", which are
prepended once, at encoding time; the chunk text stored in the index stays
unprefixed, and nothing else in the code may add them again.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from settings import Settings, get_settings

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
DEVICE = "cpu"

_models: dict[str, object] = {}
_models_lock = threading.Lock()


class ModelError(RuntimeError):
    """The configured embedding model cannot be loaded; the message is one Danish line."""


def _model_error(name: str) -> ModelError:
    path = Path(name).expanduser()
    looks_like_path = name.startswith(("/", ".", "~")) or path.exists()
    if looks_like_path and not path.exists():
        why = "stien findes ikke"
    elif path.is_dir():
        why = "mappen er ikke en sentence-transformers-model (modules.json og config.json mangler eller er ugyldige)"
    else:
        why = "modellen findes ikke lokalt, og den hentes ikke fra nettet"
    return ModelError(
        f"Indlejringsmodellen '{name}' kan ikke indlæses: {why}. Ret MINUTES_EMBED_MODEL, eller fjern den for at "
        f"bruge den medfølgende model."
    )


def _model_location(settings: Settings) -> str:
    """The configured model, the converted local one built first when that is what is configured."""
    if settings.embed_model == str(settings.local_model_dir):
        from index.model import ensure_local_model

        ensure_local_model(settings)
    return settings.embed_model


def encoder_variant(settings: Settings) -> tuple[str, str]:
    """(backend, quantization) as run: PyTorch always runs the fp32 weights."""
    if settings.embed_backend == "torch":
        return "torch", "fp32"
    return settings.embed_backend, settings.embed_quantization


def get_embed_model(settings: Settings | None = None):
    """The process's one embedding model for the configured model and backend (loading takes seconds).

    Queries are embedded as "query: …", documents as "passage: …". The torch
    backend is llama-index's HuggingFaceEmbedding (sentence-transformers); the
    onnx backend is index.onnx_encoder's OnnxEmbedding over the same directory.
    A model that cannot be loaded is one Danish line naming the setting.
    """
    settings = settings or get_settings()
    backend, quantization = encoder_variant(settings)
    key = f"{settings.embed_model}|{backend}|{quantization}"
    with _models_lock:
        if key not in _models:
            try:
                if backend == "onnx":
                    from index.onnx_encoder import OnnxEmbedding

                    model_dir, cache = onnx_locations(settings)
                    _models[key] = OnnxEmbedding(model_dir, cache, quantization,
                                                 query_instruction=QUERY_PROMPT, text_instruction=PASSAGE_PROMPT)
                else:
                    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

                    _models[key] = HuggingFaceEmbedding(
                        model_name=_model_location(settings),
                        query_instruction=QUERY_PROMPT,
                        text_instruction=PASSAGE_PROMPT,
                        device=DEVICE,
                        normalize=True,
                    )
            except ModelError:
                raise
            except Exception as error:  # whatever transformers or onnxruntime raises, the user needs the setting named
                raise _model_error(settings.embed_model) from error
        return _models[key]


def onnx_locations(settings: Settings) -> tuple[Path, Path]:
    """The model directory to export from, and where its ONNX files are cached (beside a local model)."""
    location = Path(_model_location(settings))
    if location.is_dir():
        return location, location / "onnx"
    from huggingface_hub import snapshot_download

    # A hub name: its files must already be in the Hugging Face cache (offline), the export goes to ours.
    snapshot = Path(snapshot_download(settings.embed_model, local_files_only=True))
    return snapshot, settings.cache_dir / "onnx" / settings.embed_model.replace("/", "--")


def embedding_signature(settings: Settings | None = None) -> dict[str, str | int]:
    """What the index records about the encoder that built it: the name as configured, the dimension,
    the backend and the quantization (int8 vectors differ from fp32 ones by a cosine of about 0.985)."""
    settings = settings or get_settings()
    backend, quantization = encoder_variant(settings)
    return {"model": settings.embed_model, "dim": _dimension(settings), "backend": backend,
            "quantization": quantization}


def _dimension(settings: Settings) -> int:
    """The embedding size, read from the model directory when possible so no model has to be loaded."""
    directory = Path(_model_location(settings))
    pooling = directory / "1_Pooling" / "config.json"
    modules = directory / "modules.json"
    if pooling.is_file() and modules.is_file():
        try:
            types = [module["type"].rsplit(".", 1)[-1] for module in json.loads(modules.read_text(encoding="utf-8"))]
            if types == ["Transformer", "Pooling", "Normalize"]:  # nothing after pooling changes the size
                config = json.loads(pooling.read_text(encoding="utf-8"))
                return int(config.get("word_embedding_dimension") or config["embedding_dimension"])
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise _model_error(settings.embed_model) from error
    model = getattr(get_embed_model(settings), "_model", None)
    if model is None:  # the ONNX encoder: measure one vector
        return len(get_embed_model(settings).get_text_embedding("dimension"))
    # sentence-transformers 6 renamed the method; 5.x only has the old name
    measure = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(measure())


@lru_cache(maxsize=4)
def _token_counter(location: str) -> Callable[[list[str]], list[int]]:
    """Token counts by the encoder's own tokenizer: a model directory's tokenizer.json with its normaliser in
    one pass (``index.onnx_encoder.translated_tokenizer``, the same ids), else transformers' for a hub name."""
    path = Path(location) / "tokenizer.json"
    if path.is_file():
        from index.onnx_encoder import translated_tokenizer

        tokenizer, table = translated_tokenizer(path)
        tokenizer.no_truncation()
        return lambda texts: [len(item.ids) for item in tokenizer.encode_batch([t.translate(table) for t in texts])]
    from transformers import AutoTokenizer

    hub = AutoTokenizer.from_pretrained(location)
    return lambda texts: [len(ids) for ids in hub(texts, add_special_tokens=True, truncation=False,
                                                   verbose=False)["input_ids"]]


def count_model_tokens(texts: list[str], prompt: str = "", settings: Settings | None = None) -> list[int]:
    """Tokens the model sees for each text, ``<s>`` and ``</s>`` included, without truncation.

    Pass ``prompt=PASSAGE_PROMPT`` to count a chunk as it is embedded; the
    model reads at most 512 tokens, so a chunk over that loses its tail.
    """
    return _token_counter(_model_location(settings or get_settings()))([prompt + text for text in texts])
