"""The structure reader's result: a document's agenda items, or its parts when it has none.

:mod:`index.layouts.items` reads items from cues that hold across publishers
(heading forms, the numbering sequence, contents, section headings);
:mod:`index.layouts.fallback` cuts anything else readable at its own headings
or its pages, so no document is refused for lacking agenda items.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from index.schema import AgendaItem, Line

ITEMS = "punkter"
FALLBACK = "fallback"


@dataclass
class Split:
    layout: str
    items: list[AgendaItem]
    participants: dict[str, list[str]] = field(default_factory=dict)
    fallback_by: str = ""
    cues: list[str] = field(default_factory=list)


def split_by_layout(lines: list[Line]) -> Split:
    """The items the structure reader finds; else the document cut by its headings or pages."""
    from index.layouts import fallback, items

    found = items.split(lines)
    if found.items:
        return found
    return fallback.split(lines)
