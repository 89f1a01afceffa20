"""Sessions with a couple and the practitioner's note on them."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.models.base import Base, utcnow
from practice.models.couples import Couple, Partner
from practice.models.reflections import Reflection
from practice.models.users import User

session_attendees = Table(
    "practice_session_attendees",
    Base.metadata,
    Column("session_id", ForeignKey("practice_session_notes.id"), primary_key=True),
    Column("partner_id", ForeignKey("practice_partners.id"), primary_key=True),
)

session_reflections = Table(
    "practice_session_reflections",
    Base.metadata,
    Column("session_id", ForeignKey("practice_session_notes.id"), primary_key=True),
    Column("reflection_id", ForeignKey("practice_reflections.id"), primary_key=True),
)


class SessionNote(Base):
    __tablename__ = "practice_session_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("practice_couples.id"), index=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"))
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    couple: Mapped[Couple] = relationship()
    practitioner: Mapped[User] = relationship()
    attendees: Mapped[list[Partner]] = relationship(
        secondary=session_attendees, order_by=Partner.id
    )
    reflections: Mapped[list[Reflection]] = relationship(
        secondary=session_reflections, order_by=Reflection.submitted_at
    )
