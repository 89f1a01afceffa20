from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from practice.forms import MultiCheckboxField, PracticeForm, options
from practice.models import NOTE_FORMATS

SECTION_KEYS = sorted({key for _, sections in NOTE_FORMATS.values() for key, _ in sections})


class SessionForm(PracticeForm):
    day = DateField("Date", validators=[InputRequired("Enter the session's date.")])
    start = TimeField("Start time", validators=[InputRequired("Enter the start time.")])
    duration_minutes = IntegerField(
        "Length in minutes",
        default=50,
        validators=[
            InputRequired("Enter the length in minutes."),
            NumberRange(5, 600, "Length is in minutes, from 5 to 600."),
        ],
    )
    kind = RadioField(
        "Kind of session",
        default="joint",
        choices=options([("joint", "Joint, with the couple"), ("individual", "Individual")]),
    )
    individual_partner = SelectField(
        "If individual, with", coerce=int, validators=[Optional()], validate_choice=False
    )
    attendees = MultiCheckboxField("Who attended", coerce=int)
    note_format = SelectField(
        "Note format",
        default="free",
        choices=options((key, label) for key, (label, _) in NOTE_FORMATS.items()),
    )
    reflections = MultiCheckboxField(
        "Reflections discussed", coerce=int, invalid_message="Pick reflections from this couple."
    )
    version = HiddenField()


for _key in SECTION_KEYS:
    setattr(SessionForm, _key, TextAreaField(_key.title()))


def section_fields(form: SessionForm, note_format: str):
    """The text areas of one format, labelled with its headings, in order."""
    fields = []
    for key, heading in NOTE_FORMATS[note_format][1]:
        field = form[key]
        field.label.text = heading
        fields.append(field)
    return fields


def carry_sections(form: SessionForm, new_format: str) -> None:
    """Switching format moves text from sections the new format lacks into its first
    section, headed, so nothing typed is lost."""
    keep = {key for key, _ in NOTE_FORMATS[new_format][1]}
    first = NOTE_FORMATS[new_format][1][0][0]
    moved = []
    for key in SECTION_KEYS:
        if key not in keep and (form[key].data or "").strip():
            moved.append(f"{key.title()}: {form[key].data.strip()}")
            form[key].data = ""
    if moved:
        form[first].data = "\n\n".join(filter(None, [(form[first].data or "").strip(), *moved]))


class SignForm(PracticeForm):
    password = PasswordField(
        "Your password, to sign", validators=[InputRequired("Enter your password to sign.")]
    )


class AddendumForm(PracticeForm):
    text = TextAreaField("Addendum", validators=[InputRequired("Write the addendum.")])
    password = PasswordField(
        "Your password, to sign", validators=[InputRequired("Enter your password to sign.")]
    )
