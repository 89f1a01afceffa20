"""The private safety screen: one partner's answers, read only by the couple's practitioner."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
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


class CrisisLine(Base):
    """One place a client can turn to straight away (a helpline, a text line, a website),
    as the practice's owner listed them for the practice's country."""

    __tablename__ = "practice_crisis_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int]
    country: Mapped[str] = mapped_column(String(80), default="")
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(40), default="")
    text: Mapped[str] = mapped_column(String(80), default="")  # "Text SHOUT to 85258"
    web: Mapped[str] = mapped_column(String(300), default="")
    hours: Mapped[str] = mapped_column(String(80), default="")  # "Day and night"


class AlertEvent(Base):
    """Something the practitioner should hear of the same day (risk words, a risk answer, a
    concerning safety screen, a reported slip): one row per event, e-mailed once, neutrally.
    ``sent_at`` is claimed by the one run that queues the e-mail."""

    __tablename__ = "practice_alert_events"
    __table_args__ = (UniqueConstraint("kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    couple_id: Mapped[int] = mapped_column(ForeignKey("practice_couples.id"), index=True)
    subject_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)


class AfterReading(Base):
    """One partner's reading of the other's disclosure part: when they read the preparation
    page, and how they said they were afterwards (for the practitioner; never the writer's)."""

    __tablename__ = "practice_after_readings"
    __table_args__ = (UniqueConstraint("part_id", "partner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("practice_disclosure_parts.id"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("practice_partners.id"), index=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("practice_couples.id"), index=True)
    prepared_at: Mapped[datetime] = mapped_column(default=utcnow)
    feeling: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(EncryptedText, default="")
    answered_at: Mapped[datetime | None]

    partner: Mapped[Partner] = relationship()
