from wtforms import DateField, IntegerField, TextAreaField, TimeField
from wtforms.validators import InputRequired, NumberRange

from practice.forms import MultiCheckboxField, PracticeForm


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
    attendees = MultiCheckboxField("Who attended", coerce=int)
    note = TextAreaField("Session note")
    reflections = MultiCheckboxField(
        "Reflections discussed", coerce=int, invalid_message="Pick reflections from this couple."
    )
