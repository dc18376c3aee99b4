from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, db


class FailedSignIn(db.Model):
    """A refused sign-in: the user name as typed (normalised; it may name nobody) and the
    client's address. The recent ones lock that user name or that address for a while
    (app.security); older ones are deleted."""

    __tablename__ = "failed_sign_ins"
    __table_args__ = (
        Index("ix_failed_sign_ins_username_failed_at", "username", "failed_at"),
        Index("ix_failed_sign_ins_address_failed_at", "address", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: unknown user names are counted too, so they answer like known ones.
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
