"""Measures: the practitioner schedules them for a couple and reads the answers; each
partner answers alone and sees their own scores (and the other's, when agreed)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from practice import access
from practice.forms import ActionForm, options
from practice.identity import current_user
from practice.measures import charts
from practice.measures.forms import ScheduleForm, answer_form
from practice.services import PracticeError, clock, safety
from practice.services import measures as service

bp = Blueprint("measures", __name__)
caseload = Blueprint("caseload", __name__)
mine = Blueprint("mine", __name__, url_prefix="/my")
access.for_practitioners(caseload)
access.for_clients(mine)


def _zone():
    return clock.zone(current_user.timezone)


@bp.app_context_processor
def page_panels():
    """What other features' pages include of measures (one include line each)."""
    if not (request.blueprint or "").startswith("practice"):
        return {}
    return {
        "measures_on_couple_page": _couple_page,
        "measures_due_for_me": _due_for_me,
    }


def _couple_page(couple) -> dict:
    panel = service.couple_panel(current_user, couple)
    return {
        "risks": panel.risks,
        "schedules": panel.schedules,
        "names": {slug: v.name for slug, v in panel.measures.items()},
        "cadence_words": service.cadence_words,
        "figures": charts.figures(panel.series, couple, zone=_zone()),
    }


def _due_for_me() -> service.HomePanel | None:
    partner = current_user.partner if current_user.is_authenticated else None
    return service.home_panel(partner) if partner is not None else None


# --- the practitioner -------------------------------------------------------------------------


@caseload.route("/couples/<int:couple_id>/measures", methods=["GET", "POST"])
def couple_measures(couple):
    versions = service.newest_versions()
    form = ScheduleForm()
    # An empty first choice: a required select starts with a placeholder (valid HTML).
    form.measure.choices = options(
        [("", "Choose a measure"), *((v.slug, v.name) for v in versions)]
    )
    if form.validate_on_submit():
        try:
            service.schedule_measure(
                couple,
                current_user,
                slug=form.measure.data,
                cadence=form.cadence.data,
                every_weeks=form.every_weeks.data,
                from_day=form.from_day.data,
                scores_shared=form.scores_shared.data,
                today=clock.today_for(current_user),
            )
        except PracticeError as error:
            form.add_error(error)
        else:
            flash("The measure is scheduled. Each partner finds it on their home page.", "success")
            return redirect(url_for(".couple_measures", couple_id=couple.id))
    panel = service.couple_panel(current_user, couple)
    return render_template(
        "practice/measures/couple.html",
        couple=couple,
        form=form,
        versions=versions,
        panel=panel,
        figures=charts.figures(panel.series, couple, zone=_zone()),
        responses=service.recent_responses(current_user, couple),
        answer_rows=service.answer_rows,
        cadence_words=service.cadence_words,
        action=ActionForm(),
    )


@caseload.post("/couples/<int:couple_id>/measures/<int:measure_schedule_id>/stop")
def stop(couple, schedule):
    if ActionForm().validate_on_submit():
        service.stop_schedule(schedule)
        flash("The measure is stopped; the answers given stay in the record.", "success")
    return redirect(url_for(".couple_measures", couple_id=couple.id))


@caseload.post("/couples/<int:couple_id>/measures/answers/<int:measure_response_id>/seen")
def risk_seen(couple, response):
    if ActionForm().validate_on_submit():
        service.mark_risk_seen(response)
        flash("Marked as read.", "success")
    return redirect(url_for(".couple_measures", couple_id=couple.id))


# --- the partners -----------------------------------------------------------------------------


@mine.get("/measures")
def my_measures():
    partner = current_user.partner
    series = service.scores_over_time(current_user, partner.couple)
    return render_template(
        "practice/measures/mine.html",
        due=service.due_for(partner),
        measures={v.slug: v for v in service.newest_versions()},
        figures=charts.figures(series, partner.couple, clinical=False, zone=_zone()),
        other=partner.other(),
        couple=partner.couple,
        shown={partner_id for entry in series for partner_id in entry.points},
    )


@mine.route("/measures/<int:measure_schedule_id>", methods=["GET", "POST"])
def answer(schedule):
    partner = current_user.partner
    version = access.found(service.version_of(schedule.measure_slug))
    if not service.due_now(partner, schedule):
        flash("You have answered this one already. Thank you.", "success")
        return redirect(url_for(".my_measures"))
    form = answer_form(version.spec, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        answers = {item["key"]: form[f"item_{item['key']}"].data for item in version.spec["items"]}
        try:
            response = service.answer(partner, schedule, answers)
        except PracticeError as error:
            error.field = f"item_{error.field}" if error.field else None
            form.add_error(error)
        else:
            if service.risk_answered(response):
                # Where to turn straight away, as after risk words; nothing clinical said.
                flash(safety.HELP_AFTER, "info")
                return redirect(url_for("practice.safety.help_now"))
            flash("Thank you. Your answers are saved.", "success")
            return redirect(url_for(".my_measures"))
    return render_template(
        "practice/measures/answer.html",
        form=form,
        version=version,
        spec=version.spec,
        other=partner.other(),
        schedule=schedule,
    )


bp.register_blueprint(caseload)
bp.register_blueprint(mine)
