from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from practice import signin
from practice.access import found
from practice.auth.forms import (
    AgreementInvitationForm,
    ForgotPasswordForm,
    InvitationForm,
    LoginForm,
    ResetPasswordForm,
    SetupForm,
)
from practice.forms import ActionForm
from practice.identity import current_user
from practice.services import PracticeError, accounts, agreements
from practice.services.throttle import client_address
from practice.signin import home_for

bp = Blueprint("auth", __name__)


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
            signin.start(owner)
            flash(
                "Your practice is ready. Add practitioners, or create your first couple.", "success"
            )
            return redirect(home_for(owner))
    return render_template("practice/auth/setup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if not accounts.has_owner():
        return redirect(url_for(".setup"))
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = signin.check_credentials(form.email.data, form.password.data)
        except PracticeError as error:
            form.add_error(error)
        else:
            return redirect(signin.after_password(user, signin.safe_next(request.args.get("next"))))
    return render_template(
        "practice/auth/login.html",
        form=form,
        host=signin.host_for_page(signin.safe_next(request.args.get("next"))),
    )


@bp.post("/logout")
def logout():
    if ActionForm().validate_on_submit():
        signin.sign_out()
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
            return _after_new_password(user, f"Welcome, {user.name}. Your password is set.")
    return render_template(
        "practice/auth/invitation.html",
        form=form,
        invite=invite,
        couple=partner.couple if asks_agreement else None,
        policy_label=agreements.label(partner.couple.policy_kind) if asks_agreement else "",
        sharing_words=agreements.sharing_words(partner.couple) if asks_agreement else "",
    )


CODE_NEXT = "Your password is set. To finish signing in, enter the code from your app."


def _after_new_password(user, welcome: str):
    """A password set through a link signs in as a typed one does: with two-factor on,
    only after the code (or a recovery code)."""
    target = signin.after_password(user)
    if signin.awaiting_code():
        flash(CODE_NEXT, "info")
    else:
        flash(welcome, "success")
    return redirect(target)


RESET_ANSWER = (
    "If an account uses that e-mail, a link to choose a new password is on its way. "
    "It works once, within the hour. Nothing there? Check the spam folder, or ask your "
    "practitioner."
)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            # The mail, if any, is queued with the token and sent after the response.
            accounts.request_password_reset(form.email.data, client_address())
        except PracticeError as error:
            form.add_error(error)
        else:
            flash(RESET_ANSWER, "info")
            return redirect(url_for(".login"))
    return render_template("practice/auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    reset = found(accounts.find_password_reset(token))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(reset, form.password.data)
        except PracticeError as error:
            form.add_error(error)
        else:
            return _after_new_password(user, "Your new password is set, and you are signed in.")
    return render_template("practice/auth/reset.html", form=form, reset=reset)
