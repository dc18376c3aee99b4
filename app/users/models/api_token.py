from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, db, one_of, utcnow
from app.users.models.user import User


class TokenScope(StrEnum):
    """What a token may do, within its user's own rights (app.scope still decides the units):
    READ only reads (GET, HEAD); WRITE also saves (POST, PUT, PATCH, DELETE)."""

    READ = "read"
    WRITE = "write"


class ApiToken(db.Model):
    """A bearer token for the JSON API. Only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint(one_of("scope", TokenScope), name="scope_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Tokens issued before scopes existed could write: they keep that right.
    scope: Mapped[str] = mapped_column(
        String(16), default=TokenScope.WRITE, server_default=TokenScope.WRITE.value
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def may_write(self) -> bool:
        return self.scope == TokenScope.WRITE
