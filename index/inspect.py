"""What ingestion makes of a file, for people checking the parser: JSON or a table."""

from __future__ import annotations

from pathlib import Path

from index.chunking import chunk_document
from index.ingest import ingest_paths
from index.schema import MeetingDocument


def inspect_paths(paths: list[Path]) -> tuple[list[dict], list[str]]:
    """One dict per agenda item in document order, and one Danish error line per bad file."""
    result = ingest_paths(paths)
    items = [row for document in result.documents for row in _item_rows(document)]
    errors = [f"{error.source}: {error.message}" for error in result.errors]
    return items, errors


def _item_rows(document: MeetingDocument) -> list[dict]:
    chunk_counts: dict[str, int] = {}
    for chunk in chunk_document(document):
        key = str(chunk.metadata["item"])
        chunk_counts[key] = chunk_counts.get(key, 0) + 1
    return [
        {
            "source": document.file_name,
            "committee": document.committee,
            "meeting_date": document.meeting_date.isoformat() if document.meeting_date else None,
            "doc_type": document.doc_type,
            "item": item.number,
            "title": item.title,
            "case_number": item.case_number,
            "sections": {section.name: section.text for section in item.sections},
            "chunks": chunk_counts.get(item.number, 0),
            "layout": document.layout,
        }
        for item in document.items
    ]


LAYOUT_NAMES = {
    "kkr": "KL/KKR",
    "firstagenda": "FirstAgenda",
    "fallback": "ukendt – punkterne blev ikke genkendt; delt efter overskrifter eller sider",
}


def layout_note(document: MeetingDocument) -> str | None:
    """What a user is told about a file whose agenda items were not recognised; None when they were."""
    if document.layout != "fallback":
        return None
    parts = len(document.items)
    has_pages = any(item.page for item in document.items)
    how = (f"efter sine egne overskrifter ({parts} afsnit)" if document.fallback_by == "overskrifter"
           else f"side for side ({parts} {'side' if parts == 1 else 'sider'})" if has_pages
           else "som ét afsnit")
    cited = "med sidetal (\"side 4\")" if has_pages else "med afsnitsnummer (\"afsnit 2\")"
    return (f"{document.file_name or document.source}: dagsordenspunkterne blev ikke genkendt, så filen er i stedet indlæst {how} "
            f"og citeres {cited}.")


def format_table(items: list[dict]) -> str:
    lines = []
    current = None
    for row in items:
        if row["source"] != current:
            current = row["source"]
            date = row["meeting_date"] or "dato ikke oplyst"
            lines.append(f"\n{current} — {row['committee']}, {row['doc_type']}, {date} · layout: {LAYOUT_NAMES[row['layout']]}")
            lines.append(f"  {'punkt':<6} {'sag':<15} {'chunks':>6}  titel / afsnit")
        sections = ", ".join(row["sections"]) or "—"
        lines.append(f"  {row['item']:<6} {row['case_number'] or '—':<15} {row['chunks']:>6}  {row['title']}")
        lines.append(f"  {'':<6} {'':<15} {'':>6}    [{sections}]")
    return "\n".join(lines).lstrip("\n")
