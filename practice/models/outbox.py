"""The outbox: every e-mail Practice sends is a row here first, sent outside the request
that wrote it (practice.mail)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from practice.encryption import EncryptedText
from practice.models.base import Base, utcnow


class MailState(StrEnum):
    WAITING = "waiting"  # to be sent (now, or after ``send_after`` when it is being retried)
    SENT = "sent"
    FAILED = "failed"  # given up: too many attempts, or the link in it no longer works


class OutboxMail(Base):
    """One e-mail: waiting, or the record of one sent or given up.

    The words are encrypted (a reset or invitation link opens an account) and dropped once
    the mail is sent or given up; who it was for, what kind, when, and why it failed stay.
    A sender claims a row with a conditional update of ``claimed_until`` (practice.db.claim),
    so of several workers and servers only one sends it; a sender that died mid-way leaves
    a claim that lapses, and the row is tried again.
    """

    __tablename__ = "practice_outbox"
    __table_args__ = (Index("ix_practice_outbox_due", "state", "send_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "password_reset", "invitation", "reminder": for the record and the log, never the words.
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(EncryptedText)
    state: Mapped[str] = mapped_column(String(10), default=MailState.WAITING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    send_after: Mapped[datetime] = mapped_column(default=utcnow)
    # Past this the mail is not worth sending (the link in it has expired).
    stale_at: Mapped[datetime | None]
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(300), default="")

    @property
    def is_sent(self) -> bool:
        return self.state == MailState.SENT

    @property
    def is_failed(self) -> bool:
        return self.state == MailState.FAILED
