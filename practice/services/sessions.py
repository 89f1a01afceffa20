"""Session records: a draft note until signed, then locked; corrections are addenda."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload
from sqlalchemy.orm.exc import StaleDataError

from practice import privacy
from practice.db import session
from practice.models import (
    NOTE_FORMATS,
    Addendum,
    Assignment,
    Couple,
    Partner,
    Reflection,
    ReflectionStatus,
    SessionKind,
    SessionNote,
    User,
    utcnow,
)
from practice.services import disclosure
from practice.services.errors import PracticeError
from practice.services.progress import snapshot

CHANGED_ELSEWHERE = (
    "This note was saved elsewhere (another tab or device) after you opened it. Nothing "
    "was overwritten: your text is still in the form, and the saved version is shown "
    "below it. Merge what you need, then save again."
)


def discussable_reflections(couple: Couple, limit: int = 100) -> list[Reflection]:
    """The couple's submitted reflections, flagged ones first, then newest first."""
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


@dataclass
class SessionInput:
    starts_at: datetime
    duration_minutes: int
    kind: str
    individual_partner_id: int | None
    attendee_ids: list[int]
    note_format: str
    sections: dict[str, str]
    reflection_ids: list[int]
    version: int | None = None  # the version the form was opened at


def _check(couple: Couple, data: SessionInput) -> tuple[dict, list[Reflection]]:
    limit = current_app.config["PRACTICE_MAX_NOTE_CHARS"]
    if not 5 <= data.duration_minutes <= 600:
        raise PracticeError("Length is in minutes, from 5 to 600.", "duration_minutes")
    if data.note_format not in NOTE_FORMATS:
        raise PracticeError("Choose a note format.", "note_format")
    # The limit is the whole note's, whatever its format: four full sections of a SOAP note
    # are four times the text of a free one, in the note and in its PDF.
    total = 0
    for key, _heading in NOTE_FORMATS[data.note_format][1]:
        total += len(data.sections.get(key, "").strip())
        if total > limit:
            raise PracticeError(
                f"The note is {total:,} characters up to here; a whole note is limited to "
                f"{limit:,} characters.",
                key,
            )
    partners = {p.id: p for p in couple.partners}
    if data.kind not in set(SessionKind):
        raise PracticeError("Choose joint or individual.", "kind")
    if data.kind == SessionKind.INDIVIDUAL:
        if data.individual_partner_id not in partners:
            raise PracticeError("Choose which partner the session was with.", "individual_partner")
        if set(data.attendee_ids) - {data.individual_partner_id}:
            raise PracticeError("In an individual session only that partner attends.", "attendees")
        attendee_ids = [data.individual_partner_id]
    else:
        attendee_ids = data.attendee_ids
    if not attendee_ids:
        raise PracticeError("Tick who attended.", "attendees")
    if any(pid not in partners for pid in attendee_ids):
        raise PracticeError("Only this couple's partners can attend.", "attendees")
    reflections = []
    if data.reflection_ids:
        reflections = list(
            session.scalars(
                select(Reflection)
                .join(Reflection.assignment)
                .where(
                    Reflection.id.in_(data.reflection_ids),
                    Assignment.couple_id == couple.id,
                    Reflection.status == ReflectionStatus.SUBMITTED,
                )
            )
        )
        if len(reflections) != len(set(data.reflection_ids)):
            raise PracticeError("Pick reflections from this couple.", "reflections")
    chosen = {pid: partners[pid] for pid in sorted(set(attendee_ids))}
    return chosen, reflections


def save_session(
    note: SessionNote | None, couple: Couple, practitioner: User, data: SessionInput
) -> SessionNote:
    """Record a new session, or update a draft; refuses a signed note or a stale form."""
    if note is not None:
        if note.is_signed:
            raise PracticeError("This note is signed and cannot change; add an addendum instead.")
        if data.version is not None and data.version != note.version:
            raise PracticeError(CHANGED_ELSEWHERE)
    attendees, reflections = _check(couple, data)
    try:
        # A savepoint: when another tab saved first, only this change is undone and the
        # request's session stays usable to show the version that was saved.
        with session.begin_nested():
            return _write_session(note, couple, practitioner, data, attendees, reflections)
    except StaleDataError:
        raise PracticeError(CHANGED_ELSEWHERE) from None


def _write_session(note, couple, practitioner, data, attendees, reflections) -> SessionNote:
    if note is None:
        note = SessionNote(couple=couple, practitioner_id=practitioner.id, sections={})
        session.add(note)
    note.starts_at = data.starts_at
    note.duration_minutes = data.duration_minutes
    note.kind = data.kind
    note.individual_partner_id = (
        data.individual_partner_id if data.kind == SessionKind.INDIVIDUAL else None
    )
    note.note_format = data.note_format
    note.sections = {
        key: data.sections.get(key, "").strip() for key, _ in NOTE_FORMATS[data.note_format][1]
    }
    note.step_position = couple.current_step
    note.attendees = list(attendees.values())
    note.reflections = reflections
    session.flush()
    return note


def _confirm_password(user: User, password: str) -> None:
    if not user.check_password(password or ""):
        raise PracticeError("That is not your password; nothing was signed.", "password")


def sign(note: SessionNote, practitioner: User, password: str) -> None:
    """Sign a draft with the practitioner's password; from now on it never changes."""
    if note.is_signed:
        raise PracticeError("This note is already signed.")
    if note.practitioner_id != practitioner.id:
        raise PracticeError("Only the practitioner who wrote this note can sign it.")
    _confirm_password(practitioner, password)
    if not any(text.strip() for text in note.sections.values()):
        raise PracticeError("Write the note before signing it.")
    note.snapshot = {
        **snapshot(note.couple),
        "disclosure": disclosure.status_lines(disclosure.for_couple(note.couple_id)),
    }
    note.signed_at = utcnow()
    note.signed_by_id = practitioner.id
    session.flush()


def add_addendum(note: SessionNote, practitioner: User, text: str, password: str) -> Addendum:
    """Append a dated, signed correction to a signed note."""
    if not note.is_signed:
        raise PracticeError("A draft can still be edited; addenda are for signed notes.")
    text = text.strip()
    limit = current_app.config["PRACTICE_MAX_NOTE_CHARS"]
    if not text:
        raise PracticeError("Write the addendum.", "text")
    if len(text) > limit:
        raise PracticeError(f"An addendum is limited to {limit:,} characters.", "text")
    _confirm_password(practitioner, password)
    addendum = Addendum(session=note, author_id=practitioner.id, text=text)
    session.add(addendum)
    session.flush()
    return addendum


def _with_everything(query):
    return query.options(
        selectinload(SessionNote.attendees).selectinload(Partner.user),
        selectinload(SessionNote.reflections).selectinload(Reflection.assignment),
        selectinload(SessionNote.reflections).selectinload(Reflection.feedback),
        selectinload(SessionNote.reflections)
        .selectinload(Reflection.author)
        .selectinload(Partner.user),
        selectinload(SessionNote.couple).selectinload(Couple.partners).selectinload(Partner.user),
        selectinload(SessionNote.addenda).selectinload(Addendum.author),
        selectinload(SessionNote.homework),
        selectinload(SessionNote.practitioner),
        selectinload(SessionNote.signed_by),
    )


def session_for_practitioner(practitioner: User, session_id: int) -> SessionNote | None:
    return session.scalar(
        _with_everything(
            select(SessionNote)
            .join(SessionNote.couple)
            .where(SessionNote.id == session_id, Couple.practitioner_id == practitioner.id)
        )
    )


def signed_sessions(couple: Couple) -> list[SessionNote]:
    """Every signed session of the couple, oldest first: the record."""
    return list(
        session.scalars(
            _with_everything(
                select(SessionNote)
                .where(SessionNote.couple_id == couple.id, SessionNote.signed_at.is_not(None))
                .order_by(SessionNote.starts_at, SessionNote.id)
            )
        )
    )


def sessions_between(practitioner: User, start: datetime, end: datetime) -> list[SessionNote]:
    """The practitioner's sessions starting in [start, end), e.g. today's, in time order."""
    return list(
        session.scalars(
            select(SessionNote)
            .where(
                SessionNote.practitioner_id == practitioner.id,
                SessionNote.starts_at >= start,
                SessionNote.starts_at < end,
            )
            .options(selectinload(SessionNote.couple))
            .order_by(SessionNote.starts_at)
            .limit(50)
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


def handout_sessions(partner: Partner, limit: int | None = None) -> list[SessionNote]:
    """Signed sessions this partner may take a handout from (privacy.handouts_of)."""
    return list(
        session.scalars(
            select(SessionNote)
            .where(privacy.handouts_of(partner))
            # A list of dates: the note itself stays encrypted and unread.
            .options(defer(SessionNote.sections, raiseload=True))
            .order_by(SessionNote.starts_at.desc())
            .limit(limit)
        )
    )


def handout_for_client(partner: Partner, session_id: int) -> SessionNote | None:
    """A signed session the partner may take their handout from, or None."""
    note = session.get(SessionNote, session_id)
    if note is None or not privacy.may_take_handout(partner.user, note, partner):
        return None
    return note
