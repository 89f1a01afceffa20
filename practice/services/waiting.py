"""What waits for review: a row per submitted, unreviewed reflection
(``practice.models.ReviewWaiting``), added by the submit and taken away by the review, in
the same transaction as each.

Every write that makes a reflection wait or stop waiting comes through here; anything that
someday hands a couple to another practitioner moves the couple's rows with it.
"""

from sqlalchemy import delete

from practice.db import session
from practice.models import Couple, Reflection, ReviewWaiting


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
