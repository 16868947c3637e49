"""Read a PDF, text file or saved meeting page into lines that remember their page.

PDFs go through pypdf's text layer; .txt and .md are read as they are; .html
and .htm pages are rendered to the lines a browser shows (index.html). Every
way a file can be unreadable becomes an :class:`IngestError` with a Danish
reason, so a batch can report it and go on. The limits on pages and
characters (settings.py) are checked while reading, before a huge file costs
minutes of parsing and hours of embedding.
"""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PyPdfError

from index.errors import IngestError, ingest_error, limit_error, thousands
from index.html import html_lines
from index.schema import Line
from settings import get_settings

TEXT_SUFFIXES = {".txt", ".md"}
PDF_SUFFIXES = {".pdf"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES | HTML_SUFFIXES
# Control characters other than tab, line feed, form feed and carriage return do not occur in text.
_CONTROL_BYTES = frozenset(range(32)) - {9, 10, 12, 13}
_CONTROL_SHARE = 0.01


def read_lines(path: Path) -> list[Line]:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ingest_error(path.name, "unsupported", suffix or "ingen filendelse")
    try:
        _check_size(path)
        data = path.read_bytes()
    except OSError as error:
        raise ingest_error(path.name, "unreadable", error.strerror or str(error)) from error
    if not data.strip():
        raise ingest_error(path.name, "empty")
    if suffix in PDF_SUFFIXES:
        return _pdf_lines(path)
    text = decode_text(data, path.name)
    _check_length(path.name, len(text))
    if suffix in HTML_SUFFIXES:
        lines = html_lines(text, path.name)
        if not lines:
            raise ingest_error(path.name, "empty")
        return [Line(line) for line in lines]
    return [Line(line) for line in text.splitlines()]


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252; binary content is refused.

    Hand-written rather than a charset guesser: the four encodings Danish text
    files come in are told apart exactly by their BOM and by UTF-8's validity,
    where a guesser may read short cp1252 text as another code page.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _checked_text(data.decode("utf-16"), name)
        except UnicodeDecodeError as error:
            raise ingest_error(name, "not_text") from error
    if b"\x00" in data or sum(byte in _CONTROL_BYTES for byte in data) > len(data) * _CONTROL_SHARE:
        raise ingest_error(name, "not_text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _checked_text(text: str, name: str) -> str:
    if "\x00" in text or sum(ord(char) < 32 and char not in "\t\n\f\r" for char in text) > len(text) * _CONTROL_SHARE:
        raise ingest_error(name, "not_text")
    return text


def _check_size(path: Path) -> None:
    """Refuse a file over the size limit before reading a byte of it."""
    config = get_settings()
    size = path.stat().st_size
    if size > config.max_upload_bytes:
        raise limit_error(path.name, "too_large", f"{size / 1024 / 1024:.1f} MB", f"{config.max_upload_mb:g} MB",
                          "MAX_UPLOAD_MB")


def _check_length(name: str, characters: int) -> None:
    limit = get_settings().max_chars
    if characters > limit:
        raise limit_error(name, "too_long", f"mindst {thousands(characters)} tegn", f"{thousands(limit)} tegn",
                          "MAX_CHARS")


def _pdf_lines(path: Path) -> list[Line]:
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    config = get_settings()
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not _opens_without_password(reader):
            raise ingest_error(path.name, "encrypted")
        count = len(reader.pages)
        if count > config.max_pages:
            raise limit_error(path.name, "too_many_pages", f"{thousands(count)} sider", f"{thousands(config.max_pages)}",
                              "MAX_PAGES")
        pages, characters = [], 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            characters += len(pages[-1])
            _check_length(path.name, characters)
    except IngestError:
        raise
    except FileNotDecryptedError as error:
        raise ingest_error(path.name, "encrypted") from error
    except Exception as error:
        # pypdf raises far more than PdfReadError on a damaged file (LimitReachedError,
        # NotImplementedError for an unsupported filter, RecursionError, struct.error …);
        # whatever it is, this one file is unreadable and the batch goes on.
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
