"""The owner's rule: every practitioner signs in with two-factor."""

from flask import flash, redirect, render_template, url_for
from wtforms import BooleanField

from practice.admin.views import bp
from practice.forms import PracticeForm
from practice.services import accounts, audit
from practice.services import two_factor as service


class RequirementForm(PracticeForm):
    require = BooleanField(
        "Every practitioner signs in with a code from an authenticator app",
        description=(
            "Practitioners without it are asked to set it up the next time they sign in, "
            "and can reach nothing else until they have."
        ),
    )


@bp.route("/two-factor", methods=["GET", "POST"])
def two_factor():
    profile = accounts.practice_profile()
    form = RequirementForm(data={"require": profile.require_two_factor})
    if form.validate_on_submit():
        if service.set_required(profile, form.require.data):
            audit.record(
                "twofactor.required_changed",
                subject="practice",
                subject_id=profile.id,
                detail="required" if form.require.data else "optional",
            )
        if form.require.data:
            flash("Two-factor sign-in is now required for every practitioner.", "success")
        else:
            flash("Two-factor sign-in is now each practitioner's choice.", "success")
        return redirect(url_for(".two_factor"))
    return render_template(
        "practice/admin/two_factor.html", form=form, staff=service.staff_status()
    )
