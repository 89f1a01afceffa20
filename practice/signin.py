"""How people sign in, in one place, step by step:

1. the password, checked with the throttle; failures are counted and audited in a
   transaction of their own (``practice.kept``), so a rolled-back request keeps them;
2. with two-factor on, a pending step between password and being signed in, which five
   wrong codes end;
3. being signed in (Flask-Login over a row of the server-side session store), and whether
   the owner's rule sends a practitioner to set up two-factor first; a password set by any
   path (invitation, reset) leads to the code step like a typed one;
4. a sign-in that ends: signing out, after idle minutes or an absolute lifetime, when the
   password changes, from another device, when the owner disables the account.

The cookie carries one thing about a sign-in: its random key, as Flask-Login's user id
(Flask-Login's "alternative tokens"); the rows behind it are ``practice.session_store``'s.
Views ask this module and never re-decide. What an account is (creating it, invitations,
password rules, resets) stays in ``services.accounts``; the codes in ``services.two_factor``.
"""

import time
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, jsonify, redirect, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user, user_logged_in
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from practice import session_store
from practice.db import session as db_session
from practice.models import SignIn, User
from practice.services import PracticeError, accounts, audit, throttle, two_factor
from practice.session_store import Ended

# Flask-Login's key in the cookie: for Practice it holds the sign-in's key, not the user's id.
SIGN_IN = "_user_id"
PENDING = "practice_two_factor_pending"
MUST_SET_UP = "practice_two_factor_must_set_up"
PENDING_SECONDS = 5 * 60
# Set on ``g`` when the browser came with a sign-in that has ended.
_ENDED = "practice_sign_in_ended"
_CURRENT = "practice_sign_in"
SIGNED_OUT = "You were signed out to keep your information private. Please sign in again."

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


def load_user(key: str) -> User | None:
    """The signed-in person for Flask-Login, from the cookie's sign-in key: only while the
    sign-in is live in the store (not signed out, ended elsewhere, idle, too old, or of a
    disabled account). A remember-me cookie names a user id, which is no key: it signs
    nobody in."""
    sign_in = session_store.resume(key)
    if sign_in is None:
        g.setdefault(_ENDED, True)
        return None
    g.setdefault(_CURRENT, sign_in)
    return sign_in.user


def current_sign_in() -> SignIn | None:
    """This browser's sign-in, when someone is signed in here."""
    if not current_user.is_authenticated:
        return None
    return g.get(_CURRENT)


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
    one counted and kept), then the account takes the new one and every other sign-in ends."""
    counted = throttle.attempt(throttle.SIGNIN, user.email)
    if counted.wait:
        raise PracticeError(throttle.message(counted.wait), "current_password")
    if not user.check_password(current):
        raise PracticeError("That is not your current password.", "current_password")
    throttle.forget(counted)
    # Every other sign-in ends; this one carries on.
    accounts.change_password(user, current, new, keep=current_sign_in())


def after_password(user: User, next_url: str | None = None) -> str:
    """Where to go once the password was right: signed in now, to ``next_url`` or home; or,
    with two-factor on, not yet, to the code step, with a pending marker for five minutes."""
    session.pop(PENDING, None)
    if not two_factor.is_enabled(user):
        start(user)
        return next_url or home_for(user)
    if current_user.is_authenticated:
        # A link that set this password was opened where someone else was signed in.
        sign_out()
    session[PENDING] = {"user": user.id, "at": int(time.time()), "next": next_url}
    return url_for("practice.two_factor.challenge")


def awaiting_code() -> bool:
    """The password was right and the code step comes next (``after_password``)."""
    return PENDING in session and not current_user.is_authenticated


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
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int):
        raise PendingEnded()
    user = db_session.get(User, pending["user"])
    if user is None or not user.is_active or not two_factor.is_enabled(user):
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
    """Sign the person in on this browser, ending whoever was signed in here before: a new
    sign-in in the store, its key in the cookie, and a new CSRF secret."""
    session.pop(PENDING, None)
    if current_user.is_authenticated:
        sign_out()
    _renew_csrf()
    login_user(user)
    sign_in, key = session_store.begin(user, request.user_agent.string)
    session[SIGN_IN] = key
    g.pop(_ENDED, None)
    setattr(g, _CURRENT, sign_in)


def _renew_csrf() -> None:
    """A CSRF token taken before signing in (or out) must not work after: Flask-WTF keeps
    its secret in the session and its signed token on ``g``; both go, and the next form
    gets new ones."""
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(name, None)
    g.pop(name, None)


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


# --- step 4: a sign-in that ends -------------------------------------------------------


def sign_out() -> None:
    """End the sign-in on this browser: in the store, so a copy of the cookie is worth
    nothing, and in the cookie."""
    sign_in = current_sign_in()
    if sign_in is not None:
        session_store.end(sign_in, Ended.SIGNED_OUT)
    _forget()


def _forget() -> None:
    logout_user()
    session.pop(SIGN_IN, None)
    session.pop(MUST_SET_UP, None)
    g.pop(_CURRENT, None)
    _renew_csrf()


def end_other_sign_ins() -> int:
    """Sign out everywhere else: every other sign-in of this person ends; how many."""
    return session_store.end_all(current_user, Ended.EVERYWHERE, keep=current_sign_in())


def end_sign_in(sign_in: SignIn) -> bool:
    """End one of this person's sign-ins from the list of devices; True when it was this
    browser's, which is then signed out."""
    here = current_sign_in()
    if here is not None and sign_in.id == here.id:
        sign_out()
        return True
    session_store.end(sign_in, Ended.ENDED)
    return False


def end_stale_sign_in():
    """Before each request: a browser whose sign-in ended (signed out, idle, too old, ended
    elsewhere) is told so and sent to sign in; an autosave gets JSON, so its text stays."""
    if request.endpoint == "practice.static" or current_user.is_authenticated:
        return None
    if not g.pop(_ENDED, False):
        return None
    _forget()
    if request.headers.get("X-Requested-With") == "fetch":
        login = url_for("practice.auth.login", next=request.script_root + request.path)
        return jsonify(message=SIGNED_OUT, login=login), 401
    flash(SIGNED_OUT, "info")
    return redirect(url_for("practice.auth.login", next=request.full_path.rstrip("?")))
