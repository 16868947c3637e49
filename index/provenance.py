"""Who uploaded a document and when: an upload is not the material's own minutes, and citations say so.

The record lives beside the uploaded file (``.provenance/NAME.json`` in the
uploads folder, which no folder scan indexes and the app never serves),
so it survives any re-indexing, and it is copied into every chunk's metadata.
A file in the uploads folder without a record (stored before records were kept)
is still an upload: its date is the file's, its uploader unknown.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from index.identity import UPLOADS_PREFIX
from index.schema import MeetingDocument
from settings import Settings, get_settings

RECORDS = ".provenance"


def record_path(upload: Path) -> Path:
    return upload.parent / RECORDS / f"{upload.name}.json"


def write_record(upload: Path, uploaded_by: str, uploaded_at: datetime) -> Path:
    path = record_path(upload)
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"uploaded_by": uploaded_by, "uploaded_at": uploaded_at.isoformat(timespec="seconds")},
                               ensure_ascii=False), encoding="utf-8")
    return path


def upload_metadata(document: MeetingDocument, config: Settings | None = None) -> dict[str, str | bool]:
    """The chunk metadata that marks an upload (empty for the bundled corpus and command-line builds)."""
    config = config or get_settings()
    if not document.source.startswith(UPLOADS_PREFIX):
        return {}
    upload = config.uploads_dir / document.source.removeprefix(UPLOADS_PREFIX)
    try:
        record = json.loads(record_path(upload).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    uploaded_at = str(record.get("uploaded_at") or "")
    if not uploaded_at:
        try:
            uploaded_at = datetime.fromtimestamp(upload.stat().st_mtime).isoformat(timespec="seconds")
        except OSError:
            uploaded_at = ""
    return {"uploaded": True, "uploaded_by": str(record.get("uploaded_by") or ""), "uploaded_at": uploaded_at}
