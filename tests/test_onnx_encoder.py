"""The ONNX Runtime encoder: the same vectors as PyTorch (int8 close to them), cached, recorded in the index."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import settings
from index.embedding import get_embed_model
from index.onnx_encoder import onnx_path
from index.store import IndexMismatchError, open_collection

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
    assert (int8 * reference).sum(axis=1).min() > 0.95
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

    from index.store import IndexMismatchError, check_signature
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
