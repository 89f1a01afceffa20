"""The server-side session store: one row per sign-in (``SignIn``), so that signing out, a new
password, "sign out everywhere" and a disabled account end sign-ins at once, on every worker
and every server, and the idle and absolute limits are kept by the server, not the cookie.

The browser's cookie carries only the sign-in's random key (its hash is the row's
``key_hash``). Everything else, the cookie and Flask-Login, is ``practice.signin``'s.

The API, small on purpose (the plugin and production work build on it):
- ``begin(user, user_agent)``: a new sign-in and the key for the cookie;
- ``resume(key)``: the live sign-in for a key, with its person, in one indexed query;
  it notes the person was here (at most once a minute) and ends one that outlived a limit;
- ``end(sign_in, reason)`` and ``end_all(user, reason, keep=None)``;
- ``live_for(user)`` and ``live_of(user, sign_in_id)``: a person's live sign-ins;
- ``device_name(user_agent)``: "Firefox on Android".
Every end is in the audit log, with a fixed reason and never free text.
"""

import hashlib
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app, has_request_context
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from practice import kept, privacy
from practice.db import session
from practice.identity import current_user
from practice.models import SignIn, User, utcnow
from practice.services import audit

# last_seen_at is written when it is at least this old: one write a minute, not one a page.
SEEN_EVERY = timedelta(minutes=1)
KEY_LENGTH = 200


class Ended(StrEnum):
    """Why a sign-in ended: stored in ``end_reason`` and written to the audit log."""

    SIGNED_OUT = "signed_out"
    ENDED = "ended"  # from the list of signed-in devices, on another device
    EVERYWHERE = "everywhere"  # "sign out everywhere else"
    # A new password: changed, reset, or set through an invitation.
    PASSWORD_SET = "password_set"  # noqa: S105 - a reason, not a password
    DISABLED = "disabled"  # the owner disabled the account
    IDLE = "idle"
    EXPIRED = "expired"  # the absolute limit (PRACTICE_SESSION_HOURS)
    ARCHIVED = "archived"  # the practitioner archived the person's couple


_AUDIT_DETAIL = {
    Ended.SIGNED_OUT: "signed out",
    Ended.ENDED: "ended from another device",
    Ended.EVERYWHERE: "signed out everywhere else",
    Ended.PASSWORD_SET: "new password",
    Ended.DISABLED: "account disabled",
    Ended.IDLE: "idle limit",
    Ended.EXPIRED: "time limit",
    Ended.ARCHIVED: "couple archived",
}


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _idle_limit(user: User) -> timedelta:
    key = "PRACTICE_IDLE_MINUTES_CLIENT" if user.is_client else "PRACTICE_IDLE_MINUTES_PRACTITIONER"
    return timedelta(minutes=int(current_app.config[key]))


def _lifetime() -> timedelta:
    return timedelta(hours=int(current_app.config["PRACTICE_SESSION_HOURS"]))


def _outlived(sign_in: SignIn, now: datetime) -> Ended | None:
    """Which limit a sign-in not yet ended has passed, if any."""
    if not sign_in.user.is_active:
        return Ended.DISABLED
    if now - sign_in.created_at > _lifetime():
        return Ended.EXPIRED
    if now - sign_in.last_seen_at > _idle_limit(sign_in.user):
        return Ended.IDLE
    return None


# --- starting and resuming -------------------------------------------------------------


def begin(user: User, user_agent: str) -> tuple[SignIn, str]:
    """A new sign-in for ``user`` on this browser, and the key its cookie carries.

    The person's sign-ins older than the absolute limit are deleted on the way: they can
    never be live again, so the table holds a few rows per person, not their history (the
    audit log keeps that).
    """
    now = utcnow()
    session.execute(
        delete(SignIn)
        .where(SignIn.user_id == user.id, SignIn.created_at < now - _lifetime())
        .execution_options(synchronize_session=False)
    )
    key = secrets.token_urlsafe(32)
    sign_in = SignIn(
        key_hash=_hash(key),
        user=user,
        device=device_name(user_agent),
        created_at=now,
        last_seen_at=now,
    )
    session.add(sign_in)
    session.flush()
    return sign_in, key


# Built once: the statement every request runs, with its person in the same row.
_BY_KEY = (
    select(SignIn)
    .join(SignIn.user)
    .options(contains_eager(SignIn.user))
    .where(SignIn.key_hash == bindparam("key_hash"))
)


def resume(key: str) -> SignIn | None:
    """The live sign-in for a cookie's key, with its person loaded, or None.

    One query by the key's hash (unique, so indexed). A sign-in found past a limit is ended
    (and audited) now; a live one has ``last_seen_at`` brought up to date when it is a
    minute old. Both are written apart from the request, so a refused request keeps them
    and a page never holds SQLite's write lock for them.
    """
    if not isinstance(key, str) or not key or len(key) > KEY_LENGTH:
        return None
    sign_in = session.scalar(_BY_KEY, {"key_hash": _hash(key)})
    if sign_in is None or sign_in.ended_at is not None:
        return None
    now = utcnow()
    reason = _outlived(sign_in, now)
    if reason is not None:
        with _apart() as (writer, record):
            if _close(writer, sign_in, reason, now):
                # The person is named: who is signed in is being worked out right now.
                record("signin.ended", user=sign_in.user, **_audit_entry(sign_in.user, reason))
        return None
    if now - sign_in.last_seen_at >= SEEN_EVERY:
        with _apart() as (writer, _record):
            writer.execute(
                update(SignIn)
                .where(SignIn.id == sign_in.id, SignIn.ended_at.is_(None))
                .values(last_seen_at=now)
                .execution_options(synchronize_session=False)
            )
        set_committed_value(sign_in, "last_seen_at", now)
    return sign_in


def timed_out(key) -> SignIn | None:
    """The sign-in of a cookie's key when it ended on its own, idle or at its time limit
    (never one signed out or ended on purpose): whose words a form posted just after it
    ended may keep, as a draft only they will see (``practice.autosave``)."""
    if not isinstance(key, str) or not key or len(key) > KEY_LENGTH:
        return None
    sign_in = session.scalar(_BY_KEY, {"key_hash": _hash(key)})
    if sign_in is None or sign_in.end_reason not in (Ended.IDLE, Ended.EXPIRED):
        return None
    return sign_in if sign_in.user.is_active else None


@contextmanager
def _apart() -> Iterator:
    """A short transaction of its own (``practice.kept``) for what reading a sign-in writes,
    with the audit function that writes there; the request's own, should the request already
    be writing to SQLite (a host's view, say), where a second writer would wait for it."""
    if kept.request_is_writing():
        yield session, audit.record
        return
    with kept.transaction() as own:
        yield own, audit.record_kept


# --- ending ------------------------------------------------------------------------------


def _close(writer, sign_in: SignIn, reason: Ended, now: datetime) -> bool:
    """End one sign-in through ``writer`` (a session); False when it had already ended."""
    ended = writer.execute(
        update(SignIn)
        .where(SignIn.id == sign_in.id, SignIn.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    set_committed_value(sign_in, "ended_at", now)
    set_committed_value(sign_in, "end_reason", reason)
    return ended == 1


def _audit_entry(user: User, reason: Ended, count: int = 1) -> dict:
    detail = _AUDIT_DETAIL[reason] + ("" if count == 1 else f" ({count} sign-ins)")
    return {"subject": "user", "subject_id": user.id, "detail": detail}


def _actor(user: User) -> User | None:
    """Who ended it: the person signed in here (the owner disabling an account, say), or
    with nobody signed in (a password reset), the person whose sign-ins they were."""
    if has_request_context() and current_user.is_authenticated:
        return None  # the audit log's default: the signed-in person
    return user


def end(sign_in: SignIn, reason: Ended) -> bool:
    """End one sign-in with the request's work; False when it had already ended."""
    if not _close(session, sign_in, reason, utcnow()):
        return False
    audit.record("signin.ended", user=_actor(sign_in.user), **_audit_entry(sign_in.user, reason))
    return True


def end_all(user: User, reason: Ended, keep: SignIn | None = None) -> int:
    """End every live sign-in of ``user`` but ``keep``, with the request's work; how many."""
    query = update(SignIn).where(SignIn.user_id == user.id, *_live(user))
    if keep is not None:
        query = query.where(SignIn.id != keep.id)
    ended = session.execute(
        query.values(ended_at=utcnow(), end_reason=reason).execution_options(
            synchronize_session="fetch"
        )
    ).rowcount
    if ended:
        audit.record("signin.ended", user=_actor(user), **_audit_entry(user, reason, ended))
    return ended


# --- a person's sign-ins ----------------------------------------------------------------


def _live(user: User) -> tuple:
    """SQL for "still live", for sign-ins of ``user`` (``_outlived`` says it of one row):
    those past a limit but not yet marked ended are left alone, deleted at the next
    ``begin``."""
    now = utcnow()
    return (
        SignIn.ended_at.is_(None),
        SignIn.created_at >= now - _lifetime(),
        SignIn.last_seen_at >= now - _idle_limit(user),
    )


def _readable_live(reader: User):
    return select(SignIn).where(privacy.sign_ins_readable_by(reader), *_live(reader))


def live_for(reader: User) -> list[SignIn]:
    """The reader's own live sign-ins, the most recently seen first."""
    query = _readable_live(reader).order_by(SignIn.last_seen_at.desc(), SignIn.id)
    return list(session.scalars(query))


def live_of(reader: User, sign_in_id: int) -> SignIn | None:
    """One of the reader's own live sign-ins, or None (someone else's, or ended)."""
    return session.scalar(_readable_live(reader).where(SignIn.id == sign_in_id))


# --- which device -----------------------------------------------------------------------

# The first that matches names it: Edge and Opera also say "Chrome", Chrome says "Safari".
_BROWSERS = (
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Samsung Internet", r"SamsungBrowser/"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"),
    ("Safari", r"Safari/"),
)
# Android says "Linux" too, and iPhones say "like Mac OS X".
_SYSTEMS = (
    ("Android", r"Android"),
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("ChromeOS", r"CrOS"),
    ("Windows", r"Windows"),
    ("macOS", r"Macintosh|Mac OS X"),
    ("Linux", r"Linux|X11"),
)


def device_name(user_agent: str | None) -> str:
    """A User-Agent as a person would say it: "Firefox on Android", "Safari on iPhone"."""
    agent = (user_agent or "")[:512]
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, agent)), None)
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else "An unknown browser")
