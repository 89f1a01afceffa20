"""Sign-in failures and reset requests, kept in the database so every worker sees them."""

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from practice.models.base import Base, utcnow


class ThrottleEvent(Base):
    """One counted attempt: a failed sign-in or a password-reset request.

    Keyed by the e-mail as typed (normalized, whether or not an account has it) and by the
    address it came from, so both an account and an address can be made to wait.
    """

    __tablename__ = "practice_throttle_events"
    __table_args__ = (
        Index("ix_practice_throttle_events_kind_email", "kind", "email", "created_at"),
        Index("ix_practice_throttle_events_kind_address", "kind", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
