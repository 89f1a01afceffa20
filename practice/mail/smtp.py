"""Talking to the SMTP server: only the outbox's sender does this, never a request.

Settings (all PRACTICE_MAIL_*): SERVER (unset means mail is off), PORT (25), USERNAME,
PASSWORD, STARTTLS (False), SSL (False), SENDER ("Practice <no-reply@localhost>"),
TIMEOUT (10 seconds).
"""

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

# A connection (or the server) that failed: every mail still to go in it fails this time.
CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)


def enabled() -> bool:
    return bool(current_app.config.get("PRACTICE_MAIL_SERVER"))


def build(recipient: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["PRACTICE_MAIL_SENDER"]
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="practice.invalid")
    message.set_content(body)
    return message


@contextmanager
def connection() -> Iterator[smtplib.SMTP]:
    """One SMTP connection, signed in when configured. Raises smtplib.SMTPException or
    OSError when the server cannot be reached."""
    config = current_app.config
    host, port = config["PRACTICE_MAIL_SERVER"], int(config["PRACTICE_MAIL_PORT"])
    timeout = float(config["PRACTICE_MAIL_TIMEOUT"])
    if config["PRACTICE_MAIL_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config["PRACTICE_MAIL_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["PRACTICE_MAIL_USERNAME"]:
            smtp.login(config["PRACTICE_MAIL_USERNAME"], config["PRACTICE_MAIL_PASSWORD"] or "")
        yield smtp
