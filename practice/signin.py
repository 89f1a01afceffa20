"""Signed-in sessions that end: after idle minutes (a client's draft is saved first by the
page script), after an absolute lifetime, whatever the activity, and when the password
changes elsewhere (the session's version no longer matches the user's)."""

import time

from flask import current_app, flash, jsonify, redirect, request, session, url_for
from flask_login import current_user, logout_user

LAST_SEEN = "practice_last_seen"
SIGNED_IN = "practice_signed_in"
VERSION = "practice_session_version"
REFRESH_SECONDS = 30


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
        logout_user()
        for key in (LAST_SEEN, SIGNED_IN, VERSION):
            session.pop(key, None)
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
