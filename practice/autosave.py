"""Autosave from practice.js: what every page that saves drafts in the background shares.

The script sends ``X-Requested-With: fetch`` and the author's id; it wants JSON, never a
page. An autosave whose session ended gets 401 JSON (so the script keeps the text), and so
does one from a browser where someone else has signed in since.

A practitioner's forms (a session note, feedback on a reflection, an addendum; the program
editor next) keep their drafts through the one mechanism at the end of this module: a view
marked ``@keeps_drafts(field names)`` saves the typed fields as the practitioner's own
``PractitionerDraft``, keyed by the path the form posts to, and shows it again on return;
even a plain "Save" posted just after an idle sign-out keeps its words that way.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app, flash, jsonify, request, session, url_for
from flask_wtf.csrf import generate_csrf, validate_csrf
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import ValidationError

from practice import session_store, signin
from practice.identity import current_user
from practice.models import PractitionerDraft
from practice.services import clock
from practice.services import drafts as draft_service

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
    return time_now_of(datetime.now(UTC))


# --- practitioner drafts -------------------------------------------------------------------
# A practitioner's form that keeps drafts (the session note, feedback, an addendum; next the
# program editor) needs four things:
#   1. its blueprint registers ``needs_its_author`` before its audience check;
#   2. its view is marked ``@keeps_drafts(<field names, never a password>)``, and answers a
#      post from the script with ``keep_draft(names, key)`` (key: ``draft_key()``, the path);
#   3. on GET it builds the form from ``kept_draft(key)`` when there is one
#      (``draft_formdata``), renders ``**autosaving(key, draft, when the work was saved)``
#      and its template puts ``draft_attrs()`` on the form and ``draft_status()`` in it
#      (templates/_drafts.html);
#   4. once the work is saved it calls ``end_draft(key)``.

KEPT_AFTER_SIGN_OUT = (
    "What you wrote was kept, not saved yet: sign in and it will be back on the page for you "
    "to save."
)
RESTORED = "Restored your draft from {time}; it is not saved yet."

# View function -> the names of its form's fields a draft keeps (never a password).
_DRAFT_FIELDS: dict[Callable, tuple[str, ...]] = {}
# Browser keys of drafts ended by a save, for the next page to clear from the device.
_ENDED_KEYS = "practice_ended_drafts"


def keeps_drafts(*names: str):
    """Mark a practitioner's form view whose typed ``names`` are kept as a draft: by the
    script's autosave (``keep_draft``) and from a plain post just after an idle sign-out
    (``keep_posted_draft``)."""

    def mark(view):
        _DRAFT_FIELDS[view] = names
        return view

    return mark


def draft_key(endpoint: str | None = None, **values) -> str:
    """What a draft is for: the path its form posts to (this request's, by default), without
    the prefix a host mounts Practice under."""
    if endpoint is None:
        return request.path
    return url_for(endpoint, **values).removeprefix(request.script_root)


def browser_key(key: str) -> str:
    """The key of the copy kept in the browser: per person, so nobody else on the same
    device is ever shown it."""
    return f"practice-draft:{current_user.id}:{key.strip('/').replace('/', ':')}"


def _picked(formdata, names) -> dict[str, list[str]]:
    return {name: formdata.getlist(name) for name in names if name in formdata}


def _too_long(fields: dict[str, list[str]]) -> dict[str, list[str]]:
    limit = current_app.config["PRACTICE_MAX_NOTE_CHARS"]
    return {
        name: [f"This is longer than the limit of {limit:,} characters."]
        for name, values in fields.items()
        if any(len(value) > limit for value in values)
    }


def keep_draft(names: tuple[str, ...], key: str | None = None):
    """The script's autosave of a practitioner's form: the typed fields kept as the draft
    for ``key`` (the form's own path), whatever else they hold; JSON either way."""
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return jsonify(errors={"csrf_token": ["expired"]}, csrf_token=generate_csrf()), 422
    fields = _picked(request.form, names)
    if errors := _too_long(fields):
        return jsonify(errors=errors), 422
    draft = draft_service.keep(current_user, key or draft_key(), fields)
    return saved(draft.updated_at)


def kept_draft(key: str) -> PractitionerDraft | None:
    """The signed-in practitioner's draft for ``key``, to show instead of what is saved."""
    return draft_service.draft_for(current_user, key)


def draft_formdata(draft: PractitionerDraft) -> MultiDict:
    """A kept draft as the form data its form is built from."""
    return MultiDict([(name, v) for name, values in draft.fields.items() for v in values])


def restored_message(draft: PractitionerDraft) -> str:
    return RESTORED.format(time=time_now_of(draft.updated_at))


def end_draft(key: str) -> None:
    """The work is saved: its draft ends, here and, on the next page, in the browser."""
    draft_service.end(current_user, key)
    session[_ENDED_KEYS] = [*session.get(_ENDED_KEYS, [])[-9:], browser_key(key)]


def discard_draft(key: str) -> bool:
    """ "Throw the draft away", from this browser's own form: whether it was thrown away."""
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    end_draft(key)
    return True


def ended_drafts() -> Markup:
    """Marks for the script to clear the browser's copies of drafts just saved (once)."""
    if _ENDED_KEYS not in session:
        return Markup("")
    keys = session.pop(_ENDED_KEYS)
    return Markup("").join(
        Markup('<span hidden data-forget-draft="{}"></span>').format(k) for k in keys
    )


def autosaving(key: str, draft: PractitionerDraft | None, saved_at: datetime | None) -> dict:
    """What a practitioner's form template needs for the script's autosave: the browser's
    key, when the server last saved this work (its draft, or the work itself) in ms, and
    the words saying a draft was restored."""
    moments = [m for m in (draft.updated_at if draft else None, saved_at) if m is not None]
    return {
        "draft_key": browser_key(key),
        "saved_at": int(max(moments).timestamp() * 1000) if moments else 0,
        "restored": restored_message(draft) if draft else None,
    }


def keep_posted_draft():
    """Before the ended sign-in is forgotten (``signin.end_stale_sign_in``): a practitioner's
    form posted plainly just after their sign-in timed out keeps its words as their draft,
    shown again when they have signed in. Only the same browser's own form (its CSRF token,
    however long the page was open), only after an idle or time-limit end, never a password;
    all of it, even past the length a save allows (the form then says so, text in hand)."""
    if request.method != "POST" or from_script() or current_user.is_authenticated:
        return None
    names = _DRAFT_FIELDS.get(current_app.view_functions.get(request.endpoint))
    if names is None:
        return None
    sign_in = session_store.timed_out(session.get(signin.SIGN_IN))
    if sign_in is None or not sign_in.user.is_practitioner:
        return None
    lifetime = int(current_app.config["PRACTICE_SESSION_HOURS"]) * 3600
    try:
        validate_csrf(request.form.get("csrf_token"), time_limit=lifetime)
    except ValidationError:
        return None
    if fields := _picked(request.form, names):
        draft_service.keep(sign_in.user, draft_key(), fields)
        flash(KEPT_AFTER_SIGN_OUT, "info")
    return None


def time_now_of(moment: datetime) -> str:
    """A moment as the signed-in person reads a clock."""
    return f"{clock.local(moment, current_user):%H:%M}"
