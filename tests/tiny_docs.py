"""Small meeting documents and settings pointing at temp folders, for the fault tests.

The documents are tiny (two items, three chunks) so that tests which really
embed and index them stay fast; the variants differ in their words so that two
of them never have the same content hash.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import settings


def meeting_text(topic: str = "botilbud", day: str = "21-11-2023") -> str:
    return (
        f"REFERAT\nDato: {day} 10:00\n"
        f"1.1. {topic.capitalize()} og lånepulje\nSAG-2023-00002\n"
        f"Baggrund\nKommunerne har behov for flere pladser inden for {topic} i hele regionen.\n"
        f"Beslutning\nKKR Syddanmark besluttede at anbefale lånepuljen til {topic}.\n"
        "1.2. Sygehusbyggeri\nSAG-2023-00003\n"
        f"Beslutning\nKKR Syddanmark tog orienteringen om {topic} til efterretning.\n"
    )


def write_meeting(path: Path, topic: str = "botilbud", day: str = "21-11-2023", encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(meeting_text(topic, day).encode(encoding))
    return path


def limited(monkeypatch: pytest.MonkeyPatch, **limits: str):
    """The current settings with some MINUTES_* limits changed (e.g. MAX_PAGES="1")."""
    for name, value in limits.items():
        monkeypatch.setenv(f"MINUTES_{name}", value)
    settings.get_settings.cache_clear()
    return settings.get_settings()
