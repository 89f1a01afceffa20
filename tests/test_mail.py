"""Outgoing mail through a real local SMTP server."""

from practice import mail


def test_a_mail_reaches_the_server_with_sender_and_subject(mail_app):
    app, mailbox = mail_app
    with app.app_context():
        assert mail.send("riley@example.org", "A note from your practice", "Body text")
    [message] = mailbox.to("riley@example.org")
    assert message["Subject"] == "A note from your practice"
    assert message["From"] == app.config["PRACTICE_MAIL_SENDER"]
    assert message.get_content().strip() == "Body text"


def test_without_a_server_nothing_is_sent(app):
    with app.app_context():
        assert not mail.enabled()
        assert mail.send("riley@example.org", "Subject", "Body") is False
