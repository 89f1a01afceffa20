"""How people sign in, in one place, step by step:

1. the password, checked with the throttle; failures are counted and audited in a
   transaction of their own (``practice.kept``), so a rolled-back request keeps them;
2. with two-factor on, a pending step between password and being signed in, which five
   wrong codes end;
3. being signed in (a row of the server-side session store, its key under Practice's own
   name in the session), and whether the owner's rule sends a practitioner to set up
   two-factor first; a password set by any path (invitation, reset) leads to the code step
   like a typed one, and so does a sign-in begun from a host's (``sign_in_from_host``);
4. a sign-in that ends: signing out, after idle minutes or an absolute lifetime, when the
   password changes, from another device, when the owner disables the account.

The cookie carries one thing about a sign-in: its random key, under ``SIGN_IN``, a name no
host's Flask-Login uses; the rows behind it are ``practice.session_store``'s, the person on
``g`` is ``practice.identity.current_user``. Views ask this module and never re-decide.
What an account is (creating it, invitations, password rules, resets, the link to a host's
account) stays in ``services.accounts``; the codes in ``services.two_factor``.
"""

import time
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from flask import current_app, flash, g, jsonify, redirect, request, session, url_for
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from practice import identity, session_store
from practice.db import session as db_session
from practice.identity import current_user
from practice.models import SignIn, User
from practice.services import PracticeError, accounts, audit, throttle, two_factor
from practice.session_store import Ended

# The sign-in's key in the session: Practice's own name, never Flask-Login's "_user_id".
SIGN_IN = "practice_sign_in"
# Set when the sign-in was begun from the host's: the host account's key it was begun from.
FROM_HOST = "practice_from_host"
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


# --- who is signed in ------------------------------------------------------------------

PLEASE_SIGN_IN = "Please sign in to continue."


def load_current() -> User | None:
    """The signed-in person, from the session's sign-in key (``identity.current_user`` asks
    once a request): only while the sign-in is live in the store (not signed out, ended
    elsewhere, idle, too old, or of a disabled account) and, when it was begun from the
    host's sign-in, while the same host account is signed in. A remember-me cookie, the
    host's or an old one of Practice's, carries no key: it signs nobody in."""
    key = session.get(SIGN_IN)
    if key is None:
        return None
    sign_in = session_store.resume(key)
    if sign_in is None:
        g.setdefault(_ENDED, True)
        return None
    begun_from = session.get(FROM_HOST)
    if begun_from is not None and _host_key() != begun_from:
        # The host signed out (or someone else signed in there): so is Practice's sign-in;
        # whoever is signed in at the host now stays so.
        session.pop(FROM_HOST, None)
        session_store.end(sign_in, Ended.SIGNED_OUT)
        g.setdefault(_ENDED, True)
        return None
    g.setdefault(_CURRENT, sign_in)
    return sign_in.user


def unauthorized():
    """Nobody is signed in and the page needs someone: to the sign-in page, and back."""
    flash(PLEASE_SIGN_IN, "info")
    return redirect(url_for("practice.auth.login", next=_here()))


def _here() -> str:
    """This page's path and query, from the site's root (a mounted app's script root too)."""
    return request.script_root + request.full_path.rstrip("?")


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


def after_password(user: User, next_url: str | None = None, from_host: str | None = None) -> str:
    """Where to go once the password was right: signed in now, to ``next_url`` or home; or,
    with two-factor on, not yet, to the code step, with a pending marker for five minutes.
    ``from_host``: not a password but the host's sign-in of the account with that key."""
    session.pop(PENDING, None)
    if not two_factor.is_enabled(user):
        start(user, from_host=from_host)
        return next_url or home_for(user)
    if current_user.is_authenticated:
        # A link that set this password was opened where someone else was signed in.
        sign_out()
    pending = {"user": user.id, "at": int(time.time()), "next": next_url}
    if from_host is not None:
        pending["host"] = from_host
    session[PENDING] = pending
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
    from_host: str | None = None


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
    return Pending(user, pending.get("next"), pending.get("host"))


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


def start(user: User, from_host: str | None = None) -> None:
    """Sign the person in on this browser, ending whoever was signed in here before: a new
    sign-in in the store, its key in the cookie, and a new CSRF secret. ``from_host``: the
    key of the host account it is begun from, whose signing out ends it."""
    session.pop(PENDING, None)
    if current_user.is_authenticated:
        sign_out()
    _renew_csrf()
    sign_in, key = session_store.begin(user, request.user_agent.string)
    session[SIGN_IN] = key
    if from_host is not None:
        session[FROM_HOST] = from_host
    g.pop(_ENDED, None)
    setattr(g, _CURRENT, sign_in)
    identity.set_current(user)
    _note_set_up_required(user)


def _renew_csrf() -> None:
    """A CSRF token taken before signing in (or out) must not work after: Flask-WTF keeps
    its secret in the session and its signed token on ``g``; both go, and the next form
    gets new ones."""
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(name, None)
    g.pop(name, None)


def _note_set_up_required(user) -> None:
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
    session.pop(SIGN_IN, None)
    session.pop(MUST_SET_UP, None)
    g.pop(_CURRENT, None)
    identity.set_current(None)
    if session.pop(FROM_HOST, None) is not None:
        # Begun from the host's sign-in: the next one passes through the host's again.
        _host().sign_out()
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


# --- the host's sign-in (``Practice(app, identity=...)``) ------------------------------


def _host() -> "identity.HostIdentity | None":
    return current_app.extensions["practice"].identity


def _host_key() -> str | None:
    host = _host()
    return None if host is None else host.key()


# The audit log's detail for a sign-in begun from the host's.
HOST = "through the host's sign-in"
# Where a sign-in from the host's is not begun: the code step it may lead to, signing out,
# and Practice's own sign-in page (to which too many wrong codes lead back).
_NOT_FROM_HOST_HERE = {
    "practice.static",
    "practice.auth.login",
    "practice.auth.logout",
    "practice.two_factor.challenge",
}


@dataclass(frozen=True)
class HostOnPage:
    """What a page says of the host's sign-in: its name, its sign-in page (coming back to
    the page), and whether a host account is signed in on this browser."""

    name: str
    url: str
    signed_in: bool


def host_for_page(back_to: str | None = None) -> HostOnPage | None:
    """The host's sign-in, for a page, when Practice accepts it (else None)."""
    host = _host()
    if host is None:
        return None
    url = host.login_url(back_to or url_for("practice.auth.index"))
    return HostOnPage(host.name, url, host.key() is not None)


def host_account_key() -> str | None:
    """The key of the host account signed in on this request, when Practice accepts the
    host's sign-in (for linking it to a Practice person on the account page)."""
    return _host_key()


def sign_in_from_host():
    """Before each request: nobody is signed in to Practice here, but the host has signed in
    an account linked to a Practice person: that person is signed in as after a password,
    so two-factor (when on) asks for the code first, and the owner's rule and every limit of
    a sign-in hold as for one begun here. Its end signs the host out too (``_forget``)."""
    if request.endpoint in _NOT_FROM_HOST_HERE or current_user.is_authenticated:
        return None
    if g.get(_ENDED) or awaiting_code():
        return None
    key = _host_key()
    if key is None:
        return None
    user = accounts.linked_to_host(key)
    if user is None or not user.is_active:
        return None
    audit.record("signin.succeeded", user=user, subject="user", subject_id=user.id, detail=HOST)
    target = after_password(user, _here(), from_host=key)
    if awaiting_code():
        return redirect(target)
    return None
