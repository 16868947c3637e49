"""Batch ingestion: files and folders in, parsed documents and per-file errors out.

A bad file never stops the batch: its error is collected and the others go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from index.chunking import chunk_document
from index.errors import IngestError, ingest_error
from index.loading import SUPPORTED_SUFFIXES
from index.parsing import parse_file
from index.schema import Chunk, MeetingDocument


@dataclass
class IngestResult:
    documents: list[MeetingDocument] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files named directly, plus the supported files inside named folders, in name order.

    A file named directly is kept whatever its extension, so the user hears why
    it was refused instead of it vanishing; inside folders only supported files count.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
        else:
            files.append(path)
    unique: dict[Path, None] = dict.fromkeys(files)
    return list(unique)


def ingest_paths(paths: list[Path]) -> IngestResult:
    result = IngestResult()
    for path in expand_paths(paths):
        try:
            result.documents.append(ingest_file(path))
        except IngestError as error:
            result.errors.append(error)
    return result


def ingest_file(path: Path, **where) -> MeetingDocument:
    """One file parsed, or an IngestError: no exception of any kind escapes for a bad file."""
    if not path.exists():
        raise ingest_error(path.name, "missing")
    try:
        return parse_file(path, **where)
    except IngestError:
        raise
    except Exception as error:  # a parser bug on one file must not stop the batch
        raise ingest_error(path.name, "failed", type(error).__name__) from error


def chunk_paths(paths: list[Path]) -> list[Chunk]:
    """Every chunk of every readable file under ``paths``, in document order."""
    return [chunk for document in ingest_paths(paths).documents for chunk in chunk_document(document)]
