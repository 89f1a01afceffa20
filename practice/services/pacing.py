"""Paced steps: a couple moves through the program's steps together.

Step 1 is open from the start. The next step opens by itself at the moment the open step is
complete: every exercise of the open step that the practitioner assigned and has not closed
has been submitted by each partner it is meant for, and every reflection submitted on the
step has been reviewed. The practitioner can also open the next step early, with a reason.
"""

from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from practice.db import session
from practice.models import (
    Assignment,
    AssignmentStatus,
    Couple,
    Reflection,
    ReflectionStatus,
    Step,
    StepOpening,
    User,
)
from practice.services import audit
from practice.services.errors import PracticeError

REASON_LIMIT = 2000


def open_step(couple: Couple) -> int:
    """The highest step open for the couple; steps open in order, so all before it are open."""
    highest = session.scalar(
        select(func.max(StepOpening.step_position)).where(StepOpening.couple_id == couple.id)
    )
    return max(highest or 1, 1)


def is_open(couple: Couple, position: int) -> bool:
    return position <= open_step(couple)


@dataclass
class Remaining:
    """What the open step still needs, said without anyone's words."""

    # (partner, exercise title) for every reflection not yet submitted.
    submissions: list[tuple[object, str]] = field(default_factory=list)
    review: bool = False
    nothing_assigned: bool = False

    @property
    def done(self) -> bool:
        return not (self.submissions or self.review or self.nothing_assigned)

    def titles_for(self, partner) -> list[str]:
        """The exercises this partner still has to submit."""
        return [title for who, title in self.submissions if who.id == partner.id]

    def others_besides(self, partner) -> list:
        """Whoever else still has something to submit; their exercises are never named to
        the partner, since some are meant for them alone."""
        others = []
        for who, _title in self.submissions:
            if who.id != partner.id and who not in others:
                others.append(who)
        return others


def remaining(couple: Couple, position: int) -> Remaining:
    """What stands between step ``position`` and the next; one query at any size."""
    submitted = and_(
        Reflection.assignment_id == Assignment.id,
        Reflection.status == ReflectionStatus.SUBMITTED,
    )
    rows = session.execute(
        select(
            Assignment.id,
            Assignment.title,
            Assignment.audience,
            Assignment.status,
            Reflection.author_id,
            func.count(Reflection.id),
            func.count(Reflection.reviewed_at),
        )
        .outerjoin(Reflection, submitted)
        .where(Assignment.couple_id == couple.id, Assignment.step_position == position)
        .group_by(
            Assignment.id,
            Assignment.title,
            Assignment.audience,
            Assignment.status,
            Reflection.author_id,
        )
        .order_by(Assignment.id)
    ).all()
    assignments: dict[int, tuple[str, str, str]] = {}
    authors: dict[int, set[int]] = {}
    result = Remaining()
    for assignment_id, title, audience, status, author_id, count, reviewed in rows:
        assignments[assignment_id] = (title, audience, status)
        if author_id is not None and count:
            authors.setdefault(assignment_id, set()).add(author_id)
            if reviewed < count:
                result.review = True
    required = {
        aid: info for aid, info in assignments.items() if info[2] == AssignmentStatus.ACTIVE
    }
    if not required:
        result.nothing_assigned = True
        return result
    for aid, (title, audience, _status) in required.items():
        for partner in couple.partners:
            if audience in ("both", partner.program_role) and partner.id not in authors.get(
                aid, set()
            ):
                result.submissions.append((partner, title))
    if result.submissions:
        # What is not written yet has not been reviewed yet either.
        result.review = True
    return result


def _step_count(couple: Couple) -> int:
    return session.scalar(select(func.count(Step.id)).where(Step.program_id == couple.program_id))


def _open(couple: Couple, position: int, *, by: User | None, early: bool, reason: str = ""):
    opening = StepOpening(
        couple_id=couple.id,
        step_position=position,
        opened_by_id=by.id if by else None,
        early=early,
        reason=reason,
    )
    session.add(opening)
    couple.current_step = max(couple.current_step, position)
    session.flush()
    return opening


def open_next_if_ready(couple: Couple, *, by: User | None = None) -> StepOpening | None:
    """Open the next step when the open one is complete (called as each review lands)."""
    current = open_step(couple)
    if current >= _step_count(couple) or not remaining(couple, current).done:
        return None
    opening = _open(couple, current + 1, by=by, early=False)
    audit.record(
        "step.opened",
        user=by,
        subject="couple",
        subject_id=couple.id,
        couple_id=couple.id,
        detail=f"Step {current + 1}",
    )
    return opening


def open_early(couple: Couple, by: User, reason: str) -> StepOpening:
    """Open the next step before the open one is complete; the reason is kept with it."""
    reason = (reason or "").strip()
    if not reason:
        raise PracticeError("Write a short reason; it stays with the couple's record.", "reason")
    if len(reason) > REASON_LIMIT:
        raise PracticeError(
            f"The reason is {len(reason):,} characters; keep it to {REASON_LIMIT:,}.",
            "reason",
        )
    current = open_step(couple)
    if current >= _step_count(couple):
        raise PracticeError("Every step is already open for this couple.")
    opening = _open(couple, current + 1, by=by, early=True, reason=reason)
    # The reason may hold clinical detail: it stays in the couple's record, not the audit log.
    audit.record(
        "step.opened_early",
        user=by,
        subject="couple",
        subject_id=couple.id,
        couple_id=couple.id,
        detail=f"Step {current + 1}",
    )
    return opening


def check_doable(couple: Couple, assignment: Assignment) -> None:
    """Refuse work on an exercise whose step has not opened for the couple yet."""
    if not is_open(couple, assignment.step_position):
        raise PracticeError(
            f"This exercise belongs to step {assignment.step_position}, which has not opened "
            "yet. Your text was not saved; it opens when you have both finished the step before."
        )


@dataclass
class StepLine:
    position: int
    title: str
    state: str  # "open", "next", "locked"
    guidance: str = ""  # the program's words on the step, for the top of its page


@dataclass
class Pace:
    """The couple's steps as a partner or the practitioner sees them."""

    open_step: int
    steps: list[StepLine]
    remaining: Remaining
    openings: list[StepOpening]
    practitioner_name: str

    @property
    def next_step(self) -> StepLine | None:
        return next((s for s in self.steps if s.state == "next"), None)


def step_guidance(couple: Couple, position: int) -> str:
    """The program's guidance for one of the couple's steps ("" when it has none)."""
    return (
        session.scalar(
            select(Step.guidance).where(
                Step.program_id == couple.program_id, Step.position == position
            )
        )
        or ""
    )


def pace(couple: Couple, *, with_history: bool = False) -> Pace:
    """Every step with its state and what the open one still needs; two or three queries."""
    highest = (
        select(func.max(StepOpening.step_position))
        .where(StepOpening.couple_id == couple.id)
        .scalar_subquery()
    )
    practitioner = select(User.name).where(User.id == couple.practitioner_id).scalar_subquery()
    rows = session.execute(
        select(Step.position, Step.title, highest, practitioner, Step.guidance)
        .where(Step.program_id == couple.program_id)
        .order_by(Step.position)
    ).all()
    current = max((rows[0][2] if rows else None) or 1, 1)
    name = rows[0][3] if rows else ""
    lines = [
        StepLine(
            position,
            title,
            "open" if position <= current else "next" if position == current + 1 else "locked",
            guidance,
        )
        for position, title, _, _, guidance in rows
    ]
    openings = []
    if with_history:
        openings = list(
            session.scalars(
                select(StepOpening)
                .options(joinedload(StepOpening.opened_by))
                .where(StepOpening.couple_id == couple.id, StepOpening.early.is_(True))
                .order_by(StepOpening.step_position)
            )
        )
    needs = remaining(couple, current) if current < len(lines) else Remaining()
    return Pace(current, lines, needs, openings, name)
