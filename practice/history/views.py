"""The practitioner's history of a couple, a reflection reread, and the searches.

Whether the practitioner may reach a couple or a reflection is settled before the view
(``practice.access``); what the lists hold is what ``practice.privacy`` lets them read.
"""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from practice import access, privacy
from practice.history.forms import (
    CaseloadSearchForm,
    HistoryFilterForm,
    RecordSearchForm,
    number,
)
from practice.identity import current_user
from practice.paging import Page, page_number
from practice.services import clock, history, search

bp = Blueprint("history", __name__)
access.for_practitioners(bp)


def _own_history(couple):
    # The loader found the couple on this practitioner's caseload; privacy has the last word.
    if not privacy.may_read_history(current_user, couple):
        abort(404)


def _args(form) -> dict:
    """The form's values for the pager's links."""
    return {f.name: f.data for f in form if f.data not in (None, "")}


@bp.get("/couples/<int:couple_id>/history")
def couple(couple):
    _own_history(couple)
    form = HistoryFilterForm(couple, len(couple.program.steps), formdata=request.args)
    per_page = current_app.config["PRACTICE_PAGE_SIZE"]
    entries = Page(per_page=per_page)
    if form.validate():
        zone = clock.zone(current_user.timezone)
        entries = history.history(current_user, couple, form.filters(zone), page_number(), per_page)
    exercise = number(form.exercise.data) if not form.exercise.errors else None
    return render_template(
        "practice/history/couple.html",
        couple=couple,
        form=form,
        entries=entries,
        partners={p.id: p for p in couple.partners},
        exercise_title=history.exercise_title(couple, exercise) if exercise else None,
        search_form=RecordSearchForm(formdata=None),
        filter_args=_args(form),
        part_title=history.part_title,
    )


@bp.get("/couples/<int:couple_id>/history/partners/<int:partner_id>/exercise")
def exercise(couple, partner):
    """The progress table's cell: the partner's reflection on one exercise (the newest, with
    the others one link away)."""
    _own_history(couple)
    exercise_id = request.args.get("exercise", type=int)
    if exercise_id is None or not access.in_range(exercise_id):
        abort(404)
    newest, more = history.latest_reflection(current_user, couple, partner.id, exercise_id)
    if newest is None:
        abort(404)
    if more:
        return redirect(
            url_for(".couple", couple_id=couple.id, partner=partner.id, exercise=exercise_id)
        )
    return redirect(url_for(".reflection", reflection_id=newest))


@bp.get("/history/reflections/<int:reflection_id>")
def reflection(reflection):
    """A submitted reflection as it was submitted, with its feedback: reviewed or not."""
    couple = reflection.assignment.couple
    _own_history(couple)
    return render_template(
        "practice/history/reflection.html",
        item=reflection,
        couple=couple,
        feedback=privacy.feedback_for(current_user, reflection),
    )


@bp.get("/couples/<int:couple_id>/history/search")
def search_record(couple):
    _own_history(couple)
    form = RecordSearchForm(formdata=request.args if request.args else None)
    per_page = current_app.config["PRACTICE_PAGE_SIZE"]
    found = None
    if request.args and form.validate():
        found = history.search_record(
            current_user, couple, form.q.data, page_number(), per_page, form.kind.data or None
        )
    return render_template(
        "practice/history/search.html",
        couple=couple,
        form=form,
        found=found,
        partners={p.id: p for p in couple.partners},
        filter_args=_args(form),
        part_title=history.part_title,
    )


@bp.get("/search")
def caseload():
    steps = search.steps_offered()
    form = CaseloadSearchForm(steps, formdata=request.args if request.args else None)
    per_page = current_app.config["PRACTICE_PAGE_SIZE"]
    results = None
    if request.args and form.validate() and not form.query().is_empty:
        results = search.caseload_search(current_user, form.query(), page_number(), per_page)
    return render_template(
        "practice/history/caseload.html",
        form=form,
        results=results,
        asked=bool(request.args),
        filter_args=_args(form),
    )
