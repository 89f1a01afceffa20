"""Release through the practitioner, on the couple's page: the couple's setting, and what
waits for the practitioner's release."""

from flask import flash, redirect, url_for

from practice import privacy
from practice.caseload.forms import ReleaseSettingForm
from practice.caseload.views import bp
from practice.identity import current_user
from practice.services import agreements
from practice.services import reflections as reflection_service


def release_panel(couple) -> dict:
    """What the couple page's release line shows; two queries at most, one couple's rows."""
    total, oldest = reflection_service.waiting_for_release(couple)
    wait = privacy.releases_through_practitioner(couple)
    form = ReleaseSettingForm(formdata=None, release="through-practitioner" if wait else "at-once")
    return {
        "total": total,
        "oldest": oldest,
        "form": form,
        "to_agree": [p for p in couple.partners if p.agreed_at and agreements.needs_agreement(p)],
        "agreed": [(p, agreements.agreed_sharing_words(p)) for p in couple.partners if p.agreed_at],
    }


@bp.context_processor
def _release_helpers():
    return {"release_panel": release_panel}


@bp.post("/couples/<int:couple_id>/release-setting")
def release_setting(couple):
    form = ReleaseSettingForm()
    if form.validate_on_submit():
        wait = form.release.data == "through-practitioner"
        if reflection_service.set_release_setting(couple, wait, current_user):
            flash(
                "Saved. What the partners share from now on "
                + ("waits for your release." if wait else "goes to the other partner at once.")
                + " Each partner is asked to agree to the changed words on their next visit.",
                "success",
            )
    else:
        flash(" ".join(form.release.errors) or "Choose how shares reach the partner.", "error")
    return redirect(url_for(".couple", couple_id=couple.id, _anchor="release-heading"))
