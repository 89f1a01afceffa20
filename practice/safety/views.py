from flask import Blueprint, flash, redirect, render_template, request, url_for

from practice import access, privacy
from practice.db import refuse
from practice.forms import ActionForm
from practice.identity import current_user
from practice.safety.forms import (
    CrisisResourcesForm,
    JointFeaturesForm,
    answers_of,
    screen_form,
)
from practice.services import PracticeError, safety

bp = Blueprint("safety", __name__, url_prefix="/my/safety")
access.for_clients(bp, screened=False)

staff_bp = Blueprint("safety_review", __name__)
access.for_practitioners(staff_bp)

owner_bp = Blueprint("safety_settings", __name__, url_prefix="/admin/help-now")
access.for_owner(owner_bp)

# The same words whatever the answers: someone looking over a shoulder learns nothing.
THANKS = "Thank you. Your answers went to your practitioner only."


@bp.route("/", methods=["GET", "POST"])
def screen():
    """A few private questions at the first sign-in; they may be answered again any time."""
    partner = current_user.partner
    form = screen_form(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            safety.take_screen(partner, answers_of(form))
        except PracticeError as error:
            form.add_error(error)
        else:
            flash(THANKS, "success")
            return redirect(url_for("practice.client.home"))
    return render_template(
        "practice/safety/screen.html",
        form=form,
        first_time=safety.screen_due(partner),
        resources=safety.crisis_resources(),
    )


@bp.get("/help")
def help_now():
    """Where to turn straight away: the practice's list, linked from every client page."""
    return render_template("practice/safety/help.html", resources=safety.crisis_resources())


@owner_bp.route("/", methods=["GET", "POST"])
def crisis_resources():
    """The owner lists the helplines of the practice's country for the Help now page."""
    form = CrisisResourcesForm()
    if request.method == "GET":
        current = safety.crisis_resources()
        form.country.data = current.country
        form.lines.data = safety.crisis_lines_as_text(current)
    if form.validate_on_submit():
        try:
            saved = safety.set_crisis_resources(
                form.country.data or "", form.lines.data or "", current_user
            )
        except PracticeError as error:
            form.add_error(error)
        else:
            flash(
                f"Saved: {len(saved.lines)} place{'s' if len(saved.lines) != 1 else ''} to "
                "turn to, on every client's Help now page.",
                "success",
            )
            return redirect(url_for(".crisis_resources"))
    return render_template(
        "practice/safety/resources_settings.html",
        form=form,
        resources=safety.crisis_resources(),
    )


@staff_bp.route("/couples/<int:couple_id>/safety", methods=["GET", "POST"])
def couple(couple):
    """The partners' safety answers, and turning joint features back on."""
    form = JointFeaturesForm()
    if form.validate_on_submit():
        try:
            safety.turn_joint_features_on(couple, current_user, form.reason.data or "")
        except PracticeError as error:
            form.add_error(error)
        else:
            if privacy.sharing_on(couple):
                flash(f"Sharing is on again for {couple.name}.", "success")
            else:
                flash(
                    f"The safety answers are resolved; sharing stays paused for {couple.name} "
                    "until you resume it.",
                    "success",
                )
            return redirect(url_for("practice.caseload.couple", couple_id=couple.id))
    return render_template(
        "practice/safety/couple.html",
        couple=couple,
        form=form,
        screens=safety.screens_of(couple),
        questions=safety.QUESTIONS,
        joint_features_on=privacy.sharing_on(couple),
    )


@staff_bp.post("/couples/<int:couple_id>/sharing/pause")
def pause_sharing(couple):
    """The practitioner's own pause: the partners' pages read as after a safety answer."""
    if _switched(couple, safety.pause_sharing):
        flash(f"Sharing is paused for {couple.name}.", "success")
    return redirect(url_for("practice.caseload.couple", couple_id=couple.id))


@staff_bp.post("/couples/<int:couple_id>/sharing/resume")
def resume_sharing(couple):
    if _switched(couple, safety.resume_sharing):
        flash(
            f"Sharing is on again for {couple.name}."
            if privacy.sharing_on(couple)
            else f"Your pause is over; a safety answer still holds sharing off for {couple.name}.",
            "success",
        )
    return redirect(url_for("practice.caseload.couple", couple_id=couple.id))


def _switched(couple, switch) -> bool:
    if not ActionForm().validate_on_submit():
        refuse()
        return False
    try:
        switch(couple, current_user)
    except PracticeError as error:
        refuse()
        flash(error.message, "error")
        return False
    return True
