"""The set-up step (``python -m index.prepare``): the bundled model converted, and its ONNX graph written.

It sits above ``model``, ``onnx_encoder`` and ``embedding`` so that those three
import one another in one direction only; set-up, not the first build, pays for
the conversion and the export.
"""

from __future__ import annotations

import time

from index.embedding import encoder_variant, onnx_locations
from index.model import ensure_local_model, is_complete
from index.onnx_encoder import ensure_onnx_model, onnx_path
from settings import Settings, get_settings


def prepare_onnx_model(settings: Settings) -> None:
    """Export the configured ONNX variant now, at set-up, not at the first build."""
    backend, quantization = encoder_variant(settings)
    if backend != "onnx":
        return
    model_dir, cache = onnx_locations(settings)
    if onnx_path(cache, quantization).is_file():
        print(f"ONNX-modellen findes allerede: {onnx_path(cache, quantization)}")
        return
    started = time.perf_counter()
    path = ensure_onnx_model(model_dir, cache, quantization)
    print(f"ONNX-modellen ({quantization}) er eksporteret til {path} på {time.perf_counter() - started:.1f} s")


def main() -> int:
    settings = get_settings()
    target = settings.local_model_dir
    if is_complete(target):
        print(f"Modellen findes allerede: {target}")
    else:
        started = time.perf_counter()
        ensure_local_model(settings)
        print(f"Modellen er bygget i {target} på {time.perf_counter() - started:.1f} s")
    prepare_onnx_model(settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
