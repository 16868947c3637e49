"""The abbreviations the minutes themselves define, so a name and its short form name the same thing.

KL's minutes introduce a body once by its full name and its abbreviation
("Danmarks Erhvervsfremmebestyrelse DEB", "Sundhedssamarbejdsudvalget (SSU)")
and use the short form after that. A question may use either form, so a
sentence that uses the other one still names it. No library reads
abbreviations out of Danish text, so the rule is written here: a run of
capitalised letters (2 to 6) right after a name, whose letters appear in
order in that name, starting with its first letter.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from assistant.material import once, section_texts

if TYPE_CHECKING:
    from assistant.retrieval import HybridRetriever

# "Sundhedssamarbejdsudvalget (SSU)", "Danmarks Erhvervsfremmebestyrelse DEB,", "Praksisplanudvalget, PPU".
# The short form stands apart from the name (a space, a comma or a parenthesis): "EU-kontor SDEO" defines
# SDEO, not "EO" for "EU-kontor SD".
DEFINITION_RE = re.compile(
    r"((?:[A-ZÆØÅ][\wæøå-]+\s+){0,4}[A-ZÆØÅ][\wæøå-]+)(?:[\s,]+\(?|\()\s*([A-ZÆØÅ]{2,6})\b(?![\wæøå-])"
)


class Abbreviations:
    """Each short form's full names and each full-name word's short forms, read from the material."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.full: dict[str, set[str]] = defaultdict(set)
        for text in texts:
            for match in DEFINITION_RE.finditer(" ".join(text.split())):
                name = _defined_name(match[1], match[2])
                if name:
                    self.full[match[2].lower()].add(name.lower())

    def variants(self, name: str) -> set[str]:
        """The name and every form the material gives it: the full names of a short form, and the short
        forms of the full names a word stands in."""
        lowered = name.lower()
        found = {lowered, *self.full.get(lowered, ())}
        for short, names in self.full.items():
            if any(lowered in full.split() or lowered == full for full in names):
                found.add(short)
        return found


def _defined_name(words: str, short: str) -> str | None:
    """The shortest tail of ``words`` that ``short`` abbreviates: its letters in order, its first letter first."""
    parts = words.split()
    for start in range(len(parts) - 1, -1, -1):
        name = " ".join(parts[start:])
        if name.isupper():
            continue
        if name[0].upper() == short[0] and _in_order(short.lower(), name.lower()):
            return name
    return None


def _in_order(letters: str, text: str) -> bool:
    position = 0
    for letter in letters:
        position = text.find(letter, position)
        if position < 0:
            return False
        position += 1
    return True


def forms(retriever: HybridRetriever, name: str) -> set[str]:
    """A name and the other forms the material defines for it ("DEB" for "Danmarks Erhvervsfremmebestyrelse")."""
    return once(retriever, "abbreviations", lambda: Abbreviations(section_texts(retriever))).variants(name)
