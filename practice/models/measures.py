"""Measures: questionnaires loaded from files, scheduled for a couple, answered by each
partner alone. An answer keeps the version of the measure it was given with."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.encryption import EncryptedJSON
from practice.models.base import Base, utcnow
from practice.models.couples import Couple, Partner
from practice.models.users import User


class Cadence(StrEnum):
    START = "start"  # once, now, as a starting point
    EVERY_WEEKS = "every-weeks"  # every N weeks from the schedule's start
    STEP_CHANGE = "step-change"  # each time the couple moves to another step
    ONCE = "once"  # once, from a chosen day on


class MeasureVersion(Base):
    """One version of a measure, as its file described it (the parsed spec, kept whole so
    the file can be written back exactly)."""

    __tablename__ = "practice_measures"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80))
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(160))
    spec: Mapped[dict]
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeasureSchedule(Base):
    """A measure the practitioner asked a couple to answer, and how often."""

    __tablename__ = "practice_measure_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("practice_couples.id"), index=True)
    # The slug: the newest loaded version is the one asked.
    measure_slug: Mapped[str] = mapped_column(String(80))
    cadence: Mapped[str] = mapped_column(String(20))
    every_weeks: Mapped[int | None]
    from_day: Mapped[date]
    # What the couple agreed: each partner sees the other's scores (never the answers).
    scores_shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"))
    stopped_at: Mapped[datetime | None]

    couple: Mapped[Couple] = relationship()
    created_by: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.stopped_at is None


class MeasureResponse(Base):
    """One partner's answers to a scheduled measure, with its scores as computed then."""

    __tablename__ = "practice_measure_responses"
    __table_args__ = (
        Index("ix_practice_measure_responses_couple_at", "couple_id", "answered_at"),
        Index("ix_practice_measure_responses_schedule_partner", "schedule_id", "partner_id"),
        # Risk answers across the practice, newest last (for alerts).
        Index("ix_practice_measure_responses_risk", "risk", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("practice_measure_schedules.id"))
    couple_id: Mapped[int] = mapped_column(ForeignKey("practice_couples.id"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("practice_partners.id"))
    measure_id: Mapped[int] = mapped_column(ForeignKey("practice_measures.id"))
    # The couple's step when answered (a step-change schedule asks again on the next one).
    step: Mapped[int]
    answers: Mapped[dict] = mapped_column(EncryptedJSON)  # item key -> option value
    scores: Mapped[dict]  # scale key -> score
    # A risk item answered above its threshold: the practitioner reads it first.
    risk: Mapped[bool] = mapped_column(default=False)
    risk_items: Mapped[list] = mapped_column(EncryptedJSON, default=list)
    risk_seen_at: Mapped[datetime | None]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    schedule: Mapped[MeasureSchedule] = relationship()
    partner: Mapped[Partner] = relationship()
    measure: Mapped[MeasureVersion] = relationship()
