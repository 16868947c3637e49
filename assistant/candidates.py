"""Gather the sentences that may answer a question part, describe them, and score them.

The answer layer runs one pass: read the question (assistant.question) →
gather the candidate sentences of the part's best items (here) → compute their
features and score them (assistant.ranking) → choose or refuse
(assistant.policy) → word the answer (assistant.answer). The eval's training
step calls the same ``gather`` on its questions, so the model learns from
exactly the features it is applied to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.abbreviations import forms
from assistant.question import Part, QuestionAnalysis, subject_stems
from assistant.quotes import scored_rows
from assistant.ranking import (
    SENTENCE_FEATURES,
    Asked,
    Ranker,
    folded_subject,
    part_features,
)
from assistant.retrieval import HybridRetriever, RetrievedItem

# The part's best items whose sentences are candidates: an answer quotes at most three items.
EVIDENCE_ITEMS = 3


@dataclass
class Candidate:
    item: RetrievedItem
    rank: int  # the item's place in retrieval
    text: str
    section: str
    row: np.ndarray
    score: float = 0.0


@dataclass
class Evidence:
    """A part's candidates, best first, and the probability that they state what it asks."""

    asked: Asked
    candidates: list[Candidate] = field(default_factory=list)
    part_row: np.ndarray | None = None
    answered: float = 1.0

    def explain(self, top: int = 5) -> list[str]:
        """The lines ``python -m assistant ask --explain`` prints for this part."""
        part = self.asked.part
        probability = f"sandsynlighed for svar: {self.answered:.2f}"
        lines = [f"svartype: {part.answer_type.value}; år: {list(part.years) or '-'}; {probability}"]
        for candidate in self.candidates[:top]:
            named = {name: round(float(value), 2) for name, value in zip(SENTENCE_FEATURES, candidate.row, strict=True)
                     if value}
            lines.append(f"  {candidate.score:+.2f} [{candidate.item.source} punkt {candidate.item.item}, "
                         f"{candidate.section}] {candidate.text[:160]}")
            lines.append(f"        {named}")
        return lines


def asked_for(retriever: HybridRetriever, analysis: QuestionAnalysis, part: Part, decision: bool | None = None,
              history: bool | None = None, names: tuple[str, ...] | None = None) -> Asked:
    """What a part's sentences are scored against: its own subject words, or the whole question's when a later
    part names none of its own ("…, og hvornår blev det besluttet?")."""
    wanted = subject_stems(part.text, analysis.own_names) if part.text != analysis.text else set()
    wanted = (wanted | analysis.subject) if part.text != analysis.text else analysis.subject
    names = analysis.names if names is None else names
    return Asked(
        part=part,
        wanted=folded_subject(wanted),
        names=names,
        name_forms=tuple(tuple(forms(retriever, name)) for name in names),
        decision=analysis.decision if decision is None else decision,
        history=analysis.history if history is None else history,
        english=analysis.english,
        lowercase_words=retriever.lowercase_words(),
        rarity=folded_rarity(retriever),
    )


def folded_rarity(retriever: HybridRetriever) -> dict[str, float]:
    from assistant.material import once
    from index.lexical import fold

    def compute() -> dict[str, float]:
        folded: dict[str, float] = {}
        for stem, weight in retriever.stem_rarity().items():
            key = fold(stem)
            folded[key] = max(weight, folded.get(key, 0.0))
        return folded

    return once(retriever, "folded-rarity", compute)


def gather(retriever: HybridRetriever, asked: Asked, items: list[RetrievedItem], ranker: Ranker | None,
           unknown_share: float = 0.0, english: bool = False) -> Evidence:
    """Every sentence of the part's best items, with features, scored and sorted when a ranker is given."""
    evidence = Evidence(asked)
    for rank, item in enumerate(items[:EVIDENCE_ITEMS]):
        pool, rows = scored_rows(retriever, item, asked)
        evidence.candidates += [Candidate(item, rank, c.text, c.section, row) for c, row in zip(pool, rows, strict=True)]
    if ranker is None:
        return evidence
    rows = np.asarray([c.row for c in evidence.candidates]).reshape(-1, len(SENTENCE_FEATURES))
    for candidate, score in zip(evidence.candidates, ranker.sentences.score(rows), strict=True):
        candidate.score = float(score)
    evidence.candidates.sort(key=lambda c: (-c.score, c.rank))
    ordered = np.asarray([c.row for c in evidence.candidates]).reshape(-1, len(SENTENCE_FEATURES))
    evidence.part_row = part_features([c.score for c in evidence.candidates], ordered, asked, unknown_share, english)
    evidence.answered = ranker.answered(evidence.part_row)
    return evidence
