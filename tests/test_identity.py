"""Document identity by location: same-named files never collide, uploads never overwrite.

Two files of the same name in two folders are two documents, and an upload
never overwrites another file or another document's chunks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from filelock import Timeout

import settings
from index.chroma import open_collection
from index.chunking import chunk_document
from index.identity import display_name
from index.parsing import parse_file
from index.store import build_index, store_lock
from index.uploads import add_upload
from tests.tiny_docs import limited, write_meeting


def chunks_by_key(config) -> dict[str, list[dict]]:
    stored = open_collection(config).get(include=["metadatas"])
    found: dict[str, list[dict]] = {}
    for metadata in stored["metadatas"]:
        found.setdefault(metadata["source"], []).append(metadata)
    return found


def assert_consistent(config, expected: dict[str, Path]) -> None:
    """Each key has exactly the chunks of its file, all from one version of it."""
    found = chunks_by_key(config)
    assert set(found) == set(expected), sorted(found)
    for key, path in expected.items():
        wanted = sorted(c.chunk_id for c in chunk_document(parse_file(path, key=key, source_dir=path.parent)))
        assert sorted(m["chunk_id"] for m in found[key]) == wanted, key
        assert len({m["file_hash"] for m in found[key]}) == 1, key


def test_same_named_files_in_two_folders_are_two_documents(tiny_settings, tmp_path: Path) -> None:
    first = write_meeting(tmp_path / "A" / "referat.txt", "botilbud")
    second = write_meeting(tmp_path / "B" / "referat.txt", "ungdomsuddannelse")
    folders = [tmp_path / "A", tmp_path / "B"]

    report = build_index(folders, config=tiny_settings)
    assert sorted(report.added) == sorted([first.resolve().as_posix(), second.resolve().as_posix()])
    again = build_index(folders, config=tiny_settings)
    assert again.updated == [] and again.removed == [] and len(again.unchanged) == 2
    assert_consistent(tiny_settings, {str(first.resolve()): first, str(second.resolve()): second})
    assert {m["file_name"] for chunks in chunks_by_key(tiny_settings).values() for m in chunks} == {"referat.txt"}


def test_corpus_file_and_upload_of_the_same_name_both_stay_indexed_after_a_restart(tiny_settings) -> None:
    corpus_file = write_meeting(tiny_settings.corpus_dir / "referat.txt", "botilbud")
    upload = write_meeting(tiny_settings.uploads_dir / "referat.txt", "ungdomsuddannelse")
    folders = [tiny_settings.corpus_dir, tiny_settings.uploads_dir]  # what the app indexes when it starts

    build_index(folders, config=tiny_settings)
    restart = build_index(folders, config=tiny_settings)
    assert restart.updated == [] and restart.removed == [] and sorted(restart.unchanged) == [
        "referat.txt", "uploads/referat.txt"]
    assert_consistent(tiny_settings, {"referat.txt": corpus_file, "uploads/referat.txt": upload})


def test_prune_removes_the_documents_of_an_emptied_folder(tiny_settings, tmp_path: Path) -> None:
    folder = tmp_path / "mappe"
    doomed = write_meeting(folder / "referat.txt")
    build_index([folder], config=tiny_settings)
    doomed.unlink()

    report = build_index([folder], config=tiny_settings)
    assert report.removed == [doomed.resolve().as_posix()]
    assert chunks_by_key(tiny_settings) == {}


def test_upload_named_like_an_indexed_file_gets_a_name_of_its_own(tiny_settings, tmp_path: Path) -> None:
    corpus_file = write_meeting(tiny_settings.corpus_dir / "referat.txt", "botilbud")
    build_index([tiny_settings.corpus_dir], config=tiny_settings)

    first = add_upload(write_meeting(tmp_path / "in1" / "referat.txt", "ungdomsuddannelse"), config=tiny_settings)
    second = add_upload(write_meeting(tmp_path / "in2" / "referat.txt", "psykiatri"), config=tiny_settings)

    assert (first.status, first.stored_as) == ("added", "referat.txt")  # the uploads folder had no referat.txt
    assert (second.status, second.stored_as) == ("added", "referat-2.txt")
    assert "gemt som referat-2.txt" in second.message
    uploads = tiny_settings.uploads_dir
    assert sorted(p.name for p in uploads.iterdir() if p.is_file()) == ["referat-2.txt", "referat.txt"]
    assert_consistent(tiny_settings, {
        "referat.txt": corpus_file,
        "uploads/referat.txt": uploads / "referat.txt",
        "uploads/referat-2.txt": uploads / "referat-2.txt",
    })
    restart = build_index([tiny_settings.corpus_dir, uploads], config=tiny_settings)
    assert len(restart.unchanged) == 3 and restart.removed == [] and restart.updated == []


def test_identical_upload_is_reported_and_indexes_nothing(tiny_settings, tmp_path: Path) -> None:
    write_meeting(tiny_settings.corpus_dir / "kkr-referat.txt", "botilbud")
    build_index([tiny_settings.corpus_dir], config=tiny_settings)
    before = chunks_by_key(tiny_settings)

    result = add_upload(write_meeting(tmp_path / "in" / "min kopi.txt", "botilbud"), config=tiny_settings)

    assert result.status == "duplicate"
    assert "identisk med kkr-referat.txt" in result.message
    assert chunks_by_key(tiny_settings) == before
    assert not any(p.is_file() for p in tiny_settings.uploads_dir.rglob("*"))


def test_refused_upload_leaves_neither_file_nor_chunks(tiny_settings, tmp_path: Path, monkeypatch) -> None:
    not_text = tmp_path / "in" / "notat.txt"  # a readable note without items is indexed by the fallback layout
    not_text.parent.mkdir()
    not_text.write_bytes(b"\x00\x01\x02binary\x00" * 50)
    result = add_upload(not_text, config=tiny_settings)
    assert result.status == "refused" and "ikke en tekstfil" in result.message

    config = limited(monkeypatch, MAX_CHUNKS="2")
    result = add_upload(write_meeting(tmp_path / "in" / "referat.txt"), config=config)
    assert result.status == "refused"
    assert "grænsen er 2, sat med MINUTES_MAX_CHUNKS" in result.message

    config = limited(monkeypatch, MAX_UPLOAD_MB="0.0001")
    result = add_upload(write_meeting(tmp_path / "in" / "stor.txt"), config=config)
    assert result.status == "refused" and "MINUTES_MAX_UPLOAD_MB" in result.message and "MB" in result.message

    assert chunks_by_key(config) == {}
    assert not any(p.is_file() for p in config.uploads_dir.rglob("*"))


def test_upload_that_fails_after_indexing_leaves_neither_file_nor_chunks(tiny_settings, tmp_path, monkeypatch) -> None:
    import index.uploads

    def full_disk(source, target):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch, pytest.raises(index.uploads.UploadFailed) as failed:
        patch.setattr(index.uploads.os, "replace", full_disk)  # the final move fails (a stdlib call, not ours)
        add_upload(write_meeting(tmp_path / "in" / "referat.txt"), config=tiny_settings)
    assert failed.value.cleaned and isinstance(failed.value.cause, OSError)

    assert chunks_by_key(tiny_settings) == {}
    assert not any(p.is_file() for p in tiny_settings.uploads_dir.rglob("*"))


def test_two_uploads_of_the_same_name_at_once_keep_both(tiny_settings, tmp_path: Path) -> None:
    sources = [write_meeting(tmp_path / f"in{n}" / "referat.txt", topic)
               for n, topic in enumerate(["botilbud", "psykiatri", "sygehuse"])]
    results = [None] * len(sources)

    def upload(number: int) -> None:
        results[number] = add_upload(sources[number], config=tiny_settings)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(len(sources))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    names = sorted(result.stored_as for result in results)
    assert names == ["referat-2.txt", "referat-3.txt", "referat.txt"]
    uploads = tiny_settings.uploads_dir
    assert_consistent(tiny_settings, {f"uploads/{name}": uploads / name for name in names})
    topics = {result.stored_as: (uploads / result.stored_as).read_text(encoding="utf-8") for result in results}
    assert sorted(topics.values()) == sorted(p.read_text(encoding="utf-8") for p in sources)


def test_upload_during_a_cli_build_waits_for_it(tiny_settings, tmp_path: Path) -> None:
    folder = tmp_path / "mappe"
    built = {str(p.resolve()): p for p in (write_meeting(folder / f"referat-{n}.txt", topic)
                                           for n, topic in enumerate(["botilbud", "psykiatri"]))}
    env = {**os.environ, "MINUTES_DATA_DIR": str(tiny_settings.data_dir),
           "MINUTES_CORPUS_DIR": str(tiny_settings.corpus_dir)}
    build = subprocess.Popen([sys.executable, "-m", "index", "build", str(folder)], cwd=settings.REPO_ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lock = store_lock(tiny_settings)
        deadline = time.monotonic() + 120
        while True:  # wait until the build holds the lock
            try:
                with lock.acquire(timeout=0):
                    pass
            except Timeout:
                break
            assert build.poll() is None and time.monotonic() < deadline, "the build never took the lock"
            time.sleep(0.05)
        result = add_upload(write_meeting(tmp_path / "in" / "referat.txt", "sygehuse"), config=tiny_settings)
        with lock.acquire(timeout=0):  # Timeout here: the upload did not wait for the build to finish
            pass
    finally:
        out, err = build.communicate(timeout=300)
    assert build.returncode == 0, err
    assert "2 nye" in out
    assert result.status == "added"
    assert_consistent(tiny_settings, {**built, "uploads/referat.txt": tiny_settings.uploads_dir / "referat.txt"})
    assert display_name("uploads/referat.txt") == "referat.txt"
