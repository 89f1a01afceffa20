"""Reminder e-mails: who asked for none, and what each person was already reminded of."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from practice.models.base import Base, utcnow

# The row that marks "this person got their one reminder of the day".
DAY_MARK = "day"


class ReminderOptOut(Base):
    """A client who turned reminder e-mails off on their own page."""

    __tablename__ = "practice_reminder_opt_outs"

    user_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReminderSent(Base):
    """One row per person, thing and day (in the person's calendar): a thing such as
    "assignment:12:2026-11-23" or "checkin:2026-11-23" is never reminded of twice, and the
    DAY_MARK row keeps it to one e-mail a day even when two runs meet."""

    __tablename__ = "practice_reminders_sent"
    __table_args__ = (UniqueConstraint("user_id", "thing", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"), index=True)
    thing: Mapped[str] = mapped_column(String(80))
    day: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
