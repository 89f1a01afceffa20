"""Outgoing e-mail, the one home for it: every mail goes through the outbox.

- ``links``: links in a mail come from the configured public address, never a Host header;
- ``outbox``: ``queue`` in the caller's transaction, ``deliver_due`` outside any request;
- ``sender``: the app's background sender, woken after a response that queued mail;
- ``smtp``: the SMTP connection itself, used by the outbox alone.

No request ever talks to the SMTP server, so a page answers in the same time whether or not
it queued mail (``/password/forgot`` says nothing about which e-mails have an account).
"""

from flask import Blueprint, current_app

from practice.mail.links import NotSent, public_url, shown_url
from practice.mail.outbox import Delivery, deliver_due, queue, require_enabled
from practice.mail.smtp import enabled
from practice.services.names import as_one_line as one_line

__all__ = [
    "Delivery",
    "NotSent",
    "deliver_due",
    "enabled",
    "install",
    "one_line",
    "public_url",
    "queue",
    "require_enabled",
    "shown_url",
]


def install(bp: Blueprint) -> None:
    """Wake the background sender once a response that queued mail has been sent. Register
    after ``practice.db.install`` so that this runs first: the commit comes after it, and a
    response that fails to commit is replaced, taking its wake-up call with it."""
    from practice.db import refused
    from practice.mail.outbox import queued_in_this_request
    from practice.mail.sender import sender_for

    @bp.after_request
    def send_queued_mail_after_the_response(response):
        if (
            queued_in_this_request()
            and response.status_code < 400
            and not refused()
            and current_app.config["PRACTICE_MAIL_BACKGROUND"]
        ):
            sender = sender_for(current_app._get_current_object())
            response.call_on_close(sender.wake)
        return response
