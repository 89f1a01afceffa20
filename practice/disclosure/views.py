from flask import Blueprint, flash, redirect, render_template, request, url_for

from practice import access, autosave, privacy
from practice.db import refuse
from practice.disclosure.forms import AfterReadingForm, PartForm, ReleaseForm
from practice.forms import ActionForm
from practice.identity import current_user
from practice.services import PracticeError, safety
from practice.services import disclosure as disclosure_service

# --- the practitioner's side -------------------------------------------------------------

bp = Blueprint("disclosure", __name__, url_prefix="/couples/<int:couple_id>/disclosure")
access.for_practitioners(bp)


@bp.get("/")
def overview(couple):
    disclosure = disclosure_service.for_couple(couple.id)
    return render_template(
        "practice/disclosure/couple.html",
        couple=couple,
        disclosure=disclosure,
        parts=disclosure_service.states(disclosure) if disclosure else [],
        specs=disclosure_service.PARTS,
        spec=disclosure_service.spec,
        action=ActionForm(),
        readings=safety.readings_of(couple, current_user) if disclosure else {},
        feelings=safety.FEELINGS,
    )


@bp.post("/start")
def start(couple):
    if ActionForm().validate_on_submit():
        try:
            disclosure_service.start(couple, current_user)
        except PracticeError as error:
            refuse()
            flash(error.message, "error")
        else:
            flash(
                "The disclosure has started. The partner in recovery can now write part 1.",
                "success",
            )
    return redirect(url_for(".overview", couple_id=couple.id))


@bp.route("/parts/<int:position>", methods=["GET", "POST"])
def part(couple, part):
    """Read a submitted part, keep a private note on it, and release it."""
    item = part
    form = ReleaseForm()
    if request.method == "GET":
        form.comment.data = item.comment
    if form.validate_on_submit():
        releasing = (
            request.form.get("action") == "release" and not privacy.release_of(item).released
        )
        try:
            if releasing:
                disclosure_service.release(item, current_user, form.visibility.data or "", couple)
            disclosure_service.comment(item, form.comment.data or "")
        except PracticeError as error:
            form.add_error(error)
        else:
            if releasing and privacy.release_of(item).in_app:
                flash("Released: their partner can read it in the app.", "success")
            elif releasing:
                flash("Released for session: their partner will not see it in the app.", "success")
            else:
                flash("Your note is saved.", "success")
            return redirect(url_for(".overview", couple_id=couple.id))
    return render_template(
        "practice/disclosure/part.html",
        couple=couple,
        item=item,
        spec=disclosure_service.spec(item),
        form=form,
    )


# --- the partners' side ------------------------------------------------------------------

client_bp = Blueprint("my_disclosure", __name__, url_prefix="/my/disclosure")
# Before the audience check, which would answer an ended session with the sign-in page.
client_bp.before_request(autosave.needs_its_author)
access.for_clients(client_bp)


def draft_key(position: int) -> str:
    """Where practice.js keeps unsaved text: per person and part, never shared on a device."""
    return f"practice-draft:{current_user.id}:disclosure:{position}"


@client_bp.context_processor
def _helpers():
    return {"draft_key": draft_key}


@client_bp.get("/")
def home():
    partner = current_user.partner
    disclosure = disclosure_service.for_couple(partner.couple_id)
    parts = (
        disclosure_service.client_view(partner, disclosure, partner.couple) if disclosure else []
    )
    return render_template("practice/disclosure/home.html", parts=parts, disclosure=disclosure)


@client_bp.route("/parts/<int:position>", methods=["GET", "POST"])
def part_for_client(part):
    partner = current_user.partner
    item, position = part, part.position
    disclosure = item.disclosure
    writable = item.author_id == partner.id and not item.is_submitted
    readable = privacy.may_read_part(current_user, item)
    reading = safety.reading_of(partner, item) if _for_reading(partner, item) else None
    if request.method == "GET" and _for_reading(partner, item) and reading is None:
        return redirect(url_for(".before_reading", position=position))
    if request.method == "POST" and not writable:
        if item.author_id != partner.id:
            access.found(None)
        if autosave.from_script():
            return autosave.already_submitted()
        flash(autosave.ALREADY_SUBMITTED, "info")
        return redirect(url_for(".part_for_client", position=position))
    form = PartForm() if request.method == "POST" else PartForm(formdata=None, text=item.text)
    if request.method == "POST":
        submit = request.form.get("action") == "submit" and not autosave.from_script()
        if form.validate():
            try:
                outcome = disclosure_service.save(
                    partner, item, form.text.data or "", submit=submit
                )
            except PracticeError as error:
                form.add_error(error)
            else:
                if autosave.from_script():
                    return autosave.saved(item.saved_at)
                if outcome == "submitted":
                    flash("Submitted. Your practitioner will read it first.", "success")
                    if safety.needs_help_now(item.text):
                        flash(safety.HELP_AFTER, "info")
                        return redirect(url_for("practice.safety.help_now"))
                    return redirect(url_for(".home"))
                flash(f"Draft saved at {autosave.time_now()}.", "success")
                return redirect(url_for(".part_for_client", position=position))
        if autosave.from_script():
            return autosave.refused(form)
    previous = next((p for p in disclosure.parts if p.position == position - 1), None)
    return render_template(
        "practice/disclosure/write.html",
        item=item,
        spec=disclosure_service.spec(item),
        mine=item.author_id == partner.id,
        writable=writable,
        readable=readable,
        form=form,
        saved_at=_saved_at(item),
        # The part being answered, when its author's words are this writer's to read.
        previous=previous if writable and _answering(previous, partner) else None,
        previous_in_session=writable
        and _answering(previous, partner, readable=False)
        and not privacy.release_of(previous).in_app,
        in_session=disclosure_service.IN_SESSION,
        reading=reading,
        after_form=_after_form(reading),
    )


# --- reading the other partner's part: a page before, a check-in after -------------------


def _for_reading(partner, part) -> bool:
    """The other partner's part, theirs to read here: the one that gets a page before it."""
    return part.author_id != partner.id and privacy.may_read_part(partner.user, part)


def _after_form(reading, formdata=None) -> AfterReadingForm:
    if formdata is not None:
        return AfterReadingForm(formdata=formdata)
    answered = reading is not None and reading.answered_at is not None
    return AfterReadingForm(
        formdata=None,
        feeling=reading.feeling if answered else None,
        note=reading.note if answered else "",
    )


@client_bp.route("/parts/<int:position>/before", methods=["GET", "POST"])
def before_reading(part):
    """What to expect, that they can stop, and who to contact, before the part itself."""
    partner = current_user.partner
    if not _for_reading(partner, part):
        access.found(None)
    form = ActionForm()
    if form.validate_on_submit():
        safety.prepared(partner, part)
        return redirect(url_for(".part_for_client", position=part.position))
    return render_template(
        "practice/disclosure/before.html",
        item=part,
        spec=disclosure_service.spec(part),
        form=form,
        resources=safety.crisis_resources(),
    )


@client_bp.post("/parts/<int:position>/after")
def after_reading(part):
    """How the partner is after reading: a small private answer for the practitioner."""
    partner = current_user.partner
    if not _for_reading(partner, part):
        access.found(None)
    form = _after_form(None, request.form)
    if form.validate():
        try:
            safety.answer_after_reading(partner, part, form.feeling.data, form.note.data or "")
        except PracticeError as error:
            form.add_error(error)
        else:
            flash("Thank you. Only your practitioner sees how you are.", "success")
            if form.feeling.data == "struggling":
                flash(safety.HELP_AFTER, "info")
                return redirect(url_for("practice.safety.help_now"))
            return redirect(url_for(".home"))
    return render_template(
        "practice/disclosure/write.html",
        item=part,
        spec=disclosure_service.spec(part),
        mine=False,
        writable=False,
        readable=True,
        form=PartForm(formdata=None),
        reading=safety.reading_of(partner, part),
        after_form=form,
    )


def _answering(previous, partner, *, readable: bool = True) -> bool:
    """Whether the part before is the other partner's, released, and (if asked) theirs to
    read in the app."""
    if previous is None or previous.author_id == partner.id:
        return False
    if not privacy.release_of(previous).released:
        return False
    return not readable or privacy.may_read_part(partner.user, previous)


def _saved_at(item) -> int:
    return int(item.saved_at.timestamp() * 1000) if item.saved_at else 0
