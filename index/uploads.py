"""Add an uploaded file to the uploads folder and the index, never replacing anything.

An upload is copied into a staging folder under a name no other document
has, with a record of who uploaded it and when (index.provenance), parsed and
indexed there (its chunks pending, so no search finds them yet), its sentence
vectors and the lexical index stored, and only then moved into
``data/uploads/`` and published. If anything fails on the way, before or after
the move, its files, chunks and derived entries are removed again, and the
caller is told whether that succeeded (UploadFailed.cleaned). An upload whose
bytes equal an indexed document's is reported and indexes nothing. All of it
happens under the store lock, so two uploads (or an upload and a CLI build)
never interleave, and a name is never handed out twice.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from index.chroma import open_collection, read_all
from index.errors import DISK_MESSAGES, IngestError, disk_problem, ingest_error, limit_error
from index.hygiene import strip_invisible
from index.identity import display_name, upload_key
from index.ingest import ingest_file
from index.inspect import layout_note
from index.parsing import file_hash
from index.provenance import record_path, write_record
from index.store import (
    BuildReport,
    Progress,
    delete_document,
    find_by_hash,
    indexed_keys,
    publish,
    store_lock,
    sync_derived,
    sync_document,
    writing,
)
from settings import Settings, get_settings

logger = logging.getLogger(__name__)
STAGING = ".staging"
# An upload's file, its staged copy, chunks, sentence vectors and lexical index together take a few times its size.
FREE_SPACE_FACTOR = 10
# Deleting an upload's chunks writes to Chroma too: below this much free space it is left to the next start.
CLEANUP_FREE_BYTES = 32 * 1024 * 1024  # inside the uploads folder: same file system, so the final move is one rename
_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]+")


@dataclass
class UploadResult:
    """What became of one uploaded file; ``message`` is the Danish line shown to the user."""

    name: str
    status: str  # "added", "duplicate" or "refused"
    message: str
    stored_as: str | None = None
    unknown_date: bool = False


class UploadFailed(Exception):
    """An upload that failed on the way for a reason other than its content (a full disk, a bug).

    ``cleaned`` says whether everything it had written was removed again; when
    not (the disk refused that too), what is left is pending, so no search finds
    it, and the next start of the app removes it (its file is not in the uploads folder).
    """

    def __init__(self, cause: BaseException, cleaned: bool) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause
        self.cleaned = cleaned


def add_upload(
    source: Path, name: str | None = None, *, config: Settings | None = None, progress: Progress | None = None,
    uploaded_by: str = "",
) -> UploadResult:
    """Store and index one uploaded file under a name of its own. ``name`` is the name the user gave,
    ``uploaded_by`` the signed-in user (recorded with the file and in every chunk).

    Raises UploadFailed when something other than the file's content stopped it.
    """
    config = config or get_settings()
    name = safe_name(name or source.name)
    try:
        size = source.stat().st_size
    except OSError:
        return _refused(name, ingest_error(name, "missing"))
    if size > config.max_upload_bytes:
        return _refused(name, limit_error(name, "too_large", f"{size / 1024 / 1024:.1f} MB",
                                          f"{config.max_upload_mb:g} MB", "MAX_UPLOAD_MB"))
    if (short := free_space_error(name, size, config)) is not None:
        return _refused(name, short)
    with writing(config) as writes:
        collection = open_collection(config, create=True)
        twin = find_by_hash(collection, file_hash(source))
        if twin is not None:
            writes.changed = False
            return UploadResult(name, "duplicate",
                                f"ℹ️ {name} er identisk med {display_name(twin)}, som allerede er indlæst; intet er tilføjet.")
        final = unique_name(name, config.uploads_dir, indexed_keys(collection))
        return _index_staged(source, name, final, collection, config, progress, uploaded_by)


def free_space_error(name: str, size: int, config: Settings) -> IngestError | None:
    """A refusal when the data dir's disk has too little room for this upload and the index growing with it.

    Checked before anything is written: Chroma's embedded store can hang on a
    write that meets a full disk, so an upload must not start on one.
    """
    try:
        free = shutil.disk_usage(config.data_dir).free
    except OSError:
        return None
    needed = config.min_free_mb * 1024 * 1024 + size * FREE_SPACE_FACTOR
    if free >= needed:
        return None
    return IngestError(name, "disk_full", f"{DISK_MESSAGES['full'].format(where=data_dir_label(config))} "
                                          f"({free / 1024 / 1024:.1f} MB fri; en upload af denne fil kræver mindst "
                                          f"{needed / 1024 / 1024:.1f} MB); intet er gemt")


def data_dir_label(config: Settings) -> str:
    """The data dir as users are told it: by its name, never by its place on the server."""
    return f"datamappen »{config.data_dir.name}«"


def _index_staged(source: Path, name: str, final: str, collection, config: Settings, progress,
                  uploaded_by: str) -> UploadResult:
    """Stage, index (pending), store the derived indexes, move the file in, publish; undo all on any failure."""
    staging_root = config.uploads_dir / STAGING
    staging_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=staging_root))
    key = upload_key(final)
    target = config.uploads_dir / final
    uploaded_at = datetime.now().astimezone()
    provenance = {"uploaded": True, "uploaded_by": uploaded_by, "uploaded_at": uploaded_at.isoformat(timespec="seconds")}
    moved: list[Path] = []
    try:
        staged = Path(shutil.copyfile(source, staging / final))
        staged_record = write_record(staged, uploaded_by, uploaded_at)
        document = ingest_file(staged, key=key, source_dir=config.uploads_dir)
        claimed = claimed_items(collection, document)
        report = BuildReport()
        sync_document(collection, document, None, report, progress or False, config, extra=provenance)
        sync_derived(collection, config)
        record_path(target).parent.mkdir(exist_ok=True)
        for staged_path, destination in ((staged_record, record_path(target)), (staged, target)):
            os.replace(staged_path, destination)
            moved.append(destination)
        publish(collection, [key])
    except IngestError as error:
        if not _undo(collection, key, moved, config):
            raise UploadFailed(error, cleaned=False) from error
        return _refused(name, error)
    except BaseException as error:
        raise UploadFailed(error, cleaned=_undo(collection, key, moved, config, error)) from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    renamed = f" (gemt som {final}, da navnet var optaget)" if final != name else ""
    message = f"✅ {name} er indlæst og kan søges i nu{renamed}."
    if report.unknown_dates:
        message += f"\n\n⚠️ {final} har ingen kendt mødedato (dato ikke oplyst)."
    if claimed:
        message += "\n\n" + claimed_note(final, document, claimed)
    if note := layout_note(document):
        message += f"\n\nℹ️ {note}"
    return UploadResult(name, "added", message, final, bool(report.unknown_dates))


def _undo(collection, key: str, moved: list[Path], config: Settings, error: BaseException | None = None) -> bool:
    """Remove what a failed upload wrote: its files, its chunks, what was derived from them. True if all went.

    Each step is tried whatever the one before did. When the disk itself refused a write, Chroma is not
    asked again: its embedded store can hang for good on a write to a full disk. The chunks stay pending
    then, found by no search, and the next start removes them (their file is not in the uploads folder).
    """
    cleaned = True
    for path in moved:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            logger.exception("Kunne ikke fjerne %s efter en mislykket upload", path.name)
            cleaned = False
    if error is not None and not _safe_to_write_after(error, config):
        logger.warning("Upload af %s mislykkedes på en disk, der ikke kan skrives: %s", display_name(key), error)
        return False
    for step in (lambda: delete_document(collection, key), lambda: sync_derived(collection, config)):
        try:
            step()
        except Exception:
            logger.exception("Kunne ikke rydde op efter en mislykket upload af %s", display_name(key))
            cleaned = False
    return cleaned


def _safe_to_write_after(error: BaseException, config: Settings) -> bool:
    """Whether Chroma may be written to after ``error``: not after its own write failed, not on a read-only disk,
    not while the disk is (nearly) full; a full disk met by a file copy or rename leaves room once it is undone."""
    problem = disk_problem(error)
    if problem is None:
        return True
    if problem != "full":
        return False
    try:
        return shutil.disk_usage(config.data_dir).free >= CLEANUP_FREE_BYTES
    except OSError:
        return False


def claimed_items(collection, document) -> list[tuple[str, str]]:
    """(document, item) already indexed for the meeting and items this document claims: same date, same type."""
    if document.meeting_date is None or document.layout == "fallback":
        return []
    numbers = {item.number for item in document.items if item.number}
    stored = read_all(collection, ["metadatas"], where={"meeting_date": document.meeting_date.isoformat()})
    return sorted({
        (str(m.get("source")), str(m.get("item"))) for m in stored["metadatas"]
        if m.get("item") in numbers and m.get("source") != document.source and not m.get("pending")
        and m.get("doc_type") == document.doc_type
    })


def claimed_note(final: str, document, claimed: list[tuple[str, str]]) -> str:
    """The warning to the uploader: another document already stands for this meeting's items."""
    others = ", ".join(dict.fromkeys(display_name(source) for source, _ in claimed))
    items = ", ".join(sorted({item for _, item in claimed}, key=lambda n: [int(p) for p in re.findall(r"\d+", n)]))
    return (f"⚠️ {final} angiver samme møde ({document.meeting_date:%d.%m.%Y}) og punkt {items} som {others}, "
            "der allerede er indlæst. Begge kan nu citeres; svar fra den uploadede fil står som uploadet, "
            "med hvem og hvornår. Fjern den, hvis den ikke er et rigtigt referat.")


def _refused(name: str, error: IngestError) -> UploadResult:
    return UploadResult(name, "refused", f"❌ {name}: {error.message}")


def safe_name(name: str) -> str:
    """The file name without any folder part or characters a file system or URL would trip on."""
    base = _UNSAFE.sub("_", Path(strip_invisible(name, keep_newlines=False).replace("\\", "/")).name).strip(" .")
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


def remove_upload(key: str, config: Settings | None = None) -> str:
    """Remove one uploaded document: its chunks, derived entries, file and record. Returns the Danish result.

    Only uploads can be removed this way; the bundled corpus and folders indexed
    from the command line are managed there.
    """
    config = config or get_settings()
    if key != upload_key(safe_name(display_name(key))):
        return f"❌ {display_name(key)} er ikke et uploadet dokument og kan ikke fjernes her."
    with writing(config) as writes:
        collection = open_collection(config)
        if key not in indexed_keys(collection):
            writes.changed = False
            return f"❌ {display_name(key)} findes ikke blandt de uploadede dokumenter."
        delete_document(collection, key)
        sync_derived(collection, config)
        upload = config.uploads_dir / display_name(key)
        for path in (upload, record_path(upload)):
            path.unlink(missing_ok=True)
    return f"✅ {display_name(key)} er fjernet og indgår ikke længere i svarene."
