"""Excel files that users upload and download: the checks every upload passes, where an upload
waits between its preview and its confirmation, and text that must never become a formula.

The target and daily-figure imports both build on these.
"""

import io
import secrets
import time
import zipfile
from pathlib import Path

from flask_babel import get_locale
from flask_babel import gettext as _

from app.formatting import format_number

# A cell starting with one of these is a formula in Excel (or becomes one when edited).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A workbook is a zip: refuse those that would unpack to far more than they weigh.
UNPACKED_MAX_BYTES = 200 * 1024 * 1024
# An upload nobody confirmed within a day is removed at the next upload.
UPLOAD_MAX_AGE_SECONDS = 24 * 3600


class UploadError(Exception):
    """The uploaded file itself cannot be used; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def safe_text(text: str) -> str:
    """Text as a spreadsheet must show it, never as a formula: "=1+1" → "'=1+1"."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def check_upload(content: bytes, filename: str, max_bytes: int) -> None:
    """Refuse files that are too large, not named .xlsx, or not an xlsx zip inside."""
    if len(content) > max_bytes:
        raise UploadError(
            _(
                "The file is larger than %(size)s MB.",
                size=format_number(max_bytes / (1024 * 1024), str(get_locale())),
            )
        )
    if not filename.lower().endswith(".xlsx"):
        raise UploadError(_("Only .xlsx files can be uploaded (Excel 2007 or later)."))
    not_xlsx = UploadError(_("The file is not an Excel .xlsx workbook."))
    if not content.startswith(b"PK\x03\x04"):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise not_xlsx from None
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise not_xlsx
    if unpacked > UNPACKED_MAX_BYTES:
        raise not_xlsx


class PendingUploads:
    """Uploaded workbooks waiting for their confirmation, in one subfolder of UPLOAD_FOLDER.

    A file's name binds the campaign, the uploader and a random token, so nobody but the
    uploader can preview or confirm it.
    """

    def __init__(self, subfolder: str):
        self.subfolder = subfolder

    def store(self, folder: str, campaign_id: int, user_id: int, content: bytes) -> str:
        """Keep the file under a random name; returns its token."""
        directory = Path(folder) / self.subfolder
        directory.mkdir(parents=True, exist_ok=True)
        self._remove_stale(directory)
        token = secrets.token_hex(16)
        self.path(folder, campaign_id, user_id, token).write_bytes(content)
        return token

    def path(self, folder: str, campaign_id: int, user_id: int, token: str) -> Path:
        return Path(folder) / self.subfolder / f"{campaign_id}-{user_id}-{token}.xlsx"

    @staticmethod
    def _remove_stale(directory: Path) -> None:
        limit = time.time() - UPLOAD_MAX_AGE_SECONDS
        for path in directory.glob("*.xlsx"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
            except OSError:
                pass
