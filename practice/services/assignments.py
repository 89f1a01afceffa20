"""Assigning exercises to a couple, and when each one is due."""

from datetime import date, timedelta

from sqlalchemy import select

from practice import privacy
from practice.db import session
from practice.models import (
    BOTH,
    Assignment,
    AssignmentStatus,
    Couple,
    Exercise,
    Partner,
    Repeat,
    SessionNote,
    User,
)
from practice.services import pacing
from practice.services.errors import PracticeError

AS_WRITTEN = "as-written"


def assign(
    couple: Couple,
    exercises: list[Exercise],
    *,
    audience: str,
    repeat: str,
    due_on: date | None,
    note: str,
    by: User,
    today: date,
    set_in: SessionNote | None = None,
) -> list[Assignment]:
    """Assign several exercises at once, each keeping a copy of its text as it is today.

    ``audience`` and ``repeat`` may be AS_WRITTEN: each exercise's own (its suggested repeat);
    with no ``due_on``, an exercise with a suggested due offset is due that many days on.
    ``set_in`` marks them as homework set in that session (a draft: a signed note's
    homework is part of what was signed).
    """
    if set_in is not None and set_in.is_signed:
        raise PracticeError("This note is signed; assign from the couple's page instead.")
    if not exercises:
        raise PracticeError("Choose at least one exercise.", "exercises")
    roles = {r["key"] for r in couple.program.roles}
    if audience not in roles | {BOTH, AS_WRITTEN}:
        raise PracticeError("Choose who the exercise is for.", "audience")
    if repeat not in {*Repeat, AS_WRITTEN}:
        raise PracticeError("Choose how often it repeats.", "repeat")
    if due_on is not None and due_on < today:
        raise PracticeError("The due date is in the past.", "due_on")
    if any(exercise.step.program_id != couple.program_id for exercise in exercises):
        raise PracticeError("Those exercises belong to another program.", "exercises")
    created = []
    for exercise in exercises:
        for_whom = exercise.audience if audience == AS_WRITTEN else audience
        # With no date given, an exercise's suggested offset (if it has one) sets it.
        due = due_on
        if due is None and exercise.due_in_days:
            due = today + timedelta(days=exercise.due_in_days)
        assignment = Assignment(
            couple=couple,
            exercise=exercise,
            assigned_by_id=by.id,
            session_id=set_in.id if set_in is not None else None,
            step_position=exercise.step.position,
            step_title=exercise.step.title,
            title=exercise.title,
            instructions=exercise.instructions,
            prompts=list(exercise.prompts),
            ratings=[dict(r) for r in exercise.ratings],
            prompt_kinds=[dict(k) for k in exercise.prompt_kinds or []],
            audience=for_whom,
            reveal_together=privacy.answered_alone(exercise) and for_whom == BOTH,
            note=note.strip(),
            repeat=(exercise.repeat or Repeat.ONCE) if repeat == AS_WRITTEN else repeat,
            starts_on=today,
            due_on=due,
            status=AssignmentStatus.ACTIVE,
        )
        session.add(assignment)
        created.append(assignment)
    session.flush()
    return created


def already_open(couple: Couple) -> set[int]:
    """The exercises the couple has open now (an active assignment of it): one query."""
    return set(
        session.scalars(
            select(Assignment.exercise_id).where(
                Assignment.couple_id == couple.id,
                Assignment.status == AssignmentStatus.ACTIVE,
                Assignment.exercise_id.is_not(None),
            )
        )
    )


def current_occurrence(assignment: Assignment, today: date) -> date | None:
    """The day this assignment's current answer belongs to, or None once it has run out.

    A one-off assignment has one occurrence (its start); a daily one, one per day; a
    weekly one, one per seven days from its start. A due date ends the repeats.
    """
    if assignment.status != AssignmentStatus.ACTIVE:
        return None
    if assignment.repeat == Repeat.ONCE:
        return assignment.starts_on
    if assignment.due_on is not None and today > assignment.due_on:
        return None
    if today < assignment.starts_on:
        return assignment.starts_on
    if assignment.repeat == Repeat.DAILY:
        return today
    weeks = (today - assignment.starts_on).days // 7
    return assignment.starts_on + timedelta(days=7 * weeks)


def occurrence_due(assignment: Assignment, occurrence: date) -> date | None:
    """The last day to answer this occurrence."""
    if assignment.repeat == Repeat.DAILY:
        return occurrence
    if assignment.repeat == Repeat.WEEKLY:
        end = occurrence + timedelta(days=6)
        return min(end, assignment.due_on) if assignment.due_on else end
    return assignment.due_on


def close(assignment: Assignment) -> None:
    """Close an assignment; if it was all the open step still waited for, the next opens."""
    assignment.status = AssignmentStatus.CLOSED
    session.flush()
    pacing.open_next_if_ready(assignment.couple)


def assignment_for_client(partner: Partner, assignment_id: int) -> Assignment | None:
    """An assignment of the partner's couple meant for them (not one for the other role)."""
    assignment = session.scalar(
        select(Assignment).where(
            Assignment.id == assignment_id, Assignment.couple_id == partner.couple_id
        )
    )
    if assignment is None or not assignment.is_for(partner.program_role):
        return None
    return assignment
