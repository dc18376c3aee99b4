"""Evidence files: the checks an upload must pass, and where its bytes are kept.

An upload is read into an `Upload` (at most one byte more than the limit, so an oversized file
is known without reading all of it), checked by `check_upload` (size, then type by its first
bytes), then written under `<UPLOAD_FOLDER>/evidence/<random name>`: the sender's file name never
becomes part of a path, and the folder is outside `static/`, so nothing is served without the
access check of the evidence view.

Files are written before the database rows are flushed and committed. Every file written in a
transaction is remembered in the session; if that transaction ends without a commit (a failed
flush, a refused request, an error), the files are removed again, so no orphan is left behind.
"""

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from campaigns.tasks.rules import SNIFF_BYTES, sniff_content_type

EVIDENCE_FOLDER = "evidence"
_PENDING_KEY = "tasks.evidence_written"  # session.info: files written by the open transaction
_CHUNK = 64 * 1024


class EvidenceError(Exception):
    """An uploaded file is refused; the message names it and says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Upload:
    """An uploaded file as received: its name as the sender gave it and its bytes (read up to
    one byte past the limit)."""

    name: str
    data: bytes


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    data: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def read_upload(stream, name: str, max_bytes: int) -> Upload:
    """Read a file-like object up to `max_bytes + 1` bytes: enough to tell it is too large."""
    chunks: list[bytes] = []
    remaining = max_bytes + 1
    while remaining > 0:
        chunk = stream.read(min(_CHUNK, remaining))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return Upload(name=clean_name(name), data=b"".join(chunks))


def clean_name(name: str | None) -> str:
    """The sender's file name without any folder part or control characters, at most 255
    characters; it is only ever shown and offered back as a download name."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(character for character in base if character >= " " and character != "\x7f")
    base = base.strip()
    if len(base) > 255:
        stem, extension = os.path.splitext(base)
        extension = extension[:16]
        base = stem[: 255 - len(extension)] + extension
    return base or "evidence"


def format_size(size: int) -> str:
    """A byte count for people: 10485760 → "10 MB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    if size >= 1024:
        return f"{size / 1024:g} KB"
    return f"{size} B"


def check_upload(upload: Upload, max_bytes: int) -> CheckedUpload:
    """Accept a non-empty JPEG, PNG, WebP or PDF of at most `max_bytes` bytes, judged by its
    first bytes; the extension and the browser's content type are not trusted."""
    size = len(upload.data)
    if size == 0:
        raise EvidenceError(_("The file “%(name)s” is empty.", name=upload.name))
    if size > max_bytes:
        raise EvidenceError(
            _(
                "The file “%(name)s” is larger than %(limit)s.",
                name=upload.name,
                limit=format_size(max_bytes),
            )
        )
    content_type = sniff_content_type(upload.data[:SNIFF_BYTES])
    if content_type is None:
        raise EvidenceError(
            _(
                "The file “%(name)s” is not a JPEG, PNG or WebP photo or a PDF document.",
                name=upload.name,
            )
        )
    return CheckedUpload(
        name=upload.name,
        data=upload.data,
        content_type=content_type,
        sha256=hashlib.sha256(upload.data).hexdigest(),
    )


def evidence_folder(upload_folder: str) -> Path:
    return Path(upload_folder) / EVIDENCE_FOLDER


def stored_path(upload_folder: str, stored_name: str) -> Path:
    """Where a stored file lives. Stored names are ours (random hex), never the sender's."""
    if not stored_name.isalnum():
        raise ValueError(f"not a stored evidence name: {stored_name!r}")
    return evidence_folder(upload_folder) / stored_name


def new_stored_name() -> str:
    return secrets.token_hex(16)


def write_file(session: Session, upload_folder: str, stored_name: str, data: bytes) -> Path:
    """Write the bytes under a new name (never over an existing file) and remember the file in
    the session's transaction, which removes it again unless it commits."""
    folder = evidence_folder(upload_folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = stored_path(upload_folder, stored_name)
    session.info.setdefault(_PENDING_KEY, []).append(path)
    try:
        with path.open("xb") as handle:  # x: fail rather than overwrite
            handle.write(data)
    except BaseException:
        remove_file(path)
        raise
    return path


def remove_file(path: Path) -> None:
    path.unlink(missing_ok=True)


def remove_written(session: Session, paths: list[Path]) -> None:
    """Remove files written by an operation whose database write failed."""
    pending = session.info.get(_PENDING_KEY, [])
    for path in paths:
        remove_file(path)
        if path in pending:
            pending.remove(path)


@event.listens_for(Session, "after_commit")
def _keep_committed_files(session: Session) -> None:
    if session.get_nested_transaction() is None:  # the real commit, not a savepoint's
        session.info.pop(_PENDING_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted_files(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        for path in session.info.pop(_PENDING_KEY, []):
            remove_file(path)
