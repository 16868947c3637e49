"""A BERT encoder's ONNX Runtime graph, written straight from its weights, without torch.

``torch.onnx.export`` followed by onnxruntime's BERT optimiser ends in a graph
of twelve identical fused layers (``Attention``, ``SkipLayerNormalization``,
``BiasGelu``, three ``MatMul``) behind one ``EmbedLayerNormalization``. That
route costs most of a fresh machine's set-up: importing torch and
transformers, loading the model, tracing, then the fusion passes. This module writes that fused graph directly from
``model.safetensors`` with the ``onnx`` helpers, in about a second. No
library builds a fused graph from a weight file (the exporter and the
optimiser are the library route, and stay the route for any model this does
not cover: see ``index.onnx_encoder``).

It covers what multilingual-e5-small is: a ``BertModel`` with absolute
positions counted from 0, exact (erf) GELU, post-layer-norm, and inputs
``input_ids`` and ``attention_mask`` padded on the right. Every token has
type 0, as the sentence-transformers model feeds it. The test of the ONNX
encoder compares this graph's vectors with PyTorch's and with the exporter's.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

OPSET = 17  # of the standard operators, in this graph and in the exporter's (index.onnx_encoder)
CONTRIB = "com.microsoft"  # onnxruntime's fused transformer operators
ALIGNMENT = 1 << 16  # where each weight starts in the data file: a multiple of any page size
INLINE_BYTES = 1024  # smaller constants stay inside the graph file
NUMPY_DTYPES = {"F32", "F16"}  # what safetensors' numpy loader reads (bfloat16 is no numpy type)


def covers(model_dir: Path) -> bool:
    """True when ``model_dir`` is a BERT encoder this graph reproduces (else the exporter is used)."""
    config_path = model_dir / "config.json"
    if not (model_dir / "model.safetensors").is_file() or not config_path.is_file():
        return False
    config = json.loads(config_path.read_text(encoding="utf-8"))
    return (
        config.get("model_type") == "bert"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and config.get("hidden_act", "gelu") == "gelu"
        and not config.get("is_decoder", False)
        and _weight_dtypes(model_dir / "model.safetensors") <= NUMPY_DTYPES
    )


def _weight_dtypes(path: Path) -> set[str]:
    """The dtypes in a safetensors file's header (8 bytes of length, then JSON), without reading the weights."""
    with path.open("rb") as handle:
        size = int.from_bytes(handle.read(8), "little")
        header = json.loads(handle.read(size)) if 0 < size < 1 << 26 else {}
    return {entry["dtype"] for name, entry in header.items() if name != "__metadata__"}


def write_bert_graph(model_dir: Path, target: Path) -> None:
    """The fused fp32 graph of ``model_dir``'s encoder at ``target``, its weights in ``<target>.data``.

    Inputs ``input_ids`` and ``attention_mask``, output ``last_hidden_state``,
    as the exporter's graph has them. Each weight starts on a 64 KiB boundary
    of the data file, which lets onnxruntime map it instead of copying it.
    ``onnx.save_model`` packs external tensors end to end, and its writer wants
    every tensor's bytes copied into the protobuf first (470 MB), so the
    offsets and the data file are written here.
    """
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    model, weights = _graph(config, _weights(model_dir))
    data = target.with_name(target.name + ".data")
    with data.open("wb") as handle:
        for tensor in model.graph.initializer:
            if tensor.name not in weights:
                continue
            values = weights[tensor.name]
            offset = -(-handle.tell() // ALIGNMENT) * ALIGNMENT
            handle.seek(offset)
            values.tofile(handle)  # straight from the array: no second 470 MB copy as bytes
            # onnx's set_external_data insists on raw_data being filled first (a copy of 470 MB); the fields are these.
            for key, value in (("location", data.name), ("offset", str(offset)), ("length", str(values.nbytes))):
                tensor.external_data.add(key=key, value=value)
            tensor.data_location = tensor.EXTERNAL
    target.write_bytes(model.SerializeToString())


def _weights(model_dir: Path) -> dict[str, np.ndarray]:
    """The encoder's tensors by BertModel's names; a ``bert.`` prefix (a task model's) is dropped."""
    from safetensors.numpy import load_file

    tensors = load_file(str(model_dir / "model.safetensors"))
    return {name.removeprefix("bert."): value.astype(np.float32, copy=False) for name, value in tensors.items()}


def _graph(config: dict, w: dict[str, np.ndarray]):
    """The model, its large initializers still empty, and their values by name (for the data file)."""
    from onnx import TensorProto, helper, numpy_helper

    eps = float(config.get("layer_norm_eps", 1e-12))
    heads = int(config["num_attention_heads"])
    initializers: list = []
    external: dict[str, np.ndarray] = {}
    nodes: list = []

    def constant(name: str, value: np.ndarray) -> str:
        value = np.ascontiguousarray(value)
        if value.nbytes < INLINE_BYTES:
            initializers.append(numpy_helper.from_array(value, name))
        else:
            initializers.append(TensorProto(
                name=name, dims=value.shape, data_type=helper.np_dtype_to_tensor_dtype(value.dtype)))
            external[name] = value
        return name

    def node(op: str, inputs: list[str], output: str, domain: str = "", **attributes) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, domain=domain, **attributes))
        return output

    ids = node("Cast", ["input_ids"], "input_ids_int32", to=TensorProto.INT32)
    mask = node("Cast", ["attention_mask"], "attention_mask_int32", to=TensorProto.INT32)
    # Every token is of type 0: a zero of the ids' shape, made from the ids themselves.
    types = node("Mul", [ids, constant("zero", np.zeros((), dtype=np.int32))], "token_type_ids_int32")
    embeddings = "embeddings.LayerNorm"
    nodes.append(helper.make_node(
        "EmbedLayerNormalization",
        [ids, types,
         constant("word_embeddings", w["embeddings.word_embeddings.weight"]),
         constant("position_embeddings", w["embeddings.position_embeddings.weight"]),
         constant("token_type_embeddings", w["embeddings.token_type_embeddings.weight"]),
         constant("embeddings_gamma", w["embeddings.LayerNorm.weight"]),
         constant("embeddings_beta", w["embeddings.LayerNorm.bias"]),
         mask],
        [embeddings, "mask_index"], name=embeddings, domain=CONTRIB, epsilon=eps,
    ))
    hidden = embeddings
    for layer in range(int(config["num_hidden_layers"])):
        hidden = _layer(f"encoder.layer.{layer}.", hidden, w, heads, eps, constant, node)
    nodes.append(helper.make_node("Identity", [hidden], ["last_hidden_state"], name="last_hidden_state"))

    dims = ["batch", "sequence"]
    graph = helper.make_graph(
        nodes, "bert_encoder",
        [helper.make_tensor_value_info(name, TensorProto.INT64, dims) for name in ("input_ids", "attention_mask")],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [*dims, int(config["hidden_size"])])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(CONTRIB, 1)],
                              producer_name="index.onnx_graph")
    return model, external


def _layer(prefix: str, hidden: str, w: dict[str, np.ndarray], heads: int, eps: float, constant, node) -> str:
    """One post-layer-norm BERT layer, as onnxruntime's optimiser fuses it.

    A torch Linear holds its weight as (out, in); MatMul multiplies by (in,
    out), hence the transposes. Attention takes query, key and value as one
    (in, 3 x out) matrix, in that order.
    """
    def weight(name: str) -> np.ndarray:
        return w[f"{prefix}{name}.weight"].T

    def bias(name: str) -> np.ndarray:
        return w[f"{prefix}{name}.bias"]

    qkv = ("attention.self.query", "attention.self.key", "attention.self.value")
    attended = node("Attention",
                    [hidden,
                     constant(f"{prefix}qkv.weight", np.concatenate([weight(n) for n in qkv], axis=1)),
                     constant(f"{prefix}qkv.bias", np.concatenate([bias(n) for n in qkv])),
                     "mask_index"],
                    f"{prefix}attention", domain=CONTRIB, num_heads=heads)
    projected = node("MatMul", [attended, constant(f"{prefix}attention.output.weight",
                                                    weight("attention.output.dense"))],
                     f"{prefix}attention.output")
    normed = node("SkipLayerNormalization",
                  [projected, hidden,
                   constant(f"{prefix}attention.gamma", w[f"{prefix}attention.output.LayerNorm.weight"]),
                   constant(f"{prefix}attention.beta", w[f"{prefix}attention.output.LayerNorm.bias"]),
                   constant(f"{prefix}attention.output.bias", bias("attention.output.dense"))],
                  f"{prefix}attention.LayerNorm", domain=CONTRIB, epsilon=eps)
    widened = node("MatMul", [normed, constant(f"{prefix}intermediate.weight", weight("intermediate.dense"))],
                   f"{prefix}intermediate")
    activated = node("BiasGelu", [widened, constant(f"{prefix}intermediate.bias", bias("intermediate.dense"))],
                     f"{prefix}intermediate.gelu", domain=CONTRIB)
    narrowed = node("MatMul", [activated, constant(f"{prefix}output.weight", weight("output.dense"))],
                    f"{prefix}output")
    return node("SkipLayerNormalization",
                [narrowed, normed,
                 constant(f"{prefix}output.gamma", w[f"{prefix}output.LayerNorm.weight"]),
                 constant(f"{prefix}output.beta", w[f"{prefix}output.LayerNorm.bias"]),
                 constant(f"{prefix}output.bias", bias("output.dense"))],
                f"{prefix}output.LayerNorm", domain=CONTRIB, epsilon=eps)
