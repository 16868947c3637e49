"""Faults around the index: a killed build, bad model settings, a bad question in a batch, links.

Bad model settings give one Danish line, never a traceback; a batch goes on
past a question that fails; a PDF indexed from another folder (or with '#' in
its name) opens from its citation.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from filelock import Timeout

import settings
from index.chroma import open_collection
from index.store import build_index
from tests.helpers import CORPUS, FILE_2023_11
from tests.pdf_factory import write_meeting_pdf
from tests.tiny_docs import write_meeting


def cli(*args: str, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=settings.REPO_ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=timeout, check=False)


def store_contents(config) -> dict[str, tuple]:
    stored = open_collection(config).get(include=["documents", "metadatas", "embeddings"])
    return {
        node: (text, metadata, [round(float(x), 4) for x in embedding])
        for node, text, metadata, embedding in zip(
            stored["ids"], stored["documents"], stored["metadatas"], stored["embeddings"], strict=True)
    }


def test_build_killed_mid_way_then_rerun_equals_a_clean_build(tiny_settings, tmp_path: Path) -> None:
    folder = tmp_path / "mappe"
    write_meeting(folder / "a-lille.txt")
    (folder / FILE_2023_11).write_bytes((CORPUS / FILE_2023_11).read_bytes())
    env = {"MINUTES_DATA_DIR": str(tiny_settings.data_dir), "MINUTES_CORPUS_DIR": str(tiny_settings.corpus_dir)}
    build = subprocess.Popen([sys.executable, "-m", "index", "build", str(folder)], cwd=settings.REPO_ROOT,
                             env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = bytearray()

    def read_stderr() -> None:
        for byte in iter(lambda: build.stderr.read(1), b""):  # tqdm ends its lines with \r
            seen.extend(byte)

    threading.Thread(target=read_stderr, daemon=True).start()
    deadline = time.monotonic() + 300
    while b"Indlejrer kkr-syddanmark" not in seen:  # the small file is stored, the corpus file is embedding
        assert build.poll() is None, seen.decode(errors="replace")
        assert time.monotonic() < deadline
        time.sleep(0.05)
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=60)
    assert build.returncode == -signal.SIGKILL

    rerun = build_index([folder], config=tiny_settings)
    assert not rerun.errors
    assert any(key.endswith(FILE_2023_11) for key in rerun.added + rerun.updated), rerun
    clean = dataclasses.replace(tiny_settings, data_dir=tmp_path / "clean")
    build_index([folder], config=clean)
    assert store_contents(tiny_settings) == store_contents(clean)


@pytest.mark.parametrize("broken", ["missing", "not_a_model"])
def test_bad_model_setting_is_one_danish_line(broken: str, tmp_path: Path) -> None:
    model = tmp_path / "model"
    if broken == "not_a_model":
        model.mkdir()
        (model / "config.json").write_text("{}", encoding="utf-8")
        (model / "README.txt").write_text("ikke en model", encoding="utf-8")
    env = {"MINUTES_EMBED_MODEL": str(model), "MINUTES_DATA_DIR": str(tmp_path / "data")}
    folder = write_meeting(tmp_path / "mappe" / "referat.txt").parent
    for command in (["-m", "index", "build", str(folder)], ["-m", "assistant", "ask", "Hvad med botilbud?"]):
        run = cli(*command, env=env)
        assert run.returncode == 2, run.stderr
        assert "Traceback" not in run.stderr
        lines = [line for line in run.stderr.splitlines() if line.startswith("fejl:")]
        assert len(lines) == 1, run.stderr
        assert lines[0].startswith(f"fejl: Indlejringsmodellen '{model}' kan ikke indlæses: ")
        assert "MINUTES_EMBED_MODEL" in lines[0]


def test_a_bad_question_in_a_batch_gets_an_error_line_and_the_batch_goes_on(tiny_settings, tmp_path: Path) -> None:
    build_index([write_meeting(tmp_path / "mappe" / "referat.txt").parent], config=tiny_settings)
    questions = ["Hvad blev der besluttet om botilbud?", "Hvad skete der med botilbud i 0000?", "", "siden 0000",
                 "før 0001 botilbud", "x" * 5000, "Hvad blev besluttet om sygehusbyggeri?"]
    batch = tmp_path / "spørgsmål.txt"
    batch.write_text("\n".join(questions) + "\n", encoding="utf-8")

    run = cli("-m", "assistant", "ask", "--questions", str(batch),
              env={"MINUTES_DATA_DIR": str(tiny_settings.data_dir), "MINUTES_CORPUS_DIR": str(tiny_settings.corpus_dir)})

    assert "Traceback" not in run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["question"] for line in lines] == [q for q in questions if q]
    assert lines[0]["citations"] and lines[-1]["citations"]
    assert "error" in lines[4] and "error" not in lines[0]  # the overlong question is refused, in Danish
    for line in lines:
        assert "error" in line or "answer" in line


def test_pdf_from_another_folder_opens_through_its_document_id(tiny_settings, tmp_path: Path) -> None:
    from assistant.answer import Citation
    from assistant.retrieval import HybridRetriever
    from tests.test_app import _serve

    folder = tmp_path / "andre møder"
    pdf = write_meeting_pdf("1.1. Botilbud\nBeslutning\nKKR Syddanmark godkendte lånepuljen til botilbud.",
                            folder / "Referat #1?.pdf", meeting_date=date(2023, 11, 21))
    build_index([folder], config=tiny_settings)
    retriever = HybridRetriever(tiny_settings)
    [meeting] = retriever.sources()
    citation = Citation(1, meeting["source"], "KKR Syddanmark", "2023-11-21", 2023, "dagsorden", "1.1", "Botilbud",
                        "Beslutning", 1, "KKR Syddanmark godkendte lånepuljen til botilbud.")
    from app import file_link

    link = file_link(citation, retriever)
    href = link.split('href="', 1)[1].split('"', 1)[0]
    assert re.fullmatch(r"/dokument/[0-9a-f]+#page=1", href), href  # no name to cut short, no server path

    demo, url = _serve(retriever, tiny_settings)
    try:
        assert demo.max_file_size == tiny_settings.max_upload_bytes  # Gradio refuses larger uploads
        # Gradio's refusal is a fixed English string in its frontend, so the field says the limit in Danish first.
        labels = [getattr(block, "label", "") or "" for block in demo.blocks.values()]
        assert f"højst {tiny_settings.max_upload_mb:g} MB pr. fil" in " ".join(labels)
        with urllib.request.urlopen(url.rstrip("/") + href.split("#page=")[0], timeout=60) as response:
            assert response.status == 200 and response.read().startswith(b"%PDF")
        assert pdf.exists()
        outside = Path(__file__).resolve()
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(url.rstrip("/") + "/gradio_api/file=" + str(outside), timeout=60)
    finally:
        demo.close()


def test_questions_are_answered_while_an_upload_is_indexing(tiny_settings, tmp_path: Path) -> None:
    from assistant.retrieval import HybridRetriever
    from assistant.service import ask
    from index.store import store_lock
    from index.uploads import add_upload

    build_index([write_meeting(tiny_settings.corpus_dir / "referat.txt").parent], config=tiny_settings)
    retriever = HybridRetriever(tiny_settings)
    embedding = threading.Event()
    done = threading.Event()
    results = []

    def progress(finished: int, total: int, label: str) -> None:
        embedding.set()
        done.wait(timeout=120)  # hold the upload mid-embedding until the question is answered

    upload = (tmp_path / "in" / FILE_2023_11)
    upload.parent.mkdir()
    upload.write_bytes((CORPUS / FILE_2023_11).read_bytes())
    worker = threading.Thread(target=lambda: results.append(add_upload(upload, config=tiny_settings,
                                                                       progress=progress)))
    worker.start()
    try:
        assert embedding.wait(timeout=300), "the upload never started embedding"
        with pytest.raises(Timeout):  # the upload holds the write lock
            store_lock(tiny_settings).acquire(timeout=0)
        answer = ask("Hvad blev der besluttet om botilbud?", retriever=retriever)
        assert answer.citations and answer.citations[0].source == "referat.txt"
    finally:
        done.set()
        worker.join(timeout=600)
    assert results and results[0].status == "added"


def test_a_folder_indexed_after_the_app_started_is_served_from_the_next_question(tiny_settings, tmp_path: Path) -> None:
    from app import file_link
    from assistant.answer import Citation
    from assistant.retrieval import HybridRetriever
    from tests.test_app import _serve

    first = write_meeting_pdf("1.1. Botilbud\nBeslutning\nKKR Syddanmark godkendte lånepuljen til botilbud.",
                              tmp_path / "a" / "Referat.pdf", meeting_date=date(2023, 11, 21))
    build_index([first.parent], config=tiny_settings)
    retriever = HybridRetriever(tiny_settings)
    demo, url = _serve(retriever, tiny_settings)
    try:
        later = write_meeting_pdf("1.1. Skoler\nBeslutning\nKKR Syddanmark godkendte skoleplanen.",
                                  tmp_path / "b" / "Referat.pdf", meeting_date=date(2024, 2, 5))
        build_index([later.parent], config=tiny_settings, prune=False)  # e.g. `python -m index build b/`
        retriever.refresh()  # what the chat does before each answer
        source = next(m["source"] for m in retriever.sources() if m["meeting_date"] == "2024-02-05")
        citation = Citation(1, source, "KKR Syddanmark", "2024-02-05", 2024, "referat", "1.1", "Skoler",
                            "Beslutning", 1, "KKR Syddanmark godkendte skoleplanen.")
        href = file_link(citation, retriever).split('href="', 1)[1].split('"', 1)[0]
        with urllib.request.urlopen(url.rstrip("/") + href.split("#page=")[0], timeout=60) as response:
            assert response.status == 200 and response.read().startswith(b"%PDF")
    finally:
        demo.close()
