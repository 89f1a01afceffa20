"""Where a couple is: each exercise's state per partner, and their ratings over time."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from practice.db import session
from practice.models import (
    BOTH,
    Assignment,
    AssignmentStatus,
    Couple,
    Exercise,
    Reflection,
    ReflectionStatus,
    Step,
)


@dataclass
class PartnerState:
    label: str  # "not for them", "not assigned", "to do", "draft", "submitted", "reviewed"
    submitted: int = 0


@dataclass
class ExerciseProgress:
    exercise: object
    states: dict[int, PartnerState]


@dataclass
class StepProgress:
    step: Step
    exercises: list[ExerciseProgress]
    is_current: bool


def couple_progress(couple: Couple) -> list[StepProgress]:
    """Every step and exercise with each partner's state; three queries at any size."""
    steps = session.scalars(
        select(Step)
        .where(Step.program_id == couple.program_id)
        # The table shows an exercise's title and whom it is for: not its texts and prompts.
        .options(
            selectinload(Step.exercises).load_only(
                Exercise.position, Exercise.title, Exercise.audience
            )
        )
        .order_by(Step.position)
    ).all()
    assignments = session.execute(
        select(Assignment.id, Assignment.exercise_id, Assignment.audience, Assignment.status).where(
            Assignment.couple_id == couple.id
        )
    ).all()
    counts = session.execute(
        select(
            Reflection.assignment_id,
            Reflection.author_id,
            Reflection.status,
            func.count(Reflection.id),
            func.count(Reflection.reviewed_at),
        )
        .join(Reflection.assignment)
        .where(Assignment.couple_id == couple.id)
        .group_by(Reflection.assignment_id, Reflection.author_id, Reflection.status)
    ).all()
    tally = defaultdict(lambda: {"draft": 0, "submitted": 0, "reviewed": 0})
    for assignment_id, author_id, status, count, reviewed in counts:
        entry = tally[(assignment_id, author_id)]
        if status == ReflectionStatus.SUBMITTED:
            entry["submitted"] += count
            entry["reviewed"] += reviewed
        else:
            entry["draft"] += count
    by_exercise = defaultdict(list)
    for row in assignments:
        by_exercise[row.exercise_id].append(row)

    result = []
    for step in steps:
        rows = []
        for exercise in step.exercises:
            states = {}
            for partner in couple.partners:
                if exercise.audience not in (BOTH, partner.program_role):
                    applicable = [
                        a
                        for a in by_exercise[exercise.id]
                        if a.audience in (BOTH, partner.program_role)
                    ]
                    if not applicable:
                        states[partner.id] = PartnerState("not for them")
                        continue
                states[partner.id] = _state(by_exercise[exercise.id], partner, tally)
            rows.append(ExerciseProgress(exercise, states))
        result.append(StepProgress(step, rows, step.position == couple.current_step))
    return result


def _state(assignments, partner, tally) -> PartnerState:
    mine = [a for a in assignments if a.audience in (BOTH, partner.program_role)]
    if not mine:
        return PartnerState("not assigned")
    submitted = sum(tally[(a.id, partner.id)]["submitted"] for a in mine)
    reviewed = sum(tally[(a.id, partner.id)]["reviewed"] for a in mine)
    drafts = sum(tally[(a.id, partner.id)]["draft"] for a in mine)
    open_ = any(a.status == AssignmentStatus.ACTIVE for a in mine)
    if submitted and reviewed == submitted and not drafts:
        return PartnerState("reviewed", submitted)
    if submitted:
        return PartnerState("submitted", submitted)
    if drafts:
        return PartnerState("draft")
    return PartnerState("to do" if open_ else "closed")


@dataclass
class RatingSeries:
    key: str
    label: str
    points: dict[int, list[tuple[datetime, int]]] = field(default_factory=dict)


def ratings_over_time(
    couple: Couple, limit: int = 400, where: ZoneInfo | None = None, readable=None
) -> list[RatingSeries]:
    """Each rating question's answers per partner, oldest first; one query at any size.
    ``where``: the reader's time zone, in which the moments (and so a chart's days and
    labels) are given. ``readable``: a privacy filter on ``Reflection`` (a partner's release
    copy charts only what that partner may read)."""
    query = (
        select(
            Reflection.submitted_at, Reflection.author_id, Reflection.ratings, Assignment.ratings
        )
        .join(Reflection.assignment)
        .where(Assignment.couple_id == couple.id, Reflection.status == ReflectionStatus.SUBMITTED)
    )
    if readable is not None:
        query = query.where(readable)
    rows = session.execute(query.order_by(Reflection.submitted_at.desc()).limit(limit)).all()
    series: dict[str, RatingSeries] = {}
    for submitted_at, author_id, answers, questions in reversed(rows):
        for question in questions:
            value = answers.get(question["key"])
            if value is None:
                continue
            entry = series.setdefault(
                question["key"], RatingSeries(question["key"], question["key"].title())
            )
            moment = submitted_at.astimezone(where) if where is not None else submitted_at
            entry.points.setdefault(author_id, []).append((moment, value))
    return sorted(series.values(), key=lambda s: s.key)


def snapshot(couple: Couple) -> dict:
    """The couple's step progress and ratings now, as JSON-ready data."""
    names = {p.id: p.name for p in couple.partners}
    steps = [
        {
            "position": s.step.position,
            "title": s.step.title,
            "current": s.is_current,
            # A step's state per partner: the furthest state any of its exercises reached.
            "states": [_step_state(s, p.id) for p in couple.partners],
        }
        for s in couple_progress(couple)
    ]
    ratings = [
        {
            "label": series.label,
            "points": {
                names[pid]: [[moment.isoformat(), value] for moment, value in points]
                for pid, points in series.points.items()
                if pid in names
            },
        }
        for series in ratings_over_time(couple)
    ]
    return {"partners": [p.name for p in couple.partners], "steps": steps, "ratings": ratings}


def _step_state(step_progress, partner_id) -> str:
    states = [row.states[partner_id] for row in step_progress.exercises]
    done = sum(1 for st in states if st.label in ("submitted", "reviewed"))
    mine = [st for st in states if st.label != "not for them"]
    if not mine or all(st.label == "not assigned" for st in mine):
        return "not started"
    return f"{done} of {len(mine)} done"
