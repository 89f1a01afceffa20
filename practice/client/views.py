"""The client's own pages: what is due, doing an exercise, reading reflections, handouts."""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from practice import access, autosave, downloads, privacy
from practice.client.forms import AgreementForm, reflection_form
from practice.identity import current_user
from practice.services import PracticeError, agreements, clock, pacing, safety
from practice.services import checkins as checkin_service
from practice.services import disclosure as disclosure_service
from practice.services import reflections as reflection_service
from practice.services import sessions as session_service
from practice.services.assignments import current_occurrence, occurrence_due
from practice.web import practice_name

bp = Blueprint("client", __name__, url_prefix="/my")
# Registered before the audience check, which would answer with a redirect to sign in.
bp.before_request(autosave.needs_its_author)
access.for_clients(bp)


def draft_key(assignment_id: int, occurrence) -> str:
    """Where the browser keeps text not yet saved: one key per person, exercise, occurrence,
    so a partner using the same device never gets the other's words."""
    return f"practice-draft:{current_user.id}:{assignment_id}:{occurrence.isoformat()}"


@bp.context_processor
def _client_helpers():
    return {"draft_key": draft_key}


def _partner():
    return current_user.partner


@bp.get("/")
def home():
    partner = _partner()
    agenda = reflection_service.agenda(partner, clock.today_for(current_user))
    shared = reflection_service.shared_by_partner(partner, limit=5, titles_only=True)
    steps = pacing.pace(partner.couple)
    # Work from a step that has not opened yet waits there, rather than in "To do".
    waiting = [i for i in agenda.due if i.assignment.step_position > steps.open_step]
    agenda.due = [i for i in agenda.due if i.assignment.step_position <= steps.open_step]
    return render_template(
        "practice/client/home.html",
        handouts=session_service.handout_sessions(partner, limit=10),
        partner=partner,
        agenda=agenda,
        steps=steps,
        waiting=waiting,
        shared=shared,
        today=clock.today_for(current_user),
        disclosure=disclosure_service.next_for(partner),
        checkin=checkin_service.home_panel(partner),
        agreement_changed=agreements.needs_agreement(partner),
        screen_offered=safety.screen_offered(partner),
    )


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
def assignment(assignment):
    partner = _partner()
    item = assignment
    today = clock.today_for(current_user)
    occurrence = current_occurrence(item, today)
    existing = reflection_service.reflection_for(partner, item, occurrence) if occurrence else None
    locked = not pacing.is_open(partner.couple, item.step_position)
    if request.method == "GET" and existing is not None and existing.is_submitted:
        return redirect(url_for(".reflection", reflection_id=existing.id))
    if request.method == "POST":
        form = reflection_form(item, formdata=request.form)
    elif existing is not None:
        data = {f"answer_{i}": a for i, a in enumerate(existing.answers)}
        data |= {f"rating_{k}": v for k, v in existing.ratings.items()}
        form = reflection_form(
            item, formdata=None, shared_with_partner=privacy.author_shared(existing), **data
        )
    else:
        form = reflection_form(item, formdata=None)

    if request.method == "POST" and autosave.from_script():
        return _autosave(partner, item, form, today)
    if request.method == "POST" and form.validate():
        submit = request.form.get("action") == "submit"
        try:
            reflection, outcome = _save(partner, item, form, today, submit=submit)
        except PracticeError as error:
            for each in getattr(error, "each", [error]):
                form.add_error(each)
        else:
            if outcome == "already-submitted":
                flash(autosave.ALREADY_SUBMITTED, "info")
                return redirect(url_for(".reflection", reflection_id=reflection.id))
            if outcome == "submitted":
                held = privacy.reflection_release(reflection).waiting
                if privacy.answered_alone(item) and held:
                    after = (
                        " It waits for your practitioner: when your partner has submitted too "
                        "and your practitioner has released both, you will both see both answers."
                    )
                elif privacy.answered_alone(item):
                    after = " When your partner has submitted too, you will both see both answers."
                elif held:
                    after = (
                        " It waits for your practitioner: your partner sees nothing of it until "
                        "your practitioner releases it."
                    )
                elif privacy.sharing_of(reflection) == privacy.Sharing.SHARED:
                    after = " Your partner can read it too."
                else:
                    after = " It stays private to you and your practitioner."
                flash("Submitted. Your practitioner will read it." + after, "success")
                if safety.needs_help_now(*reflection.answers):
                    flash(safety.HELP_AFTER, "info")
                    return redirect(url_for("practice.safety.help_now"))
                return redirect(url_for(".home"))
            flash(f"Draft saved at {autosave.time_now()}.", "success")
            return redirect(url_for(".assignment", assignment_id=item.id))
    return render_template(
        "practice/client/assignment.html",
        item=item,
        form=form,
        draft=existing,
        saved_at=int(existing.updated_at.timestamp() * 1000) if existing else 0,
        occurrence=occurrence,
        due=occurrence_due(item, occurrence) if occurrence else None,
        locked=locked,
        guidance=pacing.step_guidance(partner.couple, item.step_position),
        sharing=privacy.sharing_on(partner.couple),
    )


def _save(partner, item, form, today, *, submit: bool):
    """The form's answers to the service: one place for pages and autosave alike."""
    pacing.check_doable(partner.couple, item)
    return reflection_service.save(
        partner,
        item,
        answers=[field.data or "" for field in form.prompt_fields],
        ratings={f.name.removeprefix("rating_"): f.data for f in form.rating_fields},
        shared=form.shared_with_partner.data,
        submit=submit,
        today=today,
    )


def _autosave(partner, item, form, today):
    """Save a draft for practice.js: {"saved": "HH:MM"}, or 422 with the errors by field."""
    if form.validate():
        try:
            reflection, outcome = _save(partner, item, form, today, submit=False)
        except PracticeError as error:
            form.add_error(error)
        else:
            if outcome == "already-submitted":
                url = url_for(".reflection", reflection_id=reflection.id)
                return autosave.already_submitted(reflection=url)
            return autosave.saved(reflection.updated_at)
    return autosave.refused(form)


@bp.get("/reflections/<int:reflection_id>")
def reflection(reflection):
    partner = _partner()
    own = reflection.author_id == partner.id
    return render_template(
        "practice/client/reflection.html",
        item=reflection,
        own=own,
        feedback=privacy.feedback_for(current_user, reflection),
        reveal=privacy.reveal_for(partner, reflection) if own else None,
        sharing=privacy.sharing_on(partner.couple),
    )


@bp.get("/shared")
def shared():
    partner = _partner()
    items = reflection_service.shared_by_partner(partner)
    return render_template(
        "practice/client/shared.html",
        items=items,
        partner=partner,
        sharing=privacy.sharing_on(partner.couple),
    )


@bp.get("/handouts/<int:session_id>/pdf")
def handout(note):
    """The partner's own handout for a signed session: homework and their feedback only."""
    return downloads.handout(
        note,
        _partner(),
        practice_name(),
        current_user,
        with_own_reflections=request.args.get("reflections") == "1",
    )


@bp.route("/agreement", methods=["GET", "POST"])
def agreement():
    """The couple's agreement as it stands; agreed again once the practitioner changed how
    shares reach the other partner (the earlier agreement stays in the audit log)."""
    partner = _partner()
    changed = agreements.needs_agreement(partner)
    form = AgreementForm()
    if changed and form.validate_on_submit():
        agreements.agree(partner)
        flash("Thank you. Your agreement is saved.", "success")
        return redirect(url_for(".home"))
    return render_template(
        "practice/client/agreement.html",
        form=form,
        couple=partner.couple,
        changed=changed,
        policy_label=agreements.label(partner.couple.policy_kind),
        sharing_words=agreements.sharing_words(partner.couple),
    )
