"""Two-factor sign-in: the code asked after a correct password, and a practitioner's own
set-up, switch-off and recovery codes.

The login view calls ``after_password`` before ``login_user``: a person with two-factor
on is not signed in yet; the session holds a pending marker for five minutes instead.
"""

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, user_logged_in
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from practice import access
from practice.db import commit
from practice.forms import PracticeForm, strip
from practice.services import PracticeError, accounts, audit
from practice.services import two_factor as service
from practice.signin import mark_signed_in

PENDING = "practice_two_factor_pending"
MUST_SET_UP = "practice_two_factor_must_set_up"
PENDING_SECONDS = 5 * 60

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


# --- signing in ---------------------------------------------------------------------


def after_password(user, next_url: str | None = None) -> str | None:
    """Where to go instead of signing in, or None to sign in now.

    With two-factor on, the person is not signed in yet: a pending marker waits for the code.
    """
    session.pop(PENDING, None)
    if not service.is_enabled(user):
        return None
    session[PENDING] = {"user": user.id, "at": int(time.time()), "next": next_url}
    return url_for("practice.two_factor.challenge")


def _end_pending(message: str):
    session.pop(PENDING, None)
    flash(message, "error")
    return redirect(url_for("practice.auth.login"))


@bp.route("/login/two-factor", methods=["GET", "POST"])
def challenge():
    from practice.auth.views import home_for

    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return redirect(url_for("practice.auth.login"))
    user = accounts.load_user(str(pending.get("user")))
    if user is None or not service.is_enabled(user):
        session.pop(PENDING, None)
        return redirect(url_for("practice.auth.login"))
    if int(time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        return _end_pending("That took longer than 5 minutes, so please sign in again.")
    if service.recent_wrong_codes(user) >= service.MAX_WRONG_CODES:
        return _end_pending(_TOO_MANY)
    form = ChallengeForm()
    if form.validate_on_submit():
        try:
            how = service.sign_in_with_code(user, form.code.data)
        except PracticeError as error:
            wrong = service.note_wrong_code(user)
            audit.record(
                "twofactor.failed",
                user=user,
                subject="user",
                subject_id=user.id,
                detail=f"wrong code {wrong} of {service.MAX_WRONG_CODES}",
            )
            commit()
            if wrong >= service.MAX_WRONG_CODES:
                return _end_pending(_TOO_MANY)
            form.add_error(error)
        else:
            if how == "recovery":
                left = service.recovery_codes_left(user)
                audit.record(
                    "twofactor.recovery_used",
                    user=user,
                    subject="user",
                    subject_id=user.id,
                    detail=f"{left} left",
                )
            commit()
            session.pop(PENDING, None)
            login_user(user)
            mark_signed_in()
            if how == "recovery":
                flash(_recovery_used_message(left), "info")
            return redirect(pending.get("next") or home_for(user))
    return render_template("practice/auth/two_factor_challenge.html", form=form)


_TOO_MANY = (
    "Too many wrong codes. To keep your account safe, please wait 15 minutes, then sign in again."
)


def _recovery_used_message(left: int) -> str:
    if left == 0:
        return "You used your last recovery code. Make new ones now under Two-factor."
    return f"You used a recovery code; {left} are left. You can make new ones under Two-factor."


# --- when the owner requires it -----------------------------------------------------

_ALLOWED_WHILE_SETTING_UP = {
    "practice.static",
    "practice.security.two_factor",
    "practice.auth.logout",
}


@user_logged_in.connect
def _note_set_up_required(_app, user, **_extra):
    """On every sign-in (password, invitation, first run): must this person set up first?"""
    if "practice" not in current_app.extensions:
        return
    if service.must_set_up(user):
        session[MUST_SET_UP] = user.id
    else:
        session.pop(MUST_SET_UP, None)


def send_to_set_up():
    """Before each request: a practitioner who must set up two-factor reaches only that."""
    if request.endpoint in _ALLOWED_WHILE_SETTING_UP or not current_user.is_authenticated:
        return None
    if session.get(MUST_SET_UP) != current_user.id:
        return None
    return redirect(url_for("practice.security.two_factor"))


def install(parent: Blueprint) -> None:
    parent.before_request(send_to_set_up)
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
    # The secret must outlive this page: the person scans it, then sends a code.
    commit()
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            codes = service.confirm(user, form.code.data)
        except PracticeError as error:
            form.add_error(error)
        else:
            audit.record("twofactor.enabled", user=user, subject="user", subject_id=user.id)
            commit()
            session.pop(MUST_SET_UP, None)
            return _show_codes(codes)
    uri = service.provisioning_uri(record, user, _issuer())
    return render_template(
        "practice/auth/two_factor_setup.html",
        form=form,
        secret=record.secret,
        qr=service.qr_svg(uri),
        required=session.get(MUST_SET_UP) == user.id,
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
            commit()
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
            commit()
            return _show_codes(codes)
    return _manage_page(regenerate_form=form)
