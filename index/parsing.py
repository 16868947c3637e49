"""From a file on disk to a :class:`MeetingDocument`: load, clean, split, label."""

from __future__ import annotations

import hashlib
from pathlib import Path

from index.cleaning import strip_repeated_page_edges, strip_running_lines
from index.errors import ingest_error
from index.header import read_header
from index.identity import document_key
from index.layouts import FALLBACK, split_by_layout
from index.loading import read_lines
from index.metadata import meeting_facts, year_in_name
from index.schema import MeetingDocument
from index.sections import DECISION
from settings import get_settings

# Bump when parsing or chunking changes, so unchanged files are re-embedded anyway.
PIPELINE_VERSION = 5


def file_hash(path: Path) -> str:
    """What decides whether a file must be re-embedded: its bytes and how they are chunked."""
    config = get_settings()
    recipe = f"|{PIPELINE_VERSION}|{config.chunk_max_tokens}|{config.chunk_overlap_tokens}|{config.embed_model}"
    return hashlib.sha256(path.read_bytes() + recipe.encode()).hexdigest()


def parse_file(path: Path, *, key: str | None = None, source_dir: Path | None = None) -> MeetingDocument:
    """Parse one meeting document; raises IngestError with a Danish reason when it can't.

    ``key`` and ``source_dir`` say where the file will live when that is not
    where it is read from: an upload is parsed in a staging folder before it is
    moved into the uploads folder.
    """
    lines = read_lines(path)
    lines, footer_dates, footer_committees = strip_running_lines(lines)
    # Read before the running lines go: a header repeated on every page is removed with them.
    own_header = read_header(lines)
    before = len(lines)
    lines = strip_repeated_page_edges(lines)
    removed = [f"løbende sidehoved/-fod fjernet ({before - len(lines)} linjer)"] if len(lines) < before else []
    split = split_by_layout(lines)
    items, participants = split.items, split.participants
    if not items:
        raise ingest_error(path.name, "no_items")
    decided = sum(1 for item in items if item.section(DECISION))
    has_decisions = decided > 0
    facts = meeting_facts(
        path, lines, footer_dates, footer_committees, has_decisions, get_settings().committee,
        document_header=own_header, fallback=split.layout == FALLBACK, decided_items=(decided, len(items)),
    )
    return MeetingDocument(
        source=key or document_key(path),
        file_name=path.name,
        committee=facts.committee,
        meeting_date=facts.meeting_date,
        doc_type=facts.doc_type,
        items=items,
        participants=participants,
        date_evidence=facts.date_evidence,
        content_hash=file_hash(path),
        source_dir=str((source_dir or path.parent).resolve()),
        meeting_year=facts.meeting_date.year if facts.meeting_date else year_in_name(path.name),
        layout=split.layout,
        fallback_by=split.fallback_by,
        cues=split.cues + removed,
    )
