from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField
from wtforms.validators import InputRequired, Optional, ValidationError

from practice.forms import PracticeForm, options
from practice.measures.spec import options_of
from practice.models import Cadence
from practice.services.measures import MAX_EVERY_WEEKS


class WeeksField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(
                f"Enter a whole number of weeks from 1 to {MAX_EVERY_WEEKS}."
            ) from error


class DayField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Give a date, like 2026-12-24.") from error


class ScheduleForm(PracticeForm):
    measure = SelectField("Measure", validators=[InputRequired("Choose a measure.")])
    cadence = RadioField(
        "When the partners answer",
        default=Cadence.START.value,
        choices=options(
            [
                (Cadence.START.value, "Once, now (a starting point)"),
                (Cadence.EVERY_WEEKS.value, "Every few weeks"),
                (Cadence.STEP_CHANGE.value, "Now, and again at each step change"),
                (Cadence.ONCE.value, "Once, from a day you choose"),
            ]
        ),
        validators=[InputRequired("Choose when the partners answer.")],
    )
    every_weeks = WeeksField("Every how many weeks", default=4, validators=[Optional()])
    from_day = DayField("From which day (for once)", validators=[Optional()])
    scores_shared = BooleanField(
        "The couple agreed each partner sees the other's scores",
        description="Only the scores; each partner's answers stay their own and yours.",
    )


class AnswerField(RadioField):
    """One item's choices; anything but one of them is asked again, kindly."""

    MESSAGE = "Please choose one answer here."

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.MESSAGE) from error

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.MESSAGE)


def answer_form(spec: dict, formdata=None):
    """A form with one group of choices per item of the measure."""

    class AnswerForm(PracticeForm):
        pass

    for item in spec["items"]:
        field = AnswerField(
            item["text"],
            coerce=int,
            choices=options((o["value"], o["label"]) for o in options_of(spec, item)),
            validators=[InputRequired(AnswerField.MESSAGE)],
        )
        setattr(AnswerForm, f"item_{item['key']}", field)
    return AnswerForm(formdata=formdata) if formdata is not None else AnswerForm()
