"""Why a file could not be ingested, said in Danish for the person who gave it to us."""

from __future__ import annotations


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
