from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from practice import access
from practice.checkins import views as checkin_views
from practice.client.forms import reflection_form
from practice.db import session as db_session
from practice.models import Assignment, SessionNote
from practice.pdf.handout import build_handout_pdf
from practice.services import PracticeError, clock, pacing, reveal
from practice.services import disclosure as disclosure_service
from practice.services import reflections as reflection_service
from practice.services import sessions as session_service
from practice.services.assignments import current_occurrence, occurrence_due
from practice.services.safety import joint_features_allowed
from practice.sessions import documents
from practice.sessions.views import pdf_response
from practice.web import practice_name

SESSION_ENDED = "Your session ended; sign in again and your text will be here."
SOMEONE_ELSE = (
    "Someone else is signed in on this browser now; sign in again as yourself and your text "
    "will be here."
)


def _from_script() -> bool:
    """A request from practice.js (autosave), which wants JSON rather than pages."""
    return request.headers.get("X-Requested-With") == "fetch"


def _this_page() -> str:
    return request.script_root + request.path


def _signed_out(message: str):
    login = url_for("practice.auth.login", next=_this_page())
    return jsonify(message=message, login=login), 401


def _script_needs_its_author():
    """An autosave whose session ended gets 401 JSON, never the sign-in page, so the script
    keeps the text; nor is it saved under whoever else signed in on this browser since."""
    if not _from_script():
        return None
    if not current_user.is_authenticated:
        return _signed_out(SESSION_ENDED)
    author = request.headers.get("X-Practice-Author")
    if author and author != str(current_user.id):
        return _signed_out(SOMEONE_ELSE)
    return None


bp = Blueprint("client", __name__, url_prefix="/my")
# Registered before the audience check, which would answer with a redirect to sign in.
bp.before_request(_script_needs_its_author)
access.for_clients(bp)


def draft_key(assignment_id: int, occurrence) -> str:
    """Where the browser keeps text not yet saved: one key per person, exercise, occurrence,
    so a partner using the same device never gets the other's words."""
    return f"practice-draft:{current_user.id}:{assignment_id}:{occurrence.isoformat()}"


@bp.context_processor
def _client_helpers():
    return {"draft_key": draft_key}


def _partner():
    return current_user.partner


def _assignment(assignment_id: int) -> Assignment:
    partner = _partner()
    assignment = db_session.scalar(
        select(Assignment).where(
            Assignment.id == assignment_id, Assignment.couple_id == partner.couple_id
        )
    )
    if assignment is None or not assignment.is_for(partner.program_role):
        access.found(None)
    return assignment


@bp.get("/")
def home():
    partner = _partner()
    agenda = reflection_service.agenda(partner, clock.today_for(current_user))
    shared = reflection_service.shared_by_partner(partner, limit=5)
    steps = pacing.pace(partner.couple)
    # Work from a step that has not opened yet waits there, rather than in "To do".
    waiting = [i for i in agenda.due if i.assignment.step_position > steps.open_step]
    agenda.due = [i for i in agenda.due if i.assignment.step_position <= steps.open_step]
    return render_template(
        "practice/client/home.html",
        handouts=session_service.handout_sessions(partner, limit=10),
        partner=partner,
        agenda=agenda,
        steps=steps,
        waiting=waiting,
        shared=shared,
        today=clock.today_for(current_user),
        disclosure=disclosure_service.next_for(partner),
        checkin=checkin_views.home_panel(partner),
    )


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
def assignment(assignment_id: int):
    partner = _partner()
    item = _assignment(assignment_id)
    today = clock.today_for(current_user)
    occurrence = current_occurrence(item, today)
    existing = reflection_service.reflection_for(partner, item, occurrence) if occurrence else None
    locked = not pacing.is_open(partner.couple, item.step_position)
    if request.method == "GET" and existing is not None and existing.is_submitted:
        return redirect(url_for(".reflection", reflection_id=existing.id))
    if request.method == "POST":
        form = reflection_form(item, formdata=request.form)
    elif existing is not None:
        data = {f"answer_{i}": a for i, a in enumerate(existing.answers)}
        data |= {f"rating_{k}": v for k, v in existing.ratings.items()}
        form = reflection_form(
            item, formdata=None, shared_with_partner=existing.shared_with_partner, **data
        )
    else:
        form = reflection_form(item, formdata=None)

    if request.method == "POST" and _from_script():
        return _autosave(partner, item, form, today)
    if request.method == "POST" and form.validate():
        submit = request.form.get("action") == "submit"
        try:
            reflection, outcome = _save(partner, item, form, today, submit=submit)
        except PracticeError as error:
            form.add_error(error)
        else:
            if outcome == "already-submitted":
                flash("This was already submitted; your first submission stands.", "info")
                return redirect(url_for(".reflection", reflection_id=reflection.id))
            if outcome == "submitted":
                if item.reveal_together:
                    after = " When your partner has submitted too, you will both see both answers."
                elif reflection.shared_with_partner:
                    after = " Your partner can read it too."
                else:
                    after = " It stays private to you and your practitioner."
                flash("Submitted. Your practitioner will read it." + after, "success")
                return redirect(url_for(".home"))
            flash(f"Draft saved at {_time_now()}.", "success")
            return redirect(url_for(".assignment", assignment_id=item.id))
    return render_template(
        "practice/client/assignment.html",
        item=item,
        form=form,
        draft=existing,
        saved_at=int(existing.updated_at.timestamp() * 1000) if existing else 0,
        occurrence=occurrence,
        due=occurrence_due(item, occurrence) if occurrence else None,
        locked=locked,
        sharing=joint_features_allowed(partner.couple),
    )


def _save(partner, item, form, today, *, submit: bool):
    """The form's answers to the service: one place for pages and autosave alike."""
    pacing.check_doable(partner.couple, item)
    return reflection_service.save(
        partner,
        item,
        answers=[field.data or "" for field in form.prompt_fields],
        ratings={f.name.removeprefix("rating_"): f.data for f in form.rating_fields},
        shared=form.shared_with_partner.data,
        submit=submit,
        today=today,
    )


def _autosave(partner, item, form, today):
    """Save a draft for practice.js: {"saved": "HH:MM"}, or 422 with the errors by field."""
    if form.validate():
        try:
            reflection, outcome = _save(partner, item, form, today, submit=False)
        except PracticeError as error:
            form.add_error(error)
        else:
            if outcome == "already-submitted":
                url = url_for(".reflection", reflection_id=reflection.id)
                message = "This was already submitted; your first submission stands."
                return jsonify(errors={"form": [message]}, reflection=url), 409
            saved_at = int(reflection.updated_at.timestamp() * 1000)
            return jsonify(saved=_time_now(), savedAt=saved_at)
    errors = {name: list(messages) for name, messages in form.errors.items() if name}
    if form.form_errors:
        errors["form"] = list(form.form_errors)
    body = {"errors": errors}
    if "csrf_token" in errors:
        # The page outlived its token (the session is still good): hand the script a fresh one.
        body["csrf_token"] = generate_csrf()
    return jsonify(body), 422


def _time_now() -> str:
    from datetime import UTC, datetime

    return f"{clock.local(datetime.now(UTC), current_user):%H:%M}"


@bp.get("/reflections/<int:reflection_id>")
def reflection(reflection_id: int):
    partner = _partner()
    item = access.found(reflection_service.readable_by_client(partner, reflection_id))
    own = item.author_id == partner.id
    return render_template(
        "practice/client/reflection.html",
        item=item,
        own=own,
        feedback=item.feedback if own else [],
        reveal=reveal.reveal_for(partner, item) if own else None,
        sharing=joint_features_allowed(partner.couple),
    )


@bp.get("/shared")
def shared():
    partner = _partner()
    items = reflection_service.shared_by_partner(partner)
    return render_template(
        "practice/client/shared.html",
        items=items,
        partner=partner,
        sharing=joint_features_allowed(partner.couple),
    )


@bp.get("/handouts/<int:session_id>/pdf")
def handout(session_id: int):
    """The partner's own handout for a signed session: homework and their feedback only."""
    partner = _partner()
    note = db_session.get(SessionNote, session_id)
    if note is None or not note.is_signed or not session_service.may_take_handout(note, partner):
        access.found(None)
    data = documents.handout_pdf(note, partner, practice_name())
    if request.args.get("reflections") != "1":
        data.own_reflections = []
    return pdf_response(build_handout_pdf(data), f"handout-{note.starts_at:%Y-%m-%d}.pdf")
