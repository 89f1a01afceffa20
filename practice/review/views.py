from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from practice import access
from practice.identity import current_user
from practice.review.forms import FeedbackForm
from practice.services import PracticeError
from practice.services import review as review_service

bp = Blueprint("review", __name__, url_prefix="/review")
access.for_practitioners(bp)


@bp.get("/")
def queue():
    items, total = review_service.queue(current_user, current_app.config["PRACTICE_PAGE_SIZE"])
    return render_template("practice/review/queue.html", items=items, total=total)


@bp.route("/<int:reflection_id>", methods=["GET", "POST"])
def reflection(reflection):
    item = reflection
    form = FeedbackForm()
    if request.method == "GET":
        form.flag_for_session.data = item.flagged_for_session
    if form.validate_on_submit():
        try:
            review_service.respond(
                item,
                current_user,
                feedback=form.feedback.data or "",
                mark_reviewed=form.mark_reviewed.data,
                flag_for_session=form.flag_for_session.data,
            )
        except PracticeError as error:
            form.add_error(error)
        else:
            flash(
                "Saved. The author sees your feedback on their next visit."
                if (form.feedback.data or "").strip()
                else "Saved.",
                "success",
            )
            # Next in queue: the next waiting reflection, or the queue once none waits.
            following = review_service.next_waiting(current_user, item)
            if following is None:
                return redirect(url_for(".queue"))
            flash("Here is the next reflection waiting for you.", "info")
            return redirect(url_for(".reflection", reflection_id=following))
    return render_template("practice/review/reflection.html", item=item, form=form)
