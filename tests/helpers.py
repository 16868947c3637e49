"""Helpers and corpus snippets shared by the parsing and chunking tests.

test_agenda, test_cleaning, test_metadata, test_chunking and test_corpus_items all
read the same five bundled files, write small documents built from their lines
and look items and sections up the same way; kept here once so that the tests
cannot drift apart in how they do it. The parsed corpus itself is the
``corpus`` fixture in conftest.py.

Snippets are copied line for line from corpus/*.txt, trailing spaces and
whitespace-only lines (the extractor's paragraph gaps) included; the empty
lines the extractor put between every line are left out, as the parser ignores
them. Importing this module imports neither settings nor the index package.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.schema import AgendaItem, MeetingDocument

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
FILE_2020 = "kkr-syddanmark-2020-09-08-referat.txt"
FILE_2021 = "kkr-syddanmark-2021-06-09-referat.txt"
FILE_2023_02 = "kkr-syddanmark-2023-02-07-dagsorden.txt"
FILE_2023_11 = "kkr-syddanmark-2023-11-21-referat.txt"
FILE_2025 = "kkr-syddanmark-2025-referat.txt"
ALL_FILES = [FILE_2020, FILE_2021, FILE_2023_02, FILE_2023_11, FILE_2025]


def write_doc(directory: Path, name: str, lines: list[str]) -> Path:
    """A text document of ``lines`` in ``directory`` (no manifest beside it)."""
    path = directory / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def item(document: MeetingDocument, number: str) -> AgendaItem:
    """The one item numbered ``number``; fails if there is none or more than one."""
    found = [i for i in document.items if i.number == number]
    assert len(found) == 1, f"{document.source}: item {number} found {len(found)} times"
    return found[0]


def paragraphs(document: MeetingDocument, number: str, section: str) -> list[str]:
    """The paragraphs of one section of one item; fails if the item has no such section."""
    found = item(document, number).section(section)
    assert found is not None, f"{document.source} {number} has no {section}"
    return found.paragraphs


def all_text(document: MeetingDocument) -> str:
    return "\n".join(section.text for i in document.items for section in i.sections)


def numbers(document: MeetingDocument) -> list[str]:
    return [i.number for i in document.items]


# --- 2021-06-09 item 3.1 (corpus/kkr-syddanmark-2021-06-09-referat.txt lines 204-289) ---------

# Lines 204-208: the group heading before item 3.1 and the whitespace-only lines after it.
GROUP_HEADING_2021_3 = [
    " 3. Regionalpolitiske sager ",
    " ",
    " ",
]
# Lines 210-214: item 3.1's heading, case line and gap.
HEADING_2021_3_1 = [
    "3.1. Status for arbejdet i Syddansk EU-kontor ",
    "SAG-2021-02179 bel ",
    " ",
]
# Lines 278-286: item 3.1's decision, the last text of the item.
BESLUTNING_2021_3_1 = [
    "Beslutning ",
    "Direktør Rasmus Anker-Møller gav en status for arbejdet i EU-kontoret det ",
    "seneste år. Se vedhæftede slides.  ",
    " ",
    "KKR Syddanmark tog orienteringen til efterretning.  ",
]
# Lines 210-286: the whole of item 3.1, whose Baggrund has four paragraphs.
ITEM_2021_3_1 = [
    *HEADING_2021_3_1,
    "Baggrund ",
    "Det syddanske EU-kontor SDEO har til formål at medvirke til en regional ud-",
    "vikling, hvor øget internationalt fokus og øget deltagelse i internationale pro-",
    "jekter samt netværk skal medføre projekter og initiativer, der fremmer udvik-",
    "lingen i såvel den private som offentlige sektor. SDEO har derudover arbej-",
    "det med at omstille organisationen som følge af ændringerne i erhvervs-",
    "fremmesystemet. ",
    " ",
    "SDEO arbejder for de syddanske kommuner og Region Syddanmark med ",
    "afsæt i en resultatkontrakt. Resultatkontrakten præciserer arten og omfanget ",
    "af opgaverne, som skal være til gavn for en åben kreds af virksomheder og ",
    "institutioner i Syddanmark. Den nuværende kontrakt omfatter perioden juli ",
    "2020 til udgangen af 2021. Det fastsatte medlemskontingent er i 2020 på ",
    "4.753.564 kr. for kommunerne samlet set og det samme for Region Syd-",
    "danmark. ",
    " ",
    "Region Syddanmark skal drøfte engagementet i EU i forbindelse med bud-",
    "getforhandlingerne og har i den forbindelse ønsket en statusevaluering. Par-",
    "terne omkring SDEO har derfor udarbejdet en kort statusevaluering, der vi-",
    "ser en bred tilfredshed med kontorets arbejde, der med justeringer kan styr-",
    "kes yderligere.    ",
    " ",
    "Direktør Rasmus Anker-Møller giver et oplæg om status for SDEO`s arbej-",
    "de nu og fremadrettet. ",
    " ",
    "Indstilling ",
    "Det indstilles, at KKR Syddanmark tager en drøftelse med afsæt i oplægget. ",
    " ",
    " ",
    " ",
    " ",
    *BESLUTNING_2021_3_1,
]
# Lines 287-289: the indented heading and case line of item 3.2, right after item 3.1's text.
HEADING_2021_3_2 = [
    " 3.2. Status for det specialiserede socialområde ",
    "SAG-2021-02179 bel ",
]
# Lines 204-289: item 3.1 between the group heading before it and the indented heading after it.
EXCERPT_2021_3_1 = [*GROUP_HEADING_2021_3, *ITEM_2021_3_1, *HEADING_2021_3_2]


@contextmanager
def retriever_of(folder: Path, data_dir: Path) -> Iterator:
    """``folder`` indexed into ``data_dir`` of its own, with the settings pointing there while it is in use.

    For module fixtures: the index is built once (embedding is the slow part) and
    tests of other modules never see it.
    """
    import pytest

    import settings
    from assistant.retrieval import HybridRetriever
    from index.store import build_index

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MINUTES_DATA_DIR", str(data_dir))
        settings.get_settings.cache_clear()
        try:
            config = settings.get_settings()
            report = build_index([folder], config=config)
            assert not report.errors, report.errors
            yield HybridRetriever(config)
        finally:
            settings.get_settings.cache_clear()
