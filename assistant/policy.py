"""Answer policy: which items and sentences answer each part of a question, and when to refuse.

A wrong answer is worse than none, so every part is answered only on
evidence: the items must be about the subject (assistant.relevance), name the
question's names and years (in their text or as their meeting's date), and,
for a question that asks for a person, an amount or a date, hold a sentence
that states one beside the subject. A meeting the question names must exist.
Otherwise the part is refused, saying why and naming what lies nearest. The
Danish wording is assistant.answer's; this module only decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from assistant.abbreviations import forms
from assistant.candidates import Evidence, asked_for, gather
from assistant.compounds import compound_parts
from assistant.evidence import named_of_kind, naming, only_to_come
from assistant.material import once, section_texts
from assistant.question import (
    MONTHS,
    AnswerType,
    Part,
    QuestionAnalysis,
    SearchPlan,
    analyse,
    plan_search,
    subject_stems,
)
from assistant.quotes import (
    best_sentences,
    counted_in,
    lead_quotes,
    precedent_quotes,
    quotable_sentences,
    slot_sentences,
)
from assistant.ranking import Asked, current_ranker
from assistant.relevance import (
    Relevance,
    coverage,
    item_signals,
    judge_relevance,
    names_any,
    stems,
    unknown_words,
)
from assistant.retrieval import PERIOD_BOOST, Filters, HybridRetriever, RetrievedItem, group_by_item, meeting_matches
from index.sections import DECISION
from index.sections import HISTORY as HISTORY_SECTION
from settings import get_settings

MAX_ITEMS = 3
# A typed question looks for the sentence stating its answer in this many of the best items.
SLOT_ITEMS = 3
MAX_PRECEDENT_ITEMS = 8
# Items quoted beside the best one must be nearly as good a match; so must the best item naming the question's names.
SECONDARY_ITEM_RATIO = 0.8
PRECEDENT_ITEM_RATIO = 0.4
PRECEDENT_MIN_COVERAGE = 0.6
# Share of the question's content words the material never uses at which it is about something else.
UNKNOWN_SHARE = 0.5
TOP_ITEMS = 10


@dataclass
class Use:
    """One item an answer draws on, with the sentences it quotes (none for an item named only as related)."""

    item: RetrievedItem
    quotes: list[tuple[str, str]]


@dataclass
class Refusal:
    """Why a part could not be answered: the kind, and the words or meetings that show it."""

    kind: str  # unrelated | doubtful | unknown | missing | unstated | not_yet | no_meeting | no_participants | agenda_only
    words: list[str] = field(default_factory=list)
    meetings: list[dict] = field(default_factory=list)


@dataclass
class PartOutcome:
    part: Part
    uses: list[Use]
    retrieved: list[RetrievedItem]
    refusal: Refusal | None = None
    history: bool = False
    decision: bool = False
    relevance: Relevance | None = None
    evidence: Evidence | None = None

    @property
    def refused(self) -> bool:
        return self.refusal is not None


@dataclass
class Outcome:
    analysis: QuestionAnalysis
    parts: list[PartOutcome]

    @property
    def refused(self) -> bool:
        return all(part.refused for part in self.parts)

    @property
    def retrieved(self) -> list[RetrievedItem]:
        seen: dict[tuple[str, str], RetrievedItem] = {}
        for part in self.parts:
            for item in part.retrieved:
                seen.setdefault(item.key, item)
        return list(seen.values())


def decide(retriever: HybridRetriever, question: str, plan: SearchPlan, weigh: bool = True) -> Outcome:
    """Analyse the question and decide, part by part, what answers it. Without ``weigh``, only the rules
    decide (the training step learns when to refuse what they let through)."""
    config = get_settings()
    analysis = analyse(question, retriever.committees(), config.committee)
    filters = plan.filters
    if analysis.committee and not filters.sources:
        filters = _within_committee(retriever, filters, analysis.committee)
        plan = SearchPlan(filters, plan.prefer, plan.period_from_question)
    if plan.period_from_question and not _held_in_period(retriever, plan, analysis):
        missing = _missing_meeting(retriever, analysis, plan)
        if missing is not None:
            return Outcome(analysis, [missing])
        plan = plan.softened()
    parts: list[PartOutcome] = []
    for part in analysis.parts:
        used = frozenset(text for done in parts for use in done.uses for text, _ in use.quotes)
        outcome = _decide_part(retriever, analysis, part, plan, used)
        if weigh and current_ranker().threshold > 0 and not (analysis.attendance and not analysis.multipart):
            _weigh(retriever, analysis, outcome)
        parts.append(outcome)
    return Outcome(analysis, parts)


def weighed(retriever: HybridRetriever, analysis: QuestionAnalysis, outcome: PartOutcome) -> Evidence:
    """The part's candidate sentences, scored, and the probability that they state what is asked."""
    if outcome.evidence is None:
        outcome.evidence = gather(retriever, asked_for(retriever, analysis, outcome.part), outcome.retrieved,
                                  current_ranker(), unknown_share(retriever, analysis), analysis.english)
    return outcome.evidence


def _weigh(retriever: HybridRetriever, analysis: QuestionAnalysis, outcome: PartOutcome) -> None:
    """Refuse a part the model doubts the material answers: the probability that its best candidates state what
    is asked is below the threshold chosen on held-out sets (at 0, the rules alone refuse, and the candidates
    are scored only when an answer is explained)."""
    ranker = current_ranker()
    weighed(retriever, analysis, outcome)
    if not outcome.refused and outcome.evidence.answered < ranker.threshold:
        outcome.refusal = Refusal("doubtful")
        outcome.uses = []


def _held_in_period(retriever: HybridRetriever, plan: SearchPlan, analysis: QuestionAnalysis) -> bool:
    """Whether a meeting in the material may have been held on the day or in the month the question names.

    A meeting of unknown date counts for any day of its year, unless its own minutes announce that day as the
    next meeting ("Næste møde i KKR Syddanmark er d. 22. oktober 2025", as KL's minutes close): then it was
    held before it.
    """
    allowed = retriever.allowed_sources(plan.filters)
    if not allowed:
        return False
    days = analysis.meeting_dates
    dated = {m["source"] for m in retriever.sources() if m.get("meeting_date")}
    return any(source in dated or not days or not all(_announces(retriever, source, day) for day in days)
               for source in allowed)


def _announces(retriever: HybridRetriever, source: str, day: date) -> bool:
    """Whether a document names ``day`` as the next meeting."""
    month = list(MONTHS)[day.month - 1]
    pattern = re.compile(rf"næste\s+møde\b.{{0,80}}?\b{day.day}\.\s*{month}\s+{day.year}",
                         re.IGNORECASE | re.DOTALL)
    return any(pattern.search(section.text) for item in retriever.source_items(source)
               for section in retriever.item_sections(source, item))


def _within_committee(retriever: HybridRetriever, filters: Filters, committee: str) -> Filters:
    """A question naming one of the index's committees ("Hvad besluttede Teknisk Udvalg …") searches its meetings."""
    sources = tuple(m["source"] for m in retriever.sources() if m.get("committee") == committee)
    return replace(filters, sources=sources or filters.sources)


def _missing_meeting(retriever: HybridRetriever, analysis: QuestionAnalysis, plan: SearchPlan) -> PartOutcome | None:
    """A meeting the question names that the material does not hold: refused, with the meetings nearest in time.

    Not when the material itself speaks of that day ("næste møde den 5. februar
    2024") and the question does not ask for a decision: then it is about what the minutes say of that day.
    """
    named = list(analysis.meeting_dates) or [date(year, month, 15) for year, month in analysis.meeting_months]
    if not named:
        return None
    softened = plan.softened()
    items = retriever.retrieve_items(analysis.text, softened.filters, top_items=TOP_ITEMS, prefer=softened.prefer,
                               decision=analysis.decision)
    # A decision stands in the meeting's own minutes: that the day is mentioned elsewhere does not hold it.
    if not analysis.decision and any(
        _speaks_of(retriever, item, day, bool(analysis.meeting_dates)) for item in items for day in named
    ):
        return None
    meetings = [m for m in retriever.sources() if m.get("meeting_date")]
    nearest = sorted(meetings, key=lambda m: abs((date.fromisoformat(m["meeting_date"]) - named[0]).days))[:2]
    undated = [m for m in retriever.sources() if not m.get("meeting_date")]
    part = analysis.parts[0]
    return PartOutcome(part, [], items, Refusal("no_meeting", meetings=[*nearest, *undated]))


def _speaks_of(retriever: HybridRetriever, item: RetrievedItem, day: date, exact: bool) -> bool:
    text = _item_text(retriever, item).lower()
    month = list(MONTHS)[day.month - 1]
    if exact:
        return f"{day.day}. {month} {day.year}" in text or f"{day.day:02d}-{day.month:02d}-{day.year}" in text
    return f"{month} {day.year}" in text


def _decide_part(retriever: HybridRetriever, analysis: QuestionAnalysis, part: Part, plan: SearchPlan,
                 used: frozenset[str] = frozenset()) -> PartOutcome:
    """One part: retrieve, check the evidence, choose what to quote. ``used``: sentences earlier parts quoted."""
    plan = _part_plan(part, analysis, plan)
    items = part_items(retriever, analysis, part, plan)
    # One question of two may ask for a history and the other not ("Hvor mange …, og hvornår har …?").
    history = analysis.history if not analysis.multipart else part.answer_type == AnswerType.HISTORY
    outcome = PartOutcome(part, [], items, history=history, decision=analysis.decision)
    if analysis.attendance and not analysis.multipart:
        return _attendance(retriever, outcome, plan)
    relevance = judge_relevance(analysis.subject, items, analysis.english)
    outcome.relevance = relevance
    if not relevance.relevant:
        outcome.refusal = Refusal("unrelated")
        return outcome
    unknown = [] if analysis.english else unknown_words(analysis.text, retriever.vocabulary(), analysis.own_names)
    if unknown and len(unknown) >= UNKNOWN_SHARE * max(len(analysis.subject), 1):
        outcome.refusal = Refusal("unknown", unknown)
        return outcome
    names = distinctive_names(retriever, _part_names(analysis, part), analysis.owners)
    terms = [*names, *(str(year) for year in part.years)]
    if history:  # each meeting of the period, whether or not its item writes the year
        candidates = [item for item in items
                      if _names_all(retriever, item, list(names)) and _in_span(retriever, item, part)]
    else:
        candidates = [item for item in items if _names_all(retriever, item, terms)]
    near = _near_enough(retriever, plan, items)
    if plan.prefer is not None:
        # An item near the question only because its meeting lies in the asked year is no candidate ("Hvor mange
        # flygtninge … i 2023?" finds a 2023 meeting about something else); another that names the year in its
        # text still is ("medlemskontingent … i 2020" stands in the minutes of 2021).
        candidates = [item for item in candidates if near(item)]
    if not candidates or not near(candidates[0]):
        missing = [t for t in terms if not _names_all(retriever, items[0], [t])] or terms
        # Only names the material uses elsewhere are named back: a word it never uses says nothing more.
        vocabulary = retriever.vocabulary()
        outcome.refusal = Refusal("missing", [t for t in missing if t.isdigit() or stems(t) & vocabulary])
        return outcome
    if history:
        outcome.uses = _history(retriever, analysis, part, candidates, relevance)
        return outcome
    if part.kind and not part.slot and not analysis.english and _names_kind(retriever, part.kind):
        part = replace(part, answer_type=AnswerType.NAME)  # "Hvilken kommune …?" asks for "<Navn> Kommune"
        outcome.part = part
    if part.slot:
        return _typed(retriever, analysis, part, names, candidates, outcome, used)
    chosen = _choose_items(candidates, relevance, lexical=not analysis.english)
    pending = _only_to_come(retriever, chosen, analysis.result_of)
    if pending is not None:
        outcome.refusal = Refusal("not_yet", [analysis.result_of])
        outcome.uses = [Use(pending, [])]
        return outcome
    outcome.uses = [
        Use(item, best_sentences(retriever, item, asked_for(retriever, analysis, part)))
        for item in chosen
    ]
    if analysis.decision and all(use.item.doc_type == "dagsorden" for use in outcome.uses):
        outcome.refusal = Refusal("agenda_only")  # the decision is not in the material; the agenda says so, cited
    return outcome


def _part_plan(part: Part, analysis: QuestionAnalysis, plan: SearchPlan) -> SearchPlan:
    if part.search != analysis.text:  # one question of two periods: each part prefers its own
        own = plan_search(part.search, plan.filters)
        return own if own.prefer or own.filters != plan.filters else plan
    return plan


def part_items(retriever: HybridRetriever, analysis: QuestionAnalysis, part: Part, plan: SearchPlan
               ) -> list[RetrievedItem]:
    """The items retrieved for one part: by meaning alone for an English question, which shares no words
    with Danish minutes."""
    plan = _part_plan(part, analysis, plan)
    mode = "dense" if analysis.english else "hybrid"
    return retriever.retrieve_items(part.search, plan.filters, mode=mode, top_items=TOP_ITEMS, prefer=plan.prefer,
                                    decision=analysis.decision)


def unknown_share(retriever: HybridRetriever, analysis: QuestionAnalysis) -> float:
    """The share of the question's subject words the material never uses."""
    if analysis.english:
        return 0.0
    unknown = unknown_words(analysis.text, retriever.vocabulary(), analysis.own_names)
    return len(unknown) / max(len(analysis.subject), 1)


# A kind is one the material names when it writes at least this many different names of it: one run-on heading
# ("DK2020 Opgaven") does not make "opgave" a kind of name.
KIND_NAMES_MIN = 2


def _names_kind(retriever: HybridRetriever, kind: str) -> bool:
    """Whether the material writes names of this kind ("Middelfart Kommune", "Odense Kommune"): only then is a
    name the answer to "hvilken kommune"."""

    def count() -> bool:
        lowercase = retriever.lowercase_words()
        names = {name for text in section_texts(retriever) for name in named_of_kind(text, kind, lowercase)}
        return len(names) >= KIND_NAMES_MIN

    return once(retriever, f"kind:{kind}", count)


def _near_enough(retriever: HybridRetriever, plan: SearchPlan,
                 items: list[RetrievedItem]) -> Callable[[RetrievedItem], bool]:
    """Whether an item ranks near the best item of all (within SECONDARY_ITEM_RATIO), so the names it carries
    are what the material around the question is about. Compared without the lift the question's period
    gives its meetings: a year asked about ("medlemskontingent … i 2020") lifts that year's meetings, while
    the figure for 2020 stands in the minutes of 2021."""
    inside: set[str] = set()
    if plan.prefer is not None:
        period = Filters(date_from=plan.prefer[0], date_to=plan.prefer[1])
        inside = {m["source"] for m in retriever.sources() if meeting_matches(m, period)}

    def unboosted(item: RetrievedItem) -> float:
        return item.score / PERIOD_BOOST if item.source in inside else item.score

    top = max(unboosted(item) for item in items)
    return lambda item: unboosted(item) >= top * SECONDARY_ITEM_RATIO


def _typed(retriever: HybridRetriever, analysis: QuestionAnalysis, part: Part, names: tuple[str, ...],
           candidates: list[RetrievedItem], outcome: PartOutcome, used: frozenset[str]) -> PartOutcome:
    """Lead with the sentence that states the asked name, figure or date beside the subject; none is evidence
    that the material does not say, and the nearest item is named as related."""
    top = candidates[0].score
    # A later question ("…, og hvornår kunne man søge?") is about the subject the whole question names.
    wanted = (subject_stems(part.text) | analysis.subject if part.text != analysis.text
              else subject_stems(part.text) or analysis.subject)
    near = _with_page_neighbours(retriever, [item for item in candidates[:SLOT_ITEMS]
                                             if item.score >= top * SECONDARY_ITEM_RATIO])
    # "Hvor mange plejefamilier …": when a near item names what is counted, an item that never names it counts
    # something else, however near it ranks (the asker's own word, in no item, binds none).
    counted = {item.key: counted_in(retriever, item, part.counted) for item in near}
    named_counts = set().union(*counted.values())
    near = [item for item in near if named_counts <= set(counted[item.key])]
    asked = asked_for(retriever, analysis, part, names=names)
    found = [(item, slot_sentences(retriever, item, asked, wanted, names, used, lexical=not analysis.english,
                                   counted=counted[item.key]))
             for item in near]
    # In retrieval order, which knows the topic better than one sentence; a sentence naming the question's
    # names beside the answer first, anywhere among the near items, then one whose paragraph names them.
    best = None
    if names:
        best = next(((item, [s for s in slots if s.names_here]) for item, slots in found
                     if any(s.names_here for s in slots)), None)
    best = best or next(((item, slots) for item, slots in found if slots), None)
    if best is None:
        outcome.refusal = Refusal("unstated")
        outcome.uses = [Use(candidates[0], [])]
        return outcome
    item, slots = best
    quotes = lead_quotes(slots)
    if analysis.decision and item.doc_type != "dagsorden" and not any(s == DECISION for _, s in quotes):
        decision = best_sentences(retriever, item, replace(asked, decision=True), limit=1)
        quotes = sorted([*quotes, *decision], key=lambda q: _order(retriever, item, q[0]))
    outcome.uses = [Use(item, quotes)]
    return outcome


def _only_to_come(retriever: HybridRetriever, items: list[RetrievedItem], head: str) -> RetrievedItem | None:
    """The item that names what a result is asked of only as still to come, when every item naming it does."""
    if not head:
        return None
    named = [(item, naming([c.text for c in quotable_sentences(retriever, item)], head)) for item in items]
    named = [(item, sentences) for item, sentences in named if sentences]
    if named and all(only_to_come(sentences) for _, sentences in named):
        return named[0][0]
    return None


def _with_page_neighbours(retriever: HybridRetriever, items: list[RetrievedItem]) -> list[RetrievedItem]:
    """A document of no known layout is cut by headings or pages, not by topic: the other parts of a near
    part's page may hold the sentence that answers ("side 1", "side 1b")."""
    widened: list[RetrievedItem] = []
    for item in items:
        widened.append(item)
        page = re.fullmatch(r"(side \d+)[a-z]?", item.item)
        if not page:
            continue
        for number in retriever.source_items(item.source):
            if number != item.item and re.fullmatch(rf"{page[1]}[a-z]?", number):
                widened += [n for n in group_by_item(retriever.item_chunks(item.source, number))
                            if n.key not in {w.key for w in widened}]
    return widened


def _part_names(analysis: QuestionAnalysis, part: Part) -> tuple[str, ...]:
    """The names a part must find: its own words' when it is one of two questions ("…, og hvornår blev det
    besluttet?" names nothing of its own), the whole question's otherwise."""
    if part.text == analysis.text:
        return analysis.names
    return tuple(name for name in analysis.names if name in part.text)


def distinctive_names(retriever: HybridRetriever, names: tuple[str, ...],
                      owners: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The question's names less the common nouns inside them ("Kommune" in "Esbjerg Kommune"): a word the
    material also writes in lower case names nothing in particular, unless the question makes it an owner
    ("Klimasekretariats regnskab"): whose accounts they are is what the question turns on."""
    lowercase = retriever.lowercase_words()
    return tuple(
        name for name in names
        if name in owners or not all(part.lower() in lowercase for part in name.split("-") if part)
    )


def _order(retriever: HybridRetriever, item: RetrievedItem, sentence: str) -> int:
    text = _item_text(retriever, item)
    return text.find(sentence) if sentence in text else len(text)


def _attendance(retriever: HybridRetriever, outcome: PartOutcome, plan: SearchPlan) -> PartOutcome:
    """"Who attended" is answered from the meetings' participants lists, latest first: a list of names that
    neither BM25 nor the embedding ties to the question's words."""
    allowed = retriever.allowed_sources(plan.filters)
    chunks = [
        chunk for meeting in reversed(retriever.sources())
        if allowed is None or meeting["source"] in allowed
        for chunk in retriever.item_chunks(meeting["source"], "")
    ]
    lists = group_by_item(chunks)[:MAX_ITEMS]
    if not lists:
        outcome.refusal = Refusal("no_participants")
        return outcome
    asked = Asked(outcome.part, frozenset(), lowercase_words=retriever.lowercase_words())
    outcome.uses = [Use(item, best_sentences(retriever, item, asked)) for item in lists]
    return outcome


def _names_all(retriever: HybridRetriever, item: RetrievedItem, terms: list[str]) -> bool:
    """Whether the whole item, its meeting's date included, names every term: a year in a question names a
    meeting at least as often as a year in the text."""
    if not terms:
        return True
    text = f"{_item_text(retriever, item)} {item.meeting_date or ''} {year_of(item) or ''}"
    return all(names_any(forms(retriever, term), text) for term in terms)


def _in_span(retriever: HybridRetriever, item: RetrievedItem, part: Part) -> bool:
    """Whether a history lists the item: its meeting lies in the years the part spans, or its text names one."""
    span = part.year_span
    if span is None:
        return True
    year = year_of(item)
    return (year is not None and span[0] <= year <= span[1]) or any(
        _names_all(retriever, item, [str(named)]) for named in part.years)


def _item_text(retriever: HybridRetriever, item: RetrievedItem) -> str:
    """The whole item with its title, as one text."""
    return " ".join([item.title, *(section.text for section in retriever.item_sections(item.source, item.item))])


def year_of(item: RetrievedItem) -> int | None:
    year = item.chunks[0].metadata.get("meeting_year") if item.chunks else None
    return int(year) if year else None


def _choose_items(items: list[RetrievedItem], relevance: Relevance, lexical: bool = True) -> list[RetrievedItem]:
    """The best item, and others nearly as good and about the subject: in Danish, an item quoted beside the
    best one shares a word of the subject (a minutes' decision near in meaning but about other things, which
    ranks near for being a decision, is no second answer)."""
    top = items[0]
    chosen = [top]
    for item in items[1:]:
        if len(chosen) >= MAX_ITEMS:
            break
        if (item.score >= top.score * SECONDARY_ITEM_RATIO and relevance.item_relevant(item)
                and (not lexical or item_signals(item, relevance.wanted)[1] > 0)):
            chosen.append(item)
    return chosen


def _history(retriever: HybridRetriever, analysis: QuestionAnalysis, part: Part, items: list[RetrievedItem],
             relevance: Relevance) -> list[Use]:
    """Every meeting whose item names most of the topic, in date order, a line each.

    A near neighbour that shares only a word or two (another secretariat's
    accounts) is left out; a meeting listed with its quote can be checked by
    the reader, where a missing one cannot.
    """
    top = items[0].score
    rarity = retriever.stem_rarity()
    parts = compound_parts(relevance.wanted, retriever.vocabulary(), rarity)
    chosen = [
        item for item in items
        if item.score >= top * PRECEDENT_ITEM_RATIO and _names_topic(retriever, item, relevance.wanted, rarity, parts)
    ][:MAX_PRECEDENT_ITEMS] or items[:1]
    chosen.sort(key=lambda i: (i.meeting_date or f"{year_of(i) or 9999}-99", i.source, item_order(i.item)))
    asked = asked_for(retriever, analysis, part, history=True)
    return [Use(item, precedent_quotes(retriever, item, asked)
                + _earlier_treatments(retriever, item)) for item in chosen]


def _earlier_treatments(retriever: HybridRetriever, item: RetrievedItem) -> list[tuple[str, str]]:
    """A FirstAgenda item's "Sagsforløb": the earlier treatments of the same case (committee, date, item),
    one paragraph each, which a history must show even when those meetings' minutes are not in the index."""
    return [
        (" ".join(paragraph.split()), section.name)
        for section in retriever.item_sections(item.source, item.item) if section.name == HISTORY_SECTION
        for paragraph in section.text.split("\n\n") if paragraph.strip()
    ]


def _names_topic(retriever: HybridRetriever, item: RetrievedItem, wanted: frozenset[str],
                 rarity: dict[str, float], parts: dict[str, str]) -> bool:
    """Whether the item names most of the question's words, counted one by one or weighted by rarity; a
    compound of the question counts half where only its telling part (``compound_parts``) stands."""
    found = stems(_item_text(retriever, item))
    return max(coverage(wanted, found, parts=parts), coverage(wanted, found, rarity, parts)) >= PRECEDENT_MIN_COVERAGE


def item_order(number: str) -> tuple[int, ...]:
    """"3.10" after "3.9"."""
    return tuple(int(part) for part in number.split(".") if part.isdigit())

