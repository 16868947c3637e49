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


def get_embed_model(settings: Settings | None = None):
    """The process's one HuggingFaceEmbedding for the configured model (loading takes seconds).

    Queries are embedded as "query: …", documents as "passage: …".
    """
    settings = settings or get_settings()
    name = settings.embed_model
    with _models_lock:
        if name not in _models:
            from llama_index.embeddings.huggingface import HuggingFaceEmbedding

            location = _model_location(settings)
            try:
                _models[name] = HuggingFaceEmbedding(
                    model_name=location,
                    query_instruction=QUERY_PROMPT,
                    text_instruction=PASSAGE_PROMPT,
                    device=DEVICE,
                    normalize=True,
                )
            except Exception as error:  # whatever transformers raises, the user needs the setting named
                raise _model_error(name) from error
        return _models[name]


def embedding_signature(settings: Settings | None = None) -> dict[str, str | int]:
    """What the index records about the model that built it: the name as configured, and the dimension."""
    settings = settings or get_settings()
    return {"model": settings.embed_model, "dim": _dimension(settings)}


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
    model = get_embed_model(settings)._model
    # sentence-transformers 6 renamed the method; 5.x only has the old name
    measure = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(measure())


@lru_cache(maxsize=4)
def _tokenizer(location: str):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(location)


def count_model_tokens(texts: list[str], prompt: str = "", settings: Settings | None = None) -> list[int]:
    """Tokens the model sees for each text, ``<s>`` and ``</s>`` included, without truncation.

    Pass ``prompt=PASSAGE_PROMPT`` to count a chunk as it is embedded; the
    model reads at most 512 tokens, so a chunk over that loses its tail.
    """
    tokenizer = _tokenizer(_model_location(settings or get_settings()))
    encoded = tokenizer([prompt + text for text in texts], add_special_tokens=True, truncation=False, verbose=False)
    return [len(ids) for ids in encoded["input_ids"]]
