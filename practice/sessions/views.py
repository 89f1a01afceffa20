from datetime import datetime

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from practice import access
from practice.db import commit
from practice.forms import options
from practice.pdf.session import DiscussedReflection, SessionDocument, build_session_pdf
from practice.services import PracticeError, clock, couples
from practice.services import sessions as session_service
from practice.sessions.forms import SessionForm
from practice.web import format_datetime, practice_name

bp = Blueprint("sessions", __name__)
access.for_practitioners(bp)


def _form_for(couple, note=None) -> SessionForm:
    form = SessionForm(obj=None)
    form.attendees.choices = options((p.id, p.name) for p in couple.partners)
    reflections = session_service.discussable_reflections(couple)
    if note is not None:
        # A reflection picked earlier stays pickable even if it has dropped off the list.
        known = {r.id for r in reflections}
        reflections += [r for r in note.reflections if r.id not in known]
    form.reflections.choices = options((r.id, str(r.id)) for r in reflections)
    form.reflection_items = reflections
    if request.method == "GET":
        if note is None:
            now = clock.local(datetime.now(clock.zone("UTC")), current_user)
            form.day.data, form.start.data = now.date(), now.time().replace(second=0, microsecond=0)
            form.attendees.data = [p.id for p in couple.partners]
        else:
            local = clock.local(note.starts_at, current_user)
            form.day.data, form.start.data = local.date(), local.time()
            form.duration_minutes.data = note.duration_minutes
            form.attendees.data = [p.id for p in note.attendees]
            form.note.data = note.note
            form.reflections.data = [r.id for r in note.reflections]
    return form


def _save(form: SessionForm, couple, note=None):
    starts_at = datetime.combine(
        form.day.data, form.start.data, tzinfo=clock.zone(current_user.timezone)
    )
    return session_service.save_session(
        note,
        couple,
        current_user,
        starts_at=starts_at,
        duration_minutes=form.duration_minutes.data,
        attendee_ids=form.attendees.data or [],
        text=form.note.data or "",
        reflection_ids=form.reflections.data or [],
    )


@bp.route("/couples/<int:couple_id>/sessions/new", methods=["GET", "POST"])
def new_session(couple_id: int):
    couple = access.found(couples.couple_for_practitioner(current_user, couple_id))
    form = _form_for(couple)
    if form.validate_on_submit():
        try:
            note = _save(form, couple)
        except PracticeError as error:
            form.add_error(error)
        else:
            commit()
            flash("Session recorded.", "success")
            return redirect(url_for(".view", session_id=note.id))
    return render_template("practice/sessions/form.html", form=form, couple=couple, note=None)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def edit(session_id: int):
    note = access.found(session_service.session_for_practitioner(current_user, session_id))
    form = _form_for(note.couple, note)
    if form.validate_on_submit():
        try:
            _save(form, note.couple, note)
        except PracticeError as error:
            form.add_error(error)
        else:
            commit()
            flash("Session updated.", "success")
            return redirect(url_for(".view", session_id=note.id))
    return render_template("practice/sessions/form.html", form=form, couple=note.couple, note=note)


@bp.get("/sessions/<int:session_id>")
def view(session_id: int):
    note = access.found(session_service.session_for_practitioner(current_user, session_id))
    return render_template("practice/sessions/view.html", note=note)


@bp.get("/sessions/<int:session_id>/pdf")
def pdf(session_id: int):
    note = access.found(session_service.session_for_practitioner(current_user, session_id))
    document = SessionDocument(
        practice_name=practice_name(),
        practitioner=", ".join(
            filter(None, [note.practitioner.name, note.practitioner.credentials])
        ),
        couple=note.couple.name,
        partners=[
            f"{p.name} ({note.couple.role_label(p.program_role)})" for p in note.couple.partners
        ],
        when=format_datetime(note.starts_at),
        duration_minutes=note.duration_minutes,
        attendees=[p.name for p in note.attendees],
        note=note.note,
        reflections=[
            DiscussedReflection(
                author=r.author.name,
                exercise=r.assignment.title,
                submitted=format_datetime(r.submitted_at),
                shared=r.shared_with_partner,
                answers=r.answered_prompts(),
                ratings=[(q["label"], v) for q, v in r.rating_items() if v is not None],
            )
            for r in note.reflections
        ],
    )
    filename = f"session-{note.starts_at:%Y-%m-%d}-{note.id}.pdf"
    return Response(
        build_session_pdf(document),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
