from campaigns.progress.models.entry import Entry
from campaigns.progress.models.entry_revision import EntryRevision, EntrySource
from campaigns.progress.models.entry_total import EntryTotal

__all__ = ["Entry", "EntryRevision", "EntrySource", "EntryTotal"]
