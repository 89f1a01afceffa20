"""Accountability check-ins: the couple's agreed plan, and each check-in of the partner in
recovery. The other partner sees only a summary, and only if the couple agreed to it."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.encryption import EncryptedText
from practice.models.base import Base, utcnow
from practice.models.couples import Couple, Partner


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


class CheckinPlan(Base):
    """What the couple agreed with their practitioner: who checks in, how often, how soon a
    slip is told to the partner, and whether the partner sees a summary."""

    __tablename__ = "practice_checkin_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("practice_couples.id"), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("practice_partners.id"))
    frequency: Mapped[str] = mapped_column(String(10), default=Frequency.DAILY)
    tell_within_hours: Mapped[int] = mapped_column(default=24)
    summary_for_partner: Mapped[bool] = mapped_column(default=False)
    starts_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    couple: Mapped[Couple] = relationship()
    partner: Mapped[Partner] = relationship()

    @property
    def is_on(self) -> bool:
        return self.frequency != Frequency.OFF


class Checkin(Base):
    """One check-in per period (a day, or a week from Monday) in the author's calendar; a
    second one in the same period edits the first until the period ends."""

    __tablename__ = "practice_checkins"
    __table_args__ = (UniqueConstraint("partner_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("practice_couples.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("practice_partners.id"))
    period_start: Mapped[date]
    frequency: Mapped[str] = mapped_column(String(10))
    urges: Mapped[int]
    triggers: Mapped[str] = mapped_column(EncryptedText, default="")
    handled: Mapped[str] = mapped_column(EncryptedText, default="")
    slip: Mapped[bool] = mapped_column(default=False)
    slip_at: Mapped[datetime | None]
    told_at: Mapped[datetime | None]
    shared_with_partner: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    partner: Mapped[Partner] = relationship()
