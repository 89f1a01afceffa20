"""Outgoing mail goes through the outbox and leaves it outside any request, through a real
local SMTP server: sent once even by several senders at once, retried when the server
fails, given up (and said so) when it keeps failing or its link has expired."""

import logging
import socket
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from practice import mail
from practice.db import commit, session
from practice.mail import outbox as outbox_module
from practice.models import MailState, OutboxMail, utcnow
from tests.helpers.mailing import deliver, outbox, retries_due
from tests.helpers.people import Browser, build_world

BASE = "https://practice.example.org"


def queue(app, recipient="riley@example.org", body="Body text", **kwargs) -> int:
    with app.app_context():
        queued = mail.queue("test", recipient, "A note from your practice", body, **kwargs)
        commit()
        return queued.id


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_queued_mail_reaches_the_server_only_when_the_outbox_is_drained(mail_app):
    app, mailbox = mail_app
    queue(app)
    assert mailbox.conversations == 0 and mailbox.messages == []
    delivery = deliver(app)
    assert (delivery.sent, delivery.retrying, delivery.given_up) == (1, 0, [])
    [message] = mailbox.to("riley@example.org")
    assert message["Subject"] == "A note from your practice"
    assert message["From"] == app.config["PRACTICE_MAIL_SENDER"]
    assert message.get_content().strip() == "Body text"
    [row] = outbox(app)
    assert row.state == MailState.SENT and row.sent_at is not None and row.attempts == 1
    assert deliver(app).sent == 0 and len(mailbox.messages) == 1, "sent once"


def test_the_words_are_encrypted_at_rest_and_dropped_once_sent(mail_app):
    app, _mailbox = mail_app
    link = "https://practice.example.org/password/reset/the-secret-token"
    mail_id = queue(app, body=f"Your link: {link}")
    with app.app_context():
        stored = session.execute(
            text("SELECT body FROM practice_outbox WHERE id = :id"), {"id": mail_id}
        ).scalar()
    assert stored and "the-secret-token" not in stored and "Your link" not in stored
    deliver(app)
    with app.app_context():
        kept = session.execute(
            text("SELECT body, recipient, kind FROM practice_outbox WHERE id = :id"),
            {"id": mail_id},
        ).one()
    assert kept == (None, "riley@example.org", "test"), "the record stays, the words go"


def test_without_a_server_nothing_is_queued_and_send_mail_says_why(app):
    with app.app_context():
        assert not mail.enabled()
        with pytest.raises(mail.NotSent, match="PRACTICE_MAIL_SERVER"):
            mail.queue("test", "riley@example.org", "Subject", "Body")
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 1 and "PRACTICE_MAIL_SERVER" in result.output


def test_a_failed_send_is_kept_and_tried_again_later_then_given_up(mail_app, caplog):
    app, mailbox = mail_app
    port = app.config["PRACTICE_MAIL_PORT"]
    app.config["PRACTICE_MAIL_PORT"] = closed_port()
    queue(app)
    with caplog.at_level(logging.WARNING):
        first = deliver(app)
    assert (first.sent, first.retrying) == (0, 1)
    [row] = outbox(app)
    assert row.state == MailState.WAITING and row.body == "Body text"
    assert "could not be reached" in row.last_error
    assert timedelta(seconds=50) < row.send_after - utcnow() <= timedelta(minutes=1)
    assert "not sent, trying again" in caplog.text and "riley@" not in caplog.text
    assert deliver(app).retrying == 0, "nothing is due before the wait is over"

    for _attempt in range(outbox_module.MAX_ATTEMPTS - 2):
        retries_due(app)
        assert deliver(app).retrying == 1
    retries_due(app)
    with caplog.at_level(logging.ERROR):
        last = deliver(app)
    assert [g.mail_id for g in last.given_up] == [row.id]
    [row] = outbox(app)
    assert row.state == MailState.FAILED and row.body is None
    assert row.attempts == outbox_module.MAX_ATTEMPTS
    assert "gave up on e-mail" in caplog.text

    app.config["PRACTICE_MAIL_PORT"] = port
    retries_due(app)
    assert deliver(app).sent == 0 and mailbox.messages == [], "given up stays given up"


def test_send_mail_reports_and_exits_1_while_mail_fails_then_sends_it(mail_app):
    app, mailbox = mail_app
    port = app.config["PRACTICE_MAIL_PORT"]
    app.config["PRACTICE_MAIL_PORT"] = closed_port()
    queue(app)
    runner = app.test_cli_runner()
    failed = runner.invoke(args=["send-mail"])
    assert failed.exit_code == 1
    assert "0 sent, 1 to try again later, 0 given up; 1 waiting" in failed.output
    app.config["PRACTICE_MAIL_PORT"] = port
    retries_due(app)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 to try again later, 0 given up; 0 waiting" in result.output
    assert len(mailbox.messages) == 1


def test_a_mail_whose_link_has_expired_is_given_up_unsent(mail_app):
    app, mailbox = mail_app
    queue(app, stale_at=utcnow() - timedelta(seconds=1))
    delivery = deliver(app)
    assert delivery.sent == 0 and len(delivery.given_up) == 1
    assert "no longer works" in delivery.given_up[0].reason
    assert mailbox.conversations == 0
    [row] = outbox(app)
    assert row.state == MailState.FAILED and row.body is None


def test_a_mail_another_sender_holds_waits_until_its_claim_lapses(mail_app):
    app, mailbox = mail_app
    mail_id = queue(app)
    with app.app_context():
        held = update(OutboxMail).where(OutboxMail.id == mail_id)
        session.execute(held.values(claimed_until=utcnow() + timedelta(minutes=5)))
        commit()
    assert deliver(app).sent == 0 and mailbox.messages == []
    with app.app_context():  # that sender died: its claim lapses
        session.execute(held.values(claimed_until=utcnow() - timedelta(seconds=1)))
        commit()
    assert deliver(app).sent == 1 and len(mailbox.messages) == 1


def test_two_senders_draining_at_once_send_each_mail_once(
    mail_app, new_app, database_url, tmp_path
):
    """Two workers (two apps, two connection pools) drain the same outbox together."""
    app, mailbox = mail_app
    other = new_app(
        database_url,
        tmp_path,
        PRACTICE_MAIL_SERVER=app.config["PRACTICE_MAIL_SERVER"],
        PRACTICE_MAIL_PORT=app.config["PRACTICE_MAIL_PORT"],
    )
    recipients = [f"person{n}@example.org" for n in range(30)]
    for recipient in recipients:
        queue(app, recipient)
    start = threading.Barrier(2)
    results, errors = [], []

    def drain(worker):
        try:
            start.wait()
            with worker.app_context():
                results.append(outbox_module.deliver_due(limit=5))
        except Exception as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=drain, args=(w,)) for w in (app, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(r.sent for r in results) == 30
    assert sorted(m["To"] for m in mailbox.messages) == sorted(recipients)
    assert {row.state for row in outbox(app)} == {MailState.SENT}


def test_the_app_sends_queued_mail_from_a_thread_after_the_response(mail_app):
    app, mailbox = mail_app
    app.config.update(PRACTICE_MAIL_BACKGROUND=True, PRACTICE_BASE_URL=BASE)
    world = build_world(app)
    response = Browser(app).post("/password/forgot", {"email": world.alice})
    assert response.status_code == 302
    assert mailbox.conversations == 0, "the response is out before any SMTP conversation"
    response.close()  # the server has sent the response: now the sender starts
    sender = app.extensions["practice"].sender
    assert sender.wait_until_idle(timeout=30)
    [message] = mailbox.to(world.alice)
    assert f"{BASE}/password/reset/" in message.get_content()
    assert [row.state for row in outbox(app)] == [MailState.SENT]
