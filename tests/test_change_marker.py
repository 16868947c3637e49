"""The change marker: every write bumps it, and the retriever reloads only when it moved.

A question costs the retriever one small read of the marker instead of
listing every chunk id; an upload, a build that changed something, or a write
by another process (tests/test_chroma_server.py) makes the next question reload.
"""

from __future__ import annotations

from pathlib import Path

from tests.tiny_docs import write_meeting


def test_the_retriever_reloads_only_after_a_write_that_changed_the_index(tiny_settings, tmp_path: Path) -> None:
    from assistant.retrieval import HybridRetriever
    from assistant.service import ask
    from index.chroma import ChangeMarker
    from index.store import build_index
    from index.uploads import add_upload

    marker = ChangeMarker(tiny_settings)
    assert marker.read() is None, "an empty data dir has no marker yet"
    build_index([write_meeting(tiny_settings.corpus_dir / "referat.txt").parent], config=tiny_settings)
    built = marker.read()
    assert built is not None
    retriever = HybridRetriever(tiny_settings)
    assert not retriever.refresh(), "nothing changed: no reload"

    build_index([tiny_settings.corpus_dir], config=tiny_settings)  # every file unchanged
    assert marker.read() == built and not retriever.refresh()
    duplicate = write_meeting(tmp_path / "in" / "kopi.txt")
    assert add_upload(duplicate, config=tiny_settings).status == "duplicate"
    assert marker.read() == built and not retriever.refresh()

    upload = write_meeting(tmp_path / "in" / "andet.txt", topic="havvindmøller", day="05-02-2024")
    assert add_upload(upload, config=tiny_settings).status == "added"
    assert marker.read() != built
    answer = ask("Hvad blev der besluttet om havvindmøller?", retriever=retriever)  # ask() refreshes first
    assert answer.citations and answer.citations[0].source == "uploads/andet.txt", answer.text
    assert not retriever.refresh(), "reloaded once, for that question"

    # `index build --rebuild` replaces the collection itself: the retriever follows it to the new one.
    build_index([tiny_settings.corpus_dir], config=tiny_settings, rebuild=True)
    assert retriever.refresh()
    answer = ask("Hvad blev der besluttet om botilbud?", retriever=retriever)
    assert answer.citations and answer.citations[0].source == "referat.txt", answer.text
