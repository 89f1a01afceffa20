"""The practitioner's release of a shared reflection that waits for it."""

from flask import flash, redirect, request, url_for

from practice.forms import ActionForm
from practice.identity import current_user
from practice.review.views import bp
from practice.services import PracticeError
from practice.services import reflections as reflection_service


@bp.post("/<int:reflection_id>/release")
def release(reflection):
    how = request.form.get("release", "")
    if ActionForm().validate_on_submit():
        try:
            reflection_service.release(reflection, current_user, how)
        except PracticeError as error:
            flash(error.message, "error")
        else:
            flash(reflection_service.RELEASED[how], "success")
    else:
        flash("The page had expired; nothing was changed. Try again.", "error")
    return redirect(url_for(".reflection", reflection_id=reflection.id, _anchor="release-heading"))
