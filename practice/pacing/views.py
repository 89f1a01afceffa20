from flask import Blueprint, flash, redirect, render_template, url_for

from practice import access
from practice.identity import current_user
from practice.pacing.forms import OpenEarlyForm
from practice.services import PracticeError, pacing

bp = Blueprint("pacing", __name__)
access.for_practitioners(bp)


@bp.route("/couples/<int:couple_id>/steps/open-early", methods=["GET", "POST"])
@access.form_page
def open_early(couple):
    pace = pacing.pace(couple)
    form = OpenEarlyForm()
    if form.validate_on_submit():
        try:
            opening = pacing.open_early(couple, current_user, form.reason.data or "")
        except PracticeError as error:
            form.add_error(error)
        else:
            flash(f"Step {opening.step_position} is open for {couple.name}.", "success")
            return redirect(url_for("practice.caseload.couple", couple_id=couple.id))
    return render_template("practice/pacing/open_early.html", couple=couple, pace=pace, form=form)
