"""One entry point for asking: validation, follow-ups, retrieval, answer, optional LLM.

The CLI, the app and the eval all call :func:`ask`, so they answer alike.
"""

from __future__ import annotations

from assistant.answer import Answer, answer_question
from assistant.question import QuestionError, plan_search, resolve_follow_up, validate_question
from assistant.retrieval import NO_FILTERS, Filters, HybridRetriever, shared_retriever
from assistant.spelling import in_material_spelling
from index.hygiene import strip_invisible
from settings import get_settings


def ask(
    question: str,
    filters: Filters = NO_FILTERS,
    previous_question: str | None = None,
    retriever: HybridRetriever | None = None,
    use_llm: bool | None = None,
) -> Answer:
    """Answer one question. Raises QuestionError (Danish message) for an unusable question."""
    config = get_settings()
    # A NUL or a terminal escape sequence separates words; it must not glue them together or become one.
    text = validate_question(strip_invisible(question or ""), config.max_question_chars)
    search_text = resolve_follow_up(text, previous_question)
    plan = plan_search(search_text, filters, follow_up=search_text != text)
    retriever = retriever or shared_retriever()
    retriever.refresh()  # one small read of the change marker; reloads only after a write anywhere
    search_text = in_material_spelling(search_text, retriever)
    answer = answer_question(retriever, search_text, plan)
    answer.question = text
    if (config.llm_enabled if use_llm is None else use_llm) and not answer.refused:
        from assistant.llm import rephrase_with_llm

        answer = rephrase_with_llm(answer, config)
    return answer


__all__ = ["Answer", "QuestionError", "ask"]
