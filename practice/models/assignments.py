"""Exercises assigned to a couple, with a copy of the text as it was when assigned."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.encryption import EncryptedText
from practice.models.base import Base, utcnow
from practice.models.couples import Couple
from practice.models.programs import BOTH, Exercise


class Repeat(StrEnum):
    ONCE = "once"
    DAILY = "daily"
    WEEKLY = "weekly"


class AssignmentStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class Assignment(Base):
    __tablename__ = "practice_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("practice_couples.id"), index=True)
    exercise_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice_exercises.id", ondelete="SET NULL"), index=True
    )
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"))
    # Homework set in a session, for next time.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice_session_notes.id"), index=True
    )
    # The copy: later edits to the program never rewrite what a couple was given.
    step_position: Mapped[int]
    step_title: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(160))
    instructions: Mapped[str] = mapped_column(Text, default="")
    prompts: Mapped[list]
    ratings: Mapped[list]
    # The prompts' kinds as assigned (see Exercise.prompt_kinds).
    prompt_kinds: Mapped[list] = mapped_column(default=list, server_default="[]")
    audience: Mapped[str] = mapped_column(String(40), default=BOTH)
    # Copied from the exercise, and only ever true for an assignment meant for both partners.
    reveal_together: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The practitioner's own words to this couple (the rest is the program's text).
    note: Mapped[str] = mapped_column(EncryptedText, default="")
    repeat: Mapped[str] = mapped_column(String(10), default=Repeat.ONCE)
    starts_on: Mapped[date]
    due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(10), default=AssignmentStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    couple: Mapped[Couple] = relationship()
    exercise: Mapped[Exercise | None] = relationship()

    def is_for(self, program_role: str) -> bool:
        return self.audience in (BOTH, program_role)
