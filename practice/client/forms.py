from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from practice.forms import PracticeForm, options

SCALE = [(value, str(value)) for value in range(1, 11)]


RATING_MESSAGE = "Choose a number from 1 to 10."


class RatingField(RadioField):
    """A 1-10 rating that may be left unanswered."""

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] == "":
            return
        try:
            self.data = int(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(RATING_MESSAGE) from None

    def pre_validate(self, form):
        if self.data is not None and not 1 <= self.data <= 10:
            raise ValidationError(RATING_MESSAGE)


def reflection_form(assignment, formdata=None, **data) -> PracticeForm:
    """A form with one text area per prompt and one 1-10 scale per rating question."""

    class ReflectionForm(PracticeForm):
        shared_with_partner = BooleanField("Let my partner read this after I submit it")

    for index, prompt in enumerate(assignment.prompts):
        setattr(ReflectionForm, f"answer_{index}", TextAreaField(prompt))
    for question in assignment.ratings:
        field = RatingField(
            question["label"],
            choices=options(SCALE),
            coerce=int,
            description=f"1 = {question['low']}, 10 = {question['high']}",
        )
        setattr(ReflectionForm, f"rating_{question['key']}", field)
    form = ReflectionForm(formdata=formdata, data=data or None)
    form.prompt_fields = [form[f"answer_{i}"] for i in range(len(assignment.prompts))]
    form.rating_fields = [form[f"rating_{q['key']}"] for q in assignment.ratings]
    return form


class AgreementForm(PracticeForm):
    """Agreeing again, after the practitioner changed how shares reach the other partner."""

    agree = BooleanField(
        "I have read the changed agreement and agree to it",
        validators=[DataRequired("Tick the box to say you have read and agree to it.")],
    )
