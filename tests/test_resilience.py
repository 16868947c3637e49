"""No failure takes the app down: a full disk, a read-only data dir, a failing write, a busy first minute.

The disks are real: a small tmpfs filled up, and read-only bind mounts (root
ignores file modes, so chmod would prove nothing). Where the machine does not
allow mounting, the test skips and says so.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import settings
from tests.test_access import _chunk_sources, _client, _refused_upload, _upload
from tests.test_app import _free_port
from tests.test_app import _serve as serve_app
from tests.tiny_docs import write_meeting

QUESTION = "Hvad blev der besluttet om botilbud?"


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"mount {' '.join(args)} is not permitted here: {done.stderr.strip()}")


@contextmanager
def mounted(*args: str, target: Path) -> Iterator[Path]:
    _mount(*args)
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


@contextmanager
def read_only_bind(folder: Path) -> Iterator[Path]:
    """``folder`` made read-only in place (a bind mount of itself, remounted read-only)."""
    with mounted("--bind", str(folder), str(folder), target=folder):
        _mount("-o", "remount,bind,ro", str(folder))
        yield folder


def _serve(config) -> tuple[object, str]:
    """The real app on a retriever of ``config``'s data dir, as test_app launches it."""
    from assistant.retrieval import HybridRetriever

    demo, url = serve_app(HybridRetriever(config), config)
    return demo, url.rstrip("/")


def _ask(client) -> str:
    history, _sources, _ = client.predict(QUESTION, [], "Alle", "Alle", [], "Alle", "Alle", api_name="/respond")
    return str(history[-1]["content"]).replace("\\", "")


def _tiny_index(data_dir: Path, folder: Path):
    from index.store import build_index

    config = dataclasses.replace(settings.get_settings(), data_dir=data_dir, host="127.0.0.1", min_free_mb=16)
    report = build_index([write_meeting(folder / "referat.txt")], config=config)
    assert not report.errors
    return config


def _stored_files(uploads: Path) -> list[str]:
    return sorted(p.name for p in uploads.rglob("*") if p.is_file()) if uploads.exists() else []


def test_full_disk_refuses_the_upload_in_danish_and_the_app_keeps_answering(tmp_path: Path, embedding_model) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    with mounted("-t", "tmpfs", "-o", "size=40m", "tmpfs", str(disk), target=disk):
        config = _tiny_index(disk / "data", tmp_path / "mappe")
        demo, url = _serve(config)
        try:
            filler = disk / "fyld"
            with filler.open("wb") as handle:  # leave 4 MB
                handle.write(b"\0" * max(os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize - 4 * 2**20, 0))
            client = _client(url)
            before = _chunk_sources(config)
            status = _upload(client, write_meeting(tmp_path / "ny.txt", "psykiatri")).replace("\\", "")
            assert "Der er ikke mere plads på disken med datamappen »data«" in status, status
            assert "intet er gemt" in status and str(disk) not in status
            assert _chunk_sources(config) == before
            assert _stored_files(config.uploads_dir) == []
            assert "21. november 2023" in _ask(client)

            filler.unlink()  # space again: the same app takes the upload
            status = _upload(client, write_meeting(tmp_path / "ny.txt", "psykiatri")).replace("\\", "")
            assert "er indlæst" in status, status
        finally:
            demo.close()


def test_upload_failing_at_the_last_derived_step_leaves_nothing(tmp_path: Path, embedding_model) -> None:
    """The lexical index cannot be replaced (its folder is a read-only mount): chunks and sentence vectors
    were already written, and all of it goes again."""
    from index.sentence_vectors import open_sentences

    config = _tiny_index(tmp_path / "data", tmp_path / "mappe")
    demo, url = _serve(config)
    try:
        client = _client(url)
        before = _chunk_sources(config)
        sentences_before = open_sentences(config).count()
        with read_only_bind(config.data_dir / "lexical"):
            status = _upload(client, write_meeting(tmp_path / "ny.txt", "psykiatri")).replace("\\", "")
        assert "intet er gemt" in status, status
        assert _chunk_sources(config) == before
        assert open_sentences(config).count() == sentences_before
        assert _stored_files(config.uploads_dir) == []
        assert "21. november 2023" in _ask(client)
    finally:
        demo.close()


def test_read_only_data_dir_starts_answers_and_refuses_uploads(tmp_path: Path, embedding_model) -> None:
    import access
    from app import prepare

    config = _tiny_index(tmp_path / "data", tmp_path / "mappe")
    config = dataclasses.replace(config, corpus_dir=tmp_path / "mappe")
    with read_only_bind(config.data_dir):
        try:
            prepare(config)
            demo, url = _serve(config)
            try:
                client = _client(url)
                status = _refused_upload(client, write_meeting(tmp_path / "ny.txt", "psykiatri"))
                assert "skrivebeskyttet" in status or "403" in status, status
                handler = client.predict(None, api_name="/upload")[0].replace("\\", "")
                assert "skrivebeskyttet" in handler and "datamappen »data«" in handler, handler
                assert "21. november 2023" in _ask(client)
            finally:
                demo.close()
        finally:
            access.UNWRITABLE.pop(config.data_dir, None)


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the app ended while starting"
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("the app did not open its port")


def test_upload_and_ten_questions_right_after_a_fresh_start(tmp_path: Path, embedding_model) -> None:
    corpus = tmp_path / "korpus"
    write_meeting(corpus / "referat.txt")
    port = _free_port()
    env = {**os.environ, "MINUTES_DATA_DIR": str(tmp_path / "data"), "MINUTES_CORPUS_DIR": str(corpus),
           "MINUTES_PORT": str(port), "MINUTES_MIN_FREE_MB": "1"}
    log = (tmp_path / "app.log").open("w")
    process = subprocess.Popen([sys.executable, "app.py"], cwd=settings.REPO_ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, process)
        url = f"http://127.0.0.1:{port}"
        results: dict[str, str] = {}

        def upload() -> None:
            results["upload"] = _upload(_client(url), write_meeting(tmp_path / "ny.txt", "psykiatri"))

        def question(number: int) -> None:
            results[f"q{number}"] = _ask(_client(url))

        threads = [threading.Thread(target=upload)] + [threading.Thread(target=question, args=(n,)) for n in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        assert len(results) == 11, results
        assert "er indlæst" in results["upload"].replace("\\", ""), results["upload"]
        for name, text in results.items():
            assert "fejl" not in text, (name, text)
        assert all("21. november 2023" in results[f"q{n}"] for n in range(10))
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()
    assert "Traceback" not in (tmp_path / "app.log").read_text(encoding="utf-8")
