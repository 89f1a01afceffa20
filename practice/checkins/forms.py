from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from practice.forms import PracticeForm, options
from practice.services.checkins import MAX_TELL_HOURS


class WholeNumberField(IntegerField):
    """An integer field whose complaint about letters says what to type instead."""

    def __init__(self, *args, message="Enter a whole number.", **kwargs):
        super().__init__(*args, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.message) from error


class MomentField(DateTimeLocalField):
    """A date and time as the browser's picker sends it, with a plain complaint."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Give a date and time, like 2026-11-23 21:30.") from error


class PlanForm(PracticeForm):
    partner = SelectField(
        "Who checks in",
        coerce=lambda value: int(value) if value not in ("", None) else None,
        validators=[InputRequired("Choose who checks in.")],
    )
    frequency = RadioField(
        "How often",
        default="daily",
        choices=options([("daily", "Every day"), ("weekly", "Every week"), ("off", "Off")]),
        validators=[InputRequired("Choose how often.")],
    )
    tell_within_hours = WholeNumberField(
        "Agreed time to tell the partner about a slip, in hours",
        default=24,
        validators=[InputRequired("Enter a number of hours, such as 24.")],
        message=f"Enter a whole number of hours from 1 to {MAX_TELL_HOURS}, such as 24.",
    )
    summary_for_partner = BooleanField(
        "The other partner sees a summary",
        description=(
            "Only how many check-ins came in on time and whether slips were told in the "
            "agreed time; never the words."
        ),
    )


class CheckinForm(PracticeForm):
    urges = WholeNumberField(
        "Urges, from 0 (none) to 10 (very strong)",
        validators=[InputRequired("Choose a number from 0 (none) to 10 (very strong).")],
        message="Choose a number from 0 (none) to 10 (very strong).",
    )
    triggers = TextAreaField("What set them off (optional)")
    handled = TextAreaField("How you handled them (optional)")
    slip = RadioField(
        "Was there a slip?",
        default="no",
        choices=options([("no", "No"), ("yes", "Yes")]),
        validators=[InputRequired("Choose yes or no.")],
    )
    slip_at = MomentField("When it happened", validators=[Optional()])
    told = RadioField(
        "Have you told your partner?",
        default="no",
        choices=options([("no", "Not yet"), ("yes", "Yes")]),
        validators=[InputRequired("Choose yes or not yet.")],
    )
    told_at = MomentField("When you told them", validators=[Optional()])
    shared_with_partner = BooleanField("Let my partner read this check-in")


class RemindersForm(PracticeForm):
    wanted = BooleanField(
        "E-mail me when something is waiting",
        description="At most one short e-mail a day. It never says what is waiting.",
    )
