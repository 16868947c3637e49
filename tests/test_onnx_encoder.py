"""The ONNX Runtime encoder: the same vectors as PyTorch (int8 close to them), cached, recorded in the index."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import settings
from index.chroma import IndexMismatchError, open_collection
from index.embedding import get_embed_model
from index.onnx_encoder import onnx_path

TEXTS = [
    "KKR Syddanmark besluttede at godkende referatet.",
    "Kommunerne i Syddanmark har et samlet udgiftspres på botilbudsområdet, og der er behov for flere pladser.",
    "Sundhedsaftalen 2024-2027 blev drøftet.",
]


def _vectors(config, backend: str, quantization: str) -> np.ndarray:
    variant = dataclasses.replace(config, embed_backend=backend, embed_quantization=quantization)
    return np.asarray(get_embed_model(variant).get_text_embedding_batch(TEXTS), dtype=np.float32)


def test_onnx_vectors_match_pytorch_and_are_cached_beside_the_model(embedding_model: Path) -> None:
    config = settings.get_settings()
    reference = _vectors(config, "torch", "fp32")
    fp32 = _vectors(config, "onnx", "fp32")
    int8 = _vectors(config, "onnx", "int8")
    assert np.allclose(np.linalg.norm(fp32, axis=1), 1.0, atol=1e-4)
    assert (fp32 * reference).sum(axis=1).min() > 0.9999
    assert (int8 * reference).sum(axis=1).min() > 0.99  # per-channel weights, GELU-fed products in fp32
    for quantization in ("fp32", "int8"):
        assert onnx_path(embedding_model / "onnx", quantization).is_file()
    assert not list((embedding_model / "onnx").glob(".*")), "no half-written file is left behind"


def test_index_built_with_another_backend_or_quantization_is_refused(isolated_settings, monkeypatch) -> None:
    from index.embedding import encoder_variant

    open_collection(isolated_settings, create=True)
    built = encoder_variant(isolated_settings)
    for backend, quantization in {("torch", "fp32"), ("onnx", "fp32"), ("onnx", "int8")} - {built}:
        monkeypatch.setenv("MINUTES_EMBED_BACKEND", backend)
        monkeypatch.setenv("MINUTES_EMBED_QUANTIZATION", quantization)
        settings.get_settings.cache_clear()
        with pytest.raises(IndexMismatchError, match="python -m index build --rebuild") as refused:
            open_collection(settings.get_settings())
        assert f"{built[0]} {built[1]}" in str(refused.value) and f"{backend} {quantization}" in str(refused.value)


def test_an_unknown_backend_is_a_danish_error(monkeypatch) -> None:
    monkeypatch.setenv("MINUTES_EMBED_BACKEND", "tensorflow")
    with pytest.raises(ValueError, match="ikke gyldig; vælg en af: onnx, torch"):
        settings.load_settings()


def test_an_index_from_before_backends_were_recorded_opens_under_fp32_only(tmp_path) -> None:
    """It was built by PyTorch in fp32; ONNX fp32 gives the same vectors, int8 does not."""
    import pytest

    from index.chroma import IndexMismatchError, check_signature
    from settings import get_settings

    legacy = {"embed_model": "m", "embed_dim": 384}
    config = get_settings()
    for backend in ("torch", "onnx"):
        check_signature(legacy, {**legacy, "embed_backend": backend, "embed_quantization": "fp32"}, config)
    with pytest.raises(IndexMismatchError):
        check_signature(legacy, {**legacy, "embed_backend": "onnx", "embed_quantization": "int8"}, config)
    with pytest.raises(IndexMismatchError):
        check_signature({**legacy, "embed_backend": "torch", "embed_quantization": "fp32"},
                        {**legacy, "embed_backend": "onnx", "embed_quantization": "fp32"}, config)


def test_the_one_pass_normaliser_gives_the_tokenizers_own_ids(embedding_model: Path) -> None:
    from tokenizers import Tokenizer

    from index.onnx_encoder import translated_tokenizer
    from settings import REPO_ROOT

    path = embedding_model / "tokenizer.json"
    library = Tokenizer.from_file(str(path))
    fast, table = translated_tokenizer(path)
    assert len(table) > 1000, "the converted model's per-codepoint table is taken out of the normaliser"
    lines = [line for text_file in sorted((REPO_ROOT / "corpus").glob("*.txt"))
             for line in text_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = lines[::4]  # 750 lines: the library's own normaliser takes a second per thousand
    texts += ["ｆｕｌｌｗｉｄｔｈ  ﬁ ligatur – “citat” ½ Ⅻ ㎏ ‘x’ \u00a0hård  plads a\u030a é\tslut  "]
    expected = [item.ids for item in library.encode_batch(texts)]
    assert [item.ids for item in fast.encode_batch([text.translate(table) for text in texts])] == expected


def test_a_normaliser_of_another_shape_is_left_as_it_is(tmp_path: Path) -> None:
    from tokenizers import Tokenizer, normalizers
    from tokenizers.models import WordLevel

    from index.onnx_encoder import translated_tokenizer

    original = Tokenizer(WordLevel({"a": 0, "[UNK]": 1}, unk_token="[UNK]"))
    original.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace("x", "a")])
    original.save(str(tmp_path / "tokenizer.json"))
    kept, table = translated_tokenizer(tmp_path / "tokenizer.json")
    assert table == {}
    assert kept.normalizer.normalize_str("ｘ") == "a"

    # a codepoint replaced twice: the table takes the first pass, the second stays a pass of its own
    original.normalizer = normalizers.Sequence([normalizers.Replace("x", "a"), normalizers.Replace("x", "b"),
                                                normalizers.Replace("a", "x")])
    original.save(str(tmp_path / "tokenizer.json"))
    kept, table = translated_tokenizer(tmp_path / "tokenizer.json")
    assert table == {ord("x"): "a"}
    assert kept.normalizer.normalize_str("xa".translate(table)) == original.normalizer.normalize_str("xa") == "xx"


def _small_bert(embedding_model: Path, directory: Path) -> Path:
    """A BERT of random weights, narrower and shallower than e5-small, with the bundled model's tokenizer."""
    import json
    import shutil

    from safetensors.numpy import save_file

    from index.model import Dims, bert_config

    config = bert_config(Dims(hidden=64, layers=2, heads=4, ffn=128, vocab=250037, max_positions=512,
                              type_vocab=2, layer_norm_eps=1e-12))
    rng = np.random.default_rng(7)
    weights = {name: rng.normal(0, 0.2, shape).astype(np.float32) for name, shape in {
        "embeddings.word_embeddings.weight": (250037, 64), "embeddings.position_embeddings.weight": (512, 64),
        "embeddings.token_type_embeddings.weight": (2, 64),
        "embeddings.LayerNorm.weight": (64,), "embeddings.LayerNorm.bias": (64,),
    }.items()}
    for layer in range(2):
        for name, shape in {"attention.self.query": (64, 64), "attention.self.key": (64, 64),
                            "attention.self.value": (64, 64), "attention.output.dense": (64, 64),
                            "attention.output.LayerNorm": (64,), "intermediate.dense": (128, 64),
                            "output.dense": (64, 128), "output.LayerNorm": (64,)}.items():
            weights[f"encoder.layer.{layer}.{name}.weight"] = rng.normal(0, 0.2, shape).astype(np.float32)
            weights[f"encoder.layer.{layer}.{name}.bias"] = rng.normal(0, 0.2, shape[:1]).astype(np.float32)
    directory.mkdir()
    (directory / "config.json").write_text(json.dumps(config), encoding="utf-8")
    save_file(weights, str(directory / "model.safetensors"), metadata={"format": "pt"})
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(embedding_model / name, directory / name)
    return directory


def test_the_graph_written_from_the_weights_is_the_exporters(embedding_model: Path, tmp_path: Path) -> None:
    """The fused graph written straight from model.safetensors gives, token by token, what
    torch.onnx.export plus onnxruntime's optimiser give (the route for any model it does not cover).
    On a small BERT of random weights: another width, depth and head count than the bundled model's
    (which test_onnx_vectors_match_pytorch compares with PyTorch), and a type-0 embedding that is not small."""
    import onnxruntime
    from tokenizers import Tokenizer

    from index import onnx_graph
    from index.onnx_encoder import _export_fp32

    model = _small_bert(embedding_model, tmp_path / "small")
    assert onnx_graph.covers(model)
    onnx_graph.write_bert_graph(model, tmp_path / "direct.onnx")
    _export_fp32(model, tmp_path / "exported.onnx")
    tokenizer = Tokenizer.from_file(str(model / "tokenizer.json"))
    tokenizer.enable_padding(pad_id=tokenizer.token_to_id("<pad>"))
    encoded = tokenizer.encode_batch([f"passage: {text}" for text in TEXTS])
    feed = {"input_ids": np.array([item.ids for item in encoded], dtype=np.int64),
            "attention_mask": np.array([item.attention_mask for item in encoded], dtype=np.int64)}
    direct, exported = (onnxruntime.InferenceSession(str(tmp_path / name), providers=["CPUExecutionProvider"])
                        .run(None, feed)[0] for name in ("direct.onnx", "exported.onnx"))
    real = feed["attention_mask"].astype(bool)
    assert real.sum() < real.size, "the batch pads its shorter texts"
    assert np.abs(direct - exported)[real].max() < 1e-4


def test_a_model_the_graph_does_not_cover_goes_to_the_exporter(tmp_path: Path) -> None:
    import json

    from safetensors.numpy import save_file

    from index import onnx_graph

    save_file({"embeddings.word_embeddings.weight": np.zeros((2, 2), dtype=np.float32)},
              str(tmp_path / "model.safetensors"))
    for config in ({"model_type": "xlm-roberta"}, {"model_type": "bert", "position_embedding_type": "relative_key"},
                   {"model_type": "bert", "hidden_act": "gelu_new"}):
        (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
        assert not onnx_graph.covers(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}), encoding="utf-8")
    assert onnx_graph.covers(tmp_path)
    # bfloat16 weights (numpy has no such type): the exporter, through torch, reads them
    header = json.dumps({"w": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}}).encode()
    (tmp_path / "model.safetensors").write_bytes(len(header).to_bytes(8, "little") + header + b"\0\0")
    assert not onnx_graph.covers(tmp_path)
