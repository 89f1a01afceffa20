"""Archiving (discharging) a couple and reopening it.

An archived couple's record is read-only: nothing is assigned, submitted, reviewed or
noted any more, but its signed notes still take dated addenda and its record still
downloads. It leaves the caseload, the review queue and the dashboard's alerts; both
partners are signed out and, when they come back, read a plain page saying so
(``practice.access``). Reopening brings everything back as it was. Both are audited.
"""

from sqlalchemy import select

from practice import session_store
from practice.db import session
from practice.models import Couple, SessionNote, User, utcnow
from practice.services import audit, clock, waiting
from practice.services.errors import PracticeError

# Why a couple is archived, as the practitioner picks it; the key is stored and audited.
REASONS = {
    "completed": "Discharged: the work is completed",
    "ended": "Discharged: the couple ended the work",
    "referred": "Discharged: referred elsewhere",
    "no-contact": "Archived: no contact",
    "other": "Archived: another reason",
}


def reason_label(key: str) -> str:
    return REASONS.get(key, "Archived")


def unsigned_notes(couple: Couple) -> list[SessionNote]:
    """The couple's session notes still to sign: a record is complete before it closes."""
    return list(
        session.scalars(
            select(SessionNote)
            .where(SessionNote.couple_id == couple.id, SessionNote.signed_at.is_(None))
            .order_by(SessionNote.starts_at)
        )
    )


def archive(couple: Couple, by: User, reason: str) -> None:
    """Archive the couple: read-only from now on, both partners signed out everywhere."""
    if couple.is_archived:
        raise PracticeError(f"{couple.name} is already archived.")
    if reason not in REASONS:
        raise PracticeError("Choose why the couple is archived.", "reason")
    unsigned = unsigned_notes(couple)
    if unsigned:
        dates = ", ".join(clock.format_datetime(n.starts_at, by) for n in unsigned)
        raise PracticeError(
            f"Sign the session note of {dates} first: an archived record is read-only.", "reason"
        )
    couple.archived_at = utcnow()
    couple.archived_reason = reason
    waiting.couple_archived(couple)
    for partner in couple.partners:
        session_store.end_all(partner.user, session_store.Ended.ARCHIVED)
    session.flush()
    audit.record("couple.archived", user=by, subject="couple", subject_id=couple.id, detail=reason)


def reopen(couple: Couple, by: User) -> None:
    """Reopen an archived couple: on the caseload again, its work waiting as before."""
    if not couple.is_archived:
        raise PracticeError(f"{couple.name} is not archived.")
    was = couple.archived_reason
    couple.archived_at = None
    couple.archived_reason = ""
    waiting.couple_reopened(couple)
    session.flush()
    audit.record(
        "couple.reopened", user=by, subject="couple", subject_id=couple.id, detail=f"was {was}"
    )
