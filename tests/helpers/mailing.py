"""The outbox in tests: drain it as `flask send-mail` does, and let time pass for retries."""

from sqlalchemy import select, update

from practice import mail
from practice.db import commit, session
from practice.models import MailState, OutboxMail, utcnow


def deliver(app) -> mail.Delivery:
    """Send what is due in the outbox, now."""
    with app.app_context():
        return mail.deliver_due()


def retries_due(app) -> None:
    """The wait before each waiting mail's next attempt is over."""
    with app.app_context():
        session.execute(
            update(OutboxMail)
            .where(OutboxMail.state == MailState.WAITING)
            .values(send_after=utcnow())
        )
        commit()


def outbox(app) -> list[OutboxMail]:
    with app.app_context():
        rows = session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
        session.expunge_all()
        return rows
