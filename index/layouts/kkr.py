"""KL's KKR layout: items "2.3. Titel" with a case line "SAG-2023-04719", sections by name.

The splitting itself lives in :mod:`index.agenda`, where it always was; this
module only gives it the shape every layout has.
"""

from __future__ import annotations

from index.agenda import split_document
from index.layouts import KKR, Split
from index.schema import Line


def split(lines: list[Line]) -> Split:
    items, participants = split_document(lines)
    return Split(KKR, items, participants)
