"""Discreet reminder e-mails: at most one a day per person, never twice for the same thing.

The wording says nothing about what is waiting (no therapy, couples, exercises, partner or
the practice's name, which may say "couples therapy"): a lock screen shows the subject and
the first line to whoever picks up the phone.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select, tuple_
from sqlalchemy.orm import joinedload

from practice import mail
from practice.db import session
from practice.models import (
    BOTH,
    Assignment,
    AssignmentStatus,
    Checkin,
    CheckinPlan,
    Couple,
    Frequency,
    Partner,
    Reflection,
    ReflectionStatus,
    ReminderOptOut,
    ReminderSent,
    User,
    utcnow,
)
from practice.models.reminders import DAY_MARK
from practice.services import clock
from practice.services.assignments import current_occurrence, occurrence_due
from practice.services.checkins import period_end, period_start
from practice.services.errors import PracticeError

SUBJECT = "Something is waiting for you"
BATCH = 500


def wants_reminders(user: User) -> bool:
    return session.get(ReminderOptOut, user.id) is None


def set_wanted(user: User, wanted: bool) -> None:
    opt_out = session.get(ReminderOptOut, user.id)
    if wanted and opt_out is not None:
        session.delete(opt_out)
    elif not wanted and opt_out is None:
        session.add(ReminderOptOut(user_id=user.id))
    session.flush()


def message_body(name: str, home: str, settings: str) -> str:
    words = mail.one_line(name).split()
    first = words[0] if words else "there"
    return (
        f"Hello {first},\n\n"
        "Something new is waiting for you. You can see it when you sign in:\n"
        f"{home}\n\n"
        "Don't want these e-mails? Turn them off here:\n"
        f"{settings}\n"
    )


@dataclass
class Due:
    """One person and the things they have not been reminded of yet."""

    user_id: int
    email: str
    name: str
    today: date
    things: list[str] = field(default_factory=list)


def due_reminders() -> list[Due]:
    """Everyone to remind now; a few queries per batch of people, whatever their number."""
    people = session.scalars(
        select(Partner)
        .join(Partner.user)
        .join(Partner.couple)
        .where(
            # An archived couple's partners have nothing to do here (practice.services.archive).
            Couple.archived_at.is_(None),
            User.disabled.is_(False),
            User.password_hash.is_not(None),
            ~select(ReminderOptOut.user_id).where(ReminderOptOut.user_id == User.id).exists(),
        )
        .options(joinedload(Partner.user))
        .order_by(Partner.id)
    ).all()
    found = []
    for start in range(0, len(people), BATCH):
        found += _due_in(people[start : start + BATCH])
    return found


def _due_in(people: list[Partner]) -> list[Due]:
    todays = {p.id: clock.today_for(p.user) for p in people}
    couple_ids = {p.couple_id for p in people}
    assignments = session.execute(
        select(
            Assignment.id,
            Assignment.couple_id,
            Assignment.audience,
            Assignment.repeat,
            Assignment.starts_on,
            Assignment.due_on,
            Assignment.status,
        ).where(Assignment.couple_id.in_(couple_ids), Assignment.status == AssignmentStatus.ACTIVE)
    ).all()
    by_couple = defaultdict(list)
    for row in assignments:
        by_couple[row.couple_id].append(row)

    things: dict[int, list[tuple[str, int, date]]] = defaultdict(list)  # partner -> (thing, a, occ)
    for partner in people:
        today = todays[partner.id]
        for row in by_couple[partner.couple_id]:
            if row.audience not in (BOTH, partner.program_role):
                continue
            occurrence = current_occurrence(row, today)
            due = occurrence_due(row, occurrence) if occurrence else None
            if due is None or due > today or occurrence > today:
                continue
            things[partner.id].append((f"assignment:{row.id}:{occurrence}", row.id, occurrence))
    wanted = [(a, pid, occ) for pid, rows in things.items() for _t, a, occ in rows]
    submitted = set()
    if wanted:
        submitted = set(
            session.execute(
                select(Reflection.assignment_id, Reflection.author_id, Reflection.occurrence).where(
                    Reflection.status == ReflectionStatus.SUBMITTED,
                    Reflection.author_id.in_([p.id for p in people]),
                    Reflection.assignment_id.in_({a for a, _p, _o in wanted}),
                    Reflection.occurrence >= min(occ for _a, _p, occ in wanted),
                )
            ).all()
        )

    plans = session.execute(
        select(CheckinPlan.partner_id, CheckinPlan.frequency).where(
            CheckinPlan.partner_id.in_(todays), CheckinPlan.frequency != Frequency.OFF
        )
    ).all()
    checkin_due = {}
    for partner_id, frequency in plans:
        today = todays[partner_id]
        start = period_start(frequency, today)
        if period_end(frequency, start) == today:  # the last day to check in for the period
            checkin_due[partner_id] = start
    done = set()
    if checkin_due:
        done = set(
            session.execute(
                select(Checkin.partner_id, Checkin.period_start).where(
                    tuple_(Checkin.partner_id, Checkin.period_start).in_(list(checkin_due.items()))
                )
            ).all()
        )

    candidates: dict[int, list[str]] = {}
    for partner in people:
        mine = [t for t, a, occ in things[partner.id] if (a, partner.id, occ) not in submitted]
        start = checkin_due.get(partner.id)
        if start is not None and (partner.id, start) not in done:
            mine.append(f"checkin:{start}")
        if mine:
            candidates[partner.id] = mine
    if not candidates:
        return []
    user_of = {p.id: p.user_id for p in people}
    sent = set(
        session.execute(
            select(ReminderSent.user_id, ReminderSent.thing).where(
                ReminderSent.user_id.in_([user_of[pid] for pid in candidates]),
                ReminderSent.thing.in_({t for rows in candidates.values() for t in rows}),
            )
        ).all()
    )
    marked_today = set(
        session.execute(
            select(ReminderSent.user_id, ReminderSent.day).where(
                ReminderSent.user_id.in_([user_of[pid] for pid in candidates]),
                ReminderSent.thing == DAY_MARK,
                ReminderSent.day >= min(todays.values()),
            )
        ).all()
    )
    result = []
    for partner in people:
        if partner.id not in candidates:
            continue
        user = partner.user
        today = todays[partner.id]
        if (user.id, today) in marked_today:
            continue  # this person had their one e-mail today
        new = [t for t in candidates[partner.id] if (user.id, t) not in sent]
        if new:
            result.append(Due(user.id, user.email, user.name, today, new))
    return result


def links() -> tuple[str, str]:
    """The two links every reminder carries: the client's home and their reminder setting,
    at the site's public address (there is no request here to take one from). Raises
    PracticeError saying what to set."""
    try:
        return (
            mail.public_url("practice.client.home"),
            mail.public_url("practice.checkins.mine.reminder_settings"),
        )
    except mail.NotSent as why:
        raise PracticeError(f"No reminder can link to the site: {why.reason}.") from None


def record(due: Due) -> None:
    """Note the day's e-mail and each thing in it, in the transaction that queues the mail.
    Raises IntegrityError when another run recorded this person today."""
    session.add(ReminderSent(user_id=due.user_id, thing=DAY_MARK, day=due.today))
    for thing in due.things:
        session.add(ReminderSent(user_id=due.user_id, thing=thing, day=due.today))
    session.flush()


def queue(due: Due, home: str, settings: str) -> None:
    """Put the reminder in the outbox; not worth sending a day later."""
    mail.queue(
        "reminder",
        due.email,
        SUBJECT,
        message_body(due.name, home, settings),
        stale_at=utcnow() + timedelta(days=1),
    )
