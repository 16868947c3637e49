"""Shared fixtures. User data (the Chroma store, uploads) lives in temp dirs, never in the repo.

The embedding model is the real one, built once into the normal cache
(scripts/setup.sh does it; the ``embedding_model`` fixture does it if not).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# Before anything reads settings: keep every test's data out of the repo.
_SESSION_DATA = Path(tempfile.mkdtemp(prefix="minutes-test-data-"))
os.environ["MINUTES_DATA_DIR"] = str(_SESSION_DATA)
for _name in ("MINUTES_LLM_BASE_URL", "MINUTES_LLM_MODEL", "MINUTES_EMBED_MODEL", "MINUTES_CORPUS_DIR"):
    os.environ.pop(_name, None)

import settings
from tests.helpers import CORPUS, REPO  # noqa: F401 (REPO: test_retrieval imports it from here)

if TYPE_CHECKING:
    from index.schema import MeetingDocument


def pytest_sessionfinish(session, exitstatus) -> None:
    shutil.rmtree(_SESSION_DATA, ignore_errors=True)


@pytest.fixture(scope="session")
def embedding_model() -> Path:
    """The converted multilingual-e5-small directory (built once per machine)."""
    from index.model import ensure_local_model

    return ensure_local_model(settings.get_settings())


@pytest.fixture(scope="session")
def corpus() -> dict[str, MeetingDocument]:
    """Every bundled corpus file parsed once, by file name; tests only read it."""
    from index.parsing import parse_file

    return {path.name: parse_file(path) for path in sorted(CORPUS.glob("*.txt"))}


@pytest.fixture(scope="session")
def corpus_index(embedding_model: Path):
    """The bundled corpus indexed into the session's temp data dir; returns the retriever."""
    from assistant.retrieval import HybridRetriever
    from index.store import build_index

    config = settings.get_settings()
    report = build_index([CORPUS], config=config)
    assert not report.errors, report.errors
    return HybridRetriever(config)


@pytest.fixture(scope="session")
def eval_retrievers(corpus_index, tmp_path_factory: pytest.TempPathFactory):
    """The eval's indexes: the corpus index for the corpus sets; for the sets on the real documents beside the
    repository, those documents with the corpus, in a data dir of its own (tests of the corpus index never see
    them)."""
    from assistant.retrieval import HybridRetriever
    from eval.runner import REALWORLD_DOCS, document_folders, retrievers
    from index.store import build_index

    if not REALWORLD_DOCS.is_dir():
        return retrievers(corpus_index, None)
    config = dataclasses.replace(settings.get_settings(), data_dir=tmp_path_factory.mktemp("eval") / "data")
    report = build_index(document_folders(CORPUS), config=config)
    assert not report.errors, report.errors
    return retrievers(corpus_index, HybridRetriever(config))


@pytest.fixture(scope="session")
def _prebuilt_indexes(tmp_path_factory: pytest.TempPathFactory, embedding_model: Path) -> Callable:
    """Corpus files copied into a folder of their own and indexed, once per session for each set of names.

    Embedding two corpus files takes most of a minute on two cores, and a dozen
    tests start from such an index before changing something; they get a copy.
    """
    from index.store import build_index

    built: dict[tuple[str, ...], tuple[Path, Path]] = {}

    def prebuilt(names: tuple[str, ...]) -> tuple[Path, Path]:
        if names not in built:
            root = tmp_path_factory.mktemp("prebuilt")
            folder = _fill(root / "docs", names)
            config = dataclasses.replace(settings.get_settings(), data_dir=root / "data")
            report = build_index([folder], config=config)
            assert not report.errors and len(report.added) == len(names), report.summary()
            built[names] = folder, config.data_dir
        return built[names]

    return prebuilt


def _fill(folder: Path, names: tuple[str, ...]) -> Path:
    """``folder`` holding exactly the pristine corpus files ``names``."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in names:
        shutil.copyfile(CORPUS / name, folder / name)
    return folder


@pytest.fixture
def indexed_folder(_prebuilt_indexes: Callable, isolated_settings) -> Callable[..., Path]:
    """``indexed_folder(*names)``: a folder of those corpus files, already indexed into this test's data dir.

    The index is a copy of the session's build of the same folder (documents are
    keyed by their location, so the folder is the session's, its files restored
    to the corpus's bytes first). What it holds is exactly what
    ``build_index([folder])`` into an empty data dir gives; a test that changes
    the files or the index changes only its own copy.
    """

    def make(*names: str) -> Path:
        folder, data = _prebuilt_indexes(tuple(names))
        _fill(folder, tuple(names))
        shutil.copytree(data, isolated_settings.data_dir, dirs_exist_ok=True)
        return folder

    return make


@contextmanager
def _settings_with(monkeypatch: pytest.MonkeyPatch, **variables: str) -> Iterator:
    """Settings read afresh with these MINUTES_ variables, restored afterwards."""
    for name, value in variables.items():
        monkeypatch.setenv(f"MINUTES_{name}", value)
    settings.get_settings.cache_clear()
    try:
        yield settings.get_settings()
    finally:
        monkeypatch.undo()
        settings.get_settings.cache_clear()


@pytest.fixture
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedding_model: Path) -> Iterator:
    """Settings pointing at a fresh, empty data dir for one test; restored afterwards."""
    with _settings_with(monkeypatch, DATA_DIR=str(tmp_path / "data")) as config:
        yield config


@pytest.fixture
def tiny_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedding_model: Path) -> Iterator:
    """Settings with an empty data dir and a corpus folder of one's own (both in tmp_path)."""
    (tmp_path / "corpus").mkdir()
    with _settings_with(monkeypatch, DATA_DIR=str(tmp_path / "data"), CORPUS_DIR=str(tmp_path / "corpus")) as config:
        yield config
