"""Same-day alerts to the practitioner: something a client did asks for a human to look today.

An event (risk words in what a client submitted, a risk answer to a measure, a safety
screen that asks for care, a reported slip) is recorded once, in the transaction that saved
what caused it. `flask alerts` (and every `send-reminders` run) e-mails each practitioner
once for the events not yet sent, in the reminders' neutral wording: the e-mail says only
that something needs attention, never what, nor about whom. Each event is claimed by the
one run whose update set its ``sent_at``, so two runs at once never send it twice.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from practice import mail
from practice.db import session
from practice.models import AlertEvent, Couple, User, utcnow
from practice.services.errors import PracticeError

# The kinds of event, each naming what ``subject_id`` is the id of.
RISK_WORDS = "risk_words"  # a submitted reflection
DISCLOSURE_RISK_WORDS = "disclosure_risk_words"  # a submitted disclosure part
CHECKIN_RISK_WORDS = "checkin_risk_words"  # a check-in
RISK_ANSWER = "risk_answer"  # an answer to a measure's risk item (the measures feature's id)
SAFETY_SCREEN = "safety_screen"  # a concerning safety screen
SLIP = "slip"  # a check-in that reports a slip
KINDS = frozenset(
    {RISK_WORDS, DISCLOSURE_RISK_WORDS, CHECKIN_RISK_WORDS, RISK_ANSWER, SAFETY_SCREEN, SLIP}
)

SUBJECT = "Something needs your attention"


def record(kind: str, couple: Couple, subject_id: int) -> AlertEvent:
    """Note an event for the couple's practitioner, once: recording the same thing again
    (an edited check-in, a second call) changes nothing. Flushes; the caller commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown alert kind {kind!r}")
    existing = _event(kind, subject_id)
    if existing is not None:
        return existing
    event = AlertEvent(kind=kind, couple_id=couple.id, subject_id=subject_id)
    try:
        # Two requests at once may record the same thing; the unique key lets one win.
        with session.begin_nested():
            session.add(event)
            session.flush()
    except IntegrityError:
        return _event(kind, subject_id)
    return event


def _event(kind: str, subject_id: int) -> AlertEvent | None:
    return session.scalar(
        select(AlertEvent).where(AlertEvent.kind == kind, AlertEvent.subject_id == subject_id)
    )


def message_body(name: str, link: str) -> str:
    words = mail.one_line(name).split()
    first = words[0] if words else "there"
    return (
        f"Hello {first},\n\n"
        "Something needs your attention in Practice. You can see it when you sign in:\n"
        f"{link}\n"
    )


@dataclass
class Due:
    """One practitioner and the events not yet e-mailed to them."""

    user_id: int
    email: str
    name: str
    event_ids: list[int] = field(default_factory=list)


def due_alerts() -> list[Due]:
    """Every practitioner with events not yet sent; two queries, whatever their number
    (the unsent events are few, and found through their own index)."""
    rows = session.execute(
        select(AlertEvent.id, Couple.practitioner_id)
        .join(Couple, AlertEvent.couple_id == Couple.id)
        .where(AlertEvent.sent_at.is_(None))
        .order_by(AlertEvent.id)
    ).all()
    by_practitioner: dict[int, list[int]] = defaultdict(list)
    for event_id, practitioner_id in rows:
        by_practitioner[practitioner_id].append(event_id)
    if not by_practitioner:
        return []
    people = session.execute(
        select(User.id, User.email, User.name).where(
            User.id.in_(by_practitioner), User.disabled.is_(False)
        )
    ).all()
    return [
        Due(user_id, email, name, by_practitioner[user_id])
        for user_id, email, name in sorted(people)
    ]


def link() -> str:
    """Where the e-mail points: the practitioner's caseload, at the site's public address.
    Raises PracticeError saying what to set."""
    try:
        return mail.public_url("practice.caseload.dashboard")
    except mail.NotSent as why:
        raise PracticeError(f"No alert can link to the site: {why.reason}.") from None


def claim(due: Due) -> int:
    """Mark the practitioner's events sent, in the transaction that queues the e-mail; how
    many this run claimed (0: another run has just sent them)."""
    claimed = session.execute(
        update(AlertEvent)
        .where(AlertEvent.id.in_(due.event_ids), AlertEvent.sent_at.is_(None))
        .values(sent_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount


def queue(due: Due, link: str) -> None:
    mail.queue("alert", due.email, SUBJECT, message_body(due.name, link))
