"""A couple's structured disclosure: five parts written in turn, each released by the
practitioner before the next one opens."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.encryption import EncryptedText
from practice.models.base import Base, utcnow
from practice.models.couples import Couple, Partner
from practice.models.users import User


class Visibility(StrEnum):
    """How the other partner receives a released part."""

    APP = "app"  # they read it in the app
    SESSION = "session"  # they hear it in session; the app never shows it to them


class Disclosure(Base):
    """One disclosure sequence per couple, started by their practitioner."""

    __tablename__ = "practice_disclosures"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("practice_couples.id"), unique=True)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)

    couple: Mapped[Couple] = relationship()
    started_by: Mapped[User] = relationship()
    parts: Mapped[list["DisclosurePart"]] = relationship(
        back_populates="disclosure",
        order_by="DisclosurePart.position",
        cascade="all, delete-orphan",
    )


class DisclosurePart(Base):
    """One part (disclosure, questions, answers, impact letter, amends letter) and its author.

    The text is private to its author until submitted, then to the author and the
    practitioner until released; released for session, the other partner never reads it here.
    """

    __tablename__ = "practice_disclosure_parts"
    __table_args__ = (UniqueConstraint("disclosure_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("practice_disclosures.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[int] = mapped_column(ForeignKey("practice_partners.id"), index=True)
    text: Mapped[str] = mapped_column(EncryptedText, default="")
    saved_at: Mapped[datetime | None]  # last draft save; None: nothing written yet
    submitted_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("practice_users.id"))
    visibility: Mapped[str | None] = mapped_column(String(10))
    # The practitioner's own note on this part: never shown to either partner.
    comment: Mapped[str] = mapped_column(EncryptedText, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    disclosure: Mapped[Disclosure] = relationship(back_populates="parts")
    author: Mapped[Partner] = relationship()

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_released(self) -> bool:
        return self.released_at is not None
