"""The mails about an account: its invitation, and a link to choose a new password.

Plain on purpose: a lock screen shows the subject and first lines to whoever picks up the
phone, so they say nothing about therapy, the couple or the partner; only the person's own
name, as one line. Each link is built from the site's public address (practice.mail.links)
and each mail goes through the outbox, no longer worth sending once its link expires.
"""

from flask import current_app

from practice import mail
from practice.models import Invitation, OutboxMail, PasswordReset


def queue_invitation(invitation: Invitation, token: str) -> OutboxMail:
    """Raises mail.NotSent (mail off, no public address) with the reason."""
    mail.require_enabled()
    user = invitation.user
    link = mail.public_url("practice.auth.invitation", token=token)
    days = int(current_app.config["PRACTICE_INVITATION_DAYS"])
    return mail.queue(
        "invitation",
        user.email,
        "Choose your password",
        f"Hello {_first_name(user.name)},\n\n"
        "An account has been made for you. This link lets you choose your password, once,\n"
        f"within {days} days:\n\n{link}\n\n"
        "If you were not expecting this, ignore this mail: nothing happens without you.\n",
        stale_at=invitation.expires_at,
    )


def queue_password_reset(reset: PasswordReset, token: str) -> OutboxMail:
    """Raises mail.NotSent (mail off, no public address) with the reason."""
    mail.require_enabled()
    user = reset.user
    link = mail.public_url("practice.auth.reset_password", token=token)
    return mail.queue(
        "password_reset",
        user.email,
        "Your new password link",
        f"Hello {mail.one_line(user.name)},\n\n"
        "Someone, hopefully you, asked to choose a new password. This link lets you do\n"
        f"that once, within the hour:\n\n{link}\n\n"
        "If it was not you, ignore this mail: your password stays as it is.\n",
        stale_at=reset.expires_at,
    )


def _first_name(name: str) -> str:
    words = mail.one_line(name).split()
    return words[0] if words else "there"
