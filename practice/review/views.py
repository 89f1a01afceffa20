from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from practice import access, autosave
from practice.identity import current_user
from practice.review.forms import FeedbackForm
from practice.services import PracticeError
from practice.services import review as review_service

bp = Blueprint("review", __name__, url_prefix="/review")
# Registered before the audience check, which would answer an autosave with the sign-in page.
bp.before_request(autosave.needs_its_author)
access.for_practitioners(bp)

FEEDBACK_FIELDS = ("feedback", "mark_reviewed", "flag_for_session")


@bp.get("/")
def queue():
    items, total = review_service.queue(current_user, current_app.config["PRACTICE_PAGE_SIZE"])
    return render_template("practice/review/queue.html", items=items, total=total)


@bp.route("/<int:reflection_id>", methods=["GET", "POST"])
@autosave.keeps_drafts(*FEEDBACK_FIELDS)
def reflection(reflection):
    item = reflection
    key = autosave.draft_key()
    if request.method == "POST" and autosave.from_script():
        return autosave.keep_draft(FEEDBACK_FIELDS, key)
    draft = autosave.kept_draft(key) if request.method == "GET" else None
    form = FeedbackForm(formdata=autosave.draft_formdata(draft)) if draft else FeedbackForm()
    if request.method == "GET" and draft is None:
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
            autosave.end_draft(key)
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
    last = item.feedback[-1].created_at if item.feedback else None
    return render_template(
        "practice/review/reflection.html",
        item=item,
        form=form,
        **autosave.autosaving(key, draft, last),
    )
