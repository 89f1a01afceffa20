"""Check-ins: the practitioner's plan and history, the check-in form of the partner in
recovery, the other partner's summary, and each client's reminder setting."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from practice import access, privacy
from practice.checkins.forms import CheckinForm, PlanForm, RemindersForm
from practice.forms import options
from practice.identity import current_user
from practice.paging import page_number
from practice.services import PracticeError, audit, clock, reminders, safety
from practice.services import checkins as service

bp = Blueprint("checkins", __name__)
caseload = Blueprint("caseload", __name__)
mine = Blueprint("mine", __name__, url_prefix="/my")
access.for_practitioners(caseload)
access.for_clients(mine)


# --- the practitioner ---------------------------------------------------------------


@caseload.route("/couples/<int:couple_id>/check-ins", methods=["GET", "POST"])
def couple_checkins(couple):
    plan = service.plan_for(couple)
    form = PlanForm(obj=plan) if request.method == "GET" and plan else PlanForm()
    # An empty first choice: a required select starts with a placeholder (valid HTML).
    form.partner.choices = options(
        [
            ("", "Choose who checks in"),
            *(
                (p.id, f"{p.name} ({couple.role_label(p.program_role).lower()})")
                for p in couple.partners
            ),
        ]
    )
    if request.method == "GET" and plan is None:
        recovering = next(
            (p for p in couple.partners if p.program_role == "recovering"), couple.partners[0]
        )
        form.partner.data = recovering.id
    if plan is not None and request.method == "GET":
        form.partner.data = plan.partner_id
    if form.validate_on_submit():
        try:
            plan = service.save_plan(
                couple,
                partner_id=form.partner.data,
                frequency=form.frequency.data,
                tell_within_hours=form.tell_within_hours.data,
                summary_for_partner=form.summary_for_partner.data,
                today=clock.today_for(current_user),
            )
        except PracticeError as error:
            form.add_error(error)
        else:
            audit.record(
                "checkin_plan.saved",
                subject="checkin_plan",
                subject_id=plan.id,
                couple_id=couple.id,
                detail=f"{plan.frequency}, {plan.tell_within_hours} h, "
                f"summary {'on' if privacy.summary_shared(plan) else 'off'}",
            )
            flash("The check-in plan is saved.", "success")
            return redirect(url_for(".couple_checkins", couple_id=couple.id))
    page = page_number()
    per_page = current_app.config["PRACTICE_PAGE_SIZE"]
    rows = service.history(couple, page, per_page)
    summary = service.summary_for(current_user, plan) if plan is not None else None
    return render_template(
        "practice/checkins/couple.html",
        couple=couple,
        plan=plan,
        form=form,
        summary=summary,
        rows=rows,
    )


# --- the clients --------------------------------------------------------------------


def _as_moment(value: datetime | None) -> datetime | None:
    """A local date and time typed by the signed-in person, as an aware moment."""
    if value is None:
        return None
    return value.replace(tzinfo=clock.zone(current_user.timezone)).astimezone(UTC)


def _in_my_zone(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return clock.local(moment, current_user).replace(tzinfo=None)


@mine.route("/check-in", methods=["GET", "POST"])
def check_in():
    partner = current_user.partner
    plan = access.found(service.plan_for_author(partner))
    today = clock.today_for(current_user)
    existing = service.current_checkin(plan, today)
    if request.method == "GET" and existing is not None:
        form = CheckinForm(
            formdata=None,
            urges=existing.urges,
            triggers=existing.triggers,
            handled=existing.handled,
            slip="yes" if existing.slip else "no",
            slip_at=_in_my_zone(existing.slip_at),
            told="yes" if existing.told_at else "no",
            told_at=_in_my_zone(existing.told_at),
            shared_with_partner=privacy.checkin_shared(existing),
        )
    else:
        form = CheckinForm()
    sharing = privacy.sharing_on(partner.couple)
    if not sharing:
        del form.shared_with_partner
    if form.validate_on_submit():
        data = service.CheckinInput(
            urges=form.urges.data,
            triggers=form.triggers.data or "",
            handled=form.handled.data or "",
            slip=form.slip.data == "yes",
            slip_at=_as_moment(form.slip_at.data),
            told=form.told.data == "yes",
            told_at=_as_moment(form.told_at.data),
            share=sharing and form.shared_with_partner.data,
        )
        try:
            checkin, created = service.save_checkin(
                partner, plan, data, today=today, now=datetime.now(UTC)
            )
        except PracticeError as error:
            form.add_error(error)
        else:
            audit.record(
                "checkin.saved" if created else "checkin.edited",
                subject="checkin",
                subject_id=checkin.id,
                couple_id=partner.couple_id,
            )
            flash(
                "Thank you for checking in." if created else "Your check-in is updated.",
                "success",
            )
            if safety.needs_help_now(data.triggers, data.handled):
                flash(safety.HELP_AFTER, "info")
                return redirect(url_for("practice.safety.help_now"))
            return redirect(url_for(".check_in"))
    summary = service.summary_for(current_user, plan)
    recent = service.own_checkins(partner)
    return render_template(
        "practice/checkins/check_in.html",
        form=form,
        plan=plan,
        existing=existing,
        period_end=service.period_end(plan.frequency, service.period_start(plan.frequency, today)),
        summary=summary,
        recent=recent,
        other=partner.other(),
    )


@mine.get("/check-ins/partner")
def partner_summary():
    """The other partner's view: the summary if agreed, and check-ins shared with them."""
    partner = current_user.partner
    plan = service.plan_for(partner.couple)
    if plan is None or plan.partner_id == partner.id:
        access.found(None)
    summary = service.summary_for(current_user, plan)
    shared = service.shared_checkins(partner)
    if summary is None and not shared:
        access.found(None)
    return render_template(
        "practice/checkins/partner.html",
        plan=plan,
        summary=summary,
        shared=shared,
        other=plan.partner,
    )


@mine.route("/reminders", methods=["GET", "POST"])
def reminder_settings():
    form = RemindersForm()
    if request.method == "GET":
        form.wanted.data = reminders.wants_reminders(current_user)
    if form.validate_on_submit():
        reminders.set_wanted(current_user, form.wanted.data)
        audit.record(
            "reminders.turned_on" if form.wanted.data else "reminders.turned_off",
            subject="user",
            subject_id=current_user.id,
        )
        flash(
            "Reminders are on." if form.wanted.data else "Reminders are off. We won't e-mail you.",
            "success",
        )
        return redirect(url_for(".reminder_settings"))
    return render_template("practice/checkins/reminders.html", form=form)


bp.register_blueprint(caseload)
bp.register_blueprint(mine)
