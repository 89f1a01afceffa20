"""Mutual reveal: each partner answers alone, and both see both once both have submitted.

Nobody can change an answer after seeing the other's: a submitted reflection never changes
(see reflections.save), and nothing is shown before both are submitted. When joint features
are off for the couple (the safety screen), nothing is revealed at all.
"""

from dataclasses import dataclass

from sqlalchemy import select

from practice.db import session
from practice.models import Partner, Reflection, ReflectionStatus
from practice.services import safety

WAITING = "waiting"
UNAVAILABLE = "unavailable"
REVEALED = "revealed"


@dataclass
class Reveal:
    state: str
    theirs: Reflection | None = None


def _submitted(author_id: int, reflection: Reflection) -> Reflection | None:
    return session.scalar(
        select(Reflection).where(
            Reflection.assignment_id == reflection.assignment_id,
            Reflection.author_id == author_id,
            Reflection.occurrence == reflection.occurrence,
            Reflection.status == ReflectionStatus.SUBMITTED,
        )
    )


def reveal_for(partner: Partner, mine: Reflection) -> Reveal | None:
    """What the partner sees beside their own reflection on a reveal-together exercise."""
    if not mine.assignment.reveal_together:
        return None
    if not safety.joint_features_allowed(partner.couple):
        return Reveal(UNAVAILABLE)
    other = partner.other()
    if not mine.is_submitted or other is None:
        return Reveal(WAITING)
    theirs = _submitted(other.id, mine)
    return Reveal(REVEALED, theirs) if theirs is not None else Reveal(WAITING)


def revealed_to(partner: Partner, theirs: Reflection) -> bool:
    """Whether the other partner's reflection is revealed to this partner."""
    if not theirs.assignment.reveal_together or not theirs.is_submitted:
        return False
    if theirs.author_id == partner.id or not safety.joint_features_allowed(partner.couple):
        return False
    return _submitted(partner.id, theirs) is not None
