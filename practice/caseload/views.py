from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from practice import access, assigning, charts, privacy
from practice.caseload.forms import ArchiveForm, CoupleForm, StepForm
from practice.db import refuse
from practice.db import session as db_session
from practice.forms import ActionForm, options
from practice.identity import current_user
from practice.models import BOTH, Assignment, Program
from practice.paging import page_number
from practice.services import (
    PracticeError,
    agreements,
    archive,
    assignments,
    brief,
    checkins,
    clock,
    couples,
    invitations,
    pacing,
    progress,
    safety,
)
from practice.services import review as review_service
from practice.services import sessions as session_service

bp = Blueprint("caseload", __name__)
access.for_practitioners(bp)


@bp.get("/dashboard")
def dashboard():
    per_page = request.args.get("per_page", type=int) or 0
    per_page = per_page if 0 < per_page <= 200 else current_app.config["PRACTICE_PAGE_SIZE"]
    page = page_number()
    archived = request.args.get("show") == "archived"
    rows = couples.caseload(current_user, page, per_page, archived=archived)
    waiting, waiting_total = review_service.queue(current_user, limit=5)
    today = clock.today_for(current_user)
    midnight = datetime.combine(today, time(0), tzinfo=clock.zone(current_user.timezone))
    todays = session_service.sessions_between(current_user, midnight, midnight + timedelta(days=1))
    checkin_alerts, checkin_alerts_total = checkins.dashboard_alerts(current_user, clock.now())
    return render_template(
        "practice/caseload/dashboard.html",
        rows=rows,
        archived=archived,
        waiting=waiting,
        waiting_total=waiting_total,
        todays=todays,
        safety_alerts=safety.alerts_for(current_user),
        checkin_alerts=checkin_alerts,
        checkin_alerts_total=checkin_alerts_total,
    )


@bp.route("/couples/new", methods=["GET", "POST"])
def new_couple():
    # Every program is offered (a handful of rows); the first loaded is the default.
    programs = db_session.scalars(select(Program).order_by(Program.id)).all()
    chosen = request.args.get("program", type=int)
    program = next((p for p in programs if p.id == chosen), programs[0] if programs else None)
    if program is None:
        flash("Load a program first: flask --app practice program load FILE.", "error")
        return redirect(url_for(".dashboard"))
    form = CoupleForm()
    roles = [r["key"] for r in program.roles]
    # An empty first choice: a required select starts with a placeholder (valid HTML), and
    # choosing it is "Choose a role" beside the field.
    roles_offered = [("", "Choose a role"), *((r["key"], r["label"]) for r in program.roles)]
    form.first_role.choices = options(roles_offered)
    form.second_role.choices = options(roles_offered)
    wordings = agreements.wordings()
    form.policy.choices = options((kind, agreements.label(kind)) for kind in wordings)
    if request.method == "GET":
        form.first_role.data, form.second_role.data = roles[0], roles[-1]
    if form.validate_on_submit():
        partners = [
            couples.NewPartner(form.first_name.data, form.first_email.data, form.first_role.data),
            couples.NewPartner(
                form.second_name.data, form.second_email.data, form.second_role.data
            ),
        ]
        try:
            couple, tokens = couples.create_couple(
                current_user,
                program,
                partners,
                form.name.data or "",
                policy=form.policy.data,
                shares_wait=form.release.data == "through-practitioner",
            )
        except PracticeError as error:
            form.add_error(error)
        else:
            issued = [invitations.mail_link(p.user, tokens[p.id]) for p in couple.partners]
            flash(f"{couple.name} is on your caseload.", "success")
            flash(*invitations.notice(issued))
            return redirect(url_for(".couple", couple_id=couple.id))
    return render_template(
        "practice/caseload/new_couple.html",
        form=form,
        program=program,
        programs=programs,
        wordings=wordings,
    )


@bp.get("/couples/<int:couple_id>")
def couple(couple):
    steps = progress.couple_progress(couple)
    series = progress.ratings_over_time(couple, where=clock.zone(current_user.timezone))
    # Each rating charted once: trust, safety and connection as panels side by side, the
    # others below them, every chart with both partners on one time axis.
    side_by_side = charts.side_by_side(series, couple.partners)
    others = [s for s in series if s.key not in charts.SIDE_BY_SIDE]
    span = charts.time_span(series) if series else None
    charts_ = [(s, charts.line_chart(s, couple.partners, span)) for s in others]
    active = db_session.scalars(
        select(Assignment)
        .where(Assignment.couple_id == couple.id, Assignment.status == "active")
        .order_by(Assignment.created_at.desc(), Assignment.id.desc())
    ).all()
    sessions = session_service.sessions_of(couple)
    step_form = StepForm(step=couple.current_step)
    step_form.step.choices = options(
        (s.step.position, f"{s.step.position}. {s.step.title}") for s in steps
    )
    return render_template(
        "practice/caseload/couple.html",
        couple=couple,
        steps=steps,
        charts=charts_,
        side_by_side=side_by_side,
        checkin_panel=checkins.couple_panel(couple),
        active=active,
        sessions=sessions,
        glance=brief.glance(
            couple, active, sessions, clock.today_for(current_user), datetime.now(UTC)
        ),
        links=invitations.working_links(current_user, [p.user for p in couple.partners]),
        action=ActionForm(),
        step_form=step_form,
        both=BOTH,
        pace=pacing.pace(couple, with_history=True),
        policy_label=agreements.label(couple.policy_kind),
        joint_features_on=privacy.sharing_on(couple),
    )


@bp.post("/couples/<int:couple_id>/step")
def set_step(couple):
    form = StepForm()
    form.step.choices = options((s.position, s.title) for s in couple.program.steps)
    if form.validate_on_submit():
        try:
            couples.set_current_step(couple, form.step.data)
        except PracticeError as error:
            refuse()
            flash(error.message, "error")
        else:
            flash(f"{couple.name} is now on step {form.step.data}.", "success")
    else:
        flash("Choose one of the program's steps.", "error")
    return redirect(url_for(".couple", couple_id=couple.id))


def _partners(couple):
    return url_for(".couple", couple_id=couple.id, _anchor="partners-heading")


@bp.post("/couples/<int:couple_id>/partners/<int:partner_id>/invitation")
def reinvite(couple, partner):
    """A new invitation link, only for a partner who has not chosen a password yet."""
    if ActionForm().validate_on_submit():
        try:
            issued = invitations.invite(partner.user)
        except PracticeError as error:
            refuse()
            flash(error.message, "error")
        else:
            flash(f"A new link for {partner.name}; earlier links no longer work.", "success")
            flash(*invitations.notice([issued]))
    return redirect(_partners(couple))


@bp.post("/couples/<int:couple_id>/partners/<int:partner_id>/invitation/cancel")
def cancel_invitation(couple, partner):
    if ActionForm().validate_on_submit():
        if invitations.cancel(partner.user):
            flash(f"The invitation link for {partner.name} no longer works.", "success")
        else:
            flash(f"{partner.name} had no invitation link that still works.", "info")
    return redirect(_partners(couple))


@bp.route("/couples/<int:couple_id>/assign", methods=["GET", "POST"])
@access.form_page
def assign(couple):
    return assigning.assign_page(couple, done_url=url_for(".couple", couple_id=couple.id))


@bp.post("/couples/<int:couple_id>/assignments/<int:assignment_id>/close")
def close_assignment(couple, assignment):
    if ActionForm().validate_on_submit():
        assignments.close(assignment)
        flash(f"“{assignment.title}” is closed; the couple no longer sees it as due.", "success")
    return redirect(url_for(".couple", couple_id=couple.id))


@bp.route("/couples/<int:couple_id>/archive", methods=["GET", "POST"])
@access.form_page
def archive_couple(couple):
    """Archive or discharge the couple, after the practitioner confirms what it means."""
    form = ArchiveForm()
    form.reason.choices = options(archive.REASONS.items())
    if form.validate_on_submit():
        try:
            archive.archive(couple, current_user, form.reason.data)
        except PracticeError as error:
            form.add_error(error)
        else:
            flash(
                f"{couple.name} is archived: read-only, off your caseload, both partners "
                "signed out.",
                "success",
            )
            return redirect(url_for(".couple", couple_id=couple.id))
    return render_template(
        "practice/caseload/archive.html",
        couple=couple,
        form=form,
        unsigned=archive.unsigned_notes(couple),
    )


@bp.post("/couples/<int:couple_id>/reopen")
@access.open_when_archived
def reopen_couple(couple):
    if ActionForm().validate_on_submit():
        try:
            archive.reopen(couple, current_user)
        except PracticeError as error:
            refuse()
            flash(error.message, "error")
        else:
            flash(f"{couple.name} is open again and back on your caseload.", "success")
    return redirect(url_for(".couple", couple_id=couple.id))


@bp.get("/couples/<int:couple_id>/brief")
def session_brief(couple):
    prepared = access.found(brief.brief_for(current_user, couple, datetime.now(UTC)))
    return render_template(
        "practice/caseload/brief.html",
        couple=couple,
        brief=prepared,
        summary=brief.note_summary(prepared, current_user),
    )
