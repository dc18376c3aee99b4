"""Pure rules of campaign tasks: overdue, completion, owner codes and file types.

No Flask and no database here: pages, briefings and exports all reuse these, and the tests
call them directly.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class TaskStatus(StrEnum):
    """Where a unit stands with its assignment; "overdue" is derived, never stored."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


# The evidence types accepted, by their first bytes. The browser's content type and the file's
# extension are what the sender claims; these bytes are what the file is.
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
PDF = "application/pdf"
EXTENSIONS = {JPEG: ".jpg", PNG: ".png", WEBP: ".webp", PDF: ".pdf"}
SNIFF_BYTES = 12  # enough for the longest signature below (WebP: RIFF....WEBP)

_CODE_SEPARATORS = re.compile(r"[\s,;]+")


def is_overdue(status: str, due_date: date, today: date) -> bool:
    """Not done and past its due date: due today is not overdue yet, due yesterday is."""
    return status != TaskStatus.DONE and today > due_date


@dataclass(frozen=True)
class Completion:
    """How far a set of assignments has got, e.g. "7/11 done, 2 overdue"."""

    done: int = 0
    total: int = 0
    overdue: int = 0

    @property
    def fraction(self) -> float | None:
        return self.done / self.total if self.total else None

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done == self.total


def completion(statuses: Iterable[tuple[str, date]], today: date) -> Completion:
    """Completion of assignments given as (status, due date) pairs."""
    done = total = overdue = 0
    for status, due_date in statuses:
        total += 1
        done += status == TaskStatus.DONE
        overdue += is_overdue(status, due_date, today)
    return Completion(done=done, total=total, overdue=overdue)


def parse_unit_codes(text: str) -> list[str]:
    """Unit codes typed or pasted by a person: separated by commas, semicolons, spaces or line
    breaks; repeated codes are kept once, in the order first given."""
    seen: dict[str, None] = {}
    for code in _CODE_SEPARATORS.split(text or ""):
        if code:
            seen.setdefault(code, None)
    return list(seen)


def sniff_content_type(head: bytes) -> str | None:
    """The evidence type a file's first bytes announce (JPEG, PNG, WebP or PDF), else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def download_name(original_name: str, content_type: str) -> str:
    """The name offered when the file is downloaded: the sender's name, with the extension of
    the file's real type (a PDF called "report.jpg" is offered as "report.jpg.pdf")."""
    extension = EXTENSIONS[content_type]
    name = original_name.strip() or "evidence"
    lowered = name.lower()
    if lowered.endswith(extension) or (content_type == JPEG and lowered.endswith(".jpeg")):
        return name
    return name + extension
