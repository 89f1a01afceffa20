"""Autosave from practice.js: what every page that saves drafts in the background shares.

The script sends ``X-Requested-With: fetch`` and the author's id; it wants JSON, never a
page. An autosave whose session ended gets 401 JSON (so the script keeps the text), and so
does one from a browser where someone else has signed in since.
"""

from datetime import UTC, datetime

from flask import jsonify, request, url_for
from flask_wtf.csrf import generate_csrf

from practice.identity import current_user
from practice.services import clock

SESSION_ENDED = "Your session ended; sign in again and your text will be here."
SOMEONE_ELSE = (
    "Someone else is signed in on this browser now; sign in again as yourself and your text "
    "will be here."
)
ALREADY_SUBMITTED = "This was already submitted; your first submission stands."


def from_script() -> bool:
    """A request from practice.js (autosave), which wants JSON rather than pages."""
    return request.headers.get("X-Requested-With") == "fetch"


def _signed_out(message: str):
    login = url_for("practice.auth.login", next=request.script_root + request.path)
    return jsonify(message=message, login=login), 401


def needs_its_author():
    """Register before a blueprint's audience check (which would answer with the sign-in
    page): an autosave is saved only under the person who typed it."""
    if not from_script():
        return None
    if not current_user.is_authenticated:
        return _signed_out(SESSION_ENDED)
    author = request.headers.get("X-Practice-Author")
    if author and author != str(current_user.id):
        return _signed_out(SOMEONE_ELSE)
    return None


def saved(saved_at: datetime | None):
    """The script's answer to a saved draft: the time to show, and the moment in ms."""
    millis = int(saved_at.timestamp() * 1000) if saved_at else 0
    return jsonify(saved=time_now(), savedAt=millis)


def refused(form):
    """422 with the form's errors by field; a fresh CSRF token when the page outlived its
    own (the session is still good)."""
    errors = {name: list(messages) for name, messages in form.errors.items() if name}
    if form.form_errors:
        errors["form"] = list(form.form_errors)
    body = {"errors": errors}
    if "csrf_token" in errors:
        body["csrf_token"] = generate_csrf()
    return jsonify(body), 422


def already_submitted(**extra):
    return jsonify(errors={"form": [ALREADY_SUBMITTED]}, **extra), 409


def time_now() -> str:
    """The time now, as the signed-in person reads a clock."""
    return f"{clock.local(datetime.now(UTC), current_user):%H:%M}"
