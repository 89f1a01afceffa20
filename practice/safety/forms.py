from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired

from practice.forms import PracticeForm, options
from practice.services.safety import QUESTIONS

YES_NO = [("yes", "Yes"), ("no", "No")]


def screen_form(formdata=None) -> PracticeForm:
    """One yes/no question per safety question, none answered in advance."""

    class SafetyScreenForm(PracticeForm):
        pass

    for question in QUESTIONS:
        setattr(
            SafetyScreenForm,
            question.key,
            RadioField(
                question.text,
                choices=options(YES_NO),
                validators=[InputRequired("Choose yes or no.")],
            ),
        )
    form = SafetyScreenForm(formdata=formdata)
    form.questions = [form[q.key] for q in QUESTIONS]
    return form


def answers_of(form) -> dict[str, bool | None]:
    """Yes/no as True/False; anything else as None, which the service refuses by field."""
    return {f.name: {"yes": True, "no": False}.get(f.data) for f in form.questions}


class JointFeaturesForm(PracticeForm):
    reason = TextAreaField(
        "Why sharing can resume",
        description="A few words for the record, for example what you talked through with "
        "the partner.",
    )


class CrisisResourcesForm(PracticeForm):
    country = StringField(
        "Country", description="Where these numbers work, as your clients would say it."
    )
    lines = TextAreaField(
        "Where a client can turn straight away",
        description="One per line: name | phone | how to text | web address | when open. "
        "Leave out what a service does not have, e.g. “Samaritans | 116 123 | | "
        "https://www.samaritans.org | Day and night”.",
    )
