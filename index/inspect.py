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
    warning = fallback_warning(document)
    return [
        {
            "source": document.file_name,
            "committee": document.committee,
            "meeting_date": document.meeting_date.isoformat() if document.meeting_date else None,
            "doc_type": document.doc_type,
            "item": item.number,
            "title": item.title,
            "page": item.page,
            "case_number": item.case_number,
            "sections": {section.name: section.text for section in item.sections},
            "decision_dates": sorted({s.decided_on.isoformat() for s in item.sections
                                      if s.decided_on and s.decided_on != document.meeting_date}),
            "chunks": chunk_counts.get(item.number, 0),
            "layout": document.layout,
            "cues": document.cues,
            "warning": warning,
        }
        for item in document.items
    ]


LAYOUT_NAMES = {
    "punkter": "dagsordenspunkter genkendt",
    "fallback": "ukendt – punkterne blev ikke genkendt; delt efter overskrifter eller sider",
}


def fallback_warning(document: MeetingDocument) -> str | None:
    """A plain warning for a document whose agenda items were not found; None when they were."""
    if document.layout != "fallback":
        return None
    how = "efter overskrifter" if document.fallback_by == "overskrifter" else "side for side"
    return f"advarsel: ingen dagsordenspunkter fundet; delt {how}, og dele citeres som 'side N' eller 'afsnit N'"


def layout_note(document: MeetingDocument) -> str:
    """What a user is told about an uploaded file: what was read from it, in Danish."""
    name = document.file_name or document.source
    date = document.meeting_date.strftime("%d.%m.%Y") if document.meeting_date else "dato ikke fundet"
    if document.layout != "fallback":
        cues = "; ".join(document.cues) or "ingen særlige kendetegn"
        count = len(document.items)
        return (f"{name}: {count} dagsordenspunkt{'er' if count != 1 else ''} fundet "
                f"({', '.join(item.number for item in document.items)}), {document.committee}, {date}. "
                f"Kendetegn: {cues}.")
    parts = len(document.items)
    has_pages = any(item.page for item in document.items)
    how = (f"efter sine egne overskrifter ({parts} afsnit)" if document.fallback_by == "overskrifter"
           else f"side for side ({parts} {'side' if parts == 1 else 'sider'})" if has_pages
           else "som ét afsnit")
    cited = "med sidetal (\"side 4\")" if has_pages else "med afsnitsnummer (\"afsnit 2\")"
    return (f"{name}: dagsordenspunkterne blev ikke genkendt, så filen er i stedet indlæst {how} "
            f"og citeres {cited}. {document.committee}, {date}.")


def format_table(items: list[dict]) -> str:
    lines = []
    current = None
    for row in items:
        if row["source"] != current:
            current = row["source"]
            date = row["meeting_date"] or "dato ikke oplyst"
            lines.append(f"\n{current} — {row['committee']}, {row['doc_type']}, {date} · layout: {LAYOUT_NAMES[row['layout']]}")
            if row["cues"]:
                lines.append(f"  kendetegn: {'; '.join(row['cues'])}")
            if row["warning"]:
                lines.append(f"  {row['warning']}")
            lines.append(f"  {'punkt':<6} {'side':>4} {'sag':<15} {'chunks':>6}  titel / afsnit")
        sections = ", ".join(row["sections"]) or "—"
        page = row["page"] or "—"
        lines.append(f"  {row['item']:<6} {page:>4} {row['case_number'] or '—':<15} {row['chunks']:>6}  {row['title']}")
        if row["decision_dates"]:
            sections += f" (beslutninger af andre datoer: {', '.join(row['decision_dates'])})"
        lines.append(f"  {'':<6} {'':>4} {'':<15} {'':>6}    [{sections}]")
    return "\n".join(lines).lstrip("\n")
