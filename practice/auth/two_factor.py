"""Two-factor pages: the code asked after a correct password, and a practitioner's own
set-up, switch-off and recovery codes. When a code is asked and what it proves is decided
in ``practice.signin``; these views only show its forms and answers.
"""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from practice import access, signin
from practice.forms import PracticeForm, strip
from practice.identity import current_user
from practice.services import PracticeError, accounts, audit
from practice.services import two_factor as service

# Sign-in's second step: reached between password and being signed in.
bp = Blueprint("two_factor", __name__)
# A practitioner's own two-factor settings.
account_bp = Blueprint("security", __name__, url_prefix="/account")
access.for_practitioners(account_bp)


def CodeField(label="Code from your app"):  # noqa: N802 - reads like a field class
    return StringField(
        label,
        filters=[strip],
        validators=[
            InputRequired("Enter the 6-digit code from your app."),
            Length(max=64, message="A code is 6 digits."),
        ],
    )


def PasswordCheckField():  # noqa: N802
    return PasswordField(
        "Your password",
        validators=[InputRequired("Enter your password."), Length(max=1024)],
    )


class ChallengeForm(PracticeForm):
    code = StringField(
        "Code from your app, or a recovery code",
        filters=[strip],
        validators=[
            InputRequired("Enter the code from your app, or a recovery code."),
            Length(max=64, message="A code is 6 digits; a recovery code is 10 letters and digits."),
        ],
    )


class ConfirmForm(PracticeForm):
    code = CodeField()


class DisableForm(PracticeForm):
    password = PasswordCheckField()
    code = CodeField()


class RegenerateForm(PracticeForm):
    # Its own name: the switch-off form on the same page has a "password" too.
    current_password = PasswordCheckField()


# --- signing in: the code step (the rules are practice.signin's) ----------------------


def _back_to_sign_in(ended: signin.PendingEnded):
    if str(ended):
        flash(str(ended), "error")
    return redirect(url_for("practice.auth.login"))


@bp.route("/login/two-factor", methods=["GET", "POST"])
def challenge():
    if current_user.is_authenticated:
        return redirect(signin.home_for(current_user))
    try:
        pending = signin.pending_sign_in()
    except signin.PendingEnded as ended:
        return _back_to_sign_in(ended)
    form = ChallengeForm()
    if form.validate_on_submit():
        try:
            left = signin.check_code(pending, form.code.data)
        except signin.PendingEnded as ended:
            return _back_to_sign_in(ended)
        except PracticeError as error:
            form.add_error(error)
        else:
            signin.start(pending.user, from_host=pending.from_host)
            if left is not None:
                flash(_recovery_used_message(left), "info")
            return redirect(pending.next_url or signin.home_for(pending.user))
    return render_template("practice/auth/two_factor_challenge.html", form=form)


def _recovery_used_message(left: int) -> str:
    if left == 0:
        return "You used your last recovery code. Make new ones now under Two-factor."
    return f"You used a recovery code; {left} are left. You can make new ones under Two-factor."


def install(parent: Blueprint) -> None:
    parent.before_request(signin.send_to_set_up)
    parent.register_blueprint(bp)
    parent.register_blueprint(account_bp)


# --- a practitioner's own settings --------------------------------------------------


def _issuer() -> str:
    profile = accounts.practice_profile()
    return profile.name if profile else current_app.config["PRACTICE_NAME"]


def _show_codes(codes: list[str]):
    return render_template("practice/auth/two_factor_codes.html", codes=codes)


def _manage_page(disable_form=None, regenerate_form=None, status=200):
    return (
        render_template(
            "practice/auth/two_factor_manage.html",
            disable_form=disable_form or DisableForm(formdata=None),
            regenerate_form=regenerate_form or RegenerateForm(formdata=None),
            codes_left=service.recovery_codes_left(current_user),
            required=service.required_for(current_user),
        ),
        status,
    )


@account_bp.route("/two-factor", methods=["GET", "POST"])
def two_factor():
    user = current_user._get_current_object()
    if service.is_enabled(user):
        return _manage_page()
    record = service.pending_secret(user)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            codes = service.confirm(user, form.code.data)
        except PracticeError as error:
            form.add_error(error)
        else:
            audit.record("twofactor.enabled", user=user, subject="user", subject_id=user.id)
            signin.set_up_done()
            return _show_codes(codes)
    uri = service.provisioning_uri(record, user, _issuer())
    return render_template(
        "practice/auth/two_factor_setup.html",
        form=form,
        secret=record.secret,
        qr=service.qr_svg(uri),
        required=signin.must_set_up_now(user),
    )


@account_bp.post("/two-factor/off")
def disable():
    user = current_user._get_current_object()
    if not service.is_enabled(user):
        return redirect(url_for(".two_factor"))
    form = DisableForm()
    if form.validate_on_submit():
        try:
            service.disable(user, form.password.data, form.code.data)
        except PracticeError as error:
            form.add_error(error)
        else:
            audit.record("twofactor.disabled", user=user, subject="user", subject_id=user.id)
            flash("Two-factor sign-in is off. Your password alone signs you in now.", "info")
            return redirect(url_for(".two_factor"))
    return _manage_page(disable_form=form)


@account_bp.post("/two-factor/recovery-codes")
def recovery_codes():
    user = current_user._get_current_object()
    if not service.is_enabled(user):
        return redirect(url_for(".two_factor"))
    form = RegenerateForm()
    if form.validate_on_submit():
        try:
            codes = service.regenerate(user, form.current_password.data, field="current_password")
        except PracticeError as error:
            form.add_error(error)
        else:
            return _show_codes(codes)
    return _manage_page(regenerate_form=form)
