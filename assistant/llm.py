"""Optional rephrasing of the extractive answer by a language model, checked before use.

The extractive answer (assistant.answer) is always correct by construction: it
quotes the minutes and cites them. A language model can phrase it better, but
it can also invent facts or sources, so its reply is only used when every
sentence cites [n] and every [n] points at a source it was actually given.
Anything else (a bad reply, a slow, absent or failing endpoint) gives back the
extractive answer with a Danish ``note`` that the app shows; nothing raises.

Any OpenAI-compatible endpoint works (Ollama, vLLM, llama.cpp server, hosted
APIs), through llama-index's ``OpenAILike``. The prompt texts live in
``prompts/`` so they can be read and tuned without touching code.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TypeVar

import openai
from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.llms.openai_like import OpenAILike

from assistant.answer import REFUSAL, Answer, Citation
from index.sentences import split_line
from index.tokens import count_tokens, truncate_tokens
from settings import REPO_ROOT, Settings

logger = logging.getLogger(__name__)

PROMPTS_DIR = REPO_ROOT / "prompts"
SYSTEM_PROMPT_FILE = "system_da.txt"
ANSWER_PROMPT_FILE = "answer_da.txt"
SOURCE_PROMPT_FILE = "source_da.txt"

# Chat framing the server adds around each message (role tags, separators);
# a few tokens per message, so a small reserve keeps the budget honest.
CHAT_OVERHEAD_TOKENS = 16
# Enough for a few short Danish sentences; bounds a runaway generation on
# servers whose default is "until the context is full".
MAX_REPLY_TOKENS = 1024
TRUNCATION_MARK = " […]"

NOTE_SUFFIX = "så her er det uddrag-baserede svar."
NOTE_NOT_CONFIGURED = f"Der er ikke sat nogen sprogmodel op, {NOTE_SUFFIX}"
NOTE_TIMEOUT = "Sprogmodellen svarede ikke inden for {duration}, " + NOTE_SUFFIX
NOTE_UNREACHABLE = f"Sprogmodellen kunne ikke kontaktes, {NOTE_SUFFIX}"
NOTE_HTTP_ERROR = "Sprogmodellen svarede med en fejl (HTTP {status}), " + NOTE_SUFFIX
NOTE_FAILED = f"Sprogmodellen kunne ikke bruges på grund af en fejl, {NOTE_SUFFIX}"
NOTE_EMPTY = f"Sprogmodellens svar kunne ikke bruges (tomt svar), {NOTE_SUFFIX}"
NOTE_MISSING_CITATIONS = f"Sprogmodellens svar kunne ikke bruges (manglende kildehenvisninger), {NOTE_SUFFIX}"
NOTE_UNKNOWN_SOURCES = (
    "Sprogmodellens svar kunne ikke bruges (henviste til kilder, der ikke findes: {numbers}), " + NOTE_SUFFIX
)
NOTE_MODEL_REFUSED = (
    "Sprogmodellen mente ikke, at kilderne besvarer spørgsmålet, så her er det uddrag-baserede svar. "
    "Vurder selv kilderne."
)

# [1], [1, 2] and [1; 2] cite; adjacent markers such as [1][2] are two matches.
MARKER_RE = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
MARKERS_RUN = r"(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+"
# "Sætning. [1]" is read as "Sætning [1]." so the marker stays with its sentence.
MARKER_AFTER_END_RE = re.compile(rf"([.!?…]+)({MARKERS_RUN})")
BULLET_RE = re.compile(r"^(?:[-*•–]|\d+[.)])\s+")
HEADING_RE = re.compile(r"^(?:#{1,6}\s+.*|\*\*[^*.!?]{1,60}\*\*:?)$")
SOURCES_HEADING_RE = re.compile(
    r"^(?:#{1,6}\s*)?\**\s*(?:kilder|kildeliste|kildehenvisninger|referencer|sources)\s*:?\s*\**:?$",
    re.IGNORECASE,
)
LIST_LINE_RE = re.compile(r"^\s*(?:(?:[-*•–]|\d+[.)])\s+|\[\d+\])")
SOURCE_ENTRY_RE = re.compile(
    r"^\s*(?:[-*•–]\s*)?\[\d+(?:\s*[,;]\s*\d+)*\].*\b(?:referat|dagsorden|punkt)\b", re.IGNORECASE
)
THINK_RE = re.compile(r"^\s*<think>.*?</think>\s*", re.DOTALL | re.IGNORECASE)
DELIMITER_RE = re.compile(r"<(/?\s*(?:kilde|spørgsmål)\b)", re.IGNORECASE)
PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")

T = TypeVar("T")


class _Deadline(Exception):
    """The whole call ran past the configured timeout."""


@dataclass(frozen=True)
class ReplyCheck:
    """The verdict on a model reply: usable text and the sources it cites, or the Danish reason not."""

    ok: bool
    text: str = ""
    cited: frozenset[int] = frozenset()
    note: str = ""


def rephrase_with_llm(answer: Answer, config: Settings) -> Answer:
    """Let the configured model rephrase ``answer``; fall back to it, with a note, on any problem.

    The whole call, from building the prompt to the last byte of the reply, is
    bounded by ``config.llm_timeout``: the request runs in a daemon thread that
    is abandoned at the deadline, because the HTTP client's timeout applies per
    connect/read and a server that trickles bytes could otherwise hold the
    user's question hostage. Never raises.
    """
    started = time.monotonic()
    if answer.refused or not answer.citations:
        return answer  # nothing to rephrase: a refusal is already the right answer
    if not config.llm_enabled:
        return replace(answer, note=NOTE_NOT_CONFIGURED)
    try:
        system, user = build_prompt(answer, config)
        remaining = config.llm_timeout - (time.monotonic() - started)
        reply = _run_with_deadline(lambda: _chat(config, system, user), remaining)
        verdict = check_reply(reply, {c.number for c in answer.citations})
    except (_Deadline, openai.APITimeoutError):
        logger.warning("LLM did not answer within %s s", config.llm_timeout)
        return replace(answer, note=NOTE_TIMEOUT.format(duration=danish_seconds(config.llm_timeout)))
    except openai.APIStatusError as error:
        logger.warning("LLM endpoint returned HTTP %s", error.status_code)
        return replace(answer, note=NOTE_HTTP_ERROR.format(status=error.status_code))
    except openai.APIConnectionError as error:
        logger.warning("LLM endpoint unreachable: %s", error)
        return replace(answer, note=NOTE_UNREACHABLE)
    except Exception:
        logger.exception("LLM rephrasing failed")
        return replace(answer, note=NOTE_FAILED)
    if not verdict.ok:
        logger.warning("LLM reply rejected: %s", verdict.note)
        return replace(answer, note=verdict.note)
    citations = [c for c in answer.citations if c.number in verdict.cited]
    return replace(answer, text=verdict.text, citations=citations, note="")


def danish_seconds(seconds: float) -> str:
    """"1 sekund", "30 sekunder", "1,5 sekunder": the note is read by people, not parsed."""
    number = f"{seconds:g}".replace(".", ",")
    return f"{number} sekund" if seconds == 1 else f"{number} sekunder"


# --- prompt -------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def load_prompt(name: str) -> str:
    """A prompt text from ``prompts/``; cached because every question needs the same few files."""
    return (PROMPTS_DIR / name).read_text(encoding="utf-8").strip()


def fill(template: str, **values: str) -> str:
    """Fill ``{name}`` placeholders in one pass.

    Not ``str.format``: the question and the minutes may contain braces, and a
    question containing "{sources}" must not be expanded a second time.
    """
    return PLACEHOLDER_RE.sub(lambda m: values.get(m[1], m[0]), template)


def _as_data(text: str) -> str:
    """Defuse our own delimiters inside data, so a passage cannot close its <kilde> block early."""
    return DELIMITER_RE.sub(r"‹\1", text.strip())


def build_prompt(answer: Answer, config: Settings) -> tuple[str, str]:
    """The system and user messages: the question plus the numbered sources, within the token budget.

    ``config.llm_context_tokens`` bounds the whole prompt (both messages and
    chat framing, counted with tiktoken's cl100k_base as an approximation of the
    model's tokenizer). When it binds, passages are cut before highlights, and
    the space is shared fairly between sources; every source keeps its number
    and label even at a budget of zero, because the citations depend on them.
    """
    system = load_prompt(SYSTEM_PROMPT_FILE)
    question = _as_data(answer.question)
    highlights = [_highlights_text(c) for c in answer.citations]
    passages = [_as_data(c.passage) for c in answer.citations]

    def user(hs: list[str], ps: list[str]) -> str:
        return _user_message(question, answer.citations, hs, ps)

    def total(text: str) -> int:
        return count_tokens(system) + count_tokens(text) + CHAT_OVERHEAD_TOKENS

    budget = config.llm_context_tokens
    message = user(highlights, passages)
    if total(message) <= budget:
        return system, message
    empty = [""] * len(answer.citations)
    available = budget - total(user(empty, empty))
    for _ in range(5):
        sizes = [count_tokens(h) + count_tokens(p) for h, p in zip(highlights, passages)]
        fitted = [_fit(h, p, share) for h, p, share in zip(highlights, passages, _fair_shares(sizes, available))]
        message = user([h for h, _ in fitted], [p for _, p in fitted])
        excess = total(message) - budget
        if excess <= 0:
            return system, message
        available -= excess + 8  # joins and marks cost a few tokens more than the parts
    return system, user(empty, empty)


def _highlights_text(citation: Citation) -> str:
    return "\n".join(f"- {_as_data(h)}" for h in citation.highlights if h.strip())


def _user_message(question: str, citations: list[Citation], highlights: list[str], passages: list[str]) -> str:
    source_template = load_prompt(SOURCE_PROMPT_FILE)
    blocks = [
        fill(
            source_template,
            number=str(c.number),
            label=_as_data(c.label()),
            section=_as_data(c.section or "ukendt"),
            highlights=h or "- (ingen)",
            passage=p or "(udeladt af pladshensyn)",
        )
        for c, h, p in zip(citations, highlights, passages)
    ]
    return fill(load_prompt(ANSWER_PROMPT_FILE), question=question, sources="\n\n".join(blocks))


def _fair_shares(sizes: list[int], available: int) -> list[int]:
    """Split ``available`` tokens so small sources keep all of theirs and large ones share the rest."""
    shares = [0] * len(sizes)
    remaining = max(available, 0)
    pending = sorted(range(len(sizes)), key=lambda i: sizes[i])
    while pending:
        share = remaining // len(pending)
        smallest = pending[0]
        if sizes[smallest] > share:
            for i in pending:
                shares[i] = share
            break
        shares[smallest] = sizes[smallest]
        remaining -= sizes[smallest]
        pending.pop(0)
    return shares


def _fit(highlights: str, passage: str, limit: int) -> tuple[str, str]:
    """Cut a source to ``limit`` tokens: the passage first, since the highlights are what was quoted."""
    if count_tokens(highlights) + count_tokens(passage) <= limit:
        return highlights, passage
    mark = count_tokens(TRUNCATION_MARK)
    room = limit - count_tokens(highlights)
    if room <= mark:
        cut = truncate_tokens(highlights, max(limit - mark, 0)).rstrip()
        return (cut + TRUNCATION_MARK if cut else ""), ""
    cut = truncate_tokens(passage, room - mark).rstrip()
    return highlights, (cut + TRUNCATION_MARK if cut else "")


# --- the call -----------------------------------------------------------------------------------


def _chat(config: Settings, system: str, user: str) -> str:
    """One chat completion; retries are off because the timeout is the user's whole wait."""
    llm = OpenAILike(
        api_base=config.llm_base_url,
        model=config.llm_model,
        api_key=config.llm_api_key or "none",
        is_chat_model=True,
        timeout=config.llm_timeout,
        max_retries=0,
        max_tokens=MAX_REPLY_TOKENS,
        temperature=0.1,
        reuse_client=False,  # the client is closed after the call; nothing lingers between questions
    )
    response = llm.chat(
        [ChatMessage(role=MessageRole.SYSTEM, content=system), ChatMessage(role=MessageRole.USER, content=user)]
    )
    return response.message.content or ""


def _run_with_deadline(call: Callable[[], T], seconds: float) -> T:
    """Run ``call`` in a daemon thread and give up on it after ``seconds``.

    A daemon thread, not an executor, so an abandoned request never delays
    interpreter exit; it ends by itself when the HTTP client's own timeout fires.
    """
    outcome: dict[str, object] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # noqa: BLE001  (re-raised in the caller's thread below)
            outcome["error"] = error
        finally:
            done.set()

    if seconds <= 0:
        raise _Deadline
    threading.Thread(target=run, name="minutes-llm", daemon=True).start()
    if not done.wait(seconds):
        raise _Deadline
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


# --- checking the reply -------------------------------------------------------------------------


def cited_numbers(text: str) -> list[int]:
    """Every source number cited in ``text``, in order, with repeats."""
    return [int(n) for group in MARKER_RE.findall(text) for n in re.split(r"\s*[,;]\s*", group)]


def split_off_sources_list(text: str) -> tuple[str, str]:
    """Separate a trailing sources list from the answer body.

    Models often end with "Kilder:" and one line per source, although told not
    to. The app lists the sources itself, so the list is dropped from the text,
    and its lines are not sentences that need a citation of their own. Either a
    heading followed only by list lines, or a blank-line-separated run of lines
    that start with [n] and name a referat/dagsorden/punkt.
    """
    lines = text.rstrip().splitlines()
    for index in range(len(lines) - 1, 0, -1):
        if SOURCES_HEADING_RE.match(lines[index].strip()) and all(
            not line.strip() or LIST_LINE_RE.match(line) for line in lines[index + 1 :]
        ):
            return "\n".join(lines[:index]).rstrip(), "\n".join(lines[index:])
    start = len(lines)
    while start > 0 and SOURCE_ENTRY_RE.match(lines[start - 1]):
        start -= 1
    if 0 < start < len(lines) and not lines[start - 1].strip():
        return "\n".join(lines[:start]).rstrip(), "\n".join(lines[start:])
    return text.strip(), ""


def split_reply_sentences(body: str) -> list[str]:
    """The sentences of a reply that must each cite a source.

    Lines are units of their own (paragraphs, bullet items); within a line
    index.sentences finds the sentences. Markers written after the full
    stop ("Sætning. [1]") belong to the sentence before them. Headings and
    lines without letters are not sentences; a lead-in ending in ":" is joined
    to what it introduces, so "KKR besluttede:" plus a cited bullet passes.
    """
    units: list[str] = []
    for raw_line in body.splitlines():
        line = BULLET_RE.sub("", raw_line.strip())
        if not line or HEADING_RE.match(line):
            continue
        line = MARKER_AFTER_END_RE.sub(lambda m: m[2] + m[1], line)
        units += split_line(line)
    sentences: list[str] = []
    for unit in units:
        if sentences and sentences[-1].endswith(":"):
            sentences[-1] = f"{sentences[-1]} {unit}"
        else:
            sentences.append(unit)
    return [s for s in sentences if re.search(r"[^\W\d_]", MARKER_RE.sub("", s))]


def check_reply(reply: str, valid_numbers: set[int]) -> ReplyCheck:
    """Accept a reply only if every [n] is a given source and every sentence cites at least one."""
    text = THINK_RE.sub("", reply or "").strip()
    if not text:
        return ReplyCheck(False, note=NOTE_EMPTY)
    body, _sources_list = split_off_sources_list(text)
    unknown = sorted(set(cited_numbers(text)) - valid_numbers)
    if unknown:
        return ReplyCheck(False, note=NOTE_UNKNOWN_SOURCES.format(numbers=", ".join(f"[{n}]" for n in unknown)))
    cited = frozenset(cited_numbers(body))
    if not cited and REFUSAL.rstrip(".").lower() in body.lower():
        return ReplyCheck(False, note=NOTE_MODEL_REFUSED)
    sentences = split_reply_sentences(body)
    if not sentences or any(not MARKER_RE.search(s) for s in sentences):
        return ReplyCheck(False, note=NOTE_MISSING_CITATIONS)
    return ReplyCheck(True, text=body, cited=cited)
