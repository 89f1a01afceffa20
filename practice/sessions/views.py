from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for

from practice import access, assigning, downloads, privacy
from practice.forms import options
from practice.identity import current_user
from practice.models import NOTE_FORMATS
from practice.pdf.record import build_record_pdf
from practice.pdf.session import build_session_pdf
from practice.services import PracticeError, brief, clock, documents
from practice.services import sessions as session_service
from practice.sessions.forms import (
    SECTION_KEYS,
    AddendumForm,
    SessionForm,
    SignForm,
    carry_sections,
    section_fields,
)
from practice.web import practice_name

bp = Blueprint("sessions", __name__)
access.for_practitioners(bp)


def _form_for(couple, note=None) -> SessionForm:
    form = SessionForm()
    form.attendees.choices = options((p.id, p.name) for p in couple.partners)
    form.individual_partner.choices = options(
        [(0, "—"), *((p.id, p.name) for p in couple.partners)]
    )
    reflections = session_service.discussable_reflections(couple)
    if note is not None:
        # A reflection picked earlier stays pickable even if it has dropped off the list.
        known = {r.id for r in reflections}
        reflections += [r for r in note.reflections if r.id not in known]
    form.reflections.choices = options((r.id, str(r.id)) for r in reflections)
    form.reflection_items = reflections
    if request.method == "GET":
        if note is None:
            now = clock.local(datetime.now(UTC), current_user)
            form.day.data = now.date()
            form.start.data = now.time().replace(second=0, microsecond=0)
            form.attendees.data = [p.id for p in couple.partners]
            asked = request.args.get("format")
            form.note_format.data = asked if asked in NOTE_FORMATS else "free"
            if request.args.get("prefill") == "brief":
                # Opened from the session brief: its summary starts the first section.
                first = NOTE_FORMATS[form.note_format.data][1][0][0]
                form[first].data = brief.note_summary_for(current_user, couple, datetime.now(UTC))
        else:
            local = clock.local(note.starts_at, current_user)
            form.day.data, form.start.data = local.date(), local.time()
            form.duration_minutes.data = note.duration_minutes
            form.kind.data = note.kind
            form.individual_partner.data = note.individual_partner_id or 0
            form.attendees.data = [p.id for p in note.attendees]
            form.note_format.data = note.note_format
            for key, _heading, text in note.section_items():
                form[key].data = text
            form.reflections.data = [r.id for r in note.reflections]
            form.version.data = str(note.version)
    return form


def _input(form: SessionForm) -> session_service.SessionInput:
    starts_at = datetime.combine(
        form.day.data, form.start.data, tzinfo=clock.zone(current_user.timezone)
    )
    return session_service.SessionInput(
        starts_at=starts_at,
        duration_minutes=form.duration_minutes.data,
        kind=form.kind.data,
        individual_partner_id=form.individual_partner.data or None,
        attendee_ids=form.attendees.data or [],
        note_format=form.note_format.data,
        sections={key: form[key].data or "" for key in SECTION_KEYS},
        reflection_ids=form.reflections.data or [],
        version=int(form.version.data) if (form.version.data or "").isdigit() else None,
    )


def _edit_page(couple, note=None):
    form = _form_for(couple, note)
    note_format = form.note_format.data if form.note_format.data in NOTE_FORMATS else "free"
    if request.method == "POST" and request.form.get("action") == "format":
        # Switching format re-shows the form; the words move, none are lost.
        carry_sections(form, note_format)
    elif form.validate_on_submit():
        try:
            saved = session_service.save_session(note, couple, current_user, _input(form))
        except PracticeError as error:
            form.add_error(error)
        else:
            flash("Session saved as a draft. Sign it when it is complete.", "success")
            return redirect(url_for(".view", session_id=saved.id))
    return render_template(
        "practice/sessions/form.html",
        form=form,
        couple=couple,
        note=note,
        sections=section_fields(form, note_format),
    )


@bp.route("/couples/<int:couple_id>/sessions/new", methods=["GET", "POST"])
def new_session(couple):
    return _edit_page(couple)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def edit(note):
    if note.is_signed:
        flash("This note is signed and cannot change; add an addendum instead.", "error")
        return redirect(url_for(".view", session_id=note.id))
    return _edit_page(note.couple, note)


def _view_page(note, sign_form=None, addendum_form=None):
    """The note's page; a form that was just refused comes back with its errors."""
    return render_template(
        "practice/sessions/view.html",
        note=note,
        sign_form=sign_form or SignForm(formdata=None),
        addendum_form=addendum_form or AddendumForm(formdata=None),
    )


@bp.get("/sessions/<int:session_id>")
def view(note):
    return _view_page(note)


@bp.post("/sessions/<int:session_id>/sign")
def sign(note):
    form = SignForm()
    if form.validate_on_submit():
        try:
            session_service.sign(note, current_user, form.password.data)
        except PracticeError as error:
            form.add_error(error)
        else:
            flash("Signed. The note is now locked; corrections are added as addenda.", "success")
            return redirect(url_for(".view", session_id=note.id))
    return _view_page(note, sign_form=form)


@bp.post("/sessions/<int:session_id>/addenda")
def add_addendum(note):
    form = AddendumForm()
    if form.validate_on_submit():
        try:
            session_service.add_addendum(note, current_user, form.text.data, form.password.data)
        except PracticeError as error:
            form.add_error(error)
        else:
            flash("Addendum signed and appended.", "success")
            return redirect(url_for(".view", session_id=note.id))
    return _view_page(note, addendum_form=form)


@bp.route("/sessions/<int:session_id>/homework", methods=["GET", "POST"])
def homework(note):
    if note.is_signed:
        flash("This note is signed; assign from the couple's page instead.", "error")
        return redirect(url_for(".view", session_id=note.id))
    return assigning.assign_page(
        note.couple, done_url=url_for(".view", session_id=note.id), set_in=note
    )


@bp.get("/sessions/<int:session_id>/pdf")
def pdf(note):
    data = documents.session_pdf(note, practice_name())
    state = "signed" if note.is_signed else "draft"
    return downloads.pdf_response(
        build_session_pdf(data), f"session-{note.starts_at:%Y-%m-%d}-{note.id}-{state}.pdf"
    )


@bp.get("/sessions/<int:session_id>/handouts/<int:partner_id>/pdf")
def handout(note, partner):
    if not privacy.may_take_handout(current_user, note, partner):
        access.found(None)
    return downloads.handout(
        note,
        partner,
        practice_name(),
        with_own_reflections=request.args.get("reflections") == "1",
    )


@bp.get("/couples/<int:couple_id>/record/pdf")
def record(couple):
    data = documents.record_pdf(couple, session_service.signed_sessions(couple), practice_name())
    return downloads.pdf_response(build_record_pdf(data), f"record-{couple.id}.pdf")
