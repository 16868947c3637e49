"""The embedding model on ONNX Runtime: exported once from the converted model, cached beside it.

Why not sentence-transformers' own ``backend="onnx"``: it goes through
optimum-onnx, which requires transformers < 4.58 and so cannot sit beside
sentence-transformers 6. The export here is ``torch.onnx.export`` (the
TorchScript exporter; the model is wrapped so it is called with keyword
arguments), onnxruntime's BERT graph optimiser fuses attention, layer norm and
GELU, and ``quantize_dynamic`` makes the int8 variant, whose matrix products use
the CPU's integer instructions (VNNI). Inference is a small llama-index
embedding class over an ``InferenceSession`` and the model's own tokenizer,
with the same mean pooling and normalisation as the sentence-transformers
directory (``1_Pooling``, ``2_Normalize``).

Everything happens offline, from the directory on disk. Each file is written
to a temporary name in the same folder and renamed into place, so a crash or a
concurrent reader never sees half a model.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

QUANTIZATIONS = ("fp32", "int8")
MAX_LENGTH = 512
OPSET = 17
# Bump when the export changes what it writes: a cached file of another version is rebuilt.
EXPORT_VERSION = 1
BATCH = 32


def onnx_path(cache: Path, quantization: str) -> Path:
    return cache / f"model-{quantization}-v{EXPORT_VERSION}.onnx"


def ensure_onnx_model(model_dir: Path, cache: Path, quantization: str) -> Path:
    """The ONNX file for ``quantization`` in ``cache``, exported (and quantised) first if it is not there."""
    if quantization not in QUANTIZATIONS:
        raise ValueError(f"Ukendt kvantisering '{quantization}'; vælg en af {', '.join(QUANTIZATIONS)}.")
    target = onnx_path(cache, quantization)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if quantization == "fp32":
        _atomically(target, lambda path: _export_fp32(model_dir, path))
    else:
        fp32 = ensure_onnx_model(model_dir, cache, "fp32")
        _atomically(target, lambda path: _quantize_int8(fp32, path))
    return target


def _atomically(target: Path, write) -> None:
    """Run ``write(temporary path)`` and rename the result to ``target``; a lost race keeps the winner's file."""
    handle, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".onnx", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        temporary.chmod(0o644)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _export_fp32(model_dir: Path, target: Path) -> None:
    import torch
    from onnxruntime.transformers import optimizer
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    # Eager attention exports as plain MatMul/Softmax, the pattern onnxruntime fuses into one Attention op;
    # the SDPA path exports in a form the optimiser does not recognise.
    model = AutoModel.from_pretrained(model_dir, attn_implementation="eager", add_pooling_layer=False)
    model.eval()
    config = AutoConfig.from_pretrained(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    sample = tokenizer(["passage: eksempel på en sætning", "query: kort"], padding=True, return_tensors="pt")

    class KeywordEncoder(torch.nn.Module):
        """BertModel's positional order is (input_ids, attention_mask, token_type_ids, ...); call it by name."""

        def __init__(self, encoder) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask):
            return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    raw = target.with_name(target.stem + "-raw.onnx")
    try:
        with torch.no_grad():
            torch.onnx.export(
                KeywordEncoder(model),
                (sample["input_ids"], sample["attention_mask"]),
                str(raw),
                input_names=["input_ids", "attention_mask"],
                output_names=["last_hidden_state"],
                dynamic_axes={name: {0: "batch", 1: "sequence"}
                              for name in ("input_ids", "attention_mask", "last_hidden_state")},
                opset_version=OPSET,
                dynamo=False,
            )
        optimized = optimizer.optimize_model(
            str(raw), model_type="bert", num_heads=config.num_attention_heads, hidden_size=config.hidden_size
        )
        optimized.save_model_to_file(str(target))
    finally:
        raw.unlink(missing_ok=True)


def _quantize_int8(fp32: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The fused ops (com.microsoft domain) defeat shape inference; their outputs are float.
    quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})


def pooling_is_mean(model_dir: Path) -> bool:
    pooling = model_dir / "1_Pooling" / "config.json"
    return not pooling.is_file() or bool(json.loads(pooling.read_text(encoding="utf-8")).get("pooling_mode_mean_tokens"))


class OnnxEmbedding(BaseEmbedding):
    """A llama-index embedding over onnxruntime: mean pooling, L2-normalised, e5's prompts prepended."""

    query_instruction: str = ""
    text_instruction: str = ""
    quantization: str = "fp32"
    _session: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()

    def __init__(self, model_dir: Path, cache: Path, quantization: str = "fp32", **kwargs: Any) -> None:
        kwargs.setdefault("embed_batch_size", BATCH)
        super().__init__(model_name=f"{model_dir} (onnx {quantization})", quantization=quantization, **kwargs)
        import onnxruntime
        from tokenizers import Tokenizer

        if not pooling_is_mean(model_dir):
            raise ValueError(f"{model_dir} bruger ikke middelværdi-pooling; ONNX-kodningen understøtter kun den.")
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = onnxruntime.InferenceSession(
            str(ensure_onnx_model(model_dir, cache, quantization)), options, providers=["CPUExecutionProvider"]
        )
        # The tokenizers library straight from tokenizer.json: transformers' AutoTokenizer gives the same ids
        # (padding with <pad>, truncation at 512) but costs seconds of imports at every start.
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_LENGTH)
        self._tokenizer.enable_padding(pad_id=self._tokenizer.token_to_id("<pad>"), pad_token="<pad>")

    @classmethod
    def class_name(cls) -> str:
        return "OnnxEmbedding"

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors for ``texts`` (prompts already prepended), batched in length order so little is padding."""
        vectors = np.zeros((len(texts), 0), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        for start in range(0, len(order), self.embed_batch_size):
            batch = order[start : start + self.embed_batch_size]
            encoded = self._tokenizer.encode_batch([texts[index] for index in batch])
            ids = np.asarray([item.ids for item in encoded], dtype=np.int64)
            mask = np.asarray([item.attention_mask for item in encoded], dtype=np.int64)
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            if vectors.shape[1] == 0:
                vectors = np.zeros((len(texts), pooled.shape[1]), dtype=np.float32)
            vectors[batch] = pooled
        return vectors

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.encode([self.query_instruction + query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.encode([self.text_instruction + text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.encode([self.text_instruction + text for text in texts]).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


def main() -> int:
    """``python -m index.onnx_encoder``: export the configured ONNX variant now (set-up), not at the first build."""
    import time

    from index.embedding import encoder_variant, onnx_locations
    from settings import get_settings

    settings = get_settings()
    backend, quantization = encoder_variant(settings)
    if backend != "onnx":
        return 0
    model_dir, cache = onnx_locations(settings)
    if onnx_path(cache, quantization).is_file():
        print(f"ONNX-modellen findes allerede: {onnx_path(cache, quantization)}")
        return 0
    started = time.perf_counter()
    path = ensure_onnx_model(model_dir, cache, quantization)
    print(f"ONNX-modellen ({quantization}) er eksporteret til {path} på {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
