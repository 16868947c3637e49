"""Read a PDF or text file into lines that remember their page.

PDFs go through pypdf's text layer; .txt and .md are read as they are. Every
way a file can be unreadable becomes an :class:`IngestError` with a Danish
reason, so a batch can report it and go on.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError, PyPdfError

from index.errors import ingest_error
from index.schema import Line

TEXT_SUFFIXES = {".txt", ".md"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES


def read_lines(path: Path) -> list[Line]:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ingest_error(path.name, "unsupported", suffix or "ingen filendelse")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ingest_error(path.name, "unreadable", error.strerror or str(error)) from error
    if not data.strip():
        raise ingest_error(path.name, "empty")
    if suffix in PDF_SUFFIXES:
        return _pdf_lines(path)
    return [Line(text) for text in _decode(data).splitlines()]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _pdf_lines(path: Path) -> list[Line]:
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not _opens_without_password(reader):
            raise ingest_error(path.name, "encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileNotDecryptedError as error:
        raise ingest_error(path.name, "encrypted") from error
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        raise ingest_error(path.name, "corrupt", type(error).__name__) from error
    if not pages:
        raise ingest_error(path.name, "corrupt", "ingen sider")
    if not any(text.strip() for text in pages):
        raise ingest_error(path.name, "image_only")
    return [Line(text, number) for number, page in enumerate(pages, start=1) for text in page.splitlines()]


def _opens_without_password(reader: PdfReader) -> bool:
    """Owner-password-only PDFs (print restrictions) open with the empty user password."""
    try:
        return bool(reader.decrypt(""))
    except (PyPdfError, NotImplementedError, ValueError):  # wrong password, unsupported cipher
        return False
