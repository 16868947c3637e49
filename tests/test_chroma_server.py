"""The assistant on a real Chroma server (``chroma run``), shared by processes.

One server per module, on a free loopback port with a temporary path. The
session's embedded corpus index is copied into it (``python -m index copy``'s
function: vectors and all, so the corpus is not embedded twice in the suite),
and a build of the corpus against the server then finds every file unchanged.
The answers must equal embedded mode's, in process and from
``python -m assistant ask``; an upload through one process must be found by an
app in another at its next question; a server that is killed gives one Danish
line and a non-zero exit in the CLI and a Danish chat message in the app, which
answers again once the server is back.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import settings
from tests.chroma_server import ChromaServer, free_port, running_server
from tests.helpers import CORPUS, REPO
from tests.tiny_docs import meeting_text

QUESTIONS = [
    "Hvad blev der besluttet om botilbud?",
    "Hvornår har KKR tidligere behandlet dimensionering af pædagoguddannelsen?",
    "Hvor mange lærepladser på SOSU-uddannelserne blev fordelt for 2026?",
    "Hvad skete der med Fremskudt funktion i 2021?",
    "Hvad blev der besluttet om Syddansk EU-kontor?",
    "Hvem gav en status for arbejdet i EU-kontoret?",
    "Hvad koster en ny kunstgræsbane i Odense Kommune?",
]
UPLOAD_TOPIC = "bølgekraftanlæg"
UPLOAD_QUESTION = f"Hvad blev der besluttet om {UPLOAD_TOPIC}?"
APP_START_TIMEOUT_S = 300
SERVER_DOWN = "Chroma-serveren"


def _compared(answer: dict) -> dict:
    """What must be equal in both modes: the answer, whether it refused, and what it cites and retrieved."""
    return {"answer": answer["answer"], "refused": answer["refused"], "citations": answer["citations"],
            "retrieved": [(r["source"], r["item"]) for r in answer["retrieved"]]}


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory) -> Iterator[ChromaServer]:
    with running_server(tmp_path_factory.mktemp("chroma-server") / "db") as server:
        yield server


@pytest.fixture(scope="module")
def server_settings(chroma_server: ChromaServer, corpus_index, tmp_path_factory):
    """Settings of a process using the server (its own data dir), with the bundled corpus in the server."""
    from index.store import build_index, copy_index

    data = tmp_path_factory.mktemp("server-client-a")
    config = dataclasses.replace(settings.get_settings(), data_dir=data, chroma_url=chroma_server.url)
    copied = copy_index(corpus_index.config, config)
    assert copied == corpus_index.chunk_count
    report = build_index([CORPUS], config=config)
    assert not report.errors and not report.added and not report.updated and not report.removed, report.summary()
    assert len(report.unchanged) == len(list(CORPUS.glob("*.txt"))) and report.chunks_embedded == 0
    return config


@pytest.fixture(scope="module")
def server_retriever(server_settings):
    from assistant.retrieval import HybridRetriever

    return HybridRetriever(server_settings)


def _environment(config, **extra: str) -> dict[str, str]:
    environment = {**os.environ, "MINUTES_CHROMA_URL": str(config.chroma_url), "OMP_NUM_THREADS": "1",
                   "MINUTES_CORPUS_DIR": str(CORPUS), **{f"MINUTES_{k}": v for k, v in extra.items()}}
    environment.pop("MINUTES_EMBED_MODEL", None)
    return environment


class AppProcess:
    """``python app.py`` in a process of its own against the server, with its own data dir and port."""

    def __init__(self, config, data_dir: Path) -> None:
        self.port = free_port()
        self.log = data_dir.parent / "app.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "app.py"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env=_environment(config, DATA_DIR=str(data_dir), PORT=str(self.port)))
        self._client = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def client(self):
        """A gradio_client of the app, once it answers (the first call waits for its start)."""
        if self._client is None:
            deadline = time.monotonic() + APP_START_TIMEOUT_S
            while not self._up():
                assert self.process.poll() is None, self.log.read_text(errors="replace")[-3000:]
                assert time.monotonic() < deadline, "the app did not start"
                time.sleep(0.5)
            from gradio_client import Client

            self._client = Client(self.url, verbose=False)
        return self._client

    def ask(self, question: str) -> str:
        """The app's last chat message for ``question``."""
        history, *_ = self.client().predict(question, [], "Alle", "Alle", [], "Alle", api_name="/respond")
        content = history[-1]["content"]
        # Gradio's API returns a message as a list of typed parts; the app wrote one text.
        return "".join(part.get("text", "") for part in content) if isinstance(content, list) else str(content)

    def _up(self) -> bool:
        try:
            with urllib.request.urlopen(self.url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def other_app(server_settings, tmp_path_factory) -> Iterator[AppProcess]:
    """A second instance: the app in another process, started now and waited for at its first question."""
    app = AppProcess(server_settings, tmp_path_factory.mktemp("server-client-b") / "data")
    try:
        yield app
    finally:
        app.stop()


def test_answers_and_citations_on_the_server_equal_embedded_mode(corpus_index, server_retriever, server_settings,
                                                                  other_app, tmp_path: Path) -> None:
    from app import answer_markdown
    from assistant.service import ask

    answers = {q: ask(q, retriever=corpus_index) for q in QUESTIONS}
    embedded = {q: _compared(answer.to_json()) for q, answer in answers.items()}
    assert sum(not a["refused"] for a in embedded.values()) >= 5, "the questions must mostly be answered"
    for question in QUESTIONS:
        assert _compared(ask(question, retriever=server_retriever).to_json()) == embedded[question], question
        # The app in another process, on the server: the same chat message, citations and all.
        assert other_app.ask(question) == answer_markdown(answers[question]), question

    questions = tmp_path / "questions.txt"
    questions.write_text("\n".join(QUESTIONS) + "\n", encoding="utf-8")
    finished = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--questions", str(questions)], cwd=REPO, capture_output=True,
        check=False, text=True, timeout=600, env=_environment(server_settings, DATA_DIR=str(server_settings.data_dir)))
    assert finished.returncode == 0, finished.stderr[-3000:]
    answers = [json.loads(line) for line in finished.stdout.splitlines() if line.strip()]
    assert [_compared(a) for a in answers] == [embedded[q] for q in QUESTIONS]


def test_an_upload_in_one_process_is_found_by_another_at_its_next_question(server_settings, other_app,
                                                                           tmp_path: Path) -> None:
    from index.uploads import add_upload

    before = other_app.ask(UPLOAD_QUESTION)
    assert "uploads/" not in before and "Bølgekraftanlæg" not in before, before
    document = tmp_path / "møde om bølgekraft.txt"
    document.write_text(meeting_text(UPLOAD_TOPIC, "14-03-2024"), encoding="utf-8")
    result = add_upload(document, config=server_settings)
    assert result.status == "added", result.message

    after = other_app.ask(UPLOAD_QUESTION)
    assert f"anbefale lånepuljen til {UPLOAD_TOPIC}" in after and "14. marts 2024" in after, after


def test_a_server_that_goes_away_gives_a_danish_message_and_the_app_recovers(chroma_server, server_settings,
                                                                             server_retriever, other_app) -> None:
    from app import error_message
    from assistant.service import ask
    from index.chroma import store_error

    question = QUESTIONS[0]
    working = other_app.ask(question)
    chroma_server.stop()
    try:
        # The command lines (ask, and the eval): one Danish line on stderr, exit code 2, no traceback.
        for command in (["assistant", "ask", "--json", question], ["eval", "--no-baseline"]):
            finished = subprocess.run(
                [sys.executable, "-m", *command], cwd=REPO, capture_output=True, check=False, text=True,
                timeout=600, env=_environment(server_settings, DATA_DIR=str(server_settings.data_dir)))
            assert finished.returncode == 2 and not finished.stdout, finished.stdout
            assert finished.stderr.strip().count("\n") == 0 and SERVER_DOWN in finished.stderr, finished.stderr
            assert "Traceback" not in finished.stderr

        # The app in another process says so in the chat, and so does this process's app code.
        assert SERVER_DOWN in other_app.ask(question)
        with pytest.raises(Exception) as raised:
            ask(question, retriever=server_retriever)
        assert store_error(raised.value, server_settings) is not None
        assert error_message(raised.value, server_settings).startswith(SERVER_DOWN)
    finally:
        chroma_server.start()

    assert other_app.ask(question) == working
    assert ask(question, retriever=server_retriever).citations
