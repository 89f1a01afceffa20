"""Sending e-mail: plain text over SMTP, configured in the instance config.

Settings (all PRACTICE_MAIL_*): SERVER (unset means mail is off), PORT (25), USERNAME,
PASSWORD, STARTTLS (False), SSL (False), SENDER ("Practice <no-reply@localhost>"),
TIMEOUT (10 seconds).
"""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def enabled() -> bool:
    return bool(current_app.config.get("PRACTICE_MAIL_SERVER"))


def build(mail: Mail) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["PRACTICE_MAIL_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="practice.invalid")
    message.set_content(mail.body)
    return message


def send_all(mails: list[Mail]) -> int:
    """Send each mail over one SMTP connection; returns how many were sent (0 if mail is off).

    Raises smtplib.SMTPException or OSError when the server cannot be reached, so the caller
    can decide what a failed send means (a reminder is retried, a reset link is not shown).
    """
    if not mails or not enabled():
        return 0
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
        for mail in mails:
            smtp.send_message(build(mail))
    return len(mails)


def send(to: str, subject: str, body: str) -> bool:
    """Send one mail; False when mail is not configured."""
    return send_all([Mail(to, subject, body)]) == 1
