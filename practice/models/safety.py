"""The private safety screen: one partner's answers, read only by the couple's practitioner."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.encryption import EncryptedJSON, EncryptedText
from practice.models.base import Base, utcnow
from practice.models.couples import Partner
from practice.models.users import User


class SafetyScreen(Base):
    """One time a partner answered the safety questions. Never shown to the other partner."""

    __tablename__ = "practice_safety_screens"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("practice_partners.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("practice_couples.id"), index=True)
    answers: Mapped[dict] = mapped_column(EncryptedJSON)  # question key -> True (yes) / False (no)
    concerning: Mapped[bool] = mapped_column(default=False)
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the practitioner turned joint features back on after reading it.
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("practice_users.id"))
    resolution: Mapped[str] = mapped_column(EncryptedText, default="")

    partner: Mapped[Partner] = relationship()
    resolved_by: Mapped[User | None] = relationship()
