"""Practice's settings and their defaults. Every key starts with PRACTICE_."""

import contextlib
import json
import os

DEFAULTS = {
    # Where the standalone app keeps its data; unset means SQLite in the instance folder.
    "PRACTICE_DATABASE_URL": None,
    # Apply migrations and load the founding program at start-up. None: only for the
    # embedded SQLite default (on PostgreSQL `flask db upgrade` is a deploy step).
    "PRACTICE_AUTO_SETUP": None,
    # Comma-separated Fernet keys (first = current) for what clients and practitioners
    # write; unset means instance/encryption_keys, made on first run (mode 600).
    "PRACTICE_ENCRYPTION_KEYS": None,
    "PRACTICE_NAME": "Practice",
    "PRACTICE_TIMEZONE": "UTC",
    "PRACTICE_INVITATION_DAYS": 7,
    "PRACTICE_PAGE_SIZE": 50,
    # Which words a bundled program's variables take, e.g. "compulsive-sexual-behaviour" or
    # "porn-use" for the founding program's revision; None: each program's own default.
    "PRACTICE_PROGRAM_WORDING": None,
    # Whether what a partner shares waits for the practitioner's release, for new couples
    # (each couple's own setting is chosen when it is created, and can be changed later).
    "PRACTICE_RELEASE_THROUGH_PRACTITIONER": False,
    # The longest answer a client writes to one prompt (a reflection's answer, a disclosure
    # part), and the longest text a practitioner writes at once (a whole session note, all
    # its sections together; feedback; an addendum). Every path that stores such text, the
    # pages' autosave included, refuses more with a message by the box.
    "PRACTICE_MAX_ANSWER_CHARS": 20_000,
    "PRACTICE_MAX_NOTE_CHARS": 50_000,
    # Idle log-off, in minutes, and the longest a sign-in lasts, in hours.
    "PRACTICE_IDLE_MINUTES_PRACTITIONER": 15,
    "PRACTICE_IDLE_MINUTES_CLIENT": 60,
    "PRACTICE_SESSION_HOURS": 12,
    # Failed sign-ins within 15 minutes before the next attempt must wait, per account and
    # per address (higher: a whole office may share one address); likewise reset requests.
    "PRACTICE_LOGIN_LIMIT_ACCOUNT": 5,
    "PRACTICE_LOGIN_LIMIT_ADDRESS": 20,
    "PRACTICE_RESET_LIMIT_ACCOUNT": 3,
    "PRACTICE_RESET_LIMIT_ADDRESS": 10,
    # How long a password-reset link works.
    "PRACTICE_RESET_MINUTES": 60,
    # Behind HTTPS: Secure cookies. Behind N reverse proxies: trust N X-Forwarded-* hops.
    "PRACTICE_HTTPS": False,
    "PRACTICE_PROXIES": 0,
    # Outgoing mail (invitations, password resets, reminders); no server means mail is off.
    "PRACTICE_MAIL_SERVER": None,
    "PRACTICE_MAIL_PORT": 25,
    "PRACTICE_MAIL_USERNAME": None,
    "PRACTICE_MAIL_PASSWORD": None,
    "PRACTICE_MAIL_STARTTLS": False,
    "PRACTICE_MAIL_SSL": False,
    "PRACTICE_MAIL_SENDER": "Practice <no-reply@localhost>",
    "PRACTICE_MAIL_TIMEOUT": 10,
    # Send queued mail from a thread of the app once the response is out (False: only
    # `flask send-mail` sends, from cron). Requests never talk to the SMTP server either way.
    "PRACTICE_MAIL_BACKGROUND": True,
    # The site's public address, e.g. "https://practice.example.org": every link in every
    # e-mail is built from it, never from a request's Host header. Without it, links are
    # mailed only under Flask's TRUSTED_HOSTS (from requests), and reminders not at all.
    "PRACTICE_BASE_URL": None,
    # The safety net: where "Leave quickly" (and Escape twice) takes a client, replacing the
    # page in the browser's history; and every how many weeks the private safety questions
    # are offered again (0: only when the client chooses to answer them again).
    "PRACTICE_QUICK_EXIT_URL": "https://www.bbc.com/weather",
    "PRACTICE_SAFETY_SCREEN_WEEKS": 8,
    # One line per request on standard error (method, path template, status, duration);
    # as JSON objects when on, for a log collector.
    "PRACTICE_LOG_JSON": False,
}

# Settings that are on or off, whatever their default: read from the environment as booleans.
BOOLEANS = {key for key, value in DEFAULTS.items() if isinstance(value, bool)} | {
    "PRACTICE_AUTO_SETUP"
}
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no"}


class StartupError(RuntimeError):
    """Practice cannot start as configured: the message says what to set. Raised before
    anything is written."""


def apply_defaults(config) -> None:
    for key, value in DEFAULTS.items():
        config.setdefault(key, value)


def from_environment(config, environ=os.environ) -> None:
    """Read PRACTICE_* variables, parsing JSON values the way Flask's from_prefixed_env does;
    an on/off setting as a boolean (``False``, ``off``, ``0`` and ``no`` are false), or a
    StartupError naming it. Nothing is set unless every variable reads."""
    read = {}
    for key in sorted(environ):
        if not key.startswith("PRACTICE_") or key.startswith("PRACTICE_TEST_"):
            continue
        if key in BOOLEANS:
            read[key] = boolean(key, environ[key])
            continue
        value = environ[key]
        with contextlib.suppress(json.JSONDecodeError):
            value = json.loads(value)
        read[key] = value
    config.update(read)


def boolean(key: str, value: str) -> bool:
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise StartupError(
        f"{key} is {value!r}, which is neither on nor off: set it to true or false "
        "(on/off, yes/no and 1/0 work too)."
    )
