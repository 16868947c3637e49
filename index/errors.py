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
    "no_items": "der blev ikke fundet nogen dagsordenspunkter (linjer som \"2.3. Titel\")",
    "unsupported": "filtypen understøttes ikke; brug PDF, .txt eller .md",
    "unreadable": "filen kunne ikke læses",
}


def ingest_error(source: str, reason: str, detail: str = "") -> IngestError:
    message = REASONS[reason] + (f" ({detail})" if detail else "")
    return IngestError(source, reason, message)
