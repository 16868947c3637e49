"""Which document a file is: a key made from where it lives, never from its name alone.

Real exports are full of files called ``Referat.pdf``; keyed by name, two of
them (or an upload named like a corpus file) would replace each other's chunks.
The key is the path relative to the bundled corpus folder (so a corpus file's
key is its bare file name, which the eval sets and citations rely on),
``uploads/`` plus the path relative to the uploads folder, or the absolute path
for any other folder. Users see the file name (:func:`display_name`).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from settings import Settings, get_settings

UPLOADS_PREFIX = "uploads/"


def document_key(path: Path, config: Settings | None = None) -> str:
    config = config or get_settings()
    resolved = path.resolve()
    uploads = config.uploads_dir.resolve()
    if resolved.is_relative_to(uploads):
        return UPLOADS_PREFIX + resolved.relative_to(uploads).as_posix()
    corpus = config.corpus_dir.resolve()
    if resolved.is_relative_to(corpus):
        relative = resolved.relative_to(corpus).as_posix()
        if not relative.startswith(UPLOADS_PREFIX):  # corpus/uploads/x would read as an upload's key
            return relative
    return resolved.as_posix()


def upload_key(name: str) -> str:
    """The key of a file stored directly in the uploads folder under ``name``."""
    return UPLOADS_PREFIX + name


def display_name(key: str) -> str:
    """What users see for a document: its file name."""
    return PurePosixPath(key).name
