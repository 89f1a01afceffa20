"""A partner's answers to an assignment, and the practitioner's feedback on them."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.encryption import EncryptedJSON, EncryptedText
from practice.models.assignments import Assignment
from practice.models.base import Base, utcnow
from practice.models.couples import Partner
from practice.models.users import User
from practice.programs.kinds import prompt_specs, shown_answer


class ReflectionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class ReleaseState(StrEnum):
    """Where a shared reflection stands when the couple's shares wait for the practitioner."""

    WAITING = "waiting"  # the practitioner has not released it yet
    APP = "app"  # released: the partner reads it in the app
    SESSION = "session"  # in session only: discussed there, never shown to the partner here


class Reflection(Base):
    __tablename__ = "practice_reflections"
    # One reflection per partner per occurrence: a second submit finds the first.
    __table_args__ = (
        UniqueConstraint("assignment_id", "author_id", "occurrence"),
        # One couple's reflections by assignment and state (its progress, its history, the
        # session form's picker): never a practice-wide scan. The review queue and the
        # caseload's counts read ReviewWaiting instead.
        Index("ix_practice_reflections_assignment_state", "assignment_id", "status", "reviewed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("practice_assignments.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("practice_partners.id"), index=True)
    occurrence: Mapped[date]
    answers: Mapped[list] = mapped_column(EncryptedJSON)
    ratings: Mapped[dict]
    status: Mapped[str] = mapped_column(String(10), default=ReflectionStatus.DRAFT)
    shared_with_partner: Mapped[bool] = mapped_column(default=False)
    # None: nothing to release (a private reflection, or a couple whose shares go at once).
    release_state: Mapped[str | None] = mapped_column(String(10))
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("practice_users.id"))
    # The plain flag the review queue sorts on; the words that raised it stay encrypted.
    mentions_risk: Mapped[bool] = mapped_column(default=False)
    risk_terms: Mapped[list] = mapped_column(EncryptedJSON, default=list)
    flagged_for_session: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("practice_users.id"))

    assignment: Mapped[Assignment] = relationship()
    author: Mapped[Partner] = relationship()
    feedback: Mapped[list["Feedback"]] = relationship(
        back_populates="reflection", order_by="Feedback.created_at"
    )

    @property
    def is_submitted(self) -> bool:
        return self.status == ReflectionStatus.SUBMITTED

    def answered_prompts(self) -> list[tuple[str, str]]:
        """The prompts as assigned, each with this reflection's answer."""
        answers = list(self.answers) + [""] * len(self.assignment.prompts)
        specs = prompt_specs(self.assignment)
        return [
            (prompt, shown_answer(spec, answer))
            for prompt, spec, answer in zip(self.assignment.prompts, specs, answers, strict=False)
        ]

    def rating_items(self) -> list[tuple[dict, int | None]]:
        return [(q, self.ratings.get(q["key"])) for q in self.assignment.ratings]


class Feedback(Base):
    """The practitioner's words back to the reflection's author (never to the partner)."""

    __tablename__ = "practice_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(ForeignKey("practice_reflections.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"))
    body: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    reflection: Mapped[Reflection] = relationship(back_populates="feedback")
    author: Mapped[User] = relationship()


class ReviewWaiting(Base):
    """A submitted reflection its practitioner has not reviewed yet: one row from the submit
    to the review (``practice.services.waiting``).

    The review queue and the caseload's counts read these rows in index order, by
    practitioner, so a page costs what it shows: not every assignment of every couple a
    therapist has held in ten years, and not the whole backlog to show its first five.
    """

    __tablename__ = "practice_review_waiting"
    # One index serves both: the queue reads it in order, the caseload's counts per couple
    # read it alone (couple_id rides along at the end).
    __table_args__ = (
        Index(
            "ix_practice_review_waiting_queue",
            "practitioner_id",
            "queue_rank",
            "submitted_at",
            "reflection_id",
            "couple_id",
        ),
    )

    reflection_id: Mapped[int] = mapped_column(
        ForeignKey("practice_reflections.id"), primary_key=True
    )
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"))
    couple_id: Mapped[int] = mapped_column(ForeignKey("practice_couples.id"))
    # The queue's order in one ascending index: 0 when the words mention risk (read first),
    # 1 otherwise; then oldest first.
    queue_rank: Mapped[int] = mapped_column(SmallInteger)
    submitted_at: Mapped[datetime]

    RISK, CALM = 0, 1
