"""Session records: when, how long, who came, the note, and the reflections discussed."""

from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from practice.db import session
from practice.models import (
    Assignment,
    Couple,
    Partner,
    Reflection,
    ReflectionStatus,
    SessionNote,
    User,
)
from practice.services.errors import PracticeError


def discussable_reflections(couple: Couple, limit: int = 100) -> list[Reflection]:
    """The couple's submitted reflections, newest first, to pick from for a session."""
    return list(
        session.scalars(
            select(Reflection)
            .join(Reflection.assignment)
            .where(
                Assignment.couple_id == couple.id, Reflection.status == ReflectionStatus.SUBMITTED
            )
            .options(
                selectinload(Reflection.assignment),
                selectinload(Reflection.author).selectinload(Partner.user),
            )
            .order_by(Reflection.flagged_for_session.desc(), Reflection.submitted_at.desc())
            .limit(limit)
        )
    )


def save_session(
    note: SessionNote | None,
    couple: Couple,
    practitioner: User,
    *,
    starts_at: datetime,
    duration_minutes: int,
    attendee_ids: list[int],
    text: str,
    reflection_ids: list[int],
) -> SessionNote:
    """Record a new session, or update an existing one with the same fields."""
    limit = current_app.config["PRACTICE_MAX_NOTE_CHARS"]
    if not 5 <= duration_minutes <= 600:
        raise PracticeError("Length is in minutes, from 5 to 600.", "duration_minutes")
    if len(text) > limit:
        raise PracticeError(f"The note is limited to {limit:,} characters.", "note")
    partners = {p.id: p for p in couple.partners}
    if not attendee_ids:
        raise PracticeError("Tick who attended.", "attendees")
    if any(pid not in partners for pid in attendee_ids):
        raise PracticeError("Only this couple's partners can attend.", "attendees")
    reflections = []
    if reflection_ids:
        reflections = list(
            session.scalars(
                select(Reflection)
                .join(Reflection.assignment)
                .where(
                    Reflection.id.in_(reflection_ids),
                    Assignment.couple_id == couple.id,
                    Reflection.status == ReflectionStatus.SUBMITTED,
                )
            )
        )
        if len(reflections) != len(set(reflection_ids)):
            raise PracticeError("Pick reflections from this couple.", "reflections")
    if note is None:
        note = SessionNote(couple=couple, practitioner_id=practitioner.id)
        session.add(note)
    note.starts_at = starts_at
    note.duration_minutes = duration_minutes
    note.note = text.strip()
    note.attendees = [partners[pid] for pid in sorted(set(attendee_ids))]
    note.reflections = reflections
    session.flush()
    return note


def session_for_practitioner(practitioner: User, session_id: int) -> SessionNote | None:
    return session.scalar(
        select(SessionNote)
        .join(SessionNote.couple)
        .where(SessionNote.id == session_id, Couple.practitioner_id == practitioner.id)
        .options(
            selectinload(SessionNote.attendees).selectinload(Partner.user),
            selectinload(SessionNote.reflections).selectinload(Reflection.assignment),
            selectinload(SessionNote.reflections)
            .selectinload(Reflection.author)
            .selectinload(Partner.user),
            selectinload(SessionNote.couple)
            .selectinload(Couple.partners)
            .selectinload(Partner.user),
        )
    )


def sessions_of(couple: Couple) -> list[SessionNote]:
    return list(
        session.scalars(
            select(SessionNote)
            .where(SessionNote.couple_id == couple.id)
            .order_by(SessionNote.starts_at.desc())
        )
    )
