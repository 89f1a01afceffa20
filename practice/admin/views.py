from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from practice import access
from practice.admin.forms import PolicyWordingForm, PractitionerForm
from practice.db import session as db_session
from practice.forms import ActionForm
from practice.models import Role, User
from practice.services import PracticeError, accounts, agreements, audit

bp = Blueprint("admin", __name__, url_prefix="/admin")
access.for_owner(bp)


def _remember_link(user: User, token: str) -> None:
    links = session.get("practice_links", {})
    links[str(user.id)] = url_for("practice.auth.invitation", token=token, _external=True)
    session["practice_links"] = links


@bp.route("/practitioners", methods=["GET", "POST"])
def practitioners():
    form = PractitionerForm()
    if form.validate_on_submit():
        try:
            user, token = accounts.add_practitioner(
                form.name.data, form.email.data, form.credentials.data or ""
            )
        except PracticeError as error:
            form.add_error(error)
        else:
            _remember_link(user, token)
            flash(f"{user.name} is added. Send them the invitation link below.", "success")
            return redirect(url_for(".practitioners"))
    staff = db_session.scalars(
        select(User).where(User.role.in_([Role.OWNER, Role.PRACTITIONER])).order_by(User.name)
    ).all()
    links = session.pop("practice_links", {})
    return render_template(
        "practice/admin/practitioners.html",
        form=form,
        staff=staff,
        links=links,
        action=ActionForm(),
    )


@bp.post("/practitioners/<int:user_id>/invitation")
def reinvite(practitioner):
    user = practitioner
    if ActionForm().validate_on_submit():
        token = accounts.issue_invitation(user)
        _remember_link(user, token)
        flash(f"A new invitation link for {user.name}; earlier links no longer work.", "success")
    return redirect(url_for(".practitioners"))


@bp.post("/practitioners/<int:user_id>/disable")
def disable(practitioner):
    """The practitioner signs in no more, and is signed out everywhere at once."""
    if ActionForm().validate_on_submit():
        accounts.disable(practitioner)
        flash(
            f"{practitioner.name} can no longer sign in, and is signed out everywhere.", "success"
        )
    return redirect(url_for(".practitioners"))


@bp.post("/practitioners/<int:user_id>/enable")
def enable(practitioner):
    if ActionForm().validate_on_submit():
        accounts.enable(practitioner)
        flash(f"{practitioner.name} can sign in again.", "success")
    return redirect(url_for(".practitioners"))


@bp.route("/policies", methods=["GET", "POST"])
def policies():
    """The practice's wording of each confidentiality policy, offered to new couples."""
    current = agreements.wordings()
    form = PolicyWordingForm(
        data=None
        if request.method == "POST"
        else {agreements.field_name(kind): text for kind, text in current.items()}
    )
    if form.validate_on_submit():
        texts = {kind: form[agreements.field_name(kind)].data or "" for kind in current}
        try:
            changed = agreements.save_wordings(texts, current_user)
        except PracticeError as error:
            form.add_error(error)
        else:
            for kind in changed:
                audit.record("policy.wording_changed", subject="policy", detail=kind)
            flash(
                "The policies are saved. New couples get these words; couples already on a "
                "caseload keep the words they agreed to."
                if changed
                else "Nothing changed.",
                "success",
            )
            return redirect(url_for(".policies"))
    return render_template(
        "practice/admin/policies.html",
        form=form,
        fields=[(agreements.label(kind), form[agreements.field_name(kind)]) for kind in current],
        limit=agreements.POLICY_TEXT_LENGTH,
    )
