"""How people sign in, in one place, step by step:

1. the password, checked with the throttle; failures are counted and audited in a
   transaction of their own (``practice.kept``), so a rolled-back request keeps them;
2. with two-factor on, a pending step between password and being signed in, which five
   wrong codes end;
3. being signed in (Flask-Login), and whether the owner's rule sends a practitioner to set
   up two-factor first;
4. a signed-in session that ends: after idle minutes, after an absolute lifetime, when the
   password changes elsewhere; and signing out.

Views ask this module and never re-decide. What an account is (creating it, invitations,
password rules, resets) stays in ``services.accounts``; the codes in ``services.two_factor``.
"""

import time
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, jsonify, redirect, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user, user_logged_in
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from practice.db import session as db_session
from practice.models import User
from practice.services import PracticeError, accounts, audit, throttle, two_factor

LAST_SEEN = "practice_last_seen"
SIGNED_IN = "practice_signed_in"
VERSION = "practice_session_version"
PENDING = "practice_two_factor_pending"
MUST_SET_UP = "practice_two_factor_must_set_up"
REFRESH_SECONDS = 30
PENDING_SECONDS = 5 * 60

MISMATCH = "That e-mail and password do not match an account."
TOO_SLOW = "That took longer than 5 minutes, so please sign in again."
TOO_MANY_CODES = (
    "Too many wrong codes. To keep your account safe, please wait 15 minutes, then sign in again."
)


# --- Flask-Login on the app ------------------------------------------------------------


def init_login(app: Flask) -> None:
    """Practice's LoginManager on ``app``, and the sign-in signal heard for ``app`` only."""
    manager = LoginManager()
    manager.init_app(app)
    manager.login_view = "practice.auth.login"
    manager.login_message = "Please sign in to continue."
    manager.login_message_category = "info"
    manager.user_loader(load_user)
    user_logged_in.connect(_note_set_up_required, sender=app)


def load_user(user_id: str) -> User | None:
    """The signed-in person for Flask-Login: a disabled account is signed out at once."""
    try:
        user = db_session.get(User, int(user_id))
    except ValueError:
        return None
    return user if user is not None and user.is_active else None


# --- where a sign-in leads -------------------------------------------------------------


def home_for(user) -> str:
    if user.is_client:
        return url_for("practice.client.home")
    return url_for("practice.caseload.dashboard")


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


# --- step 1: the password --------------------------------------------------------------


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not-a-real-password")


def authenticate(email: str, password: str) -> User | None:
    """The active account with this e-mail and password, else None.

    An unknown e-mail still checks a password, so a wrong e-mail costs as long as a wrong one.
    """
    user = db_session.scalar(select(User).where(User.email == accounts.normalize_email(email)))
    if user is None or user.password_hash is None:
        User(password_hash=_dummy_hash()).check_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def check_credentials(email: str, password: str) -> User:
    """The account for these credentials, or PracticeError.

    Known and unknown e-mails are treated alike: both are throttled and counted, and a
    throttled attempt never checks the password, so neither answer nor timing tells them
    apart. The attempt is counted before the password is checked, in one step with the
    check of the wait (so of many at once, no more than the limit are checked), and
    forgotten when it succeeds. Counts and refusals are kept in transactions of their own,
    before anything else is written; a success is audited with the request.
    """
    typed = audit.typed_address(email)
    wait = throttle.attempt(throttle.SIGNIN, email).wait
    if wait:
        audit.record_kept("signin.throttled", detail=typed)
        raise PracticeError(throttle.message(wait))
    user = authenticate(email, password)
    if user is None:
        audit.record_kept("signin.failed", detail=typed)
        raise PracticeError(MISMATCH)
    # This attempt and the account's earlier failures are forgotten (the address's stay).
    throttle.clear_account(throttle.SIGNIN, email)
    audit.record("signin.succeeded", user=user, subject="user", subject_id=user.id)
    return user


def change_password(user: User, current: str, new: str) -> None:
    """The account page: the current password is checked like a sign-in (throttled, a wrong
    one counted and kept), then the account takes the new one."""
    counted = throttle.attempt(throttle.SIGNIN, user.email)
    if counted.wait:
        raise PracticeError(throttle.message(counted.wait), "current_password")
    if not user.check_password(current):
        raise PracticeError("That is not your current password.", "current_password")
    throttle.forget(counted)
    accounts.change_password(user, current, new)


def after_password(user: User, next_url: str | None = None) -> str:
    """Where to go once the password was right: signed in now, to ``next_url`` or home; or,
    with two-factor on, not yet, to the code step, with a pending marker for five minutes."""
    session.pop(PENDING, None)
    if not two_factor.is_enabled(user):
        start(user)
        return next_url or home_for(user)
    session[PENDING] = {"user": user.id, "at": int(time.time()), "next": next_url}
    return url_for("practice.two_factor.challenge")


# --- step 2: the two-factor code -------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """Someone whose password was right, waiting to type their code."""

    user: User
    next_url: str | None


class PendingEnded(Exception):
    """There is no code step (any more): back to the password. ``str()`` says why, or is
    empty when there is nothing to say."""


def _end_pending(message: str = "") -> PendingEnded:
    session.pop(PENDING, None)
    return PendingEnded(message)


def pending_sign_in() -> Pending:
    """The person at the code step, or PendingEnded (too slow, too many wrong codes, none)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        raise PendingEnded()
    user = load_user(str(pending.get("user")))
    if user is None or not two_factor.is_enabled(user):
        raise _end_pending()
    if int(time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        raise _end_pending(TOO_SLOW)
    if two_factor.recent_wrong_codes(user) >= two_factor.MAX_WRONG_CODES:
        raise _end_pending(TOO_MANY_CODES)
    return Pending(user, pending.get("next"))


def check_code(pending: Pending, code: str) -> int | None:
    """Check the code typed at the second step; the caller then calls ``start``.

    Returns how many recovery codes are left when one was used, None for an app code.
    A wrong code raises PracticeError, counted and audited in a transaction of its own;
    the wrong code that reaches the limit raises PendingEnded instead.
    """
    user = pending.user
    # Counted before it is checked, in one step with the check of the limit: of many codes
    # sent at once, no more than the limit are checked (a right one forgets the count).
    wrong = two_factor.claim_code_attempt(user)
    if wrong is None:
        raise _end_pending(TOO_MANY_CODES)
    try:
        how = two_factor.sign_in_with_code(user, code)
    except PracticeError:
        # A refused code leaves nothing worth keeping in the request's transaction (at most
        # a claim on a used step that matched no row), so it ends here, as the commit point
        # would end it; on SQLite the audit row below could not be written while it held
        # the lock.
        db_session.rollback()
        audit.record_kept(
            "twofactor.failed",
            user=user,
            subject="user",
            subject_id=user.id,
            detail=f"wrong code {wrong} of {two_factor.MAX_WRONG_CODES}",
        )
        if wrong >= two_factor.MAX_WRONG_CODES:
            raise _end_pending(TOO_MANY_CODES) from None
        raise
    if how != "recovery":
        return None
    left = two_factor.recovery_codes_left(user)
    audit.record(
        "twofactor.recovery_used",
        user=user,
        subject="user",
        subject_id=user.id,
        detail=f"{left} left",
    )
    return left


# --- step 3: signed in -----------------------------------------------------------------

# What a practitioner who must set up two-factor may still reach.
_ALLOWED_WHILE_SETTING_UP = {
    "practice.static",
    "practice.security.two_factor",
    "practice.auth.logout",
}


def start(user: User) -> None:
    """Sign the person in on this browser, ending whoever was signed in here before."""
    session.pop(PENDING, None)
    if current_user.is_authenticated:
        logout_user()
    login_user(user)
    mark_signed_in()


def _note_set_up_required(_app, user, **_extra):
    """On every sign-in (password, invitation, first run): must this person set up first?"""
    if two_factor.must_set_up(user):
        session[MUST_SET_UP] = user.id
    else:
        session.pop(MUST_SET_UP, None)


def must_set_up_now(user) -> bool:
    """The owner's rule holds this person at the two-factor set-up page."""
    return session.get(MUST_SET_UP) == user.id


def set_up_done() -> None:
    session.pop(MUST_SET_UP, None)


def send_to_set_up():
    """Before each request: a practitioner who must set up two-factor reaches only that."""
    if request.endpoint in _ALLOWED_WHILE_SETTING_UP or not current_user.is_authenticated:
        return None
    if not must_set_up_now(current_user):
        return None
    return redirect(url_for("practice.security.two_factor"))


# --- step 4: a session that ends -------------------------------------------------------


def mark_signed_in() -> None:
    now = int(time.time())
    session[SIGNED_IN] = now
    session[LAST_SEEN] = now
    keep_this_session()


def keep_this_session() -> None:
    """After the password changed here: this session carries on, the others end."""
    session[VERSION] = current_user.session_version


def idle_limit_seconds(user) -> int:
    key = "PRACTICE_IDLE_MINUTES_CLIENT" if user.is_client else "PRACTICE_IDLE_MINUTES_PRACTITIONER"
    return int(current_app.config[key]) * 60


def sign_out() -> None:
    """End the sign-in on this browser, with the times kept for it."""
    logout_user()
    for key in (LAST_SEEN, SIGNED_IN, VERSION):
        session.pop(key, None)


def end_stale_sign_in():
    """Before each request: sign out a session that sat idle too long or lived too long."""
    if request.endpoint == "practice.static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    last_seen = session.get(LAST_SEEN, now)
    signed_in = session.get(SIGNED_IN, now)
    lifetime = int(current_app.config["PRACTICE_SESSION_HOURS"]) * 3600
    if (
        now - last_seen > idle_limit_seconds(current_user)
        or now - signed_in > lifetime
        or session.get(VERSION) != current_user.session_version
    ):
        sign_out()
        message = "You were signed out to keep your information private. Please sign in again."
        if request.headers.get("X-Requested-With") == "fetch":
            login = url_for("practice.auth.login", next=request.script_root + request.path)
            return jsonify(message=message, login=login), 401
        flash(message, "info")
        return redirect(url_for("practice.auth.login", next=request.full_path.rstrip("?")))
    if now - last_seen >= REFRESH_SECONDS:
        # Rewritten at most every half minute: fewer cookies racing between parallel requests.
        session[LAST_SEEN] = now
    return None
