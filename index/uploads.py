"""Add an uploaded file to the uploads folder and the index, never replacing anything.

An upload is copied into a staging folder under a name no other document
has, parsed and indexed there, and only then moved into ``data/uploads/`` with
one atomic rename. If anything fails on the way, its chunks are deleted and
the staged copy removed: neither file nor chunks are left. An upload whose
bytes equal an indexed document's is reported and indexes nothing. All of it
happens under the store lock, so two uploads (or an upload and a CLI build)
never interleave, and a name is never handed out twice.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from index.chroma import open_collection
from index.errors import IngestError, ingest_error, limit_error
from index.identity import display_name, upload_key
from index.ingest import ingest_file
from index.inspect import layout_note
from index.parsing import file_hash
from index.store import (
    BuildReport,
    Progress,
    delete_document,
    find_by_hash,
    indexed_keys,
    store_lock,
    sync_derived,
    sync_document,
    writing,
)
from settings import Settings, get_settings

STAGING = ".staging"  # inside the uploads folder: same file system, so the final move is one rename
_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]+")


@dataclass
class UploadResult:
    """What became of one uploaded file; ``message`` is the Danish line shown to the user."""

    name: str
    status: str  # "added", "duplicate" or "refused"
    message: str
    stored_as: str | None = None
    unknown_date: bool = False


def add_upload(
    source: Path, name: str | None = None, *, config: Settings | None = None, progress: Progress | None = None
) -> UploadResult:
    """Store and index one uploaded file under a name of its own. ``name`` is the name the user gave."""
    config = config or get_settings()
    name = safe_name(name or source.name)
    try:
        size = source.stat().st_size
    except OSError:
        return _refused(name, ingest_error(name, "missing"))
    if size > config.max_upload_bytes:
        return _refused(name, limit_error(name, "too_large", f"{size / 1024 / 1024:.1f} MB",
                                          f"{config.max_upload_mb:g} MB", "MAX_UPLOAD_MB"))
    with writing(config) as writes:
        collection = open_collection(config, create=True)
        twin = find_by_hash(collection, file_hash(source))
        if twin is not None:
            writes.changed = False
            return UploadResult(name, "duplicate",
                                f"ℹ️ {name} er identisk med {display_name(twin)}, som allerede er indlæst; intet er tilføjet.")
        final = unique_name(name, config.uploads_dir, indexed_keys(collection))
        return _index_staged(source, name, final, collection, config, progress)


def _index_staged(source: Path, name: str, final: str, collection, config: Settings, progress) -> UploadResult:
    staging_root = config.uploads_dir / STAGING
    staging_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=staging_root))
    key = upload_key(final)
    try:
        staged = Path(shutil.copyfile(source, staging / final))
        document = ingest_file(staged, key=key, source_dir=config.uploads_dir)
        report = BuildReport()
        sync_document(collection, document, None, report, progress or False, config)
        os.replace(staged, config.uploads_dir / final)
        sync_derived(collection, config)
    except IngestError as error:
        delete_document(collection, key)
        sync_derived(collection, config)
        return _refused(name, error)
    except BaseException:
        delete_document(collection, key)  # e.g. the disk filled during the move: no chunks without their file
        sync_derived(collection, config)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    renamed = f" (gemt som {final}, da navnet var optaget)" if final != name else ""
    message = f"✅ {name} er indlæst og kan søges i nu{renamed}."
    if report.unknown_dates:
        message += f"\n\n⚠️ {final} har ingen kendt mødedato (dato ikke oplyst)."
    if note := layout_note(document):
        message += f"\n\nℹ️ {note}"
    return UploadResult(name, "added", message, final, bool(report.unknown_dates))


def _refused(name: str, error: IngestError) -> UploadResult:
    return UploadResult(name, "refused", f"❌ {name}: {error.message}")


def safe_name(name: str) -> str:
    """The file name without any folder part or characters a file system or URL would trip on."""
    base = _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).strip(" .")
    return base or "upload"


def unique_name(name: str, folder: Path, taken_keys: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3`` … when a file or an indexed upload already has it."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, number = name, 1
    while (folder / candidate).exists() or upload_key(candidate) in taken_keys:
        number += 1
        candidate = f"{stem}-{number}{suffix}"
    return candidate


def clear_staging(config: Settings | None = None) -> None:
    """Remove copies left by uploads that were killed half-way (their chunks go with the next prune)."""
    config = config or get_settings()
    with store_lock(config):
        shutil.rmtree(config.uploads_dir / STAGING, ignore_errors=True)
