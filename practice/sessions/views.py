import json
from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for

from practice import access, assigning, autosave, downloads, privacy
from practice.forms import options
from practice.identity import current_user
from practice.models import NOTE_FORMATS
from practice.services import PracticeError, brief, clock
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
# Registered before the audience check, which would answer an autosave with the sign-in page.
bp.before_request(autosave.needs_its_author)
access.for_practitioners(bp)

# What a note's draft keeps: everything on its form but the token.
NOTE_FIELDS = (
    "day",
    "start",
    "duration_minutes",
    "kind",
    "individual_partner",
    "attendees",
    "note_format",
    *SECTION_KEYS,
    "reflections",
    "version",
)
ADDENDUM_FIELDS = ("text",)


def _form_for(couple, note=None, draft=None, prefill=None) -> SessionForm:
    """The note's form: as posted, as its kept draft, or (a GET) as the note stands, or new
    with ``prefill``'s section texts (say, the session brief's summary)."""
    if draft is not None:
        form = SessionForm(formdata=autosave.draft_formdata(draft))
    else:
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
    if request.method == "GET" and draft is None:
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
    if request.method == "GET" and note is None:
        # A prefill fills the sections still empty: a kept draft's typed words come first.
        for key, text in (prefill or {}).items():
            if key in SECTION_KEYS and not (form[key].data or "").strip():
                form[key].data = text
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


def _edit_page(couple, note=None, prefill=None):
    key = autosave.draft_key()
    if request.method == "POST" and autosave.from_script():
        return autosave.keep_draft(NOTE_FIELDS, key)
    draft = autosave.kept_draft(key) if request.method == "GET" else None
    form = _form_for(couple, note, draft, prefill)
    note_format = form.note_format.data if form.note_format.data in NOTE_FORMATS else "free"
    action = request.form.get("action")
    if request.method == "POST" and action == "discard":
        if autosave.discard_draft(key):
            flash("Draft thrown away. This is the note as it was last saved.", "info")
        else:
            flash("This page had expired, so the draft is still here: try again.", "error")
        return redirect(request.path)
    if request.method == "POST":
        # Switching format re-shows the form, and saving keeps only the format's sections:
        # text in a section the chosen format lacks moves into it, so none is lost.
        carry_sections(form, note_format)
    if action != "format" and form.validate_on_submit():
        try:
            saved = session_service.save_session(note, couple, current_user, _input(form))
        except PracticeError as error:
            form.add_error(error)
        else:
            autosave.end_draft(key)
            flash("Session saved as a draft. Sign it when it is complete.", "success")
            return redirect(url_for(".view", session_id=saved.id))
    return render_template(
        "practice/sessions/form.html",
        form=form,
        couple=couple,
        note=note,
        sections=section_fields(form, note_format),
        # Each format's sections, for the script to switch format in place.
        formats=json.dumps({k: sections for k, (_label, sections) in NOTE_FORMATS.items()}),
        draft=draft,
        **autosave.autosaving(key, draft, note.updated_at if note else None),
    )


@bp.route("/couples/<int:couple_id>/sessions/new", methods=["GET", "POST"])
@access.form_page
@autosave.keeps_drafts(*NOTE_FIELDS)
def new_session(couple):
    return _edit_page(couple)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@access.form_page
@autosave.keeps_drafts(*NOTE_FIELDS)
def edit(note):
    if note.is_signed and autosave.from_script():
        return autosave.already_submitted(note=url_for(".view", session_id=note.id))
    if note.is_signed:
        flash("This note is signed and cannot change; add an addendum instead.", "error")
        return redirect(url_for(".view", session_id=note.id))
    return _edit_page(note.couple, note)


def _addendum_key(note) -> str:
    return autosave.draft_key(".add_addendum", session_id=note.id)


def _view_page(note, sign_form=None, addendum_form=None):
    """The note's page; a form that was just refused comes back with its errors, and an
    addendum being written comes back from its draft."""
    key = _addendum_key(note)
    draft = None
    if addendum_form is None and note.is_signed and (draft := autosave.kept_draft(key)):
        addendum_form = AddendumForm(formdata=autosave.draft_formdata(draft))
    return render_template(
        "practice/sessions/view.html",
        note=note,
        sign_form=sign_form or SignForm(formdata=None),
        addendum_form=addendum_form or AddendumForm(formdata=None),
        **autosave.autosaving(key, draft, note.addenda[-1].created_at if note.addenda else None),
    )


@bp.get("/sessions/<int:session_id>")
def view(note):
    return _view_page(note)


@bp.route("/sessions/<int:session_id>/sign", methods=["GET", "POST"])
def sign(note):
    if request.method == "GET":
        # Where signing in again leads after a sign that found the session ended.
        return redirect(url_for(".view", session_id=note.id, _anchor="sign"))
    form = SignForm()
    if form.validate_on_submit():
        try:
            session_service.sign(note, current_user, form.password.data)
        except PracticeError as error:
            form.add_error(error)
        else:
            autosave.end_draft(autosave.draft_key(".edit", session_id=note.id))
            flash("Signed. The note is now locked; corrections are added as addenda.", "success")
            return redirect(url_for(".view", session_id=note.id))
    return _view_page(note, sign_form=form)


@bp.route("/sessions/<int:session_id>/addenda", methods=["GET", "POST"])
@access.open_when_archived
@autosave.keeps_drafts(*ADDENDUM_FIELDS)
def add_addendum(note):
    if request.method == "GET":
        return redirect(url_for(".view", session_id=note.id, _anchor="addendum"))
    if autosave.from_script():
        return autosave.keep_draft(ADDENDUM_FIELDS)
    form = AddendumForm()
    if form.validate_on_submit():
        try:
            session_service.add_addendum(note, current_user, form.text.data, form.password.data)
        except PracticeError as error:
            form.add_error(error)
        else:
            autosave.end_draft(_addendum_key(note))
            flash("Addendum signed and appended.", "success")
            return redirect(url_for(".view", session_id=note.id))
    return _view_page(note, addendum_form=form)


@bp.route("/sessions/<int:session_id>/homework", methods=["GET", "POST"])
@access.form_page
def homework(note):
    if note.is_signed:
        flash("This note is signed; assign from the couple's page instead.", "error")
        return redirect(url_for(".view", session_id=note.id))
    return assigning.assign_page(
        note.couple, done_url=url_for(".view", session_id=note.id), set_in=note
    )


@bp.get("/sessions/<int:session_id>/pdf")
def pdf(note):
    return downloads.session_note(note, practice_name(), current_user)


@bp.get("/sessions/<int:session_id>/handouts/<int:partner_id>/pdf")
def handout(note, partner):
    if not privacy.may_take_handout(current_user, note, partner):
        access.found(None)
    return downloads.handout(
        note,
        partner,
        practice_name(),
        current_user,
        with_own_reflections=request.args.get("reflections") == "1",
    )


@bp.get("/couples/<int:couple_id>/record/pdf")
def record(couple):
    """The clinical chart: the whole record, both partners' words."""
    return downloads.record(couple, practice_name(), current_user)


@bp.get("/couples/<int:couple_id>/record/release/<int:partner_id>/pdf")
def release_copy(couple, partner):
    """The whole record as released to one partner (recorded in the audit log)."""
    if not privacy.may_take_release_copy(current_user, couple, partner):
        access.found(None)
    return downloads.record(couple, practice_name(), current_user, partner)
