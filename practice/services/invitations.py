"""Invitation links as the one who made them sees them: e-mailed when mail can carry them,
shown on their own page (the couple page, the owner's practitioners page) until used,
cancelled, replaced or expired, with how long they work; never in a cookie.

Issuing, finding and accepting a link are ``practice.services.accounts``; who may see a
link is ``practice.privacy.may_read_invitation``.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from practice import mail, privacy
from practice.db import session
from practice.mail.outbox import MAIL_OFF
from practice.models import Invitation, OutboxMail, User, utcnow
from practice.services import account_mail, audit
from practice.services.accounts import end_invitations, issue_invitation


@dataclass
class WorkingLink:
    """A link that still works, as its maker's page shows it."""

    url: str
    expires_at: datetime
    mail: OutboxMail | None  # the e-mail that carries it, if one was queued


@dataclass
class Issued:
    """A new link and what became of its e-mail."""

    user: User
    token: str
    not_mailed: str | None  # why it was not e-mailed; None when an e-mail is on its way


def _working(user_ids: list[int]) -> list[Invitation]:
    if not user_ids:
        return []
    return session.scalars(
        select(Invitation)
        .where(
            Invitation.user_id.in_(user_ids),
            Invitation.used_at.is_(None),
            Invitation.expires_at > utcnow(),
            Invitation.token.is_not(None),
        )
        # What privacy.may_read_invitation reads, in the same query.
        .options(joinedload(Invitation.mail), joinedload(Invitation.user).joinedload(User.partner))
    ).all()


def working_links(reader: User, users) -> dict[int, WorkingLink]:
    """The working links of ``users`` that ``reader`` may see, by user id. One query, none
    when everyone has signed up."""
    waiting = [u.id for u in users if u.password_hash is None]
    return {
        invitation.user_id: WorkingLink(
            mail.shown_url("practice.auth.invitation", token=invitation.token),
            invitation.expires_at,
            invitation.mail,
        )
        for invitation in _working(waiting)
        if privacy.may_read_invitation(reader, invitation)
    }


def mail_link(user: User, token: str) -> Issued:
    """Queue the e-mail carrying ``user``'s new link (in this transaction)."""
    (invitation,) = [i for i in _working([user.id]) if i.token == token]
    try:
        invitation.mail = account_mail.queue_invitation(invitation, token)
    except mail.NotSent as why:
        current_app.logger.warning(
            "Practice: an invitation link was made but not e-mailed: %s", why.reason
        )
        return Issued(user, token, why.reason)
    session.flush()
    return Issued(user, token, None)


def invite(user: User) -> Issued:
    """A new link for an account with no password yet, e-mailed when mail can carry it;
    earlier links stop working. Raises PracticeError for an account in use."""
    return mail_link(user, issue_invitation(user))


def cancel(user: User) -> bool:
    """Stop ``user``'s working link; whether there was one. (A new link is on the audit
    trail as the invitation row it inserts; this bulk update is recorded here.)"""
    ended = end_invitations(user) > 0
    if ended:
        couple_id = user.partner.couple_id if user.partner is not None else None
        audit.record(
            "invitation.cancelled", subject="user", subject_id=user.id, couple_id=couple_id
        )
    return ended


def notice(issued: list[Issued]) -> tuple[str, str]:
    """What the maker of new links is told about their e-mails: (message, flash category).
    A link that could not be mailed is said so plainly, with why; the page shows it anyway."""
    unmailed = [i for i in issued if i.not_mailed]
    if not unmailed:
        if len(issued) == 1:
            return f"An e-mail with the link is on its way to {issued[0].user.email}.", "info"
        return "An e-mail with their own link is on its way to each of them.", "info"
    reason = unmailed[0].not_mailed
    category = "info" if reason == MAIL_OFF else "error"
    if len(unmailed) == 1:
        name = unmailed[0].user.name
        return (
            f"The link could not be e-mailed: {reason}. Copy it below and send it to "
            f"{name} yourself.",
            category,
        )
    return (
        f"The links could not be e-mailed: {reason}. Copy them below and send each their own.",
        category,
    )
