"""Doing the work: drafts that are never lost, submissions that happen once."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, load_only, selectinload

from practice import privacy
from practice.db import claim, session
from practice.models import (
    Assignment,
    AssignmentStatus,
    Couple,
    Feedback,
    Partner,
    Reflection,
    ReflectionStatus,
    ReleaseState,
    User,
    utcnow,
)
from practice.programs import kinds
from practice.services import alerts, audit, waiting
from practice.services.assignments import current_occurrence, occurrence_due
from practice.services.errors import PracticeError
from practice.services.risk import risk_terms


def reflection_for(partner: Partner, assignment: Assignment, occurrence: date) -> Reflection | None:
    return session.scalar(
        select(Reflection).where(
            Reflection.assignment_id == assignment.id,
            Reflection.author_id == partner.id,
            Reflection.occurrence == occurrence,
        )
    )


REQUIRED_MESSAGE = "This one needs an answer before you submit."


class RequiredLeftEmpty(PracticeError):
    """Prompts the exercise needs answered before it is submitted; ``each`` has one error
    per field, for a message beside each."""

    def __init__(self, fields: list[str]):
        super().__init__(REQUIRED_MESSAGE, fields[0])
        self.each = [PracticeError(REQUIRED_MESSAGE, name) for name in fields]


def check_required(assignment: Assignment, answers: list[str], ratings: dict) -> None:
    """On submit: every required prompt and rating answered; with none required, at least
    one answer written (the rule of every exercise of old)."""
    specs = kinds.prompt_specs(assignment)
    missing = [f"answer_{i}" for i, a in enumerate(answers) if specs[i]["required"] and not a]
    missing += [
        f"rating_{q['key']}"
        for q in assignment.ratings
        if q.get("required") and ratings.get(q["key"]) is None
    ]
    if missing:
        raise RequiredLeftEmpty(missing)
    required_any = any(s["required"] for s in specs) or any(
        q.get("required") for q in assignment.ratings
    )
    if not required_any and answers and not any(a.strip() for a in answers):
        raise PracticeError(
            "Write something for at least one question before submitting.", "answer_0"
        )


def check_answers(assignment: Assignment, answers: list[str], ratings: dict) -> None:
    limit = current_app.config["PRACTICE_MAX_ANSWER_CHARS"]
    if len(answers) != len(assignment.prompts):
        raise PracticeError("The form did not match this exercise; reload the page.")
    for index, answer in enumerate(answers):
        if len(answer) > limit:
            raise PracticeError(
                f"This answer is {len(answer):,} characters; the limit is {limit:,}. "
                "Shorten it, or continue in a new reflection.",
                f"answer_{index}",
            )
    for index, (spec, answer) in enumerate(
        zip(kinds.prompt_specs(assignment), answers, strict=True)
    ):
        problem = kinds.answer_problem(spec, answer)
        if problem:
            raise PracticeError(problem, f"answer_{index}")
    keys = {q["key"] for q in assignment.ratings}
    for key, value in ratings.items():
        if key not in keys or value is None:
            continue
        if not 1 <= value <= 10:
            raise PracticeError("Choose a number from 1 to 10.", f"rating_{key}")


def save(
    partner: Partner,
    assignment: Assignment,
    *,
    answers: list[str],
    ratings: dict,
    shared: bool,
    submit: bool,
    today: date,
) -> tuple[Reflection, str]:
    """Save the partner's answers as a draft, or submit them.

    Returns the reflection and what happened: "saved", "submitted", or
    "already-submitted" when this occurrence was submitted before (a double submit, or a
    second tab): the first submission stands and nothing is overwritten.
    """
    if not assignment.is_for(partner.program_role):
        raise PracticeError("This exercise is meant for your partner.")
    occurrence = current_occurrence(assignment, today)
    if occurrence is None:
        raise PracticeError("This exercise is closed; your practitioner can reopen it.")
    check_answers(assignment, answers, ratings)
    ratings = {k: v for k, v in ratings.items() if v is not None}
    if submit:
        check_required(assignment, [a.strip() for a in answers], ratings)

    reflection = reflection_for(partner, assignment, occurrence)
    if reflection is None:
        reflection = Reflection(
            assignment=assignment,
            author=partner,
            occurrence=occurrence,
            answers=[],
            ratings={},
            status=ReflectionStatus.DRAFT,
        )
        try:
            # Two tabs may create the same reflection at once; the unique key lets one win.
            with session.begin_nested():
                session.add(reflection)
                session.flush()
        except IntegrityError:
            reflection = reflection_for(partner, assignment, occurrence)
    # Of two submits at once (two tabs, a double tap) the first stands and the second is
    # told so; a late draft save never overwrites a submission either.
    still_a_draft = Reflection.status == ReflectionStatus.DRAFT
    if reflection.is_submitted or not claim(reflection, still_a_draft):
        return reflection, "already-submitted"

    reflection.answers = answers
    reflection.ratings = ratings
    shares = privacy.shares(assignment, partner.couple, shared)
    reflection.shared_with_partner = shares
    if submit:
        reflection.status = ReflectionStatus.SUBMITTED
        reflection.submitted_at = utcnow()
        reflection.risk_terms = risk_terms(*answers)
        reflection.mentions_risk = bool(reflection.risk_terms)
        reflection.release_state = privacy.release_on_submit(assignment, partner.couple, shares)
        waiting.submitted(reflection, partner.couple)
    session.flush()
    if submit and reflection.risk_terms:
        alerts.record(alerts.RISK_WORDS, partner.couple, reflection.id)
    return reflection, "submitted" if submit else "saved"


# A list shows titles and dates: the words stay encrypted and unread (an error if used).
LISTED_ONLY = (
    defer(Reflection.answers, raiseload=True),
    defer(Reflection.risk_terms, raiseload=True),
)


@dataclass
class AgendaItem:
    assignment: Assignment
    occurrence: date
    due: date | None
    draft: Reflection | None


@dataclass
class Agenda:
    due: list[AgendaItem]
    done: list[Reflection]
    with_feedback: set[int]  # the ids of those in done that have feedback


def agenda(partner: Partner, today: date, done_limit: int = 20) -> Agenda:
    """What the partner has to do now (soonest due first) and what they did lately."""
    assignments = session.scalars(
        select(Assignment)
        .where(
            Assignment.couple_id == partner.couple_id,
            Assignment.status == AssignmentStatus.ACTIVE,
            Assignment.audience.in_(["both", partner.program_role]),
        )
        .order_by(Assignment.created_at, Assignment.id)
    ).all()
    current = {a.id: current_occurrence(a, today) for a in assignments}
    mine = session.scalars(
        select(Reflection)
        .where(
            Reflection.author_id == partner.id,
            Reflection.assignment_id.in_([a.id for a in assignments]),
            or_(
                Reflection.status == ReflectionStatus.DRAFT,
                Reflection.occurrence >= min(current.values(), default=today),
            ),
        )
        .options(*LISTED_ONLY)
    ).all()
    by_occurrence = {(r.assignment_id, r.occurrence): r for r in mine}
    due = []
    for assignment in assignments:
        occurrence = current[assignment.id]
        if occurrence is None:
            continue
        reflection = by_occurrence.get((assignment.id, occurrence))
        if reflection is not None and reflection.is_submitted:
            continue
        due.append(
            AgendaItem(assignment, occurrence, occurrence_due(assignment, occurrence), reflection)
        )
    due.sort(key=lambda item: (item.due is None, item.due or today, item.assignment.id))
    # A list of links: the columns it shows and privacy.sharing_of reads, no more.
    done = session.scalars(
        select(Reflection)
        .where(Reflection.author_id == partner.id, Reflection.status == ReflectionStatus.SUBMITTED)
        .options(
            load_only(
                Reflection.assignment_id,
                Reflection.occurrence,
                Reflection.status,
                Reflection.submitted_at,
                *privacy.SHARING_OF_READS,
                raiseload=True,
            ),
            selectinload(Reflection.assignment).load_only(
                Assignment.title,
                Assignment.couple_id,
                *privacy.SHARING_OF_READS_ASSIGNMENT,
                raiseload=True,
            ),
        )
        .order_by(Reflection.submitted_at.desc())
        .limit(done_limit)
    ).all()
    with_feedback = (
        set(
            session.scalars(
                select(Feedback.reflection_id)
                .where(Feedback.reflection_id.in_([r.id for r in done]))
                .distinct()
            )
        )
        if done
        else set()
    )
    return Agenda(due, list(done), with_feedback)


def shared_by_partner(
    partner: Partner, limit: int = 50, *, titles_only: bool = False
) -> list[Reflection]:
    """What the other partner chose to share with this one, newest first; titles_only for a
    list of links (the words stay encrypted, unread)."""
    query = (
        select(Reflection)
        .where(privacy.shared_with(partner))
        .order_by(Reflection.submitted_at.desc())
        .limit(limit)
    )
    if titles_only:
        query = query.options(
            *LISTED_ONLY, selectinload(Reflection.assignment).defer(Assignment.note, raiseload=True)
        )
    else:
        query = query.options(selectinload(Reflection.assignment))
    return list(session.scalars(query))


def readable_by_client(partner: Partner, reflection_id: int) -> Reflection | None:
    """A reflection this partner may read (see privacy.may_read_reflection), or None."""
    reflection = session.get(Reflection, reflection_id)
    if reflection is None or not privacy.may_read_reflection(partner.user, reflection):
        return None
    return reflection


# --- release through the practitioner ---------------------------------------------------------

RELEASE_CHOICES = {
    ReleaseState.APP: "Release it to read in the app",
    ReleaseState.SESSION: "Keep it for the session only",
}
RELEASED = {
    ReleaseState.APP: "Released: their partner can read it now.",
    ReleaseState.SESSION: "Kept for the session: their partner will not see it in the app.",
}


def release(reflection: Reflection, practitioner: User, how: str) -> None:
    """The practitioner's release of a shared reflection that waits: the partner reads it
    in the app, or it is kept for the session and never shown to the partner here."""
    couple = reflection.assignment.couple
    if not privacy.may_release(practitioner, reflection):
        raise PracticeError("This reflection is not waiting for your release.")
    if how not in RELEASE_CHOICES:
        raise PracticeError("Choose how their partner receives it.", "release")
    if how == ReleaseState.APP and not privacy.sharing_on(couple):
        raise PracticeError(
            "Sharing between the partners is off for this couple; keep it for the session, "
            "or release it once sharing is on again.",
            "release",
        )
    reflection.release_state = how
    reflection.released_at = utcnow()
    reflection.released_by_id = practitioner.id
    session.flush()
    audit.record(
        "reflection.released",
        user=practitioner,
        subject="reflection",
        subject_id=reflection.id,
        couple_id=couple.id,
        detail=how,
    )


@dataclass(frozen=True)
class WaitingForRelease:
    """One line of what waits for the practitioner's release: titles and dates only."""

    id: int
    title: str
    author: str
    submitted_at: object


def waiting_for_release(couple: Couple, limit: int = 10) -> tuple[int, list[WaitingForRelease]]:
    """How many of the couple's shared reflections wait for the practitioner's release, and
    the oldest of them: one query over one couple's reflections (their index), words unread."""
    names = {p.id: p.name for p in couple.partners}
    rows = session.execute(
        select(
            Reflection.id,
            Assignment.title,
            Reflection.author_id,
            Reflection.submitted_at,
            func.count().over().label("total"),
        )
        .join(Assignment, Assignment.id == Reflection.assignment_id)
        .where(privacy.waiting_for_release(couple.id))
        .order_by(Reflection.submitted_at, Reflection.id)
        .limit(limit)
    ).all()
    total = rows[0].total if rows else 0
    return total, [WaitingForRelease(i, t, names.get(a, ""), at) for i, t, a, at, _ in rows]


def set_release_setting(couple: Couple, wait: bool, practitioner: User) -> bool:
    """Choose whether the couple's shares wait for the practitioner; returns whether it
    changed. It applies to what is shared from now on (see privacy.py)."""
    if privacy.releases_through_practitioner(couple) == wait:
        return False
    couple.shares_wait_for_release = wait
    session.flush()
    audit.record(
        "couple.release_setting",
        user=practitioner,
        subject="couple",
        subject_id=couple.id,
        couple_id=couple.id,
        detail="through practitioner" if wait else "at once",
    )
    return True
