"""The outbox: mail is queued in the transaction that makes it (a reset link's mail commits
with its token, or neither does) and sent later, outside any request, by whoever drains
the outbox: the app's background sender after a response, and ``flask send-mail`` (cron).

Several workers and servers may drain at once: each claims a row with a conditional update
(``practice.db.claim``) of its lease, ``claimed_until``, so one of them sends it. A mail that
fails is tried again later (1, 5, 30, 120, 360 minutes), and given up after six attempts or
once the link in it has expired; every failure is logged and kept on the row.
"""

import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, g, has_request_context
from sqlalchemy import delete, func, or_, select, update

from practice.db import claim, commit, session
from practice.mail import smtp
from practice.mail.links import NotSent
from practice.models import MailState, OutboxMail, utcnow

BATCH = 100
# Longer than any one SMTP conversation can take; a sender that died frees its rows then.
LEASE = timedelta(minutes=10)
RETRY_MINUTES = (1, 5, 30, 120, 360)
MAX_ATTEMPTS = len(RETRY_MINUTES) + 1
# Records of mail sent or given up are kept this long, then deleted by `send-mail`.
KEEP_RECORDS = timedelta(days=30)
STALE_REASON = "Not sent in time: the link in it no longer works."
MAIL_OFF = "mail is not set up for this practice (PRACTICE_MAIL_SERVER is not set)"


def require_enabled() -> None:
    """Raises NotSent when mail is off: before building a mail, to say the first reason."""
    if not smtp.enabled():
        raise NotSent(MAIL_OFF)


def queue(kind: str, recipient: str, subject: str, body: str, stale_at=None) -> OutboxMail:
    """Put a mail in the outbox, in the caller's transaction. Raises NotSent when mail is off.
    In a request, the background sender is woken once the response is sent."""
    require_enabled()
    mail = OutboxMail(kind=kind, recipient=recipient, subject=subject, body=body, stale_at=stale_at)
    session.add(mail)
    session.flush()
    if has_request_context():
        g.practice_mail_queued = True
    return mail


def queued_in_this_request() -> bool:
    return bool(g.get("practice_mail_queued"))


@dataclass
class GivenUp:
    mail_id: int
    kind: str
    reason: str


@dataclass
class Delivery:
    """What one drain of the outbox did."""

    sent: int = 0
    retrying: int = 0
    given_up: list[GivenUp] = field(default_factory=list)


@dataclass
class _Claimed:
    """A claimed row's values, read before the claim is committed (no reload per row)."""

    id: int
    kind: str
    recipient: str
    subject: str
    body: str
    attempts: int
    stale_at: datetime | None


def _due(now: datetime):
    return (
        OutboxMail.state == MailState.WAITING,
        OutboxMail.send_after <= now,
        or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until <= now),
    )


def deliver_due(limit: int = BATCH) -> Delivery:
    """Send every mail that is due, over one SMTP connection per batch. Commits as it goes:
    each claim, and each mail's outcome as soon as the server has answered for it."""
    require_enabled()
    delivery = Delivery()
    _give_up_stale(delivery)
    while True:
        batch = _claim(limit)
        if batch:
            _send(batch, delivery)
        if len(batch) < limit:
            return delivery


def _give_up_stale(delivery: Delivery) -> None:
    now = utcnow()
    stale = session.execute(
        select(OutboxMail.id, OutboxMail.kind).where(*_due(now), OutboxMail.stale_at <= now)
    ).all()
    for mail_id, kind in stale:
        done = session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail_id, *_due(now))
            .values(state=MailState.FAILED, body=None, last_error=STALE_REASON)
        ).rowcount
        if done:
            delivery.given_up.append(GivenUp(mail_id, kind, STALE_REASON))
    commit()


def _claim(limit: int) -> list[_Claimed]:
    now = utcnow()
    rows = session.scalars(
        select(OutboxMail)
        .where(*_due(now))
        .order_by(OutboxMail.send_after, OutboxMail.id)
        .limit(limit)
    ).all()
    claimed = [
        _Claimed(r.id, r.kind, r.recipient, r.subject, r.body, r.attempts + 1, r.stale_at)
        for r in rows
        if claim(r, *_due(now), claimed_until=now + LEASE, attempts=OutboxMail.attempts + 1)
    ]
    commit()
    return claimed


def _send(batch: list[_Claimed], delivery: Delivery) -> None:
    answered: set[int] = set()
    try:
        with smtp.connection() as server:
            for mail in batch:
                try:
                    server.send_message(smtp.build(mail.recipient, mail.subject, mail.body))
                except smtp.CONNECTION_ERRORS:
                    raise
                except smtplib.SMTPException as error:  # this mail refused, the rest may go
                    _failed(mail, error, delivery)
                else:
                    _sent(mail, delivery)
                answered.add(mail.id)
                commit()
    except (smtplib.SMTPException, OSError) as error:
        for mail in batch:
            if mail.id not in answered:
                _failed(mail, error, delivery)
        commit()


def _sent(mail: _Claimed, delivery: Delivery) -> None:
    session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail.id)
        .values(
            state=MailState.SENT, sent_at=utcnow(), body=None, claimed_until=None, last_error=""
        )
    )
    delivery.sent += 1


def _failed(mail: _Claimed, error: Exception, delivery: Delivery) -> None:
    reason = _reason(error)
    retry_at = utcnow() + timedelta(
        minutes=RETRY_MINUTES[min(mail.attempts, len(RETRY_MINUTES)) - 1]
    )
    late = mail.stale_at is not None and retry_at >= mail.stale_at
    log = current_app.logger
    if mail.attempts >= MAX_ATTEMPTS or late:
        values = {"state": MailState.FAILED, "body": None}
        delivery.given_up.append(GivenUp(mail.id, mail.kind, reason))
        log.error(
            "Practice: gave up on e-mail %s (%s) after %s attempts: %s",
            mail.id,
            mail.kind,
            mail.attempts,
            reason,
        )
    else:
        values = {"send_after": retry_at}
        delivery.retrying += 1
        log.warning(
            "Practice: e-mail %s (%s) not sent, trying again at %s: %s",
            mail.id,
            mail.kind,
            retry_at.isoformat(timespec="seconds"),
            reason,
        )
    session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail.id)
        .values(claimed_until=None, last_error=reason, **values)
    )


def _reason(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = "; ".join(
            f"{code} {message.decode(errors='replace')}"
            for code, message in error.recipients.values()
        )
        reason = f"The mail server refused the address: {answers}"
    elif isinstance(error, smtplib.SMTPResponseException):
        reason = f"The mail server answered {error.smtp_code} {error.smtp_error!r}"
    elif isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException):
        reason = f"The mail server could not be reached: {error}"
    else:
        reason = f"{type(error).__name__}: {error}"
    return reason[:300]


def next_attempt() -> datetime | None:
    """When the next waiting mail that nobody holds falls due, if any (a mail another
    sender holds is theirs; if they die, it is free again once their claim lapses)."""
    now = utcnow()
    return session.scalar(
        select(func.min(OutboxMail.send_after)).where(
            OutboxMail.state == MailState.WAITING,
            or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until <= now),
        )
    )


def prune() -> int:
    """Delete the records of mail sent or given up more than KEEP_RECORDS ago."""
    removed = session.execute(
        delete(OutboxMail).where(
            OutboxMail.state != MailState.WAITING,
            OutboxMail.updated_at < utcnow() - KEEP_RECORDS,
        )
    ).rowcount
    commit()
    return removed


def waiting() -> int:
    return session.scalar(
        select(func.count(OutboxMail.id)).where(OutboxMail.state == MailState.WAITING)
    )
