"""What waits for review: a row per submitted, unreviewed reflection
(``practice.models.ReviewWaiting``), added by the submit and taken away by the review, in
the same transaction as each.

Every write that makes a reflection wait or stop waiting comes through here; anything that
someday hands a couple to another practitioner moves the couple's rows with it.
"""

from sqlalchemy import case, delete, insert, literal, select

from practice.db import session
from practice.models import Assignment, Couple, Reflection, ReflectionStatus, ReviewWaiting


def submitted(reflection: Reflection, couple: Couple) -> None:
    """The reflection, just submitted, waits for the couple's practitioner."""
    session.add(
        ReviewWaiting(
            reflection_id=reflection.id,
            practitioner_id=couple.practitioner_id,
            couple_id=couple.id,
            queue_rank=ReviewWaiting.RISK if reflection.mentions_risk else ReviewWaiting.CALM,
            submitted_at=reflection.submitted_at,
        )
    )


def reviewed(reflection: Reflection) -> None:
    """The reflection was reviewed: it waits no more."""
    session.execute(delete(ReviewWaiting).where(ReviewWaiting.reflection_id == reflection.id))


def couple_archived(couple: Couple) -> None:
    """The couple is archived: its work waits no more (read through the practitioner's rows,
    the queue's own index)."""
    session.execute(
        delete(ReviewWaiting).where(
            ReviewWaiting.practitioner_id == couple.practitioner_id,
            ReviewWaiting.couple_id == couple.id,
        )
    )


def couple_reopened(couple: Couple) -> None:
    """The couple is reopened: what was submitted and not reviewed waits again."""
    still = (
        select(
            Reflection.id,
            literal(couple.practitioner_id),
            literal(couple.id),
            case((Reflection.mentions_risk, ReviewWaiting.RISK), else_=ReviewWaiting.CALM),
            Reflection.submitted_at,
        )
        .join(Assignment, Assignment.id == Reflection.assignment_id)
        .where(
            Assignment.couple_id == couple.id,
            Reflection.status == ReflectionStatus.SUBMITTED,
            Reflection.reviewed_at.is_(None),
        )
    )
    columns = ["reflection_id", "practitioner_id", "couple_id", "queue_rank", "submitted_at"]
    session.execute(insert(ReviewWaiting).from_select(columns, still))
