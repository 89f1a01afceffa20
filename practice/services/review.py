"""The practitioner's review: one queue across the caseload, feedback, and review state."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from practice.db import session
from practice.models import (
    Assignment,
    Couple,
    Feedback,
    Partner,
    Reflection,
    ReflectionStatus,
    ReviewWaiting,
    User,
    utcnow,
)
from practice.paging import paginate
from practice.services import pacing, waiting
from practice.services.errors import PracticeError


def _waiting(practitioner: User, *columns):
    """The practitioner's waiting rows (read in the queue's index: practitioner, rank, age)."""
    return (
        select(*columns)
        .select_from(ReviewWaiting)
        .where(ReviewWaiting.practitioner_id == practitioner.id)
    )


@dataclass(frozen=True)
class Waiting:
    """One line of the review queue: titles and names, never the words written."""

    id: int
    title: str
    author_name: str
    couple_name: str
    submitted_at: datetime
    mentions_risk: bool
    flagged_for_session: bool


def queue(practitioner: User, limit: int) -> tuple[list[Waiting], int]:
    """Submitted and not reviewed, risk first, then oldest first: the first page of them and
    how many wait in all; two queries at any size, plain rows rather than ORM objects."""
    first = paginate(
        _waiting(
            practitioner,
            Reflection.id,
            Assignment.title,
            User.name,
            Couple.name,
            ReviewWaiting.submitted_at,
            Reflection.mentions_risk,
            Reflection.flagged_for_session,
        )
        .join(Reflection, Reflection.id == ReviewWaiting.reflection_id)
        .join(Assignment, Assignment.id == Reflection.assignment_id)
        .join(Couple, Couple.id == ReviewWaiting.couple_id)
        .join(Partner, Partner.id == Reflection.author_id)
        .join(User, User.id == Partner.user_id)
        .order_by(
            ReviewWaiting.queue_rank, ReviewWaiting.submitted_at, ReviewWaiting.reflection_id
        ),
        1,
        limit,
        count=_waiting(practitioner, func.count()),
        scalars=False,
    )
    return [Waiting(*row) for row in first.items], first.total


def next_waiting(practitioner: User, after: Reflection) -> int | None:
    """The reflection to read after ``after`` (just answered): the first in the queue's
    order, ``after`` aside; None when nothing else waits."""
    return session.scalar(
        _waiting(practitioner, ReviewWaiting.reflection_id)
        .where(ReviewWaiting.reflection_id != after.id)
        .order_by(ReviewWaiting.queue_rank, ReviewWaiting.submitted_at, ReviewWaiting.reflection_id)
        .limit(1)
    )


def reflection_for_practitioner(practitioner: User, reflection_id: int) -> Reflection | None:
    """A submitted reflection on the practitioner's caseload; drafts stay the client's own."""
    return session.scalar(
        select(Reflection)
        .join(Reflection.assignment)
        .join(Assignment.couple)
        .where(
            Reflection.id == reflection_id,
            Couple.practitioner_id == practitioner.id,
            Reflection.status == ReflectionStatus.SUBMITTED,
        )
        .options(
            contains_eager(Reflection.assignment).contains_eager(Assignment.couple),
            selectinload(Reflection.feedback).selectinload(Feedback.author),
            selectinload(Reflection.author).selectinload(Partner.user),
        )
    )


def respond(
    reflection: Reflection,
    practitioner: User,
    *,
    feedback: str,
    mark_reviewed: bool,
    flag_for_session: bool,
) -> None:
    """Write feedback for the author (if any), flag for session, and mark reviewed."""
    limit = current_app.config["PRACTICE_MAX_NOTE_CHARS"]
    feedback = feedback.strip()
    if len(feedback) > limit:
        raise PracticeError(f"Feedback is limited to {limit:,} characters.", "feedback")
    if not feedback and not mark_reviewed and flag_for_session == reflection.flagged_for_session:
        raise PracticeError("Write feedback, or mark the reflection reviewed.", "feedback")
    if feedback:
        session.add(Feedback(reflection=reflection, author_id=practitioner.id, body=feedback))
    reflection.flagged_for_session = flag_for_session
    if mark_reviewed and reflection.reviewed_at is None:
        reflection.reviewed_at = utcnow()
        reflection.reviewed_by_id = practitioner.id
        waiting.reviewed(reflection)
        session.flush()
        # The last review of a step is what opens the next one.
        pacing.open_next_if_ready(reflection.assignment.couple, by=practitioner)
    session.flush()
