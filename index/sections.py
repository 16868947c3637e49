"""The names of the sections an agenda item is split into, shared by the readers (index/) and the answerer.

Readers map whatever heading a publisher prints ("Beslutninger", "Sagens
forløb", "BESLUTNING") to one of these names, so the answerer can prefer a
decision or read a case history without knowing any publisher's wording.
"""

from __future__ import annotations

DECISION = "Beslutning"
RECOMMENDATION = "Indstilling"
CASE = "Sagsfremstilling"
BACKGROUND = "Baggrund"
HISTORY = "Sagsforløb"
SUMMARY = "Resume"
ATTACHMENTS = "Bilag"
INTRODUCTION = "Indledning"
