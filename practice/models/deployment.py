"""What every server of one practice must agree on, kept in the practice's own database."""

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from practice.encryption import EncryptedText
from practice.models.base import Base, utcnow


class KeyCheck(Base):
    """One row: a known value encrypted with the practice's keys, so a server whose keys
    cannot read it refuses to start (``practice.startup``), and the practice's id, which
    its session cookies are signed with, so one practice's cookie never opens another.

    ``token`` is an encrypted column like any other: ``rotate-key`` re-encrypts it.
    """

    __tablename__ = "practice_key_check"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[str] = mapped_column(String(32))
    token: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
