"""The assign page: for the couple page, and as homework set from a session note."""

from flask import flash, redirect, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from practice.caseload.forms import AssignForm
from practice.db import session as db_session
from practice.forms import options
from practice.identity import current_user
from practice.models import BOTH, Step
from practice.services import PracticeError, assignments, clock, pacing


def assign_page(couple, done_url: str, set_in=None):
    """The assign form, for the couple page or as homework set in a session."""
    steps = db_session.scalars(
        select(Step)
        .where(Step.program_id == couple.program_id)
        .options(selectinload(Step.exercises))
        .order_by(Step.position)
    ).all()
    form = AssignForm()
    form.exercises.choices = options((e.id, e.title) for s in steps for e in s.exercises)
    form.audience.choices = options(
        [
            ("as-written", "As each exercise is written"),
            (BOTH, "Both partners"),
            *[(r["key"], f"Only the {r['label'].lower()}") for r in couple.program.roles],
        ]
    )
    open_now = assignments.already_open(couple)
    if form.validate_on_submit():
        chosen = [e for s in steps for e in s.exercises if e.id in set(form.exercises.data)]
        again = [e.title for e in chosen if e.id in open_now]
        try:
            if again and not form.assign_again.data:
                raise PracticeError(
                    f"{_listed(again)} {'is' if len(again) == 1 else 'are'} already open for "
                    f"{couple.name}. Tick “Assign again what is already open” to give "
                    f"{'it' if len(again) == 1 else 'them'} a second time, or leave "
                    f"{'it' if len(again) == 1 else 'them'} out.",
                    "exercises",
                )
            made = assignments.assign(
                couple,
                chosen,
                audience=form.audience.data,
                repeat=form.repeat.data,
                due_on=form.due_on.data,
                note=form.note.data or "",
                by=current_user,
                today=clock.today_for(current_user),
                set_in=set_in,
            )
        except PracticeError as error:
            form.add_error(error)
        else:
            flash(
                f"Assigned {len(made)} exercise{'s' if len(made) != 1 else ''} to {couple.name}.",
                "success",
            )
            return redirect(done_url)
    open_step = request.args.get("step", type=int) or couple.current_step
    return render_template(
        "practice/caseload/assign.html",
        couple=couple,
        steps=steps,
        form=form,
        open_step=open_step,
        paced_step=pacing.open_step(couple),
        open_now=open_now,
        set_in=set_in,
        done_url=done_url,
    )


def _listed(titles: list[str]) -> str:
    quoted = [f"“{t}”" for t in titles]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
