from flask import current_app
from wtforms import BooleanField, DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from practice.forms import (
    EmailAddressField,
    MultiCheckboxField,
    NameField,
    NameStringField,
    PracticeForm,
    options,
)


class CoupleForm(PracticeForm):
    name = NameStringField(
        "Name for the couple (optional)",
        validators=[Optional(), Length(max=120)],
        description="Shown on your caseload. Leave empty to use both first names.",
    )
    first_name = NameField("First partner's name")
    first_email = EmailAddressField("First partner's e-mail")
    first_role = SelectField(
        "First partner's role", validators=[InputRequired("Choose the partner's role.")]
    )
    second_name = NameField("Second partner's name")
    second_email = EmailAddressField("Second partner's e-mail")
    second_role = SelectField(
        "Second partner's role", validators=[InputRequired("Choose the partner's role.")]
    )
    policy = RadioField(
        "Confidentiality policy",
        validators=[InputRequired("Choose the couple's confidentiality policy.")],
        description="Each partner reads these words and agrees to them before signing in. "
        "The couple keeps them as they are now, even if the practice's wording changes later.",
    )

    release = RadioField(
        "What a partner shares",
        choices=options(
            [
                ("at-once", "Goes to the other partner at once"),
                ("through-practitioner", "Waits until you have read it and released it"),
            ]
        ),
        default=lambda: release_default(),
        # A form sent without it (a script, an older page) gets the practice's default.
        validators=[DataRequired("Choose how what a partner shares reaches the other.")],
        description="Shown in the agreement both partners accept. You can change it later on "
        "the couple's page; they are then asked to agree again.",
    )


def release_default() -> str:
    """The practice's default for new couples (PRACTICE_RELEASE_THROUGH_PRACTITIONER)."""
    wait = current_app.config["PRACTICE_RELEASE_THROUGH_PRACTITIONER"]
    return "through-practitioner" if wait else "at-once"


class ReleaseSettingForm(PracticeForm):
    release = CoupleForm.release


class AssignForm(PracticeForm):
    exercises = MultiCheckboxField(
        "Exercises", coerce=int, validators=[InputRequired("Choose at least one exercise.")]
    )
    audience = RadioField(
        "For", validators=[InputRequired("Choose who it is for.")], default="as-written"
    )
    repeat = RadioField(
        "Repeat",
        default="once",
        choices=options(
            [
                ("once", "Once"),
                ("daily", "Every day"),
                ("weekly", "Every week"),
                ("as-written", "As each exercise suggests"),
            ]
        ),
        validators=[InputRequired("Choose how often.")],
    )
    due_on = DateField(
        "Due date (optional)",
        validators=[Optional()],
        description="For a repeating exercise, the last day it repeats. Left empty, an "
        "exercise that suggests a due date is due that many days from today.",
    )
    note = TextAreaField("Note to the couple (optional)", validators=[Length(max=2000)])
    assign_again = BooleanField(
        "Assign again what is already open",
        description="Each partner then has two copies of it to answer.",
    )


class StepForm(PracticeForm):
    step = SelectField("The couple is on", coerce=int)


class ArchiveForm(PracticeForm):
    reason = RadioField("Why", validators=[InputRequired("Choose why the couple is archived.")])
    confirm = BooleanField(
        "Both partners are signed out and the record becomes read-only",
        validators=[InputRequired("Tick this to confirm; nothing is archived until you do.")],
        description="You can reopen the couple at any time.",
    )
