from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from practice.forms import PracticeForm, options
from practice.programs import kinds

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


class AnswerChoiceField(RadioField):
    """Yes/no or one of a choice's options, which may be left unanswered until submitting."""

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist else ""

    def pre_validate(self, form):
        if self.data and self.data not in {choice.value for choice in self.choices}:
            raise ValidationError("Choose one of the options.")


REQUIRED_HINT = "Please answer this one before you submit."


def _answer_field(prompt: str, spec: dict):
    hint = REQUIRED_HINT if spec["required"] else ""
    if spec["kind"] == kinds.SHORT:
        words = f"A few words, up to {kinds.SHORT_LIMIT} characters."
        return StringField(
            prompt,
            description=f"{words} {hint}".strip(),
            render_kw={"maxlength": kinds.SHORT_LIMIT, "autocomplete": "off"},
        )
    if spec["kind"] == kinds.YES_NO:
        choices = list(kinds.ANSWER_WORDS.items())
        return AnswerChoiceField(prompt, choices=options(choices), description=hint)
    if spec["kind"] == kinds.CHOICE:
        choices = [(option, option) for option in spec["options"]]
        return AnswerChoiceField(prompt, choices=options(choices), description=hint)
    return TextAreaField(prompt, description=hint)


def reflection_form(assignment, formdata=None, **data) -> PracticeForm:
    """A form with one text area per prompt and one 1-10 scale per rating question."""

    class ReflectionForm(PracticeForm):
        shared_with_partner = BooleanField("Let my partner read this after I submit it")

    specs = kinds.prompt_specs(assignment)
    for index, (prompt, spec) in enumerate(zip(assignment.prompts, specs, strict=True)):
        setattr(ReflectionForm, f"answer_{index}", _answer_field(prompt, spec))
    for question in assignment.ratings:
        anchors = f"1 = {question['low']}, 10 = {question['high']}"
        field = RatingField(
            question["label"],
            choices=options(SCALE),
            coerce=int,
            description=f"{anchors}. {REQUIRED_HINT}" if question.get("required") else anchors,
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
