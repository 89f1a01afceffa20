from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from practice import access, signin
from practice.account.forms import PasswordChangeForm
from practice.services import PracticeError

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
            signin.keep_this_session()
            flash("Your password is changed. You are signed out everywhere else.", "success")
            return redirect(url_for(".index"))
    return render_template("practice/account/index.html", form=form)
