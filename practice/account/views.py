from flask import Blueprint, current_app, flash, redirect, render_template, url_for

from practice import access, session_store, signin
from practice.account.forms import PasswordChangeForm, TimezoneForm
from practice.forms import ActionForm
from practice.identity import current_user
from practice.services import PracticeError, accounts, clock

bp = Blueprint("account", __name__, url_prefix="/account")
access.for_signed_in(bp)


@bp.route("", methods=["GET", "POST"])
def index():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            signin.change_password(current_user, form.current_password.data, form.password.data)
        except PracticeError as error:
            form.add_error(error)
        else:
            flash("Your password is changed. You are signed out everywhere else.", "success")
            return redirect(url_for(".index"))
    return _account_page(form=form)


def _account_page(form=None, zone_form=None):
    if zone_form is None:
        zone_form = TimezoneForm(formdata=None, timezone=current_user.timezone)
    return render_template(
        "practice/account/index.html",
        form=form or PasswordChangeForm(formdata=None),
        zone_form=zone_form,
        zones=clock.zone_names(),
        practice_zone=current_app.config["PRACTICE_TIMEZONE"],
        action=ActionForm(),
        host=signin.host_for_page(url_for(".index")),
    )


@bp.post("/timezone")
def timezone():
    form = TimezoneForm()
    if form.validate_on_submit():
        try:
            chosen = accounts.set_timezone(current_user, form.timezone.data or "")
        except PracticeError as error:
            form.add_error(error)
        else:
            flash(f"Times are shown to you in {chosen} now.", "success")
            return redirect(url_for(".index"))
    return _account_page(zone_form=form)


@bp.post("/host-link")
def link_host():
    """Link this Practice person to the host account signed in on this browser too: both
    sign-ins prove it is the same person."""
    host = signin.host_for_page(url_for(".index"))
    if ActionForm().validate_on_submit() and host is not None and host.signed_in:
        try:
            accounts.link_to_host(current_user, signin.host_account_key())
        except PracticeError as error:
            flash(error.message, "error")
        else:
            flash(f"Signing in to {host.name} now signs you in here too.", "success")
    return redirect(url_for(".index"))


@bp.post("/host-link/remove")
def unlink_host():
    host = signin.host_for_page(url_for(".index"))
    if ActionForm().validate_on_submit() and host is not None:
        accounts.unlink_from_host(current_user)
        flash(f"You sign in here with your own password now, not through {host.name}.", "info")
    return redirect(url_for(".index"))


@bp.get("/devices")
def devices():
    """Where this person is signed in now, each of which they can end."""
    return render_template(
        "practice/account/devices.html",
        sign_ins=session_store.live_for(current_user),
        here=signin.current_sign_in(),
        action=ActionForm(),
    )


@bp.post("/devices/<int:sign_in_id>/end")
def end_device(sign_in):
    if ActionForm().validate_on_submit():
        if signin.end_sign_in(sign_in):
            flash("You are signed out.", "info")
            return redirect(url_for("practice.auth.login"))
        flash(f"Signed out on {sign_in.device}.", "success")
    return redirect(url_for(".devices"))


@bp.post("/devices/others/end")
def end_others():
    if ActionForm().validate_on_submit():
        ended = signin.end_other_sign_ins()
        if ended:
            flash(f"Signed out everywhere else ({ended} {_devices(ended)}).", "success")
        else:
            flash("You were not signed in anywhere else.", "info")
    return redirect(url_for(".devices"))


def _devices(count: int) -> str:
    return "device" if count == 1 else "devices"
