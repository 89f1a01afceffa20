from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from practice import access
from practice.account.forms import PasswordChangeForm
from practice.db import commit
from practice.services import PracticeError, accounts
from practice.services.throttle import client_address
from practice.signin import keep_this_session

bp = Blueprint("account", __name__, url_prefix="/account")
access.for_signed_in(bp)


@bp.route("", methods=["GET", "POST"])
def index():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current_password.data, form.password.data, client_address()
            )
        except PracticeError as error:
            commit()  # a wrong current password counts towards the sign-in throttle
            form.add_error(error)
        else:
            commit()
            keep_this_session()
            flash("Your password is changed. You are signed out everywhere else.", "success")
            return redirect(url_for(".index"))
    return render_template("practice/account/index.html", form=form)
