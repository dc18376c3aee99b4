from campaigns.progress.models.entry import Entry
from campaigns.progress.models.entry_revision import EntryRevision, EntrySource

__all__ = ["Entry", "EntryRevision", "EntrySource"]
