"""Why a file could not be ingested, said in Danish for the person who gave it to us."""

from __future__ import annotations

import errno


class IngestError(Exception):
    """A file that cannot be ingested; ``reason`` is a stable code, the message is Danish."""

    def __init__(self, source: str, reason: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = reason
        self.message = message


REASONS = {
    "empty": "filen er tom",
    "corrupt": "PDF-filen er beskadiget og kan ikke læses",
    "encrypted": "PDF-filen er krypteret (beskyttet med adgangskode); gem en ubeskyttet udgave og prøv igen",
    "image_only": "PDF-filen har ingen tekst, kun billeder (scannet dokument); den skal OCR-behandles først",
    "no_items": "der blev ikke fundet nogen dagsordenspunkter og ikke tekst nok til at dele filen efter "
                "overskrifter eller sider",
    "unsupported": "filtypen understøttes ikke; brug PDF, .txt, .md eller en gemt mødeside (.html, .htm)",
    "unreadable": "filen kunne ikke læses",
    "missing": "filen findes ikke",
    "not_text": "ikke en tekstfil (indholdet er binært); brug PDF eller tekst i UTF-8, UTF-16 eller Windows-1252",
    "too_large": "filen er for stor",
    "too_many_pages": "PDF-filen har for mange sider",
    "too_long": "filen har for meget tekst",
    "too_many_chunks": "filen giver for mange tekststykker",
    "failed": "filen kunne ikke indlæses på grund af en uventet fejl",
}


def ingest_error(source: str, reason: str, detail: str = "") -> IngestError:
    message = REASONS[reason] + (f" ({detail})" if detail else "")
    return IngestError(source, reason, message)


def limit_error(source: str, reason: str, found: int | str, limit: int | str, setting: str) -> IngestError:
    """A file over one of the limits in settings.py; the message names the limit and its setting."""
    return ingest_error(source, reason, f"{found}; grænsen er {limit}, sat med MINUTES_{setting}")


def thousands(number: int) -> str:
    """1.234.567, as Danish writes it."""
    return f"{number:,}".replace(",", ".")


# What the disk says when it cannot take a write, as errno and as SQLite (inside Chroma) words it.
_DISK_ERRNOS = {errno.ENOSPC: "full", errno.EDQUOT: "full", errno.EROFS: "read_only", errno.EACCES: "read_only",
                errno.EPERM: "read_only"}
# Chroma's embedded store reports a write its SQLite could not make (a full disk, mostly) as a failed compaction.
_DISK_WORDS = {"database or disk is full": "full", "no space left": "full", "readonly database": "read_only",
               "read-only file system": "read_only", "disk i/o error": "full", "error in compaction": "write_failed"}
DISK_MESSAGES = {
    "full": "Der er ikke mere plads på disken med {where}",
    "read_only": "Disken med {where} er skrivebeskyttet (eller appen må ikke skrive der)",
    "write_failed": "Søgeindekset på disken med {where} kunne ikke skrives (disken kan være fuld)",
}


def disk_problem(error: BaseException | None) -> str | None:
    """"full", "read_only" or "write_failed" when ``error`` (or what caused it) is a disk that refused a write."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in _DISK_ERRNOS:
            return _DISK_ERRNOS[error.errno]
        text = str(error).lower()
        for words, problem in _DISK_WORDS.items():
            if words in text:
                return problem
        error = error.__cause__ or error.__context__
    return None


def disk_message(error: BaseException, where: str) -> str | None:
    """The Danish sentence for a disk that refused a write, naming ``where`` (a folder's name), or None."""
    problem = disk_problem(error)
    return DISK_MESSAGES[problem].format(where=where) + "." if problem else None
