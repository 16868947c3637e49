"""Cut agenda items into embedding-sized chunks that still say where they are from.

One chunk per section when it fits; a longer section is split on paragraph
(then sentence) boundaries with a small overlap by llama-index's
SentenceSplitter, sized in tiktoken tokens. Every chunk's embedded text starts
with a context header, so an isolated chunk still names meeting, item and section.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import date

from llama_index.core.node_parser import SentenceSplitter

from index.schema import AgendaItem, Chunk, MeetingDocument, Section
from index.tokens import count_tokens, encoding
from settings import get_settings

PARTICIPANTS_SECTION = "Deltagere"


def danish_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "dato ikke oplyst"


def context_header(document: MeetingDocument, item: AgendaItem | None, section: str) -> str:
    parts = [document.committee, f"{document.doc_type} {danish_date(document.meeting_date)}"]
    if item is not None:
        # A fallback part's number is already its place ("side 4"); an agenda item's is "punkt 2.3".
        parts.append(f"{item.number} {item.title}" if document.layout == "fallback" else f"punkt {item.number} {item.title}")
    parts.append(section)
    return " · ".join(parts)


def chunk_document(document: MeetingDocument) -> list[Chunk]:
    """All chunks of a document, in document order: participants first, then item sections."""
    chunks: list[Chunk] = []
    if document.participants:
        body = "\n\n".join(f"{group}: {', '.join(names)}" for group, names in document.participants.items())
        chunks += _section_chunks(document, None, PARTICIPANTS_SECTION, body, None)
    for item in document.items:
        sections = [s for s in item.sections if s.text.strip()]
        if not sections:
            # An item with no text (an empty "Eventuelt") is still a place a user can cite.
            chunks += _section_chunks(document, item, "Titel", item.title, item.page)
        for section in sections:
            decided_on = section.decided_on if section.decided_on != document.meeting_date else None
            chunks += _section_chunks(document, item, section.name, section.text, _first_page(item, section),
                                      decided_on)
    seen: dict[str, int] = {}
    for position, chunk in enumerate(chunks):
        chunk.metadata["position"] = position
        # An item number or a section heading the document repeats would give two chunks one id (and Chroma
        # refuses the whole batch); the second and later get their place in the document as a suffix.
        count = seen[chunk.chunk_id] = seen.get(chunk.chunk_id, 0) + 1
        if count > 1:
            chunk.chunk_id = f"{chunk.chunk_id}~{position}"
            chunk.metadata["chunk_id"] = chunk.chunk_id
    return chunks


def _first_page(item: AgendaItem, section: Section) -> int | None:
    return next((page for page in section.pages if page is not None), item.page)


def _section_chunks(
    document: MeetingDocument, item: AgendaItem | None, section: str, body: str, page: int | None,
    decided_on: date | None = None,
) -> list[Chunk]:
    """``decided_on``: the date of a decision taken at another meeting than this document's, carried along."""
    label = f"{section} {danish_date(decided_on)}" if decided_on else section
    header = context_header(document, item, label)
    pieces = _split(body, budget=get_settings().chunk_max_tokens - count_tokens(header) - 2)
    chunks = []
    for index, piece in enumerate(pieces):
        item_number = item.number if item else ""
        chunk_id = f"{document.source}#{item_number or 'meeting'}/{label}/{index}"
        text = f"{header}\n\n{piece}"
        metadata: dict[str, str | int | float | bool] = {
            "source": document.source,
            "file_name": document.file_name or document.source.rsplit("/", 1)[-1],
            "committee": document.committee,
            "meeting_date": document.meeting_date.isoformat() if document.meeting_date else "",
            "meeting_ordinal": document.meeting_date.toordinal() if document.meeting_date else 0,
            "meeting_year": document.meeting_year or 0,
            "doc_type": document.doc_type,
            "item": item_number,
            "title": item.title if item else "",
            "case_number": (item.case_number or "") if item else "",
            "section": section,
            "page": page or 0,
            "chunk_index": index,
            "chunk_id": chunk_id,
            "content_hash": hashlib.sha256(text.encode()).hexdigest()[:16],
            "file_hash": document.content_hash,
            "layout": document.layout,
            # Chroma keeps scalars only: the earlier treatments' dates as "2025-03-26,2025-05-07".
            "history_dates": ",".join(d.isoformat() for d in item.history_dates) if item else "",
            # A decision block dated differently from the meeting ("… den 10-04-2013"): the date it was decided.
            "decision_date": decided_on.isoformat() if decided_on else "",
        }
        chunks.append(Chunk(chunk_id=chunk_id, text=text, body=piece, metadata=metadata))
    return chunks


def _split(body: str, budget: int) -> list[str]:
    """Pieces of at most ``budget`` tokens, each opening with the tail of the one before.

    SentenceSplitter's own overlap only carries whole sentences that fit the
    overlap, and most Danish sentences in minutes are longer, so the overlap is
    added here: the last words of the previous piece, cut at a word boundary.
    """
    if count_tokens(body) <= budget:
        return [body]
    overlap = min(get_settings().chunk_overlap_tokens, budget // 4)
    splitter = SentenceSplitter(
        chunk_size=budget - overlap - 2,
        chunk_overlap=0,
        paragraph_separator="\n\n",
        tokenizer=lambda text: encoding().encode(text, disallowed_special=()),
    )
    pieces = [piece for piece in splitter.split_text(body) if piece.strip()]
    overlapped = pieces[:1]
    for previous, piece in itertools.pairwise(pieces):
        overlapped.append(f"{_tail(previous, overlap)} {piece}".strip())
    return overlapped


def join_pieces(pieces: list[str]) -> str:
    """The section text back from its pieces: the inverse of :func:`_split`.

    Each piece after the first opens with the tail of the one before; that
    overlap is found as the longest start of the piece that ends the text so
    far. Where the pieces met, the splitter dropped the separator: a piece that
    goes on with a capital, digit or dash starts a new paragraph (sentence
    boundaries and headings look alike there), anything else continues the line.
    """
    text = pieces[0] if pieces else ""
    for piece in pieces[1:]:
        rest = piece[_overlap(text, piece):].lstrip()
        if rest:
            text += ("\n\n" if rest[0].isupper() or rest[0].isdigit() or rest[0] in "–-•" else " ") + rest
    return text


def _overlap(text: str, piece: str) -> int:
    """Length of the longest whole-word start of ``piece`` that ``text`` ends with."""
    for length in range(min(len(text), len(piece)), 0, -1):
        if (length == len(piece) or piece[length].isspace()) and text.endswith(piece[:length]):
            return length
    return 0


def _tail(text: str, tokens: int) -> str:
    encoded = encoding().encode(text, disallowed_special=())
    tail = encoding().decode(encoded[-tokens:])
    return tail.split(" ", 1)[1] if " " in tail else tail  # drop a word cut in half
