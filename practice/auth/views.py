from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from practice.access import found
from practice.auth.forms import AgreementInvitationForm, InvitationForm, LoginForm, SetupForm
from practice.db import commit
from practice.forms import ActionForm
from practice.services import PracticeError, accounts, agreements
from practice.signin import mark_signed_in

bp = Blueprint("auth", __name__)


def home_for(user) -> str:
    if user.is_client:
        return url_for("practice.client.home")
    return url_for("practice.caseload.dashboard")


@bp.get("/")
def index():
    if not accounts.has_owner():
        return redirect(url_for(".setup"))
    if not current_user.is_authenticated:
        return redirect(url_for(".login"))
    return redirect(home_for(current_user))


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    if accounts.has_owner():
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        try:
            owner = accounts.create_owner(
                form.practice_name.data, form.name.data, form.email.data, form.password.data
            )
        except PracticeError as error:
            form.add_error(error)
        else:
            commit()
            login_user(owner)
            mark_signed_in()
            flash(
                "Your practice is ready. Add practitioners, or create your first couple.", "success"
            )
            return redirect(home_for(owner))
    return render_template("practice/auth/setup.html", form=form)


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if not accounts.has_owner():
        return redirect(url_for(".setup"))
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append("That e-mail and password do not match an account.")
        else:
            login_user(user)
            mark_signed_in()
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
    return render_template("practice/auth/login.html", form=form)


@bp.post("/logout")
def logout():
    if ActionForm().validate_on_submit():
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for(".login"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):
    invite = found(accounts.find_invitation(token))
    partner = invite.user.partner
    asks_agreement = agreements.needs_agreement(partner)
    form = AgreementInvitationForm() if asks_agreement else InvitationForm()
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(
                invite, form.password.data, agreed=asks_agreement and form.agree.data
            )
        except PracticeError as error:
            form.add_error(error)
        else:
            commit()
            logout_user()
            login_user(user)
            mark_signed_in()
            flash(f"Welcome, {user.name}. Your password is set.", "success")
            return redirect(home_for(user))
    return render_template(
        "practice/auth/invitation.html",
        form=form,
        invite=invite,
        couple=partner.couple if asks_agreement else None,
        policy_label=agreements.label(partner.couple.policy_kind) if asks_agreement else "",
    )
